// Truth reductions: any, all and countNonzero. An element is true when it is nonzero (NaN
// included), as in PyTorch; none of them has a gradient.
import { ChainruleError } from '../errors.js';
import { eq, gt, ne } from './arith.js';
import { defineOp } from './define.js';
import { assertTensor, castData, dimsOf, reducedShape, runReduce } from './kernel.js';
import type { Dims, ReduceOptions } from './reduce.js';
import { reshape } from './shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** How many elements of each slice over ds are nonzero (int32, reduced dims kept as 1s). */
function nonzeroCount(x: Tensor, ds: readonly number[], op: string): Tensor {
  return runReduce('sum', castData(ne(x, 0), 'int32'), ds, op);
}

function truthOp<const N extends 'any' | 'all'>(name: N) {
  return defineOp(
    {
      name,
      doc:
        name === 'any'
          ? 'True where any element over dims (all when omitted) is nonzero (NaN counts), as torch.any; false over an empty dimension.'
          : 'True where every element over dims (all when omitted) is nonzero (NaN counts), as torch.all; true over an empty dimension.',
      params: [
        { name: 'dim', type: 'dims', default: null },
        { name: 'options', type: 'options', default: null },
      ],
      latex: ([a]: string[]) => `\\${name === 'any' ? 'exists' : 'forall'}\\, ${a}`,
      fnLatex: `\\operatorname{${name}}`,
      grad: 'none',
    },
    () =>
      function truth(x: Tensor, dims?: Dims | null, opts: ReduceOptions = {}): Tensor {
        const ds = dimsOf(assertTensor(x, name), dims, name);
        const count = nonzeroCount(x, ds, name);
        const n = ds.reduce((acc, d) => acc * x.shape[d], 1);
        return reshape(name === 'any' ? gt(count, 0) : eq(count, n), reducedShape(x.shape, ds, opts.keepdim ?? false));
      },
  );
}

/** True where any element over dims is nonzero. @example any(tensor([0, 0, 2])).item() // 1 */
export const any = truthOp('any');
/** True where every element over dims is nonzero. @example all(tensor([[1, 0], [2, 3]]), 1).toArray() // [false, true] */
export const all = truthOp('all');

/**
 * The number of nonzero elements over dims (all when omitted; NaN counts), as
 * torch.count_nonzero: int32, no keepdim.
 * @example countNonzero(tensor([[0, 1], [2, 3]]), 0).toArray() // [1, 2]
 */
export const countNonzero = defineOp(
  {
    name: 'countNonzero',
    doc: 'The number of nonzero elements over dims (all when omitted; NaN counts), as torch.count_nonzero (int32).',
    params: [{ name: 'dim', type: 'dims', default: null }],
    fnLatex: '\\operatorname{nnz}',
    grad: 'none',
  },
  () =>
    function countNonzero(x: Tensor, dims?: Dims | null): Tensor {
      if (dims !== null && dims !== undefined && typeof dims !== 'number' && !Array.isArray(dims)) {
        throw new ChainruleError(`countNonzero: dims must be a number or an array of numbers (it takes no options, as torch.count_nonzero)`);
      }
      const ds = dimsOf(assertTensor(x, 'countNonzero'), dims, 'countNonzero');
      return reshape(nonzeroCount(x, ds, 'countNonzero'), reducedShape(x.shape, ds, false));
    },
);
