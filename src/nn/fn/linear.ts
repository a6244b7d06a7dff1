import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { matmulT, Tensor } from '../../ops/index.js';

/**
 * y = x·Wᵀ + b with W of shape [out, in] (PyTorch's layout); x is [*, in].
 * @example F.linear(ones([2, 3]), ones([4, 3])).shape // [2, 4]
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor)) throw new ChainruleError('linear: input and weight must be Tensors');
  if (weight.ndim !== 2) throw new ChainruleError(`linear: weight must be 2-D [out, in], got ${showShape(weight.shape)}`);
  const inF = weight.shape[1];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ChainruleError(`linear: expected input [*, ${inF}], got ${showShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new ChainruleError(`linear: bias must be [${weight.shape[0]}], got ${showShape(bias.shape)}`);
  }
  const y = matmulT(x, weight);
  return bias ? y.add(bias) : y;
}

/**
 * y_k = x1ᵀ·W_k·x2 + b_k with W of shape [out, in1, in2]; x1 is [*, in1], x2 is [*, in2].
 * @example F.bilinear(ones([2, 3]), ones([2, 4]), ones([5, 3, 4])).shape // [2, 5]
 */
export function bilinear(x1: Tensor, x2: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 3) throw new ChainruleError(`bilinear: weight must be 3-D [out, in1, in2], got ${showShape(weight.shape)}`);
  const [out, in1, in2] = weight.shape;
  if (x1.shape[x1.ndim - 1] !== in1 || x2.shape[x2.ndim - 1] !== in2 || x1.ndim !== x2.ndim) {
    throw new ChainruleError(`bilinear: expected inputs [*, ${in1}] and [*, ${in2}], got ${showShape(x1.shape)} and ${showShape(x2.shape)}`);
  }
  const lead = x1.shape.slice(0, -1);
  const a = x1.reshape([-1, in1]);
  const b = x2.reshape([-1, in2]);
  // (a·W_k) for every k: [n, out, in2], then the dot with b along in2
  const aw = a.matmul(weight.permute([1, 0, 2]).reshape([in1, out * in2])).reshape([-1, out, in2]);
  let y = aw.mul(b.unsqueeze(1)).sum(2);
  if (bias) y = y.add(bias);
  return y.reshape([...lead, out]);
}
