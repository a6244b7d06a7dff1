
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { scalar, zerosLike } from '../tensor/creation.js';
import { normDim } from '../tensor/shape.js';
import type { OpInfo, Tensor } from '../tensor/tensor.js';
import { add, div, eq, ge, gt, le, logicalAnd, logicalOr, lt, mul, neg, sub, where } from './arith.js';
import { defineOp, operatorLatex } from './define.js';
import { compositeOp, unaryOp } from './elementwise.js';
import { type Expr, call, cases, cond, minus, neg as negE, num, over, plus, power, times } from './formula.js';
import { assertTensor, binaryKernel, runBinary, runUnary, unaryKernel } from './kernel.js';
import { CLAMP, abs, cosh, erf, exp, expm1, log, log1p, reciprocal, tanh } from './math.js';
import { sumTo } from './reduce.js';
import { chunk, detach, reshape } from './shape.js';
import { erf as erfScalar } from './special.js';

const fn = (latex: string) => operatorLatex(latex);
const x0 = (args: readonly Expr[]) => args[0];
const gt0 = (x: Expr) => cond(x, '>', num(0));

/** relu's backward in one pass (no bool mask in between): y <= 0 ? 0 : g. */
const RELU_GRAD = binaryKernel('reluBackward', (g, y) => (y <= 0 ? 0 : g));
const RELU_BACKWARD: OpInfo = { name: 'reluBackward', latex: ([g, y]) => `\\mathbb{1}_{${y} > 0}\\, ${g}` };

/**
 * dL/dx of relu as PyTorch's threshold_backward: y <= 0 ? 0 : g, a selection (a NaN upstream
 * stays out where y <= 0, and a NaN input passes the gradient, as a 0/1 mask times g would not).
 * Recorded as PyTorch records it, with zeros as the gradient of y: in a second derivative those
 * zeros flow back through the layers before the relu as PyTorch's do, NaN weights included.
 */
function reluBackward(g: Tensor, y: Tensor): Tensor {
  const out = runBinary(RELU_GRAD, g, y, 'relu backward');
  return record(RELU_BACKWARD, [g, y], out, (gg) => [reluBackward(gg, y), zerosLike(gg)]);
}

/**
 * max(x, 0) (NaN stays NaN); gradient 1 where x > 0 and 0 elsewhere (0 at x = 0, as in PyTorch).
 * @example F.relu(tensor([-1, 0, 2])) // [0, 0, 2]
 */
export const relu = unaryOp({
  name: 'relu',
  doc: 'max(x, 0); the gradient is 1 where x > 0 and 0 elsewhere, also at 0, as in PyTorch.',
  problem: 'relu',
  // x < 0 rather than x > 0: NaN (and -0) pass through, as PyTorch's clamp_min
  kernel: unaryKernel('relu', (x) => (x < 0 ? 0 : x)),
  kernels: [RELU_GRAD],
  keepsInt: true,
  backward: (g, _x, y): Tensor => reluBackward(g, y),
  latex: fn('\\mathrm{ReLU}'),
  fnLatex: '\\mathrm{ReLU}',
  label: 'ReLU',
  derivative: (a) => [call('ind_pos', x0(a))],
  plot: { title: 'ReLU' },
  module: 'ReLU',
  onnx: { opType: 'Relu' },
});

/** Leaky ReLU: x for x > 0, slope·x otherwise. @example leakyRelu(tensor([-2]), 0.01).item() // -0.02 */
export const leakyRelu = unaryOp({
  name: 'leakyRelu',
  doc: 'x for x > 0, negativeSlope·x otherwise (default slope 0.01).',
  problem: 'leaky_relu',
  aliases: ['leakyrelu', 'leaky'],
  params: [{ name: 'negativeSlope', default: 0.01, latex: '\\alpha', text: 'slope' }],
  kernel: unaryKernel('leakyRelu', (x, s) => (x > 0 ? x : s * x)),
  backward: (g, x, _y, [s]): Tensor => where(gt(x, 0), g, mul(g, s)),
  latex: ([a], at) => `\\mathrm{LeakyReLU}_{${at?.negativeSlope}}\\left(${a}\\right)`,
  fnLatex: '\\mathrm{LeakyReLU}',
  label: (at) => `LeakyReLU ${formatParam(at.negativeSlope ?? 0.01)}`,
  derivative: ([x], [s]) => [cases([[gt0(x), num(1)]], s ?? num(0.01))],
  plot: { title: 'LeakyReLU' },
  module: 'LeakyReLU',
  onnx: { opType: 'LeakyRelu', attributes: (a) => ({ alpha: a.negativeSlope as number }) },
});

/**
 * Logistic sigmoid 1/(1+e^-x); d/dx = s(1-s).
 * @example tensor([0, 2]).sigmoid() // [0.5, 0.8807971]
 */
export const sigmoid = unaryOp({
  name: 'sigmoid',
  doc: 'Logistic sigmoid 1/(1 + e^-x); d/dx = σ(x)(1 - σ(x)).',
  problem: 'sigmoid',
  aliases: ['logistic'],
  kernel: unaryKernel('sigmoid', (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))),
  backward: (g, _x, y): Tensor => mul(g, mul(y, sub(1, y))),
  latex: fn('\\sigma'),
  fnLatex: '\\sigma',
  fnText: 'σ',
  derivative: (a) => [times(call('sigmoid', x0(a)), minus(num(1), call('sigmoid', x0(a))))],
  plot: { title: 'Sigmoid σ' },
  module: 'Sigmoid',
  onnx: { opType: 'Sigmoid' },
});

/**
 * PyTorch's elu_backward for x <= 0 ? a·e^(x·s) : b (a, b the scaled upstream): a·e^(x·s), not
 * y + α, which cancels for large negative x. The exponential is taken at x only where x < 0 (at 0
 * and above at 0): PyTorch's double backward multiplies by (x < 0), so the second derivative at
 * x = 0 is 0, and a NaN input (which takes the linear branch, as PyTorch's scalar loop) cannot
 * reach e^x. (PyTorch's vectorised loop gives NaN there instead: no convention to follow.)
 */
function expBranch(x: Tensor, a: Tensor, s: number, b: Tensor): Tensor {
  const xs = where(lt(x, 0), x, 0);
  return where(le(x, 0), mul(a, exp(s === 1 ? xs : mul(xs, s))), b);
}

/**
 * ELU: x for x > 0, alpha·(e^x - 1) otherwise.
 * @example F.elu(tensor([-1, 2]), 1) // [-0.6321206, 2]
 */
export const elu = unaryOp({
  name: 'elu',
  doc: 'x for x > 0, alpha·(e^x - 1) otherwise.',
  problem: 'elu',
  params: [{ name: 'alpha', default: 1, latex: '\\alpha', text: 'α' }],
  kernel: unaryKernel('elu', (x, a) => (x > 0 ? x : a * Math.expm1(x))),
  backward: (g, x, _y, [a]): Tensor => expBranch(x, mul(g, a), 1, g),
  latex: fn('\\mathrm{ELU}'),
  fnLatex: '\\mathrm{ELU}',
  label: (at) => (typeof at.alpha === 'number' && at.alpha !== 1 ? `ELU ${formatParam(at.alpha)}` : 'ELU'),
  derivative: ([x], [a]) => [cases([[gt0(x), num(1)]], times(a ?? num(1), call('exp', x)))],
  plot: { title: 'ELU' },
  module: 'ELU',
  onnx: { opType: 'Elu', attributes: (a) => ({ alpha: a.alpha as number }) },
});

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const GELU_ERF = unaryKernel('gelu', (x: number) => 0.5 * x * (1 + erfScalar(x * Math.SQRT1_2)));
const GELU_TANH = unaryKernel('geluTanh', (x: number) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))));

/** GELU's derivative: Φ(x) + x·φ(x), or that of the tanh form. */
function geluDerivative(x: Tensor, tanhForm: boolean): Tensor {
  if (tanhForm) {
    const x2 = mul(x, x);
    const t = tanh(mul(add(x, mul(mul(x2, x), 0.044715)), SQRT_2_OVER_PI));
    const du = mul(add(mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
    return add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), du));
  }
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
  return add(cdf, mul(x, pdf));
}

/**
 * GELU's second derivative as PyTorch's gelu_double_backward computes it: 2φ - x²·φ, and the
 * tanh form's f'gh + f'gh + g'fh + h'fg; so it is NaN where PyTorch's is (x² overflowing to ∞
 * beside φ = 0, at ±∞ and, in float32, for |x| above 1.8e19).
 */
function geluSecond(x: Tensor, tanhForm: boolean): Tensor {
  if (!tanhForm) {
    const x2 = mul(x, x);
    const pdf = mul(exp(mul(x2, -0.5)), INV_SQRT_2PI);
    return sub(mul(pdf, 2), mul(x2, pdf));
  }
  const kappa = 0.044715;
  const inner = mul(add(x, mul(mul(mul(x, x), x), kappa)), SQRT_2_OVER_PI);
  const t = tanh(inner);
  const sech = reciprocal(cosh(inner));
  const f = mul(x, 0.5);
  const g = sub(1, mul(t, t));
  const h = mul(add(mul(mul(x, x), 3 * kappa), 1), SQRT_2_OVER_PI);
  const fgh = mul(mul(g, 0.5), h);
  const gfh = mul(mul(f, h), mul(mul(mul(sech, 2), neg(mul(sech, t))), h));
  const hfg = mul(mul(f, g), mul(x, 6 * kappa * SQRT_2_OVER_PI));
  return add(add(add(fgh, fgh), gfh), hfg);
}

const GELU_BACKWARD: OpInfo = { name: 'geluBackward', latex: ([g, x]) => `\\mathrm{GELU}'\\left(${x}\\right) ${g}` };

/**
 * dL/dx of gelu, g·GELU'(x), recorded as PyTorch records its gelu_backward: with its own
 * gradients, GELU'(x)·gg for g and g·gg·GELU''(x) for x (geluSecond), rather than the
 * derivative of GELU'(x)'s formula, which overflows elsewhere.
 */
function geluBackward(g: Tensor, x: Tensor, tanhForm: boolean): Tensor {
  const y = noGrad(() => mul(g, geluDerivative(x, tanhForm)));
  return record(GELU_BACKWARD, [g, x], y, (gg) => [geluBackward(gg, x, tanhForm), mul(mul(gg, g), geluSecond(x, tanhForm))]);
}

/** The options of gelu (torch's `approximate`). */
export interface GeluOptions {
  /** 'none' (exact, with erf; PyTorch's default) or 'tanh' (the approximation) */
  approximate?: 'none' | 'tanh';
}

/**
 * GELU, x·Φ(x). Exact (erf) by default; `{approximate: 'tanh'}` (or 'tanh') for the tanh form.
 * @example
 * F.gelu(tensor([-1, 0, 1])) // [-0.1586553, 0, 0.8413447]
 * F.gelu(tensor([1]), { approximate: 'tanh' }) // [0.8411920]
 */
export const gelu = defineOp(
  {
    name: 'gelu',
    doc: "GELU x·Φ(x): exact with erf (PyTorch's default), or approximate = 'tanh'.",
    problem: 'gelu',
    params: [{ name: 'approximate', type: 'string', default: 'none' }],
    fnLatex: '\\mathrm{GELU}',
    label: (at) => (at.approximate === 'tanh' ? 'GELU tanh' : 'GELU'),
    kernel: GELU_ERF,
    kernels: [GELU_TANH],
    // Φ(x) + x·φ(x) with Φ(x) = (1 + erf(x/√2))/2 and φ(x) = e^(-x²/2)/√(2π)
    derivative: ([x]) => [
      plus(
        over(plus(num(1), call('erf', times(x, num(Math.SQRT1_2)))), num(2)),
        times(x, times(num(INV_SQRT_2PI), call('exp', negE(over(power(x, num(2)), num(2)))))),
      ),
    ],
    plot: [
      { key: 'gelu', title: 'GELU' },
      { key: 'gelu_tanh', title: 'GELU (tanh approx.)', fixed: { approximate: 'tanh' } },
    ],
    module: 'GELU',
    onnx: {
      opType: 'Gelu',
      since: 20,
      attributes: (a) => ({ approximate: a.approximate === 'tanh' ? 'tanh' : 'none' }),
      build: (g, [x], a) => {
        const half = g.node('Mul', [x, g.float(0.5)])[0];
        if (a.approximate === 'tanh') {
          const cube = g.node('Mul', [g.node('Mul', [x, x])[0], x])[0];
          const inner = g.node('Mul', [g.node('Add', [x, g.node('Mul', [cube, g.float(0.044715)])[0]])[0], g.float(SQRT_2_OVER_PI)])[0];
          return g.node('Mul', [half, g.node('Add', [g.node('Tanh', [inner])[0], g.float(1)])[0]])[0];
        }
        const cdf = g.node('Add', [g.node('Erf', [g.node('Mul', [x, g.float(Math.SQRT1_2)])[0]])[0], g.float(1)])[0];
        return g.node('Mul', [half, cdf])[0];
      },
    },
  },
  (def) =>
    function gelu(x: Tensor, approximate: 'none' | 'tanh' | GeluOptions = 'none'): Tensor {
      assertTensor(x, 'gelu');
      const approx = typeof approximate === 'string' ? approximate : (approximate.approximate ?? 'none');
      if (approx !== 'none' && approx !== 'tanh') throw new ChainruleError(`gelu: approximate must be 'none' or 'tanh', got ${JSON.stringify(approx)}`);
      if (approx === 'tanh') {
        const y = runUnary(GELU_TANH, x);
        return record(def, [x], y, (g) => [geluBackward(g, x, true)], { approximate: 'tanh' });
      }
      const y = runUnary(GELU_ERF, x);
      return record(def, [x], y, (g) => [geluBackward(g, x, false)]);
    },
);

/**
 * Softplus log(1 + e^(beta·x))/beta, linear where beta·x > threshold (PyTorch's defaults 1 and 20).
 * @example F.softplus(tensor([0, 30])) // [0.6931472, 30]
 */
export const softplus = unaryOp({
  name: 'softplus',
  doc: 'log(1 + e^(beta·x))/beta, and x itself where beta·x > threshold (defaults 1 and 20, as in PyTorch).',
  problem: 'softplus',
  params: [
    { name: 'beta', default: 1, latex: '\\beta', text: 'β' },
    { name: 'threshold', default: 20 },
  ],
  check: ([b]) => {
    if (!(b > 0)) throw new ChainruleError(`softplus needs β > 0, got ${b}`);
  },
  kernel: unaryKernel('softplus', (x, b, t) => (x * b > t ? x : Math.log1p(Math.exp(b * x)) / b)),
  backward: (g, x, _y, [b, t]): Tensor => {
    const bx = mul(x, b);
    return mul(g, where(gt(bx, t), 1, sigmoid(bx)));
  },
  fnLatex: '\\mathrm{softplus}',
  label: (at) => (typeof at.beta === 'number' && at.beta !== 1 ? `softplus β=${formatParam(at.beta)}` : 'softplus'),
  derivative: ([x], [b, t]) => {
    const bx = b ? times(b, x) : x;
    return [t ? cases([[cond(bx, '>', t), num(1)]], call('sigmoid', bx)) : call('sigmoid', bx)];
  },
  plot: { title: 'Softplus' },
  module: 'Softplus',
  // ONNX's Softplus has neither beta nor the linear region: both written around it
  onnx: {
    build: (g, [x], a) => {
      const beta = (a.beta as number | undefined) ?? 1;
      const bx = beta === 1 ? x : g.node('Mul', [x, g.float(beta)])[0];
      const sp = g.node('Softplus', [bx])[0];
      const soft = beta === 1 ? sp : g.node('Div', [sp, g.float(beta)])[0];
      return g.node('Where', [g.node('Greater', [bx, g.float((a.threshold as number | undefined) ?? 20)])[0], x, soft])[0];
    },
  },
});

/**
 * Heaviside step: 1 where x >= 0, else 0 (also for NaN). Its gradient is 0 everywhere.
 * @example tensor([-0.5, 0, 2]).step() // [0, 1, 1]
 */
export const step = unaryOp({
  name: 'step',
  doc: 'Heaviside step: 1 where x ≥ 0, else 0 (NaN gives 0). Its gradient is 0 everywhere.',
  problem: 'step',
  aliases: ['heaviside'],
  methodAliases: ['heaviside'],
  kernel: unaryKernel('step', (x) => (x >= 0 ? 1 : 0)),
  keepsInt: true,
  backward: (g): Tensor => mul(g, 0),
  latex: fn('H'),
  fnLatex: 'H',
  fnText: 'H',
  derivative: () => [num(0)],
  grad: 'zero',
  plot: { title: 'Heaviside step' },
  module: 'Step',
  onnx: { build: (g, [x]) => g.node('Where', [g.node('GreaterOrEqual', [x, g.float(0)])[0], g.float(1), g.float(0)])[0] },
});
/**
 * The Heaviside step, another name for step: 1 where x ≥ 0, else 0.
 * @example heaviside(tensor([-1, 1])) // [0, 1]
 */
export const heaviside = step;

/**
 * clamp(x, min, max) whose gradient is 0 at the bounds, as PyTorch's hardtanh.
 * @example F.hardtanh(tensor([-2, 0.5, 3])) // [-1, 0.5, 1]
 */
export const hardtanh = compositeOp({
  name: 'hardtanh',
  doc: 'Clamps into [minVal, maxVal] (default [-1, 1]); the gradient is 1 strictly inside and 0 at and beyond the bounds, as in PyTorch.',
  problem: 'hardtanh',
  params: [
    { name: 'minVal', default: -1 },
    { name: 'maxVal', default: 1 },
  ],
  check: ([lo, hi]) => {
    if (!(lo <= hi)) throw new ChainruleError(`hardtanh: minVal ${lo} is above maxVal ${hi}`);
  },
  forward: (x, [lo, hi]): Tensor => runUnary(CLAMP, x, lo, hi),
  // PyTorch's test, x <= min or x >= max (so NaN passes the gradient)
  backward: (g, x, _y, [lo, hi]): Tensor => where(logicalOr(le(x, lo), ge(x, hi)), 0, g),
  fnLatex: '\\operatorname{hardtanh}',
  derivative: ([x], [lo, hi]) => [cases([[cond(x, '<=', lo ?? num(-1)), num(0)], [cond(x, '>=', hi ?? num(1)), num(0)]], num(1))],
  plot: { title: 'Hardtanh' },
  module: 'Hardtanh',
  onnx: { build: (g, [x], a) => g.node('Clip', [x, g.float((a.minVal as number | undefined) ?? -1), g.float((a.maxVal as number | undefined) ?? 1)])[0] },
});

/**
 * min(max(x, 0), 6).
 * @example F.relu6(tensor([-1, 3, 8])) // [0, 3, 6]
 */
export const relu6 = compositeOp({
  name: 'relu6',
  doc: 'min(max(x, 0), 6); the gradient is 1 for 0 < x < 6.',
  problem: 'relu6',
  forward: (x): Tensor => runUnary(CLAMP, x, 0, 6),
  backward: (g, x): Tensor => where(logicalOr(le(x, 0), ge(x, 6)), 0, g),
  fnLatex: '\\mathrm{ReLU6}',
  label: 'ReLU6',
  derivative: ([x]) => [cases([[cond(x, '<=', num(0)), num(0)], [cond(x, '>=', num(6)), num(0)]], num(1))],
  plot: { title: 'ReLU6' },
  module: 'ReLU6',
  onnx: { build: (g, [x]) => g.node('Clip', [x, g.float(0), g.float(6)])[0] },
});

/**
 * x·σ(x) (swish).
 * @example F.silu(tensor([0, 1])) // [0, 0.7310586]
 */
export const silu = compositeOp({
  name: 'silu',
  doc: 'x·σ(x) (also called swish); d/dx = σ(x)(1 + x(1 - σ(x))).',
  problem: 'silu',
  aliases: ['swish'],
  forward: (x): Tensor => mul(x, sigmoid(x)),
  backward: (g, x): Tensor => {
    const s = sigmoid(x);
    return mul(g, mul(s, add(mul(x, sub(1, s)), 1)));
  },
  fnLatex: '\\mathrm{SiLU}',
  label: 'SiLU',
  derivative: ([x]) => [times(call('sigmoid', x), plus(num(1), times(x, minus(num(1), call('sigmoid', x)))))],
  plot: { title: 'SiLU x·σ(x)' },
  module: 'SiLU',
  onnx: { build: (g, [x]) => g.node('Mul', [x, g.node('Sigmoid', [x])[0]])[0] },
});

/**
 * x·tanh(softplus(x)).
 * @example F.mish(tensor([0, 1])) // [0, 0.8650984]
 */
export const mish = compositeOp({
  name: 'mish',
  doc: 'x·tanh(softplus(x)).',
  problem: 'mish',
  forward: (x): Tensor => mul(x, tanh(softplus(x))),
  // PyTorch's mish backward, with tanh(log1p(e^x)) rather than the thresholded softplus: the
  // same values, and the same second derivative (NaN where e^x overflows)
  backward: (g, x): Tensor => {
    const t = tanh(log1p(exp(x)));
    return mul(g, add(t, mul(mul(x, sigmoid(x)), sub(1, mul(t, t)))));
  },
  fnLatex: '\\mathrm{Mish}',
  label: 'Mish',
  derivative: ([x]) => {
    const t = call('tanh', call('softplus', x));
    return [plus(t, times(times(x, call('sigmoid', x)), minus(num(1), power(t, num(2)))))];
  },
  plot: { title: 'Mish' },
  module: 'Mish',
  onnx: { opType: 'Mish', since: 18, build: (g, [x]) => g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x])[0]])[0]])[0] },
});

const SELU_ALPHA = 1.6732632423543772848170429916717;
const SELU_SCALE = 1.0507009873554804934193349852946;

/**
 * scale·ELU(x, α) with the self-normalising constants.
 * @example F.selu(tensor([0, 1])) // [0, 1.0507010]
 */
export const selu = compositeOp({
  name: 'selu',
  doc: 'scale·(x for x > 0, α(e^x - 1) otherwise) with α ≈ 1.6733 and scale ≈ 1.0507.',
  problem: 'selu',
  forward: (x): Tensor => mul(elu(x, SELU_ALPHA), SELU_SCALE),
  backward: (g, x): Tensor => expBranch(x, mul(g, SELU_SCALE * SELU_ALPHA), 1, mul(g, SELU_SCALE)),
  fnLatex: '\\mathrm{SELU}',
  label: 'SELU',
  derivative: ([x]) => [cases([[gt0(x), num(SELU_SCALE)]], times(num(SELU_SCALE * SELU_ALPHA), call('exp', x)))],
  plot: { title: 'SELU' },
  module: 'SELU',
  onnx: { opType: 'Selu' },
});

/**
 * x for x > 0, α(e^(x/α) - 1) otherwise.
 * @example F.celu(tensor([-1, 2])) // [-0.6321206, 2]
 */
export const celu = compositeOp({
  name: 'celu',
  doc: 'x for x > 0, α(e^(x/α) - 1) otherwise (default α = 1).',
  problem: 'celu',
  params: [{ name: 'alpha', default: 1, latex: '\\alpha', text: 'α' }],
  check: ([a]) => {
    if (a === 0) throw new ChainruleError('celu: alpha must not be 0');
  },
  forward: (x, [a]): Tensor => where(gt(x, 0), x, mul(expm1(div(x, a)), a)),
  // PyTorch's celu is its elu with input scale 1/α: g·(1/α)·α·e^(x·(1/α)) where x <= 0
  backward: (g, x, _y, [a]): Tensor => expBranch(x, mul(mul(g, 1 / a), a), 1 / a, g),
  fnLatex: '\\mathrm{CELU}',
  label: 'CELU',
  derivative: ([x], [a]) => [cases([[gt0(x), num(1)]], call('exp', over(x, a ?? num(1))))],
  plot: { title: 'CELU' },
  module: 'CELU',
  onnx: { opType: 'Celu', attributes: (a) => ({ alpha: (a.alpha as number | undefined) ?? 1 }) },
});

/**
 * x·relu6(x + 3)/6.
 * @example F.hardswish(tensor([-4, 1, 4])) // [0, 0.6666667, 4]
 */
export const hardswish = compositeOp({
  name: 'hardswish',
  doc: "x·min(max(x + 3, 0), 6)/6; its gradient is x/3 + 1/2 on [-3, 3] (PyTorch's convention at the kinks).",
  problem: 'hardswish',
  forward: (x): Tensor => div(mul(x, runUnary(CLAMP, add(x, 3), 0, 6)), 6),
  // x/3 + 1/2 on [-3, 3] as PyTorch's scalar loop (its vectorised one gives 1 at x = 3 and NaN at
  // NaN); the second derivative 1/3 only strictly inside, as PyTorch's double backward
  backward: (g, x): Tensor => {
    const inner = where(logicalAnd(gt(x, -3), lt(x, 3)), add(div(x, 3), 0.5), where(lt(x, -3), 0, where(le(x, 3), add(div(detach(x), 3), 0.5), 1)));
    return mul(g, inner);
  },
  fnLatex: '\\mathrm{hardswish}',
  derivative: ([x]) => [cases([[cond(x, '<', num(-3)), num(0)], [cond(x, '<=', num(3)), plus(over(x, num(3)), num(0.5))]], num(1))],
  plot: { title: 'Hardswish' },
  module: 'Hardswish',
  onnx: { opType: 'HardSwish', since: 14, build: (g, [x]) => g.node('Mul', [x, g.node('HardSigmoid', [x], { alpha: 1 / 6, beta: 0.5 })[0]])[0] },
});

/** PyTorch's hardsigmoid gradient multiplies by 1.0f / 6.0f, the float32 nearest 1/6, in every dtype. */
const ONE_SIXTH_F32 = Math.fround(1 / 6);

/**
 * relu6(x + 3)/6.
 * @example F.hardsigmoid(tensor([-4, 0, 4])) // [0, 0.5, 1]
 */
export const hardsigmoid = compositeOp({
  name: 'hardsigmoid',
  doc: "min(max(x + 3, 0), 6)/6; its gradient is 1/6 for -3 < x < 3 (in float64 too 1/6 rounded to float32, 0.16666667163…, PyTorch's constant).",
  problem: 'hardsigmoid',
  forward: (x): Tensor => div(runUnary(CLAMP, add(x, 3), 0, 6), 6),
  backward: (g, x): Tensor => where(logicalAnd(gt(x, -3), lt(x, 3)), mul(g, ONE_SIXTH_F32), 0),
  fnLatex: '\\mathrm{hardsigmoid}',
  derivative: ([x]) => [cases([[cond(x, '<=', num(-3)), num(0)], [cond(x, '>=', num(3)), num(0)]], num(ONE_SIXTH_F32))],
  plot: { title: 'Hardsigmoid' },
  module: 'Hardsigmoid',
  onnx: { opType: 'HardSigmoid', attributes: () => ({ alpha: 1 / 6, beta: 0.5 }) },
});

/**
 * x/(1 + |x|).
 * @example F.softsign(tensor([-3, 1])) // [-0.75, 0.5]
 */
export const softsign = compositeOp({
  name: 'softsign',
  doc: 'x/(1 + |x|); d/dx = 1/(1 + |x|)².',
  problem: 'softsign',
  forward: (x): Tensor => div(x, add(abs(x), 1)),
  // NaN at ±∞, where the value is ∞/∞ = NaN too (PyTorch differentiates x/(|x| + 1) as written)
  backward: (g, x): Tensor => {
    const d = add(abs(x), 1);
    return where(eq(d, Number.POSITIVE_INFINITY), scalar(Number.NaN, { dtype: g.dtype }), div(g, mul(d, d)));
  },
  fnLatex: '\\mathrm{softsign}',
  derivative: ([x]) => [over(num(1), power(plus(num(1), call('abs', x)), num(2)))],
  plot: { title: 'Softsign' },
  module: 'Softsign',
  onnx: { opType: 'Softsign' },
});

/**
 * x - tanh(x).
 * @example F.tanhshrink(tensor([0, 1])) // [0, 0.2384058]
 */
export const tanhshrink = compositeOp({
  name: 'tanhshrink',
  doc: 'x - tanh(x); d/dx = tanh²x.',
  problem: 'tanhshrink',
  forward: (x): Tensor => sub(x, tanh(x)),
  backward: (g, x): Tensor => {
    const t = tanh(x);
    return mul(g, mul(t, t));
  },
  fnLatex: '\\mathrm{tanhshrink}',
  derivative: ([x]) => [power(call('tanh', x), num(2))],
  plot: { title: 'Tanhshrink' },
  module: 'Tanhshrink',
  onnx: { build: (g, [x]) => g.node('Sub', [x, g.node('Tanh', [x])[0]])[0] },
});

/**
 * Shrinks toward 0 by λ: x - λ above λ, x + λ below -λ, 0 between.
 * @example F.softshrink(tensor([-2, 0.3, 1])) // [-1.5, 0, 0.5]
 */
export const softshrink = compositeOp({
  name: 'softshrink',
  doc: 'x - λ for x > λ, x + λ for x < -λ, 0 in between (default λ = 0.5); the gradient is 0 on [-λ, λ].',
  problem: 'softshrink',
  params: [{ name: 'lambd', default: 0.5, latex: '\\lambda', text: 'λ' }],
  check: ([l]) => {
    if (!(l >= 0)) throw new ChainruleError(`softshrink: lambd must be >= 0, got ${l}`);
  },
  // as PyTorch: x > λ ? x - λ : x < -λ ? x + λ : 0, so NaN gives 0 (and its gradient 1)
  forward: (x, [l]): Tensor => where(gt(x, l), sub(x, l), where(lt(x, -l), add(x, l), 0)),
  backward: (g, x, _y, [l]): Tensor => where(logicalAnd(ge(x, -l), le(x, l)), 0, g),
  fnLatex: '\\mathrm{softshrink}',
  derivative: ([x], [l]) => {
    const lam = l ?? num(0.5);
    return [cases([[cond(x, '>', lam), num(1)], [cond(x, '<', negE(lam)), num(1)]], num(0))];
  },
  plot: { title: 'Softshrink' },
  module: 'Softshrink',
  onnx: { opType: 'Shrink', attributes: (a) => ({ lambd: (a.lambd as number | undefined) ?? 0.5, bias: (a.lambd as number | undefined) ?? 0.5 }) },
});

/**
 * x where |x| > λ, else 0.
 * @example F.hardshrink(tensor([-2, 0.3, 1])) // [-2, 0, 1]
 */
export const hardshrink = compositeOp({
  name: 'hardshrink',
  doc: 'x where |x| > λ, else 0 (default λ = 0.5; a negative λ keeps every x, as in PyTorch); the gradient is 0 on [-λ, λ].',
  problem: 'hardshrink',
  params: [{ name: 'lambd', default: 0.5, latex: '\\lambda', text: 'λ' }],
  forward: (x, [l]): Tensor => where(logicalAnd(ge(x, -l), le(x, l)), 0, x),
  backward: (g, x, _y, [l]): Tensor => where(logicalAnd(ge(x, -l), le(x, l)), 0, g),
  fnLatex: '\\mathrm{hardshrink}',
  derivative: ([x], [l]) => {
    const lam = l ?? num(0.5);
    return [cases([[cond(x, '>', lam), num(1)], [cond(x, '<', negE(lam)), num(1)]], num(0))];
  },
  plot: { title: 'Hardshrink' },
  module: 'Hardshrink',
  // not ONNX's Shrink, which gives 0 for NaN: NaN stays NaN, as in PyTorch
  onnx: {
    build: (g, [x], a) => {
      const l = (a.lambd as number | undefined) ?? 0.5;
      const inside = g.node('And', [g.node('GreaterOrEqual', [x, g.float(-l)])[0], g.node('LessOrEqual', [x, g.float(l)])[0]])[0];
      return g.node('Where', [inside, g.float(0), x])[0];
    },
  },
});

/**
 * x where x > threshold, else value.
 * @example F.threshold(tensor([0.5, 2]), 1, -1) // [-1, 2]
 */
export const threshold = compositeOp({
  name: 'threshold',
  doc: 'x where x > threshold, else value; the gradient is 1 where x > threshold.',
  problem: 'threshold',
  params: [
    { name: 'threshold', default: 0 },
    { name: 'value', default: 0 },
  ],
  // PyTorch's test is x <= threshold, so NaN stays NaN and passes the gradient
  forward: (x, [t, v]): Tensor => where(le(x, t), v, x),
  backward: (g, x, _y, [t]): Tensor => where(le(x, t), 0, g),
  fnLatex: '\\operatorname{threshold}',
  derivative: ([x], [t]) => [cases([[cond(x, '>', t ?? num(0)), num(1)]], num(0))],
  plot: { title: 'Threshold', param: 'threshold' },
  module: 'Threshold',
  onnx: { build: (g, [x], a) => g.node('Where', [g.node('LessOrEqual', [x, g.float((a.threshold as number | undefined) ?? 0)])[0], g.float((a.value as number | undefined) ?? 0), x])[0] },
});

/**
 * log σ(x), computed without overflow: min(x, 0) - log1p(e^-|x|).
 * @example F.logSigmoid(tensor([0, -100])) // [-0.6931472, -100]
 */
export const logSigmoid = compositeOp({
  name: 'logSigmoid',
  doc: 'log σ(x) = min(x, 0) - log(1 + e^-|x|), without overflow or cancellation; d/dx = 1 - σ(x).',
  problem: 'log_sigmoid',
  aliases: ['logsigmoid'],
  forward: (x): Tensor => sub(where(lt(x, 0), x, 0), log1p(exp(neg(abs(x))))),
  backward: (g, x): Tensor => mul(g, sigmoid(neg(x))),
  fnLatex: '\\log\\sigma',
  label: 'log σ',
  derivative: ([x]) => [minus(num(1), call('sigmoid', x))],
  plot: { title: 'LogSigmoid' },
  module: 'LogSigmoid',
  // the same stable form as the forward: min(x, 0) - log(1 + e^-|x|)
  onnx: {
    build: (g, [x]) => {
      const tail = g.node('Log', [g.node('Add', [g.node('Exp', [g.node('Neg', [g.node('Abs', [x])[0]])[0]])[0], g.float(1)])[0]])[0];
      return g.node('Sub', [g.node('Min', [x, g.float(0)])[0], tail])[0];
    },
  },
});

/**
 * log(p/(1-p)), with p clamped into [eps, 1-eps] when eps is given.
 * @example tensor([0.5, 0.75]).logit() // [0, 1.0986123]
 */
export const logit = compositeOp({
  name: 'logit',
  domain: [0, 1],
  doc: 'log(p/(1 - p)), the inverse of the sigmoid; with eps, p is clamped into [eps, 1 - eps] first (the gradient is 0 outside); without, the gradient is NaN outside [0, 1], as in PyTorch.',
  problem: 'logit',
  params: [{ name: 'eps', default: null }],
  forward: (x, [eps]): Tensor => {
    const p = Number.isNaN(eps) ? x : runUnary(CLAMP, x, eps, 1 - eps);
    return log(div(p, sub(1, p)));
  },
  // PyTorch's gradient: without eps NaN outside [0, 1] (±∞ at 0 and 1); with eps 0 outside [eps, 1 - eps]
  backward: (g, x, _y, [eps]): Tensor => {
    const d = div(g, mul(x, sub(1, x)));
    if (Number.isNaN(eps)) return where(logicalOr(lt(x, 0), gt(x, 1)), scalar(Number.NaN, { dtype: d.dtype }), d);
    // NaN keeps its NaN gradient, as PyTorch's scalar loop (its vectorised one gives 0)
    return where(logicalOr(lt(x, eps), gt(x, 1 - eps)), 0, d);
  },
  fnLatex: '\\operatorname{logit}',
  derivative: ([x]) => [over(num(1), times(x, minus(num(1), x)))],
});

/**
 * x for x > 0, weight·x otherwise, with a learned slope per channel (dim 1).
 * @example F.prelu(tensor([[-2, 3]]), tensor([0.25])) // [[-0.5, 3]]
 */
export const prelu = defineOp(
  {
    name: 'prelu',
    doc: 'x for x > 0, weight·x otherwise; weight holds one slope, or one per channel (dimension 1 of the input).',
    inputs: ['input', 'weight'],
    problem: 'prelu',
    fnLatex: '\\mathrm{PReLU}',
    label: 'PReLU',
    derivative: ([x, w]) => [cases([[gt0(x), num(1)]], w), cases([[gt0(x), num(0)]], x)],
    onnx: { opType: 'PRelu' },
  },
  (def) =>
    function prelu(x: Tensor, weight: Tensor): Tensor {
      assertTensor(x, 'prelu');
      assertTensor(weight, 'prelu', 'weight');
      let w = weight;
      if (weight.size !== 1) {
        // as PyTorch: an input of fewer than 2 dimensions has no channel dimension, so one channel
        const c = x.ndim >= 2 ? x.shape[1] : 1;
        if (weight.ndim !== 1 || weight.size !== c) {
          const need = x.ndim >= 2 ? `1 or ${c} elements (one per channel, dimension 1)` : '1 element (an input of fewer than 2 dimensions has one channel)';
          throw new ChainruleError(`prelu: weight of shape ${fmtShape(weight.shape)} needs ${need} for input ${fmtShape(x.shape)}`);
        }
        w = reshape(weight, [c, ...x.shape.slice(2).map(() => 1)]);
      } else if (weight.ndim !== 0) w = reshape(weight, []);
      const pos = gt(x, 0);
      const y = noGrad(() => where(pos, x, mul(w, x)));
      return record(def, [x, w], y, (g) => {
        // PyTorch's prelu_backward: x > 0 ? g : w·g, and x > 0 ? 0 : x·g (so 0 at x = +inf, not
        // 0·inf). Its double backward multiplies by (x <= 0), which is 0 at NaN where the first
        // derivative took the x <= 0 branch: there w and x enter detached, so their second
        // derivatives are 0 as PyTorch's
        const npos = le(x, 0);
        const gx = where(pos, g, mul(where(npos, w, detach(w)), g));
        const gw = where(pos, 0, mul(where(npos, x, detach(x)), g));
        return [gx, sumTo(gw, w.shape)];
      });
    },
);

/**
 * a·σ(b) with a, b the two halves of x along dim.
 * @example F.glu(tensor([1, 2, 0, 100])) // [0.5, 2]
 */
export const glu = defineOp(
  {
    name: 'glu',
    doc: 'The gated linear unit a·σ(b), where a and b are the two halves of the input along dim (default -1).',
    params: [{ name: 'dim', default: -1 }],
    fnLatex: '\\mathrm{GLU}',
    module: 'GLU',
    onnx: {
      build: (g, [x], a) => {
        const [h1, h2] = g.node('Split', [x], { axis: (a.dim as number | undefined) ?? -1 }, 2);
        return g.node('Mul', [h1, g.node('Sigmoid', [h2])[0]])[0];
      },
    },
  },
  () =>
    function glu(x: Tensor, dim: number = -1): Tensor {
      assertTensor(x, 'glu');
      if (x.ndim === 0) throw new ChainruleError('glu: the input is 0-d; it needs a dimension of even size to halve');
      const d = normDim(dim, x.ndim, 'glu');
      if (x.shape[d] % 2 !== 0) throw new ChainruleError(`glu: dimension ${dim} of input ${fmtShape(x.shape)} must have an even size`);
      const [a, b] = chunk(x, 2, d);
      return mul(a, sigmoid(b));
    },
);

/** A parameter in a graph label: 0.01, 1.5. */
function formatParam(v: unknown): string {
  const n = Number(v);
  return Number.isInteger(n) ? String(n) : String(Number.parseFloat(n.toPrecision(4)));
}
