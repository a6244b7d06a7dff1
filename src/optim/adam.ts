import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, inUnitInterval, isBool, nonNegative } from './optimizer.js';
import { adamUpdate } from '../ops/index.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of optim.Adam and optim.AdamW (torch.optim.Adam's keyword arguments, camelCased).
 * @example new optim.AdamW([zeros([2], { requiresGrad: true })]).defaults.weightDecay // 0.01
 */
export interface AdamOptions extends BaseOptions {
  /** learning rate (default 1e-3) */
  lr: number;
  /** decay rates of the first and second moment averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** added to the denominator (default 1e-8) */
  eps: number;
  /** L2 penalty (Adam: added to the gradient; AdamW: decoupled, default 1e-2) */
  weightDecay: number;
  /** use the maximum of past second moments (AMSGrad) */
  amsgrad: boolean;
  /** ascend instead of descend */
  maximize: boolean;
}

/** Validates a pair [beta1, beta2] of decay rates in [0, 1). */
export const betasCheck = (v: unknown): string | null => {
  if (!Array.isArray(v) || v.length !== 2) return `betas must be a pair [beta1, beta2], got ${JSON.stringify(v)}`;
  for (let i = 0; i < 2; i++) {
    const e = inUnitInterval(`betas[${i}]`)(v[i]);
    if (e) return e;
  }
  return null;
};

function specs(weightDecay: number): Record<string, OptionSpec> {
  return {
    lr: { default: 1e-3, check: nonNegative('lr') },
    betas: { default: [0.9, 0.999], check: betasCheck },
    eps: { default: 1e-8, check: nonNegative('eps') },
    weightDecay: { default: weightDecay, check: nonNegative('weightDecay') },
    amsgrad: { default: false, check: isBool('amsgrad') },
    maximize: { default: false, check: isBool('maximize') },
  };
}

abstract class AdamBase extends Optimizer<AdamOptions> {
  /** whether weight decay is decoupled from the gradient (AdamW) or added to it as L2 (Adam) */
  protected abstract readonly decoupled: boolean;

  protected updateGroup(g: ParamGroup<AdamOptions>, params: Tensor[]): void {
    for (const p of params) {
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.expAvg = zerosLike(p);
        s.expAvgSq = zerosLike(p);
      }
      if (g.amsgrad && s.maxExpAvgSq === undefined) s.maxExpAvgSq = zerosLike(p);
      s.step = (s.step as number) + 1;
      adamUpdate(p, p.grad as Tensor, s.expAvg as Tensor, s.expAvgSq as Tensor, g.amsgrad ? (s.maxExpAvgSq as Tensor) : null, {
        lr: g.lr,
        beta1: g.betas[0],
        beta2: g.betas[1],
        eps: g.eps,
        weightDecay: g.weightDecay,
        decoupled: this.decoupled,
        amsgrad: g.amsgrad,
        maximize: g.maximize,
        step: s.step,
      });
    }
  }
}

/**
 * Adam (Kingma & Ba), the same update as torch.optim.Adam: bias-corrected first and second moment
 * estimates, optional AMSGrad, weight decay added to the gradient.
 *
 *   m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  p ← p - lr/(1-β1ᵗ) · m / (√v/√(1-β2ᵗ) + ε)
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.1, betas: [0.9, 0.999] });
 * w.mul(w).sum().backward();
 * opt.step(); // the first step moves each entry by about lr
 * w.toArray() // [0.9, 1.9]
 * ```
 */
export class Adam extends AdamBase {
  /** false: weight decay is added to the gradient (L2), as torch.optim.Adam does */
  protected readonly decoupled = false;
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, specs(0), 'Adam');
  }
}

/**
 * AdamW (Loshchilov & Hutter): Adam with decoupled weight decay, p ← p·(1 - lr·λ) before the
 * Adam step; weightDecay defaults to 1e-2 as in torch.optim.AdamW.
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.AdamW([w], { lr: 0.1, weightDecay: 0.5 });
 * w.mul(w).sum().backward();
 * opt.step(); // p ← p·(1 - lr·λ), then the Adam step
 * w.toArray() // [0.85, 1.8]
 * ```
 */
export class AdamW extends AdamBase {
  /** true: weight decay shrinks the parameters directly, p ← p·(1 − lr·λ), as torch.optim.AdamW does */
  protected readonly decoupled = true;
  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, options, specs(1e-2), 'AdamW');
  }
}
