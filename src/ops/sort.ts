// Sorting and selection along one dimension: sort, argsort, topk, kthvalue, median, mode, and
// max/min with their indices. Each op that PyTorch returns as (values, indices) returns a
// ValuesAndIndices: the pair [values, indices] that also has .values and .indices, like
// PyTorch's named tuples (`const { values, indices } = x.sort()` or `const [v, i] = x.sort()`).
// max and min keep their chainrule form (values only, over any dims, ties sharing the gradient,
// as torch.amax); maxDim and minDim are torch.max(x, dim) and torch.min(x, dim). Likewise
// median(x, dim) gives the values and medianDim(x, dim) the pair.
//
// The gradient of the values goes to the elements the indices name (PyTorch's rule for every
// (values, indices) op), and ties resolve as PyTorch's CPU kernels resolve them (the backend's
// sort, topk, kthvalue, median and mode kernels run the same algorithms), so the indices and the
// gradients agree with PyTorch's. Indices are int32.
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { TypedArray } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, zeros } from '../tensor/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { div, eq, mul, ne } from './arith.js';
import { type OpDef, defineOp } from './define.js';
import { scatterAdd } from './indexing.js';
import { along, assertTensor, castData, dimOf } from './kernel.js';
import type { ReduceOptions } from './reduce.js';
import { reshape } from './shape.js';

/** The (values, indices) result of sort, topk, kthvalue, mode, medianDim, maxDim and minDim. */
export type ValuesAndIndices = readonly [values: Tensor, indices: Tensor] & {
  /** the selected values (the first element of the pair) */
  readonly values: Tensor;
  /** their positions along the dim, int32 (the second element of the pair) */
  readonly indices: Tensor;
};

function pairOf(values: Tensor, indices: Tensor): ValuesAndIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

/** The options of sort and argsort (torch.sort's descending and stable). */
export interface SortOptions {
  /** largest first (NaN first) instead of smallest first (NaN last) */
  descending?: boolean;
  /** keep tied elements in their input order; otherwise ties come out as PyTorch's CPU sort orders them */
  stable?: boolean;
}

/** The options of topk (torch.topk's largest and sorted). */
export interface TopkOptions {
  /** the k largest (the default) or the k smallest */
  largest?: boolean;
  /** in order, largest (or smallest) first (the default); false leaves them in selection order, as PyTorch */
  sorted?: boolean;
}

type Kernel = (outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array) => void;

/**
 * Runs a selection kernel along d into values and indices whose dim d has size m (dropped when it
 * is 1 and keepdim is false), and records the values: their gradient is scattered back to the
 * positions the indices name (a 0-d input passes it through).
 */
function select(def: OpDef, x: Tensor, d: number, m: number, keepdim: boolean, run: Kernel, attrs: Record<string, unknown>): ValuesAndIndices {
  const kept = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? m : s));
  const shape = keepdim ? kept : kept.filter((_, i) => i !== d);
  const values = empty(shape, x.dtype);
  const indices = empty(shape, 'int32');
  // a 0-d tensor is its own sort, top 1 (or top 0, as PyTorch has it), median and mode
  if (x.ndim === 0) values.data.set(x.data);
  else {
    const { outer, n, inner } = along(x, d);
    run(outer, n, inner, values.data, indices.data as Int32Array);
  }
  const at = new Tensor(indices.data, kept);
  const v = record(def, [x], values, (g) => [x.ndim === 0 ? g : scatterAdd(zeros(x.shape, { dtype: g.dtype }), d, at, reshape(g, kept))], attrs);
  return pairOf(v, indices);
}

/** The size of dim d (1 for a 0-d tensor), which must not be 0 for a reduction that picks one element. */
function nonEmpty(x: Tensor, d: number, op: string): number {
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (n === 0) throw new ChainruleError(`${op}: cannot reduce over dimension ${d} of size 0 (shape ${fmtShape(x.shape)})`);
  return n;
}

/** k as an integer in lo..n, or an error naming the op, the dim and the shape. */
function checkK(x: Tensor, k: number, d: number, lo: number, op: string): number {
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (typeof k !== 'number' || !Number.isInteger(k) || k < lo || k > n) {
    throw new ChainruleError(`${op}: k must be an integer in ${lo}..${n} for dimension ${d} of a tensor of shape ${fmtShape(x.shape)}, got ${String(k)}`);
  }
  return k;
}

const dimParams = (dflt: number | null) =>
  [
    { name: 'dim', default: dflt },
    { name: 'options', type: 'options', default: null },
  ] as const;

/**
 * Sorts along dim (the last by default), smallest first (NaN last) or descending (NaN first).
 * The gradient of the values goes back to the positions they came from.
 * @example sort(tensor([3, 1, 2])).values.toArray() // [1, 2, 3]
 */
export const sort = defineOp(
  {
    name: 'sort',
    doc: 'Sorts along dim (the last by default) into (values, indices), NaN largest; stable keeps ties in input order, otherwise they come out as in PyTorch.',
    params: dimParams(-1),
    fnLatex: '\\operatorname{sort}',
    label: 'sort',
  },
  (def) =>
    function sort(x: Tensor, dim: number = -1, opts: SortOptions = {}): ValuesAndIndices {
      assertTensor(x, 'sort');
      const d = dimOf(x, dim, 'sort');
      const descending = opts.descending ?? false;
      const stable = opts.stable ?? false;
      return select(
        def,
        x,
        d,
        x.ndim === 0 ? 1 : x.shape[d],
        true,
        (o, n, i, v, ix) => kernels().sort(x.data, o, n, i, v, ix, descending, stable),
        { dim: d, descending, stable },
      );
    },
);

/** The indices that sort x along dim (int32, no gradient), as torch.argsort. @example argsort(tensor([3, 1, 2])).toArray() // [1, 2, 0] */
export const argsort = defineOp(
  {
    name: 'argsort',
    doc: 'The int32 indices that sort along dim (the last by default), as sort orders them; no gradient.',
    params: dimParams(-1),
    fnLatex: '\\operatorname{argsort}',
    grad: 'none',
  },
  () =>
    function argsort(x: Tensor, dim: number = -1, opts: SortOptions = {}): Tensor {
      assertTensor(x, 'argsort');
      const d = dimOf(x, dim, 'argsort');
      const indices = empty(x.shape, 'int32');
      if (x.ndim > 0) {
        const { outer, n, inner } = along(x, d);
        kernels().sort(x.data, outer, n, inner, empty(x.shape, x.dtype).data, indices.data as Int32Array, opts.descending ?? false, opts.stable ?? false);
      }
      return indices;
    },
);

/**
 * The k largest (or smallest) elements along dim (the last by default) and their indices, as
 * torch.topk: NaN counts as the largest value; tied values come out in the order PyTorch's CPU
 * kernel picks them. k may be 0; k above the size of dim is an error.
 * @example topk(tensor([1, 5, 3]), 2).values.toArray() // [5, 3]
 */
export const topk = defineOp(
  {
    name: 'topk',
    doc: 'The k largest (or smallest) elements along dim and their indices, as torch.topk (NaN largest; ties as PyTorch picks them).',
    params: [
      { name: 'k' },
      { name: 'dim', default: -1 },
      { name: 'options', type: 'options', default: null },
    ],
    latex: ([a], at) => `\\operatorname{top}_{${at?.k ?? 'k'}}\\left(${a}\\right)`,
    fnLatex: '\\operatorname{topk}',
    label: 'topk',
  },
  (def) =>
    function topk(x: Tensor, k: number, dim: number = -1, opts: TopkOptions = {}): ValuesAndIndices {
      assertTensor(x, 'topk');
      const d = dimOf(x, dim, 'topk');
      checkK(x, k, d, 0, 'topk');
      const largest = opts.largest ?? true;
      const sorted = opts.sorted ?? true;
      return select(def, x, d, k, true, (o, n, i, v, ix) => kernels().topk(x.data, o, n, i, k, largest, sorted, v, ix), { k, dim: d, largest, sorted });
    },
);

/**
 * The k-th smallest element along dim (the last by default; k counts from 1) and its index, as
 * torch.kthvalue: NaN is the largest value, ties resolve as PyTorch's quickselect resolves them.
 * @example kthvalue(tensor([3, 1, 2]), 2).values.item() // 2
 */
export const kthvalue = defineOp(
  {
    name: 'kthvalue',
    doc: 'The k-th smallest element along dim (k from 1) and its index, as torch.kthvalue (NaN largest; ties as PyTorch).',
    params: [
      { name: 'k' },
      { name: 'dim', default: -1 },
      { name: 'options', type: 'options', default: null },
    ],
    fnLatex: '\\operatorname{kthvalue}',
    label: 'kthvalue',
  },
  (def) =>
    function kthvalue(x: Tensor, k: number, dim: number = -1, opts: ReduceOptions = {}): ValuesAndIndices {
      assertTensor(x, 'kthvalue');
      const d = dimOf(x, dim, 'kthvalue');
      checkK(x, k, d, 1, 'kthvalue');
      return select(def, x, d, 1, opts.keepdim ?? false, (o, n, i, v, ix) => kernels().kthvalue(x.data, o, n, i, k, v, ix), { k, dim: d });
    },
);

/**
 * The lower median along dim and its index, as torch.median(x, dim): the element of rank
 * ⌊(n-1)/2⌋ (the first of equal ones), or the first NaN where there is one.
 * @example medianDim(tensor([[1, 3, 2, 4]]), 1).values.toArray() // [2]
 */
export const medianDim = defineOp(
  {
    name: 'medianDim',
    doc: 'The lower median along dim and its index, as torch.median(x, dim): rank ⌊(n-1)/2⌋, the first NaN if there is one.',
    params: dimParams(null),
    fnLatex: '\\operatorname{median}',
    label: 'median',
  },
  (def) =>
    function medianDim(x: Tensor, dim: number, opts: ReduceOptions = {}): ValuesAndIndices {
      assertTensor(x, 'medianDim');
      const d = dimOf(x, dim, 'medianDim');
      nonEmpty(x, d, 'medianDim');
      return select(def, x, d, 1, opts.keepdim ?? false, (o, n, i, v, ix) => kernels().median(x.data, o, n, i, v, ix), { dim: d });
    },
);

/**
 * The lower median: of all elements (a 0-d tensor; NaN if any element is NaN or there is none),
 * whose gradient is shared evenly by the elements equal to it, as torch.median(x); or along dim,
 * the values of medianDim (the gradient goes to the element its index names).
 * @example median(tensor([1, 4, 2, 3])).item() // 2
 */
export const median = defineOp(
  {
    name: 'median',
    doc: 'The lower median of all elements (NaN if any is NaN), its gradient shared by the elements equal to it; along dim, the values of medianDim.',
    params: dimParams(null),
    fnLatex: '\\operatorname{median}',
    label: 'median',
  },
  (def) =>
    function median(x: Tensor, dim?: number | null, opts: ReduceOptions = {}): Tensor {
      assertTensor(x, 'median');
      if (dim !== undefined && dim !== null) return medianDim(x, dim, opts).values;
      const shape = opts.keepdim ? x.shape.map(() => 1) : [];
      const y = empty(shape, x.dtype);
      if (x.size === 0) y.data[0] = Number.NaN;
      else kernels().median(x.data, 1, x.size, 1, y.data, new Int32Array(1));
      return record(def, [x], y, (g) => {
        const m = y.data[0];
        const hit = castData(m !== m ? ne(x, x) : eq(x, y), g.dtype);
        let count = 0;
        for (let i = 0; i < hit.size; i++) count += hit.data[i];
        return [mul(hit, div(g, count))];
      });
    },
);

/**
 * The most frequent value along dim (the last by default) and an index of it, as torch.mode: the
 * smallest of equally frequent values, at the index PyTorch's CPU kernel reports (its last
 * occurrence where dim has at most 16 elements).
 * @example mode(tensor([1, 2, 2, 3])).values.item() // 2
 */
export const mode = defineOp(
  {
    name: 'mode',
    doc: 'The most frequent value along dim (the smallest of equally frequent ones) and an index of it, as torch.mode.',
    params: dimParams(-1),
    fnLatex: '\\operatorname{mode}',
    label: 'mode',
  },
  (def) =>
    function mode(x: Tensor, dim: number = -1, opts: ReduceOptions = {}): ValuesAndIndices {
      assertTensor(x, 'mode');
      const d = dimOf(x, dim, 'mode');
      nonEmpty(x, d, 'mode');
      return select(def, x, d, 1, opts.keepdim ?? false, (o, n, i, v, ix) => kernels().mode(x.data, o, n, i, v, ix), { dim: d });
    },
);

function extremumDim<const N extends 'maxDim' | 'minDim'>(name: N) {
  const op = name === 'maxDim' ? 'max' : 'min';
  return defineOp(
    {
      name,
      doc: `The ${op}imum along dim and its index, as torch.${op}(x, dim): the first one on ties, the first NaN if there is one; the gradient goes to that element.`,
      params: dimParams(null),
      latex: ([a]: string[]) => `\\${op} ${a}`,
      fnLatex: `\\${op}`,
      label: op,
    },
    (def) =>
      function extremumDim(x: Tensor, dim: number, opts: ReduceOptions = {}): ValuesAndIndices {
        assertTensor(x, name);
        const d = dimOf(x, dim, name);
        nonEmpty(x, d, name);
        return select(
          def,
          x,
          d,
          1,
          opts.keepdim ?? false,
          (o, n, i, v, ix) => {
            kernels().argReduce(op, x.data, o, n, i, ix);
            kernels().gather(x.data, ix, o, n, 1, i, v);
          },
          { dim: d },
        );
      },
  );
}
/** torch.max(x, dim): the maximum along dim and its index (first on ties, NaN wins). @example maxDim(tensor([[1, 3], [4, 2]]), 1).indices.toArray() // [1, 0] */
export const maxDim = extremumDim('maxDim');
/**
 * torch.min(x, dim): the minimum along dim and its index (first on ties, NaN wins).
 * @example
 * const { values, indices } = tensor([[3, 1, 2], [0, 5, 0]]).minDim(1);
 * values; // [1, 0]
 * indices; // [1, 0]
 */
export const minDim = extremumDim('minDim');
