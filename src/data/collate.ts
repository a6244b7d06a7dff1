import { ChainruleError, fmtShape } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import { stack, Tensor } from '../ops/index.js';

/**
 * Turns a list of examples into a batch, as PyTorch's default_collate: tensors are stacked along
 * a new first dimension; numbers become a 1-D tensor (int32 when all are integers, else float32);
 * booleans a bool tensor; arrays and plain objects are collated position by position / key by
 * key. Anything else (strings, ...) is returned as a list.
 * @example
 * const [xb, yb] = data.defaultCollate([[tensor([1, 2]), 0], [tensor([3, 4]), 1]]) as Tensor[];
 * xb // [[1, 2], [3, 4]]
 * yb // [0, 1]
 * yb.dtype // 'int32'
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  if (batch.length === 0) throw new ChainruleError('defaultCollate: cannot collate an empty batch');
  const first = batch[0];
  if (first instanceof Tensor) {
    const bad = batch.findIndex((b) => !(b instanceof Tensor) || b.dtype !== first.dtype || b.shape.length !== first.shape.length || b.shape.some((d, i) => d !== first.shape[i]));
    if (bad >= 0) {
      const b = batch[bad];
      throw new ChainruleError(
        `defaultCollate: example ${bad} is ${b instanceof Tensor ? `${b.dtype} ${fmtShape(b.shape)}` : typeof b} but example 0 is ${first.dtype} ${fmtShape(first.shape)}; pass a custom collate to batch unequal examples`,
      );
    }
    return stack(batch as Tensor[], 0).detach();
  }
  if (typeof first === 'number') {
    if (!batch.every((b) => typeof b === 'number')) throw new ChainruleError('defaultCollate: mixed numbers and other values in one field');
    const nums = batch as number[];
    return tensor(nums, { dtype: nums.every(Number.isInteger) ? 'int32' : 'float32' });
  }
  if (typeof first === 'boolean') return tensor(batch as boolean[]);
  if (Array.isArray(first)) {
    const n = first.length;
    if (!batch.every((b) => Array.isArray(b) && b.length === n)) throw new ChainruleError('defaultCollate: examples are arrays of different lengths');
    return first.map((_, i) => defaultCollate(batch.map((b) => (b as unknown[])[i])));
  }
  if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = defaultCollate(batch.map((b) => (b as Record<string, unknown>)[k]));
    return out;
  }
  return [...batch];
}
