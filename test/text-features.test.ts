import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { padSequences } from '../src/text/sequences.js';
import { csrFromRows, csrSelectRows, csrToDense } from '../src/tensor/sparse.js';
import { md5Hex, parseSplitName, splitOfChecksum } from '../src/text/split.js';
import { ngrams, tokenize } from '../src/text/tokenizer.js';
import { Vectorizer } from '../src/text/vectorizer.js';
import { Vocabulary } from '../src/text/vocab.js';

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-6) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `element ${i}: ${a[i]} vs ${b[i]}`);
};

describe('tokenize', () => {
  it('lower-cases, splits Unicode words and normalises URLs, e-mails and numbers', () => {
    assert.deepEqual(tokenize('Win $1,000 NOW at http://x.com/a?b=1 or mail Me@Example.org!'), [
      'win', '$', '<num>', 'now', 'at', '<url>', 'or', 'mail', '<email>', '!',
    ]);
    assert.deepEqual(tokenize('Größe: Ünïcödé 42 times, café/naïve; mp3 3.5'), ['größe', 'ünïcödé', '<num>', 'times', 'café', 'naïve', 'mp3', '<num>']);
    assert.deepEqual(tokenize('www.spam.com ΕΛΛΗΝΙΚΆ'), ['<url>', 'ελληνικά']);
  });
  it('honours its options', () => {
    assert.deepEqual(tokenize('A 12 b!', { lowercase: false, numbers: false, symbols: false }), ['A', '12', 'b']);
    assert.deepEqual(tokenize('see http://a.io/x', { urls: false }), ['see', 'http', 'a', 'io', 'x']);
    assert.deepEqual(tokenize(`ok ${'z'.repeat(41)}`), ['ok', '<long>']);
  });
  it('builds word n-grams', () => {
    assert.deepEqual(ngrams(['a', 'b', 'c'], 1, 2), ['a', 'b', 'c', 'a b', 'b c']);
    assert.deepEqual(ngrams(['a', 'b', 'c'], 3, 3), ['a b c']);
    assert.deepEqual(ngrams(['a'], 2, 2), []);
  });
});

describe('Vocabulary', () => {
  it('keeps specials first, then tokens by count with alphabetical ties, honouring minCount and maxSize', () => {
    const docs = [['b', 'a', 'c', 'a'], ['c', 'd', 'b'], ['e']];
    const v = Vocabulary.build(docs, { minCount: 2 });
    assert.deepEqual(v.tokens, ['<pad>', '<unk>', 'a', 'b', 'c']);
    assert.deepEqual(v.counts, [0, 0, 2, 2, 2]);
    assert.deepEqual(v.encode(['c', 'zzz', 'a']), [4, 1, 2]);
    assert.equal(v.padId, 0);
    const small = Vocabulary.build(docs, { maxSize: 1 });
    assert.deepEqual(small.tokens, ['<pad>', '<unk>', 'a']);
    const df = Vocabulary.build(docs, { perDocument: true, specials: [] });
    assert.deepEqual(df.tokens.slice(0, 3), ['b', 'c', 'a']);
    assert.deepEqual(df.counts.slice(0, 3), [2, 2, 1]);
    assert.deepEqual(Vocabulary.fromJSON(v.toJSON()).tokens, v.tokens);
  });
});

describe('Vectorizer', () => {
  const docs = [['spam', 'spam', 'ham'], ['ham', 'eggs'], ['spam']];
  it('Boolean and TF rows', () => {
    const b = Vectorizer.fit(docs, { weighting: 'bool', minDf: 1, normalize: false });
    // df: ham 2, spam 2, eggs 1 -> features sorted by df then name: ham, spam, eggs
    assert.deepEqual(b.state.features, ['ham', 'spam', 'eggs']);
    close(csrToDense(b.transform(docs)), [1, 1, 0, 1, 0, 1, 0, 1, 0]);
    const tf = Vectorizer.fit(docs, { weighting: 'tf', minDf: 1, normalize: false });
    close(csrToDense(tf.transform([['spam', 'spam', 'spam', 'x']])), [0, 3, 0]);
    const sub = Vectorizer.fit(docs, { weighting: 'tf', minDf: 1, normalize: false, sublinearTf: true });
    close(csrToDense(sub.transform([['spam', 'spam', 'spam']])), [0, 1 + Math.log(3), 0]);
  });
  it('TF-IDF matches a hand computation', () => {
    const v = Vectorizer.fit(docs, { weighting: 'tfidf', minDf: 1 });
    // N = 3; idf(ham) = idf(spam) = ln(4/3) + 1 = 1.2876821; idf(eggs) = ln(4/2) + 1 = 1.6931472
    close(v.state.idf, [1.2876820724517808, 1.2876820724517808, 1.6931471805599454], 1e-12);
    // doc 0: ham 1 * 1.28768, spam 2 * 1.28768 -> normalised (1, 2) / sqrt(5)
    // doc 1: ham 1.28768, eggs 1.69315 -> / sqrt(1.28768^2 + 1.69315^2) = / 2.12719
    close(csrToDense(v.transform(docs)), [0.4472136, 0.8944272, 0, 0.6053485, 0, 0.7959605, 0, 1, 0], 1e-6);
    const unnorm = Vectorizer.fit(docs, { weighting: 'tfidf', minDf: 1, normalize: false });
    close(csrToDense(unnorm.transform([['eggs', 'eggs']])), [0, 0, 3.386294361], 1e-6);
  });
  it('bigrams, minDf and maxFeatures', () => {
    const v = Vectorizer.fit([['a', 'b'], ['a', 'b', 'c'], ['c']], { ngramRange: [1, 2], minDf: 2 });
    assert.deepEqual(v.state.features, ['a', 'a b', 'b', 'c']);
    const top = Vectorizer.fit([['a', 'b'], ['a', 'b', 'c'], ['c']], { ngramRange: [1, 2], minDf: 1, maxFeatures: 2 });
    assert.deepEqual(top.state.features, ['a', 'a b']);
  });
});

describe('CSR and sequences', () => {
  it('builds and slices CSR matrices', () => {
    const m = csrFromRows([new Map([[2, 1.5], [0, -1]]), new Map(), new Map([[1, 4], [2, 0]])], 3);
    assert.deepEqual([...m.indptr], [0, 2, 2, 3]);
    assert.deepEqual([...m.indices], [0, 2, 1]);
    close(csrToDense(csrSelectRows(m, [2, 0])), [0, 4, 0, -1, 0, 1.5]);
  });
  it('pads, truncates and masks', () => {
    const b = padSequences([[5, 6, 7], [8], []], { maxLength: 2 });
    assert.deepEqual([...b.ids], [5, 6, 8, 0, 0, 0]);
    assert.deepEqual([...b.mask], [1, 1, 1, 0, 1, 0]);
    assert.deepEqual([...b.lengths], [2, 1, 1]);
    const pre = padSequences([[5, 6, 7]], { maxLength: 2, truncation: 'pre', minLength: 4, padId: 9 });
    assert.deepEqual([...pre.ids], [6, 7, 9, 9]);
    assert.equal(pre.length, 4);
  });
});

describe('split rule', () => {
  it('buckets the first 8 hex digits modulo 10', () => {
    assert.equal(splitOfChecksum('7c53336b37003a9286aba55d2945844c'), 'train'); // 2085827435 % 10 = 5
    assert.equal(splitOfChecksum('00000007ffffffff'), 'dev');
    assert.equal(splitOfChecksum('00000012'), 'test'); // 18 % 10 = 8
    assert.equal(md5Hex('abc'), '900150983cd24fb0d6963f7d28e17f72');
    assert.equal(parseSplitName(' Validation '), 'dev');
    assert.equal(parseSplitName('holdout'), null);
    assert.throws(() => splitOfChecksum('xyz'), /MD5 hex digest/);
  });
});
