// Softmax and its relatives along one dimension: one fused kernel each way, gradients in ops.
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { floatOf } from '../tensor/dtype.js';
import { normDim, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul, neg, sub } from './arith.js';
import { defineOp } from './define.js';
import { assertTensor, castData, output } from './kernel.js';
import { exp } from './math.js';
import { sum } from './reduce.js';

function run(x: Tensor, dim: number, log: boolean, name: string): [Tensor, Tensor, number] {
  assertTensor(x, name);
  const src = x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
  const d = normDim(dim, src.ndim, name);
  const out = output(src.shape, src.dtype);
  if (src.ndim === 0) kernels().softmax(src.data, 1, 1, 1, out.data, log);
  else kernels().softmax(src.data, sizeOf(src.shape.slice(0, d)), src.shape[d], sizeOf(src.shape.slice(d + 1)), out.data, log);
  return [src, out, src.ndim === 0 ? 0 : d];
}

/**
 * e^x / sum(e^x) along dim (the last by default), computed stably.
 * @example softmax(tensor([0, 0])).toArray() // [0.5, 0.5]
 */
export const softmax = defineOp(
  {
    name: 'softmax',
    doc: 'e^x / Σ e^x along dim (the last by default), computed stably.',
    params: [{ name: 'dim', default: -1 }],
    problem: 'softmax',
    fnLatex: '\\operatorname{softmax}',
    label: 'softmax',
    module: 'Softmax',
    onnx: { opType: 'Softmax', attributes: (a) => ({ axis: a.dim as number }) },
  },
  (def) =>
    function softmax(x: Tensor, dim: number = -1): Tensor {
      const [src, y, d] = run(x, dim, false, 'softmax');
      return record(def, [src], y, (g) => [mul(y, sub(g, sum(mul(g, y), d, { keepdim: true })))], { dim: d });
    },
);

/**
 * log(softmax(x)) along dim, computed stably as (x - max) - log Σ e^(x - max).
 * @example
 * tensor([0, 0]).logSoftmax() // [-0.6931472, -0.6931472]
 * F.logSoftmax(tensor([[1, 1000]]), 1) // [[-999, 0]]
 */
export const logSoftmax = defineOp(
  {
    name: 'logSoftmax',
    doc: 'log softmax(x) along dim (the last by default), computed stably as (x - max) - log Σ e^(x - max).',
    params: [{ name: 'dim', default: -1 }],
    problem: 'log_softmax',
    latex: ([a]) => `\\log\\operatorname{softmax}\\left(${a}\\right)`,
    fnLatex: '\\operatorname{log\\,softmax}',
    label: 'log softmax',
    module: 'LogSoftmax',
    onnx: { opType: 'LogSoftmax', attributes: (a) => ({ axis: a.dim as number }) },
  },
  (def) =>
    function logSoftmax(x: Tensor, dim: number = -1): Tensor {
      const [src, y, d] = run(x, dim, true, 'logSoftmax');
      return record(def, [src], y, (g) => [sub(g, mul(exp(y), sum(g, d, { keepdim: true })))], { dim: d });
    },
);

/**
 * softmax(-x) along dim.
 * @example tensor([0, Math.log(3)]).softmin() // [0.75, 0.25]
 */
export const softmin = defineOp(
  {
    name: 'softmin',
    doc: 'softmax(-x) along dim (the last by default).',
    params: [{ name: 'dim', default: -1 }],
    problem: 'softmin',
    fnLatex: '\\operatorname{softmin}',
    module: 'Softmin',
    onnx: { build: (g, [x], a) => g.node('Softmax', [g.node('Neg', [x])[0]], { axis: (a.dim as number | undefined) ?? -1 })[0] },
  },
  () =>
    function softmin(x: Tensor, dim: number = -1): Tensor {
      assertTensor(x, 'softmin');
      normDim(dim, x.ndim, 'softmin');
      return softmax(neg(x), dim);
    },
);
