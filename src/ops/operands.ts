// The two operands of a binary op as tensors of one dtype (numbers become 0-d tensors).
import { ChainruleError } from '../errors.js';
import { scalar } from '../tensor/creation.js';
import { type DType, floatOf, isFloat, promote } from '../tensor/dtype.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { assertNumber } from './kernel.js';
import { cast } from './shape.js';

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
  return [ta.dtype === d ? ta : cast(ta, d), tb.dtype === d ? tb : cast(tb, d)];
}
