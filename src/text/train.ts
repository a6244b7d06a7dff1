import { noGrad } from '../autograd/mode.js';
import { crossEntropy } from '../nn/fn/loss.js';
import { Adam } from '../optim/adam.js';
import { tensor } from '../tensor/creation.js';
import { type EncodedSet, encodedLength, makeBatch } from './features.js';
import { macroF1, mulberry32 } from './metrics.js';
import type { TextModule } from './models/base.js';
import { type OutputStream, ProgressReporter } from '../train/progress.js';
import type { Tensor } from '../ops/index.js';

/** Hyper-parameters of {@link trainClassifier}. */
export interface TrainOptions {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay?: number;
  /** stop after this many epochs without a better dev macro-F1 (default 3) */
  patience?: number;
  /** seeds the shuffling (the caller seeds parameter init and dropout with manualSeed) */
  seed: number;
  /** names the training run in the progress output */
  label?: string;
  /** where progress goes (process.stderr in the CLI): a live bar on a terminal, else one line per epoch; none by default */
  progress?: OutputStream;
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
 * @example const p = predictProba(model, set, 2); p[0] + p[1] // 1
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

function snapshot(model: TextModule): Map<Tensor, Float32Array | Float64Array> {
  const m = new Map<Tensor, Float32Array | Float64Array>();
  for (const p of model.parameters()) m.set(p, (p.data as Float32Array).slice());
  return m;
}

/**
 * Mini-batch training with Adam and cross-entropy, shuffled each epoch with a seeded PRNG, early
 * stopping on dev macro-F1 (patience epochs) and restoring the best epoch's weights at the end.
 * @example const r = trainClassifier(model, trainSet, yTrain, devSet, yDev, 2, { epochs: 10, batchSize: 64, lr: 1e-3, seed: 1 });
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
  const n = encodedLength(train);
  const rng = mulberry32(opts.seed);
  const opt = new Adam(model.parameters(), { lr: opts.lr, weightDecay: opts.weightDecay ?? 0 });
  const patience = opts.patience ?? 3;
  const stepsPerEpoch = Math.ceil(n / opts.batchSize);
  const progress = opts.progress ? new ProgressReporter(opts.progress, opts.epochs) : null;
  progress?.message(`${opts.label ?? 'train'}: ${n} examples, ${stepsPerEpoch} batches per epoch`);
  const history: EpochRecord[] = [];
  let best = -1;
  let bestEpoch = 0;
  let bestWeights = snapshot(model);
  let since = 0;
  const t0 = Date.now();
  let trainMs = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const te = Date.now();
    progress?.epochBegin();
    model.train();
    const order = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      const idx = order.slice(s * opts.batchSize, (s + 1) * opts.batchSize);
      const target = tensor(Int32Array.from(idx, (i) => yTrain[i]), { shape: [idx.length] });
      opt.zeroGrad();
      const loss = crossEntropy(model.call(makeBatch(train, idx)), target);
      loss.backward();
      opt.step();
      lossSum += loss.item() * idx.length;
      progress?.batch(epoch - 1, s + 1, stepsPerEpoch, lossSum / Math.min(n, (s + 1) * opts.batchSize));
    }
    trainMs += Date.now() - te;
    const pDev = predictProba(model, dev, classes);
    const devF1 = macroF1(yDev, argmaxRows(pDev, classes), classes);
    const record = { epoch, trainLoss: lossSum / n, devLoss: meanNll(pDev, yDev, classes), devMacroF1: devF1, seconds: (Date.now() - te) / 1000 };
    history.push(record);
    progress?.epochEnd({ epoch: epoch - 1, loss: record.trainLoss, lr: opts.lr, devLoss: record.devLoss, devF1, seconds: record.seconds });
    if (devF1 > best) {
      best = devF1;
      bestEpoch = epoch;
      bestWeights = snapshot(model);
      since = 0;
    } else if (++since >= patience) {
      break;
    }
  }
  for (const [p, w] of bestWeights) p.data.set(w);
  const seconds = (Date.now() - t0) / 1000;
  return { history, bestEpoch, bestDevMacroF1: best, seconds, examplesPerSecond: (history.length * n) / Math.max(trainMs / 1000, 1e-9) };
}
