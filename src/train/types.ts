import type { Tensor } from '../ops/index.js';

/**
 * What fit needs from a model (an nn.Module has all of it): a forward pass, train/eval modes,
 * its parameters, and a state dict for best-checkpoint restore.
 */
export interface TrainableModel {
  /** Runs the model on one batch's inputs (what `unpack` returned) and returns its output. */
  forward(...inputs: never[]): unknown;
  /** Switches to training mode (dropout active, batch norm updating), like torch's `model.train()`. */
  train(mode?: boolean): unknown;
  /** Switches to evaluation mode, like torch's `model.eval()`. */
  eval(): unknown;
  /** The trainable tensors, as the optimizer was built over. */
  parameters(): Tensor[];
  /** The weights by dotted name, copied by best-checkpoint tracking. */
  stateDict(): Record<string, Tensor>;
  /** Loads weights saved by `stateDict` (best-checkpoint restore). */
  loadStateDict(sd: Record<string, Tensor>, opts?: { strict?: boolean }): unknown;
}

/** One epoch's numbers: loss, valLoss, each metric and its val twin, the learning rate, seconds taken. */
export interface EpochLog {
  /** the epoch just finished, counted from 0 */
  epoch: number;
  /** mean training loss over the epoch's batches */
  loss: number;
  /** the optimizer's learning rate during the epoch (of its first parameter group) */
  lr: number;
  /** wall-clock time of the epoch, in seconds */
  seconds: number;
  [metric: string]: number;
}

/** The state callbacks see and may change (set `stop` to end training after this epoch). */
export interface FitContext {
  /** the model being trained */
  model: TrainableModel;
  /** the number of epochs fit was asked for */
  epochs: number;
  /** the logs of the epochs finished so far, oldest first */
  history: EpochLog[];
  /** set true in a callback to end training after the current epoch (like Keras's `stop_training`) */
  stop: boolean;
  /** the message printed when training stops early */
  stopReason?: string;
}

/** Hooks called during fit; every one is optional. */
export interface Callback {
  /**
   * Before the first epoch.
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const seen: string[] = [];
   * fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, callbacks: [{ onTrainBegin: (ctx) => seen.push(`${ctx.epochs} epochs`) }], progress: false });
   * seen; // ['2 epochs']
   */
  onTrainBegin?(ctx: FitContext): void;
  /**
   * Before each epoch's training pass (epochs count from 0).
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const seen: string[] = [];
   * fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, callbacks: [{ onEpochBegin: (epoch) => seen.push(`epoch ${epoch}`) }], progress: false });
   * seen; // ['epoch 0', 'epoch 1']
   */
  onEpochBegin?(epoch: number, ctx: FitContext): void;
  /**
   * After each training batch's step, with its loss (batches count from 0 in each epoch).
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const seen: string[] = [];
   * fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1, callbacks: [{ onBatchEnd: (batch) => seen.push(`batch ${batch}`) }], progress: false });
   * seen; // ['batch 0', 'batch 1']
   */
  onBatchEnd?(batch: number, logs: { loss: number }, ctx: FitContext): void;
  /**
   * After the epoch's training pass and validation, before anything reads the epoch's log (the
   * scheduler, the progress line, every callback's onEpochEnd): a callback may add values to
   * `logs` here, which the scheduler, early stopping and checkpoints then monitor like any other.
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const history = fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1, callbacks: [{ onEvaluate: (epoch, logs) => { logs.twice = 2 * logs.loss; } }], progress: false });
   * history.epochs[0].twice === 2 * history.epochs[0].loss; // true
   */
  onEvaluate?(epoch: number, logs: EpochLog, ctx: FitContext): void;
  /**
   * After each epoch, with its complete log; set `ctx.stop` to end training after it.
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const seen: string[] = [];
   * const history = fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 5, callbacks: [{ onEpochEnd: (epoch, logs, ctx) => { ctx.stop = epoch === 1; } }], progress: false });
   * history.epochs.length; // 2
   */
  onEpochEnd?(epoch: number, logs: EpochLog, ctx: FitContext): void;
  /**
   * After the last epoch (also after an early stop).
   * @example
   * manualSeed(0);
   * const X = randn([16, 2]);
   * const batches = new data.DataLoader(new data.TensorDataset(X, X.sum(1, { keepdim: true })), { batchSize: 8 });
   * const model = new nn.Linear(2, 1);
   * const seen: string[] = [];
   * fit(model, { train: batches, lossFn: F.mseLoss, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, callbacks: [{ onTrainEnd: (ctx) => seen.push(`${ctx.history.length} epochs done`) }], progress: false });
   * seen; // ['2 epochs done']
   */
  onTrainEnd?(ctx: FitContext): void;
}
