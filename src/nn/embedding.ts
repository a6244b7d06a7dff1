import { ChainruleError } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { type EmbeddingBagOptions, embedding, embeddingBag } from './fn/embedding.js';
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

/**
 * A lookup table of numEmbeddings vectors of size embeddingDim, initialised N(0, 1). The
 * paddingIdx row starts at zero and receives no gradient.
 * @example new nn.Embedding(10, 3).forward(tensor([[1, 2]], { dtype: 'int32' })).shape // [1, 2, 3]
 */
export class Embedding extends Module {
  weight: Parameter;
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: { paddingIdx?: number | null } = {},
  ) {
    super();
    const p = opts.paddingIdx ?? null;
    this.paddingIdx = p !== null && p < 0 ? p + numEmbeddings : p;
    this.weight = table(numEmbeddings, embeddingDim, this.paddingIdx, 'Embedding');
  }

  override describe(): string {
    return `Embedding ${this.numEmbeddings}x${this.embeddingDim}`;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ''}`;
  }

  forward(input: Tensor): Tensor {
    try {
      return embedding(input, this.weight, this.paddingIdx);
    } catch (e) {
      if (e instanceof ChainruleError) this.inputError(e.message.replace(/^embedding: /, ''));
      throw e;
    }
  }
}

/**
 * Bags of embeddings reduced by sum, mean or max: a 2-d input is one bag per row, a 1-d input
 * is cut at offsets. Parameter named `weight`, as PyTorch.
 * @example new nn.EmbeddingBag(10, 3, { mode: 'sum' }).forward(tensor([1, 2, 4], { dtype: 'int32' }), [0, 2]).shape // [2, 3]
 */
export class EmbeddingBag extends Module {
  weight: Parameter;
  readonly mode: 'sum' | 'mean' | 'max';
  readonly paddingIdx: number | null;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: { mode?: 'sum' | 'mean' | 'max'; paddingIdx?: number | null } = {},
  ) {
    super();
    this.mode = opts.mode ?? 'mean';
    const p = opts.paddingIdx ?? null;
    this.paddingIdx = p !== null && p < 0 ? p + numEmbeddings : p;
    this.weight = table(numEmbeddings, embeddingDim, this.paddingIdx, 'EmbeddingBag');
  }

  override describe(): string {
    return `EmbeddingBag ${this.numEmbeddings}x${this.embeddingDim} (${this.mode})`;
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode=${this.mode}`;
  }

  forward(input: Tensor, offsets?: EmbeddingBagOptions['offsets'], perSampleWeights?: Tensor | null): Tensor {
    try {
      return embeddingBag(input, this.weight, { offsets, mode: this.mode, perSampleWeights, paddingIdx: this.paddingIdx });
    } catch (e) {
      if (e instanceof ChainruleError) this.inputError(e.message.replace(/^embeddingBag: /, ''));
      throw e;
    }
  }
}
