import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { promote } from '../tensor/dtype.js';
import { broadcastShapes, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul } from './arith.js';
import { defineOp } from './define.js';
import { assertTensor, output } from './kernel.js';
import { sumTo } from './reduce.js';
import { cast, expand, reshape, unsqueeze } from './shape.js';

/**
 * Matrix product with PyTorch's rules: 1-D·1-D is a dot product, 2-D·1-D a matrix-vector product,
 * and leading (batch) dimensions broadcast.
 * @example matmul(ones([2, 3]), ones([3, 4])).shape // [2, 4]
 */
export const matmul = defineOp(
  {
    name: 'matmul',
    doc: 'Matrix product with PyTorch\'s rules: 1-D·1-D is a dot product, 2-D·1-D a matrix-vector product, leading (batch) dimensions broadcast.',
    inputs: ['input', 'other'],
    operator: '@',
    latex: ([a, b], at) => `${at?.transA ? `{${a}}^{\\top}` : a} ${at?.transB ? `{${b}}^{\\top}` : b}`,
    label: '@',
    onnx: { opType: 'MatMul' },
  },
  () =>
    function matmul(x: Tensor, y: Tensor): Tensor {
  assertTensor(x, 'matmul');
  assertTensor(y, 'matmul');
  if (x.ndim === 0 || y.ndim === 0) {
    throw new ChainruleError(`matmul: both operands need at least one dimension, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  const dtype = promote(x.dtype, y.dtype);
  if (dtype === 'bool' || dtype === 'int32') throw new ChainruleError(`matmul: needs float tensors, got ${x.dtype} and ${y.dtype}`);
  const a = x.dtype === dtype ? x : cast(x, dtype);
  const b = y.dtype === dtype ? y : cast(y, dtype);
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const b2 = b.ndim === 1 ? unsqueeze(b, -1) : b;
  const k = a2.shape[a2.ndim - 1];
  const k2 = b2.shape[b2.ndim - 2];
  if (k !== k2) {
    throw new ChainruleError(`matmul: cannot multiply ${fmtShape(x.shape)} by ${fmtShape(y.shape)} (inner dimensions ${k} and ${k2} differ)`);
  }
  const out = mm(a2, b2, false, false);
  const batch = out.shape.slice(0, -2);
  let shape = [...out.shape];
  if (x.ndim === 1) shape = [...batch, out.shape[out.ndim - 1]];
  if (y.ndim === 1) shape = x.ndim === 1 ? [...batch] : [...batch, out.shape[out.ndim - 2]];
  return shape.length === out.ndim ? out : reshape(out, shape);
    },
);

/**
 * x @ yᵀ, with the last two dims of y swapped inside the kernel instead of by a copy: the product
 * of a linear layer whose weight is stored [out, in] (PyTorch's layout). y has rank >= 2 and
 * x rank >= 1; batch dims broadcast as in matmul.
 * @example matmulT(ones([2, 3]), ones([4, 3])).shape // [2, 4]
 */
export function matmulT(x: Tensor, y: Tensor): Tensor {
  assertTensor(x, 'matmulT');
  assertTensor(y, 'matmulT');
  if (x.ndim === 0 || y.ndim < 2) {
    throw new ChainruleError(`matmulT: needs x with at least one dimension and y with at least two, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  }
  const dtype = promote(x.dtype, y.dtype);
  if (dtype === 'bool' || dtype === 'int32') throw new ChainruleError(`matmulT: needs float tensors, got ${x.dtype} and ${y.dtype}`);
  const a = x.dtype === dtype ? x : cast(x, dtype);
  const b = y.dtype === dtype ? y : cast(y, dtype);
  const a2 = a.ndim === 1 ? unsqueeze(a, 0) : a;
  const k = a2.shape[a2.ndim - 1];
  const k2 = b.shape[b.ndim - 1];
  if (k !== k2) {
    throw new ChainruleError(`matmulT: cannot multiply ${fmtShape(x.shape)} by the transpose of ${fmtShape(y.shape)} (inner dimensions ${k} and ${k2} differ)`);
  }
  const out = mm(a2, b, false, true);
  return a.ndim === 1 ? reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]]) : out;
}

/**
 * Batched op(A) @ op(B) for operands of rank >= 2 whose batch dims broadcast; op transposes the
 * last two dims when the flag is set, inside the kernel (no copy). Its gradients are products of
 * the same kind, so double backward works.
 */
function mm(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Tensor {
  const [m, k] = tA ? [a.shape[a.ndim - 1], a.shape[a.ndim - 2]] : [a.shape[a.ndim - 2], a.shape[a.ndim - 1]];
  const n = tB ? b.shape[b.ndim - 2] : b.shape[b.ndim - 1];
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapes(batchA, batchB, 'matmul');
  // a batch operand broadcast whole is read with stride 0; a partial broadcast is expanded
  const full = (t: Tensor, own: readonly number[]): [Tensor, number] => {
    const rows = t.shape[t.ndim - 2];
    const cols = t.shape[t.ndim - 1];
    if (sizeOf(own) === 1) return [t, 0];
    if (own.length === batch.length && own.every((d, i) => d === batch[i])) return [t, rows * cols];
    return [expand(t, [...batch, rows, cols]), rows * cols];
  };
  const [A, sA] = full(a, batchA);
  const [B, sB] = full(b, batchB);
  const nb = sizeOf(batch);
  const out = output([...batch, m, n], a.dtype);
  // A batch of untransposed A matrices times one shared B is one GEMM of nb·m rows (same memory)
  const fold = nb > 1 && sB === 0 && !tA && sizeOf(batchA) === nb;
  const spec = fold
    ? { batch: 1, m: nb * m, n, k, transA: false, transB: tB, strideA: 0, strideB: 0 }
    : { batch: nb, m, n, k, transA: tA, transB: tB, strideA: sA, strideB: sB };
  kernels().matmul(A.data, B.data, out.data, spec);
  return record(matmul.def, [a, b], out, (g) => {
    // each gradient is a GEMM as large as the forward: skip the one no input needs (a layer's data)
    const ga = !a.requiresGrad ? null : sumTo(tA ? mm(b, g, tB, true) : mm(g, b, false, !tB), a.shape);
    if (!b.requiresGrad) return [ga, null];
    if (fold) {
      // the shared B's gradient summed over the batch is one GEMM over nb·m rows, not nb products
      const af = reshape(a, [nb * m, k]);
      const gf = reshape(g, [nb * m, n]);
      return [ga, reshape(tB ? mm(gf, af, true, false) : mm(af, gf, true, false), b.shape)];
    }
    return [ga, sumTo(tB ? mm(g, a, true, tA) : mm(a, g, !tA, false), b.shape)];
  }, { transA: tA, transB: tB });
}

/**
 * Dot product of two 1-D tensors.
 * @example tensor([1, 2, 3]).dot(tensor([4, 5, 6])).item() // 32
 */
export const dot = defineOp(
  { name: 'dot', doc: 'Dot product of two 1-D tensors.', inputs: ['input', 'other'] },
  () =>
    function dot(x: Tensor, y: Tensor): Tensor {
      if (x.ndim !== 1 || y.ndim !== 1) throw new ChainruleError(`dot: expected two 1-D tensors, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
      if (x.shape[0] !== y.shape[0]) throw new ChainruleError(`dot: the tensors must have the same size, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
      return matmul(x, y);
    },
);

/**
 * Outer product of two 1-D tensors: [n] x [m] -> [n, m].
 * @example outer(tensor([1, 2]), tensor([3, 4, 5])) // [[3, 4, 5], [6, 8, 10]]
 */
export const outer = defineOp(
  { name: 'outer', doc: 'Outer product of two 1-D tensors: [n] x [m] -> [n, m].', inputs: ['input', 'vec2'] },
  () =>
    function outer(x: Tensor, y: Tensor): Tensor {
      if (x.ndim !== 1 || y.ndim !== 1) throw new ChainruleError(`outer: expected two 1-D tensors, got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
      return mul(unsqueeze(x, 1), unsqueeze(y, 0));
    },
);
