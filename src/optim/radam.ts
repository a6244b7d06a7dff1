import { zerosLike } from '../tensor/creation.js';
import { betasCheck } from './adam.js';
import { directedGrad, ema, nextStep } from './direction.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, nonNegative } from './optimizer.js';
import { add, assign, div, mul, sqrt, sub, type Tensor } from '../ops/index.js';

/**
 * Options of RAdam (torch.optim.RAdam): lr = γ, betas = (β1, β2), ε (`eps`) and the L2 penalty λ
 * (`weightDecay`, PyTorch's `weight_decay`). The first steps, while the variance is not yet
 * tractable, are plain bias-corrected momentum steps.
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.RAdam([w], { lr: 0.1 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.8, -1.6]
 * ```
 */
export interface RAdamOptions extends BaseOptions {
  /** learning rate (default 1e-3) */
  lr: number;
  /** decay rates of the first and second moment averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** added to the denominator (default 1e-8) */
  eps: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1e-3, check: nonNegative('lr') },
  betas: { default: [0.9, 0.999], check: betasCheck },
  eps: { default: 1e-8, check: nonNegative('eps') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
};

/**
 * RAdam (Liu et al.), Adam with the variance of its adaptive rate rectified, the same update as
 * torch.optim.RAdam (which in PyTorch 1.13 has no maximize). With ρ∞ = 2/(1-β2) - 1 and
 * ρₜ = ρ∞ - 2t·β2ᵗ/(1-β2ᵗ): while ρₜ ≤ 5 the step is SGD with momentum, p ← p - lr·m̂; after,
 * p ← p - lr·m̂·rₜ·√(1-β2ᵗ)/(√v + ε) with the rectification rₜ = √((ρₜ-4)(ρₜ-2)ρ∞/((ρ∞-4)(ρ∞-2)ρₜ)).
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.RAdam([w], { lr: 0.1 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.8, -1.6]
 */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(params: ParamsInput<RAdamOptions>, options: Partial<RAdamOptions> = {}) {
    super(params, options, SPECS, 'RAdam');
  }

  protected updateGroup(o: ParamGroup<RAdamOptions>, params: Tensor[]): void {
    const [b1, b2] = o.betas;
    for (const p of params) {
      const s = this.stateOf(p);
      const step = nextStep(s, () => ({ expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
      const bc1 = 1 - b1 ** step;
      const bc2 = 1 - b2 ** step;
      const g = directedGrad(p, false, o.weightDecay);
      const m = s.expAvg as Tensor;
      const v = s.expAvgSq as Tensor;
      assign(m, ema(m, g, b1));
      assign(v, add(mul(v, b2), mul(mul(g, 1 - b2), g)));
      const corrected = div(m, bc1);
      const rhoInf = 2 / (1 - b2) - 1;
      const rho = rhoInf - (2 * step * b2 ** step) / bc2;
      if (rho > 5) {
        const rect = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
        const adaptive = div(Math.sqrt(bc2), add(sqrt(v), o.eps));
        assign(p, sub(p, mul(mul(mul(corrected, o.lr), adaptive), rect)));
      } else {
        assign(p, sub(p, mul(corrected, o.lr)));
      }
    }
  }
}
