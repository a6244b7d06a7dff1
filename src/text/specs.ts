import { ChainruleError } from '../errors.js';
import type { FeatureConfig } from './features.js';
import type { Weighting } from './vectorizer.js';
import type { TextModule } from './models/base.js';
import { KimCNN } from './models/cnn.js';
import { FastText, LogisticRegression, SparseMLP } from './models/linear.js';
import { BiRNN } from './models/rnn.js';
import { type Pooling, type Positions, TransformerClassifier } from './models/transformer.js';

export const MODEL_NAMES = ['majority', 'logreg', 'mlp', 'fasttext', 'cnn', 'bigru', 'bilstm', 'transformer'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export const NEURAL_MODELS: readonly ModelName[] = ['mlp', 'fasttext', 'cnn', 'bigru', 'bilstm', 'transformer'];

/** Hyper-parameters of one model (features, architecture and training). */
export interface HyperParams {
  /** feature values of the sparse models (logreg, MLP): Boolean, TF or TF-IDF */
  weighting: Weighting;
  lr: number;
  epochs: number;
  batchSize: number;
  patience: number;
  weightDecay: number;
  /** hidden units (MLP, RNN) or filters per width (CNN) or embedding size (fastText) */
  hidden: number;
  embed: number;
  dropout: number;
  /** tokens kept per text (CNN, RNN) */
  maxLength: number;
  /** vocabulary / feature cap */
  maxFeatures: number;
  minDf: number;
  /** largest word n-gram */
  ngrams: number;
  /** attention heads per layer and encoder layers (transformer) */
  heads: number;
  layers: number;
  /** mean over the real tokens or a learned first token (transformer) */
  pooling: Pooling;
  /** learned position vectors or the sinusoidal table (transformer) */
  positions: Positions;
}

const BASE: HyperParams = {
  weighting: 'tfidf',
  lr: 1e-3,
  epochs: 10,
  batchSize: 64,
  patience: 3,
  weightDecay: 0,
  hidden: 64,
  embed: 64,
  dropout: 0.5,
  maxLength: 300,
  maxFeatures: 50_000,
  minDf: 2,
  ngrams: 1,
  heads: 4,
  layers: 2,
  pooling: 'mean',
  positions: 'learned',
};

/** Default hyper-parameters per model (chosen on the SpamAssassin dev split). */
export const DEFAULTS: Record<Exclude<ModelName, 'majority'>, HyperParams> = {
  logreg: { ...BASE, lr: 0.02, epochs: 20, patience: 4, ngrams: 2 },
  mlp: { ...BASE, lr: 2e-3, epochs: 10, hidden: 64, ngrams: 2 },
  fasttext: { ...BASE, lr: 0.01, epochs: 15, embed: 32, dropout: 0, ngrams: 2, patience: 4 },
  cnn: { ...BASE, lr: 3e-3, epochs: 4, patience: 2, hidden: 32, embed: 32, dropout: 0.3, maxLength: 200, maxFeatures: 30_000 },
  // the recurrent models see 200 tokens for 6 epochs since their layers run as fused kernels (about 75 s on the body view)
  bigru: { ...BASE, lr: 3e-3, epochs: 6, patience: 2, hidden: 32, embed: 32, dropout: 0.3, maxLength: 200, maxFeatures: 30_000 },
  bilstm: { ...BASE, lr: 3e-3, epochs: 6, patience: 2, hidden: 32, embed: 32, dropout: 0.3, maxLength: 200, maxFeatures: 30_000 },
  transformer: { ...BASE, lr: 1e-3, epochs: 6, patience: 2, hidden: 128, embed: 64, dropout: 0.1, maxLength: 200, maxFeatures: 30_000 },
};

const TRAINING: (keyof HyperParams)[] = ['lr', 'epochs', 'batchSize', 'patience', 'weightDecay'];
const SEQ: (keyof HyperParams)[] = [...TRAINING, 'embed', 'hidden', 'dropout', 'maxLength', 'maxFeatures', 'minDf'];

/** The hyper-parameters each model actually uses (for reports). */
export const RELEVANT: Record<Exclude<ModelName, 'majority'>, (keyof HyperParams)[]> = {
  logreg: [...TRAINING, 'weighting', 'maxFeatures', 'minDf', 'ngrams'],
  mlp: [...TRAINING, 'weighting', 'hidden', 'dropout', 'maxFeatures', 'minDf', 'ngrams'],
  fasttext: [...TRAINING, 'embed', 'dropout', 'maxFeatures', 'minDf', 'ngrams'],
  cnn: SEQ,
  bigru: SEQ,
  bilstm: SEQ,
  transformer: [...SEQ, 'heads', 'layers', 'pooling', 'positions'],
};

/** The small grid `--tune` searches on dev (each entry overrides the defaults). */
export const GRIDS: Record<Exclude<ModelName, 'majority'>, Partial<HyperParams>[]> = {
  logreg: [{ weighting: 'bool' }, { weighting: 'tf' }, { weighting: 'tfidf', ngrams: 1 }, { weighting: 'tfidf' }, { weighting: 'tfidf', lr: 0.05 }],
  mlp: [{ weighting: 'bool' }, { hidden: 32 }, { hidden: 64 }, { hidden: 128, dropout: 0.3 }, { ngrams: 1 }],
  fasttext: [{ embed: 16 }, { embed: 32 }, { embed: 64, lr: 5e-3 }, { ngrams: 1 }],
  cnn: [{ hidden: 32 }, { hidden: 64 }, { dropout: 0.5 }, { maxLength: 300 }],
  bigru: [{ hidden: 32 }, { hidden: 48 }, { maxLength: 150 }],
  bilstm: [{ hidden: 32 }, { hidden: 48 }, { maxLength: 150 }],
  transformer: [{ pooling: 'first' }, { positions: 'sinusoidal' }, { layers: 1 }, { embed: 32, hidden: 64 }, { lr: 3e-4 }],
};

/** How a model's texts become inputs. */
export function featureConfig(model: Exclude<ModelName, 'majority'>, hp: HyperParams): FeatureConfig {
  switch (model) {
    case 'logreg':
    case 'mlp':
      return {
        kind: 'sparse',
        vectorizer: { weighting: hp.weighting, ngramRange: [1, hp.ngrams], minDf: hp.minDf, maxFeatures: hp.maxFeatures, sublinearTf: true },
      };
    case 'fasttext':
      return { kind: 'bag', ngramRange: [1, hp.ngrams], minDf: hp.minDf, maxFeatures: hp.maxFeatures };
    case 'cnn':
      return { kind: 'seq', minCount: hp.minDf, maxSize: hp.maxFeatures, maxLength: hp.maxLength, minLength: 5 };
    case 'bigru':
    case 'bilstm':
    case 'transformer':
      return { kind: 'seq', minCount: hp.minDf, maxSize: hp.maxFeatures, maxLength: hp.maxLength };
  }
}

/** Builds the (freshly initialised) network of a model. */
export function buildModel(model: Exclude<ModelName, 'majority'>, inputSize: number, classes: number, hp: HyperParams): TextModule {
  switch (model) {
    case 'logreg':
      return new LogisticRegression(inputSize, classes);
    case 'mlp':
      return new SparseMLP(inputSize, hp.hidden, classes, hp.dropout);
    case 'fasttext':
      return new FastText(inputSize, hp.embed, classes, hp.dropout);
    case 'cnn':
      return new KimCNN(inputSize, classes, { embed: hp.embed, filters: hp.hidden, dropout: hp.dropout });
    case 'bigru':
      return new BiRNN('gru', inputSize, classes, { embed: hp.embed, hidden: hp.hidden, dropout: hp.dropout });
    case 'bilstm':
      return new BiRNN('lstm', inputSize, classes, { embed: hp.embed, hidden: hp.hidden, dropout: hp.dropout });
    case 'transformer':
      return new TransformerClassifier(inputSize, classes, {
        embed: hp.embed,
        heads: hp.heads,
        layers: hp.layers,
        hidden: hp.hidden,
        dropout: hp.dropout,
        maxLength: hp.maxLength,
        pooling: hp.pooling,
        positions: hp.positions,
      });
  }
}

/** Parses a model name, with the list of valid ones in the error. */
export function parseModelName(s: string): ModelName {
  if ((MODEL_NAMES as readonly string[]).includes(s)) return s as ModelName;
  throw new ChainruleError(`textclf: unknown model ${JSON.stringify(s)} (models: ${MODEL_NAMES.join(', ')})`);
}
