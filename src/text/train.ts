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

/** Hyper-parameters of {@link trainClassifier}. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
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

/** One mini-batch of an encoded set with its labels. */
export interface TextBatch {
  input: BatchInput;
  /** int32 class ids [batch] */
  target: Tensor;
}

/**
 * The mini-batches of an encoded set and its labels, as a DataLoader (a fresh order every pass
 * when shuffling, drawn from `generator`; sequences padded to each batch's longest).
 * @example for (const { input, target } of text.encodedBatches(set, y, { batchSize: 32 })) model.call(input)
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

export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  devLoss: number;
  devMacroF1: number;
  seconds: number;
}

export interface TrainResult {
  history: EpochRecord[];
  bestEpoch: number;
  bestDevMacroF1: number;
  seconds: number;
  /** training examples processed per second (forward + backward + update) */
  examplesPerSecond: number;
}

/**
 * Class probabilities [n * classes] of an encoded set, in eval mode without gradients.
 * @example const p = text.predictProba(model, set, 2); p[0] + p[1] // 1
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
 * @example const r = text.trainClassifier(model, trainSet, yTrain, devSet, yDev, 2, { epochs: 10, batchSize: 64, lr: 1e-3, seed: 1 });
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
