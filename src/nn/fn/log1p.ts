/** log1p and the two terms of softplus(-x), shared by the activations and the losses (not public). */
import { customOp } from '../../autograd/custom.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * log(1 + u) without the rounding of 1 + u: exact where u is tiny (e^(-x) for large x), as
 * PyTorch's log1p; its gradient 1/(1 + u) is written with ops, so it differentiates again.
 */
export const log1p = customOp({
  name: 'log1p',
  latex: ([u]) => `\\ln\\left(1 + ${u}\\right)`,
  forward: (u) => new Tensor(u.data.map((v) => Math.log1p(v)), u.shape),
  backward: (g, [u]) => [g.div(u.add(1))],
});

/**
 * softplus(-x) = log(1 + e^(-x)) as its two terms, relu(-x) and log1p(e^(-|x|)), so that a caller
 * can add to the first before the second (BCE with logits). |x| is built with `where` so that the
 * gradient at 0 is the true -1/2 rather than abs's convention of 0.
 */
export function softplusNegParts(x: Tensor): [Tensor, Tensor] {
  const ax = x.where(x.ge(0), x.neg());
  return [x.neg().relu(), log1p(ax.neg().exp())];
}
