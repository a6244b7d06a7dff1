import { zerosLike } from '../tensor/creation.js';
import { directedGrad, nextStep } from './direction.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, isBool, nonNegative } from './optimizer.js';
import { add, assign, mul, sub, type Tensor } from '../ops/index.js';

/**
 * Options of ASGD (torch.optim.ASGD): lr = η₀, the decay λ (`lambd`), the power α (`alpha`), the
 * averaging start t₀ (`t0`), the L2 penalty (`weightDecay`, PyTorch's `weight_decay`) and `maximize`.
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.ASGD([w], { lr: 0.1, lambd: 0 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.8, -1.6]
 * ```
 */
export interface ASGDOptions extends BaseOptions {
  /** learning rate (default 1e-2) */
  lr: number;
  /** decay term (default 1e-4) */
  lambd: number;
  /** power of the step size's decay (default 0.75) */
  alpha: number;
  /** the step at which averaging starts (default 1e6) */
  t0: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** ascend instead of descend */
  maximize: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1e-2, check: nonNegative('lr') },
  lambd: { default: 1e-4, check: nonNegative('lambd') },
  alpha: { default: 0.75, check: nonNegative('alpha') },
  t0: { default: 1e6, check: nonNegative('t0') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * Averaged SGD (Polyak & Juditsky), the same update as torch.optim.ASGD: SGD with a decaying step
 * size η, and the running average of the iterates past step t0 in the state's `ax`:
 *
 *   p ← p·(1 - λ·η) - η·g;  ax ← ax + μ·(p - ax);  η ← lr/(1 + λ·lr·t)^α;  μ ← 1/max(1, t - t0)
 *
 * η and μ are single-precision numbers, as PyTorch keeps them (0-d tensors of its default dtype).
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.ASGD([w], { lr: 0.1, lambd: 0 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.8, -1.6]
 */
export class ASGD extends Optimizer<ASGDOptions> {
  constructor(params: ParamsInput<ASGDOptions>, options: Partial<ASGDOptions> = {}) {
    super(params, options, SPECS, 'ASGD');
  }

  protected updateGroup(o: ParamGroup<ASGDOptions>, params: Tensor[]): void {
    for (const p of params) {
      const s = this.stateOf(p);
      // η and μ are single precision, as PyTorch keeps them (0-d tensors of its default dtype)
      const f = Math.fround;
      const step = nextStep(s, () => ({ eta: f(o.lr), mu: 1, ax: zerosLike(p) }));
      const g = directedGrad(p, o.maximize, o.weightDecay);
      const eta = s.eta as number;
      assign(p, mul(p, 1 - o.lambd * eta));
      assign(p, sub(p, mul(g, eta)));
      const ax = s.ax as Tensor;
      assign(ax, (s.mu as number) !== 1 ? add(ax, mul(sub(p, ax), s.mu as number)) : p);
      s.eta = f(o.lr / (1 + o.lambd * o.lr * step) ** o.alpha);
      s.mu = f(1 / Math.max(1, step - o.t0));
    }
  }
}
