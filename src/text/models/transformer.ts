import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { normal } from '../../nn/init.js';
import { Linear } from '../../nn/linear.js';
import { LayerNorm } from '../../nn/norm.js';
import { Parameter } from '../../nn/parameter.js';
import { LearnedPositionalEmbedding, SinusoidalPositionalEmbedding } from '../../nn/positional.js';
import { TransformerEncoder, TransformerEncoderLayer } from '../../nn/transformer.js';
import { empty, tensor } from '../../tensor/creation.js';
import type { BatchInput } from '../features.js';
import { maskedMeanOverTime } from '../layers.js';
import type { PaddedBatch } from '../sequences.js';
import { TextModule, scaleInPlace } from './base.js';
import { concat, type Tensor } from '../../ops/index.js';

/** How a transformer classifier turns its token states into one vector per text. */
export type Pooling = 'mean' | 'first';
/** Learned position vectors, or the fixed sinusoidal table. */
export type Positions = 'learned' | 'sinusoidal';

/**
 * The sizes of a {@link TransformerClassifier}: its width, heads, depth, feed-forward width,
 * dropout, the longest text, the pooling and the kind of position embeddings.
 * @example
 * ```ts
 * manualSeed(0);
 * const opts: text.TransformerClassifierOptions = { embed: 8, heads: 2, layers: 1, pooling: 'first' };
 * new text.TransformerClassifier(50, 3, opts).pooling // 'first'
 * ```
 */
export interface TransformerClassifierOptions {
  /** model width (default 64) */
  embed?: number;
  /** attention heads per layer (default 4) */
  heads?: number;
  /** encoder layers (default 2) */
  layers?: number;
  /** width of each feed-forward block (default 4 · embed) */
  hidden?: number;
  /** probability of zeroing an element in the encoder layers and before the output layer, like PyTorch's `dropout` (default 0.1) */
  dropout?: number;
  /** the longest text, in tokens (the size of a learned position table) */
  maxLength?: number;
  /** mean over the real tokens, or the state of a learned first token prepended to every text */
  pooling?: Pooling;
  /** 'learned' (an nn.Embedding over positions, like BERT) or 'sinusoidal' (the fixed table of Vaswani et al.); default 'learned' */
  positions?: Positions;
}

/**
 * A transformer encoder classifier: nn.Embedding (padding row 0) plus position embeddings, a stack
 * of pre-norm nn.TransformerEncoderLayers (GELU) that ignore padding through their key padding
 * mask, a final layer norm, mean pooling over the real tokens (or the state of a learned first
 * token, pooling 'first'), dropout and a linear output layer.
 * @example
 * ```ts
 * manualSeed(0);
 * const m = new text.TransformerClassifier(100, 2, { embed: 8, heads: 2, layers: 1 });
 * m.forward({ kind: 'seq', pad: text.padSequences([[5, 6, 7], [8]], { maxLength: 8 }) }).shape // [2, 2]
 * ```
 */
export class TransformerClassifier extends TextModule {
  readonly input = 'seq' as const;
  /** token embeddings, Embedding(vocabSize, embed) with padding row 0, drawn from N(0, 0.1²) */
  embedding: Embedding;
  /** the learned first token `[1, 1, embed]` prepended to every text (pooling 'first'), else null */
  cls: Parameter | null;
  /** position embeddings added to the tokens: learned (maxLength rows, default 512) or sinusoidal */
  positions: LearnedPositionalEmbedding | SinusoidalPositionalEmbedding;
  /** dropout on the pooled state before the output layer (p = opts.dropout, default 0.1) */
  drop: Dropout;
  /** the stack of pre-norm GELU encoder layers (default 2) with a final LayerNorm, batch first */
  encoder: TransformerEncoder;
  /** the output layer, Linear(embed, classes) */
  out: Linear;
  /** how token states become one vector per text: 'mean' (default) or 'first' */
  readonly pooling: Pooling;
  /** the model width (default 64) */
  readonly embed: number;

  constructor(
    /** vocabulary size, `<pad>` and `<unk>` included (the Featurizer's size) */
    readonly vocabSize: number,
    /** number of classes (the logits' width) */
    readonly classes: number,
    opts: TransformerClassifierOptions = {},
  ) {
    super();
    const d = opts.embed ?? 64;
    this.embed = d;
    this.pooling = opts.pooling ?? 'mean';
    const maxLength = opts.maxLength ?? 512;
    const dropout = opts.dropout ?? 0.1;
    this.embedding = new Embedding(vocabSize, d, { paddingIdx: 0 });
    // N(0, 0.1²) instead of N(0, 1): Adam's steps of about lr then move word vectors noticeably
    scaleInPlace(this.embedding.weight.data, 0.1);
    this.cls = this.pooling === 'first' ? new Parameter(normal(empty([1, 1, d]), 0, 0.1)) : null;
    const room = maxLength + (this.cls ? 1 : 0);
    this.positions = (opts.positions ?? 'learned') === 'learned' ? new LearnedPositionalEmbedding(room, d, { batchFirst: true }) : new SinusoidalPositionalEmbedding(d, { batchFirst: true });
    this.drop = new Dropout(dropout);
    const layer = new TransformerEncoderLayer(d, opts.heads ?? 4, { dimFeedforward: opts.hidden ?? 4 * d, dropout, activation: 'gelu', batchFirst: true, normFirst: true });
    this.encoder = new TransformerEncoder(layer, opts.layers ?? 2, { norm: new LayerNorm(d) });
    this.out = new Linear(d, classes);
  }

  override describe(): string {
    return `TransformerClassifier ${this.vocabSize}->${this.classes} (${this.encoder.layers.length} layers, ${this.pooling} pooling)`;
  }

  /** The token embeddings of a batch [batch, length, embed] (what explanations attribute to). */
  embedTokens(pad: PaddedBatch): Tensor {
    return this.embedding.call(tensor(pad.ids, { shape: [pad.batch, pad.length] }));
  }

  /** The encoder's input (the first token prepended, positions added) and its key padding mask. */
  private encoderInput(e: Tensor, pad: PaddedBatch): { x: Tensor; kpm: Tensor } {
    const { batch, length, mask } = pad;
    let x = e;
    let padding = Uint8Array.from(mask, (m) => (m > 0 ? 0 : 1));
    if (this.cls) {
      x = concat([this.cls.expand([batch, 1, this.embed]).to(e.dtype), x], 1);
      const p = new Uint8Array(batch * (length + 1));
      for (let b = 0; b < batch; b++) p.set(padding.subarray(b * length, (b + 1) * length), b * (length + 1) + 1);
      padding = p;
    }
    return { x: this.positions.call(x), kpm: tensor(padding, { dtype: 'bool', shape: [batch, padding.length / batch] }) };
  }

  /** The logits [batch, classes] from token embeddings [batch, length, embed] of a padded batch. */
  classifyEmbedded(e: Tensor, pad: PaddedBatch): Tensor {
    const { x, kpm } = this.encoderInput(e, pad);
    const h = this.encoder.call(this.drop.call(x), { srcKeyPaddingMask: kpm });
    const pooled = this.cls ? h.index(null, 0) : maskedMeanOverTime(h, pad.mask);
    return this.out.call(this.drop.call(pooled));
  }

  /**
   * The attention weights of every layer and head for one batch, [batch, heads, L, L] per layer
   * (L counts the first token when pooling is 'first'), as the layers compute them in eval mode.
   */
  attentionMaps(pad: PaddedBatch): Tensor[] {
    const maps: Tensor[] = [];
    let { x, kpm } = this.encoderInput(this.embedTokens(pad), pad);
    for (const layer of this.encoder.layers) {
      // the layers are pre-norm: attention sees norm1 of the layer's input
      const n = layer.norm1.call(x);
      maps.push(layer.self_attn.call(n, n, n, { keyPaddingMask: kpm, averageAttnWeights: false })[1] as Tensor);
      x = layer.call(x, { srcKeyPaddingMask: kpm });
    }
    return maps;
  }

  forward(x: BatchInput): Tensor {
    const { pad } = this.expect(x, 'seq');
    return this.classifyEmbedded(this.embedTokens(pad), pad);
  }
}
