import { backward } from '../autograd/functional.js';
import { ChainruleError } from '../errors.js';
import { linspace, tensor } from '../tensor/creation.js';
import { formatNumber } from './graph-labels.js';
import { elu, gelu, leakyRelu, mul, relu, sigmoid, sign, softplus, step, sum, tanh, type Tensor } from '../ops/index.js';

/** An activation function with its parameter bound, ready to sample. */
export interface Activation {
  /** The spec it came from, normalized: "leaky_relu:0.01". */
  spec: string;
  /** A readable title: "LeakyReLU (slope = 0.01)". */
  title: string;
  /** The library op(s) applied to a tensor. */
  apply: (x: Tensor) => Tensor;
}

interface Family {
  title: string;
  /** Name and default of the one parameter, when the family has one. */
  param?: { name: string; default: number };
  make: (p: number) => (x: Tensor) => Tensor;
}

const FAMILIES: Record<string, Family> = {
  relu: { title: 'ReLU', make: () => relu },
  leaky_relu: { title: 'LeakyReLU', param: { name: 'slope', default: 0.01 }, make: (p) => (x) => leakyRelu(x, p) },
  elu: { title: 'ELU', param: { name: 'α', default: 1 }, make: (p) => (x) => elu(x, p) },
  softplus: { title: 'Softplus', param: { name: 'β', default: 1 }, make: (p) => (x) => softplus(x, p) },
  gelu: { title: 'GELU', make: () => (x) => gelu(x) },
  gelu_tanh: { title: 'GELU (tanh approx.)', make: () => (x) => gelu(x, { approximate: 'tanh' }) },
  sigmoid: { title: 'Sigmoid σ', make: () => sigmoid },
  tanh: { title: 'tanh', make: () => tanh },
  silu: { title: 'SiLU x·σ(x)', make: () => (x) => mul(x, sigmoid(x)) },
  sign: { title: 'sign', make: () => sign },
  step: { title: 'Heaviside step', make: () => step },
};

const ALIASES: Record<string, string> = {
  leakyrelu: 'leaky_relu',
  leaky: 'leaky_relu',
  geluTanh: 'gelu_tanh',
  gelutanh: 'gelu_tanh',
  swish: 'silu',
  heaviside: 'step',
  logistic: 'sigmoid',
};

/** The activation names `parseActivation` accepts. */
export const ACTIVATION_NAMES: readonly string[] = Object.keys(FAMILIES);

/**
 * Parses one activation spec: a name with an optional parameter after a colon
 * (relu, leaky_relu:0.01, elu:1.5, softplus:2, gelu, gelu_tanh, sigmoid, tanh, silu, sign, step).
 * @example parseActivation('leaky_relu:0.1').title // 'LeakyReLU (slope = 0.1)'
 */
export function parseActivation(spec: string): Activation {
  const [rawName, rawParam, ...extra] = spec.trim().split(':');
  const name = ALIASES[rawName] ?? ALIASES[rawName.toLowerCase()] ?? rawName.toLowerCase();
  const fam = FAMILIES[name];
  if (!fam) {
    throw new ChainruleError(`plot: unknown activation ${JSON.stringify(rawName)} (known: ${ACTIVATION_NAMES.join(', ')})`);
  }
  if (extra.length) throw new ChainruleError(`plot: ${JSON.stringify(spec)} has more than one parameter`);
  if (rawParam !== undefined && !fam.param) throw new ChainruleError(`plot: ${name} takes no parameter (got ${JSON.stringify(spec)})`);
  let p = fam.param?.default ?? 0;
  if (rawParam !== undefined) {
    p = Number(rawParam);
    if (rawParam.trim() === '' || !Number.isFinite(p)) {
      throw new ChainruleError(`plot: the parameter of ${name} must be a number (got ${JSON.stringify(rawParam)})`);
    }
    if (name === 'softplus' && p <= 0) throw new ChainruleError(`plot: softplus needs β > 0 (got ${rawParam})`);
  }
  const title = fam.param ? `${fam.title} (${fam.param.name} = ${formatNumber(p)})` : fam.title;
  return { spec: fam.param ? `${name}:${formatNumber(p, 12)}` : name, title, apply: fam.make(p) };
}

/** Parses a comma-separated list of specs: "relu,leaky_relu:0.01,softplus:1,gelu". */
export function parseActivations(list: string): Activation[] {
  const specs = list.split(',').filter((s) => s.trim() !== '');
  if (specs.length === 0) throw new ChainruleError('plot: no activation given (e.g. relu,leaky_relu:0.01,softplus:1,gelu)');
  return specs.map(parseActivation);
}

/** Samples of an activation: xs, f(xs) and f'(xs), the derivative from the autograd engine. */
export interface ActivationSamples {
  activation: Activation;
  x: number[];
  y: number[];
  dy: number[];
}

/**
 * Evaluates f at the given points and differentiates it with the library's autograd: one
 * backward pass of sum(f(x)) gives f'(x_i) at every point (f acts elementwise).
 * @example sampleActivation(parseActivation('sigmoid'), [0]).dy // [0.25]
 */
export function sampleActivation(act: Activation, xs: readonly number[] | Tensor): ActivationSamples {
  const values = Array.isArray(xs) ? (xs as number[]) : Array.from((xs as Tensor).data, Number);
  const x = tensor(values, { dtype: 'float64', requiresGrad: true });
  const y = act.apply(x);
  backward(sum(y));
  const g = x.grad;
  if (!g) throw new ChainruleError(`plot: ${act.spec} produced no gradient`);
  return { activation: act, x: Array.from(x.data), y: Array.from(y.data), dy: Array.from(g.data) };
}

/**
 * Samples each activation on `n` evenly spaced points of [lo, hi] (linspace), with derivatives.
 * @example sampleActivations([parseActivation('relu')], [-1, 1], 3)[0].dy // [0, 0, 1]
 */
export function sampleActivations(acts: readonly Activation[], range: readonly [number, number], n = 401): ActivationSamples[] {
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) {
    throw new ChainruleError(`plot: the range must be two finite numbers lo < hi (got ${lo}, ${hi})`);
  }
  if (!Number.isInteger(n) || n < 2) throw new ChainruleError(`plot: the number of samples must be an integer >= 2 (got ${n})`);
  return acts.map((a) => sampleActivation(a, linspace(lo, hi, n, { dtype: 'float64' })));
}
