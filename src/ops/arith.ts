// Elementwise arithmetic with broadcasting, comparisons, logical ops and where. Gradients are
// summed back to each operand's shape (sumTo), so this file stands on reduce.ts and shape.ts.
import { record } from '../autograd/record.js';
import type { BinaryKernel } from '../backend/types.js';
import { ChainruleError } from '../errors.js';
import { zerosLike } from '../tensor/creation.js';
import { isFloat, } from '../tensor/dtype.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { type NamedMeta, type Op, type OpDef, type OpMeta, type OpNames, defineOp } from './define.js';
import { binaryKernel, runBinary, runUnary, runWhere, unaryKernel } from './kernel.js';
import { operands } from './operands.js';
import { sumTo } from './reduce.js';


/** The table entry of an elementwise op of two tensors: its meta, its kernel and its gradients. */
export interface BinarySpec extends OpMeta {
  /** the elementwise kernel the backends run */
  readonly kernel: BinaryKernel;
  /** dL/da and dL/db at the broadcast shape (summed back to each operand's shape here) */
  readonly grads: (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];
  /** integer operands are promoted to float (true division, pow) */
  readonly floatOnly?: boolean;
  /** a bool operand is an error, as in PyTorch (sub: masks are inverted with logicalNot) */
  readonly noBool?: string;
  /** integer operands divide: a zero divisor is an error, as PyTorch's ZeroDivisionError */
  readonly integerDivision?: boolean;
}

/**
 * Defines a broadcasting binary op from its kernel and its gradients.
 * @example
 * const absDiff = binaryOp({
 *   name: 'absDiff',
 *   doc: '|a - b|',
 *   kernel: binaryKernel('absDiff', (a, b) => Math.abs(a - b)),
 *   grads: (g, a, b) => [g.mul(a.sub(b).sign()), g.mul(b.sub(a).sign())],
 * });
 * absDiff(tensor([1, 5]), 3); // [2, 2]
 */
export function binaryOp<
  const N extends string,
  const Meth extends string | false | undefined = undefined,
  const Al extends readonly string[] = readonly [],
>(spec: BinarySpec & NamedMeta<N, Meth, Al>): Op<(x: TensorLike, y: TensorLike) => Tensor, OpNames<N, Meth, Al>> {
  return defineOp(
    { inputs: ['input', 'other'], ...spec },
    (def: OpDef) =>
      function binary(x: TensorLike, y: TensorLike): Tensor {
        if (spec.noBool && ((x instanceof Tensor && x.dtype === 'bool') || (y instanceof Tensor && y.dtype === 'bool'))) {
          throw new ChainruleError(`${def.name}: ${spec.noBool}`);
        }
        const [a, b] = operands(x, y, def.name, spec.floatOnly);
        if (spec.integerDivision && !isFloat(b.dtype) && b.data.includes(0)) {
          throw new ChainruleError(`${def.name}: integer division by zero (the divisor has a 0), as PyTorch's ZeroDivisionError`);
        }
        const out = runBinary(spec.kernel, a, b, def.name);
        return record(def, [a, b], out, (g) => {
          const [ga, gb] = spec.grads(g, a, b, out);
          return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
        });
      },
  );
}

const NEG = unaryKernel('neg', (x: number) => -x);

/**
 * Elementwise -x.
 * @example tensor([1, -2]).neg() // [-1, 2]
 */
export const neg = defineOp(
  {
    name: 'neg',
    doc: 'Elementwise -x.',
    latex: ([a]) => `-${a}`,
    label: '−x',
    kernel: NEG,
    derivative: () => [{ kind: 'num', value: -1 }],
    onnx: { opType: 'Neg' },
  },
  (def) =>
    function neg(x: Tensor): Tensor {
      const y = runUnary(NEG, x, 0, 0, true);
      return record(def, [x], y, (g) => [neg(g)]);
    },
);

/** Elementwise a + b with broadcasting. @example add(tensor([1, 2]), 1).toArray() // [2, 3] */
export const add = binaryOp({
  name: 'add',
  doc: 'Elementwise a + b with broadcasting.',
  operator: '+',
  latex: ([a, b]) => `${a} + ${b}`,
  label: '+',
  kernel: binaryKernel('add', (a, b) => a + b),
  grads: (g): [Tensor | null, Tensor | null] => [g, g],
  onnx: { opType: 'Add' },
});

/**
 * Elementwise a - b.
 * @example
 * sub(tensor([[5], [7]]), tensor([1, 2])) // [[4, 3], [6, 5]]
 * tensor([3]).sub(1) // [2]
 */
export const sub = binaryOp({
  name: 'sub',
  doc: 'Elementwise a - b with broadcasting.',
  operator: '-',
  latex: ([a, b]) => `${a} - ${b}`,
  label: '−',
  kernel: binaryKernel('sub', (a, b) => a - b),
  noBool: 'subtraction of a bool tensor is not supported, as in PyTorch (logicalNot inverts a mask)',
  grads: (g): [Tensor | null, Tensor | null] => [g, neg(g)],
  onnx: { opType: 'Sub' },
});

/**
 * Elementwise (Hadamard) product.
 * @example tensor([1, 2, 3]).mul(tensor([2, 0, -1])) // [2, 0, -3]
 */
export const mul = binaryOp({
  name: 'mul',
  doc: 'Elementwise (Hadamard) product with broadcasting.',
  operator: '*',
  latex: ([a, b]) => `${a} \\cdot ${b}`,
  label: '×',
  kernel: binaryKernel('mul', (a, b) => a * b),
  grads: (g, a, b): [Tensor | null, Tensor | null] => [mul(g, b), mul(g, a)],
  onnx: { opType: 'Mul' },
});

/**
 * Elementwise true division (integers divide as floats).
 * @example tensor([1, 3], { dtype: 'int32' }).div(2) // [0.5, 1.5]
 */
export const div = binaryOp({
  name: 'div',
  doc: 'Elementwise true division (integer operands divide as floats).',
  operator: '/',
  latex: ([a, b]) => `\\frac{${a}}{${b}}`,
  label: '÷',
  kernel: binaryKernel('div', (a, b) => a / b),
  grads: (g, _a, b, y): [Tensor | null, Tensor | null] => [div(g, b), neg(div(mul(g, y), b))],
  floatOnly: true,
  onnx: { opType: 'Div' },
});

/**
 * The gradients of maximum and minimum as PyTorch writes them: where(a == b, g/2, g) with 0 where
 * the operand loses, so a NaN operand (which neither wins, ties nor loses) passes the whole
 * gradient to both, and a NaN upstream becomes 0 only where an operand loses.
 */
function tieSplit(g: Tensor, tie: Tensor, loseA: Tensor, loseB: Tensor): [Tensor, Tensor] {
  const shared = where(tie, mul(g, 0.5), g);
  return [where(loseA, 0, shared), where(loseB, 0, shared)];
}

/**
 * Elementwise maximum; ties split the gradient evenly, as in PyTorch.
 * @example maximum(tensor([1, 5]), tensor([3, 2])) // [3, 5]
 */
export const maximum = binaryOp({
  name: 'maximum',
  doc: 'Elementwise maximum (NaN if either is NaN); ties split the gradient evenly, and a NaN operand passes it to both, as in PyTorch.',
  latex: ([a, b]) => `\\max\\left(${a}, ${b}\\right)`,
  label: 'max',
  kernel: binaryKernel('maximum', (x, y) => (x !== x || y !== y ? Number.NaN : x > y ? x : y)),
  grads: (g, a, b): [Tensor | null, Tensor | null] => tieSplit(g, eq(a, b), lt(a, b), gt(a, b)),
  onnx: { opType: 'Max' },
});

/**
 * Elementwise minimum; ties split the gradient evenly.
 * @example minimum(tensor([1, 5]), tensor([3, 2])) // [1, 2]
 */
export const minimum = binaryOp({
  name: 'minimum',
  doc: 'Elementwise minimum (NaN if either is NaN); ties split the gradient evenly, and a NaN operand passes it to both, as in PyTorch.',
  latex: ([a, b]) => `\\min\\left(${a}, ${b}\\right)`,
  label: 'min',
  kernel: binaryKernel('minimum', (x, y) => (x !== x || y !== y ? Number.NaN : x < y ? x : y)),
  grads: (g, a, b): [Tensor | null, Tensor | null] => tieSplit(g, eq(a, b), gt(a, b), lt(a, b)),
  onnx: { opType: 'Min' },
});

function compareOp<const N extends string>(name: N, symbol: string, f: (a: number, b: number) => boolean, onnx: string) {
  const kernel = binaryKernel(name, (a, b) => (f(a, b) ? 1 : 0), true);
  return defineOp(
    {
      name,
      doc: `Elementwise a ${symbol} b as a bool tensor (no gradient).`,
      inputs: ['input', 'other'],
      latex: ([a, b]: string[]) => `${a} ${symbol} ${b}`,
      label: symbol,
      kernel,
      grad: 'none',
      onnx: { opType: onnx },
    },
    (def) =>
      function compare(x: TensorLike, y: TensorLike): Tensor {
        const [a, b] = operands(x, y, def.name);
        return runBinary(kernel, a, b, def.name, 'bool');
      },
  );
}

/**
 * Elementwise a = b (torch.eq): a bool tensor, no gradient. The comparisons broadcast, and take numbers.
 * @example tensor([1, 2, 3]).eq(2) // [false, true, false]
 */
export const eq = compareOp('eq', '=', (a, b) => a === b, 'Equal');
/**
 * Elementwise a ≠ b (torch.ne): a bool tensor, no gradient; NaN ≠ NaN.
 * @example tensor([1, 2, 3]).ne(2) // [true, false, true]
 */
export const ne = compareOp('ne', '\\neq', (a, b) => a !== b, 'Not');
/**
 * Elementwise a < b (torch.lt): a bool tensor, no gradient.
 * @example tensor([1, 2, 3]).lt(2) // [true, false, false]
 */
export const lt = compareOp('lt', '<', (a, b) => a < b, 'Less');
/**
 * Elementwise a ≤ b (torch.le): a bool tensor, no gradient.
 * @example tensor([1, 2, 3]).le(2) // [true, true, false]
 */
export const le = compareOp('le', '\\leq', (a, b) => a <= b, 'LessOrEqual');
/**
 * Elementwise a > b (torch.gt): a bool tensor, no gradient.
 * @example tensor([1, 2, 3]).gt(tensor([0, 2, 4])) // [true, false, false]
 */
export const gt = compareOp('gt', '>', (a, b) => a > b, 'Greater');
/**
 * Elementwise a ≥ b (torch.ge): a bool tensor, no gradient.
 * @example tensor([1, 2, 3]).ge(2) // [false, true, true]
 */
export const ge = compareOp('ge', '\\geq', (a, b) => a >= b, 'GreaterOrEqual');

/** and/or of the truth of two operands: nonzero is true, NaN and 0.5 included (as in PyTorch). */
function logicOp<const N extends 'logicalAnd' | 'logicalOr'>(name: N, f: (a: boolean, b: boolean) => boolean, onnx: string) {
  const kernel = binaryKernel(name, (a, b) => (f(a !== 0, b !== 0) ? 1 : 0), true);
  return defineOp(
    {
      name,
      doc: `Elementwise logical ${name === 'logicalAnd' ? 'and' : 'or'} of bool (or nonzero: NaN and fractions count as true) tensors.`,
      inputs: ['input', 'other'],
      kernel,
      grad: 'none',
      onnx: { opType: onnx },
    },
    (def) =>
      function logic(x: Tensor, y: Tensor): Tensor {
        const [a, b] = operands(x, y, def.name);
        return runBinary(kernel, a, b, def.name, 'bool');
      },
  );
}

/** Elementwise logical and of bool (or nonzero) tensors. @example logicalAnd(tensor([0.5, 0]), tensor([1, 1])).toArray() // [true, false] */
export const logicalAnd = logicOp('logicalAnd', (a, b) => a && b, 'And');

/** Elementwise logical or of bool (or nonzero) tensors. @example logicalOr(tensor([0, 0]), tensor([Number.NaN, 0])).toArray() // [true, false] */
export const logicalOr = logicOp('logicalOr', (a, b) => a || b, 'Or');

/**
 * Elementwise logical not.
 * @example tensor([0, 1, 2]).logicalNot() // [true, false, false]
 */
export const logicalNot = defineOp(
  { name: 'logicalNot', doc: 'Elementwise logical not (true where the input is 0).', grad: 'none', onnx: { opType: 'Not' } },
  () =>
    function logicalNot(a: Tensor): Tensor {
      return eq(a, 0);
    },
);

/**
 * Picks from a where cond is true, from b elsewhere (all three broadcast).
 * @example where(tensor([true, false]), 1, 2).toArray() // [1, 2]
 */
export const where = defineOp(
  {
    name: 'where',
    doc: 'Picks from the first value where the condition holds, from the second elsewhere (all three broadcast).',
    inputs: ['condition', 'input', 'other'],
    method: false,
    latex: ([c, a, b]) => `\\begin{cases}${a} & ${c}\\\\ ${b} & \\text{otherwise}\\end{cases}`,
    label: 'where',
    onnx: { opType: 'Where' },
  },
  (def) =>
    function where(cond: Tensor, x: TensorLike, y: TensorLike): Tensor {
      const c = cond.dtype === 'bool' ? cond : ne(cond, 0);
      let a: Tensor;
      let b: Tensor;
      if (x instanceof Tensor || y instanceof Tensor) [a, b] = operands(x, y, 'where');
      else [a, b] = operands(new Tensor(new Float32Array([x]), []), y, 'where');
      const out = runWhere(c, a, b, 'where');
      return record(def, [c, a, b], out, (g) => {
        const z = zerosLike(g);
        return [null, sumTo(where(c, g, z), a.shape), sumTo(where(c, z, g), b.shape)];
      });
    },
);
