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

/** Options of nn.Linear and nn.Bilinear. @example new nn.Linear(4, 3, { bias: false }).bias // null */
export interface LinearOptions {
  /** add a learned bias (default true) */
  bias?: boolean;
}

/**
 * y = x·Wᵀ + b, with weight [out, in] and PyTorch's default init: kaiming_uniform(a = √5) for
 * the weight, which is U(-1/√in, 1/√in), and the same range for the bias.
 * @example const fc = new nn.Linear(4, 3); fc.forward(randn([2, 4])).shape // [2, 3]
 */
export class Linear extends Module {
  /** learnable weight, shape `[outFeatures, inFeatures]`, init U(-1/√inFeatures, 1/√inFeatures) */
  weight: Parameter;
  /** learnable bias, shape `[outFeatures]`, init U(-1/√inFeatures, 1/√inFeatures); null with `bias: false` */
  bias: Parameter | null;

  constructor(
    /** size of each input sample (PyTorch's `in_features`) */
    readonly inFeatures: number,
    /** size of each output sample (PyTorch's `out_features`) */
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
 * @example new nn.Bilinear(3, 4, 5).forward(randn([2, 3]), randn([2, 4])).shape // [2, 5]
 */
export class Bilinear extends Module {
  /** learnable weight, shape `[outFeatures, in1Features, in2Features]`, init U(-1/√in1Features, 1/√in1Features) */
  weight: Parameter;
  /** learnable bias, shape `[outFeatures]`, same init as the weight; null with `bias: false` */
  bias: Parameter | null;

  constructor(
    /** size of each first input sample (PyTorch's `in1_features`) */
    readonly in1Features: number,
    /** size of each second input sample (PyTorch's `in2_features`) */
    readonly in2Features: number,
    /** size of each output sample (PyTorch's `out_features`) */
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

/** Returns its input unchanged (a placeholder layer), as torch.nn.Identity. @example const x = ones([2]); new nn.Identity().forward(x) === x // true */
export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * Flattens dims startDim..endDim (default 1..-1, keeping the batch dim).
 * @example new nn.Flatten().forward(zeros([2, 3, 4])).shape // [2, 12]
 */
export class Flatten extends Module {
  constructor(
    /** first dimension to flatten (default 1, PyTorch's `start_dim`), so the batch dimension is kept */
    readonly startDim = 1,
    /** last dimension to flatten (default -1, PyTorch's `end_dim`) */
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

/**
 * Splits dim `dim` into `unflattenedSize` (the inverse of Flatten; one entry may be -1).
 * @example new nn.Unflatten(1, [2, 6]).forward(zeros([3, 12])).shape // [3, 2, 6]
 */
export class Unflatten extends Module {
  constructor(
    /** the dimension to expand (negative counts from the end) */
    readonly dim: number,
    /** the shape it becomes; its product equals that dimension's size (PyTorch's `unflattened_size`) */
    readonly unflattenedSize: readonly number[],
  ) {
    super();
    if (!Number.isInteger(dim)) throw new ChainruleError(`Unflatten: dim must be an integer, got ${dim}`);
    if (!Array.isArray(unflattenedSize) || unflattenedSize.length === 0 || unflattenedSize.filter((n) => n === -1).length > 1 || unflattenedSize.some((n) => !Number.isInteger(n) || (n < 0 && n !== -1))) {
      throw new ChainruleError(`Unflatten: unflattenedSize must be sizes >= 0 with at most one -1, got ${JSON.stringify(unflattenedSize)}`);
    }
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${showShape(this.unflattenedSize)}`;
  }

  forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) this.inputError(`dim ${this.dim} is out of range for ${showShape(x.shape)}`);
    const n = x.shape[d];
    const known = this.unflattenedSize.filter((v) => v !== -1).reduce((a, b) => a * b, 1);
    const sizes = this.unflattenedSize.map((v) => (v === -1 ? (known === 0 ? 0 : n / known) : v));
    if (sizes.reduce((a, b) => a * b, 1) !== n || !sizes.every(Number.isInteger)) {
      this.inputError(`cannot unflatten dim ${this.dim} of size ${n} of ${showShape(x.shape)} into ${showShape(this.unflattenedSize)}`);
    }
    return x.reshape([...x.shape.slice(0, d), ...sizes, ...x.shape.slice(d + 1)]);
  }
}
