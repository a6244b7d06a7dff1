/**
 * Initialisers that fill a tensor in place (outside autograd) from the seeded Generator, with
 * PyTorch's formulas for fans and gains. Each returns the tensor it filled.
 */
import { ChainruleError, fmtShape } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of the random initialisers: where the numbers come from.
 * @example nn.init.normal(zeros([2]), 0, 1, { generator: new Generator(1) }).shape // [2]
 */
export interface InitOptions {
  /** the random generator (default: the global seeded one) */
  generator?: Generator;
}

/** The nonlinearities calculateGain knows, PyTorch's names camelCased. @example nn.init.calculateGain('tanh') // 1.6666666666666667 */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leakyRelu'
  | 'selu';

/** Which fan the Kaiming initialisers scale by: fanIn keeps the forward variance, fanOut the backward. @example nn.init.calculateFans(zeros([3, 4])) // [4, 3] */
export type FanMode = 'fanIn' | 'fanOut';

function target(t: Tensor, op: string): Tensor {
  if (!isFloat(t.dtype)) throw new ChainruleError(`init.${op}: can only fill float tensors, got ${t.dtype}`);
  return t;
}

function fill(t: Tensor, op: string, f: (g: Generator) => number, opts: InitOptions): Tensor {
  target(t, op);
  const g = opts.generator ?? defaultGenerator;
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = f(g);
  return t;
}

/**
 * The recommended gain for a nonlinearity (PyTorch's calculate_gain): 1 for linear/sigmoid,
 * 5/3 for tanh, sqrt(2) for relu, sqrt(2/(1+a^2)) for leaky relu with slope a (default 0.01).
 * @example nn.init.calculateGain('relu') // 1.4142135623730951
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leakyRelu': {
      const a = param ?? 0.01;
      return Math.sqrt(2 / (1 + a * a));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ChainruleError(`init.calculateGain: unknown nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/**
 * fan_in and fan_out of a weight: [out, in, ...kernel] gives in·k and out·k.
 * @example nn.init.calculateFans(zeros([3, 4])) // [4, 3]
 */
export function calculateFans(t: Tensor): [number, number] {
  if (t.ndim < 2) throw new ChainruleError(`init: fans need a tensor with at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

/** Uniform in [a, b). @example nn.init.uniform(zeros([3]), -1, 1) */
export function uniform(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  if (!(b >= a)) throw new ChainruleError(`init.uniform: need a <= b, got ${a}, ${b}`);
  return fill(t, 'uniform', (g) => a + (b - a) * g.random(), opts);
}

/** Normal with the given mean and standard deviation. @example nn.init.normal(zeros([3]), 0, 0.1) */
export function normal(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new ChainruleError(`init.normal: std must be >= 0, got ${std}`);
  return fill(t, 'normal', (g) => mean + std * g.normal(), opts);
}

/** Every element set to `value`. @example nn.init.constant(zeros([2]), 0.5).toArray() // [0.5, 0.5] */
export function constant(t: Tensor, value: number): Tensor {
  target(t, 'constant').data.fill(value);
  return t;
}

/** @example nn.init.zeros(ones([2])).toArray() // [0, 0] */
export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

/** @example nn.init.ones(zeros([2])).toArray() // [1, 1] */
export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Glorot uniform: U(-b, b) with b = gain·sqrt(6/(fan_in+fan_out)). @example nn.init.xavierUniform(zeros([3, 4])) */
export function xavierUniform(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fi, fo] = calculateFans(t);
  const bound = Math.sqrt(3) * gain * Math.sqrt(2 / (fi + fo));
  return uniform(t, -bound, bound, opts);
}

/** Glorot normal: N(0, gain²·2/(fan_in+fan_out)). @example nn.init.xavierNormal(zeros([3, 4])) */
export function xavierNormal(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const [fi, fo] = calculateFans(t);
  return normal(t, 0, gain * Math.sqrt(2 / (fi + fo)), opts);
}

/**
 * Options of kaimingUniform and kaimingNormal (defaults a 0, mode fanIn, nonlinearity leakyRelu, as PyTorch).
 * @example nn.init.kaimingUniform(zeros([8, 4]), { a: Math.sqrt(5) }).abs().max().item() <= 0.5 // true
 */
export interface KaimingOptions extends InitOptions {
  /** negative slope of the leaky relu after this layer (PyTorch's `a`, default 0) */
  a?: number;
  /** scale by the fan in (default) or the fan out */
  mode?: FanMode;
  /** the nonlinearity after this layer, for the gain (default leakyRelu) */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(t: Tensor, o: KaimingOptions): number {
  const [fi, fo] = calculateFans(t);
  const mode = o.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut') throw new ChainruleError(`init.kaiming: mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  const fan = mode === 'fanIn' ? fi : fo;
  return calculateGain(o.nonlinearity ?? 'leakyRelu', o.a ?? 0) / Math.sqrt(fan);
}

/**
 * He uniform: U(-b, b) with b = gain·sqrt(3/fan). With {a: sqrt(5)} this is PyTorch's default
 * Linear and Conv weight init, U(-1/sqrt(in), 1/sqrt(in)).
 * @example nn.init.kaimingUniform(zeros([8, 4]), { nonlinearity: 'relu' })
 */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, opts);
  return uniform(t, -bound, bound, opts);
}

/** He normal: N(0, gain²/fan). @example nn.init.kaimingNormal(zeros([8, 4]), { mode: 'fanOut', nonlinearity: 'relu' }) */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd(t, opts), opts);
}

/**
 * A (semi-)orthogonal matrix scaled by gain: the rows (or columns, whichever are fewer) are
 * orthonormal. Uses Householder QR of a Gaussian matrix with R's diagonal made positive, as
 * PyTorch does, so the result is uniformly distributed. Dims after the first are flattened.
 * @example const w = nn.init.orthogonal(zeros([3, 3])); // w·wᵀ = I
 */
export function orthogonal(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  target(t, 'orthogonal');
  if (t.ndim < 2) throw new ChainruleError(`init.orthogonal: needs at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  const g = opts.generator ?? defaultGenerator;
  // factor the tall orientation m x n (m >= n); transpose back at the end when rows < cols
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const n = tall ? cols : rows;
  const a = Float64Array.from({ length: m * n }, () => g.normal());
  const q = householderQ(a, m, n);
  const d = t.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) d[i * cols + j] = gain * (tall ? q[i * n + j] : q[j * n + i]);
  }
  return t;
}

/** Thin Q (m x n, row-major) of A = QR with diag(R) > 0, by Householder reflections. */
function householderQ(a: Float64Array, m: number, n: number): Float64Array {
  const r = a.slice();
  const vs: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    let norm = 0;
    for (let i = k; i < m; i++) norm += r[i * n + k] ** 2;
    norm = Math.sqrt(norm);
    const v = new Float64Array(m);
    const alpha = r[k * n + k] >= 0 ? -norm : norm;
    for (let i = k; i < m; i++) v[i] = r[i * n + k];
    v[k] -= alpha;
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i] * v[i];
    if (vn > 0) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = k; i < m; i++) s += v[i] * r[i * n + j];
        s = (2 * s) / vn;
        for (let i = k; i < m; i++) r[i * n + j] -= s * v[i];
      }
    }
    vs.push(v);
  }
  // Q = H0 H1 ... H(n-1) applied to the first n columns of the identity
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const v = vs[k];
    let vn = 0;
    for (let i = k; i < m; i++) vn += v[i] * v[i];
    if (vn === 0) continue;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = k; i < m; i++) s += v[i] * q[i * n + j];
      s = (2 * s) / vn;
      for (let i = k; i < m; i++) q[i * n + j] -= s * v[i];
    }
  }
  // make diag(R) positive: flip the matching columns of Q
  for (let j = 0; j < n; j++) {
    if (r[j * n + j] < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j];
  }
  return q;
}
