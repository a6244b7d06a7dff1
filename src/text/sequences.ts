import { ChainruleError } from '../errors.js';

/** A padded batch of token-id sequences. */
export interface PaddedBatch {
  /** [batch, length] ids, row-major, padded with padId */
  ids: Int32Array;
  /** [batch, length] 1 for real tokens, 0 for padding */
  mask: Float32Array;
  /** true lengths after truncation (at least 1: an empty text keeps one pad token) */
  lengths: Int32Array;
  batch: number;
  length: number;
}

/** Options of {@link padSequences}. */
export interface PadOptions {
  /** cut longer sequences to this many tokens */
  maxLength: number;
  /** which end to cut: 'post' keeps the beginning (default), 'pre' keeps the end */
  truncation?: 'pre' | 'post';
  padId?: number;
  /** pad to maxLength even when every sequence is shorter (default: pad to the longest) */
  fixedLength?: boolean;
  /** never produce batches narrower than this (e.g. the widest convolution filter) */
  minLength?: number;
}

/**
 * Truncates and right-pads id sequences into one [batch, length] block with a mask.
 * @example
 * const b = text.padSequences([[5, 6, 7], [8]], { maxLength: 2 });
 * b.ids // Int32Array [5, 6, 8, 0];  b.mask // Float32Array [1, 1, 1, 0];  b.lengths // [2, 1]
 */
export function padSequences(seqs: readonly (readonly number[])[], opts: PadOptions): PaddedBatch {
  const { maxLength, truncation = 'post', padId = 0, fixedLength = false, minLength = 1 } = opts;
  if (!(maxLength >= 1)) throw new ChainruleError(`padSequences: maxLength must be at least 1, got ${maxLength}`);
  let longest = 0;
  for (const s of seqs) longest = Math.max(longest, Math.min(s.length, maxLength));
  const length = Math.max(fixedLength ? maxLength : longest, minLength, 1);
  const batch = seqs.length;
  const ids = new Int32Array(batch * length).fill(padId);
  const mask = new Float32Array(batch * length);
  const lengths = new Int32Array(batch);
  seqs.forEach((s, b) => {
    const kept = s.length <= maxLength ? s : truncation === 'post' ? s.slice(0, maxLength) : s.slice(s.length - maxLength);
    for (let t = 0; t < kept.length; t++) {
      ids[b * length + t] = kept[t];
      mask[b * length + t] = 1;
    }
    lengths[b] = Math.max(1, kept.length);
    if (kept.length === 0) mask[b * length] = 1;
  });
  return { ids, mask, lengths, batch, length };
}
