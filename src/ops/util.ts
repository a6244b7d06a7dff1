import { kernels } from '../backend/registry.js';
import type { UnaryOp } from '../backend/types.js';
import { ChainruleError } from '../errors.js';
import { empty, scalar } from '../tensor/creation.js';
import { type DType, floatOf, isFloat, promote } from '../tensor/dtype.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';

/** Checks that a JS caller passed a Tensor (or a number where one is allowed). */
export function assertTensor(x: unknown, op: string, what = 'input'): Tensor {
  if (x instanceof Tensor) return x;
  throw new ChainruleError(`${op}: ${what} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

export function assertNumber(x: unknown, op: string, what: string, finite = true): number {
  if (typeof x !== 'number' || Number.isNaN(x) || (finite && !Number.isFinite(x))) {
    throw new ChainruleError(`${op}: ${what} must be a ${finite ? 'finite ' : ''}number, got ${String(x)}`);
  }
  return x;
}

/** The dtype a plain number takes next to a tensor (module-level: this runs on every binary op). */
function numDtype(n: number, other: Tensor): DType {
  return isFloat(other.dtype) || Number.isInteger(n) ? other.dtype : 'float32';
}

/** Turns the two operands of a binary op into tensors of one (promoted) dtype. */
export function operands(a: TensorLike, b: TensorLike, op: string, floatOnly = false): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new ChainruleError(`${op}: at least one operand must be a Tensor`);
  }
  let ta: Tensor;
  let tb: Tensor;
  if (a instanceof Tensor) ta = a;
  else ta = scalar(assertNumber(a, op, 'left operand', false), { dtype: numDtype(a, b as Tensor) });
  if (b instanceof Tensor) tb = b;
  else tb = scalar(assertNumber(b, op, 'right operand', false), { dtype: numDtype(b, ta) });
  let d = promote(ta.dtype, tb.dtype);
  if (floatOnly || d === 'bool') d = floatOnly ? floatOf(d) : d;
  return [ta.dtype === d ? ta : ta.to(d), tb.dtype === d ? tb : tb.to(d)];
}

/** Runs a unary kernel into a fresh tensor (float ops promote integer inputs to float32). */
export function unaryKernel(op: UnaryOp, x: Tensor, p0?: number, p1?: number, keepDtype = false): Tensor {
  const src = keepDtype || isFloat(x.dtype) ? x : x.to(floatOf(x.dtype));
  const out = empty(src.shape, src.dtype);
  kernels().unary(op, src.data, out.data, p0, p1);
  return out;
}
