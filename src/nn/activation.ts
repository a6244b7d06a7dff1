import { ChainruleError } from '../errors.js';
import {
  type Op,
  type Tensor,
  celu,
  elu,
  gelu,
  glu,
  hardshrink,
  hardsigmoid,
  hardswish,
  hardtanh,
  leakyRelu,
  logSigmoid,
  logSoftmax,
  mish,
  readParams,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softmin,
  softplus,
  softshrink,
  softsign,
  step,
  tanh,
  tanhshrink,
  threshold,
} from '../ops/index.js';
import { Module } from './module.js';


/**
 * The type of an nn module class applying one op of the table: its constructor takes the op's
 * parameters in order, and instances show them, defaults filled in, in `params`.
 * @example new nn.LeakyReLU().params.negativeSlope // 0.01
 */
export interface ActivationModule<P extends unknown[]> {
  /** the op of the table the module applies */
  // biome-ignore lint/suspicious/noExplicitAny: an op of any parameters
  readonly op: Op<(x: Tensor, ...p: any[]) => Tensor>;
  new (...params: P): Module & {
    /** the op's parameters by name, defaults filled in */
    readonly params: Readonly<Record<string, unknown>>;
    /** applies the op, with the module's parameters, to x */
    forward(x: Tensor): Tensor;
  };
}

/**
 * The module class of an op whose table entry names one (`module: 'LeakyReLU'`): its constructor
 * takes the op's parameters in order, its summary line shows them (LeakyReLU(negativeSlope=0.01)),
 * and forward applies the op.
 * @typeParam O - the op's type; the module's constructor takes its parameters after x
 * @example const M = nn.activationModule(leakyRelu); new M(0.5).forward(tensor([-1])).item() // -0.5
 */
// biome-ignore lint/suspicious/noExplicitAny: an op of any parameters
export function activationModule<O extends Op<(x: Tensor, ...p: any[]) => Tensor>>(op: O): ActivationModule<O extends (x: Tensor, ...p: infer P) => Tensor ? P : never> {
  const { def } = op;
  if (!def.module) throw new ChainruleError(`activationModule: the op ${def.name} names no module`);
  const cls = class extends Module {
    readonly params: Readonly<Record<string, unknown>>;
    readonly #args: unknown[];
    constructor(...args: unknown[]) {
      super();
      if (args.length > def.params.length) {
        throw new ChainruleError(`${def.module}: takes at most ${def.params.length} arguments (${def.params.map((p) => p.name).join(', ')}), got ${args.length}`);
      }
      const params: Record<string, unknown> = {};
      def.params.forEach((p, i) => {
        params[p.name] = args[i] ?? p.default;
      });
      this.params = params;
      this.#args = def.params.map((p) => params[p.name]);
      // numeric parameters are checked here, where a bad one is written, not at the first forward
      if (def.params.every((p) => (p.type ?? 'number') === 'number')) readParams(def, this.#args as (number | undefined)[], def.check);
    }
    override extraRepr(): string {
      return def.params.map((p) => `${p.name}=${String(this.params[p.name])}`).join(', ');
    }
    forward(x: Tensor): Tensor {
      return op(x, ...this.#args);
    }
  };
  Object.defineProperty(cls, 'name', { value: def.module });
  // the op it applies, for readers of the module (the ONNX exporter writes the op's mapping)
  Object.defineProperty(cls, 'op', { value: op });
  return cls as unknown as ActivationModule<O extends (x: Tensor, ...p: infer P) => Tensor ? P : never>;
}

/** Elementwise max(x, 0), as torch.nn.ReLU. @example new nn.ReLU().forward(tensor([-1, 2])).toArray() // [0, 2] */
export const ReLU = activationModule(relu);
/** x for x > 0, negativeSlope·x otherwise (default slope 0.01), as torch.nn.LeakyReLU. @example new nn.LeakyReLU(0.5).forward(tensor([-2, 3])).toArray() // [-1, 3] */
export const LeakyReLU = activationModule(leakyRelu);
/** Logistic sigmoid 1/(1 + e^-x), as torch.nn.Sigmoid. @example new nn.Sigmoid().forward(tensor([0, 2])).toArray() // [0.5, 0.8807971] */
export const Sigmoid = activationModule(sigmoid);
/** Hyperbolic tangent, as torch.nn.Tanh. @example new nn.Tanh().forward(tensor([0, 1])).toArray() // [0, 0.7615942] */
export const Tanh = activationModule(tanh);
/** Softmax along dim (default -1, the last), as torch.nn.Softmax. @example new nn.Softmax(1).forward(zeros([1, 2])).toArray() // [[0.5, 0.5]] */
export const Softmax = activationModule(softmax);
/** log(softmax(x)) along dim (default -1), computed stably, as torch.nn.LogSoftmax. @example new nn.LogSoftmax(1).forward(zeros([1, 2])).toArray() // [[-0.6931472, -0.6931472]] */
export const LogSoftmax = activationModule(logSoftmax);
/** softmax(-x) along dim (default -1), as torch.nn.Softmin. @example new nn.Softmin(1).forward(tensor([[0, 0]])).toArray() // [[0.5, 0.5]] */
export const Softmin = activationModule(softmin);
/** log(1 + e^(beta·x))/beta, linear where beta·x > threshold (PyTorch's defaults beta 1, threshold 20), as torch.nn.Softplus. @example new nn.Softplus().forward(tensor([0, 30])).toArray() // [0.6931472, 30] */
export const Softplus = activationModule(softplus);
/** GELU x·Φ(x), exact (erf) by default or `'tanh'`-approximated, as torch.nn.GELU. @example new nn.GELU('tanh').forward(tensor([0, 1])).toArray() // [0, 0.841192] */
export const GELU = activationModule(gelu);
/** x for x > 0, alpha·(e^x - 1) otherwise (default alpha 1), as torch.nn.ELU. @example new nn.ELU().forward(tensor([-1, 2])).toArray() // [-0.6321205, 2] */
export const ELU = activationModule(elu);
/** Heaviside threshold unit (no PyTorch module; torch.heaviside with value 1 at 0): 1 where x >= 0, else 0 (gradient 0). @example new nn.Step().forward(tensor([-1, 0, 2])).toArray() // [0, 1, 1] */
export const Step = activationModule(step);
/** Clamp into [minVal, maxVal] (default [-1, 1]) with PyTorch's gradient at the bounds, as torch.nn.Hardtanh. @example new nn.Hardtanh(-2, 2).forward(tensor([-3, 0.5, 3])).toArray() // [-2, 0.5, 2] */
export const Hardtanh = activationModule(hardtanh);
/** min(max(x, 0), 6), as torch.nn.ReLU6. @example new nn.ReLU6().forward(tensor([-1, 3, 9])).toArray() // [0, 3, 6] */
export const ReLU6 = activationModule(relu6);
/** x·σ(x) (swish), as torch.nn.SiLU. @example new nn.SiLU().forward(tensor([0, 1])).toArray() // [0, 0.7310586] */
export const SiLU = activationModule(silu);
/** x·tanh(softplus(x)), as torch.nn.Mish. @example new nn.Mish().forward(tensor([0, 1])).toArray() // [0, 0.8650984] */
export const Mish = activationModule(mish);
/** Self-normalising ELU: scale·elu(x, alpha) with PyTorch's constants (scale 1.0507..., alpha 1.6732...), as torch.nn.SELU. @example new nn.SELU().forward(tensor([0, 1])).toArray() // [0, 1.050701] */
export const SELU = activationModule(selu);
/** Continuously differentiable ELU: max(0, x) + min(0, alpha·(e^(x/alpha) - 1)) (default alpha 1), as torch.nn.CELU. @example new nn.CELU(2).forward(tensor([-1, 2])).toArray() // [-0.7869387, 2] */
export const CELU = activationModule(celu);
/** x·relu6(x + 3)/6, as torch.nn.Hardswish. @example new nn.Hardswish().forward(tensor([-4, -1, 0, 4])).toArray() // [0, -0.3333333, 0, 4] */
export const Hardswish = activationModule(hardswish);
/** relu6(x + 3)/6, as torch.nn.Hardsigmoid. @example new nn.Hardsigmoid().forward(tensor([-4, 0, 4])).toArray() // [0, 0.5, 1] */
export const Hardsigmoid = activationModule(hardsigmoid);
/** x/(1 + |x|), as torch.nn.Softsign. @example new nn.Softsign().forward(tensor([-3, 1])).toArray() // [-0.75, 0.5] */
export const Softsign = activationModule(softsign);
/** x - tanh(x), as torch.nn.Tanhshrink. @example new nn.Tanhshrink().forward(tensor([0, 1])).toArray() // [0, 0.2384058] */
export const Tanhshrink = activationModule(tanhshrink);
/** Soft shrinkage: x - lambd above lambd, x + lambd below -lambd, 0 between (default lambd 0.5), as torch.nn.Softshrink. @example new nn.Softshrink(1).forward(tensor([-3, 0.5, 2])).toArray() // [-2, 0, 1] */
export const Softshrink = activationModule(softshrink);
/** Hard shrinkage: x where |x| > lambd, else 0 (default lambd 0.5), as torch.nn.Hardshrink. @example new nn.Hardshrink().forward(tensor([-2, 0.25, 1])).toArray() // [-2, 0, 1] */
export const Hardshrink = activationModule(hardshrink);
/** x where x > threshold, value elsewhere: new Threshold(threshold, value), as torch.nn.Threshold. @example new nn.Threshold(1, -5).forward(tensor([0, 1, 2])).toArray() // [-5, -5, 2] */
export const Threshold = activationModule(threshold);
/** log σ(x), computed stably, as torch.nn.LogSigmoid. @example new nn.LogSigmoid().forward(tensor([0])).toArray() // [-0.6931472] */
export const LogSigmoid = activationModule(logSigmoid);
/** The gated linear unit along dim (default -1): the first half times σ of the second half, as torch.nn.GLU. @example new nn.GLU().forward(tensor([[1, 2, 0, 0]])).toArray() // [[0.5, 1]] */
export const GLU = activationModule(glu);

/**
 * The perceptron's threshold unit: -1, 0 or 1 by the sign of x (gradient 0). Pass `{zero: 1}`
 * for the textbook Φ(x) = 1 if x >= 0 else -1.
 * @example new nn.Sign({ zero: 1 }).forward(tensor([-2, 0, 3])).toArray() // [-1, 1, 1]
 */
export class Sign extends Module {
  /** the output where x = 0 (default 0; 1 makes the unit a step function, as the perceptron's) */
  readonly zero: number;
  constructor(opts: { zero?: number } = {}) {
    super();
    this.zero = opts.zero ?? 0;
  }
  override extraRepr(): string {
    return this.zero === 0 ? '' : `zero=${this.zero}`;
  }
  forward(x: Tensor): Tensor {
    const s = x.sign();
    return this.zero === 0 ? s : s.where(x.ne(0), this.zero);
  }
}

/**
 * factor·inner(x): scales an activation, e.g. 5·ReLU for the regression exercise.
 * @example new nn.Scale(5, new nn.ReLU()).forward(tensor([-1, 2])).toArray() // [0, 10]
 */
export class Scale extends Module {
  constructor(
    /** the constant the inner module's output is multiplied by */
    readonly factor: number,
    /** the module whose output is scaled */
    readonly inner: Module & {
      /** maps the input tensor to the output tensor */
      forward(x: Tensor): Tensor;
    },
  ) {
    super();
    if (typeof factor !== 'number' || !Number.isFinite(factor)) throw new ChainruleError(`Scale: factor must be a finite number, got ${factor}`);
    if (!(inner instanceof Module)) throw new ChainruleError('Scale: expected a Module to scale');
  }
  override describe(): string {
    return `${this.factor}·${this.inner.describe()}`;
  }
  override extraRepr(): string {
    return `factor=${this.factor}`;
  }
  forward(x: Tensor): Tensor {
    return this.inner.forward(x).mul(this.factor);
  }
}

/** Shorthand for `new Scale(factor, inner)`. @example nn.scaled(5, new nn.ReLU()) */
export function scaled(factor: number, inner: Module & { forward(x: Tensor): Tensor }): Scale {
  return new Scale(factor, inner);
}
