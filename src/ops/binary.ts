import type { OpInfo } from '../autograd/node.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { BinaryOp } from '../backend/types.js';
import { empty, zerosLike } from '../tensor/creation.js';
import { broadcastShapes, broadcastStrides, sameShape, stridesOf } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { sumTo } from './reduce.js';
import { log } from './unary.js';
import { operands } from './util.js';

function binaryKernel(op: BinaryOp, a: Tensor, b: Tensor, name: string, outDtype = a.dtype): Tensor {
  if (sameShape(a.shape, b.shape)) {
    // the common case needs no broadcasting: both operands read with the output's own strides
    const out = empty(a.shape, outDtype);
    const strides = stridesOf(a.shape);
    kernels().binary(op, a.data, strides, b.data, strides, out.data, out.shape);
    return out;
  }
  const shape = broadcastShapes(a.shape, b.shape, name);
  const out = empty(shape, outDtype);
  kernels().binary(op, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), out.data, shape);
  return out;
}

type Grads = (g: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

function binaryOp(name: string, kernel: BinaryOp, latex: OpInfo['latex'], grads: Grads, floatOnly = false) {
  const info: OpInfo = { name, latex };
  return (x: TensorLike, y: TensorLike): Tensor => {
    const [a, b] = operands(x, y, name, floatOnly);
    const out = binaryKernel(kernel, a, b, name);
    return record(info, [a, b], out, (g) => {
      const [ga, gb] = grads(g, a, b, out);
      return [ga && sumTo(ga, a.shape), gb && sumTo(gb, b.shape)];
    });
  };
}

/** Elementwise a + b with broadcasting. @example add(tensor([1, 2]), 1).toArray() // [2, 3] */
export const add = binaryOp('add', 'add', ([a, b]) => `${a} + ${b}`, (g) => [g, g]);
/** Elementwise a - b. */
export const sub = binaryOp('sub', 'sub', ([a, b]) => `${a} - ${b}`, (g) => [g, neg1(g)]);
/** Elementwise (Hadamard) product. */
export const mul = binaryOp('mul', 'mul', ([a, b]) => `${a} \\cdot ${b}`, (g, a, b) => [mul(g, b), mul(g, a)]);
/** Elementwise true division (integers divide as floats). */
export const div = binaryOp(
  'div',
  'div',
  ([a, b]) => `\\frac{${a}}{${b}}`,
  (g, _a, b, y) => [div(g, b), neg1(div(mul(g, y), b))],
  true,
);
/** Elementwise a^b; d/db uses ln(a) and is 0 where a = 0 and b >= 0, as in PyTorch. */
export const pow = binaryOp(
  'pow',
  'pow',
  ([a, b]) => `\\left(${a}\\right)^{${b}}`,
  (g, a, b, y) => {
    const ga = mul(g, mul(b, pow(a, sub(b, 1))));
    const gb = where(logicalAnd(eq(a, 0), ge(b, 0)), 0, mul(g, mul(y, log(a))));
    return [ga, gb];
  },
  true,
);
/** Elementwise maximum; ties split the gradient evenly, as in PyTorch. */
export const maximum = binaryOp('maximum', 'maximum', ([a, b]) => `\\max\\left(${a}, ${b}\\right)`, (g, a, b) => tieSplit(g, gt(a, b), eq(a, b), lt(a, b)));
/** Elementwise minimum; ties split the gradient evenly. */
export const minimum = binaryOp('minimum', 'minimum', ([a, b]) => `\\min\\left(${a}, ${b}\\right)`, (g, a, b) => tieSplit(g, lt(a, b), eq(a, b), gt(a, b)));

function tieSplit(g: Tensor, win: Tensor, tie: Tensor, lose: Tensor): [Tensor, Tensor] {
  const half = mul(g, 0.5);
  return [where(win, g, where(tie, half, 0)), where(lose, g, where(tie, half, 0))];
}

function neg1(g: Tensor): Tensor {
  return mul(g, -1);
}

function compareOp(name: string, kernel: BinaryOp) {
  return (x: TensorLike, y: TensorLike): Tensor => {
    const [a, b] = operands(x, y, name);
    return binaryKernel(kernel, a, b, name, 'bool');
  };
}

/** Elementwise comparisons; they return bool tensors and carry no gradient. */
export const eq = compareOp('eq', 'eq');
export const ne = compareOp('ne', 'ne');
export const lt = compareOp('lt', 'lt');
export const le = compareOp('le', 'le');
export const gt = compareOp('gt', 'gt');
export const ge = compareOp('ge', 'ge');

/** Elementwise logical and / or / not of bool (or nonzero) tensors. */
export function logicalAnd(a: Tensor, b: Tensor): Tensor {
  return ne(mul(a.to('int32'), b.to('int32')), 0);
}
export function logicalOr(a: Tensor, b: Tensor): Tensor {
  return ne(add(ne(a, 0).to('int32'), ne(b, 0).to('int32')), 0);
}
export function logicalNot(a: Tensor): Tensor {
  return eq(a, 0);
}

const WHERE: OpInfo = { name: 'where', latex: ([c, a, b]) => `\\begin{cases}${a} & ${c}\\\\ ${b} & \\text{otherwise}\\end{cases}` };

/**
 * Picks from a where cond is true, from b elsewhere (all three broadcast).
 * @example where(tensor([true, false]), 1, 2).toArray() // [1, 2]
 */
export function where(cond: Tensor, x: TensorLike, y: TensorLike): Tensor {
  const c = cond.dtype === 'bool' ? cond : ne(cond, 0);
  let a: Tensor;
  let b: Tensor;
  if (x instanceof Tensor || y instanceof Tensor) [a, b] = operands(x, y, 'where');
  else [a, b] = operands(new Tensor(new Float32Array([x]), []), y, 'where');
  const shape = broadcastShapes(broadcastShapes(c.shape, a.shape, 'where'), b.shape, 'where');
  const out = empty(shape, a.dtype);
  kernels().where(
    c.data as Uint8Array,
    broadcastStrides(c.shape, shape),
    a.data,
    broadcastStrides(a.shape, shape),
    b.data,
    broadcastStrides(b.shape, shape),
    out.data,
    shape,
  );
  return record(WHERE, [c, a, b], out, (g) => {
    const z = zerosLike(g);
    return [null, sumTo(where(c, g, z), a.shape), sumTo(where(c, z, g), b.shape)];
  });
}
