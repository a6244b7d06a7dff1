/**
 * Activation functions as plain functions: every activation of the op table (the same functions
 * as the Tensor methods), tanh and sign, and the softmax family with the dim required, as in
 * torch.nn.functional.
 */
import { ChainruleError } from '../../errors.js';
import { softplusNegParts } from './softplus.js';
import { add, logSoftmax as opLogSoftmax, softmax as opSoftmax, softmin as opSoftmin, type Tensor } from '../../ops/index.js';

export * from '../../ops/activation.js';
export { sign, tanh } from '../../ops/index.js';

function needDim(name: string, dim: number | undefined): number {
  if (dim === undefined) throw new ChainruleError(`${name}: pass the dim that holds the classes`);
  return dim;
}

/**
 * Softmax along `dim`. Unlike the op (last dim by default) the dim must be given, as in
 * torch.nn.functional, because the batch layout decides which dim holds the classes.
 * @example F.softmax(tensor([[0, 0]]), 1).toArray() // [[0.5, 0.5]]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  return opSoftmax(x, needDim('softmax', dim));
}

/** log(softmax(x)) along `dim`, computed stably. @example F.logSoftmax(tensor([[0, 0]]), 1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return opLogSoftmax(x, needDim('logSoftmax', dim));
}

/** softmax(-x) along `dim`. @example F.softmin(tensor([[0, 0]]), 1).toArray() // [[0.5, 0.5]] */
export function softmin(x: Tensor, dim: number): Tensor {
  return opSoftmin(x, needDim('softmin', dim));
}

/**
 * softplus(-x) = log(1 + e^(-x)), exact for all x: relu(-x) + log1p(e^(-|x|)).
 * @example F.softplusNeg(tensor([0])).item() // 0.693...
 */
export function softplusNeg(x: Tensor): Tensor {
  const [linear, tail] = softplusNegParts(x);
  return add(linear, tail);
}
