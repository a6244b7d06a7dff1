import { ChainruleError } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { type EmbeddingBagOptions, embedding, embeddingBag } from './fn/embedding.js';
import { renormOptions } from './fn/renorm.js';
import { normal } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

function table(num: number, dim: number, paddingIdx: number | null, op: string): Parameter {
  if (!Number.isInteger(num) || num <= 0 || !Number.isInteger(dim) || dim <= 0) {
    throw new ChainruleError(`${op}: numEmbeddings and embeddingDim must be positive integers, got ${num}, ${dim}`);
  }
  if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx < 0 || paddingIdx >= num)) {
    throw new ChainruleError(`${op}: paddingIdx ${paddingIdx} is out of range for ${num} embeddings`);
  }
  const w = normal(empty([num, dim]));
  if (paddingIdx !== null) w.data.fill(0, paddingIdx * dim, (paddingIdx + 1) * dim);
  return new Parameter(w);
}

function normOptions(opts: { maxNorm?: number | null; normType?: number }, op: string): [number | null, number] {
  renormOptions(opts.maxNorm, opts.normType ?? 2, op);
  return [opts.maxNorm ?? null, opts.normType ?? 2];
}

function normRepr(m: { maxNorm: number | null; normType: number }): string {
  return m.maxNorm === null ? '' : `, maxNorm=${m.maxNorm}${m.normType !== 2 ? `, normType=${m.normType}` : ''}`;
}

/**
 * A lookup table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1). The
 * paddingIdx row starts at zero and receives no gradient. With maxNorm, each row looked up is
 * first rescaled in place to norm maxNorm (normType-norm) if it is longer, as torch.nn.Embedding.
 * @example new nn.Embedding(10, 3).forward(tensor([[1, 2]], { dtype: 'int32' })).shape // [1, 2, 3]
 */
export class Embedding extends Module {
  /** the learnable table, shape `[numEmbeddings, embeddingDim]`, init N(0, 1) with the paddingIdx row zeroed */
  weight: Parameter;
  /** the index whose row is kept at zero and gets no gradient (negative counts from the end; default null, PyTorch's `padding_idx`) */
  readonly paddingIdx: number | null;
  /** looked-up rows whose normType-norm exceeds it are renormalised in place to this norm (default null: never, PyTorch's `max_norm`) */
  readonly maxNorm: number | null;
  /** p of the p-norm used with maxNorm (default 2, PyTorch's `norm_type`) */
  readonly normType: number;

  constructor(
    /** size of the vocabulary: indices run over 0..numEmbeddings-1 (PyTorch's `num_embeddings`) */
    readonly numEmbeddings: number,
    /** size of each embedding vector (PyTorch's `embedding_dim`) */
    readonly embeddingDim: number,
    opts: { paddingIdx?: number | null; maxNorm?: number | null; normType?: number } = {},
  ) {
    super();
    const p = opts.paddingIdx ?? null;
    this.paddingIdx = p !== null && p < 0 ? p + numEmbeddings : p;
    [this.maxNorm, this.normType] = normOptions(opts, 'Embedding');
    this.weight = table(numEmbeddings, embeddingDim, this.paddingIdx, 'Embedding');
  }

  override describe(): string {
    return `Embedding ${this.numEmbeddings}x${this.embeddingDim}`;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}${normRepr(this)}`;
  }

  forward(input: Tensor): Tensor {
    try {
      return embedding(input, this.weight, { paddingIdx: this.paddingIdx, maxNorm: this.maxNorm, normType: this.normType });
    } catch (e) {
      if (e instanceof ChainruleError) this.inputError(e.message.replace(/^embedding: /, ''));
      throw e;
    }
  }
}

/**
 * Bags of embeddings reduced by sum, mean or max: a 2-d input is one bag per row, a 1-d input
 * is cut at offsets (includeLastOffset: offsets also ends the last bag). maxNorm and normType
 * renormalise the rows looked up as in Embedding. Parameter named `weight`, as PyTorch.
 * @example new nn.EmbeddingBag(10, 3, { mode: 'sum' }).forward(tensor([1, 2, 4], { dtype: 'int32' }), [0, 2]).shape // [2, 3]
 */
export class EmbeddingBag extends Module {
  /** the learnable table, shape `[numEmbeddings, embeddingDim]`, init N(0, 1) with the paddingIdx row zeroed */
  weight: Parameter;
  /** how each bag's rows are reduced: 'sum', 'mean' (default) or 'max' */
  readonly mode: 'sum' | 'mean' | 'max';
  /** the index whose entries are left out of every bag and whose row stays zero (default null, PyTorch's `padding_idx`) */
  readonly paddingIdx: number | null;
  /** looked-up rows whose normType-norm exceeds it are renormalised in place to this norm (default null: never, PyTorch's `max_norm`) */
  readonly maxNorm: number | null;
  /** p of the p-norm used with maxNorm (default 2, PyTorch's `norm_type`) */
  readonly normType: number;
  /** offsets has one more entry than there are bags, the last being the input's length, as CSR (default false, PyTorch's `include_last_offset`) */
  readonly includeLastOffset: boolean;

  constructor(
    /** size of the vocabulary (PyTorch's `num_embeddings`) */
    readonly numEmbeddings: number,
    /** size of each embedding vector (PyTorch's `embedding_dim`) */
    readonly embeddingDim: number,
    opts: { mode?: 'sum' | 'mean' | 'max'; paddingIdx?: number | null; maxNorm?: number | null; normType?: number; includeLastOffset?: boolean } = {},
  ) {
    super();
    this.mode = opts.mode ?? 'mean';
    const p = opts.paddingIdx ?? null;
    this.paddingIdx = p !== null && p < 0 ? p + numEmbeddings : p;
    [this.maxNorm, this.normType] = normOptions(opts, 'EmbeddingBag');
    this.includeLastOffset = opts.includeLastOffset ?? false;
    if (typeof this.includeLastOffset !== 'boolean') throw new ChainruleError(`EmbeddingBag: includeLastOffset must be true or false, got ${String(this.includeLastOffset)}`);
    this.weight = table(numEmbeddings, embeddingDim, this.paddingIdx, 'EmbeddingBag');
  }

  override describe(): string {
    return `EmbeddingBag ${this.numEmbeddings}x${this.embeddingDim} (${this.mode})`;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode=${this.mode}${normRepr(this)}${this.includeLastOffset ? ', includeLastOffset=true' : ''}`;
  }

  forward(input: Tensor, offsets?: EmbeddingBagOptions['offsets'], perSampleWeights?: Tensor | null): Tensor {
    try {
      const { mode, paddingIdx, maxNorm, normType, includeLastOffset } = this;
      return embeddingBag(input, this.weight, { offsets, mode, perSampleWeights, paddingIdx, maxNorm, normType, includeLastOffset });
    } catch (e) {
      if (e instanceof ChainruleError) this.inputError(e.message.replace(/^embeddingBag: /, ''));
      throw e;
    }
  }
}
