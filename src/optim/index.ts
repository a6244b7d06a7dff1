/**
 * Optimizers, learning-rate schedulers and gradient clipping, with PyTorch's update rules:
 * `new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })`.
 */
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type ParamsInput, type ParamState, type BaseOptions } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, AdamW, type AdamOptions } from './adam.js';
export { RMSprop, type RMSpropOptions } from './rmsprop.js';
export { Adagrad, type AdagradOptions } from './adagrad.js';
export { LRScheduler, type Scheduler, type SchedulerOptions, type SchedulerStateDict } from './scheduler.js';
export { StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, LambdaLR, PolynomialLR, ConstantLR } from './schedulers.js';
export { OneCycleLR, type OneCycleLROptions } from './onecycle.js';
export { CyclicLR, type CyclicLROptions } from './cyclic.js';
export { CosineAnnealingWarmRestarts } from './warm-restarts.js';
export { ChainedScheduler } from './chained.js';
export { SequentialLR } from './sequential.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from './plateau.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { Adamax, type AdamaxOptions } from './adamax.js';
export { NAdam, type NAdamOptions } from './nadam.js';
export { RAdam, type RAdamOptions } from './radam.js';
export { Adadelta, type AdadeltaOptions } from './adadelta.js';
export { Rprop, type RpropOptions } from './rprop.js';
export { ASGD, type ASGDOptions } from './asgd.js';
export { LBFGS, type LBFGSOptions } from './lbfgs.js';
export type { OptionSpec } from './optimizer.js';
export type { Phase } from './onecycle.js';
