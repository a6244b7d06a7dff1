import type { AdamOptions, SgdOptions, TypedArray } from '../types.js';

/** PyTorch's SGD update (torch.optim.SGD, single-tensor path), in place. */
export function sgdStep(p: TypedArray, g: TypedArray, buf: TypedArray | null, o: SgdOptions): void {
  const { lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep } = o;
  for (let i = 0; i < p.length; i++) {
    let d = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) d += weightDecay * p[i];
    if (momentum !== 0 && buf) {
      const b = firstStep ? d : momentum * buf[i] + (1 - dampening) * d;
      buf[i] = b;
      d = nesterov ? d + momentum * b : b;
    }
    p[i] -= lr * d;
  }
}

/** PyTorch's Adam / AdamW update (bias-corrected, optional AMSGrad), in place. */
export function adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, o: AdamOptions): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupled, amsgrad, maximize, step } = o;
  const bc1 = 1 - beta1 ** step;
  const bc2 = 1 - beta2 ** step;
  const stepSize = lr / bc1;
  const bc2sqrt = Math.sqrt(bc2);
  for (let i = 0; i < p.length; i++) {
    let gi = maximize ? -g[i] : g[i];
    if (weightDecay !== 0) {
      if (decoupled) p[i] *= 1 - lr * weightDecay;
      else gi += weightDecay * p[i];
    }
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    let vv = v[i];
    if (amsgrad && vmax) {
      if (vv > vmax[i]) vmax[i] = vv;
      vv = vmax[i];
    }
    p[i] -= (stepSize * m[i]) / (Math.sqrt(vv) / bc2sqrt + eps);
  }
}
