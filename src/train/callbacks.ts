import { ChainruleError } from '../errors.js';
import { save } from '../io/save.js';
import { type MonitorMode, improves, readMonitor, resolveMode } from './monitor.js';
import type { Callback, EpochLog, FitContext } from './types.js';
import { Tensor } from '../ops/index.js';

/** The options of EarlyStopping (and fit's `earlyStopping`): what to monitor, which way is better, how long to wait. */
export interface EarlyStoppingOptions {
  /** the epoch-log value to watch (default 'valLoss') */
  monitor?: string;
  /** 'min', 'max' or 'auto' (losses down, other metrics up; the default) */
  mode?: MonitorMode;
  /** epochs without improvement before stopping (default 5) */
  patience?: number;
  /** the smallest change that counts as an improvement (default 0) */
  minDelta?: number;
}

/**
 * Stops training when the monitored value has not improved for `patience` epochs.
 * @example
 * manualSeed(0);
 * const X = randn([32, 2]);
 * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
 * const model = new nn.Linear(2, 1);
 * const stop = new EarlyStopping({ monitor: 'valLoss', patience: 2 });
 * // a learning rate of 0 never improves valLoss: the best is epoch 1, and 2 epochs later it stops
 * const history = fit(model, { train: batches, val: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0 }), epochs: 10, callbacks: [stop], progress: false });
 * history.epochs.length; // 3
 * stop.stoppedEpoch; // 2
 */
export class EarlyStopping implements Callback {
  /**
   * The epoch-log value watched.
   * @example new EarlyStopping().monitor // 'valLoss'
   */
  readonly monitor: string;
  /**
   * Which way is better: 'min' or 'max' ('auto' resolved: losses down, other metrics up).
   * @example new EarlyStopping({ monitor: 'valAccuracy' }).mode // 'max'
   */
  readonly mode: 'min' | 'max';
  /**
   * Epochs without improvement before stopping.
   * @example new EarlyStopping().patience // 5
   */
  readonly patience: number;
  /**
   * The smallest change that counts as an improvement.
   * @example new EarlyStopping({ minDelta: 0.01 }).minDelta // 0.01
   */
  readonly minDelta: number;
  /**
   * The best value seen so far (null before the first epoch).
   * @example new EarlyStopping().best // null
   */
  best: number | null = null;
  /**
   * The epoch of the best value (from 0; -1 before the first epoch).
   * @example new EarlyStopping().bestEpoch // -1
   */
  bestEpoch = -1;
  /**
   * Epochs since the last improvement.
   * @example new EarlyStopping().wait // 0
   */
  wait = 0;
  /**
   * The epoch training stopped after (from 0), or null when it did not stop early.
   * @example new EarlyStopping().stoppedEpoch // null
   */
  stoppedEpoch: number | null = null;

  constructor(opts: EarlyStoppingOptions = {}) {
    this.monitor = opts.monitor ?? 'valLoss';
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.patience = opts.patience ?? 5;
    this.minDelta = opts.minDelta ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new ChainruleError(`EarlyStopping: patience must be an integer >= 0, got ${this.patience}`);
    if (!(this.minDelta >= 0)) throw new ChainruleError(`EarlyStopping: minDelta must be >= 0, got ${this.minDelta}`);
  }

  onTrainBegin(): void {
    this.best = null;
    this.bestEpoch = -1;
    this.wait = 0;
    this.stoppedEpoch = null;
  }

  onEpochEnd(epoch: number, logs: EpochLog, ctx: FitContext): void {
    const v = readMonitor(logs, this.monitor, 'EarlyStopping');
    if (improves(v, this.best, this.mode, this.minDelta)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      ctx.stop = true;
      this.stoppedEpoch = epoch;
      ctx.stopReason = `early stopping: ${this.monitor} has not improved for ${this.patience} epoch(s); best ${this.best} at epoch ${this.bestEpoch + 1}`;
    }
  }
}

/**
 * Adds values computed by a function to every epoch's log, after validation and before the log
 * is read, so that early stopping, checkpoints and ReduceLROnPlateau can monitor a metric fit
 * does not compute itself: one on other data, from predictions that are not a tensor, or several
 * from one pass. The names must be new to the log.
 * @example
 * manualSeed(0);
 * const X = randn([32, 2]);
 * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
 * const model = new nn.Linear(2, 1);
 * const weightNorm = new EpochMetrics((ctx) => ({ weightNorm: (ctx.model as nn.Linear).weight.norm().item() }));
 * const history = fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, callbacks: [weightNorm], progress: false });
 * typeof history.epochs[1].weightNorm; // 'number'
 */
export class EpochMetrics implements Callback {
  constructor(
    /**
     * The function that computes the epoch's extra values, by name.
     * @example new EpochMetrics(() => ({ one: 1 })).compute({} as never, 0).one // 1
     */
    readonly compute: (ctx: FitContext, epoch: number) => Record<string, number>,
  ) {
    if (typeof compute !== 'function') throw new ChainruleError('EpochMetrics: expected a function (ctx, epoch) => { name: number }');
  }

  onEvaluate(epoch: number, logs: EpochLog, ctx: FitContext): void {
    for (const [k, v] of Object.entries(this.compute(ctx, epoch))) {
      if (typeof v !== 'number') throw new ChainruleError(`EpochMetrics: ${k} must be a number, got ${typeof v}`);
      if (k in logs) throw new ChainruleError(`EpochMetrics: ${k} is already in the epoch log`);
      logs[k] = v;
    }
  }
}

/** The options of BestCheckpoint (and fit's `checkpoint`): what to monitor, an optional file, whether to restore. */
export interface BestCheckpointOptions {
  /** the epoch-log value to watch (default 'valLoss') */
  monitor?: string;
  /** 'min', 'max' or 'auto' (losses down, other metrics up; the default) */
  mode?: MonitorMode;
  /** also write the best weights to this safetensors file (atomically) each time they improve */
  path?: string;
  /** load the best weights back into the model when training ends (default true) */
  restore?: boolean;
}

/**
 * Keeps the model weights of the best epoch (by a monitored value) in memory, optionally also in
 * a file, and restores them at the end of training.
 * @example
 * manualSeed(0);
 * const X = randn([32, 2]);
 * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
 * const model = new nn.Linear(2, 1);
 * const best = new BestCheckpoint({ monitor: 'valLoss', path: 'best.safetensors' });
 * fit(model, { train: batches, val: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 5, callbacks: [best], progress: false });
 * best.bestEpoch; // 4
 * Object.keys(load('best.safetensors')); // ['bias', 'weight']
 */
export class BestCheckpoint implements Callback {
  /**
   * The epoch-log value watched.
   * @example new BestCheckpoint({ monitor: 'valAccuracy' }).monitor // 'valAccuracy'
   */
  readonly monitor: string;
  /**
   * Which way is better: 'min' or 'max' ('auto' resolved: losses down, other metrics up).
   * @example new BestCheckpoint().mode // 'min'
   */
  readonly mode: 'min' | 'max';
  /**
   * The safetensors file the best weights are also written to, if any.
   * @example new BestCheckpoint({ path: 'best.safetensors' }).path // 'best.safetensors'
   */
  readonly path: string | undefined;
  /**
   * Whether the best weights are loaded back into the model when training ends.
   * @example new BestCheckpoint().restore // true
   */
  readonly restore: boolean;
  /**
   * The best value seen so far (null before the first epoch).
   * @example new BestCheckpoint().best // null
   */
  best: number | null = null;
  /**
   * The epoch of the best value (from 0; -1 before the first epoch).
   * @example new BestCheckpoint().bestEpoch // -1
   */
  bestEpoch = -1;
  /**
   * Copies of the best epoch's weights, by state-dict name (null before the first epoch).
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const seen: string[] = [];
   * const best = new BestCheckpoint({ monitor: 'loss' });
   * fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, callbacks: [best], progress: false });
   * Object.keys(best.weights ?? {}); // ['weight', 'bias']
   */
  weights: Record<string, Tensor> | null = null;

  constructor(opts: BestCheckpointOptions = {}) {
    this.monitor = opts.monitor ?? 'valLoss';
    this.mode = resolveMode(this.monitor, opts.mode ?? 'auto');
    this.path = opts.path;
    this.restore = opts.restore ?? true;
  }

  onTrainBegin(): void {
    this.best = null;
    this.bestEpoch = -1;
    this.weights = null;
  }

  onEpochEnd(epoch: number, logs: EpochLog, ctx: FitContext): void {
    const v = readMonitor(logs, this.monitor, 'BestCheckpoint');
    if (!improves(v, this.best, this.mode, 0)) return;
    this.best = v;
    this.bestEpoch = epoch;
    const sd = ctx.model.stateDict();
    this.weights = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, new Tensor(t.data.slice(), t.shape)]));
    if (this.path) save(this.weights, this.path, { metadata: { epoch: String(epoch + 1), [this.monitor]: String(v) } });
  }

  onTrainEnd(ctx: FitContext): void {
    if (this.restore && this.weights) ctx.model.loadStateDict(this.weights, { strict: true });
  }
}
