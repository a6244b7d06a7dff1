/** An optional training loop with callbacks on top of the plain five-step loop. */
export { fit, type FitOptions, type History } from './fit.js';
export { evaluate, type EvaluateOptions, type MetricFn, type LossFn } from './pass.js';
export { EarlyStopping, BestCheckpoint, EpochMetrics, type EarlyStoppingOptions, type BestCheckpointOptions } from './callbacks.js';
export { ProgressReporter, formatEpoch, type OutputStream } from './progress.js';
export type { Callback, EpochLog, FitContext, TrainableModel } from './types.js';
