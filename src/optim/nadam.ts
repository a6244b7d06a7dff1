import { zerosLike } from '../tensor/creation.js';
import { betasCheck } from './adam.js';
import { directedGrad, ema, nextStep } from './direction.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, nonNegative } from './optimizer.js';
import { add, assign, div, mul, sqrt, sub, type Tensor } from '../ops/index.js';

/**
 * Options of NAdam (torch.optim.NAdam): lr = γ, betas = (β1, β2), ε (`eps`), the L2 penalty λ
 * (`weightDecay`, PyTorch's `weight_decay`) and the momentum decay ψ (`momentumDecay`, PyTorch's
 * `momentum_decay`).
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.NAdam([w], { lr: 0.1, momentumDecay: 0 });
 * w.square().sum().backward(); opt.step();
 * w.data[0] // 0.8950488...
 * ```
 */
export interface NAdamOptions extends BaseOptions {
  /** learning rate (default 2e-3) */
  lr: number;
  /** decay rates of the first and second moment averages (default [0.9, 0.999]) */
  betas: [number, number];
  /** added to the denominator (default 1e-8) */
  eps: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** the momentum schedule's decay: μₜ = β1·(1 - ½·0.96^(t·ψ)) (default 4e-3) */
  momentumDecay: number;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 2e-3, check: nonNegative('lr') },
  betas: { default: [0.9, 0.999], check: betasCheck },
  eps: { default: 1e-8, check: nonNegative('eps') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  momentumDecay: { default: 4e-3, check: nonNegative('momentumDecay') },
};

/**
 * NAdam (Dozat): Adam with Nesterov momentum and a momentum schedule, the same update as
 * torch.optim.NAdam (which in PyTorch 1.13 has no maximize):
 *
 *   μₜ = β1·(1 - ½·0.96^(t·ψ));  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²;  d = √(v/(1-β2ᵗ)) + ε
 *   p ← p - lr·(1-μₜ)/(1-Πμ₁..ₜ) · g/d - lr·μₜ₊₁/(1-Πμ₁..ₜ·μₜ·μₜ₊₁) · m/d
 *
 * The products of μ are single-precision numbers, as PyTorch keeps them (a 0-d tensor of its
 * default dtype).
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.NAdam([w], { lr: 0.1 });
 * w.square().sum().backward(); opt.step();
 * w.data[0] // 0.89504688226...
 * w.data[1] // -1.89504688...
 */
export class NAdam extends Optimizer<NAdamOptions> {
  constructor(params: ParamsInput<NAdamOptions>, options: Partial<NAdamOptions> = {}) {
    super(params, options, SPECS, 'NAdam');
  }

  protected updateGroup(o: ParamGroup<NAdamOptions>, params: Tensor[]): void {
    const [b1, b2] = o.betas;
    for (const p of params) {
      const s = this.stateOf(p);
      const step = nextStep(s, () => ({ muProduct: 1, expAvg: zerosLike(p), expAvgSq: zerosLike(p) }));
      const g = directedGrad(p, false, o.weightDecay);
      const mu = b1 * (1 - 0.5 * 0.96 ** (step * o.momentumDecay));
      const muNext = b1 * (1 - 0.5 * 0.96 ** ((step + 1) * o.momentumDecay));
      // PyTorch keeps the product in a 0-d tensor of the default dtype (float32): its products are single precision
      const f = Math.fround;
      const muProduct = f((s.muProduct as number) * f(mu));
      s.muProduct = muProduct;
      const m = s.expAvg as Tensor;
      const v = s.expAvgSq as Tensor;
      assign(m, ema(m, g, b1));
      assign(v, add(mul(v, b2), mul(mul(g, 1 - b2), g)));
      const denom = add(sqrt(div(v, 1 - b2 ** step)), o.eps);
      // PyTorch 1.13 takes the next product as Πμ₁..ₜ·μₜ·μₜ₊₁ (μₜ twice), and so does this
      const muProductNext = f(f(muProduct * f(mu)) * f(muNext));
      assign(p, sub(p, div(mul(g, (o.lr * (1 - mu)) / (1 - muProduct)), denom)));
      assign(p, sub(p, div(mul(m, (o.lr * muNext) / (1 - muProductNext)), denom)));
    }
  }
}

