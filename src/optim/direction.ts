import { add, mul, neg, type Tensor } from '../ops/index.js';
import type { ParamState } from './optimizer.js';

/** The gradient an update follows: negated to ascend (maximize), plus the L2 term λ·p (PyTorch's order). */
export function directedGrad(p: Tensor, maximize: boolean, weightDecay: number): Tensor {
  let g = p.grad as Tensor;
  if (maximize) g = neg(g);
  if (weightDecay !== 0) g = add(g, mul(p, weightDecay));
  return g;
}

/** a·β + b·(1-β): PyTorch's exp_avg.mul_(β).add_(b, alpha=1-β). */
export function ema(a: Tensor, b: Tensor, beta: number): Tensor {
  return add(mul(a, beta), mul(b, 1 - beta));
}

/**
 * Counts one more step in a parameter's state, creating its buffers on the first (as PyTorch's
 * lazy state initialisation); returns the step number, from 1.
 */
export function nextStep(s: ParamState, init: () => ParamState): number {
  if (s.step === undefined) Object.assign(s, { step: 0, ...init() });
  s.step = (s.step as number) + 1;
  return s.step;
}
