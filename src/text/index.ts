/**
 * Text classification building blocks that run anywhere (no file system): tokenizer, vocabulary,
 * sparse n-gram vectors, the differentiable sparse-dense product, padding, the text models, the
 * training loop and the evaluation helpers. Loaders (SpamAssassin, CSV/JSONL), reports and the
 * `chainrule textclf` command live next to these in src/text and src/cli.
 * @example
 * ```ts
 * const toks = [text.tokenize('Free prize!'), text.tokenize('Team meeting')];
 * const X = text.Vectorizer.fit(toks, { minDf: 1 }).transform(toks); // CSR rows
 * ```
 */
export { tokenize, ngrams, type TokenizerOptions, URL_TOKEN, EMAIL_TOKEN, NUM_TOKEN, LONG_TOKEN } from './tokenizer.js';
export { Vocabulary, PAD, UNK, type VocabOptions } from './vocab.js';
export { Vectorizer, type VectorizerOptions, type VectorizerState, type Weighting } from './vectorizer.js';
export { type CsrMatrix, csrFromRows, csrSelectRows, csrToDense, csrNnz } from '../tensor/sparse.js';
export { sparseMatmul, sparseMatmulT } from '../ops/index.js';
export { padSequences, type PaddedBatch, type PadOptions } from './sequences.js';
export { Featurizer, makeBatch, type FeatureConfig, type FeatureState, type BatchInput, type EncodedSet } from './features.js';
export { maskedMaxOverTime, maskedMeanOverTime } from './layers.js';
export { TextModule, type BatchOf } from './models/base.js';
export { LogisticRegression, SparseMLP, FastText } from './models/linear.js';
export { KimCNN } from './models/cnn.js';
export { BiRNN, type RnnCell } from './models/rnn.js';
export { TransformerClassifier, type TransformerClassifierOptions, type Pooling, type Positions } from './models/transformer.js';
export {
  explainText,
  type Baseline,
  type Completeness,
  type ExplainOptions,
  type ExplainableModel,
  type TextExplanation,
  type TokenAttribution,
} from './explain.js';
export { explanationText, explanationSvg, attentionSvg } from './explain-render.js';
export { trainClassifier, predictProba, encodedBatches, type EpochRecord, type TextBatch, type TrainOptions, type TrainResult } from './train.js';
export { classificationMetrics, prCurve, pairedBootstrap, type SplitMetrics, type ClassMetrics, type PrCurve, type BootstrapResult } from './metrics.js';
