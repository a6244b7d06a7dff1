// Elementwise mathematical functions: each is one table entry with its kernel, its gradient
// (written with other ops, so it is differentiable again), its LaTeX and its local-derivative
// formula (in problem-file function names, evaluated against the gradient by the op-table test).
import { noGrad } from '../autograd/mode.js';
import { ChainruleError } from '../errors.js';
import { record } from '../autograd/record.js';
import { fullLike, scalar, zerosLike } from '../tensor/creation.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { add, binaryOp, div, eq, ge, gt, le, logicalAnd, logicalOr, lt, maximum, minimum, mul, neg, sub, where } from './arith.js';
import { operands } from './operands.js';
import { type OpDef, defineOp, operatorLatex } from './define.js';
import { unaryOp } from './elementwise.js';
import { type Expr, call, cases, cond, minus, neg as negE, num, over, plus, power, times } from './formula.js';
import { isFloat } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { assertNumber, assertTensor, binaryKernel, castData, runBinary, runUnary, unaryKernel } from './kernel.js';
import { cast, detach } from './shape.js';
import { sumTo } from './reduce.js';
import { erf as erfScalar } from './special.js';

/** f(x) written as `\name(x)` in LaTeX. */
const fn = (latex: string) => operatorLatex(latex);
const x0 = (args: readonly Expr[]) => args[0];
const sq = (e: Expr) => power(e, num(2));
const zeroGrad = (g: Tensor) => zerosLike(g);

/** Elementwise e^x. @example exp(tensor([0])).item() // 1 */
export const exp = unaryOp({
  name: 'exp',
  doc: 'Elementwise e^x.',
  problem: 'exp',
  kernel: unaryKernel('exp', Math.exp),
  backward: (g, _x, y): Tensor => mul(g, y),
  latex: ([a]) => `e^{${a}}`,
  derivative: (a) => [call('exp', x0(a))],
  onnx: { opType: 'Exp' },
});

/**
 * Natural logarithm.
 * @example tensor([1, Math.E, 0]).log() // [0, 1, -Infinity]
 */
export const log = unaryOp({
  name: 'log',
  domain: [0, Infinity],
  doc: 'Natural logarithm.',
  problem: 'log',
  kernel: unaryKernel('log', Math.log),
  backward: (g, x): Tensor => div(g, x),
  latex: fn('\\ln'),
  fnLatex: '\\ln',
  fnText: 'ln',
  derivative: (a) => [over(num(1), x0(a))],
  onnx: { opType: 'Log' },
});

/**
 * Base-2 logarithm.
 * @example tensor([1, 8]).log2() // [0, 3]
 */
export const log2 = unaryOp({
  name: 'log2',
  domain: [0, Infinity],
  doc: 'Base-2 logarithm.',
  problem: 'log2',
  kernel: unaryKernel('log2', Math.log2),
  backward: (g, x): Tensor => div(g, mul(x, Math.LN2)),
  latex: fn('\\log_{2}'),
  fnLatex: '\\log_{2}',
  label: 'log₂',
  derivative: (a) => [over(num(1), times(x0(a), call('log', num(2))))],
});

/**
 * Base-10 logarithm.
 * @example tensor([1, 1000]).log10() // [0, 3]
 */
export const log10 = unaryOp({
  name: 'log10',
  domain: [0, Infinity],
  doc: 'Base-10 logarithm.',
  problem: 'log10',
  kernel: unaryKernel('log10', Math.log10),
  backward: (g, x): Tensor => div(g, mul(x, Math.LN10)),
  latex: fn('\\log_{10}'),
  fnLatex: '\\log_{10}',
  label: 'log₁₀',
  derivative: (a) => [over(num(1), times(x0(a), call('log', num(10))))],
});

/**
 * log(1 + x), accurate near 0.
 * @example tensor([0, 1e-10], { dtype: 'float64' }).log1p() // [0, 1e-10]
 */
export const log1p = unaryOp({
  name: 'log1p',
  domain: [-1, Infinity],
  doc: 'log(1 + x), accurate for small x.',
  problem: 'log1p',
  kernel: unaryKernel('log1p', Math.log1p),
  backward: (g, x): Tensor => div(g, add(x, 1)),
  latex: ([a]) => `\\ln\\left(1 + ${a}\\right)`,
  derivative: (a) => [over(num(1), plus(num(1), x0(a)))],
});

/**
 * e^x - 1, accurate near 0.
 * @example tensor([0, 1e-10], { dtype: 'float64' }).expm1() // [0, 1e-10]
 */
export const expm1 = unaryOp({
  name: 'expm1',
  doc: 'e^x - 1, accurate for small x.',
  problem: 'expm1',
  kernel: unaryKernel('expm1', Math.expm1),
  backward: (g, _x, y): Tensor => mul(g, add(y, 1)),
  latex: ([a]) => `e^{${a}} - 1`,
  derivative: (a) => [call('exp', x0(a))],
});

/**
 * Square root.
 * @example tensor([4, 2, -1]).sqrt() // [2, 1.4142135, NaN]
 */
export const sqrt = unaryOp({
  name: 'sqrt',
  domain: [0, Infinity],
  doc: 'Square root.',
  problem: 'sqrt',
  kernel: unaryKernel('sqrt', Math.sqrt),
  backward: (g, _x, y): Tensor => div(mul(g, 0.5), y),
  latex: ([a]) => `\\sqrt{${a}}`,
  label: '√',
  derivative: (a) => [over(num(1), times(num(2), call('sqrt', x0(a))))],
  onnx: { opType: 'Sqrt' },
});

/**
 * 1/√x.
 * @example tensor([4, 0.25]).rsqrt() // [0.5, 2]
 */
export const rsqrt = unaryOp({
  name: 'rsqrt',
  domain: [0, Infinity],
  doc: 'Reciprocal square root 1/√x.',
  problem: 'rsqrt',
  kernel: unaryKernel('rsqrt', (x) => 1 / Math.sqrt(x)),
  backward: (g, _x, y): Tensor => mul(g, mul(mul(y, mul(y, y)), -0.5)),
  latex: ([a]) => `\\frac{1}{\\sqrt{${a}}}`,
  derivative: (a) => [negE(over(num(1), times(num(2), power(x0(a), num(1.5)))))],
});

/**
 * Absolute value; its gradient at 0 is 0, as in PyTorch.
 * @example tensor([-2, 0, 3]).abs() // [2, 0, 3]
 */
export const abs = unaryOp({
  name: 'abs',
  doc: 'Absolute value; its gradient at 0 is 0, as in PyTorch.',
  problem: 'abs',
  kernel: unaryKernel('abs', Math.abs),
  keepsInt: true,
  backward: (g, x): Tensor => mul(g, sign(x)),
  latex: ([a]) => `\\left|${a}\\right|`,
  label: '|x|',
  derivative: (a) => [call('sign', x0(a))],
  onnx: { opType: 'Abs' },
});

/**
 * Sine (torch.sin); d/dx = cos x.
 * @example tensor([0, Math.PI / 2]).sin() // [0, 1]
 */
export const sin = unaryOp({
  name: 'sin',
  doc: 'Sine.',
  problem: 'sin',
  kernel: unaryKernel('sin', Math.sin),
  backward: (g, x): Tensor => mul(g, cos(x)),
  latex: fn('\\sin'),
  fnLatex: '\\sin',
  derivative: (a) => [call('cos', x0(a))],
  onnx: { opType: 'Sin' },
});

/**
 * Cosine (torch.cos); d/dx = -sin x.
 * @example tensor([0, Math.PI]).cos() // [1, -1]
 */
export const cos = unaryOp({
  name: 'cos',
  doc: 'Cosine.',
  problem: 'cos',
  kernel: unaryKernel('cos', Math.cos),
  backward: (g, x): Tensor => neg(mul(g, sin(x))),
  latex: fn('\\cos'),
  fnLatex: '\\cos',
  derivative: (a) => [negE(call('sin', x0(a)))],
  onnx: { opType: 'Cos' },
});

/**
 * Tangent (torch.tan); d/dx = 1 + tan²x.
 * @example tensor([0, Math.PI / 4]).tan() // [0, 1]
 */
export const tan = unaryOp({
  name: 'tan',
  doc: 'Tangent; d/dx = 1 + tan²x.',
  problem: 'tan',
  kernel: unaryKernel('tan', Math.tan),
  backward: (g, _x, y): Tensor => mul(g, add(mul(y, y), 1)),
  latex: fn('\\tan'),
  fnLatex: '\\tan',
  derivative: (a) => [plus(num(1), sq(call('tan', x0(a))))],
  onnx: { opType: 'Tan' },
});

/**
 * Inverse sine (torch.asin), on [-1, 1]; d/dx = 1/√(1 - x²).
 * @example tensor([0, 1]).asin() // [0, 1.5707964]
 */
export const asin = unaryOp({
  name: 'asin',
  domain: [-1, 1],
  doc: 'Inverse sine; d/dx = 1/√(1 - x²).',
  problem: 'asin',
  kernel: unaryKernel('asin', Math.asin),
  backward: (g, x): Tensor => div(g, sqrt(sub(1, mul(x, x)))),
  latex: fn('\\arcsin'),
  fnLatex: '\\arcsin',
  derivative: (a) => [over(num(1), call('sqrt', minus(num(1), sq(x0(a)))))],
  onnx: { opType: 'Asin' },
});

/**
 * Inverse cosine (torch.acos), on [-1, 1]; d/dx = -1/√(1 - x²).
 * @example tensor([1, 0]).acos() // [0, 1.5707964]
 */
export const acos = unaryOp({
  name: 'acos',
  domain: [-1, 1],
  doc: 'Inverse cosine; d/dx = -1/√(1 - x²).',
  problem: 'acos',
  kernel: unaryKernel('acos', Math.acos),
  backward: (g, x): Tensor => neg(div(g, sqrt(sub(1, mul(x, x))))),
  latex: fn('\\arccos'),
  fnLatex: '\\arccos',
  derivative: (a) => [negE(over(num(1), call('sqrt', minus(num(1), sq(x0(a))))))],
  onnx: { opType: 'Acos' },
});

/**
 * Inverse tangent (torch.atan); d/dx = 1/(1 + x²).
 * @example tensor([0, 1]).atan() // [0, 0.7853982]
 */
export const atan = unaryOp({
  name: 'atan',
  doc: 'Inverse tangent; d/dx = 1/(1 + x²).',
  problem: 'atan',
  kernel: unaryKernel('atan', Math.atan),
  backward: (g, x): Tensor => div(g, add(mul(x, x), 1)),
  latex: fn('\\arctan'),
  fnLatex: '\\arctan',
  derivative: (a) => [over(num(1), plus(num(1), sq(x0(a))))],
  onnx: { opType: 'Atan' },
});

/**
 * Hyperbolic sine (torch.sinh); d/dx = cosh x.
 * @example tensor([0, 1]).sinh() // [0, 1.1752012]
 */
export const sinh = unaryOp({
  name: 'sinh',
  doc: 'Hyperbolic sine.',
  problem: 'sinh',
  kernel: unaryKernel('sinh', Math.sinh),
  backward: (g, x): Tensor => mul(g, cosh(x)),
  latex: fn('\\sinh'),
  fnLatex: '\\sinh',
  derivative: (a) => [call('cosh', x0(a))],
  onnx: { opType: 'Sinh' },
});

/**
 * Hyperbolic cosine (torch.cosh); d/dx = sinh x.
 * @example tensor([0, 1]).cosh() // [1, 1.5430806]
 */
export const cosh = unaryOp({
  name: 'cosh',
  doc: 'Hyperbolic cosine.',
  problem: 'cosh',
  kernel: unaryKernel('cosh', Math.cosh),
  backward: (g, x): Tensor => mul(g, sinh(x)),
  latex: fn('\\cosh'),
  fnLatex: '\\cosh',
  derivative: (a) => [call('sinh', x0(a))],
  onnx: { opType: 'Cosh' },
});

/**
 * Hyperbolic tangent; d/dx = 1 - tanh(x)^2.
 * @example tensor([0, 1]).tanh() // [0, 0.7615942]
 */
export const tanh = unaryOp({
  name: 'tanh',
  doc: 'Hyperbolic tangent; d/dx = 1 - tanh²x.',
  problem: 'tanh',
  kernel: unaryKernel('tanh', Math.tanh),
  backward: (g, _x, y): Tensor => mul(g, sub(1, mul(y, y))),
  latex: fn('\\tanh'),
  fnLatex: '\\tanh',
  label: 'tanh',
  derivative: (a) => [minus(num(1), sq(call('tanh', x0(a))))],
  plot: { title: 'tanh' },
  module: 'Tanh',
  onnx: { opType: 'Tanh' },
});

/**
 * Inverse hyperbolic sine (torch.asinh); d/dx = 1/√(x² + 1).
 * @example tensor([0, 1]).asinh() // [0, 0.8813736]
 */
export const asinh = unaryOp({
  name: 'asinh',
  doc: 'Inverse hyperbolic sine; d/dx = 1/√(x² + 1).',
  problem: 'asinh',
  kernel: unaryKernel('asinh', Math.asinh),
  backward: (g, x): Tensor => div(g, sqrt(add(mul(x, x), 1))),
  latex: fn('\\operatorname{arsinh}'),
  derivative: (a) => [over(num(1), call('sqrt', plus(sq(x0(a)), num(1))))],
  onnx: { opType: 'Asinh' },
});

/**
 * Inverse hyperbolic cosine (torch.acosh), for x ≥ 1; d/dx = 1/√(x² - 1).
 * @example tensor([1, 2]).acosh() // [0, 1.3169579]
 */
export const acosh = unaryOp({
  name: 'acosh',
  domain: [1, Infinity],
  doc: 'Inverse hyperbolic cosine (x ≥ 1); d/dx = 1/√(x² - 1).',
  problem: 'acosh',
  kernel: unaryKernel('acosh', Math.acosh),
  // PyTorch's g·rsqrt(x² - 1) (so x = -1, outside the domain, gives +inf as PyTorch's, not -inf)
  backward: (g, x): Tensor => mul(g, rsqrt(sub(square(x), 1))),
  latex: fn('\\operatorname{arcosh}'),
  derivative: (a) => [over(num(1), call('sqrt', minus(sq(x0(a)), num(1))))],
  onnx: { opType: 'Acosh' },
});

/**
 * Inverse hyperbolic tangent (torch.atanh), for |x| < 1; d/dx = 1/(1 - x²).
 * @example tensor([0, 0.5]).atanh() // [0, 0.5493061]
 */
export const atanh = unaryOp({
  name: 'atanh',
  domain: [-1, 1],
  doc: 'Inverse hyperbolic tangent (|x| < 1); d/dx = 1/(1 - x²).',
  problem: 'atanh',
  kernel: unaryKernel('atanh', Math.atanh),
  backward: (g, x): Tensor => div(g, sub(1, mul(x, x))),
  latex: fn('\\operatorname{artanh}'),
  derivative: (a) => [over(num(1), minus(num(1), sq(x0(a))))],
  onnx: { opType: 'Atanh' },
});

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * Error function.
 * @example tensor([0, 1]).erf() // [0, 0.8427008]
 */
export const erf = unaryOp({
  name: 'erf',
  doc: 'Error function.',
  problem: 'erf',
  kernel: unaryKernel('erf', erfScalar),
  backward: (g, x): Tensor => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)),
  latex: fn('\\mathrm{erf}'),
  fnLatex: '\\mathrm{erf}',
  derivative: (a) => [times(num(TWO_OVER_SQRT_PI), call('exp', negE(sq(x0(a)))))],
  onnx: { opType: 'Erf' },
});

/**
 * x^2.
 * @example tensor([-3, 0.5]).square() // [9, 0.25]
 */
export const square = unaryOp({
  name: 'square',
  doc: 'x², elementwise.',
  problem: 'square',
  kernel: unaryKernel('square', (x) => x * x),
  keepsInt: true,
  backward: (g, x): Tensor => mul(g, mul(x, 2)),
  latex: ([a]) => `\\left(${a}\\right)^{2}`,
  label: 'x²',
  derivative: (a) => [times(num(2), x0(a))],
});

/**
 * 1/x.
 * @example tensor([2, -0.5, 0]).reciprocal() // [0.5, -2, Infinity]
 */
export const reciprocal = unaryOp({
  name: 'reciprocal',
  doc: '1/x.',
  problem: 'reciprocal',
  kernel: unaryKernel('reciprocal', (x) => 1 / x),
  backward: (g, _x, y): Tensor => neg(mul(g, mul(y, y))),
  latex: ([a]) => `\\frac{1}{${a}}`,
  label: '1/x',
  derivative: (a) => [negE(over(num(1), sq(x0(a))))],
  onnx: { opType: 'Reciprocal' },
});

/** Piecewise-constant ops: their gradient is 0 everywhere, also at the jumps (PyTorch's convention). */
function stepwise<const N extends string>(name: N, doc: string, f: (x: number) => number, latex: string, onnx?: string) {
  return unaryOp<N>({
    name,
    doc: `${doc} Its gradient is 0 everywhere.`,
    problem: name,
    kernel: unaryKernel(name, f),
    keepsInt: true,
    backward: zeroGrad,
    latex: fn(latex),
    fnLatex: latex,
    derivative: () => [num(0)],
    grad: 'zero',
    onnx: onnx ? { opType: onnx } : undefined,
  });
}

/**
 * -1, 0 or 1 by the sign of x (0 for NaN, as PyTorch).
 * @example tensor([-2, 0, 3, NaN]).sign() // [-1, 0, 1, 0]
 */
export const sign = unaryOp({
  name: 'sign',
  doc: '-1, 0 or 1 by the sign of x (NaN gives 0, as in PyTorch). Its gradient is 0 everywhere.',
  problem: 'sign',
  kernel: unaryKernel('sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : 0)),
  keepsInt: true,
  backward: zeroGrad,
  latex: fn('\\operatorname{sign}'),
  fnLatex: '\\operatorname{sign}',
  label: 'sign',
  derivative: () => [num(0)],
  grad: 'zero',
  plot: { title: 'sign' },
  onnx: { opType: 'Sign' },
});

/**
 * Rounds down.
 * @example tensor([1.5, -1.5]).floor() // [1, -2]
 */
export const floor = stepwise('floor', 'Rounds down to an integer.', Math.floor, '\\operatorname{floor}', 'Floor');
/**
 * Rounds up.
 * @example tensor([1.5, -1.5]).ceil() // [2, -1]
 */
export const ceil = stepwise('ceil', 'Rounds up to an integer.', Math.ceil, '\\operatorname{ceil}', 'Ceil');
/**
 * Rounds toward zero.
 * @example tensor([1.5, -1.5]).trunc() // [1, -1]
 */
export const trunc = stepwise('trunc', 'Rounds toward zero.', Math.trunc, '\\operatorname{trunc}');
/**
 * Rounds to the nearest integer, halves to even (as PyTorch and IEEE).
 * @example tensor([0.5, 1.5, 2.5, -0.7]).round() // [0, 2, 2, -1]
 */
export const round = stepwise(
  'round',
  'Rounds to the nearest integer, halves to even (as PyTorch).',
  (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  '\\operatorname{round}',
  'Round',
);

/**
 * x - trunc(x): the fractional part, with x's sign.
 * @example tensor([1.25, -1.25]).frac() // [0.25, -0.25]
 */
export const frac = defineOp(
  {
    name: 'frac',
    doc: 'The fractional part x - trunc(x) (with the sign of x); its gradient is 1.',
    problem: 'frac',
    latex: fn('\\operatorname{frac}'),
    fnLatex: '\\operatorname{frac}',
    derivative: () => [num(1)],
  },
  () =>
    function frac(x: Tensor): Tensor {
      return sub(x, detach(trunc(x)));
    },
);

// ---- powers ---------------------------------------------------------------------------------

/** a^b as C's pow (and PyTorch): unlike JS's **, 1^b is 1 for every b (NaN too), and (-1)^±∞ is 1. */
function cpow(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Number.POSITIVE_INFINITY || b === Number.NEGATIVE_INFINITY))) return 1;
  return a ** b;
}
/**
 * x^p for a constant p with PyTorch's special cases (its pow kernel dispatches them to other
 * kernels): sqrt for 0.5 and rsqrt for -0.5 (so (-inf)^0.5 is NaN and (-0)^-0.5 is -inf, unlike C's
 * pow), reciprocal for -1, x·x, x·x·x and 1/(x·x) for 2, 3 and -2.
 */
function powScalarKernel(x: number, p: number): number {
  switch (p) {
    case 0.5:
      return Math.sqrt(x);
    case -0.5:
      return 1 / Math.sqrt(x);
    case -1:
      return 1 / x;
    case 2:
      return x * x;
    case 3:
      return x * x * x;
    case -2:
      return 1 / (x * x);
    default:
      return cpow(x, p);
  }
}
const POW_SCALAR = unaryKernel('powScalar', powScalarKernel);
const POW = binaryKernel('pow', cpow);

/**
 * a^b, elementwise; b a tensor or a number. d/da = b·a^(b-1) (0 where b = 0, as PyTorch) and
 * d/db = a^b·ln a (0 where a = 0 and b ≥ 0).
 * @example
 * tensor([2, 3]).pow(2) // [4, 9]
 * pow(2, tensor([0, 3])) // [1, 8]
 */
export const pow = defineOp(
  {
    name: 'pow',
    doc: 'Elementwise a^b (b a tensor or a number); d/da is 0 where b = 0 and d/db is 0 where a = 0, b ≥ 0, as in PyTorch.',
    inputs: ['input', 'exponent'],
    operator: '^',
    latex: ([a, b], at) => `\\left(${a}\\right)^{${b ?? at?.exponent}}`,
    label: (at) => {
      if (typeof at.exponent !== 'number') return '^';
      const e = String(at.exponent);
      return /^-?\d+$/.test(e) ? `x${[...e].map((c) => SUPERSCRIPT[c]).join('')}` : `x^${e}`;
    },
    kernel: POW,
    kernels: [POW_SCALAR],
    onnx: { opType: 'Pow' },
  },
  (def) =>
    function pow(a: TensorLike, b: TensorLike): Tensor {
      if (typeof b === 'number' && a instanceof Tensor) return powScalar(def, a, b);
      const [x, e] = operands(a, b, 'pow', true);
      const y = runBinary(POW, x, e, 'pow');
      return record(def, [x, e], y, (g) => {
        // PyTorch's pow_backward_self and pow_backward_exponent, written as they are (the
        // exponent's mask sits inside the product), so that their own derivatives match too
        const ga = where(eq(e, 0), 0, mul(g, mul(e, pow(x, sub(e, 1)))));
        const gb = mul(g, where(logicalAnd(eq(x, 0), ge(e, 0)), 0, mul(y, log(x))));
        return [sumTo(ga, x.shape), sumTo(gb, e.shape)];
      });
    },
);

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };

/** x^p for a constant p; recorded as pow with the attribute exponent. */
function powScalar(def: OpDef, x: Tensor, p: number): Tensor {
  assertTensor(x, 'pow');
  const y = runUnary(POW_SCALAR, x, p);
  return record(def, [x], y, (g) => [p === 0 ? zerosLike(g) : p === 1 ? g : mul(g, mul(pow(x, p - 1), p))], { exponent: p });
}

// ---- functions of two tensors ---------------------------------------------------------------

/**
 * The angle of (x, y): atan2(y, x), elementwise.
 * @example atan2(tensor([1, 0]), tensor([0, -1])) // [1.5707964, 3.1415927]
 */
export const atan2 = binaryOp({
  name: 'atan2',
  doc: 'The angle of the point (other, input): atan2(input, other), elementwise.',
  problem: 'atan2',
  latex: ([y, x]) => `\\operatorname{atan2}\\left(${y}, ${x}\\right)`,
  kernel: binaryKernel('atan2', Math.atan2),
  floatOnly: true,
  // PyTorch's atan2_backward, g·other·(1/r²) and g·(-input)·(1/r²), so that float32 second
  // derivatives overflow where PyTorch's do
  grads: (g, y, x): [Tensor | null, Tensor | null] => {
    const recip = reciprocal(add(mul(y, y), mul(x, x)));
    return [mul(mul(g, x), recip), mul(mul(g, neg(y)), recip)];
  },
  derivative: ([y, x]) => {
    const r2 = plus(sq(x), sq(y));
    return [over(x, r2), negE(over(y, r2))];
  },
});

/**
 * √(a² + b²) without overflow.
 * @example hypot(tensor([3, 1e30]), tensor([4, 1e30])) // [5, 1.4142135e30]
 */
export const hypot = binaryOp({
  name: 'hypot',
  doc: '√(a² + b²), computed without overflow.',
  problem: 'hypot',
  latex: ([a, b]) => `\\sqrt{${a}^{2} + ${b}^{2}}`,
  kernel: binaryKernel('hypot', Math.hypot),
  floatOnly: true,
  // PyTorch's hypot_backward: g·a/y and g·b/y
  grads: (g, a, b, y): [Tensor | null, Tensor | null] => [div(mul(g, a), y), div(mul(g, b), y)],
  derivative: ([a, b]) => [over(a, call('hypot', a, b)), over(b, call('hypot', a, b))],
});

/**
 * The remainder of truncated division (C's fmod): a - b·trunc(a/b), with the sign of a.
 * @example fmod(tensor([5, -5]), 3) // [2, -2]
 */
export const fmod = binaryOp({
  name: 'fmod',
  doc: "The remainder of truncated division, a - b·trunc(a/b), with the sign of a (C's fmod).",
  problem: 'fmod',
  latex: ([a, b]) => `${a} \\bmod_{\\text{trunc}} ${b}`,
  kernel: binaryKernel('fmod', (a, b) => a % b),
  integerDivision: true,
  // d/db = -trunc(a/b), a constant (PyTorch's rounding division has no gradient), so that no
  // second-order term divides by b
  grads: (g, a, b): [Tensor | null, Tensor | null] => [g, neg(mul(g, noGrad(() => trunc(div(a, b)))))],
  derivative: ([a, b]) => [num(1), negE(call('trunc', over(a, b)))],
  onnx: { opType: 'Mod', attributes: () => ({ fmod: 1 }) },
});

/**
 * PyTorch's floor division of floats (div with rounding_mode 'floor'): (a - fmod(a, b))/b,
 * stepped down where the remainder's sign differs from b's and rounded, so that it agrees with
 * remainder (a = b·q + remainder(a, b)) where floor(a/b) would round the other way (1 and 0.1 give
 * 9, not 10); a/b for b = 0, and NaN for an infinite a.
 */
function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let q = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) q -= 1;
  if (q === 0) return a / b < 0 || Object.is(a / b, -0) ? -0 : 0;
  const f = Math.floor(q);
  return q - f > 0.5 ? f + 1 : f;
}
const FLOOR_DIVIDE = binaryKernel('floorDivide', floorDivide);

/**
 * The remainder of floored division (Python's %): a - b·floor(a/b), with the sign of b.
 * @example remainder(tensor([5, -5]), 3) // [2, 1]
 */
export const remainder = binaryOp({
  name: 'remainder',
  doc: "The remainder of floored division, a - b·floor(a/b), with the sign of b (Python's %).",
  problem: 'remainder',
  latex: ([a, b]) => `${a} \\bmod ${b}`,
  integerDivision: true,
  kernel: binaryKernel('remainder', (a, b) => {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r;
  }),
  // d/db = -(a floor-divided by b), with PyTorch's floor division (a constant: no gradient)
  grads: (g, a, b): [Tensor | null, Tensor | null] => [g, neg(mul(g, runBinary(FLOOR_DIVIDE, a, b, 'remainder')))],
  kernels: [FLOOR_DIVIDE],
  derivative: ([a, b]) => [num(1), negE(call('floor', over(a, b)))],
  onnx: { opType: 'Mod', attributes: () => ({ fmod: 0 }) },
});

/**
 * start + weight·(end - start); weight a number or a tensor. Computed as PyTorch does, from the
 * nearer end: start + w·(end - start) for |w| < 0.5, else end - (end - start)·(1 - w), which is
 * exact at w = 1 and keeps its digits near it; gradients (1 - w)·g, w·g and (end - start)·g.
 * @example lerp(tensor([0, 10]), tensor([10, 20]), 0.25) // [2.5, 12.5]
 */
export const lerp = defineOp(
  {
    name: 'lerp',
    doc: 'Linear interpolation start + weight·(end - start), computed from the nearer end as PyTorch; weight is a number or a tensor.',
    inputs: ['input', 'end', 'weight'],
    problem: 'lerp',
    latex: ([a, b, w]) => `${a} + ${w}\\left(${b} - ${a}\\right)`,
    derivative: ([a, b, w]) => [minus(num(1), w), w, minus(b, a)],
  },
  (def) =>
    function lerp(start: Tensor, end: TensorLike, weight: TensorLike): Tensor {
      assertTensor(start, 'lerp');
      const shapeOf = (v: TensorLike, what: string): readonly number[] => {
        if (v instanceof Tensor) return v.shape;
        assertNumber(v, 'lerp', what, false);
        return [];
      };
      broadcastShapes(broadcastShapes(start.shape, shapeOf(end, 'end'), 'lerp'), shapeOf(weight, 'weight'), 'lerp');
      const [s, e] = operands(start, end, 'lerp');
      const w = weight instanceof Tensor ? (weight.dtype === s.dtype ? weight : cast(weight, s.dtype)) : weight;
      const oneMinus = (v: Tensor | number) => (typeof v === 'number' ? 1 - v : sub(1, v));
      const y = noGrad(() => {
        const diff = sub(e, s);
        const near = add(s, mul(w, diff));
        const far = sub(e, mul(diff, oneMinus(w)));
        if (typeof w === 'number') return Math.abs(w) < 0.5 ? near : far;
        return where(lt(abs(w), 0.5), near, far);
      });
      const inputs = w instanceof Tensor ? [s, e, w] : [s, e];
      return record(def, inputs, y, (g) => {
        const gs = sumTo(mul(g, oneMinus(w)), s.shape);
        const ge = sumTo(mul(g, w), e.shape);
        return w instanceof Tensor ? [gs, ge, sumTo(mul(g, sub(e, s)), w.shape)] : [gs, ge];
      }, typeof w === 'number' ? { weight: w } : undefined);
    },
);

/**
 * Clamps into [p0, p1]; a NaN bound is no bound.
 * @example
 * CLAMP.f(7, 0, 5) // 5
 * CLAMP.f(7, NaN, NaN) // 7
 */
export const CLAMP = unaryKernel('clamp', (x, lo, hi) => {
  let y = x;
  if (!Number.isNaN(lo) && y < lo) y = lo;
  if (!Number.isNaN(hi) && y > hi) y = hi;
  return y;
});

/**
 * Clamps into [min, max] (either may be omitted; a bound may be a tensor, broadcast against x).
 * The gradient is 1 inside the range (bounds included) and flows to a tensor bound where it binds.
 * @example
 * tensor([-2, 0.5, 3]).clamp(0, 1) // [0, 0.5, 1]
 * tensor([-2, 3]).clamp(null, 1) // [-2, 1]
 * tensor([-2, 3]).clip(-1) // [-1, 3]
 */
export const clamp = defineOp(
  {
    name: 'clamp',
    doc: 'Clamps into [min, max] (either may be omitted, or a tensor; with min > max the result is max, and a NaN anywhere gives NaN, as in PyTorch); the gradient is 1 where min ≤ x ≤ max, and flows to a tensor bound where it binds.',
    // at least one bound must be given, as in PyTorch
    params: [
      { name: 'min', default: null, sample: -1 },
      { name: 'max', default: null, sample: 1 },
    ],
    problem: 'clamp',
    aliases: ['clip'],
    methodAliases: ['clip'],
    latex: (args, at) => {
      // tensor bounds are inputs after x, in the order min, max
      let next = 1;
      const bound = (v: unknown, inf: string) => (v === 'tensor' ? args[next++] : v == null ? inf : String(v));
      const lo = bound(at?.min, '-\\infty');
      const hi = bound(at?.max, '\\infty');
      return `\\operatorname{clamp}_{[${lo}, ${hi}]}\\left(${args[0]}\\right)`;
    },
    label: (at) => `clamp [${at.min === 'tensor' ? 'min' : (at.min ?? '−∞')}, ${at.max === 'tensor' ? 'max' : (at.max ?? '∞')}]`,
    derivative: ([x], [lo, hi]) => [cases([[cond(x, '<', lo ?? num(Number.NEGATIVE_INFINITY)), num(0)], [cond(x, '>', hi ?? num(Number.POSITIVE_INFINITY)), num(0)]], num(1))],
    kernel: CLAMP,
    onnx: { opType: 'Clip' },
  },
  (def) =>
    function clamp(x: Tensor, min?: number | Tensor | null, max?: number | Tensor | null): Tensor {
      assertTensor(x, 'clamp');
      if (min == null && max == null) throw new ChainruleError('clamp: at least one of min and max must be given (as in PyTorch)');
      // a number bound may be NaN: PyTorch's scalar clamp then leaves x as it is (and its gradient 0)
      if (min != null && !(min instanceof Tensor)) assertBound(min, 'min');
      if (max != null && !(max instanceof Tensor)) assertBound(max, 'max');
      if (min instanceof Tensor || max instanceof Tensor) return clampTensor(def, x, min, max);
      // an int32 tensor clamped by a fraction (or NaN) is float32, as PyTorch's type promotion makes it
      const fractional = (b: number | null | undefined) => b != null && !Number.isInteger(b);
      const src = x.dtype === 'int32' && (fractional(min) || fractional(max)) ? castData(x, 'float32') : x;
      // PyTorch fills NaN when both bounds are given and one is NaN (one NaN bound alone is none)
      const nanBound = min != null && max != null && (Number.isNaN(min) || Number.isNaN(max));
      const y = nanBound ? fullLike(src, Number.NaN) : runUnary(CLAMP, src, min ?? Number.NaN, max ?? Number.NaN, true);
      return record(def, [x], y, (g) => {
        // PyTorch's clamp_backward selects: where(min <= x <= max, g, 0)
        const lo = min != null ? ge(x, min) : null;
        const hi = max != null ? le(x, max) : null;
        return [where(lo && hi ? logicalAnd(lo, hi) : (lo ?? (hi as Tensor)), g, 0)];
      }, { min: min ?? null, max: max ?? null });
    },
);

function assertBound(b: unknown, what: string): void {
  if (typeof b !== 'number') throw new ChainruleError(`clamp: ${what} must be a number or a Tensor, got ${b === null ? 'null' : typeof b}`);
}

/**
 * clamp with a tensor bound (a number beside it is made a tensor): max(x, min) then min(·, max),
 * broadcast over all three, recorded as one node with PyTorch's gradients: x's where
 * min ≤ x ≤ max, min's where x < min < max, max's where x > max or max < min.
 */
function clampTensor(def: OpDef, x: Tensor, min: number | Tensor | null | undefined, max: number | Tensor | null | undefined): Tensor {
  // a number bound takes x's dtype, as a number operand does (float32 for a fraction beside integers)
  const numDtype = (b: number) => (isFloat(x.dtype) || Number.isInteger(b) ? x.dtype : 'float32');
  const bound = (b: number | Tensor | null | undefined) => (b == null ? null : b instanceof Tensor ? b : scalar(b, { dtype: numDtype(b) }));
  const lo = bound(min);
  const hi = bound(max);
  // a bound that does not broadcast against x is clamp's error, not maximum's
  broadcastShapes(broadcastShapes(x.shape, lo?.shape ?? [], 'clamp'), hi?.shape ?? [], 'clamp');
  // maximum and minimum propagate NaN from either side, as PyTorch's clamp does
  const y = noGrad(() => {
    let v = x;
    if (lo) v = maximum(v, lo);
    if (hi) v = minimum(v, hi);
    return v;
  });
  const inputs = [x, ...(lo ? [lo] : []), ...(hi ? [hi] : [])];
  return record(
    def,
    inputs,
    y,
    (g) => {
      let gx: Tensor;
      let glo: Tensor | null = null;
      let ghi: Tensor | null = null;
      if (lo && hi) {
        gx = where(logicalAnd(ge(x, lo), le(x, hi)), g, 0);
        glo = where(logicalAnd(lt(x, lo), lt(lo, hi)), g, 0);
        ghi = where(logicalOr(gt(x, hi), lt(hi, lo)), g, 0);
      } else if (lo) {
        gx = where(ge(x, lo), g, 0);
        glo = where(lt(x, lo), g, 0);
      } else {
        gx = where(le(x, hi as Tensor), g, 0);
        ghi = where(gt(x, hi as Tensor), g, 0);
      }
      return [sumTo(gx, x.shape), ...(lo && glo ? [sumTo(glo, lo.shape)] : []), ...(hi && ghi ? [sumTo(ghi, hi.shape)] : [])];
    },
    { min: min instanceof Tensor ? 'tensor' : (min ?? null), max: max instanceof Tensor ? 'tensor' : (max ?? null) },
  );
}
