/** Activation functions as plain functions (the same ops as the Tensor methods). */
import { ChainruleError } from '../../errors.js';
import { logSoftmax as opLogSoftmax, softmax as opSoftmax } from '../../ops/softmax.js';
import type { Tensor } from '../../tensor/tensor.js';
import { softplusNegParts } from './log1p.js';

export { elu, gelu, leakyRelu, relu, sigmoid, sign, softplus, tanh, type GeluOptions } from '../../ops/unary.js';

/**
 * Softmax along `dim`. Unlike the op (last dim by default) the dim must be given, as in
 * torch.nn.functional, because the batch layout decides which dim holds the classes.
 * @example softmax(tensor([[0, 0]]), 1).toArray() // [[0.5, 0.5]]
 */
export function softmax(x: Tensor, dim: number): Tensor {
  if (dim === undefined) throw new ChainruleError('softmax: pass the dim that holds the classes');
  return opSoftmax(x, dim);
}

/** log(softmax(x)) along `dim`, computed stably. @example logSoftmax(tensor([[0, 0]]), 1) */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  if (dim === undefined) throw new ChainruleError('logSoftmax: pass the dim that holds the classes');
  return opLogSoftmax(x, dim);
}

/** log σ(x) = -softplus(-x), computed without overflow. @example logSigmoid(tensor([0])).item() // -0.693... */
export function logSigmoid(x: Tensor): Tensor {
  return softplusNeg(x).neg();
}

/**
 * softplus(-x) = log(1 + e^(-x)) exact for all x: relu(-x) + log1p(e^(-|x|)). |x| is built
 * with `where` so the gradient at 0 is the true -1/2 rather than abs's convention of 0.
 */
export function softplusNeg(x: Tensor): Tensor {
  const [linear, tail] = softplusNegParts(x);
  return linear.add(tail);
}

/**
 * Hard tanh: clamp to [min, max]. As PyTorch's, its gradient is 0 at and beyond the bounds (where
 * clamp's is 1 at the bounds) and 1 elsewhere, NaN included.
 * @example hardtanh(tensor([-3, 0.5, 3])).toArray() // [-1, 0.5, 1]
 */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  const outside = x.le(min).logicalOr(x.ge(max));
  return x.where(outside.logicalNot(), x.clamp(min, max).detach());
}
