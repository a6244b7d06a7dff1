import { ChainruleError } from '../errors.js';
import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, isBool, nonNegative } from './optimizer.js';
import { sgdUpdate } from '../ops/index.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of optim.SGD (torch.optim.SGD's keyword arguments, camelCased).
 * @example new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 0.1, nesterov: true, momentum: 0.9 }).defaults.dampening // 0
 */
export interface SGDOptions extends BaseOptions {
  /** learning rate (required) */
  lr: number;
  /** momentum factor (default 0) */
  momentum: number;
  /** dampening of the momentum (default 0) */
  dampening: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0) */
  nesterov: boolean;
  /** ascend instead of descend */
  maximize: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: undefined, check: nonNegative('lr') },
  momentum: { default: 0, check: nonNegative('momentum') },
  dampening: { default: 0, check: (v) => (typeof v === 'number' && Number.isFinite(v) ? null : `dampening must be a finite number, got ${String(v)}`) },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  nesterov: { default: false, check: isBool('nesterov') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay
 * and maximize: the same update as torch.optim.SGD.
 *
 *   g ← ∇ + λ·p;  b ← μ·b + (1-τ)·g (b = g on the first step);  g ← nesterov ? g + μ·b : b;  p ← p - lr·g
 *
 * @example
 * ```ts
 * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); w.mul(w).sum().backward(); opt.step();
 * w.toArray() // [0.8, 1.6]
 * ```
 */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, options, SPECS, 'SGD');
  }

  protected override checkGroup(o: SGDOptions, group: number): void {
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new ChainruleError(`SGD (param group ${group}): Nesterov momentum requires a momentum > 0 and zero dampening`);
    }
  }

  protected updateGroup(g: ParamGroup<SGDOptions>, params: Tensor[]): void {
    for (const p of params) {
      const s = this.stateOf(p);
      let buf: Tensor | null = null;
      let firstStep = false;
      if (g.momentum !== 0) {
        firstStep = s.momentumBuffer === undefined;
        if (firstStep) s.momentumBuffer = zerosLike(p);
        buf = s.momentumBuffer as Tensor;
      }
      sgdUpdate(p, p.grad as Tensor, buf, {
        lr: g.lr,
        momentum: g.momentum,
        dampening: g.dampening,
        weightDecay: g.weightDecay,
        nesterov: g.nesterov,
        maximize: g.maximize,
        firstStep,
      });
    }
  }
}
