// Vector norms over any dims, as torch.norm and torch.linalg.vector_norm: p = 2 (and 'fro'), 1,
// ±∞, 0 (the count of nonzeros) and any other real p. The gradient is PyTorch's formula case by
// case, including its values where the norm or an element is 0, written with ops so that it is
// differentiable again.
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { floatOf } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { div, eq, logicalOr, mul, ne, where } from './arith.js';
import { defineOp } from './define.js';
import { assertTensor, castData, dimsOf, reducedShape, runReduce } from './kernel.js';
import { abs, pow, sign, sqrt } from './math.js';
import { type Dims, type ReduceOptions, sum } from './reduce.js';
import { reshape } from './shape.js';

/** The order of a norm: a number (±Infinity included) or 'fro' (the 2-norm of all the reduced elements). */
export type NormOrder = number | 'fro';

function orderOf(p: unknown, x: Tensor): number {
  if (p === 'fro') return 2;
  if (p === 'nuc') throw new ChainruleError(`norm: the nuclear norm ('nuc') is not supported (input shape ${fmtShape(x.shape)})`);
  if (typeof p !== 'number' || Number.isNaN(p)) {
    throw new ChainruleError(`norm: p must be a number (Infinity and -Infinity included) or 'fro', got ${JSON.stringify(p) ?? String(p)} (input shape ${fmtShape(x.shape)})`);
  }
  return p;
}

const orderTex = (p: unknown) => (p === Number.POSITIVE_INFINITY ? '\\infty' : p === Number.NEGATIVE_INFINITY ? '-\\infty' : p === 'fro' ? 'F' : String(p));

/** The norm itself, with the reduced dims kept as 1s (unrecorded). */
function value(x: Tensor, p: number, ds: readonly number[]): Tensor {
  // every norm of no elements is 0, as PyTorch 1.13 has it (even the ±∞ ones)
  if (ds.some((d) => x.shape[d] === 0)) return zeros(reducedShape(x.shape, ds, true), { dtype: x.dtype });
  const keep = { keepdim: true };
  return noGrad(() => {
    if (p === Number.POSITIVE_INFINITY) return runReduce('max', abs(x), ds, 'norm');
    if (p === Number.NEGATIVE_INFINITY) return runReduce('min', abs(x), ds, 'norm');
    if (p === 0) return sum(castData(ne(x, 0), x.dtype), ds, keep);
    if (p === 1) return sum(abs(x), ds, keep);
    if (p === 2) return sqrt(sum(mul(x, x), ds, keep));
    return pow(sum(pow(abs(x), p), ds, keep), 1 / p);
  });
}

/** PyTorch's norm_backward: g and the norm y with the reduced dims kept as 1s. */
function gradient(g: Tensor, x: Tensor, y: Tensor, p: number, ds: readonly number[]): Tensor {
  if (p === 0) return zeros(x.shape, { dtype: g.dtype });
  if (p === 1) return mul(sign(x), g);
  if (p === 2) return mul(g, where(eq(y, 0), 0, div(x, y)));
  if (!Number.isFinite(p)) {
    // the elements at the extreme share the gradient (NaN ones too, as they are the extreme)
    const ax = abs(x);
    const hit = castData(logicalOr(eq(ax, y), ne(ax, ax)), g.dtype);
    return mul(sign(x), mul(div(g, sum(hit, ds, { keepdim: true })), hit));
  }
  if (p < 1) return mul(mul(mul(sign(x), where(eq(x, 0), 0, pow(abs(x), p - 1))), g), pow(y, 1 - p));
  const scale = where(eq(y, 0), 0, div(g, pow(y, p - 1)));
  if (p < 2) return mul(mul(sign(x), pow(abs(x), p - 1)), scale);
  return mul(mul(x, pow(abs(x), p - 2)), scale);
}

/**
 * The vector p-norm over dims (all when omitted), as torch.norm(x, p, dim, keepdim) for numeric
 * p and 'fro': (Σ|x|^p)^(1/p); p = ∞ and -∞ are the largest and smallest |x|, p = 0 counts
 * nonzeros. Integer inputs are promoted to float. Its gradient at 0 is PyTorch's (0 for p = 2
 * where the norm is 0, the sign rule for p = 1, ties sharing for ±∞).
 * @example norm(tensor([3, 4])).item() // 5
 */
export const norm = defineOp(
  {
    name: 'norm',
    doc: 'The vector p-norm over dims (all when omitted), as torch.norm: p = 2 (default, and fro), 1, ±∞, 0 (nonzero count) or any real p.',
    params: [
      { name: 'p', default: 2, infinite: true },
      { name: 'dim', type: 'dims', default: null },
      { name: 'options', type: 'options', default: null },
    ],
    latex: ([a], at) => (at?.p === 2 || at?.p === undefined ? `\\left\\lVert ${a}\\right\\rVert` : `\\left\\lVert ${a}\\right\\rVert_{${orderTex(at.p)}}`),
    fnLatex: '\\operatorname{norm}',
    label: (at) => (at.p === 2 ? '‖x‖' : `‖x‖${String(at.p).replace('Infinity', '∞')}`),
  },
  (def) =>
    function norm(x: Tensor, p: NormOrder = 2, dims?: Dims | null, opts: ReduceOptions = {}): Tensor {
      assertTensor(x, 'norm');
      if (x.dtype !== floatOf(x.dtype)) throw new ChainruleError(`norm: the input must be a float tensor (as in PyTorch), got ${x.dtype} of shape ${fmtShape(x.shape)}`);
      const ord = orderOf(p, x);
      const ds = dimsOf(x, dims, 'norm');
      const src = x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
      const y = value(src, ord, ds);
      const kept = y.shape;
      const out = opts.keepdim ? y : reshape(y, reducedShape(x.shape, ds, false));
      return record(def, [src], out, (g) => [gradient(reshape(g, kept), src, reshape(out, kept), ord, ds)], { p: ord, dims: ds });
    },
);
