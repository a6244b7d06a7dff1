import type { OpInfo } from '../autograd/node.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { empty } from '../tensor/creation.js';
import { floatOf } from '../tensor/dtype.js';
import { normDim, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul, sub } from './binary.js';
import { sum } from './reduce.js';
import { exp } from './unary.js';
import { assertTensor } from './util.js';

function run(x: Tensor, dim: number, log: boolean, name: string): [Tensor, Tensor, number] {
  assertTensor(x, name);
  const src = x.dtype === floatOf(x.dtype) ? x : x.to(floatOf(x.dtype));
  const d = normDim(dim, src.ndim, name);
  const out = empty(src.shape, src.dtype);
  if (src.ndim === 0) kernels().softmax(src.data, 1, 1, 1, out.data, log);
  else kernels().softmax(src.data, sizeOf(src.shape.slice(0, d)), src.shape[d], sizeOf(src.shape.slice(d + 1)), out.data, log);
  return [src, out, src.ndim === 0 ? 0 : d];
}

const SOFTMAX: OpInfo = { name: 'softmax', latex: ([a]) => `\\operatorname{softmax}\\left(${a}\\right)` };
const LOG_SOFTMAX: OpInfo = { name: 'logSoftmax', latex: ([a]) => `\\log\\operatorname{softmax}\\left(${a}\\right)` };

/**
 * e^x / sum(e^x) along dim (the last by default), computed stably.
 * @example softmax(tensor([0, 0])).toArray() // [0.5, 0.5]
 */
export function softmax(x: Tensor, dim = -1): Tensor {
  const [src, y, d] = run(x, dim, false, 'softmax');
  return record(SOFTMAX, [src], y, (g) => [mul(y, sub(g, sum(mul(g, y), d, { keepdim: true })))], { dim: d });
}

/** log(softmax(x)) along dim, computed stably (x - logsumexp(x)). */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  const [src, y, d] = run(x, dim, true, 'logSoftmax');
  return record(LOG_SOFTMAX, [src], y, (g) => [sub(g, mul(exp(y), sum(g, d, { keepdim: true })))], { dim: d });
}
