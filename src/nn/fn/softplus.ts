// The two terms of softplus(-x), shared by F.softplusNeg and the BCE-with-logits loss (not public).
import { exp, log1p, neg, relu, type Tensor } from '../../ops/index.js';

/**
 * softplus(-x) = log(1 + e^(-x)) as its two terms, relu(-x) and log1p(e^(-|x|)), so that a caller
 * can add to the first before the second (BCE with logits). |x| is built with `where` so that the
 * gradient at 0 is the true -1/2 rather than abs's convention of 0.
 */
export function softplusNegParts(x: Tensor): [Tensor, Tensor] {
  const ax = x.where(x.ge(0), neg(x));
  return [relu(neg(x)), log1p(exp(neg(ax)))];
}
