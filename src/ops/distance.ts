// Distances and similarities between vectors: cdist (every pair of rows of two batches),
// pairwiseDistance, cosineSimilarity and normalize, with PyTorch 1.13's formulas, its eps
// conventions and (for cdist) its gradient at zero differences and ties.
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { type DType, floatOf, isFloat, promote } from '../tensor/dtype.js';
import { broadcastShapes, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, logicalOr, maximum, minimum, mul, ne, neg, sub, where } from './arith.js';
import { defineOp } from './define.js';
import { assertNumber, assertTensor, dimOf } from './kernel.js';
import { abs, ceil, clamp, pow, sign, sqrt } from './math.js';
import { norm } from './norm.js';
import { sum, sumTo } from './reduce.js';
import { cast, expand, unsqueeze } from './shape.js';

/** The tensor in the float dtype two operands share (integers promote to float32). */
function floats(a: Tensor, b: Tensor, op: string): [Tensor, Tensor] {
  assertTensor(a, op, 'x1');
  assertTensor(b, op, 'x2');
  let d: DType = promote(a.dtype, b.dtype);
  if (!isFloat(d)) d = floatOf(d);
  return [a.dtype === d ? a : cast(a, d), b.dtype === d ? b : cast(b, d)];
}

/** d‖x1_i - x2_j‖_p / d(x1_i - x2_j) at the differences, as PyTorch's _cdist_backward has it. */
function cdistSlope(diff: Tensor, dist: Tensor, p: number): Tensor {
  if (p === 0) return zeros(diff.shape, { dtype: diff.dtype });
  // sign(d), NaN at a NaN difference (PyTorch's kernel; the sign op gives 0 there)
  if (p === 1) return where(ne(diff, diff), diff, sign(diff));
  // PyTorch's sign(d)·(1 - min(1, ceil(||d| - dist|))): 1 at the maximum, NaN where the distance is infinite
  if (p === Number.POSITIVE_INFINITY) return mul(sign(diff), sub(1, minimum(ceil(abs(sub(abs(diff), dist))), 1)));
  const atZero = eq(dist, 0);
  const d = where(atZero, 1, dist);
  if (p === 2) return where(atZero, 0, div(diff, d));
  const ad = abs(diff);
  const zeroDiff = eq(diff, 0);
  const safe = where(zeroDiff, 1, ad);
  if (p < 2) {
    // below 1, |diff|^(p-1) is infinite at diff = 0: PyTorch takes 0 there
    const dead = p < 1 ? logicalOr(atZero, zeroDiff) : atZero;
    return where(dead, 0, div(mul(sign(diff), pow(safe, p - 1)), pow(d, p - 1)));
  }
  return where(atZero, 0, div(mul(diff, pow(safe, p - 2)), pow(d, p - 1)));
}

/**
 * The p-norm distance between every row of x1 [..., P, M] and every row of x2 [..., R, M]:
 * [..., P, R], batch dims broadcast (torch.cdist). p ≥ 0, including 0 (the count of differing
 * coordinates) and Infinity. Always the direct formula, which PyTorch uses with compute_mode
 * 'donot_use_mm_for_euclid_dist'; its default switches p = 2 to a matmul form above 25 rows,
 * which rounds differently. The gradient is PyTorch's: 0 where a distance (or, for p < 1, a
 * difference) is 0, and for p = ∞ every coordinate at the maximum gets the whole gradient.
 * @example cdist(tensor([[0, 0]]), tensor([[3, 4], [1, 0]])).toArray() // [[5, 1]]
 */
export const cdist = defineOp(
  {
    name: 'cdist',
    doc: 'The p-norm distance between every row of x1 [..., P, M] and of x2 [..., R, M] (torch.cdist; p ≥ 0, ∞ included; batch dims broadcast).',
    inputs: ['x1', 'x2'],
    params: [{ name: 'p', default: 2, infinite: true }],
    latex: ([a, b], at) => `\\left\\lVert {${a}}_{i} - {${b}}_{j}\\right\\rVert_{${at?.p === Number.POSITIVE_INFINITY ? '\\infty' : String(at?.p ?? 2)}}`,
    label: (at) => `cdist p=${String(at.p).replace('Infinity', '∞')}`,
    deviation: "always the direct formula (torch.cdist's compute_mode 'donot_use_mm_for_euclid_dist'); PyTorch's default uses a matmul form for p = 2 above 25 rows, which rounds differently",
  },
  (def) =>
    function cdist(x1: Tensor, x2: Tensor, p: number = 2): Tensor {
      assertTensor(x1, 'cdist', 'x1');
      assertTensor(x2, 'cdist', 'x2');
      if (!isFloat(x1.dtype) || !isFloat(x2.dtype)) throw new ChainruleError(`cdist: needs float tensors, got ${x1.dtype} ${fmtShape(x1.shape)} and ${x2.dtype} ${fmtShape(x2.shape)}`);
      const [a, b] = floats(x1, x2, 'cdist');
      if (typeof p !== 'number' || Number.isNaN(p) || p < 0) throw new ChainruleError(`cdist: p must be a non-negative number (Infinity included), got ${String(p)}`);
      if (a.ndim < 2 || b.ndim < 2) throw new ChainruleError(`cdist: x1 and x2 need at least 2 dims, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      if (a.shape[a.ndim - 1] !== b.shape[b.ndim - 1]) {
        throw new ChainruleError(`cdist: x1 and x2 need the same number of columns, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
      }
      broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'cdist');
      // [..., P, 1, M] - [..., 1, R, M]
      const diffOf = (u: Tensor, v: Tensor) => sub(unsqueeze(u, -2), unsqueeze(v, -3));
      // p = 0 counts min(ceil(|d|), 1) as PyTorch's cdist kernel does, so a NaN difference gives NaN
      const y = noGrad(() => (p === 0 ? sum(minimum(ceil(abs(diffOf(a, b))), 1), -1) : norm(diffOf(a, b), p, -1)));
      return record(
        def,
        [a, b],
        y,
        (g) => {
          const diff = diffOf(a, b);
          const gd = mul(unsqueeze(g, -1), cdistSlope(diff, unsqueeze(y, -1), p));
          return [sumTo(sum(gd, -2), a.shape), sumTo(neg(sum(gd, -3)), b.shape)];
        },
        { p },
      );
    },
);

/** The options of pairwiseDistance (F.pairwise_distance's): the norm's order, eps, keepdim. */
export interface PairwiseDistanceOptions {
  /** the norm's order (default 2) */
  p?: number;
  /** added to the difference before the norm (default 1e-6), as PyTorch */
  eps?: number;
  /** keep the reduced last dim as size 1 */
  keepdim?: boolean;
}

/**
 * ‖x1 - x2 + eps‖_p over the last dim, x1 and x2 broadcast (F.pairwise_distance; eps 1e-6).
 * @example pairwiseDistance(tensor([[0, 0]]), tensor([[3, 4]]), { eps: 0 }).toArray() // [5]
 */
export const pairwiseDistance = defineOp(
  {
    name: 'pairwiseDistance',
    doc: '‖x1 - x2 + eps‖_p over the last dim, x1 and x2 broadcast (F.pairwise_distance; p = 2, eps = 1e-6 by default).',
    inputs: ['x1', 'x2'],
    params: [{ name: 'options', type: 'options', default: null }],
    latex: ([a, b]) => `\\left\\lVert ${a} - ${b}\\right\\rVert`,
  },
  () =>
    function pairwiseDistance(x1: Tensor, x2: Tensor, opts: PairwiseDistanceOptions = {}): Tensor {
      const [a, b] = floats(x1, x2, 'pairwiseDistance');
      const p = opts.p ?? 2;
      if (typeof p !== 'number' || Number.isNaN(p)) throw new ChainruleError(`pairwiseDistance: p must be a number, got ${String(p)}`);
      const eps = assertNumber(opts.eps ?? 1e-6, 'pairwiseDistance', 'eps');
      broadcastShapes(a.shape, b.shape, 'pairwiseDistance');
      return norm(add(sub(a, b), eps), p, -1, { keepdim: opts.keepdim ?? false });
    },
);

/** max(x, lo) whose gradient passes through unchanged (PyTorch clamps cosine_similarity's norms in place under no_grad). */
const floorValue = defineOp(
  { name: 'floorValue', doc: 'max(x, lo) with the gradient of x itself (a clamp that autograd does not see).', method: false, latex: ([a]) => a },
  (def) =>
    function floorValue(x: Tensor, lo: number): Tensor {
      const y = noGrad(() => maximum(x, lo));
      return record(def, [x], y, (g) => [g]);
    },
);

/** The options of cosineSimilarity (F.cosine_similarity's): the dim and eps. */
export interface CosineSimilarityOptions {
  /** the dim the vectors lie along (default 1) */
  dim?: number;
  /** the smallest norm divided by (default 1e-8) */
  eps?: number;
}

/**
 * Σ x1·x2 / (‖x1‖·‖x2‖) along dim, x1 and x2 broadcast, each norm at least eps (F.cosine_similarity
 * as PyTorch 1.13 computes it: each vector divided by its norm first; the eps floor does not
 * change the gradient's form).
 * @example cosineSimilarity(tensor([[1, 0]]), tensor([[1, 1]])).toArray() // [0.7071068]
 */
export const cosineSimilarity = defineOp(
  {
    name: 'cosineSimilarity',
    doc: 'Σ x1·x2 / (‖x1‖·‖x2‖) along dim (default 1), x1 and x2 broadcast, each norm at least eps = 1e-8 (F.cosine_similarity).',
    inputs: ['x1', 'x2'],
    params: [{ name: 'options', type: 'options', default: null }],
    latex: ([a, b]) => `\\frac{${a} \\cdot ${b}}{\\lVert ${a}\\rVert \\lVert ${b}\\rVert}`,
    label: 'cos sim',
  },
  () =>
    function cosineSimilarity(x1: Tensor, x2: Tensor, opts: CosineSimilarityOptions = {}): Tensor {
      let [a, b] = floats(x1, x2, 'cosineSimilarity');
      const eps = assertNumber(opts.eps ?? 1e-8, 'cosineSimilarity', 'eps');
      const shape = broadcastShapes(a.shape, b.shape, 'cosineSimilarity');
      if (!sameShape(a.shape, shape)) a = expand(a, shape);
      if (!sameShape(b.shape, shape)) b = expand(b, shape);
      const d = dimOf(a, opts.dim ?? 1, 'cosineSimilarity');
      const unit = (v: Tensor) => div(v, sqrt(floorValue(sum(mul(v, v), d, { keepdim: true }), eps * eps)));
      return sum(mul(unit(a), unit(b)), d);
    },
);

/** The options of normalize (F.normalize's): the norm's order, the dim, eps. */
export interface NormalizeOptions {
  /** the norm's order (default 2) */
  p?: number;
  /** the dim normalised along (default 1) */
  dim?: number;
  /** the smallest norm divided by (default 1e-12) */
  eps?: number;
}

/**
 * x / max(‖x‖_p, eps) along dim (F.normalize; p = 2, dim = 1, eps = 1e-12 by default).
 * @example normalize(tensor([[3, 4]], { dtype: 'float64' })).toArray() // [[0.6, 0.8]]
 */
export const normalize = defineOp(
  {
    name: 'normalize',
    doc: 'x / max(‖x‖_p, eps) along dim (F.normalize; p = 2, dim = 1, eps = 1e-12 by default).',
    params: [{ name: 'options', type: 'options', default: null }],
    latex: ([a]) => `\\frac{${a}}{\\lVert ${a}\\rVert}`,
  },
  () =>
    function normalize(x: Tensor, opts: NormalizeOptions = {}): Tensor {
      assertTensor(x, 'normalize');
      const p = opts.p ?? 2;
      if (typeof p !== 'number' || Number.isNaN(p)) throw new ChainruleError(`normalize: p must be a number, got ${String(p)}`);
      const eps = assertNumber(opts.eps ?? 1e-12, 'normalize', 'eps');
      const d = dimOf(x, opts.dim ?? 1, 'normalize');
      return div(x, clamp(norm(x, p, d, { keepdim: true }), eps));
    },
);
