// The two operands of a binary op as tensors of one dtype (numbers become 0-d tensors).
import { ChainruleError } from '../errors.js';
import { scalar } from '../tensor/creation.js';
import { type DType, floatOf, isFloat, promote } from '../tensor/dtype.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { cast } from './shape.js';

/** The dtype a plain number takes next to a tensor (module-level: this runs on every binary op). */
function numDtype(n: number, other: Tensor): DType {
  return isFloat(other.dtype) || Number.isInteger(n) ? other.dtype : 'float32';
}

/** A number operand (NaN and the infinities included: PyTorch computes with them), else an error naming the op. */
function numberOperand(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number') throw new ChainruleError(`${op}: ${what} must be a number, got ${String(v)}`);
  return v;
}

/**
 * PyTorch's result type of two tensors: a 0-d tensor beside a tensor with dimensions counts only
 * when its category (bool < integer < float) is higher, so float32 · 0-d float64 stays float32
 * while int32 + 0-d float64 gives float64.
 */
export function resultType(a: Tensor, b: Tensor): DType {
  if ((a.ndim === 0) === (b.ndim === 0)) return promote(a.dtype, b.dtype);
  const [dims, zero] = a.ndim === 0 ? [b.dtype, a.dtype] : [a.dtype, b.dtype];
  if (isFloat(dims)) return dims;
  if (dims === 'bool' || isFloat(zero)) return promote(dims, zero);
  return dims;
}

/** Turns the two operands of a binary op into tensors of one (promoted) dtype. */
export function operands(a: TensorLike, b: TensorLike, op: string, floatOnly = false): [Tensor, Tensor] {
  if (!(a instanceof Tensor) && !(b instanceof Tensor)) {
    throw new ChainruleError(`${op}: at least one operand must be a Tensor`);
  }
  let ta: Tensor;
  let tb: Tensor;
  if (a instanceof Tensor) ta = a;
  else ta = scalar(numberOperand(a, op, 'left operand'), { dtype: numDtype(a as number, b as Tensor) });
  if (b instanceof Tensor) tb = b;
  else tb = scalar(numberOperand(b, op, 'right operand'), { dtype: numDtype(b as number, ta) });
  let d = a instanceof Tensor && b instanceof Tensor ? resultType(ta, tb) : promote(ta.dtype, tb.dtype);
  if (floatOnly || d === 'bool') d = floatOnly ? floatOf(d) : d;
  return [ta.dtype === d ? ta : cast(ta, d), tb.dtype === d ? tb : cast(tb, d)];
}
