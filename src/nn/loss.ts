/**
 * Loss modules (PyTorch names, options in camelCase) and their functional forms. A loss is
 * called as `criterion.forward(output, target)` (or `.call`).
 */
import * as L from './fn/loss.js';
import { Module } from './module.js';
import type { Tensor } from '../ops/index.js';

export * from './fn/loss.js';

/** Mean squared error. @example new nn.MSELoss().forward(tensor([1, 2]), tensor([1, 4])).item() // 2 */
export class MSELoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.ReductionOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, this.opts);
  }
}

/** Mean absolute error. @example new nn.L1Loss({ reduction: 'sum' }).forward(tensor([1, 2]), tensor([1, 4])).item() // 2 */
export class L1Loss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.ReductionOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, this.opts);
  }
}

/** Textbook squared error 1/2·Σ(t - o)². @example new nn.SSELoss().forward(tensor([1, 2]), tensor([1, 4])).item() // 2 */
export class SSELoss extends Module {
  forward(output: Tensor, target: Tensor): Tensor {
    return L.sse(output, target);
  }
}

/** Binary cross-entropy of probabilities. @example new nn.BCELoss().forward(tensor([0.5]), tensor([1])).item() // 0.693... */
export class BCELoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.BCEOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.bceLoss(input, target, this.opts);
  }
}

/** Sigmoid + BCE, stable for large logits, with posWeight. @example new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) }) */
export class BCEWithLogitsLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.BCEWithLogitsOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.bceWithLogitsLoss(input, target, this.opts);
  }
}

/**
 * Cross-entropy of logits with class indices or class probabilities.
 * @example new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).forward(randn([4, 3]), tensor([0, 2, 1, 0], { dtype: 'int32' }))
 */
export class CrossEntropyLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.CrossEntropyOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, this.opts);
  }
}

/** Negative log-likelihood of log-probabilities. @example new nn.NLLLoss().forward(tensor([[-1, -2]]), tensor([1], { dtype: 'int32' })) */
export class NLLLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.NLLOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, this.opts);
  }
}

/** Hinge embedding loss for ±1 targets. @example new nn.HingeEmbeddingLoss({ margin: 2 }) */
export class HingeEmbeddingLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.HingeEmbeddingOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.hingeEmbeddingLoss(input, target, this.opts);
  }
}

/** Multi-class margin (hinge) loss. @example new nn.MultiMarginLoss({ p: 2, margin: 0.5 }) */
export class MultiMarginLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.MultiMarginOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multiMarginLoss(input, target, this.opts);
  }
}

/** The perceptron criterion max(0, -t·s) for ±1 targets. @example new nn.PerceptronLoss().forward(tensor([2, -1]), tensor([1, 1])).item() // 0.5 */
export class PerceptronLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.ReductionOptions = {},
  ) {
    super();
  }
  forward(scores: Tensor, target: Tensor): Tensor {
    return L.perceptronLoss(scores, target, this.opts);
  }
}

/** Smooth L1 loss (quadratic below beta). @example new nn.SmoothL1Loss({ beta: 0.5 }).forward(tensor([0.25, 2]), tensor([0, 0])).item() // 0.90625 */
export class SmoothL1Loss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.SmoothL1Options = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, this.opts);
  }
}

/** Huber loss (quadratic below delta). @example new nn.HuberLoss({ delta: 2 }).forward(tensor([0.5, 3]), tensor([0, 0])).item() // 2.0625 */
export class HuberLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.HuberOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, this.opts);
  }
}

/** KL divergence of log-probabilities from a target. @example new nn.KLDivLoss({ reduction: 'sum' }).forward(tensor([-1, -0.5]), tensor([0.5, 0.5])).item() // 0.05685... */
export class KLDivLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.KLDivOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, this.opts);
  }
}

/** Ranking hinge loss of two scores and a ±1 target. @example new nn.MarginRankingLoss({ margin: 1 }).forward(tensor([1]), tensor([2]), tensor([1])).item() // 2 */
export class MarginRankingLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.MarginOptions = {},
  ) {
    super();
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return L.marginRankingLoss(x1, x2, target, this.opts);
  }
}

/** Triplet margin loss of anchors, positives and negatives. @example new nn.TripletMarginLoss({ eps: 0 }).forward(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]])).item() // 5 */
export class TripletMarginLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.TripletMarginOptions = {},
  ) {
    super();
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return L.tripletMarginLoss(anchor, positive, negative, this.opts);
  }
}

/**
 * Triplet margin loss with any distance function (pairwiseDistance by default).
 * @example new nn.TripletMarginWithDistanceLoss({ distanceFunction: (a, b) => a.sub(b).abs().sum(-1) }).forward(tensor([[0, 0]]), tensor([[3, 4]]), tensor([[0, 1]])).item() // 7
 */
export class TripletMarginWithDistanceLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.TripletMarginWithDistanceOptions = {},
  ) {
    super();
  }
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    return L.tripletMarginWithDistanceLoss(anchor, positive, negative, this.opts);
  }
}

/** Cosine embedding loss of pairs with ±1 targets. @example new nn.CosineEmbeddingLoss().forward(tensor([[1, 0]]), tensor([[0, 1]]), tensor([1])).item() // 1 */
export class CosineEmbeddingLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.MarginOptions = {},
  ) {
    super();
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return L.cosineEmbeddingLoss(x1, x2, target, this.opts);
  }
}

/** Poisson negative log-likelihood. @example new nn.PoissonNLLLoss().forward(tensor([0]), tensor([2])).item() // 1 */
export class PoissonNLLLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.PoissonNLLOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.poissonNllLoss(input, target, this.opts);
  }
}

/** Gaussian negative log-likelihood with a predicted variance. @example new nn.GaussianNLLLoss().forward(tensor([1]), tensor([3]), tensor([1])).item() // 2 */
export class GaussianNLLLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.GaussianNLLOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor, variance: Tensor): Tensor {
    return L.gaussianNllLoss(input, target, variance, this.opts);
  }
}

/** Logistic loss for ±1 targets. @example new nn.SoftMarginLoss().forward(tensor([0]), tensor([1])).item() // 0.6931... */
export class SoftMarginLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.LossReductionOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.softMarginLoss(input, target, this.opts);
  }
}

/** Multi-label hinge loss over int32 target lists ended by -1. @example new nn.MultiLabelMarginLoss().forward(tensor([[0, 0.5, 1, 2]]), tensor([[3, 0, -1, 1]], { dtype: 'int32' })).item() // 0.875 */
export class MultiLabelMarginLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.LossReductionOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multilabelMarginLoss(input, target, this.opts);
  }
}

/** Multi-label logistic loss, averaged over classes. @example new nn.MultiLabelSoftMarginLoss().forward(tensor([[0, 0]]), tensor([[1, 0]])).item() // 0.6931... */
export class MultiLabelSoftMarginLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.MultilabelSoftMarginOptions = {},
  ) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multilabelSoftMarginLoss(input, target, this.opts);
  }
}

/**
 * Connectionist temporal classification loss of log-probabilities [T, N, C] with targets and lengths.
 * @example
 * ```ts
 * const lp = tensor([[[-1, -0.5]], [[-0.5, -1]]], { dtype: 'float64' }).logSoftmax(2);
 * new nn.CTCLoss({ reduction: 'sum' }).forward(lp, tensor([[1]], { dtype: 'int32' }), [2], [1]).item() // 0.2678...
 * ```
 */
export class CTCLoss extends Module {
  constructor(
    /** the loss's options (reduction: 'mean' by default, as PyTorch), passed to the functional form on every call */
    readonly opts: L.CTCLossOptions = {},
  ) {
    super();
  }
  forward(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[], targetLengths: Tensor | readonly number[]): Tensor {
    return L.ctcLoss(logProbs, targets, inputLengths, targetLengths, this.opts);
  }
}
