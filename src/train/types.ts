import type { Tensor } from '../ops/index.js';

/**
 * What fit needs from a model (an nn.Module has all of it): a forward pass, train/eval modes,
 * its parameters, and a state dict for best-checkpoint restore.
 */
export interface TrainableModel {
  forward(...inputs: never[]): unknown;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  stateDict(): Record<string, Tensor>;
  loadStateDict(sd: Record<string, Tensor>, opts?: { strict?: boolean }): unknown;
}

/** One epoch's numbers: loss, valLoss, each metric and its val twin, the learning rate, seconds taken. */
export interface EpochLog {
  epoch: number;
  loss: number;
  lr: number;
  seconds: number;
  [metric: string]: number;
}

/** The state callbacks see and may change (set `stop` to end training after this epoch). */
export interface FitContext {
  model: TrainableModel;
  epochs: number;
  history: EpochLog[];
  stop: boolean;
  /** the message printed when training stops early */
  stopReason?: string;
}

/** Hooks called during fit; every one is optional. */
export interface Callback {
  onTrainBegin?(ctx: FitContext): void;
  onEpochBegin?(epoch: number, ctx: FitContext): void;
  onBatchEnd?(batch: number, logs: { loss: number }, ctx: FitContext): void;
  /**
   * After the epoch's training pass and validation, before anything reads the epoch's log (the
   * scheduler, the progress line, every callback's onEpochEnd): a callback may add values to
   * `logs` here, which the scheduler, early stopping and checkpoints then monitor like any other.
   */
  onEvaluate?(epoch: number, logs: EpochLog, ctx: FitContext): void;
  onEpochEnd?(epoch: number, logs: EpochLog, ctx: FitContext): void;
  onTrainEnd?(ctx: FitContext): void;
}
