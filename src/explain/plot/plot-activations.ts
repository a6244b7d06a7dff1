import { backward } from '../../autograd/functional.js';
import { ChainruleError } from '../../errors.js';
import { linspace, tensor } from '../../tensor/creation.js';
import { formatNumber } from '../graph/graph-labels.js';
import { OPS, OP_MODULES, type Op, sum, type Tensor } from '../../ops/index.js';

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

/**
 * The plot families of the op table: each plot spec of an entry is a family named by its key (or
 * the op's problem-file name); its parameter is the op's parameter the spec names (or its first
 * numeric one); fixed values (GELU's tanh form) are passed as given. The activations come first.
 */
function families(): [Record<string, Family>, Record<string, string>] {
  const fams: Record<string, Family> = {};
  const aliases: Record<string, string> = {};
  const ops = [...OPS].sort((a, b) => Number(isActivation(b)) - Number(isActivation(a)));
  for (const op of ops) {
    const { def } = op;
    const apply = op as unknown as (x: Tensor, ...p: unknown[]) => Tensor;
    for (const spec of def.plot) {
      const key = spec.key ?? def.problem ?? def.name;
      const numeric = def.params.filter((q) => (q.type ?? 'number') === 'number');
      const pp = spec.param ? def.params.find((q) => q.name === spec.param) : numeric[0];
      const param = pp && typeof pp.default === 'number' ? { name: pp.text ?? pp.name, default: pp.default, key: pp.name } : undefined;
      fams[key] = {
        title: spec.title,
        param: param && { name: param.name, default: param.default },
        make: (v) => {
          const args = def.params.map((q) => (param && q.name === param.key ? v : (spec.fixed?.[q.name] ?? q.default)));
          return (x) => apply(x, ...args);
        },
      };
      if (!spec.key) for (const a of def.aliases) aliases[a] = key;
    }
  }
  return [fams, aliases];
}

function isActivation(op: Op): boolean {
  return Object.values(OP_MODULES.activation).includes(op as never);
}

const [FAMILIES, ALIASES] = families();

/** The activation names `parseActivation` accepts. */
export const ACTIVATION_NAMES: readonly string[] = Object.keys(FAMILIES);

/**
 * Parses one activation spec: a name with an optional parameter after a colon
 * (relu, leaky_relu:0.01, elu:1.5, softplus:2, gelu, gelu_tanh, sigmoid, tanh, silu, sign, step, and
 * every other op of the table with a plot family: see ACTIVATION_NAMES).
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
  }
  const apply = fam.make(p);
  try {
    // a parameter the op rejects (softplus's β ≤ 0) fails here, with the op's own message
    apply(tensor([0], { dtype: 'float64' }));
  } catch (e) {
    if (e instanceof ChainruleError) throw new ChainruleError(`plot: ${e.message}`);
    throw e;
  }
  const title = fam.param ? `${fam.title} (${fam.param.name} = ${formatNumber(p)})` : fam.title;
  return { spec: fam.param ? `${name}:${formatNumber(p, 12)}` : name, title, apply };
}

/** Parses a comma-separated list of specs: "relu,leaky_relu:0.01,softplus:1,gelu". */
export function parseActivations(list: string): Activation[] {
  const specs = list.split(',').filter((s) => s.trim() !== '');
  if (specs.length === 0) throw new ChainruleError('plot: no activation given (e.g. relu,leaky_relu:0.01,softplus:1,gelu)');
  return specs.map(parseActivation);
}

/** Samples of an activation: xs, f(xs) and f'(xs), the derivative from the autograd engine. @example sampleActivation(parseActivation('relu'), [-1, 2]).y // [0, 2] */
export interface ActivationSamples {
  /** the activation sampled */
  activation: Activation;
  /** the sample points */
  x: number[];
  /** f at each point */
  y: number[];
  /** f' at each point, from one backward pass of sum(f(x)) */
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
