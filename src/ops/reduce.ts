// Summation and its adjoint, broadcasting: the reduction every other op's gradient needs. Its own
// gradient is a view (expand), so this file stands on shape.ts alone.
import { record } from '../autograd/record.js';
import { sameShape, type Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { castData, reduceDims, reducedShape, runReduce } from './kernel.js';
import { expand, reshape } from './shape.js';

/** The dimensions a reduction runs over: one, or several (negative ones count from the end). */
export type Dims = number | readonly number[];

/** The options of the reductions (torch's keepdim). */
export interface ReduceOptions {
  /** keep each reduced dimension with size 1 (default false) */
  keepdim?: boolean;
}

/**
 * Sum over `dims` (all when omitted). @example sum(tensor([[1, 2], [3, 4]]), 0).toArray() // [4, 6]
 */
export const sum = defineOp(
  {
    name: 'sum',
    doc: 'Sum over dims (all when omitted); bool inputs count as int32.',
    params: [
      { name: 'dim', type: 'dims', default: null },
      { name: 'options', type: 'options', default: null },
    ],
    problem: 'sum',
    latex: ([a]) => `\\sum ${a}`,
    label: 'Σ',
    onnx: { opType: 'ReduceSum' },
  },
  (def) =>
    function sum(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
      const ds = reduceDims(x, dims, 'sum');
      const src = x.dtype === 'bool' ? castData(x, 'int32') : x;
      const r = runReduce('sum', src, ds, 'sum');
      const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
      return record(def, [x], out, (g) => [expand(reshape(g, reducedShape(x.shape, ds, true)), x.shape)], { dims: ds });
    },
);

/**
 * Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting).
 * @example
 * sumTo(ones([2, 3]), [1, 3]) // [[2, 2, 2]]
 * sumTo(ones([2, 3]), [3]) // [2, 2, 2]
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length ? sum(g, dims, { keepdim: true }) : g;
  return reshape(s, shape);
}
