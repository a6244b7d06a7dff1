/** Activation functions as plain functions (the same ops as the Tensor methods). */
import { customOp } from '../../autograd/custom.js';
import { ChainruleError } from '../../errors.js';
import { logSoftmax as opLogSoftmax, softmax as opSoftmax } from '../../ops/softmax.js';
import { Tensor } from '../../tensor/tensor.js';

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
 * log(1 + u) without the rounding of 1 + u: exact where u is tiny (e^(-x) for large x), as
 * PyTorch's log1p; its gradient 1/(1 + u) is written with ops, so it differentiates again.
 */
const log1p = customOp({
  name: 'log1p',
  latex: ([u]) => `\\ln\\left(1 + ${u}\\right)`,
  forward: (u) => new Tensor(u.data.map((v) => Math.log1p(v)), u.shape),
  backward: (g, [u]) => [g.div(u.add(1))],
});

/**
 * softplus(-x) = log(1 + e^(-x)) exact for all x: relu(-x) + log1p(e^(-|x|)). |x| is built
 * with `where` so the gradient at 0 is the true -1/2 rather than abs's convention of 0.
 */
export function softplusNeg(x: Tensor): Tensor {
  const ax = x.where(x.ge(0), x.neg());
  return x.neg().relu().add(log1p(ax.neg().exp()));
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
