import { fullLike } from '../tensor/creation.js';
import { type BaseOptions, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, isBool, nonNegative } from './optimizer.js';
import { assign } from '../ops/index.js';
import { add, div, mul, neg, sqrt, sub, type Tensor } from '../ops/index.js';

export interface AdagradOptions extends BaseOptions {
  /** learning rate (default 1e-2) */
  lr: number;
  /** learning-rate decay: step t uses lr / (1 + (t-1)·lrDecay) (default 0) */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0) */
  weightDecay: number;
  /** starting value of the squared-gradient sums (default 0) */
  initialAccumulatorValue: number;
  /** added to the denominator (default 1e-10) */
  eps: number;
  /** ascend instead of descend */
  maximize: boolean;
}

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1e-2, check: nonNegative('lr') },
  lrDecay: { default: 0, check: nonNegative('lrDecay') },
  weightDecay: { default: 0, check: nonNegative('weightDecay') },
  initialAccumulatorValue: { default: 0, check: nonNegative('initialAccumulatorValue') },
  eps: { default: 1e-10, check: nonNegative('eps') },
  maximize: { default: false, check: isBool('maximize') },
};

/**
 * Adagrad (Duchi et al.), the same update as torch.optim.Adagrad:
 *
 *   s ← s + g²;  p ← p - lr/(1 + (t-1)·lrDecay) · g / (√s + ε)
 *
 * @example
 * const model = new nn.Linear(4, 2);
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.1, initialAccumulatorValue: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, options, SPECS, 'Adagrad');
  }

  /** Like PyTorch, the sums exist from construction (filled with initialAccumulatorValue). */
  protected override initGroupState(g: ParamGroup<AdagradOptions>): void {
    for (const p of g.params) {
      if (this.state.has(p)) continue;
      this.state.set(p, { step: 0, sum: fullLike(p, g.initialAccumulatorValue) });
    }
  }

  protected updateGroup(o: ParamGroup<AdagradOptions>, params: Tensor[]): void {
    for (const p of params) {
      const s = this.stateOf(p);
      if (s.sum === undefined) {
        s.step = 0;
        s.sum = fullLike(p, o.initialAccumulatorValue);
      }
      s.step = (s.step as number) + 1;
      let g = p.grad as Tensor;
      if (o.maximize) g = neg(g);
      if (o.weightDecay !== 0) g = add(g, mul(p, o.weightDecay));
      const clr = o.lr / (1 + ((s.step as number) - 1) * o.lrDecay);
      const sum = s.sum as Tensor;
      assign(sum, add(sum, mul(g, g)));
      assign(p, sub(p, div(mul(g, clr), add(sqrt(sum), o.eps))));
    }
  }
}
