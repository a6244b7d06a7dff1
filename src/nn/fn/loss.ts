/**
 * Loss functions with PyTorch's formulas and options (camelCase names): each matches
 * torch.nn.functional in value and gradient.
 */

import { ChainruleError } from '../../errors.js';
import { tensor } from '../../tensor/creation.js';
import { isFloat } from '../../tensor/dtype.js';
import { broadcastShapes, sameShape } from '../../tensor/shape.js';
import { showShape } from '../module.js';
import { softplusNegParts } from './softplus.js';
import { customOp, Tensor } from '../../ops/index.js';

/**
 * How a loss reduces its per-element losses: 'mean' (the default, as PyTorch), 'sum', or 'none'
 * (a tensor of per-element losses).
 * @example F.mseLoss(tensor([1, 2]), tensor([1, 4]), { reduction: 'sum' }).item() // 4
 */
export type Reduction = 'mean' | 'sum' | 'none';

/**
 * Options of the losses that take only a reduction (PyTorch's `reduction`).
 * @example F.l1Loss(tensor([1, -2]), tensor([0, 0]), { reduction: 'none' }).toArray() // [1, 2]
 */
export interface ReductionOptions {
  /** 'mean' (default), 'sum', or 'none' (one loss per element) */
  reduction?: Reduction;
}

function reduce(loss: Tensor, reduction: Reduction | undefined, op: string): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean':
      return loss.mean();
    case 'sum':
      return loss.sum();
    case 'none':
      return loss;
    default:
      throw new ChainruleError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
}

/** Checks a loss's input and target: Tensors of one shape, or with `broadcast` of shapes that broadcast (as PyTorch's elementwise losses allow). */
function checkPair(input: Tensor, target: Tensor, op: string, broadcast = false): void {
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new ChainruleError(`${op}: input and target must be Tensors`);
  if (broadcast) {
    try {
      broadcastShapes(input.shape, target.shape, op);
    } catch {
      throw new ChainruleError(`${op}: input ${showShape(input.shape)} and target ${showShape(target.shape)} must have broadcastable shapes`);
    }
  } else if (!sameShape(input.shape, target.shape)) {
    throw new ChainruleError(`${op}: input ${showShape(input.shape)} and target ${showShape(target.shape)} must have the same shape`);
  }
  if (!isFloat(input.dtype)) throw new ChainruleError(`${op}: input must be a float tensor, got ${input.dtype}`);
}

function floatTarget(target: Tensor, like: Tensor): Tensor {
  return target.dtype === like.dtype ? target : target.to(like.dtype);
}

/**
 * Mean squared error: mean((input - target)²); input and target broadcast, as in PyTorch.
 * @example F.mseLoss(tensor([1, 2]), tensor([1, 4])).item() // 2
 */
export function mseLoss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair(input, target, 'mseLoss', true);
  const d = input.sub(floatTarget(target, input));
  return reduce(d.mul(d), opts.reduction, 'mseLoss');
}

/**
 * Mean absolute error: mean(|input - target|); input and target broadcast, as in PyTorch.
 * @example F.l1Loss(tensor([1, 2]), tensor([1, 4])).item() // 1
 */
export function l1Loss(input: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  checkPair(input, target, 'l1Loss', true);
  return reduce(input.sub(floatTarget(target, input)).abs(), opts.reduction, 'l1Loss');
}

/**
 * The squared error of textbook backpropagation, E = 1/2·Σ(t - o)², whose gradient is o - t;
 * output and target broadcast, as mseLoss's do.
 * @example F.sse(tensor([1, 2]), tensor([1, 4])).item() // 2
 */
export function sse(output: Tensor, target: Tensor): Tensor {
  checkPair(output, target, 'sse', true);
  const d = floatTarget(target, output).sub(output);
  return d.mul(d).sum().mul(0.5);
}

/**
 * Options of F.bceLoss and nn.BCELoss: the reduction and a per-element weight.
 * @example F.bceLoss(tensor([0.5]), tensor([1]), { weight: tensor([2]) }).item() // 1.38629...
 */
export interface BCEOptions extends ReductionOptions {
  /** rescales each element's loss (broadcast against the input) */
  weight?: Tensor | null;
}

/**
 * Binary cross-entropy of probabilities: -w·(t·log(o) + (1-t)·log(1-o)), each log clamped to
 * >= -100 as PyTorch does so that o = 0 or 1 gives a finite loss. Its gradients, and its second
 * derivatives (PyTorch's own formulas, with 1e-12 in their denominators), are PyTorch's.
 * @example F.bceLoss(tensor([0.5]), tensor([1])).item() // 0.693...
 */
export function bceLoss(input: Tensor, target: Tensor, opts: BCEOptions = {}): Tensor {
  checkPair(input, target, 'bceLoss');
  const d = input.data;
  for (let i = 0; i < d.length; i++) {
    if (!(d[i] >= 0 && d[i] <= 1)) throw new ChainruleError(`bceLoss: input values must be probabilities in [0, 1], found ${d[i]} (apply sigmoid, or use bceWithLogitsLoss)`);
  }
  let loss = bceElementwise(input, floatTarget(target, input));
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, opts.reduction, 'bceLoss');
}

const clampedLog = (x: Tensor): Tensor => x.log().clamp(-100);

/**
 * -(t·log(o) + (1-t)·log(1-o)) with clamped logs, and PyTorch's gradients: (o - t)/max(o(1-o), ε)
 * for the input, finite even where o is exactly 0 or 1 (ε is PyTorch's EPSILON, the float32
 * constant 1e-12f, so the gradient at o = 0 is -1.0000000039958e12 there too), and
 * log(1-o) - log(o) for the target, with unclamped logs: ±inf where o is 0 or 1, as PyTorch.
 */
const BCE_EPSILON = Math.fround(1e-12);

/**
 * The input gradient g·(o - t)/max(o(1-o), ε) with PyTorch's second derivatives, which are its own
 * formulas (binary_cross_entropy_double_backward and its grad_output and target forms), not the
 * derivative of the first: for o they add 1e-12 to each factor of the denominator and ignore the
 * clamp, (o² - 2ot + t)/((o + 1e-12)²(1 - o + 1e-12)²); for g they divide by (o + 1e-12)(1 - o +
 * 1e-12); for t they keep the clamp.
 */
const bceInputGrad = customOp({
  name: 'binaryCrossEntropyBackward',
  forward: (g, o, t) => g.mul(o.sub(t)).div(o.mul(o.neg().add(1)).clamp(BCE_EPSILON)),
  backward: (gg, [g, o, t]) => {
    const lo = o.add(1e-12);
    const hi = o.neg().add(1).add(1e-12);
    const dO = o.mul(o).sub(o.mul(2).mul(t)).add(t).div(lo.pow(2).mul(hi.pow(2))).mul(gg.mul(g));
    const dG = o.sub(t).div(lo.mul(hi)).mul(gg);
    const dT = gg.neg().mul(g).div(o.neg().add(1).mul(o).clamp(1e-12));
    return [dG, dO, dT];
  },
});

const bceElementwise = customOp({
  name: 'binaryCrossEntropy',
  latex: ([o, t]) => `-\\left(${t}\\ln ${o} + (1 - ${t})\\ln(1 - ${o})\\right)`,
  forward: (o, t) => t.mul(clampedLog(o)).add(t.neg().add(1).mul(clampedLog(o.neg().add(1)))).neg(),
  backward: (g, [o, t]) => [bceInputGrad(g, o, t), g.mul(o.neg().add(1).log().sub(o.log()))],
});

/**
 * Options of F.bceWithLogitsLoss and nn.BCEWithLogitsLoss: BCEOptions plus posWeight (PyTorch's `pos_weight`).
 * @example F.bceWithLogitsLoss(tensor([0]), tensor([1]), { posWeight: tensor([3]) }).item() // 2.07944...
 */
export interface BCEWithLogitsOptions extends BCEOptions {
  /** weight of the positive examples, broadcast along the last (class) dim */
  posWeight?: Tensor | null;
}

/**
 * Sigmoid + binary cross-entropy in one numerically stable expression, exact for large logits:
 * (1-t)·x + (1 + (posWeight-1)·t)·log(1 + e^(-x)), with log(1 + e^(-x)) = relu(-x) + log1p(e^(-|x|))
 * and (1-t)·x + relu(-x) added first: for t = 0 and x < 0 they cancel exactly, leaving the tail
 * (a log1p of e^x) at full precision.
 * @example F.bceWithLogitsLoss(tensor([100]), tensor([0])).item() // 100
 */
export function bceWithLogitsLoss(input: Tensor, target: Tensor, opts: BCEWithLogitsOptions = {}): Tensor {
  checkPair(input, target, 'bceWithLogitsLoss');
  const t = floatTarget(target, input);
  const [linear, tail] = softplusNegParts(input);
  const lw = opts.posWeight ? opts.posWeight.sub(1).mul(t).add(1) : null;
  const weigh = (x: Tensor) => (lw ? lw.mul(x) : x);
  let loss = t.neg().add(1).mul(input).add(weigh(linear)).add(weigh(tail));
  if (opts.weight) loss = loss.mul(opts.weight);
  return reduce(loss, opts.reduction, 'bceWithLogitsLoss');
}

/**
 * Options of F.nllLoss and nn.NLLLoss: the reduction, class weights and the ignored target value
 * (PyTorch's `ignore_index`); 'mean' divides by the summed weights of the targets not ignored.
 * @example F.nllLoss(tensor([[-1, -2], [-3, -4]]), tensor([0, 1], { dtype: 'int32' }), { ignoreIndex: 1 }).item() // 1
 */
export interface NLLOptions extends ReductionOptions {
  /** a weight per class, shape `[C]` (default none: all 1) */
  weight?: Tensor | null;
  /** target value whose elements contribute nothing (default -100) */
  ignoreIndex?: number;
}

/**
 * Options of F.crossEntropy and nn.CrossEntropyLoss: NLLOptions plus labelSmoothing (PyTorch's
 * `label_smoothing`, default 0).
 * @example F.crossEntropy(tensor([[0, 0]]), tensor([0], { dtype: 'int32' }), { labelSmoothing: 0.1 }).item() // 0.69314...
 */
export interface CrossEntropyOptions extends NLLOptions {
  /** mixes the target with the uniform distribution: (1-ε)·target + ε/C */
  labelSmoothing?: number;
}

/** Class indices checked: int32, in range (or the ignore index). Returns the flat values. */
function classIndices(target: Tensor, C: number, ignoreIndex: number, op: string): Int32Array {
  if (target.dtype !== 'int32') {
    throw new ChainruleError(
      `${op}: class-index targets must be an int32 tensor, got ${target.dtype}${isFloat(target.dtype) ? ' (for class probabilities, pass a float target shaped like the input)' : ''}`,
    );
  }
  const t = target.data as Int32Array;
  for (let i = 0; i < t.length; i++) {
    const v = t[i];
    if (v !== ignoreIndex && (v < 0 || v >= C)) {
      throw new ChainruleError(`${op}: target ${v} at position ${i} is out of range for ${C} classes (expected 0..${C - 1}${Number.isFinite(ignoreIndex) ? ` or the ignore index ${ignoreIndex}` : ''})`);
    }
  }
  return t;
}

/** Moves the class dim (1, or 0 for unbatched input) last and flattens: [M, C]. */
function classesLast(input: Tensor, op: string): Tensor {
  if (input.ndim === 0) throw new ChainruleError(`${op}: input must have a class dimension, got a scalar`);
  if (input.ndim === 1) return input.unsqueeze(0);
  const C = input.shape[1];
  if (input.ndim === 2) return input;
  const perm = [0, ...Array.from({ length: input.ndim - 2 }, (_, i) => i + 2), 1];
  return input.permute(perm).reshape([-1, C]);
}

function targetShapeFor(input: Tensor): number[] {
  return input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
}

function checkWeight(weight: Tensor | null | undefined, C: number, op: string): void {
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new ChainruleError(`${op}: weight must have one entry per class [${C}], got ${showShape(weight.shape)}`);
  }
}

/**
 * Per-sample -w[y]·logp[y] and the per-sample weights (0 where ignored), both [M], and the bool
 * mask of the targets that count. Ignored samples are selected away, not multiplied by 0, so a
 * non-finite logit in an ignored row cannot make the loss NaN (PyTorch never reads it).
 */
function nllParts(logp: Tensor, target: Tensor, opts: NLLOptions, op: string): { loss: Tensor; w: Tensor; keep: Tensor } {
  const C = logp.shape[1];
  const ignore = opts.ignoreIndex ?? -100;
  const t = classIndices(target, C, ignore, op);
  const M = logp.shape[0];
  if (t.length !== M) throw new ChainruleError(`${op}: expected ${M} targets, got ${t.length}`);
  const safe = Int32Array.from(t, (v) => (v === ignore ? 0 : v));
  const valid = tensor(Float64Array.from(t, (v) => (v === ignore ? 0 : 1)), { dtype: logp.dtype });
  const keep = tensor(Uint8Array.from(t, (v) => (v === ignore ? 0 : 1)), { dtype: 'bool' });
  const idx = tensor(safe, { shape: [M, 1] });
  const picked = logp.gather(1, idx).reshape([M]).where(keep, 0);
  const w = opts.weight ? opts.weight.to(logp.dtype).indexSelect(0, tensor(safe)).mul(valid) : valid;
  return { loss: picked.mul(w).neg(), w, keep };
}

/**
 * sum / total weight, a plain division as PyTorch's: with a total weight of 0 the loss is NaN, the
 * rows that count get -w/0 (NaN for a zero weight), and the ignored rows, selected away by
 * nllParts, get 0 (with every target ignored the whole gradient is 0).
 */
function weightedMean(sum: Tensor, w: Tensor): Tensor {
  return sum.div(w.sum());
}

function checkTargetShape(input: Tensor, target: Tensor, op: string): void {
  const want = targetShapeFor(input);
  if (!sameShape(target.shape, want)) {
    throw new ChainruleError(`${op}: input ${showShape(input.shape)} needs class-index targets of shape ${showShape(want)}, got ${showShape(target.shape)}`);
  }
}

function reduceWeighted(loss: Tensor, w: Tensor, reduction: Reduction | undefined, outShape: number[], op: string): Tensor {
  switch (reduction ?? 'mean') {
    case 'mean':
      return weightedMean(loss.sum(), w);
    case 'sum':
      return loss.sum();
    case 'none':
      return loss.reshape(outShape);
    default:
      throw new ChainruleError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
  }
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C], or [N, C, d...]) and int32 class
 * indices; 'mean' divides by the summed weights of the non-ignored targets, as PyTorch.
 * @example F.nllLoss(tensor([[-1, -2]]), tensor([1], { dtype: 'int32' })).item() // 2
 */
export function nllLoss(input: Tensor, target: Tensor, opts: NLLOptions = {}): Tensor {
  const op = 'nllLoss';
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new ChainruleError(`${op}: input and target must be Tensors`);
  checkTargetShape(input, target, op);
  const lp = classesLast(input, op);
  checkWeight(opts.weight, lp.shape[1], op);
  const { loss, w } = nllParts(lp, target, opts, op);
  return reduceWeighted(loss, w, opts.reduction, targetShapeFor(input), op);
}

/**
 * Cross-entropy of raw logits with class indices (int32, shape [N]) or class probabilities
 * (float, shaped like the input); class weights, ignoreIndex and labelSmoothing follow
 * PyTorch's formulas exactly, the log-softmax is computed stably.
 * @example F.crossEntropy(tensor([[0, 0]]), tensor([0], { dtype: 'int32' })).item() // 0.693...
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const op = 'crossEntropy';
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new ChainruleError(`${op}: input and target must be Tensors`);
  if (!isFloat(input.dtype)) throw new ChainruleError(`${op}: input must be float logits, got ${input.dtype}`);
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new ChainruleError(`${op}: labelSmoothing must be in [0, 1], got ${eps}`);
  const lp = classesLast(input, op).logSoftmax(1);
  const C = lp.shape[1];
  checkWeight(opts.weight, C, op);
  const weight = opts.weight ? opts.weight.to(lp.dtype) : null;
  const outShape = targetShapeFor(input);
  if (isFloat(target.dtype) && sameShape(target.shape, input.shape)) {
    if (opts.ignoreIndex !== undefined) throw new ChainruleError(`${op}: ignoreIndex applies to class indices, not to class probabilities`);
    let t = classesLast(target.to(lp.dtype), op);
    if (eps > 0) t = t.mul(1 - eps).add(eps / C);
    let prod = lp.mul(t);
    if (weight) prod = prod.mul(weight);
    const loss = prod.sum(1).neg();
    switch (opts.reduction ?? 'mean') {
      case 'mean':
        return loss.sum().div(lp.shape[0]);
      case 'sum':
        return loss.sum();
      case 'none':
        return loss.reshape(outShape);
      default:
        throw new ChainruleError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(opts.reduction)}`);
    }
  }
  checkTargetShape(input, target, op);
  const { loss, w, keep } = nllParts(lp, target, { ...opts, weight }, op);
  const nll = reduceWeighted(loss, w, opts.reduction, outShape, op);
  if (eps === 0) return nll;
  const smooth = (weight ? lp.mul(weight) : lp).sum(1).neg().where(keep, 0);
  let s: Tensor;
  switch (opts.reduction ?? 'mean') {
    case 'mean':
      s = weightedMean(smooth.sum(), w);
      break;
    case 'sum':
      s = smooth.sum();
      break;
    default:
      s = smooth.reshape(outShape);
  }
  return nll.mul(1 - eps).add(s.mul(eps / C));
}

/**
 * Options of F.hingeEmbeddingLoss and nn.HingeEmbeddingLoss: the reduction and the margin.
 * @example F.hingeEmbeddingLoss(tensor([0.5]), tensor([-1]), { margin: 2 }).item() // 1.5
 */
export interface HingeEmbeddingOptions extends ReductionOptions {
  /** the margin of the targets -1: their loss is max(0, margin - x) (default 1) */
  margin?: number;
}

/**
 * PyTorch's hinge_embedding_loss: max(0, margin - x) where t ≠ 1, plus x where t ≠ -1; so x for
 * t = 1, max(0, margin - x) for t = -1, and both for any other target, as PyTorch computes them.
 * The clamp passes the gradient -1 at x = margin too.
 * @example F.hingeEmbeddingLoss(tensor([0.3, 2]), tensor([1, -1])).item() // 0.15
 */
export function hingeEmbeddingLoss(input: Tensor, target: Tensor, opts: HingeEmbeddingOptions = {}): Tensor {
  const op = 'hingeEmbeddingLoss';
  checkPair(input, target, op);
  const margin = opts.margin ?? 1;
  const t = floatTarget(target, input);
  const hinge = input.neg().add(margin).clamp(0).where(t.ne(1), 0);
  const loss = hinge.add(input.where(t.ne(-1), 0));
  return reduce(loss, opts.reduction, op);
}

/**
 * Options of F.multiMarginLoss and nn.MultiMarginLoss: the power p, the margin, class weights and the reduction.
 * @example F.multiMarginLoss(tensor([[0, 1]]), tensor([1], { dtype: 'int32' }), { margin: 2 }).item() // 0.5
 */
export interface MultiMarginOptions extends ReductionOptions {
  /** 1 (default) or 2 */
  p?: 1 | 2;
  /** the margin by which the target's score should beat every other class's (default 1) */
  margin?: number;
  /** a weight per class, shape `[C]`, scaling each sample's loss by its target class's weight (default none) */
  weight?: Tensor | null;
}

/**
 * Multi-class hinge loss: (1/C)·Σ_{j≠y} w_y·max(0, margin - x_y + x_j)^p per sample, for
 * scores [N, C] (or [C]) and int32 class indices.
 * @example F.multiMarginLoss(tensor([[0.1, 0.2, 0.4, 0.8]]), tensor([3], { dtype: 'int32' })).item() // 0.325
 */
export function multiMarginLoss(input: Tensor, target: Tensor, opts: MultiMarginOptions = {}): Tensor {
  const op = 'multiMarginLoss';
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) throw new ChainruleError(`${op}: input and target must be Tensors`);
  if (input.ndim !== 1 && input.ndim !== 2) throw new ChainruleError(`${op}: expected input [N, C] or [C], got ${showShape(input.shape)}`);
  const p = opts.p ?? 1;
  if (p !== 1 && p !== 2) throw new ChainruleError(`${op}: p must be 1 or 2, got ${p}`);
  const margin = opts.margin ?? 1;
  checkTargetShape(input, target, op);
  const x = input.ndim === 1 ? input.unsqueeze(0) : input;
  const [N, C] = x.shape;
  checkWeight(opts.weight, C, op);
  const t = classIndices(target, C, Number.NaN, op);
  const idx = tensor(t, { shape: [N, 1] });
  const xy = x.gather(1, idx);
  const notY = tensor(
    Float64Array.from({ length: N * C }, (_, k) => (t[Math.floor(k / C)] === k % C ? 0 : 1)),
    { dtype: x.dtype, shape: [N, C] },
  );
  // PyTorch's order of operations, (margin - x_y) + x_j, and its test z > 0, which also drops NaN
  let z = xy.neg().add(margin).add(x);
  z = z.where(z.gt(0), 0);
  if (p === 2) z = z.mul(z);
  let h = z.mul(notY);
  if (opts.weight) h = h.mul(opts.weight.to(x.dtype).indexSelect(0, tensor(t)).unsqueeze(1));
  let loss = h.sum(1).div(C);
  if (input.ndim === 1) loss = loss.reshape([]);
  return reduce(loss, opts.reduction, op);
}

/**
 * The perceptron criterion for ±1 targets: max(0, -t·s) per element. Its gradient is -t where
 * the sign of the score s is wrong and 0 elsewhere, so gradient descent on a linear unit
 * makes Rosenblatt's update w ← w + η·t·x on the mistakes only.
 * @example F.perceptronLoss(tensor([2, -1, 0.5]), tensor([1, 1, -1])).item() // 0.5
 */
export function perceptronLoss(scores: Tensor, target: Tensor, opts: ReductionOptions = {}): Tensor {
  const op = 'perceptronLoss';
  checkPair(scores, target, op);
  for (const v of target.data) if (v !== 1 && v !== -1) throw new ChainruleError(`${op}: targets must be 1 or -1, found ${v}`);
  return reduce(scores.mul(floatTarget(target, scores)).neg().relu(), opts.reduction, op);
}

/** The losses that are entries of the op table (src/ops/loss.ts, src/ops/ctc.ts), as F has them. */
export {
  cosineEmbeddingLoss,
  ctcLoss,
  gaussianNllLoss,
  huberLoss,
  klDiv,
  marginRankingLoss,
  multilabelMarginLoss,
  multilabelSoftMarginLoss,
  poissonNllLoss,
  smoothL1Loss,
  softMarginLoss,
  tripletMarginLoss,
  tripletMarginWithDistanceLoss,
  type CTCLossOptions,
  type GaussianNLLOptions,
  type HuberOptions,
  type KLDivOptions,
  type LossReduction,
  type LossReductionOptions,
  type MarginOptions,
  type MultilabelSoftMarginOptions,
  type PoissonNLLOptions,
  type SmoothL1Options,
  type TripletMarginOptions,
  type TripletOptions,
  type TripletMarginWithDistanceOptions,
} from '../../ops/index.js';
