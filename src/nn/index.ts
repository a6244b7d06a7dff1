/**
 * Neural-network modules, losses, initialisers and the functional API, shaped like torch.nn.
 * @example const model = new nn.Sequential(new nn.Linear(2, 8), new nn.ReLU(), new nn.Linear(8, 1));
 */
export * from './activation.js';
export * from './container.js';
export * from './dropout.js';
export * from './linear.js';
export {
  BCELoss,
  BCEWithLogitsLoss,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  CTCLoss,
  GaussianNLLLoss,
  HingeEmbeddingLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MarginRankingLoss,
  MSELoss,
  MultiLabelMarginLoss,
  MultiLabelSoftMarginLoss,
  MultiMarginLoss,
  NLLLoss,
  PerceptronLoss,
  PoissonNLLLoss,
  SmoothL1Loss,
  SoftMarginLoss,
  SSELoss,
  TripletMarginLoss,
  TripletMarginWithDistanceLoss,
} from './loss.js';
export { Module, ModuleInputError, type LoadStateDictOptions, type LoadStateDictResult, type Slot, type StateDict } from './module.js';
export type { PaddingMode } from './fn/padding.js';
export * from './norm.js';
export * from './norm2d.js';
export { Parameter } from './parameter.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * from './conv.js';
export * from './conv2d.js';
export * from './embedding.js';
export * from './pool.js';
export * from './pool2d.js';
export * from './resample.js';
export * from './params.js';
export * from './rnn.js';
export * from './attention.js';
export * from './transformer.js';
export * from './positional.js';
