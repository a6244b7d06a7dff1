import { Dropout } from '../../nn/dropout.js';
import { Embedding } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { GRU, LSTM } from '../../nn/rnn.js';
import { tensor } from '../../tensor/creation.js';
import type { BatchInput } from '../features.js';
import { maskedMaxOverTime, maskedMeanOverTime } from '../layers.js';
import type { PaddedBatch } from '../sequences.js';
import { TextModule, scaleInPlace } from './base.js';
import { concat, type Tensor } from '../../ops/index.js';

/** The recurrent cell of text.BiRNN. @example new text.BiRNN('gru', 10, 2, { embed: 4, hidden: 4 }).rnn instanceof nn.GRU // true */
export type RnnCell = 'gru' | 'lstm';

/**
 * Bidirectional GRU or LSTM classifier: nn.Embedding (padding row 0), a bidirectional nn.GRU or
 * nn.LSTM given each text's true length (so the backward direction starts at the real last token
 * and padding never enters a state), max- and mean-pooling over the real time steps, dropout and
 * a linear output layer.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'seq', minCount: 1, maxSize: 100, maxLength: 8, minLength: 5 });
 * const batch = text.makeBatch(f.encode(docs), [0, 1]);
 * new text.BiRNN('lstm', f.size, 2, { embed: 8, hidden: 4 }).forward(batch).shape // [2, 2]
 * ```
 */
export class BiRNN extends TextModule {
  readonly input = 'seq' as const;
  /** token embeddings, Embedding(vocabSize, embed = 64) with padding row 0, drawn from N(0, 0.1²) */
  embedding: Embedding;
  /** the bidirectional GRU or LSTM(embed, hidden = 64), batch first: outputs `[batch, length, 2·hidden]` */
  rnn: GRU | LSTM;
  /** dropout on the pooled features (p = opts.dropout, default 0.3) */
  drop: Dropout;
  /** the output layer, Linear(4·hidden, classes), over the max- and mean-pooled outputs */
  out: Linear;

  constructor(
    /** the recurrent cell: 'gru' or 'lstm' */
    readonly cell: RnnCell,
    /** vocabulary size, `<pad>` and `<unk>` included (the Featurizer's size) */
    readonly vocabSize: number,
    /** number of classes (the logits' width) */
    readonly classes: number,
    opts: { embed?: number; hidden?: number; dropout?: number } = {},
  ) {
    super();
    const embed = opts.embed ?? 64;
    const hidden = opts.hidden ?? 64;
    this.embedding = new Embedding(vocabSize, embed, { paddingIdx: 0 });
    // N(0, 0.1²) instead of N(0, 1): Adam's steps of about lr then move word vectors noticeably
    scaleInPlace(this.embedding.weight.data, 0.1);
    const rnnOpts = { batchFirst: true, bidirectional: true };
    this.rnn = cell === 'gru' ? new GRU(embed, hidden, rnnOpts) : new LSTM(embed, hidden, rnnOpts);
    this.drop = new Dropout(opts.dropout ?? 0.3);
    this.out = new Linear(4 * hidden, classes);
  }

  override describe(): string {
    return `Bi${this.cell.toUpperCase()} ${this.vocabSize}->${this.classes}`;
  }

  /** The token embeddings of a batch [batch, length, embed]. */
  embedTokens(pad: PaddedBatch): Tensor {
    return this.embedding.call(tensor(pad.ids, { shape: [pad.batch, pad.length] }));
  }

  /** The logits from token embeddings [batch, length, embed] of a padded batch. */
  classifyEmbedded(e: Tensor, pad: PaddedBatch): Tensor {
    const lens = Array.from(pad.lengths);
    const h = this.rnn instanceof GRU ? this.rnn.call(e, undefined, { lengths: lens })[0] : this.rnn.call(e, undefined, { lengths: lens })[0];
    const feats = concat([maskedMaxOverTime(h, pad.mask), maskedMeanOverTime(h, pad.mask)], 1);
    return this.out.call(this.drop.call(feats));
  }

  forward(x: BatchInput): Tensor {
    const { pad } = this.expect(x, 'seq');
    return this.classifyEmbedded(this.embedTokens(pad), pad);
  }
}
