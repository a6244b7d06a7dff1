import { noGrad } from '../autograd/mode.js';
import { DataLoader } from '../data/loader.js';
import { ChainruleError } from '../errors.js';
import { crossEntropy } from '../nn/fn/loss.js';
import { Adam } from '../optim/adam.js';
import { tensor } from '../tensor/creation.js';
import { Generator } from '../tensor/random.js';
import { BestCheckpoint, EarlyStopping, EpochMetrics } from '../train/callbacks.js';
import { fit } from '../train/fit.js';
import type { OutputStream } from '../train/progress.js';
import { type BatchInput, type EncodedSet, encodedLength, makeBatch } from './features.js';
import { macroF1 } from './metrics.js';
import type { TextModule } from './models/base.js';
import type { Tensor } from '../ops/index.js';

/**
 * Hyper-parameters of {@link trainClassifier}.
 * @example
 * ```ts
 * const opts: text.TrainOptions = { epochs: 2, batchSize: 2, lr: 0.1, patience: 1, seed: 1 };
 * opts.patience // 1
 * ```
 */
export interface TrainOptions {
  /** most passes over the training set */
  epochs: number;
  /** examples per mini-batch */
  batchSize: number;
  /** Adam's learning rate */
  lr: number;
  /** Adam's L2 penalty (default 0) */
  weightDecay?: number;
  /** stop after this many epochs without a better dev macro-F1 (default 3) */
  patience?: number;
  /** seeds the shuffling, a generator of its own (the caller seeds parameter init and dropout with manualSeed) */
  seed: number;
  /** names the training run in the progress output */
  label?: string;
  /** where progress goes (process.stderr in the CLI): a live bar on a terminal, else one line per epoch; none by default */
  progress?: OutputStream;
}

/**
 * One mini-batch of an encoded set with its labels.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const set = f.encode(docs);
 * const y = new Int32Array([1, 0, 1]);
 * const [first] = [...text.encodedBatches(set, y, { batchSize: 2 })];
 * first.target.toArray() // [1, 0]
 * ```
 */
export interface TextBatch {
  /** the texts of the batch as the model takes them (CSR rows or padded ids) */
  input: BatchInput;
  /** int32 class ids [batch] */
  target: Tensor;
}

/**
 * The mini-batches of an encoded set and its labels, as a DataLoader (a fresh order every pass
 * when shuffling, drawn from `generator`; sequences padded to each batch's longest).
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const set = f.encode(docs);
 * const y = new Int32Array([1, 0, 1]);
 * const sizes = [];
 * for (const { target } of text.encodedBatches(set, y, { batchSize: 2 })) sizes.push(target.shape[0]);
 * sizes // [2, 1]
 * ```
 */
export function encodedBatches(
  set: EncodedSet,
  y: Int32Array,
  opts: { batchSize: number; shuffle?: boolean; generator?: Generator },
): DataLoader<number, TextBatch> {
  const n = encodedLength(set);
  if (y.length !== n) throw new ChainruleError(`encodedBatches: ${n} examples but ${y.length} labels`);
  const examples = { length: n, get: (i: number) => i };
  return new DataLoader(examples, {
    batchSize: opts.batchSize,
    shuffle: opts.shuffle ?? false,
    generator: opts.generator,
    collate: (idx: number[]): TextBatch => ({ input: makeBatch(set, idx), target: tensor(Int32Array.from(idx, (i) => y[i]), { shape: [idx.length] }) }),
  });
}

/** One epoch of trainClassifier's history (TrainResult.history). */
export interface EpochRecord {
  /** the epoch's number, from 1 */
  epoch: number;
  /** mean cross-entropy over the epoch's training examples (with dropout on, as trained) */
  trainLoss: number;
  /** mean negative log-likelihood of the dev split after the epoch, in eval mode */
  devLoss: number;
  /** macro-F1 of the dev split after the epoch (what early stopping and the best epoch use) */
  devMacroF1: number;
  /** wall time of the epoch, evaluation included */
  seconds: number;
}

/**
 * What trainClassifier reports: the per-epoch history, the best epoch (whose weights the model
 * holds afterwards) and the speed.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const set = f.encode(docs);
 * const y = new Int32Array([1, 0, 1]);
 * const r: text.TrainResult = text.trainClassifier(new text.LogisticRegression(f.size, 2), set, y, set, y, 2, { epochs: 2, batchSize: 2, lr: 0.1, seed: 1 });
 * Object.keys(r.history[0]) // ['epoch', 'trainLoss', 'devLoss', 'devMacroF1', 'seconds']
 * ```
 */
export interface TrainResult {
  /** one record per epoch run */
  history: EpochRecord[];
  /** the epoch with the best dev macro-F1 (1-based) */
  bestEpoch: number;
  /** its dev macro-F1 */
  bestDevMacroF1: number;
  /** wall time of the whole training */
  seconds: number;
  /** training examples processed per second (forward + backward + update) */
  examplesPerSecond: number;
}

/**
 * Class probabilities [n * classes] of an encoded set, in eval mode without gradients.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const set = f.encode(docs);
 * const y = new Int32Array([1, 0, 1]);
 * const p = text.predictProba(new text.LogisticRegression(f.size, 2), set, 2); // untrained: zero weights
 * Array.from(p) // [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
 * ```
 */
export function predictProba(model: TextModule, set: EncodedSet, classes: number, batchSize = 256): Float32Array {
  const n = encodedLength(set);
  const out = new Float32Array(n * classes);
  const was = model.training;
  model.eval();
  noGrad(() => {
    for (let s = 0; s < n; s += batchSize) {
      const idx = Array.from({ length: Math.min(batchSize, n - s) }, (_, i) => s + i);
      const p = model.call(makeBatch(set, idx)).softmax(1);
      for (let i = 0; i < p.data.length; i++) out[s * classes + i] = p.data[i];
    }
  });
  model.train(was);
  return out;
}

/**
 * Arg-max class of each row of a probability block.
 * @example argmaxRows(Float32Array.from([0.2, 0.8, 0.6, 0.4]), 2) // Int32Array [1, 0]
 */
export function argmaxRows(p: Float32Array, classes: number): Int32Array {
  const n = p.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[i * classes + c] > p[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

function meanNll(p: Float32Array, y: Int32Array, classes: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(Math.max(p[i * classes + y[i]], 1e-12));
  return s / Math.max(1, y.length);
}

/** The shuffling's own stream: the global generator (parameter init, dropout) is seeded with the same number. */
const SHUFFLE_STREAM = 0x5f1e;

/**
 * Mini-batch training with Adam and cross-entropy on the core training loop (train/fit.ts):
 * shuffled each epoch by a seeded Generator, dev loss and macro-F1 computed after each epoch
 * (an EpochMetrics callback, logged as devLoss and devF1), early stopping on dev macro-F1
 * (patience epochs) and the best epoch's weights restored at the end.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const set = f.encode(docs);
 * const y = new Int32Array([1, 0, 1]);
 * const model = new text.LogisticRegression(f.size, 2);
 * const r = text.trainClassifier(model, set, y, set, y, 2, { epochs: 2, batchSize: 2, lr: 0.1, seed: 1 });
 * r.history.length // 2
 * r.bestDevMacroF1 // 1
 * ```
 */
export function trainClassifier(
  model: TextModule,
  train: EncodedSet,
  yTrain: Int32Array,
  dev: EncodedSet,
  yDev: Int32Array,
  classes: number,
  opts: TrainOptions,
): TrainResult {
  const t0 = Date.now();
  const batches = encodedBatches(train, yTrain, { batchSize: opts.batchSize, shuffle: true, generator: new Generator(opts.seed ^ SHUFFLE_STREAM) });
  const devMetrics = new EpochMetrics(() => {
    const p = predictProba(model, dev, classes);
    return { devLoss: meanNll(p, yDev, classes), devF1: macroF1(yDev, argmaxRows(p, classes), classes) };
  });
  const best = new BestCheckpoint({ monitor: 'devF1', mode: 'max' });
  opts.progress?.write(`${opts.label ?? 'train'}: ${encodedLength(train)} examples, ${batches.length} batches per epoch\n`);
  const h = fit(model, {
    train: batches,
    lossFn: crossEntropy,
    optimizer: new Adam(model.parameters(), { lr: opts.lr, weightDecay: opts.weightDecay ?? 0 }),
    epochs: opts.epochs,
    unpack: (b: TextBatch) => ({ inputs: [b.input], target: b.target }),
    callbacks: [devMetrics, new EarlyStopping({ monitor: 'devF1', mode: 'max', patience: opts.patience ?? 3 }), best],
    progress: opts.progress !== undefined,
    output: opts.progress,
  });
  const history = h.epochs.map((e) => ({ epoch: e.epoch + 1, trainLoss: e.loss, devLoss: e.devLoss, devMacroF1: e.devF1, seconds: e.seconds }));
  return {
    history,
    bestEpoch: best.bestEpoch + 1,
    bestDevMacroF1: best.best ?? Number.NaN,
    seconds: (Date.now() - t0) / 1000,
    examplesPerSecond: h.examplesPerSecond,
  };
}
