import { fullLike, zerosLike } from '../tensor/creation.js';
import { nextStep } from './direction.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, isBool, nonNegative } from './optimizer.js';
import { assign, clamp, eq, gt, lt, mul, neg, sign, sub, type Tensor, where } from '../ops/index.js';

/**
 * Options of Rprop (torch.optim.Rprop): the initial step size lr, the factors (η₋, η₊) (`etas`),
 * the step size bounds (Γmin, Γmax) (`stepSizes`, PyTorch's `step_sizes`) and `maximize`.
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Rprop([w], { lr: 0.5 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.5, -1.5]
 * ```
 */
export interface RpropOptions extends BaseOptions {
  /** every step size starts at lr (default 1e-2) */
  lr: number;
  /** `[etaminus, etaplus]`, (η₋, η₊): the step size's factor when the gradient's sign flips or holds (default [0.5, 1.2]) */
  etas: [number, number];
  /** [min, max] bounds of the step sizes (default [1e-6, 50]) */
  stepSizes: [number, number];
  /** ascend instead of descend */
  maximize: boolean;
}

const pairCheck =
  (what: string, ok: (a: number, b: number) => boolean, rule: string) =>
  (v: unknown): string | null =>
    Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && !Number.isNaN(x)) && ok(v[0], v[1])
      ? null
      : `${what} must be a pair of numbers with ${rule}, got ${JSON.stringify(v)}`;

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1e-2, check: nonNegative('lr') },
  etas: { default: [0.5, 1.2], check: pairCheck('etas', (a, b) => a > 0 && a < 1 && b > 1, '0 < etaminus < 1 < etaplus') },
  stepSizes: { default: [1e-6, 50], check: pairCheck('stepSizes', (a, b) => a >= 0 && b >= a, '0 <= min <= max') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * Rprop (Riedmiller & Braun), resilient backpropagation: each element has its own step size, which
 * grows by etaplus while the gradient keeps its sign and shrinks by etaminus when it flips (and
 * that step is skipped); the same update as torch.optim.Rprop:
 *
 *   s ← clamp(s·η(sign(g·g₋₁)), min, max);  g ← 0 where the sign flipped;  p ← p - sign(g)·s
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Rprop([w], { lr: 0.1 });
 * w.square().sum().backward(); opt.step();
 * w.toArray() // [0.9, -1.9]
 */
export class Rprop extends Optimizer<RpropOptions> {
  constructor(params: ParamsInput<RpropOptions>, options: Partial<RpropOptions> = {}) {
    super(params, options, SPECS, 'Rprop');
  }

  protected updateGroup(o: ParamGroup<RpropOptions>, params: Tensor[]): void {
    const [etaminus, etaplus] = o.etas;
    for (const p of params) {
      const s = this.stateOf(p);
      nextStep(s, () => ({ prev: zerosLike(p), stepSize: fullLike(p, o.lr) }));
      let g = p.grad as Tensor;
      if (o.maximize) g = neg(g);
      const prev = s.prev as Tensor;
      const size = s.stepSize as Tensor;
      const agree = sign(mul(g, prev));
      const factor = where(gt(agree, 0), fullLike(p, etaplus), where(lt(agree, 0), fullLike(p, etaminus), fullLike(p, 1)));
      assign(size, clamp(mul(size, factor), o.stepSizes[0], o.stepSizes[1]));
      g = where(eq(factor, etaminus), zerosLike(p), g);
      assign(p, sub(p, mul(sign(g), size)));
      assign(prev, g);
    }
  }
}
