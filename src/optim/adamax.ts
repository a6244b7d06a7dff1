import { zerosLike } from '../tensor/creation.js';
import { betasCheck } from './adam.js';
import { directedGrad, ema, nextStep } from './direction.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, isBool, nonNegative } from './optimizer.js';
import { abs, add, assign, div, maximum, mul, sub, type Tensor } from '../ops/index.js';

/**
 * Options of Adamax (torch.optim.Adamax): lr = γ, betas = (β1, β2), ε (`eps`), the L2 penalty λ
 * (`weightDecay`, PyTorch's `weight_decay`) and `maximize`.
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Adamax([w], { lr: 0.1, betas: [0.5, 0.9] });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.9, -1.9]
 * ```
 */
export interface AdamaxOptions extends BaseOptions {
  /** learning rate (default 2e-3) */
  lr: number;
  /** decay rates of the first moment and of the infinity norm (default [0.9, 0.999]) */
  betas: [number, number];
  /** added to |g| before the maximum (default 1e-8) */
  eps: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** ascend instead of descend */
  maximize: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 2e-3, check: nonNegative('lr') },
  betas: { default: [0.9, 0.999], check: betasCheck },
  eps: { default: 1e-8, check: nonNegative('eps') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * Adamax (Kingma & Ba), Adam with the infinity norm, the same update as torch.optim.Adamax:
 *
 *   m ← β1·m + (1-β1)·g;  u ← max(β2·u, |g| + ε);  p ← p - lr/(1-β1ᵗ) · m/u
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Adamax([w], { lr: 0.1 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.9000000005, -1.90000000025]
 */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(params: ParamsInput<AdamaxOptions>, options: Partial<AdamaxOptions> = {}) {
    super(params, options, SPECS, 'Adamax');
  }

  protected updateGroup(o: ParamGroup<AdamaxOptions>, params: Tensor[]): void {
    const [b1, b2] = o.betas;
    for (const p of params) {
      const s = this.stateOf(p);
      const step = nextStep(s, () => ({ expAvg: zerosLike(p), expInf: zerosLike(p) }));
      const g = directedGrad(p, o.maximize, o.weightDecay);
      const m = s.expAvg as Tensor;
      const u = s.expInf as Tensor;
      assign(m, ema(m, g, b1));
      assign(u, maximum(mul(u, b2), add(abs(g), o.eps)));
      const clr = o.lr / (1 - b1 ** step);
      assign(p, sub(p, div(mul(m, clr), u)));
    }
  }
}
