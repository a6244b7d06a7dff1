import { createHash } from 'node:crypto';
import { ChainruleError } from '../errors.js';

/** The three fixed partitions of a labelled text collection. */
export type SplitName = 'train' | 'dev' | 'test';

export const SPLITS: readonly SplitName[] = ['train', 'dev', 'test'];

/**
 * The fixed split rule of the text-classification pipeline: the first 8 hex digits of an MD5
 * checksum, as an integer, modulo 10; buckets 0-6 are train, 7 dev and 8-9 test.
 * @example splitOfChecksum('7c53336b37003a9286aba55d2945844c') // 'train'
 */
export function splitOfChecksum(md5hex: string): SplitName {
  if (!/^[0-9a-fA-F]{8}/.test(md5hex)) {
    throw new ChainruleError(`splitOfChecksum: expected an MD5 hex digest, got ${JSON.stringify(md5hex.slice(0, 40))}`);
  }
  const bucket = Number.parseInt(md5hex.slice(0, 8), 16) % 10;
  return bucket <= 6 ? 'train' : bucket === 7 ? 'dev' : 'test';
}

/**
 * MD5 hex digest of a UTF-8 string (the checksum used to split rows of CSV/JSONL files).
 * @example md5Hex('') // 'd41d8cd98f00b204e9800998ecf8427e'
 */
export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * Reads an explicit split value from a `--split-col` column: train/dev/test (also
 * training/validation/valid/val/testing, any case). Returns null for an unknown value.
 * @example parseSplitName('Validation') // 'dev'
 */
export function parseSplitName(v: string): SplitName | null {
  const s = v.trim().toLowerCase();
  if (s === 'train' || s === 'training') return 'train';
  if (s === 'dev' || s === 'valid' || s === 'validation' || s === 'val' || s === 'development') return 'dev';
  if (s === 'test' || s === 'testing') return 'test';
  return null;
}
