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
  | {
      /** n-gram rows weighted by the vectorizer (Boolean, TF or TF-IDF) */
      kind: 'sparse';
      /** how the texts were tokenised (stored so new texts are tokenised alike; default tokenize's) */
      tokenizer?: TokenizerOptions;
      /** the n-gram range, document-frequency cut, weighting and normalisation of the rows */
      vectorizer: VectorizerOptions;
    }
  | {
      /** n-gram ids with mean weights (each row sums to 1): fastText's EmbeddingBag input */
      kind: 'bag';
      /** how the texts were tokenised (default tokenize's) */
      tokenizer?: TokenizerOptions;
      /** word n-gram range `[min, max]`, e.g. `[1, 2]` for unigrams and bigrams */
      ngramRange: [number, number];
      /** keep n-grams that occur in at least this many training texts */
      minDf: number;
      /** keep at most this many n-grams, the most frequent by document frequency */
      maxFeatures: number;
    }
  | {
      /** padded token-id sequences, for the CNN, the RNNs and the transformer */
      kind: 'seq';
      /** how the texts were tokenised (default tokenize's) */
      tokenizer?: TokenizerOptions;
      /** keep tokens seen at least this many times in training; rarer ones map to `<unk>` */
      minCount: number;
      /** keep at most this many tokens besides `<pad>` and `<unk>` (most frequent first) */
      maxSize: number;
      /** texts are cut to their first `maxLength` tokens */
      maxLength: number;
      /** batches are padded to at least this length (default 1; a CNN needs its widest filter) */
      minLength?: number;
    };

/**
 * A fitted Featurizer as plain JSON (what model.json stores): the config's kind and tokenizer with
 * the fitted vectorizer or vocabulary; `new text.Featurizer(state)` rebuilds it.
 * @example
 * ```ts
 * const state = text.Featurizer.fit([['a', 'b']], { kind: 'seq', minCount: 1, maxSize: 10, maxLength: 8 }).toJSON();
 * state.kind === 'seq' && state.vocab.tokens // ['<pad>', '<unk>', 'a', 'b']
 * new text.Featurizer(state).size // 4
 * ```
 */
export type FeatureState =
  | {
      /** n-gram rows (see FeatureConfig) */
      kind: 'sparse';
      /** how the texts were tokenised (default tokenize's) */
      tokenizer?: TokenizerOptions;
      /** the fitted vectorizer: its features, idf and options */
      vectorizer: VectorizerState;
    }
  | {
      /** n-gram ids with mean weights (see FeatureConfig) */
      kind: 'bag';
      /** how the texts were tokenised (default tokenize's) */
      tokenizer?: TokenizerOptions;
      /** the fitted vectorizer (TF weighting, not normalised; rows are scaled to sum 1 when encoding) */
      vectorizer: VectorizerState;
    }
  | {
      /** token-id sequences (see FeatureConfig) */
      kind: 'seq';
      /** how the texts were tokenised (default tokenize's) */
      tokenizer?: TokenizerOptions;
      /** the vocabulary: tokens in id order (specials first) and their training counts */
      vocab: {
        /** token of each id */
        tokens: string[];
        /** training count of each id's token (0 for the specials) */
        counts: number[];
      };
      /** texts are cut to their first `maxLength` tokens */
      maxLength: number;
      /** batches are padded to at least this length */
      minLength: number;
    };

/** Encoded examples: one CSR matrix (sparse/bag) or one id list per text (seq). @example text.Featurizer.fit([['a', 'b']], { kind: 'seq', minCount: 1, maxSize: 10, maxLength: 8 }).encode([['b', 'a', 'z']]).kind // 'seq' */
export type EncodedSet =
  | {
      /** one CSR row per text (the sparse and bag features) */
      kind: 'rows';
      /** the rows `[texts, features]` */
      x: CsrMatrix;
    }
  | {
      /** one token-id list per text (the seq features), padded only when batched */
      kind: 'seq';
      /** the token ids of each text, cut to maxLength */
      ids: number[][];
      /** the longest a text may be (its ids are already cut to it) */
      maxLength: number;
      /** the shortest a batch is padded to */
      minLength: number;
    };

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
export type BatchInput =
  | {
      /** CSR rows, for LogisticRegression, SparseMLP and FastText */
      kind: 'rows';
      /** the batch's rows `[batch, features]` */
      x: CsrMatrix;
    }
  | {
      /** padded token ids, for KimCNN, BiRNN and TransformerClassifier */
      kind: 'seq';
      /** the ids `[batch, length]`, their lengths and mask, padded with id 0 */
      pad: PaddedBatch;
    };

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

  /** Rebuilds fitted features from their JSON (`toJSON()`, or model.json's `features`). */
  constructor(
    /** the fitted features as plain JSON */
    readonly state: FeatureState,
  ) {
    this.vectorizer = state.kind === 'seq' ? null : Vectorizer.fromJSON(state.vectorizer);
    this.vocab = state.kind === 'seq' ? Vocabulary.fromJSON(state.vocab) : null;
  }

  /**
   * Fits the features on tokenised training texts: the vectorizer's n-grams and idf (sparse, bag)
   * or the vocabulary (seq). Throws a ChainruleError on an empty training set.
   * @example text.Featurizer.fit([['free', 'prize'], ['free']], { kind: 'sparse', vectorizer: { minDf: 2 } }).size // 1
   */
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

  /** The tokenizer options the training texts were tokenised with (undefined: tokenize's defaults); tokenise new texts alike. */
  get tokenizer(): TokenizerOptions | undefined {
    return this.state.tokenizer;
  }

  /**
   * Encodes tokenised texts with the fitted features: CSR rows (sparse; bag with rows summing to
   * 1) or token ids cut to maxLength, unknown tokens as `<unk>` (seq).
   * @example
   * ```ts
   * const f = text.Featurizer.fit([['a', 'b']], { kind: 'seq', minCount: 1, maxSize: 10, maxLength: 2 });
   * const set = f.encode([['b', 'z', 'a']]); // cut to 2 tokens; 'z' is unknown
   * set.kind === 'seq' && set.ids // [[3, 1]]
   * ```
   */
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

  /**
   * The fitted features as plain JSON, for model.json.
   * @example text.Featurizer.fit([['a']], { kind: 'sparse', vectorizer: { minDf: 1 } }).toJSON().kind // 'sparse'
   */
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
