import { zerosLike } from '../tensor/creation.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, isBool, nonNegative } from './optimizer.js';
import { assign } from '../ops/index.js';
import { add, div, mul, neg, sqrt, sub, type Tensor } from '../ops/index.js';

export interface RMSpropOptions extends BaseOptions {
  /** learning rate (default 1e-2) */
  lr: number;
  /** smoothing constant of the squared-gradient average (default 0.99) */
  alpha: number;
  /** added to the denominator (default 1e-8) */
  eps: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** momentum factor (default 0) */
  momentum: number;
  /** normalise by the estimated variance (subtract the squared mean gradient) */
  centered: boolean;
  /** ascend instead of descend */
  maximize: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1e-2, check: nonNegative('lr') },
  alpha: { default: 0.99, check: nonNegative('alpha') },
  eps: { default: 1e-8, check: nonNegative('eps') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  momentum: { default: 0, check: nonNegative('momentum') },
  centered: { default: false, check: isBool('centered') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * RMSprop (Hinton), the same update as torch.optim.RMSprop:
 *
 *   v ← α·v + (1-α)·g²;  (centered: ḡ ← α·ḡ + (1-α)·g, v̂ = v - ḡ²);  d = √v̂ + ε
 *   momentum: b ← μ·b + g/d, p ← p - lr·b;   otherwise p ← p - lr·g/d
 *
 * @example
 * const model = new nn.Linear(4, 2);
 * const opt = new optim.RMSprop(model.parameters(), { lr: 0.01, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, options, SPECS, 'RMSprop');
  }

  protected updateGroup(o: ParamGroup<RMSpropOptions>, params: Tensor[]): void {
    for (const p of params) {
      const s = this.stateOf(p);
      if (s.step === undefined) {
        s.step = 0;
        s.squareAvg = zerosLike(p);
      }
      if (o.momentum > 0 && s.momentumBuffer === undefined) s.momentumBuffer = zerosLike(p);
      if (o.centered && s.gradAvg === undefined) s.gradAvg = zerosLike(p);
      s.step = (s.step as number) + 1;
      let g = p.grad as Tensor;
      if (o.maximize) g = neg(g);
      if (o.weightDecay !== 0) g = add(g, mul(p, o.weightDecay));
      const sq = s.squareAvg as Tensor;
      assign(sq, add(mul(sq, o.alpha), mul(mul(g, 1 - o.alpha), g)));
      let avg: Tensor;
      if (o.centered) {
        const ga = s.gradAvg as Tensor;
        assign(ga, add(mul(ga, o.alpha), mul(g, 1 - o.alpha)));
        avg = sqrt(sub(sq, mul(ga, ga)));
      } else {
        avg = sqrt(sq);
      }
      avg = add(avg, o.eps);
      if (o.momentum > 0) {
        const buf = s.momentumBuffer as Tensor;
        assign(buf, add(mul(buf, o.momentum), div(g, avg)));
        assign(p, sub(p, mul(buf, o.lr)));
      } else {
        assign(p, sub(p, div(mul(g, o.lr), avg)));
      }
    }
  }
}
