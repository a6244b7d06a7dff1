import { ChainruleError } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { bilinear, linear } from './fn/linear.js';
import { uniform } from './init.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

function positiveInt(n: number, what: string, op: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new ChainruleError(`${op}: ${what} must be a positive integer, got ${n}`);
  return n;
}

export interface LinearOptions {
  /** add a learned bias (default true) */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b, with weight [out, in] and PyTorch's default init: kaiming_uniform(a = √5) for
 * the weight, which is U(-1/√in, 1/√in), and the same range for the bias.
 * @example const fc = new Linear(4, 3); fc.forward(randn([2, 4])).shape // [2, 3]
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    positiveInt(inFeatures, 'inFeatures', 'Linear');
    positiveInt(outFeatures, 'outFeatures', 'Linear');
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = new Parameter(uniform(empty([outFeatures, inFeatures]), -bound, bound));
    this.bias = (opts.bias ?? true) ? new Parameter(uniform(empty([outFeatures]), -bound, bound)) : null;
  }

  override describe(): string {
    return `Linear ${this.inFeatures}->${this.outFeatures}`;
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      this.inputError(`expected ${showShape(['*', this.inFeatures])}, got ${showShape(x.shape)}`);
    }
    return linear(x, this.weight, this.bias);
  }
}

/**
 * y_k = x1ᵀ·W_k·x2 + b_k with weight [out, in1, in2], init U(-1/√in1, 1/√in1) as PyTorch.
 * @example new Bilinear(3, 4, 5).forward(randn([2, 3]), randn([2, 4])).shape // [2, 5]
 */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly in1Features: number,
    readonly in2Features: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    positiveInt(in1Features, 'in1Features', 'Bilinear');
    positiveInt(in2Features, 'in2Features', 'Bilinear');
    positiveInt(outFeatures, 'outFeatures', 'Bilinear');
    const bound = 1 / Math.sqrt(in1Features);
    this.weight = new Parameter(uniform(empty([outFeatures, in1Features, in2Features]), -bound, bound));
    this.bias = (opts.bias ?? true) ? new Parameter(uniform(empty([outFeatures]), -bound, bound)) : null;
  }

  override describe(): string {
    return `Bilinear (${this.in1Features}, ${this.in2Features})->${this.outFeatures}`;
  }

  override extraRepr(): string {
    return `in1Features=${this.in1Features}, in2Features=${this.in2Features}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }

  forward(x1: Tensor, x2: Tensor): Tensor {
    if (x1.shape[x1.ndim - 1] !== this.in1Features || x2.shape[x2.ndim - 1] !== this.in2Features) {
      this.inputError(
        `expected ${showShape(['*', this.in1Features])} and ${showShape(['*', this.in2Features])}, got ${showShape(x1.shape)} and ${showShape(x2.shape)}`,
      );
    }
    return bilinear(x1, x2, this.weight, this.bias);
  }
}

/** Returns its input unchanged (a placeholder layer). @example new Identity().forward(x) === x // true */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * Flattens dims startDim..endDim (default 1..-1, keeping the batch dim).
 * @example new Flatten().forward(zeros([2, 3, 4])).shape // [2, 12]
 */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }

  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim <= Math.max(this.startDim, this.endDim < 0 ? this.endDim + x.ndim : this.endDim)) {
      this.inputError(`cannot flatten dims ${this.startDim}..${this.endDim} of ${showShape(x.shape)}`);
    }
    return x.flatten(this.startDim, this.endDim);
  }
}
