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
  constructor(readonly opts: L.ReductionOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, this.opts);
  }
}

/** Mean absolute error. @example new nn.L1Loss({ reduction: 'sum' }).forward(tensor([1, 2]), tensor([1, 4])).item() // 2 */
export class L1Loss extends Module {
  constructor(readonly opts: L.ReductionOptions = {}) {
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
  constructor(readonly opts: L.BCEOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.bceLoss(input, target, this.opts);
  }
}

/** Sigmoid + BCE, stable for large logits, with posWeight. @example new nn.BCEWithLogitsLoss({ posWeight: tensor([2]) }) */
export class BCEWithLogitsLoss extends Module {
  constructor(readonly opts: L.BCEWithLogitsOptions = {}) {
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
  constructor(readonly opts: L.CrossEntropyOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, this.opts);
  }
}

/** Negative log-likelihood of log-probabilities. @example new nn.NLLLoss().forward(tensor([[-1, -2]]), tensor([1], { dtype: 'int32' })) */
export class NLLLoss extends Module {
  constructor(readonly opts: L.NLLOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, this.opts);
  }
}

/** Hinge embedding loss for ±1 targets. @example new nn.HingeEmbeddingLoss({ margin: 2 }) */
export class HingeEmbeddingLoss extends Module {
  constructor(readonly opts: L.HingeEmbeddingOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.hingeEmbeddingLoss(input, target, this.opts);
  }
}

/** Multi-class margin (hinge) loss. @example new nn.MultiMarginLoss({ p: 2, margin: 0.5 }) */
export class MultiMarginLoss extends Module {
  constructor(readonly opts: L.MultiMarginOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multiMarginLoss(input, target, this.opts);
  }
}

/** The perceptron criterion max(0, -t·s) for ±1 targets. @example new nn.PerceptronLoss().forward(tensor([2, -1]), tensor([1, 1])).item() // 0.5 */
export class PerceptronLoss extends Module {
  constructor(readonly opts: L.ReductionOptions = {}) {
    super();
  }
  forward(scores: Tensor, target: Tensor): Tensor {
    return L.perceptronLoss(scores, target, this.opts);
  }
}
