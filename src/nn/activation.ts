import { ChainruleError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { logSoftmax, softmax } from './fn/activation.js';
import { Module } from './module.js';

/** Elementwise max(x, 0). @example new ReLU().forward(tensor([-1, 2])).toArray() // [0, 2] */
export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return x.relu();
  }
}

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
  forward(x: Tensor): Tensor {
    return x.leakyRelu(this.negativeSlope);
  }
}

/** Logistic sigmoid 1/(1 + e^-x). */
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return x.sigmoid();
  }
}

/** Hyperbolic tangent. */
export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return x.tanh();
  }
}

/** Softmax along dim (default -1, the last). @example new Softmax(1).forward(zeros([1, 2])).toArray() // [[0.5, 0.5]] */
export class Softmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
}

/** log(softmax(x)) along dim (default -1), computed stably. */
export class LogSoftmax extends Module {
  constructor(readonly dim = -1) {
    super();
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.dim);
  }
}

/** log(1 + e^(beta·x))/beta, linear above threshold (PyTorch's defaults beta 1, threshold 20). */
export class Softplus extends Module {
  constructor(
    readonly beta = 1,
    readonly threshold = 20,
  ) {
    super();
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
  forward(x: Tensor): Tensor {
    return x.softplus(this.beta, this.threshold);
  }
}

/** GELU, exact (erf) by default or `'tanh'`-approximated. */
export class GELU extends Module {
  constructor(readonly approximate: 'none' | 'tanh' = 'none') {
    super();
  }
  override extraRepr(): string {
    return `approximate=${this.approximate}`;
  }
  forward(x: Tensor): Tensor {
    return x.gelu({ approximate: this.approximate });
  }
}

/** x for x > 0, alpha·(e^x - 1) otherwise. */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
  forward(x: Tensor): Tensor {
    return x.elu(this.alpha);
  }
}

/**
 * The perceptron's threshold unit: -1, 0 or 1 by the sign of x (gradient 0). Pass `{zero: 1}`
 * for the textbook Φ(x) = 1 if x >= 0 else -1.
 * @example new Sign({ zero: 1 }).forward(tensor([-2, 0, 3])).toArray() // [-1, 1, 1]
 */
export class Sign extends Module {
  readonly zero: number;
  constructor(opts: { zero?: number } = {}) {
    super();
    this.zero = opts.zero ?? 0;
  }
  override extraRepr(): string {
    return this.zero === 0 ? '' : `zero=${this.zero}`;
  }
  forward(x: Tensor): Tensor {
    const s = x.sign();
    return this.zero === 0 ? s : s.where(x.ne(0), this.zero);
  }
}

/**
 * Heaviside threshold unit: 1 where x >= 0, else 0 (gradient 0), the gate of a threshold network.
 * @example new Step().forward(tensor([-1, 0, 2])).toArray() // [0, 1, 1]
 */
export class Step extends Module {
  forward(x: Tensor): Tensor {
    return x.step();
  }
}

/**
 * factor·inner(x): scales an activation, e.g. 5·ReLU for the regression exercise.
 * @example new Scale(5, new ReLU()).forward(tensor([-1, 2])).toArray() // [0, 10]
 */
export class Scale extends Module {
  constructor(
    readonly factor: number,
    readonly inner: Module & { forward(x: Tensor): Tensor },
  ) {
    super();
    if (typeof factor !== 'number' || !Number.isFinite(factor)) throw new ChainruleError(`Scale: factor must be a finite number, got ${factor}`);
    if (!(inner instanceof Module)) throw new ChainruleError('Scale: expected a Module to scale');
  }
  override describe(): string {
    return `${this.factor}·${this.inner.describe()}`;
  }
  override extraRepr(): string {
    return `factor=${this.factor}`;
  }
  forward(x: Tensor): Tensor {
    return this.inner.forward(x).mul(this.factor);
  }
}

/** Shorthand for `new Scale(factor, inner)`. @example scaled(5, new ReLU()) */
export function scaled(factor: number, inner: Module & { forward(x: Tensor): Tensor }): Scale {
  return new Scale(factor, inner);
}
