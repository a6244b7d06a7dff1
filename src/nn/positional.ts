import { ChainruleError } from '../errors.js';
import { empty, tensor } from '../tensor/creation.js';
import { normal } from './init.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of the positional embeddings.
 * @example new nn.SinusoidalPositionalEmbedding(8, { batchFirst: true }).forward(zeros([2, 5, 8])).shape // [2, 5, 8]
 */
export interface PositionalOptions {
  /** inputs are [batch, seq, dModel] instead of [seq, batch, dModel] */
  batchFirst?: boolean;
}

function positive(name: string, what: string, n: number): number {
  if (!Number.isInteger(n) || n <= 0) throw new ChainruleError(`${name}: ${what} must be a positive integer, got ${n}`);
  return n;
}

/**
 * The sinusoidal position table of "Attention is all you need" (and PyTorch's transformer
 * tutorial): pe[t, 2i] = sin(t / 10000^(2i/d)), pe[t, 2i+1] = cos(t / 10000^(2i/d)), for t < length.
 * @example nn.sinusoidalPositions(2, 4).index(1, 0).item() // 0.84147...
 */
export function sinusoidalPositions(length: number, dModel: number): Tensor {
  if (!Number.isInteger(length) || length < 0) throw new ChainruleError(`sinusoidalPositions: length must be a non-negative integer, got ${length}`);
  positive('sinusoidalPositions', 'dModel', dModel);
  const pe = new Float64Array(length * dModel);
  for (let t = 0; t < length; t++) {
    for (let i = 0; i < dModel; i += 2) {
      const a = t * Math.exp((-i * Math.log(10000)) / dModel);
      pe[t * dModel + i] = Math.sin(a);
      if (i + 1 < dModel) pe[t * dModel + i + 1] = Math.cos(a);
    }
  }
  return tensor(pe, { shape: [length, dModel] });
}

/** Checks x is [seq, batch, d] / [batch, seq, d] / [seq, d] and returns the broadcast shape of a [seq, d] table. */
function tableShape(fail: (detail: string) => never, x: Tensor, d: number, batchFirst: boolean): { T: number; shape: number[] } {
  if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 1] !== d) {
    fail(`expected ${batchFirst ? '[batch, seq, ' : '[seq, batch, '}${d}] or [seq, ${d}], got ${showShape(x.shape)}`);
  }
  const T = x.ndim === 2 ? x.shape[0] : batchFirst ? x.shape[1] : x.shape[0];
  return { T, shape: x.ndim === 2 ? [T, d] : batchFirst ? [1, T, d] : [T, 1, d] };
}

/**
 * Adds the fixed sinusoidal position table (sinusoidalPositions) to a sequence: no parameters, any
 * length.
 * @example
 * ```ts
 * new nn.SinusoidalPositionalEmbedding(4, { batchFirst: true }).forward(zeros([2, 3, 4])).shape // [2, 3, 4]
 * ```
 */
export class SinusoidalPositionalEmbedding extends Module {
  /** the input is `[batch, seq, dModel]` instead of `[seq, batch, dModel]` (default false) */
  readonly batchFirst: boolean;
  private _cache: Tensor | null = null;

  constructor(
    /** width of the embeddings the encoding is added to; the last dimension of the input */
    readonly dModel: number,
    opts: PositionalOptions = {},
  ) {
    super();
    positive('SinusoidalPositionalEmbedding', 'dModel', dModel);
    this.batchFirst = opts.batchFirst ?? false;
  }

  override describe(): string {
    return `SinusoidalPositionalEmbedding ${this.dModel}`;
  }

  override extraRepr(): string {
    return `${this.dModel}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }

  forward(x: Tensor): Tensor {
    const { T, shape } = tableShape((d) => this.inputError(d), x, this.dModel, this.batchFirst);
    if (!this._cache || this._cache.shape[0] < T || this._cache.dtype !== x.dtype) this._cache = sinusoidalPositions(Math.max(T, this._cache?.shape[0] ?? 0), this.dModel).to(x.dtype);
    return x.add(this._cache.narrow(0, 0, T).reshape(shape));
  }
}

/**
 * A learned position table `weight` [maxLen, dModel] (initialised N(0, 0.02²), as BERT's) added to
 * a sequence of at most maxLen positions.
 * @example
 * ```ts
 * new nn.LearnedPositionalEmbedding(16, 4).forward(zeros([5, 2, 4])).shape // [5, 2, 4]
 * ```
 */
export class LearnedPositionalEmbedding extends Module {
  /** the learnable position table, shape `[maxLen, dModel]`, init N(0, 0.02²) */
  weight: Parameter;
  /** the input is `[batch, seq, dModel]` instead of `[seq, batch, dModel]` (default false) */
  readonly batchFirst: boolean;

  constructor(
    /** the longest sequence it can encode: the table's number of rows */
    readonly maxLen: number,
    /** width of the embeddings the positions are added to; the last dimension of the input */
    readonly dModel: number,
    opts: PositionalOptions = {},
  ) {
    super();
    positive('LearnedPositionalEmbedding', 'maxLen', maxLen);
    positive('LearnedPositionalEmbedding', 'dModel', dModel);
    this.batchFirst = opts.batchFirst ?? false;
    this.weight = new Parameter(normal(empty([maxLen, dModel]), 0, 0.02));
  }

  override describe(): string {
    return `LearnedPositionalEmbedding ${this.maxLen}x${this.dModel}`;
  }

  override extraRepr(): string {
    return `${this.maxLen}, ${this.dModel}${this.batchFirst ? ', batchFirst=true' : ''}`;
  }

  forward(x: Tensor): Tensor {
    const { T, shape } = tableShape((d) => this.inputError(d), x, this.dModel, this.batchFirst);
    if (T > this.maxLen) this.inputError(`a sequence of ${T} positions is longer than maxLen ${this.maxLen} (input ${showShape(x.shape)})`);
    return x.add(this.weight.narrow(0, 0, T).reshape(shape));
  }
}
