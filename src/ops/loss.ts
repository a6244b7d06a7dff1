// The losses of torch.nn.functional that are compositions of other ops (smooth L1, Huber, KL
// divergence, the margin and ranking losses, Poisson and Gaussian NLL, the soft-margin losses),
// each written in PyTorch 1.13's order of operations so values, gradients and second derivatives
// come out as PyTorch's. The older losses (MSE, BCE, cross-entropy, ...) live in nn/fn/loss.ts.
import { ChainruleError, fmtShape } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import { type DType, isFloat } from '../tensor/dtype.js';
import { broadcastShapes, sameShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, ge, gt, le, logicalAnd, lt, minimum, mul, ne, neg, sub, where } from './arith.js';
import { logSigmoid } from './activation.js';
import { defineOp } from './define.js';
import { pairwiseDistance } from './distance.js';
import { gather } from './indexing.js';
import { assertNumber, assertTensor } from './kernel.js';
import { abs, clamp, exp, log, sqrt, square } from './math.js';
import { sum } from './reduce.js';
import { cast, detach, reshape, unsqueeze } from './shape.js';
import { mean } from './stats.js';

/** How a loss reduces its elementwise (or per-sample) values. */
export type LossReduction = 'mean' | 'sum' | 'none';

/**
 * The `reduction` option every loss takes (PyTorch's `reduction=`).
 * @example softMarginLoss(tensor([0, 0]), tensor([1, -1]), { reduction: 'sum' }).item() // 1.3862...
 */
export interface LossReductionOptions {
  /** 'mean' (default), 'sum', or 'none' (one loss per element or sample) */
  reduction?: LossReduction;
}

const OPTIONS = [{ name: 'options', type: 'options', default: null }] as const;

function reductionOf(r: unknown, op: string, extra: readonly string[] = []): string {
  const v = r ?? 'mean';
  if (v === 'mean' || v === 'sum' || v === 'none' || extra.includes(v as string)) return v as string;
  throw new ChainruleError(`${op}: reduction must be ${['mean', 'sum', 'none', ...extra].map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(r)}`);
}

/** The loss reduced as PyTorch's apply_loss_reduction: mean over every element, sum, or as is. */
function reduceLoss(loss: Tensor, reduction: string): Tensor {
  if (reduction === 'mean') return mean(loss);
  if (reduction === 'sum') return sum(loss);
  return loss;
}

/** The input as a float tensor, checked. */
function floatInput(x: unknown, op: string, what = 'input'): Tensor {
  const t = assertTensor(x, op, what);
  if (!isFloat(t.dtype)) throw new ChainruleError(`${op}: ${what} must be a float tensor, got ${t.dtype} ${fmtShape(t.shape)}`);
  return t;
}

/** `t` in dtype `d` (targets of integer or bool type become floats). */
function as(t: Tensor, d: DType): Tensor {
  return t.dtype === d ? t : cast(t, d);
}

/** Input and target of an elementwise loss: the target in the input's dtype, the shapes broadcast. */
function elementwisePair(input: unknown, target: unknown, op: string): [Tensor, Tensor] {
  const x = floatInput(input, op);
  const y = assertTensor(target, op, 'target');
  checkBroadcast(op, [x, 'input'], [y, 'target']);
  return [x, as(y, x.dtype)];
}

/** Throws a ChainruleError naming the op and every shape unless the tensors broadcast together. */
function checkBroadcast(op: string, ...ts: [Tensor, string][]): void {
  try {
    ts.reduce<readonly number[]>((s, [t]) => broadcastShapes(s, t.shape, op), []);
  } catch {
    throw new ChainruleError(`${op}: ${ts.map(([t, n]) => `${n} ${fmtShape(t.shape)}`).join(', ')} must have broadcastable shapes`);
  }
}

/**
 * quadratic(d) where |d| < edge, linear where |d| ≥ edge, and at NaN a term whose value and
 * gradient are NaN and whose second derivative is 0, as PyTorch's backward (NaN) and double
 * backward (the indicator |d| < edge, false at NaN) have them. Each branch reads d only where it is
 * taken, so the other's zero gradient never meets an infinite d.
 */
function piecewise(d: Tensor, z: Tensor, edge: number, quadratic: (q: Tensor) => Tensor, linear: Tensor): Tensor {
  const inside = lt(z, edge);
  const nan = mul(d, where(ne(d, d), Number.NaN, 0));
  return where(ge(z, edge), linear, where(inside, quadratic(where(inside, d, 0)), nan));
}

/**
 * Options of smoothL1Loss (F.smooth_l1_loss): the threshold β and the reduction.
 * @example smoothL1Loss(tensor([0.5, 3]), tensor([0, 0]), { beta: 0 }).item() // 1.75
 */
export interface SmoothL1Options extends LossReductionOptions {
  /** where the quadratic part turns linear (default 1; 0 gives the L1 loss) */
  beta?: number;
}

/**
 * 0.5·d²/β where |d| < β, else |d| - 0.5·β, d = input - target (F.smooth_l1_loss; β = 0 is the
 * L1 loss). Input and target broadcast.
 * @example smoothL1Loss(tensor([0.5, 3]), tensor([0, 0])).item() // 1.3125
 */
export const smoothL1Loss = defineOp(
  {
    name: 'smoothL1Loss',
    doc: '0.5·d²/β where |d| < β, else |d| - 0.5·β, d = input - target (F.smooth_l1_loss; β = 1 by default, 0 gives the L1 loss).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    fnLatex: '\\operatorname{SmoothL1}',
    label: 'smooth L1',
  },
  () =>
    function smoothL1Loss(input: Tensor, target: Tensor, opts: SmoothL1Options = {}): Tensor {
      const op = 'smoothL1Loss';
      const [x, y] = elementwisePair(input, target, op);
      const beta = assertNumber(opts.beta ?? 1, op, 'beta');
      if (beta < 0) throw new ChainruleError(`${op}: beta must be non-negative, got ${beta}`);
      const reduction = reductionOf(opts.reduction, op);
      const d = sub(x, y);
      const z = abs(d);
      // β = 0 is the L1 loss (its quadratic part is never taken)
      const quadratic = beta === 0 ? (q: Tensor) => q : (q: Tensor) => div(mul(square(q), 0.5), beta);
      return reduceLoss(piecewise(d, z, beta, quadratic, sub(z, 0.5 * beta)), reduction);
    },
);

/**
 * Options of huberLoss (F.huber_loss): the threshold δ and the reduction.
 * @example huberLoss(tensor([3]), tensor([0]), { delta: 1 }).item() // 2.5
 */
export interface HuberOptions extends LossReductionOptions {
  /** where the quadratic part turns linear (default 1; must be positive) */
  delta?: number;
}

/**
 * 0.5·d² where |d| < δ, else δ·(|d| - 0.5·δ), d = input - target (F.huber_loss). Input and target
 * broadcast.
 * @example huberLoss(tensor([0.5, 3]), tensor([0, 0]), { delta: 2 }).item() // 2.0625
 */
export const huberLoss = defineOp(
  {
    name: 'huberLoss',
    doc: '0.5·d² where |d| < δ, else δ·(|d| - 0.5·δ), d = input - target (F.huber_loss; δ = 1 by default).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    fnLatex: '\\operatorname{Huber}',
    label: 'Huber',
  },
  () =>
    function huberLoss(input: Tensor, target: Tensor, opts: HuberOptions = {}): Tensor {
      const op = 'huberLoss';
      const [x, y] = elementwisePair(input, target, op);
      const delta = assertNumber(opts.delta ?? 1, op, 'delta');
      if (!(delta > 0)) throw new ChainruleError(`${op}: delta must be positive, got ${delta}`);
      const reduction = reductionOf(opts.reduction, op);
      const d = sub(x, y);
      const z = abs(d);
      return reduceLoss(piecewise(d, z, delta, (q) => mul(square(q), 0.5), mul(sub(z, 0.5 * delta), delta)), reduction);
    },
);

/**
 * Options of klDiv (F.kl_div; `logTarget` is PyTorch's `log_target`): the reduction, with
 * 'batchmean' for the true KL divergence, and whether the target is given as log-probabilities.
 * @example klDiv(tensor([[-1, -0.5]]), tensor([[0.5, 0.5]]), { reduction: 'sum' }).item() // 0.05685...
 */
export interface KLDivOptions {
  /** 'mean' (default: over every element), 'batchmean' (the sum over the batch size, the true KL divergence), 'sum' or 'none' */
  reduction?: LossReduction | 'batchmean';
  /** the target is given as log-probabilities (default false) */
  logTarget?: boolean;
}

/**
 * The Kullback-Leibler divergence of log-probabilities `input` from the target: t·(log t - input)
 * (0 where t = 0), or with logTarget e^t·(t - input) (F.kl_div). 'batchmean' divides the sum by
 * the first dim's size. Input and target broadcast.
 * @example klDiv(tensor([[-1, -0.5]]), tensor([[0.5, 0.5]]), { reduction: 'batchmean' }).item() // 0.05685...
 */
export const klDiv = defineOp(
  {
    name: 'klDiv',
    doc: 'KL divergence of log-probabilities from the target: t·(log t - input), 0 where t = 0, or e^t·(t - input) with logTarget (F.kl_div; reductions mean, batchmean, sum, none).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    fnLatex: '\\operatorname{KL}',
    latex: ([a, b]) => `\\operatorname{KL}\\left(${b} \\,\\middle\\|\\, e^{${a}}\\right)`,
    label: 'KL div',
  },
  () =>
    function klDiv(input: Tensor, target: Tensor, opts: KLDivOptions = {}): Tensor {
      const op = 'klDiv';
      const [x, t] = elementwisePair(input, target, op);
      const reduction = reductionOf(opts.reduction, op, ['batchmean']);
      // xlogy(t, t) - t·x, as PyTorch 1.13: xlogy(0, 0) = 0
      const loss = opts.logTarget ? mul(exp(t), sub(t, x)) : sub(where(eq(t, 0), 0, mul(t, log(t))), mul(t, x));
      if (reduction !== 'batchmean') return reduceLoss(loss, reduction);
      const s = sum(loss);
      return x.ndim === 0 ? s : div(s, x.shape[0]);
    },
);

/**
 * Options of marginRankingLoss and cosineEmbeddingLoss: the margin and the reduction.
 * @example marginRankingLoss(tensor([1, 2]), tensor([2, 1]), tensor([1, 1]), { margin: 1 }).item() // 1
 */
export interface MarginOptions extends LossReductionOptions {
  /** the margin (default 0) */
  margin?: number;
}

/** The three tensors of a ranking loss, checked: equal ranks (PyTorch's rule), shapes that broadcast. */
function rankingInputs(op: string, named: [unknown, string][]): Tensor[] {
  const ts = named.map(([t, n], i) => (i === 0 ? floatInput(t, op, n) : assertTensor(t, op, n)));
  if (ts.some((t) => t.ndim !== ts[0].ndim)) {
    throw new ChainruleError(`${op}: ${named.map(([, n], i) => `${n} ${fmtShape(ts[i].shape)}`).join(', ')} must have the same number of dims`);
  }
  checkBroadcast(op, ...ts.map((t, i): [Tensor, string] => [t, named[i][1]]));
  return ts.map((t) => as(t, ts[0].dtype));
}

/**
 * max(0, -y·(x1 - x2) + margin) (F.margin_ranking_loss): y = 1 ranks x1 above x2, y = -1 below.
 * The three tensors have the same number of dims and broadcast.
 * @example marginRankingLoss(tensor([1, 2]), tensor([2, 1]), tensor([1, 1])).item() // 0.5
 */
export const marginRankingLoss = defineOp(
  {
    name: 'marginRankingLoss',
    doc: 'max(0, -y·(x1 - x2) + margin) (F.margin_ranking_loss; margin 0 by default).',
    inputs: ['x1', 'x2', 'target'],
    params: OPTIONS,
    method: false,
    latex: ([a, b, y]) => `\\max\\left(0, -${y}\\left(${a} - ${b}\\right) + m\\right)`,
    label: 'margin ranking',
  },
  () =>
    function marginRankingLoss(x1: Tensor, x2: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
      const op = 'marginRankingLoss';
      const [a, b, y] = rankingInputs(op, [
        [x1, 'x1'],
        [x2, 'x2'],
        [target, 'target'],
      ]);
      const margin = assertNumber(opts.margin ?? 0, op, 'margin');
      const reduction = reductionOf(opts.reduction, op);
      return reduceLoss(clamp(add(mul(neg(y), sub(a, b)), margin), 0), reduction);
    },
);

/** The options both triplet losses take. */
export interface TripletOptions extends LossReductionOptions {
  /** the margin (default 1) */
  margin?: number;
  /** use the positive-negative distance when it is smaller (the distance swap of Balntas et al.) */
  swap?: boolean;
}

/**
 * Options of tripletMarginLoss (F.triplet_margin_loss): margin (default 1), swap, the norm's order p
 * and eps, and the reduction.
 * @example tripletMarginLoss(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]]), { p: 1, eps: 0 }).item() // 7
 */
export interface TripletMarginOptions extends TripletOptions {
  /** the norm's order (default 2) */
  p?: number;
  /** added to the differences before the norm (default 1e-6) */
  eps?: number;
}

/**
 * max(·, 0) of a triplet's distances, reduced, in PyTorch's two orders: margin + d(a, p) - d(a, n)
 * (triplet_margin_loss) or d(a, p) - d(a, n) + margin (triplet_margin_with_distance_loss).
 */
function tripletHinge(op: string, dist: (u: Tensor, v: Tensor, what: string) => Tensor, [a, p, n]: Tensor[], opts: TripletOptions, marginFirst: boolean): Tensor {
  const margin = assertNumber(opts.margin ?? 1, op, 'margin');
  const reduction = reductionOf(opts.reduction, op);
  let dNeg = dist(a, n, 'anchor and negative');
  if (opts.swap) dNeg = minimum(dNeg, dist(p, n, 'positive and negative'));
  const dPos = dist(a, p, 'anchor and positive');
  return reduceLoss(clamp(marginFirst ? sub(add(dPos, margin), dNeg) : add(sub(dPos, dNeg), margin), 0), reduction);
}

/**
 * max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance ‖x - y + eps‖ over the
 * last dim (F.triplet_margin_loss); with swap, d(a, n) is min(d(a, n), d(p, n)).
 * @example tripletMarginLoss(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]]), { eps: 0 }).item() // 5
 */
export const tripletMarginLoss = defineOp(
  {
    name: 'tripletMarginLoss',
    doc: 'max(d(a, p) - d(a, n) + margin, 0), d the pairwise distance ‖x - y + eps‖_p over the last dim (F.triplet_margin_loss; margin 1, p 2, eps 1e-6, swap false by default).',
    inputs: ['anchor', 'positive', 'negative'],
    params: OPTIONS,
    method: false,
    latex: ([a, p, n]) => `\\max\\left(\\lVert ${a} - ${p}\\rVert - \\lVert ${a} - ${n}\\rVert + m, 0\\right)`,
    label: 'triplet margin',
  },
  () =>
    function tripletMarginLoss(anchor: Tensor, positive: Tensor, negative: Tensor, opts: TripletMarginOptions = {}): Tensor {
      const op = 'tripletMarginLoss';
      const abc = rankingInputs(op, [
        [anchor, 'anchor'],
        [positive, 'positive'],
        [negative, 'negative'],
      ]);
      const order = opts.p ?? 2;
      if (typeof order !== 'number' || Number.isNaN(order) || order < 0) throw new ChainruleError(`${op}: p must be a non-negative number, got ${String(order)}`);
      const eps = assertNumber(opts.eps ?? 1e-6, op, 'eps');
      return tripletHinge(op, (u, v) => pairwiseDistance(u, v, { p: order, eps }), abc, opts, true);
    },
);

/**
 * Options of tripletMarginWithDistanceLoss (F.triplet_margin_with_distance_loss; `distanceFunction`
 * is PyTorch's `distance_function`): margin (default 1), swap, the distance and the reduction.
 * @example tripletMarginWithDistanceLoss(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]]), { margin: 0, distanceFunction: (a, b) => a.sub(b).abs().sum(-1) }).item() // 6
 */
export interface TripletMarginWithDistanceOptions extends TripletOptions {
  /** the distance of two batches of vectors, one value per pair (default: pairwiseDistance, p = 2, eps = 1e-6) */
  distanceFunction?: ((a: Tensor, b: Tensor) => Tensor) | null;
}

/**
 * max(d(a, p) - d(a, n) + margin, 0) for any distance function d (F.triplet_margin_with_distance_loss;
 * pairwiseDistance by default); with swap, d(a, n) is min(d(a, n), d(p, n)).
 * @example tripletMarginWithDistanceLoss(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]]), { distanceFunction: (a, b) => a.sub(b).abs().sum(-1) }).item() // 7
 */
export const tripletMarginWithDistanceLoss = defineOp(
  {
    name: 'tripletMarginWithDistanceLoss',
    doc: 'max(d(a, p) - d(a, n) + margin, 0) for a distance function d, pairwiseDistance by default (F.triplet_margin_with_distance_loss; margin 1, swap false).',
    inputs: ['anchor', 'positive', 'negative'],
    params: OPTIONS,
    method: false,
    latex: ([a, p, n]) => `\\max\\left(d\\left(${a}, ${p}\\right) - d\\left(${a}, ${n}\\right) + m, 0\\right)`,
    label: 'triplet margin (distance)',
  },
  () =>
    function tripletMarginWithDistanceLoss(anchor: Tensor, positive: Tensor, negative: Tensor, opts: TripletMarginWithDistanceOptions = {}): Tensor {
      const op = 'tripletMarginWithDistanceLoss';
      const abc = [floatInput(anchor, op, 'anchor'), assertTensor(positive, op, 'positive'), assertTensor(negative, op, 'negative')];
      const fn = opts.distanceFunction ?? ((u: Tensor, v: Tensor) => pairwiseDistance(u, v));
      if (typeof fn !== 'function') throw new ChainruleError(`${op}: distanceFunction must be a function of two tensors, got ${typeof fn}`);
      const dist = (u: Tensor, v: Tensor, what: string): Tensor => {
        let d: Tensor;
        try {
          d = fn(u, v);
        } catch (e) {
          if (!(e instanceof ChainruleError)) throw e;
          throw new ChainruleError(`${op}: the distance of ${what} (${fmtShape(u.shape)} and ${fmtShape(v.shape)}) failed: ${e.message}`);
        }
        if (!(d && typeof d === 'object' && 'shape' in d)) throw new ChainruleError(`${op}: distanceFunction must return a Tensor (for ${what}), got ${String(d)}`);
        return d;
      };
      return tripletHinge(op, dist, abc, opts, false);
    },
);

/**
 * 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1, 0 for any other target
 * (F.cosine_embedding_loss): x1, x2 [N, D] with y [N], or [D] with a scalar y. The cosine is
 * Σx1·x2 / sqrt((Σx1² + ε)(Σx2² + ε)) with PyTorch's ε, the float 1e-12.
 * @example cosineEmbeddingLoss(tensor([[1, 0]]), tensor([[0, 1]]), tensor([1])).item() // 1
 */
export const cosineEmbeddingLoss = defineOp(
  {
    name: 'cosineEmbeddingLoss',
    doc: '1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1 (F.cosine_embedding_loss; x1, x2 [N, D] with y [N], or [D] with a scalar y).',
    inputs: ['x1', 'x2', 'target'],
    params: OPTIONS,
    method: false,
    latex: ([a, b, y]) => `\\operatorname{CosEmb}\\left(${a}, ${b}, ${y}\\right)`,
    label: 'cosine embedding',
  },
  () =>
    function cosineEmbeddingLoss(x1: Tensor, x2: Tensor, target: Tensor, opts: MarginOptions = {}): Tensor {
      const op = 'cosineEmbeddingLoss';
      const a = floatInput(x1, op, 'x1');
      const b = as(assertTensor(x2, op, 'x2'), a.dtype);
      const y = as(assertTensor(target, op, 'target'), a.dtype);
      if (y.ndim > 1) throw new ChainruleError(`${op}: target must be 0-d or 1-d (one label per pair), got ${fmtShape(y.shape)}`);
      const want = y.ndim + 1;
      if (a.ndim !== want || b.ndim !== want) {
        throw new ChainruleError(`${op}: a ${y.ndim}-d target ${fmtShape(y.shape)} needs ${want}-d inputs, got x1 ${fmtShape(a.shape)} and x2 ${fmtShape(b.shape)}`);
      }
      checkBroadcast(op, [a, 'x1'], [b, 'x2']);
      const margin = assertNumber(opts.margin ?? 0, op, 'margin');
      const reduction = reductionOf(opts.reduction, op);
      const d = y.ndim;
      // PyTorch's EPSILON is the float 1e-12f (9.99999996e-13): it sets the cosine of a zero vector
      const EPSILON = Math.fround(1e-12);
      const prod = sum(mul(a, b), d);
      const denom = sqrt(mul(add(sum(mul(a, a), d), EPSILON), add(sum(mul(b, b), d), EPSILON)));
      const cos = div(prod, denom);
      checkBroadcast(op, [cos, 'cosine'], [y, 'target']);
      const pos = where(eq(y, 1), sub(1, cos), 0);
      const negPart = where(eq(y, -1), clamp(sub(cos, margin), 0), 0);
      return reduceLoss(add(pos, negPart), reduction);
    },
);

/**
 * Options of poissonNllLoss (F.poisson_nll_loss; `logInput` is PyTorch's `log_input`): whether the
 * input is a log-rate, the Stirling term, eps and the reduction.
 * @example poissonNllLoss(tensor([1]), tensor([2]), { logInput: false }).item() // 1
 */
export interface PoissonNLLOptions extends LossReductionOptions {
  /** the input is log λ (default true): loss e^x - t·x; false: λ itself, loss x - t·log(x + eps) */
  logInput?: boolean;
  /** add Stirling's approximation of log(t!) for t > 1 (default false) */
  full?: boolean;
  /** added to λ inside the log when logInput is false (default 1e-8) */
  eps?: number;
}

/**
 * Negative log-likelihood of a Poisson target (F.poisson_nll_loss): e^x - t·x for log-rates x
 * (logInput, the default), or x - t·log(x + eps) for rates; with full, t·log t - t + ½·log(2πt)
 * is added where t > 1. Input and target broadcast.
 * @example poissonNllLoss(tensor([0]), tensor([2])).item() // 1
 */
export const poissonNllLoss = defineOp(
  {
    name: 'poissonNllLoss',
    doc: 'Poisson negative log-likelihood: e^x - t·x (logInput), else x - t·log(x + eps); full adds Stirling\'s term t·log t - t + ½·log(2πt) where t > 1 (F.poisson_nll_loss).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    latex: ([x, t]) => `e^{${x}} - ${t}\\,${x}`,
    label: 'Poisson NLL',
  },
  () =>
    function poissonNllLoss(input: Tensor, target: Tensor, opts: PoissonNLLOptions = {}): Tensor {
      const op = 'poissonNllLoss';
      const [x, t] = elementwisePair(input, target, op);
      const eps = assertNumber(opts.eps ?? 1e-8, op, 'eps');
      const reduction = reductionOf(opts.reduction, op);
      let loss = (opts.logInput ?? true) ? sub(exp(x), mul(t, x)) : sub(x, mul(t, log(add(x, eps))));
      if (opts.full) {
        const stirling = add(sub(mul(t, log(t)), t), mul(log(mul(t, 2 * Math.PI)), 0.5));
        loss = add(loss, where(le(t, 1), 0, stirling));
      }
      return reduceLoss(loss, reduction);
    },
);

/**
 * Options of gaussianNllLoss (F.gaussian_nll_loss): the constant term, the variance clamp eps and
 * the reduction.
 * @example gaussianNllLoss(tensor([1]), tensor([3]), tensor([1]), { full: true }).item() // 2.9189...
 */
export interface GaussianNLLOptions extends LossReductionOptions {
  /** add the constant ½·log(2π) (default false) */
  full?: boolean;
  /** the smallest variance used (default 1e-6; the clamp does not change the gradient's form) */
  eps?: number;
}

/**
 * Negative log-likelihood of a Gaussian target: ½·(log v + (x - t)²/v) with v = max(var, eps)
 * (F.gaussian_nll_loss). var has the input's shape, or that shape without its last dim, or with
 * a last dim of 1 (one variance for a whole row); input and target broadcast.
 * @example gaussianNllLoss(tensor([1]), tensor([3]), tensor([1])).item() // 2
 */
export const gaussianNllLoss = defineOp(
  {
    name: 'gaussianNllLoss',
    doc: 'Gaussian negative log-likelihood ½·(log v + (x - t)²/v), v = max(var, eps) clamped without changing the gradient (F.gaussian_nll_loss; full adds ½·log 2π; eps 1e-6).',
    inputs: ['input', 'target', 'var'],
    params: OPTIONS,
    method: false,
    latex: ([x, t, v]) => `\\frac{1}{2}\\left(\\ln ${v} + \\frac{\\left(${x} - ${t}\\right)^2}{${v}}\\right)`,
    label: 'Gaussian NLL',
  },
  () =>
    function gaussianNllLoss(input: Tensor, target: Tensor, variance: Tensor, opts: GaussianNLLOptions = {}): Tensor {
      const op = 'gaussianNllLoss';
      const [x, t] = elementwisePair(input, target, op);
      let v = as(assertTensor(variance, op, 'var'), x.dtype);
      const rows = x.shape.slice(0, -1).join();
      if (v.shape.join() !== x.shape.join()) {
        if (x.ndim > 0 && v.shape.join() === rows) v = unsqueeze(v, -1);
        else if (!(x.ndim > 0 && v.ndim === x.ndim && v.shape.slice(0, -1).join() === rows && v.shape[v.ndim - 1] === 1)) {
          throw new ChainruleError(`${op}: var ${fmtShape(v.shape)} must have the input's shape ${fmtShape(x.shape)}, or that shape without its last dim, or with a last dim of 1`);
        }
      }
      const eps = assertNumber(opts.eps ?? 1e-6, op, 'eps');
      const reduction = reductionOf(opts.reduction, op);
      const vd = v.data;
      for (let i = 0; i < vd.length; i++) if (vd[i] < 0) throw new ChainruleError(`${op}: var has a negative entry (${vd[i]} at ${i})`);
      // PyTorch clamps a clone of var in place under no_grad: the value is clamped, the gradient is var's
      const low = lt(v, eps);
      v = where(low, add(v, detach(sub(eps, v))), v);
      const d = sub(x, t);
      let loss = mul(add(log(v), div(mul(d, d), v)), 0.5);
      if (opts.full) loss = add(loss, 0.5 * Math.log(2 * Math.PI));
      return reduceLoss(loss, reduction);
    },
);

/**
 * log(1 + e^(-y·x)) (F.soft_margin_loss), the two-class logistic loss for ±1 targets, computed as
 * PyTorch 1.13 does (log of 1 + e^(-y·x), not log1p). The target broadcasts to the input's shape.
 * @example softMarginLoss(tensor([0]), tensor([1])).item() // 0.6931...
 */
export const softMarginLoss = defineOp(
  {
    name: 'softMarginLoss',
    doc: 'log(1 + e^(-y·x)), the logistic loss for ±1 targets (F.soft_margin_loss).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    latex: ([x, y]) => `\\ln\\left(1 + e^{-${y}\\,${x}}\\right)`,
    label: 'soft margin',
  },
  () =>
    function softMarginLoss(input: Tensor, target: Tensor, opts: LossReductionOptions = {}): Tensor {
      const op = 'softMarginLoss';
      const [x, y] = elementwisePair(input, target, op);
      const reduction = reductionOf(opts.reduction, op);
      if (!sameShape(broadcastShapes(x.shape, y.shape, op), x.shape)) {
        throw new ChainruleError(`${op}: target ${fmtShape(y.shape)} must broadcast to the input's shape ${fmtShape(x.shape)} (PyTorch writes the loss into the input's shape)`);
      }
      // log(1 + e^(-x·y)) as PyTorch 1.13 computes it: not log1p
      return reduceLoss(log(add(exp(mul(neg(x), y)), 1)), reduction);
    },
);

/** [N, C] (a [C] input is one sample): the rows of a multi-label loss, checked. */
function multiLabelRows(input: unknown, op: string): Tensor {
  const x = floatInput(input, op);
  if (x.ndim === 1) {
    if (x.shape[0] === 0) throw new ChainruleError(`${op}: expected a non-empty [C] or [N, C] input, got ${fmtShape(x.shape)}`);
    return unsqueeze(x, 0);
  }
  if (x.ndim !== 2 || x.shape[1] === 0) throw new ChainruleError(`${op}: expected a non-empty [C] or [N, C] input, got ${fmtShape(x.shape)}`);
  return x;
}

/**
 * The multi-class multi-label hinge loss (F.multilabel_margin_loss): per sample,
 * Σ_j Σ_{i not a target} max(0, 1 - (x[y_j] - x[i])) / C over the target classes y_j, which are
 * the int32 target's entries up to its first -1. Input [C] or [N, C], target of the same shape.
 * @example multilabelMarginLoss(tensor([[0, 0.5, 1, 2]]), tensor([[3, 0, -1, 1]], { dtype: 'int32' })).item() // 0.875
 */
export const multilabelMarginLoss = defineOp(
  {
    name: 'multilabelMarginLoss',
    doc: 'Per sample Σ_j Σ_{i not a target} max(0, 1 - (x[y_j] - x[i])) / C, the targets y_j being the entries before the first -1 (F.multilabel_margin_loss).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    latex: ([x, y]) => `\\sum_{j}\\sum_{i \\notin {${y}}} \\frac{\\max\\left(0, 1 - {${x}}_{{${y}}_j} + {${x}}_i\\right)}{C}`,
    label: 'multilabel margin',
    deviation: "an empty batch gives 0 (sum) or NaN (mean), and a [C] input with reduction 'none' its loss, where PyTorch 1.13 returns uninitialised memory",
  },
  () =>
    function multilabelMarginLoss(input: Tensor, target: Tensor, opts: LossReductionOptions = {}): Tensor {
      const op = 'multilabelMarginLoss';
      const x = multiLabelRows(input, op);
      const y = assertTensor(target, op, 'target');
      if (y.dtype !== 'int32') throw new ChainruleError(`${op}: target must be an int32 tensor of class indices, got ${y.dtype}`);
      if (y.shape.join() !== (input as Tensor).shape.join()) {
        throw new ChainruleError(`${op}: target ${fmtShape(y.shape)} must have the input's shape ${fmtShape((input as Tensor).shape)}`);
      }
      const reduction = reductionOf(opts.reduction, op);
      const [N, C] = x.shape;
      const t = y.data as Int32Array;
      const safe = new Int32Array(N * C);
      const valid = new Uint8Array(N * C);
      const isTarget = new Uint8Array(N * C);
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < C; j++) {
          const v = t[n * C + j];
          if (v < 0) {
            if (v !== -1) throw new ChainruleError(`${op}: target ${v} at [${n}, ${j}] is out of range for ${C} classes (expected 0..${C - 1}, -1 ending the list)`);
            break;
          }
          if (v >= C) throw new ChainruleError(`${op}: target ${v} at [${n}, ${j}] is out of range for ${C} classes (expected 0..${C - 1}, -1 ending the list)`);
          safe[n * C + j] = v;
          valid[n * C + j] = 1;
          isTarget[n * C + v] = 1;
        }
      }
      const pairs = new Uint8Array(N * C * C);
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < C; j++) {
          if (!valid[n * C + j]) continue;
          for (let i = 0; i < C; i++) pairs[(n * C + j) * C + i] = isTarget[n * C + i] ? 0 : 1;
        }
      }
      const xy = gather(x, 1, tensor(safe, { shape: [N, C] }));
      // (1 - (x[y_j] - x[i])), kept where it is > 0 (PyTorch's test, which also drops NaN)
      const z = sub(1, sub(unsqueeze(xy, 2), unsqueeze(x, 1)));
      const h = where(logicalAnd(tensor(pairs, { shape: [N, C, C], dtype: 'bool' }), gt(z, 0)), z, 0);
      let loss = div(sum(h, [1, 2]), C);
      if ((input as Tensor).ndim === 1) loss = reshape(loss, []);
      return reduceLoss(loss, reduction);
    },
);

/**
 * Options of multilabelSoftMarginLoss (F.multilabel_soft_margin_loss): a weight per class and the
 * reduction.
 * @example multilabelSoftMarginLoss(tensor([[0, 0]]), tensor([[1, 0]]), { weight: tensor([2, 2]) }).item() // 1.3862...
 */
export interface MultilabelSoftMarginOptions extends LossReductionOptions {
  /** a weight per class, broadcast against the input */
  weight?: Tensor | null;
}

/**
 * -(t·log σ(x) + (1 - t)·log σ(-x)), weighted and averaged over the classes (the last dim), one
 * value per sample (F.multilabel_soft_margin_loss). Input and target broadcast.
 * @example multilabelSoftMarginLoss(tensor([[0, 0]]), tensor([[1, 0]])).item() // 0.6931...
 */
export const multilabelSoftMarginLoss = defineOp(
  {
    name: 'multilabelSoftMarginLoss',
    doc: '-(t·log σ(x) + (1 - t)·log σ(-x)) weighted and averaged over the last (class) dim, one value per sample (F.multilabel_soft_margin_loss).',
    inputs: ['input', 'target'],
    params: OPTIONS,
    method: false,
    latex: ([x, t]) => `-\\frac{1}{C}\\sum_{c}\\left({${t}}_c \\log\\sigma({${x}}_c) + (1 - {${t}}_c)\\log\\sigma(-{${x}}_c)\\right)`,
    label: 'multilabel soft margin',
  },
  () =>
    function multilabelSoftMarginLoss(input: Tensor, target: Tensor, opts: MultilabelSoftMarginOptions = {}): Tensor {
      const op = 'multilabelSoftMarginLoss';
      const [x, t] = elementwisePair(input, target, op);
      if (x.ndim === 0) throw new ChainruleError(`${op}: input needs a class dim, got a scalar`);
      const reduction = reductionOf(opts.reduction, op);
      let loss = neg(add(mul(t, logSigmoid(x)), mul(sub(1, t), logSigmoid(neg(x)))));
      if (opts.weight) {
        const w = assertTensor(opts.weight, op, 'weight');
        checkBroadcast(op, [loss, 'input'], [w, 'weight']);
        loss = mul(loss, as(w, x.dtype));
      }
      const classDim = x.ndim - 1;
      return reduceLoss(div(sum(loss, classDim), x.shape[classDim]), reduction);
    },
);
