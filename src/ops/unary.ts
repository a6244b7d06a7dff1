import type { OpInfo } from '../autograd/node.js';
import { record } from '../autograd/record.js';
import type { UnaryOp } from '../backend/types.js';
import { zerosLike } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, ge, gt, le, mul, sub, where } from './binary.js';
import { assertNumber, assertTensor, unaryKernel } from './util.js';

type Backward = (g: Tensor, x: Tensor, y: Tensor) => Tensor;

/** Defines a one-input elementwise op: its kernel, its gradient and its LaTeX form, in one place. */
function unaryOp(name: string, kernel: UnaryOp, latex: OpInfo['latex'], backward: Backward): (x: Tensor) => Tensor {
  const info: OpInfo = { name, latex };
  return (x: Tensor) => {
    assertTensor(x, name);
    const y = unaryKernel(kernel, x);
    return record(info, [x], y, (g) => [backward(g, x, y)]);
  };
}

const LN2 = Math.LN2;
const LN10 = Math.LN10;
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Elementwise -x. */
export const neg = unaryOp('neg', 'neg', ([a]) => `-${a}`, (g) => neg(g));
/** Elementwise e^x. @example exp(tensor([0])).item() // 1 */
export const exp = unaryOp('exp', 'exp', ([a]) => `e^{${a}}`, (g, _x, y) => mul(g, y));
/** Natural logarithm. */
export const log = unaryOp('log', 'log', ([a]) => `\\ln\\left(${a}\\right)`, (g, x) => div(g, x));
/** Square root. */
export const sqrt = unaryOp('sqrt', 'sqrt', ([a]) => `\\sqrt{${a}}`, (g, _x, y) => div(mul(g, 0.5), y));
/** Absolute value; its gradient at 0 is 0, as in PyTorch. */
export const abs = unaryOp('abs', 'abs', ([a]) => `\\left|${a}\\right|`, (g, x) => mul(g, sign(x)));
export const sin = unaryOp('sin', 'sin', ([a]) => `\\sin\\left(${a}\\right)`, (g, x) => mul(g, cos(x)));
export const cos = unaryOp('cos', 'cos', ([a]) => `\\cos\\left(${a}\\right)`, (g, x) => neg(mul(g, sin(x))));
/** Hyperbolic tangent; d/dx = 1 - tanh(x)^2. */
export const tanh = unaryOp('tanh', 'tanh', ([a]) => `\\tanh\\left(${a}\\right)`, (g, _x, y) => mul(g, sub(1, mul(y, y))));
/** Logistic sigmoid 1/(1+e^-x); d/dx = s(1-s). */
export const sigmoid = unaryOp('sigmoid', 'sigmoid', ([a]) => `\\sigma\\left(${a}\\right)`, (g, _x, y) => mul(g, mul(y, sub(1, y))));
/** max(x, 0); gradient 1 where x > 0 and 0 elsewhere (0 at x = 0, as in PyTorch). */
// the mask is sign(ReLU(x)): 1 where x > 0, else 0, already in the gradient's dtype (one pass, no
// bool tensor and cast)
export const relu = unaryOp('relu', 'relu', ([a]) => `\\mathrm{ReLU}\\left(${a}\\right)`, (g, _x, y) => mul(g, sign(y)));
/** Error function. */
export const erf = unaryOp('erf', 'erf', ([a]) => `\\mathrm{erf}\\left(${a}\\right)`, (g, x) => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)));
/** x^2. */
export const square = unaryOp('square', 'square', ([a]) => `\\left(${a}\\right)^{2}`, (g, x) => mul(g, mul(x, 2)));
/** 1/x. */
export const reciprocal = unaryOp('reciprocal', 'reciprocal', ([a]) => `\\frac{1}{${a}}`, (g, _x, y) => neg(mul(g, mul(y, y))));

function zeroGrad(name: string, kernel: UnaryOp, latex: OpInfo['latex']): (x: Tensor) => Tensor {
  return unaryOp(name, kernel, latex, (g) => zerosLike(g));
}
/** -1, 0 or 1 by the sign of x. Piecewise constant: its gradient is 0 everywhere (also at 0, by convention). */
export const sign = zeroGrad('sign', 'sign', ([a]) => `\\operatorname{sign}\\left(${a}\\right)`);
/** Heaviside step: 1 where x >= 0, else 0. Its gradient is 0 everywhere (by convention at 0). */
export const step = zeroGrad('step', 'step', ([a]) => `H\\left(${a}\\right)`);
export const heaviside = step;

function scaledLog(name: string, base: string, ln: number): (x: Tensor) => Tensor {
  const info: OpInfo = { name, latex: ([a]) => `\\log_{${base}}\\left(${a}\\right)` };
  return (x: Tensor) => {
    assertTensor(x, name);
    const y = unaryKernel('log', x);
    const out = unaryKernel('mulScalar', y, 1 / ln);
    return record(info, [x], out, (g) => [div(g, mul(x, ln))]);
  };
}
export const log2 = scaledLog('log2', '2', LN2);
export const log10 = scaledLog('log10', '10', LN10);

/** Leaky ReLU: x for x > 0, slope·x otherwise. @example leakyRelu(tensor([-2]), 0.01).item() // -0.02 */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  assertTensor(x, 'leakyRelu');
  assertNumber(slope, 'leakyRelu', 'slope');
  const y = unaryKernel('leakyRelu', x, slope);
  return record(LEAKY, [x], y, (g) => [where(gt(x, 0), g, mul(g, slope))], { slope });
}
const LEAKY: OpInfo = { name: 'leakyRelu', latex: ([a], at) => `\\mathrm{LeakyReLU}_{${at?.slope}}\\left(${a}\\right)` };

/** ELU: x for x > 0, alpha·(e^x - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  assertTensor(x, 'elu');
  assertNumber(alpha, 'elu', 'alpha');
  const y = unaryKernel('elu', x, alpha);
  return record(ELU, [x], y, (g) => [mul(g, where(gt(x, 0), 1, add(y, alpha)))], { alpha });
}
const ELU: OpInfo = { name: 'elu', latex: ([a]) => `\\mathrm{ELU}\\left(${a}\\right)` };

export interface GeluOptions {
  /** 'none' (exact, with erf; PyTorch's default) or 'tanh' (the approximation) */
  approximate?: 'none' | 'tanh';
}

/** GELU, x·Φ(x). Exact (erf) by default; `{approximate: 'tanh'}` for the tanh form. */
export function gelu(x: Tensor, opts: GeluOptions = {}): Tensor {
  assertTensor(x, 'gelu');
  const approx = opts.approximate ?? 'none';
  if (approx === 'tanh') {
    const y = unaryKernel('geluTanh', x);
    return record(GELU, [x], y, (g) => {
      const x2 = mul(x, x);
      const t = tanh(mul(add(x, mul(mul(x2, x), 0.044715)), SQRT_2_OVER_PI));
      const du = mul(add(mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
      const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), du));
      return [mul(g, d)];
    }, { approximate: 'tanh' });
  }
  const y = unaryKernel('gelu', x);
  return record(GELU, [x], y, (g) => {
    const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), INV_SQRT_2PI);
    return [mul(g, add(cdf, mul(x, pdf)))];
  });
}
const GELU: OpInfo = { name: 'gelu', latex: ([a]) => `\\mathrm{GELU}\\left(${a}\\right)` };

/** Softplus log(1 + e^(beta·x))/beta, linear where beta·x > threshold (PyTorch's defaults 1 and 20). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  assertTensor(x, 'softplus');
  assertNumber(beta, 'softplus', 'beta');
  assertNumber(threshold, 'softplus', 'threshold');
  const y = unaryKernel('softplus', x, beta, threshold);
  return record(
    SOFTPLUS,
    [x],
    y,
    (g) => {
      const bx = mul(x, beta);
      return [mul(g, where(gt(bx, threshold), 1, sigmoid(bx)))];
    },
    { beta, threshold },
  );
}
const SOFTPLUS: OpInfo = { name: 'softplus', latex: ([a]) => `\\mathrm{softplus}\\left(${a}\\right)` };

/** Clamps into [min, max] (either may be omitted); gradient 1 inside the range, 0 outside. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  assertTensor(x, 'clamp');
  const lo = min ?? Number.NaN;
  const hi = max ?? Number.NaN;
  if (min != null) assertNumber(min, 'clamp', 'min', false);
  if (max != null) assertNumber(max, 'clamp', 'max', false);
  const y = unaryKernel('clamp', x, lo, hi, true);
  return record(CLAMP, [x], y, (g) => {
    let m: Tensor = g;
    if (min != null) m = mul(m, ge(x, min));
    if (max != null) m = mul(m, le(x, max));
    return [m];
  }, { min, max });
}
const CLAMP: OpInfo = { name: 'clamp', latex: ([a]) => `\\operatorname{clamp}\\left(${a}\\right)` };

/** Raises to a constant power: x^p. */
export function powScalar(x: Tensor, p: number): Tensor {
  assertTensor(x, 'pow');
  const y = unaryKernel('powScalar', x, p);
  return record(POW_SCALAR, [x], y, (g) => [p === 0 ? zerosLike(g) : mul(g, mul(p === 1 ? 1 : powScalar(x, p - 1), p))], {
    exponent: p,
  });
}
const POW_SCALAR: OpInfo = { name: 'pow', latex: ([a], at) => `\\left(${a}\\right)^{${at?.exponent}}` };
