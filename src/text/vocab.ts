import { ChainruleError } from '../errors.js';

/** The padding token, id 0 of a default Vocabulary. @example text.Vocabulary.build([['a']]).id(text.PAD) // 0 */
export const PAD = '<pad>';
/** The token unknown words map to, id 1 of a default Vocabulary. @example text.Vocabulary.build([['a']]).id('zebra') // 1 */
export const UNK = '<unk>';

/** Options of {@link Vocabulary.build}. @example text.Vocabulary.build([['a', 'a'], ['b']], { perDocument: true, specials: [] }).counts // [1, 1] */
export interface VocabOptions {
  /** keep tokens seen at least this many times (default 1) */
  minCount?: number;
  /** keep at most this many tokens besides the specials (most frequent first) */
  maxSize?: number;
  /** special tokens placed first (default ['<pad>', '<unk>']: ids 0 and 1) */
  specials?: readonly string[];
  /** count each token once per document (document frequency) instead of every occurrence */
  perDocument?: boolean;
}

/**
 * A token <-> id mapping with counts. Specials come first; then tokens by descending count, ties
 * broken alphabetically (so the result does not depend on document order).
 * @example
 * ```ts
 * const v = text.Vocabulary.build([['a', 'b', 'a'], ['c']], { minCount: 2 });
 * v.tokens // ['<pad>', '<unk>', 'a']
 * v.id('c') // 1
 * v.encode(['a', 'c']) // [2, 1]
 * ```
 */
export class Vocabulary {
  /** the token of each id, specials first (`tokens[id]`) */
  readonly tokens: string[];
  /** how often each id's token was counted when built (0 for the specials and when not given) */
  readonly counts: number[];
  private readonly index = new Map<string, number>();
  /** the id of `<unk>`, which unknown tokens encode to (-1 when the vocabulary has none) */
  readonly unkId: number;
  /** the id of `<pad>`, which padded positions hold (-1 when the vocabulary has none) */
  readonly padId: number;

  constructor(tokens: string[], counts?: number[]) {
    this.tokens = tokens;
    this.counts = counts ?? tokens.map(() => 0);
    tokens.forEach((t, i) => {
      if (this.index.has(t)) throw new ChainruleError(`Vocabulary: duplicate token ${JSON.stringify(t)}`);
      this.index.set(t, i);
    });
    this.unkId = this.index.get(UNK) ?? -1;
    this.padId = this.index.get(PAD) ?? -1;
  }

  /**
   * Counts the tokens of the documents and keeps those seen minCount times (at most maxSize, most frequent first) after the specials.
   * @example text.Vocabulary.build([['b', 'a', 'b']]).tokens // ['<pad>', '<unk>', 'b', 'a']
   */
  static build(docs: Iterable<readonly string[]>, opts: VocabOptions = {}): Vocabulary {
    const { minCount = 1, maxSize = Number.POSITIVE_INFINITY, specials = [PAD, UNK], perDocument = false } = opts;
    const counts = new Map<string, number>();
    for (const doc of docs) {
      const toks = perDocument ? new Set(doc) : doc;
      for (const t of toks) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const special = new Set(specials);
    const kept = [...counts.entries()]
      .filter(([t, c]) => c >= minCount && !special.has(t))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxSize);
    return new Vocabulary([...specials, ...kept.map(([t]) => t)], [...specials.map(() => 0), ...kept.map(([, c]) => c)]);
  }

  /**
   * Number of tokens, specials included.
   * @example text.Vocabulary.build([['a', 'b']]).size // 4
   */
  get size(): number {
    return this.tokens.length;
  }

  /**
   * Whether the token has an id of its own.
   * @example text.Vocabulary.build([['a']]).has('b') // false
   */
  has(token: string): boolean {
    return this.index.has(token);
  }

  /**
   * The id of a token: its index, else the <unk> id, else -1.
   * @example text.Vocabulary.build([['a']]).id('a') // 2
   */
  id(token: string): number {
    return this.index.get(token) ?? this.unkId;
  }

  /**
   * Ids of a token list; unknown tokens map to <unk> (or are dropped when there is none).
   * @example text.Vocabulary.build([['a', 'b']]).encode(['b', 'x', 'a']) // [3, 1, 2]
   */
  encode(tokens: readonly string[]): number[] {
    const out: number[] = [];
    for (const t of tokens) {
      const i = this.id(t);
      if (i >= 0) out.push(i);
    }
    return out;
  }

  /**
   * The tokens and their counts as plain JSON (what a saved model stores).
   * @example text.Vocabulary.build([['a', 'a']]).toJSON().counts // [0, 0, 2]
   */
  toJSON(): {
    /** the token of each id */
    tokens: string[];
    /** the count of each id's token */
    counts: number[];
  } {
    return { tokens: this.tokens, counts: this.counts };
  }

  /**
   * The vocabulary of a toJSON result.
   * @example text.Vocabulary.fromJSON(text.Vocabulary.build([['a']]).toJSON()).id('a') // 2
   */
  static fromJSON(o: { tokens: string[]; counts?: number[] }): Vocabulary {
    return new Vocabulary(o.tokens, o.counts);
  }
}
