import { ChainruleError } from '../errors.js';
import { type PaddedBatch, padSequences } from './sequences.js';
import { type CsrMatrix, csrSelectRows } from '../tensor/sparse.js';
import type { TokenizerOptions } from './tokenizer.js';
import { Vectorizer, type VectorizerOptions, type VectorizerState } from './vectorizer.js';
import { Vocabulary } from './vocab.js';

/**
 * How texts become model inputs: `sparse` (Boolean/TF/TF-IDF n-gram rows, for logistic
 * regression and the MLP), `bag` (n-gram ids with mean weights: an EmbeddingBag in sparse form,
 * for fastText) or `seq` (padded token-id sequences, for the CNN and RNNs).
 * @example text.Featurizer.fit([['a', 'b'], ['a']], { kind: 'sparse', vectorizer: { minDf: 1 } }).size // 2
 */
export type FeatureConfig =
  | { kind: 'sparse'; tokenizer?: TokenizerOptions; vectorizer: VectorizerOptions }
  | { kind: 'bag'; tokenizer?: TokenizerOptions; ngramRange: [number, number]; minDf: number; maxFeatures: number }
  | { kind: 'seq'; tokenizer?: TokenizerOptions; minCount: number; maxSize: number; maxLength: number; minLength?: number };

export type FeatureState =
  | { kind: 'sparse'; tokenizer?: TokenizerOptions; vectorizer: VectorizerState }
  | { kind: 'bag'; tokenizer?: TokenizerOptions; vectorizer: VectorizerState }
  | { kind: 'seq'; tokenizer?: TokenizerOptions; vocab: { tokens: string[]; counts: number[] }; maxLength: number; minLength: number };

/** Encoded examples: one CSR matrix (sparse/bag) or one id list per text (seq). @example text.Featurizer.fit([['a', 'b']], { kind: 'seq', minCount: 1, maxSize: 10, maxLength: 8 }).encode([['b', 'a', 'z']]).kind // 'seq' */
export type EncodedSet = { kind: 'rows'; x: CsrMatrix } | { kind: 'seq'; ids: number[][]; maxLength: number; minLength: number };

/**
 * One mini-batch as models receive it: CSR rows (sparse/bag models) or a padded batch (sequence models).
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const batch: text.BatchInput = text.makeBatch(f.encode(docs), [0, 2]);
 * batch.kind // 'rows'
 * ```
 */
export type BatchInput = { kind: 'rows'; x: CsrMatrix } | { kind: 'seq'; pad: PaddedBatch };

/**
 * Fits the features on tokenised training texts and encodes any texts with them; serialisable
 * with toJSON/fromJSON so a saved model can featurise new texts.
 * @example
 * ```ts
 * const f = text.Featurizer.fit([['a', 'b'], ['a']], { kind: 'seq', minCount: 1, maxSize: 100, maxLength: 8 });
 * f.size // 4
 * ```
 */
export class Featurizer {
  private readonly vectorizer: Vectorizer | null;
  private readonly vocab: Vocabulary | null;

  constructor(readonly state: FeatureState) {
    this.vectorizer = state.kind === 'seq' ? null : Vectorizer.fromJSON(state.vectorizer);
    this.vocab = state.kind === 'seq' ? Vocabulary.fromJSON(state.vocab) : null;
  }

  static fit(train: readonly (readonly string[])[], cfg: FeatureConfig): Featurizer {
    if (train.length === 0) throw new ChainruleError('Featurizer.fit: no training texts');
    if (cfg.kind === 'sparse') return new Featurizer({ kind: 'sparse', tokenizer: cfg.tokenizer, vectorizer: Vectorizer.fit(train, cfg.vectorizer).state });
    if (cfg.kind === 'bag') {
      const v = Vectorizer.fit(train, { weighting: 'tf', normalize: false, ngramRange: cfg.ngramRange, minDf: cfg.minDf, maxFeatures: cfg.maxFeatures });
      return new Featurizer({ kind: 'bag', tokenizer: cfg.tokenizer, vectorizer: v.state });
    }
    const vocab = Vocabulary.build(train, { minCount: cfg.minCount, maxSize: cfg.maxSize });
    return new Featurizer({ kind: 'seq', tokenizer: cfg.tokenizer, vocab: vocab.toJSON(), maxLength: cfg.maxLength, minLength: cfg.minLength ?? 1 });
  }

  /** Input width: number of features (sparse/bag) or vocabulary size (seq). */
  get size(): number {
    return this.vectorizer ? this.vectorizer.size : (this.vocab as Vocabulary).size;
  }

  get tokenizer(): TokenizerOptions | undefined {
    return this.state.tokenizer;
  }

  encode(docs: readonly (readonly string[])[]): EncodedSet {
    const s = this.state;
    if (s.kind === 'seq') {
      const v = this.vocab as Vocabulary;
      return { kind: 'seq', ids: docs.map((d) => v.encode(d.slice(0, s.maxLength))), maxLength: s.maxLength, minLength: s.minLength };
    }
    const x = (this.vectorizer as Vectorizer).transform(docs);
    if (s.kind === 'bag') {
      // mean weights: each row sums to 1, so X·E is the mean of the n-gram embeddings
      for (let r = 0; r < x.rows; r++) {
        let sum = 0;
        for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) sum += x.values[k];
        for (let k = x.indptr[r]; k < x.indptr[r + 1]; k++) x.values[k] /= sum;
      }
    }
    return { kind: 'rows', x };
  }

  toJSON(): FeatureState {
    return this.state;
  }
}

/**
 * Number of examples in an encoded set.
 * @example
 * ```ts
 * const docs = [['free', 'prize'], ['team', 'meeting'], ['free', 'team']];
 * encodedLength(text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } }).encode(docs)) // 3
 * ```
 */
export function encodedLength(set: EncodedSet): number {
  return set.kind === 'rows' ? set.x.rows : set.ids.length;
}

/**
 * The mini-batch of the given example indices (sequences padded to the batch's longest).
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'seq', minCount: 1, maxSize: 100, maxLength: 8 });
 * const batch = text.makeBatch(f.encode(docs), [0, 1]); // padded to the longer text, 3 tokens
 * batch.kind === 'seq' && Array.from(batch.pad.ids) // [2, 7, 6, 3, 5, 0]
 * ```
 */
export function makeBatch(set: EncodedSet, idx: ArrayLike<number>): BatchInput {
  if (set.kind === 'rows') return { kind: 'rows', x: csrSelectRows(set.x, idx) };
  const seqs: number[][] = [];
  for (let i = 0; i < idx.length; i++) seqs.push(set.ids[idx[i]]);
  return { kind: 'seq', pad: padSequences(seqs, { maxLength: set.maxLength, minLength: set.minLength }) };
}
