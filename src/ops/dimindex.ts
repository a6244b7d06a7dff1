// Checks and conversions shared by the ops that take a dim-wise index tensor (gather, the
// scatters, indexSelect, indexAdd): the index as int32 values in range, its shape against the
// tensors it indexes as PyTorch checks it, and the part of src it reads.
import { ChainruleError, fmtShape } from '../errors.js';
import { sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { assertTensor } from './kernel.js';
import { index } from './shape.js';

/** The values of an index tensor (int32, or a float/bool tensor of integers) checked to be in [0, n). */
export function indices(idx: Tensor, n: number, op: string): Int32Array {
  assertTensor(idx, op, 'index');
  if (idx.dtype !== 'int32') {
    const ok = idx.dtype !== 'bool' && Array.from(idx.data).every((v) => Number.isInteger(v));
    if (!ok) throw new ChainruleError(`${op}: indices must be an int32 tensor (got ${idx.dtype})`);
  }
  const data = idx.dtype === 'int32' ? (idx.data as Int32Array) : Int32Array.from(idx.data);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0 || v >= n) throw new ChainruleError(`${op}: index ${v} is out of range for a dimension of size ${n}`);
  }
  return data;
}

/**
 * Checks a dim-wise index against the tensor it indexes, as PyTorch does: the same rank, and no
 * larger than the tensor in any dim but d (and no larger than src in any dim, for scatters).
 */
export function checkIndexShape(x: Tensor, d: number, idx: Tensor, op: string, src?: Tensor): void {
  assertTensor(idx, op, 'index');
  if (idx.ndim !== x.ndim && !(idx.ndim <= 1 && x.ndim <= 1)) {
    throw new ChainruleError(`${op}: index shape ${fmtShape(idx.shape)} must have the rank of the input shape ${fmtShape(x.shape)}`);
  }
  if (idx.size === 0) return;
  if (idx.shape.some((n, i) => i !== d && n > x.shape[i])) {
    throw new ChainruleError(`${op}: index shape ${fmtShape(idx.shape)} must be no larger than input shape ${fmtShape(x.shape)} in every dimension but ${d}`);
  }
  if (src && (src.ndim !== idx.ndim || idx.shape.some((n, i) => n > src.shape[i]))) {
    throw new ChainruleError(`${op}: index shape ${fmtShape(idx.shape)} must be no larger than src shape ${fmtShape(src.shape)} in every dimension`);
  }
}

/** True when the index has the input's size outside d (the shapes the structured kernels take). */
export function fitsOutside(x: Tensor, d: number, idx: Tensor): boolean {
  return idx.ndim === x.ndim && idx.shape.every((n, i) => i === d || n === x.shape[i]);
}

/** The part of src at the index's coordinates (src itself when the shapes agree). */
export function srcAt(src: Tensor, idx: Tensor): Tensor {
  if (sameShape(src.shape, idx.shape)) return src;
  return index(src, ...idx.shape.map((n) => [0, n] as [number, number]));
}

/** A dim-wise index as int32 values in [0, n) (n: x's size along d). */
export function dimIndex(x: Tensor, d: number, idx: Tensor, op: string): Int32Array {
  return indices(idx, x.ndim === 0 ? 1 : x.shape[d], op);
}

