import { Conv1d } from '../../nn/conv.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { tensor } from '../../tensor/creation.js';
import type { BatchInput } from '../features.js';
import { maskedMaxOverTime } from '../layers.js';
import type { PaddedBatch } from '../sequences.js';
import { TextModule, scaleInPlace } from './base.js';
import { concat, type Tensor } from '../../ops/index.js';

/**
 * Kim (2014)-style CNN: nn.Embedding (padding row 0), one nn.Conv1d per filter width (default
 * 3, 4, 5), ReLU, max-over-time pooling that skips windows reaching into padding, dropout and a
 * linear output layer.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'seq', minCount: 1, maxSize: 100, maxLength: 8, minLength: 5 });
 * const batch = text.makeBatch(f.encode(docs), [0, 1]);
 * new text.KimCNN(f.size, 2, { embed: 8, filters: 4 }).forward(batch).shape // [2, 2]
 * ```
 */
export class KimCNN extends TextModule {
  readonly input = 'seq' as const;
  /** token embeddings, Embedding(vocabSize, embed = 64) with padding row 0, drawn from N(0, 0.1²) */
  embedding: Embedding;
  /** one Conv1d(embed, filters = 64, width) per filter width, over `[batch, embed, length]` */
  convs: Conv1d[];
  /** dropout on the pooled features (p = opts.dropout, default 0.5) */
  drop: Dropout;
  /** the output layer, Linear(filters × widths.length, classes) */
  out: Linear;
  /** the filter widths in tokens (default `[3, 4, 5]`); a batch must be at least the widest long */
  readonly widths: number[];

  constructor(
    /** vocabulary size, `<pad>` and `<unk>` included (the Featurizer's size) */
    readonly vocabSize: number,
    /** number of classes (the logits' width) */
    readonly classes: number,
    opts: { embed?: number; filters?: number; widths?: number[]; dropout?: number } = {},
  ) {
    super();
    const embed = opts.embed ?? 64;
    const filters = opts.filters ?? 64;
    this.widths = opts.widths ?? [3, 4, 5];
    this.embedding = new Embedding(vocabSize, embed, { paddingIdx: 0 });
    // N(0, 0.1²) instead of N(0, 1): Adam's steps of about lr then move word vectors noticeably
    scaleInPlace(this.embedding.weight.data, 0.1);
    this.convs = this.widths.map((k) => new Conv1d(embed, filters, k));
    this.drop = new Dropout(opts.dropout ?? 0.5);
    this.out = new Linear(filters * this.widths.length, classes);
  }

  override describe(): string {
    return `KimCNN ${this.vocabSize}->${this.classes} widths ${this.widths.join('/')}`;
  }

  /** The token embeddings of a batch [batch, length, embed]. */
  embedTokens(pad: PaddedBatch): Tensor {
    return this.embedding.call(tensor(pad.ids, { shape: [pad.batch, pad.length] }));
  }

  /** The logits from token embeddings [batch, length, embed] of a padded batch. */
  classifyEmbedded(emb: Tensor, pad: PaddedBatch): Tensor {
    const { batch, length, lengths } = pad;
    // [B, T, E] -> [B, E, T]: channels first for Conv1d
    const e = emb.permute([0, 2, 1]);
    const pooled = this.convs.map((conv, i) => {
      const k = this.widths[i];
      const steps = length - k + 1;
      // window t is valid when it lies inside the text (a text shorter than k keeps window 0)
      const mask = new Float32Array(batch * steps);
      for (let b = 0; b < batch; b++) {
        const last = Math.max(0, Math.min(steps, lengths[b] - k + 1) - 1);
        for (let t = 0; t <= last; t++) mask[b * steps + t] = 1;
      }
      return maskedMaxOverTime(conv.call(e).relu().permute([0, 2, 1]), mask);
    });
    return this.out.call(this.drop.call(concat(pooled, 1)));
  }

  forward(x: BatchInput): Tensor {
    const { pad } = this.expect(x, 'seq');
    return this.classifyEmbedded(this.embedTokens(pad), pad);
  }
}
