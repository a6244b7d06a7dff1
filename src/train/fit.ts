import { ChainruleError } from '../errors.js';
import { clipGradNorm } from '../optim/clip.js';
import type { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau } from '../optim/plateau.js';
import type { Scheduler } from '../optim/scheduler.js';
import { BestCheckpoint, type BestCheckpointOptions, EarlyStopping, type EarlyStoppingOptions } from './callbacks.js';
import { readMonitor } from './monitor.js';
import { type LossFn, type MetricFn, type Unpack, defaultUnpack, evaluate, forwardLoss as forwardLossOf, lossFunction, passMetrics, rowsOf } from './pass.js';
import { type OutputStream, ProgressReporter } from './progress.js';
import type { Callback, EpochLog, FitContext, TrainableModel } from './types.js';
import type { Tensor } from '../ops/index.js';

/** What fit trains on and how: the batches, loss, optimizer and epochs, then the optional validation, metrics, scheduler, callbacks and progress. */
export interface FitOptions<B = unknown> {
  /** training batches; iterated once per epoch (a DataLoader reshuffles each pass) */
  train: Iterable<B>;
  /** validation batches, evaluated after each epoch in eval mode without gradients */
  val?: Iterable<B>;
  /** loss of (output, target): a function or a loss module with forward */
  lossFn: LossFn;
  /** the optimizer stepped after every training batch */
  optimizer: Optimizer;
  /** the number of passes over `train` */
  epochs: number;
  /** epoch metrics over all outputs: by name, each (target, output) → number; logged as `name` and `valName` */
  metrics?: Record<string, MetricFn>;
  /** objects whose hooks (onTrainBegin, onEpochBegin, onEpochEnd, ...) run at each stage, like Keras callbacks (default none) */
  callbacks?: Callback[];
  /** stepped once per epoch (ReduceLROnPlateau with the monitored value, valLoss when there is validation data) */
  scheduler?: Scheduler & ({ step(): void } | ReduceLROnPlateau);
  /** the value ReduceLROnPlateau watches (default valLoss, or loss without validation data) */
  schedulerMonitor?: string;
  /** shorthand for an EarlyStopping callback */
  earlyStopping?: EarlyStoppingOptions;
  /** shorthand for a BestCheckpoint callback (best weights in memory, optionally in a file, restored at the end) */
  checkpoint?: BestCheckpointOptions;
  /** clip the gradients' global 2-norm to this before each step */
  clipGradNorm?: number;
  /** split a batch into model inputs and target (default: [...inputs, target] = batch) */
  unpack?: Unpack<B>;
  /** progress output: true/'auto' (bar on a TTY, lines otherwise; the default), false for silence */
  progress?: boolean | 'auto';
  /** where progress goes (default process.stdout) */
  output?: OutputStream;
}

/** What fit returns: the epoch logs, why it stopped early, the best epoch and the training throughput. */
export interface History {
  /** one entry per completed epoch */
  epochs: EpochLog[];
  /** why training ended before `epochs`, if it did */
  stoppedEarly: string | null;
  /** the best epoch by the checkpoint's (or early stopping's) monitor, when one was used */
  bestEpoch: number | null;
  /** training examples processed: the rows of every training batch, over all epochs */
  examples: number;
  /** seconds spent in the training passes (drawing batches, forward, loss, backward, step); validation and callbacks excluded */
  trainSeconds: number;
  /** training throughput: examples / trainSeconds */
  examplesPerSecond: number;
}

interface PassResult {
  loss: number;
  metrics: Record<string, number>;
  examples: number;
  seconds: number;
}

/**
 * Trains a model for a number of epochs with the five classic steps (forward, loss, zeroGrad,
 * backward, step) and returns the per-epoch history (and the training throughput) as data.
 * Optional: validation after each epoch, metrics, a scheduler, gradient clipping, early stopping,
 * best-weights checkpointing and restore, callbacks (which may add values of their own to the
 * epoch log for the others to monitor: EpochMetrics), and a progress bar on a TTY. A
 * hand-written loop remains just as good: fit only saves the bookkeeping. The model is left in
 * eval mode.
 *
 * @example
 * manualSeed(0);
 * const X = randn([64, 2]);
 * const y = X.sum(1).gt(0).int(); // class 1 when x0 + x1 > 0
 * const model = new nn.Linear(2, 2);
 * const history = fit(model, {
 *   train: new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 16, shuffle: true }),
 *   val: new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 64 }),
 *   lossFn: new nn.CrossEntropyLoss(),
 *   optimizer: new optim.SGD(model.parameters(), { lr: 0.5 }),
 *   epochs: 10,
 *   metrics: { accuracy: (target, out) => metrics.accuracy(target, out) },
 *   earlyStopping: { monitor: 'valLoss', patience: 3 },
 *   checkpoint: { monitor: 'valAccuracy' },
 *   progress: false,
 * });
 * history.epochs.length; // 10
 * history.epochs[9].valAccuracy > 0.9; // true
 * history.examples; // 640
 */
export function fit<B = unknown>(model: TrainableModel, opts: FitOptions<B>): History {
  if (!model || typeof model.forward !== 'function' || typeof model.train !== 'function' || typeof model.eval !== 'function') {
    throw new ChainruleError('fit: the model needs forward, train and eval methods (an nn.Module has them)');
  }
  if (!Number.isInteger(opts.epochs) || opts.epochs <= 0) throw new ChainruleError(`fit: epochs must be a positive integer, got ${opts.epochs}`);
  if (!opts.train || typeof (opts.train as Iterable<B>)[Symbol.iterator] !== 'function') throw new ChainruleError('fit: train must be an iterable of batches (a DataLoader)');
  if (!opts.optimizer || typeof opts.optimizer.step !== 'function') throw new ChainruleError('fit: an optimizer is required');
  const lossFn = lossFunction(opts.lossFn, 'fit');
  const unpack = opts.unpack ?? (defaultUnpack as Unpack<B>);
  const metricFns = Object.entries(opts.metrics ?? {});
  for (const [name, f] of metricFns) if (typeof f !== 'function') throw new ChainruleError(`fit: metric ${name} must be a function (target, output) => number`);

  const callbacks = [...(opts.callbacks ?? [])];
  let early: EarlyStopping | null = null;
  let best: BestCheckpoint | null = null;
  if (opts.earlyStopping) callbacks.push((early = new EarlyStopping(opts.earlyStopping)));
  if (opts.checkpoint) callbacks.push((best = new BestCheckpoint(opts.checkpoint)));
  early ??= callbacks.find((c): c is EarlyStopping => c instanceof EarlyStopping) ?? null;
  best ??= callbacks.find((c): c is BestCheckpoint => c instanceof BestCheckpoint) ?? null;

  const showProgress = opts.progress ?? 'auto';
  const out = opts.output ?? (globalThis as { process?: { stdout?: OutputStream } }).process?.stdout;
  const reporter = showProgress && out ? new ProgressReporter(out, opts.epochs) : null;
  const params = model.parameters();
  const ctx: FitContext = { model, epochs: opts.epochs, history: [], stop: false };
  const totalBatches = (it: unknown): number | null => {
    const n = (it as { length?: unknown }).length;
    return typeof n === 'number' ? n : null;
  };

  const forwardLoss = (batch: B) => forwardLossOf(model, batch, unpack, lossFn);
  const epochMetrics = (outputs: Tensor[], targets: Tensor[]) => passMetrics(metricFns, outputs, targets);

  const trainEpoch = (epoch: number): PassResult => {
    const t0 = performance.now();
    model.train(true);
    let sum = 0;
    let count = 0;
    const outputs: Tensor[] = [];
    const targets: Tensor[] = [];
    const total = totalBatches(opts.train);
    let b = 0;
    for (const batch of opts.train) {
      opts.optimizer.zeroGrad();
      const { loss, output, target } = forwardLoss(batch);
      loss.backward();
      if (opts.clipGradNorm !== undefined) clipGradNorm(params, opts.clipGradNorm);
      opts.optimizer.step();
      const l = loss.item();
      const n = rowsOf(target);
      sum += l * n;
      count += n;
      if (metricFns.length) {
        outputs.push(output.detach());
        targets.push(target);
      }
      b++;
      for (const c of callbacks) c.onBatchEnd?.(b - 1, { loss: l }, ctx);
      reporter?.batch(epoch, b, total, sum / count, metricFns.length ? () => epochMetrics(outputs, targets) : undefined);
    }
    if (count === 0) throw new ChainruleError('fit: the training data yielded no batches');
    const seconds = (performance.now() - t0) / 1000;
    return { loss: sum / count, metrics: epochMetrics(outputs, targets), examples: count, seconds };
  };

  let examples = 0;
  let trainSeconds = 0;

  for (const c of callbacks) c.onTrainBegin?.(ctx);
  for (let epoch = 0; epoch < opts.epochs && !ctx.stop; epoch++) {
    const t0 = Date.now();
    for (const c of callbacks) c.onEpochBegin?.(epoch, ctx);
    reporter?.epochBegin();
    const lr = opts.optimizer.paramGroups[0].lr;
    const tr = trainEpoch(epoch);
    examples += tr.examples;
    trainSeconds += tr.seconds;
    const log: EpochLog = { epoch, loss: tr.loss, ...tr.metrics, lr, seconds: 0 };
    if (opts.val) {
      const { loss: valLoss, ...valMetrics } = evaluate(model, opts.val, { lossFn, metrics: opts.metrics, unpack });
      log.valLoss = valLoss;
      for (const [k, x] of Object.entries(valMetrics)) log[`val${k[0].toUpperCase()}${k.slice(1)}`] = x;
    }
    for (const c of callbacks) c.onEvaluate?.(epoch, log, ctx);
    if (opts.scheduler) {
      if (opts.scheduler instanceof ReduceLROnPlateau) {
        opts.scheduler.step(readMonitor(log, opts.schedulerMonitor ?? (opts.val ? 'valLoss' : 'loss'), 'fit (ReduceLROnPlateau)'));
      } else (opts.scheduler as { step(): void }).step();
    }
    log.seconds = (Date.now() - t0) / 1000;
    ctx.history.push(log);
    reporter?.epochEnd(log);
    for (const c of callbacks) c.onEpochEnd?.(epoch, log, ctx);
  }
  for (const c of callbacks) c.onTrainEnd?.(ctx);
  model.eval();
  if (ctx.stop && ctx.stopReason) reporter?.message(ctx.stopReason);
  if (best?.restore && best.bestEpoch >= 0) reporter?.message(`restored the weights of epoch ${best.bestEpoch + 1} (${best.monitor} ${best.best})`);
  return {
    epochs: ctx.history,
    stoppedEarly: ctx.stop ? (ctx.stopReason ?? 'stopped by a callback') : null,
    bestEpoch: best ? best.bestEpoch : early ? early.bestEpoch : null,
    examples,
    trainSeconds,
    examplesPerSecond: examples / Math.max(trainSeconds, 1e-9),
  };
}
