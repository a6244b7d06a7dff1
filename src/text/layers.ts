import { ChainruleError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Tensor } from '../ops/index.js';

/**
 * Max over time of x [B, T, F] counting only positions where mask [B, T] is 1 (others get -1e9
 * before the max; every row must have at least one valid position).
 * @example text.maskedMaxOverTime(tensor([[[1], [5]]]), new Float32Array([1, 0])).toArray() // [[1]]
 */
export function maskedMaxOverTime(x: Tensor, mask: Float32Array): Tensor {
  const [b, t] = x.shape;
  if (mask.length !== b * t) throw new ChainruleError(`maskedMaxOverTime: mask has ${mask.length} entries, expected ${b * t}`);
  const neg = tensor(Float32Array.from(mask, (m) => (m > 0 ? 0 : -1e9)), { shape: [b, t, 1], dtype: x.dtype });
  return x.add(neg).max(1);
}

/**
 * Mean over time of x [B, T, F] over the positions where mask [B, T] is 1.
 * @example text.maskedMeanOverTime(tensor([[[1], [5]]]), new Float32Array([1, 1])).toArray() // [[3]]
 */
export function maskedMeanOverTime(x: Tensor, mask: Float32Array): Tensor {
  const [b, t] = x.shape;
  const m = tensor(mask, { shape: [b, t, 1], dtype: x.dtype });
  const counts = new Float32Array(b);
  for (let i = 0; i < b; i++) for (let j = 0; j < t; j++) counts[i] += mask[i * t + j];
  const inv = tensor(Float32Array.from(counts, (c) => 1 / Math.max(c, 1)), { shape: [b, 1], dtype: x.dtype });
  return x.mul(m).sum(1).mul(inv);
}
