// The optimizers' update rules as in-place steps over one parameter: the backend's fused kernel
// when it has one, else composed from ops (optim/ holds the optimizers; this is their arithmetic).
import { kernels } from '../backend/registry.js';
import type { AdamOptions, SgdOptions } from '../backend/types.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, maximum, mul, neg, sub } from './arith.js';
import { sqrt } from './math.js';

export type { AdamOptions, SgdOptions };

/** Writes `value` into `target`'s storage: every update is in place, so views and references stay valid. */
export function assign(target: Tensor, value: Tensor): void {
  target.data.set(value.data);
}

/**
 * One SGD update of `p` in place (PyTorch's torch.optim.SGD rule), through the backend's fused
 * kernel when it has one, otherwise composed from ops. `buf` is the momentum buffer (null without
 * momentum); on the first step it is filled with the gradient.
 */
export function sgdUpdate(p: Tensor, g: Tensor, buf: Tensor | null, o: SgdOptions): void {
  const k = kernels();
  if (k.sgdStep) {
    k.sgdStep(p.data, g.data, buf ? buf.data : null, o);
    return;
  }
  let d = o.maximize ? neg(g) : g;
  if (o.weightDecay !== 0) d = add(d, mul(p, o.weightDecay));
  if (o.momentum !== 0 && buf) {
    const b = o.firstStep ? d : add(mul(buf, o.momentum), mul(d, 1 - o.dampening));
    assign(buf, b);
    d = o.nesterov ? add(d, mul(buf, o.momentum)) : buf;
  }
  assign(p, sub(p, mul(d, o.lr)));
}

/**
 * One Adam/AdamW update of `p` in place (bias-corrected moments, optional AMSGrad and decoupled
 * weight decay), through the fused kernel when the backend has one. `o.step` counts from 1.
 */
export function adamUpdate(p: Tensor, g: Tensor, m: Tensor, v: Tensor, vmax: Tensor | null, o: AdamOptions): void {
  const k = kernels();
  if (k.adamStep) {
    k.adamStep(p.data, g.data, m.data, v.data, vmax ? vmax.data : null, o);
    return;
  }
  let gi = o.maximize ? neg(g) : g;
  if (o.weightDecay !== 0) {
    if (o.decoupled) assign(p, mul(p, 1 - o.lr * o.weightDecay));
    else gi = add(gi, mul(p, o.weightDecay));
  }
  assign(m, add(mul(m, o.beta1), mul(gi, 1 - o.beta1)));
  assign(v, add(mul(v, o.beta2), mul(mul(gi, 1 - o.beta2), gi)));
  let vv = v;
  if (o.amsgrad && vmax) {
    assign(vmax, maximum(vmax, v));
    vv = vmax;
  }
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2sqrt = Math.sqrt(1 - o.beta2 ** o.step);
  const denom = add(div(sqrt(vv), bc2sqrt), o.eps);
  assign(p, sub(p, div(mul(m, o.lr / bc1), denom)));
}
