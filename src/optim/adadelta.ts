import { zerosLike } from '../tensor/creation.js';
import { directedGrad, nextStep } from './direction.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, inUnitInterval, isBool, nonNegative } from './optimizer.js';
import { add, assign, div, mul, sqrt, sub, type Tensor } from '../ops/index.js';

/**
 * Options of Adadelta (torch.optim.Adadelta): lr, the decay ρ (`rho`), ε (`eps`), the L2 penalty λ
 * (`weightDecay`, PyTorch's `weight_decay`) and `maximize`.
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Adadelta([w], { lr: 1, rho: 0.5 });
 * w.square().sum().backward(); opt.step();
 * w.data[0] // 0.99858578...
 * ```
 */
export interface AdadeltaOptions extends BaseOptions {
  /** scales the delta (default 1.0) */
  lr: number;
  /** decay rate of the running averages of g² and of the squared deltas (default 0.9) */
  rho: number;
  /** added inside both square roots (default 1e-6) */
  eps: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** ascend instead of descend */
  maximize: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1.0, check: nonNegative('lr') },
  rho: { default: 0.9, check: inUnitInterval('rho', true) },
  eps: { default: 1e-6, check: nonNegative('eps') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * Adadelta (Zeiler), the same update as torch.optim.Adadelta:
 *
 *   v ← ρ·v + (1-ρ)·g²;  Δ = √(u + ε)/√(v + ε) · g;  u ← ρ·u + (1-ρ)·Δ²;  p ← p - lr·Δ
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Adadelta([w], { lr: 1 });
 * w.square().sum().backward(); opt.step();
 * w.data[0] // 0.99683772629...
 * w.data[1] // -1.99683772332...
 */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(params: ParamsInput<AdadeltaOptions>, options: Partial<AdadeltaOptions> = {}) {
    super(params, options, SPECS, 'Adadelta');
  }

  protected updateGroup(o: ParamGroup<AdadeltaOptions>, params: Tensor[]): void {
    for (const p of params) {
      const s = this.stateOf(p);
      nextStep(s, () => ({ squareAvg: zerosLike(p), accDelta: zerosLike(p) }));
      const g = directedGrad(p, o.maximize, o.weightDecay);
      const v = s.squareAvg as Tensor;
      const u = s.accDelta as Tensor;
      assign(v, add(mul(v, o.rho), mul(mul(g, 1 - o.rho), g)));
      const delta = mul(div(sqrt(add(u, o.eps)), sqrt(add(v, o.eps))), g);
      assign(u, add(mul(u, o.rho), mul(mul(delta, 1 - o.rho), delta)));
      assign(p, sub(p, mul(delta, o.lr)));
    }
  }
}
