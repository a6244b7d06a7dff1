import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ChainruleError } from '../errors.js';

let counter = 0;

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same directory, flushed to
 * disk (fsync), then renamed over `path`. A crash at any point leaves either the old file or the
 * new one, never a truncated mix. The directory is fsynced too where the platform allows it.
 */
export function writeFileAtomic(path: string, bytes: Uint8Array, op = 'save'): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // the temporary file may never have been created
    }
    throw new ChainruleError(`${op}: could not write ${path}: ${(e as Error).message}`);
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some platforms (Windows) cannot fsync a directory; the rename itself is still atomic
  }
}

/** Reads a whole file, turning a missing file into a clear ChainruleError. */
export function readFileBytes(path: string, op = 'load'): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ChainruleError(`${op}: no file at ${path}`);
    throw new ChainruleError(`${op}: could not read ${path}: ${(e as Error).message}`);
  }
}
