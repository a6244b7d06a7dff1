import { ChainruleError } from '../errors.js';
import { type CsrMatrix, csrFromRows } from '../tensor/sparse.js';
import { ngrams } from './tokenizer.js';
import { Vocabulary } from './vocab.js';

/** How a document's n-gram counts become feature values: 1 if present, the count, or count·idf. @example text.Vectorizer.fit([['a', 'b'], ['a']], { weighting: 'tfidf', minDf: 1 }).state.idf // [1, 1.405465] */
export type Weighting = 'bool' | 'tf' | 'tfidf';

/** Options of {@link Vectorizer.fit}. @example text.Vectorizer.fit([['a', 'b'], ['a']], { weighting: 'bool', ngramRange: [1, 2], minDf: 1 }).state.features // ['a', 'a b', 'b'] */
export interface VectorizerOptions {
  /** the feature values (default 'tfidf') */
  weighting?: Weighting;
  /** word n-gram range (default [1, 1]) */
  ngramRange?: [number, number];
  /** keep features that occur in at least this many training documents (default 2) */
  minDf?: number;
  /** keep the most frequent (by document frequency) features (default 50,000) */
  maxFeatures?: number;
  /** tf = 1 + ln(count) instead of the raw count (default false) */
  sublinearTf?: boolean;
  /** scale each row to unit Euclidean length (default true) */
  normalize?: boolean;
}

/**
 * A fitted vectorizer as plain JSON (what a saved text model stores): its options, features and idf.
 * @example text.Vectorizer.fit([['a', 'b'], ['a']], { minDf: 1 }).state.features // ['a', 'b']
 */
export interface VectorizerState {
  /** the feature values: 'bool' (1 if present), 'tf' (counts) or 'tfidf' (VectorizerOptions.weighting) */
  weighting: Weighting;
  /** word n-gram range `[min, max]` the features were drawn from */
  ngramRange: [number, number];
  /** whether tf = 1 + ln(count) instead of the raw count */
  sublinearTf: boolean;
  /** whether each row is scaled to unit Euclidean length */
  normalize: boolean;
  /** the n-gram of each column */
  features: string[];
  /** each column's smoothed idf (all 1 unless tfidf) */
  idf: number[];
}

/**
 * Bag-of-n-grams features kept sparse. Boolean: 1 when the n-gram occurs; TF: its count (or
 * 1 + ln count); TF-IDF: tf * idf with the smoothed idf = ln((1 + N) / (1 + df)) + 1, N the
 * number of training documents and df the number containing the n-gram. Rows are L2-normalised
 * unless `normalize: false`.
 * @example
 * ```ts
 * const v = text.Vectorizer.fit([['a', 'b'], ['a']], { weighting: 'tf', minDf: 1, normalize: false });
 * const row = v.transform([['b', 'b', 'z']]); // the token z is unknown
 * Array.from(row.indices) // [1]
 * Array.from(row.values) // [2]
 * ```
 */
export class Vectorizer {
  /** the fitted features, idf and options as plain JSON (what toJSON returns) */
  readonly state: VectorizerState;
  private readonly index: Map<string, number>;

  constructor(state: VectorizerState) {
    this.state = state;
    this.index = new Map(state.features.map((f, i) => [f, i]));
  }

  /**
   * Learns the n-gram features (and their idf) of tokenised training documents.
   * @example text.Vectorizer.fit([['a', 'b'], ['a']], { minDf: 2 }).state.features // ['a']
   */
  static fit(docs: readonly (readonly string[])[], opts: VectorizerOptions = {}): Vectorizer {
    const { weighting = 'tfidf', ngramRange = [1, 1], minDf = 2, maxFeatures = 50_000, sublinearTf = false, normalize = true } = opts;
    if (docs.length === 0) throw new ChainruleError('Vectorizer.fit: no training documents');
    const vocab = Vocabulary.build(
      docs.map((d) => ngrams(d, ngramRange[0], ngramRange[1])),
      { minCount: minDf, maxSize: maxFeatures, specials: [], perDocument: true },
    );
    const n = docs.length;
    const idf = vocab.counts.map((df) => Math.log((1 + n) / (1 + df)) + 1);
    return new Vectorizer({ weighting, ngramRange, sublinearTf, normalize, features: vocab.tokens, idf });
  }

  /**
   * Number of features (columns).
   * @example text.Vectorizer.fit([['a', 'b'], ['a']], { minDf: 1 }).size // 2
   */
  get size(): number {
    return this.state.features.length;
  }

  /**
   * The sparse [docs, features] matrix of tokenised documents (unknown n-grams are ignored).
   * @example text.Vectorizer.fit([['a', 'b'], ['a']], { minDf: 1, weighting: 'bool', normalize: false }).transform([['a'], ['b', 'a']]).rows // 2
   */
  transform(docs: readonly (readonly string[])[]): CsrMatrix {
    const { weighting, ngramRange, sublinearTf, normalize, idf } = this.state;
    const rows = docs.map((d) => {
      const counts = new Map<number, number>();
      for (const g of ngrams(d, ngramRange[0], ngramRange[1])) {
        const i = this.index.get(g);
        if (i !== undefined) counts.set(i, (counts.get(i) ?? 0) + 1);
      }
      let norm = 0;
      for (const [i, c] of counts) {
        const tf = weighting === 'bool' ? 1 : sublinearTf ? 1 + Math.log(c) : c;
        const v = weighting === 'tfidf' ? tf * idf[i] : tf;
        counts.set(i, v);
        norm += v * v;
      }
      if (normalize && norm > 0) {
        const s = 1 / Math.sqrt(norm);
        for (const [i, v] of counts) counts.set(i, v * s);
      }
      return counts;
    });
    return csrFromRows(rows, this.size);
  }

  /**
   * The fitted state as plain JSON (the `state` field).
   * @example text.Vectorizer.fit([['a', 'b']], { minDf: 1 }).toJSON().features // ['a', 'b']
   */
  toJSON(): VectorizerState {
    return this.state;
  }

  /**
   * The vectorizer of a toJSON result.
   * @example text.Vectorizer.fromJSON(text.Vectorizer.fit([['a', 'b']], { minDf: 1 }).toJSON()).size // 2
   */
  static fromJSON(s: VectorizerState): Vectorizer {
    return new Vectorizer(s);
  }
}
