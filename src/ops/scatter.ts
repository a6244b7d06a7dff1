// Writing at indices, and reading by masks and index lists: scatter and scatterReduce (a tensor
// with src written or reduced into it at a dim-wise index), indexPut (x[...] = values, the write
// of advanced indexing), maskedFill and maskedSelect, takeAlongDim and oneHot. Every write runs
// the backend's scatterReduce kernel over the storage offsets the index names (ops/offsets.ts);
// every gradient is a gather, a scatter or an index op, so double backward works.
import { isGradEnabled, noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { ScatterOp } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, full, zeros } from '../tensor/creation.js';
import { type DType, isFloat } from '../tensor/dtype.js';
import { broadcastShapes, normDim, sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { div, eq, gt, logicalAnd, mul, ne, where } from './arith.js';
import { defineOp } from './define.js';
import { checkIndexShape, dimIndex, indices as checkedIndices, srcAt } from './dimindex.js';
import { gather, scatterAdd } from './indexing.js';
import { assertNumber, assertTensor, castData } from './kernel.js';
import { type IndexSpec, dimOffsets, elementOffsets, indexOffsets, parseIndex } from './offsets.js';
import { floor } from './math.js';
import { sum, sumTo } from './reduce.js';
import { cast, expand, flatten, index } from './shape.js';

/** A copy of x's storage. */
function copyOf(x: Tensor, dtype: DType = x.dtype): Tensor {
  const out = empty(x.shape, dtype);
  out.data.set(x.data);
  return out;
}

/** A tensor src of x's dtype, as PyTorch's scatters require. */
function sameDtype(x: Tensor, src: Tensor, op: string): Tensor {
  assertTensor(src, op, 'src');
  if (src.dtype !== x.dtype) throw new ChainruleError(`${op}: src must have the input's dtype ${x.dtype}, got ${src.dtype} (shapes ${fmtShape(x.shape)} and ${fmtShape(src.shape)})`);
  return src;
}

/** The dim, index and storage offsets of a dim-wise scatter, checked as PyTorch checks them. */
function scatterTarget(x: Tensor, dim: number, idx: Tensor, op: string, src?: Tensor): { d: number; at: Int32Array } {
  const d = normDim(dim, x.ndim, op);
  checkIndexShape(x, d, idx, op, src);
  const ix = dimIndex(x, d, idx, op);
  return { d, at: dimOffsets(x.shape, d, idx.shape, ix) };
}

/**
 * torch.scatter: a copy of x with src (a tensor, or one number) written at the index along dim:
 * out[i][idx[i][j]] = src[i][j] for dim 1. Where an index repeats, the last write wins. The index
 * may be smaller than x outside dim, and than src. The gradient of x is zero where it was
 * overwritten; src's is the output gradient gathered at the index.
 * @example scatter(zeros([2, 3]), 1, tensor([[2], [0]], { dtype: 'int32' }), 5).toArray() // [[0, 0, 5], [5, 0, 0]]
 */
export const scatter = defineOp(
  {
    name: 'scatter',
    doc: 'A copy of the input with src (a tensor or a number) written at the index along dim, as torch.scatter (the last write wins where the index repeats).',
    inputs: ['input', 'index', 'src'],
    params: [{ name: 'dim' }],
    latex: ([a, , s]) => `${a} \\leftarrow ${s}`,
    label: 'scatter',
    onnx: { opType: 'ScatterElements' },
  },
  (def) =>
    function scatter(x: Tensor, dim: number, idx: Tensor, src: Tensor | number): Tensor {
      assertTensor(x, 'scatter');
      if (typeof src === 'number') {
        assertNumber(src, 'scatter', 'value', false);
        const { d, at } = scatterTarget(x, dim, idx, 'scatter');
        const out = copyOf(x);
        kernels().scatterReduce('set', full([at.length], src, { dtype: x.dtype }).data, at, out.data, true);
        return record(def, [x], out, (g) => [scatter(g, d, idx, 0)], { dim: d });
      }
      const s0 = sameDtype(x, src, 'scatter');
      const { d, at } = scatterTarget(x, dim, idx, 'scatter', s0);
      const s = srcAt(s0, idx);
      const out = copyOf(x);
      kernels().scatterReduce('set', s.data, at, out.data, true);
      return record(def, [x, s], out, (g) => [scatter(g, d, idx, 0), gather(g, d, idx)], { dim: d });
    },
);

/** The reductions of scatterReduce. */
export type ScatterReduction = 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

/** The options of scatterReduce (torch.scatter_reduce's include_self). */
export interface ScatterReduceOptions {
  /** whether x's own values take part in the reduction (default true); false: only src's */
  includeSelf?: boolean;
}

const REDUCTIONS: readonly ScatterReduction[] = ['sum', 'prod', 'mean', 'amax', 'amin'];

/** The forward of scatterReduce, unrecorded. */
function reduceInto(x: Tensor, at: Int32Array, s: Tensor, reduce: ScatterReduction, includeSelf: boolean): Tensor {
  const out = copyOf(x);
  const op: ScatterOp = reduce === 'mean' ? 'sum' : reduce;
  kernels().scatterReduce(op, s.data, at, out.data, includeSelf);
  if (reduce !== 'mean') return out;
  const count = full(x.shape, includeSelf ? 1 : 0, { dtype: 'int32' });
  kernels().scatterReduce('sum', full([at.length], 1, { dtype: 'int32' }).data, at, count.data, true);
  return noGrad(() => {
    const n = castData(where(eq(count, 0), 1, count), isFloat(x.dtype) ? x.dtype : 'float64');
    // an integer mean rounds down, as PyTorch's (floor division)
    return isFloat(x.dtype) ? div(out, n) : castData(floor(div(castData(out, 'float64'), n)), x.dtype);
  });
}

/**
 * torch.scatter_reduce: a copy of x with src reduced into it at the index along dim by sum, prod,
 * mean, amax or amin, with x's own values taking part unless includeSelf is false (an integer mean
 * rounds down; amax and amin propagate NaN). The gradients are PyTorch's: prod's is exact where
 * elements are 0, amax's and amin's are shared evenly among the elements equal to the result.
 * @example scatterReduce(tensor([1, 2]), 0, tensor([0, 0, 1], { dtype: 'int32' }), tensor([5, 3, 7]), 'amax').toArray() // [5, 7]
 */
export const scatterReduce = defineOp(
  {
    name: 'scatterReduce',
    doc: 'A copy of the input with src reduced into it at the index along dim (sum, prod, mean, amax, amin; includeSelf), as torch.scatter_reduce.',
    inputs: ['input', 'index', 'src'],
    params: [
      { name: 'dim' },
      { name: 'reduce', type: 'string' },
      { name: 'options', type: 'options', default: null },
    ],
    latex: ([a, , s], at) => `\\operatorname{${at?.reduce ?? 'reduce'}}\\left(${a}, ${s}\\right)`,
    label: (at) => `scatter ${String(at.reduce)}`,
  },
  (def) =>
    function scatterReduce(x: Tensor, dim: number, idx: Tensor, src: Tensor, reduce: ScatterReduction, opts: ScatterReduceOptions = {}): Tensor {
      assertTensor(x, 'scatterReduce');
      if (!REDUCTIONS.includes(reduce)) {
        throw new ChainruleError(`scatterReduce: reduce must be one of ${REDUCTIONS.join(', ')}, got ${JSON.stringify(reduce) ?? String(reduce)} (input shape ${fmtShape(x.shape)})`);
      }
      if (x.dtype === 'bool') throw new ChainruleError(`scatterReduce: cannot reduce into a bool tensor (shape ${fmtShape(x.shape)})`);
      const includeSelf = opts.includeSelf ?? true;
      const s0 = sameDtype(x, src, 'scatterReduce');
      const { d, at } = scatterTarget(x, dim, idx, 'scatterReduce', s0);
      const s = srcAt(s0, idx);
      const out = reduceInto(x, at, s, reduce, includeSelf);
      return record(def, [x, s], out, (g) => reduceBackward(g, x, d, idx, s, reduce, includeSelf, out), { dim: d, reduce, includeSelf });
    },
);

/** PyTorch's scatter_reduce_backward (FunctionsManual.cpp), written with ops. */
function reduceBackward(g: Tensor, x: Tensor, d: number, idx: Tensor, src: Tensor, reduce: ScatterReduction, includeSelf: boolean, result: Tensor): [Tensor, Tensor] {
  let gx: Tensor;
  let gs: Tensor;
  if (reduce === 'sum') {
    gx = g;
    gs = gather(g, d, idx);
  } else if (reduce === 'prod') {
    const maskedSelf = where(eq(x, 0), 1, x);
    const maskedSelfResult = scatterReduce(maskedSelf, d, idx, src, 'prod', { includeSelf });
    gx = div(mul(g, maskedSelfResult), maskedSelf);
    const srcZero = eq(src, 0);
    const srcNumZeros = gather(scatterAdd(zeros(x.shape, { dtype: x.dtype }), d, idx, castData(srcZero, x.dtype)), d, idx);
    const single = logicalAnd(srcZero, eq(srcNumZeros, 1));
    const maskedSrc = where(single, 1, src);
    const maskedSrcResult = scatterReduce(x, d, idx, maskedSrc, 'prod', { includeSelf });
    gs = where(single, gather(mul(g, maskedSrcResult), d, idx), div(gather(mul(g, result), d, idx), where(srcZero, 1, src)));
    // a zero of src that shares its slot with another zero gets 0 above: right as a value, but not
    // as a function of the other zeros, so when the backward itself is being recorded (second
    // derivatives) each such element's product of the others runs exactly (PyTorch raises here)
    const multi = logicalAnd(srcZero, gt(srcNumZeros, 1));
    if (isGradEnabled() && multi.data.some((v) => v !== 0)) gs = where(multi, exclusiveProducts(g, x, d, idx, src, multi, includeSelf), gs);
  } else if (reduce === 'mean') {
    const n0 = full(g.shape, includeSelf ? 1 : 0, { dtype: g.dtype });
    const n1 = scatterAdd(n0, d, idx, full(idx.shape, 1, { dtype: g.dtype }));
    const n = where(eq(n1, 0), 1, n1);
    gx = div(g, n);
    gs = div(gather(g, d, idx), gather(n, d, idx));
  } else {
    const value = gather(result, d, idx);
    const selfIs = castData(eq(x, result), x.dtype);
    const srcIs = castData(eq(src, value), x.dtype);
    const spread = div(g, scatterAdd(selfIs, d, idx, srcIs));
    gx = mul(selfIs, spread);
    gs = mul(srcIs, gather(spread, d, idx));
  }
  if (!includeSelf) gx = scatter(gx, d, idx, 0);
  return [gx, gs];
}

/** For each element of src that `which` marks: g at its slot times the product of its slot's other members (one scatter each). */
function exclusiveProducts(g: Tensor, x: Tensor, d: number, idx: Tensor, src: Tensor, which: Tensor, includeSelf: boolean): Tensor {
  let out = zeros(src.shape, { dtype: src.dtype });
  which.data.forEach((v, k) => {
    if (!v) return;
    const at = zeros(src.shape, { dtype: 'bool' });
    at.data[k] = 1;
    const others = scatterReduce(x, d, idx, where(at, 1, src), 'prod', { includeSelf });
    out = where(at, gather(mul(g, others), d, idx), out);
  });
  return out;
}

/** The options of indexPut (torch.index_put's accumulate). */
export interface IndexPutOptions {
  /** add the values to what is there (repeated indices accumulate) instead of overwriting */
  accumulate?: boolean;
}

/**
 * x[...] = values out of place, as torch.index_put: a copy of x with values (broadcast to the shape
 * x.index(...specs) has; a number fills) written, or with accumulate added, at the elements the
 * index names. Takes every kind of index that `index` takes. Without accumulate, the last write
 * wins where the index repeats.
 * @example indexPut(zeros([3]), [tensor([0, 2], { dtype: 'int32' })], tensor([1, 2])).toArray() // [1, 0, 2]
 */
export const indexPut = defineOp(
  {
    name: 'indexPut',
    doc: 'x[...] = values out of place (any index that index takes; values broadcast), or added with accumulate, as torch.index_put.',
    inputs: ['input', 'values'],
    params: [
      { name: 'indices', type: 'indices' },
      { name: 'options', type: 'options', default: null },
    ],
    latex: ([a, v], at) => `{${a}}_{${at?.text ?? ''}} \\leftarrow ${v}`,
    label: 'indexPut',
  },
  (def) =>
    function indexPut(x: Tensor, specs: readonly IndexSpec[], values: Tensor | number, opts: IndexPutOptions = {}): Tensor {
      assertTensor(x, 'indexPut');
      if (!Array.isArray(specs)) throw new ChainruleError(`indexPut: indices must be an array of index entries (input shape ${fmtShape(x.shape)})`);
      const accumulate = opts.accumulate ?? false;
      const p = parseIndex(x.shape, specs, 'indexPut');
      const target = indexOffsets(x.shape, p, 'indexPut');
      const { shape } = target;
      const offsets = elementOffsets(target);
      let v: Tensor;
      if (typeof values === 'number') v = full([], assertNumber(values, 'indexPut', 'value', false), { dtype: x.dtype });
      else {
        assertTensor(values, 'indexPut', 'values');
        if (values.dtype !== x.dtype) throw new ChainruleError(`indexPut: values must have the input's dtype ${x.dtype}, got ${values.dtype}`);
        v = values;
      }
      const fits = v.ndim <= shape.length && v.shape.every((n, i) => n === 1 || n === shape[shape.length - v.ndim + i]);
      if (!fits) throw new ChainruleError(`indexPut: values of shape ${fmtShape(v.shape)} cannot be broadcast to the indexed shape ${fmtShape(shape)} (input shape ${fmtShape(x.shape)})`);
      const vb = noGrad(() => expand(v, shape));
      const out = copyOf(x);
      kernels().scatterReduce(accumulate ? 'sum' : 'set', vb.data, offsets, out.data, true);
      const inputs = typeof values === 'number' ? [x] : [x, v];
      return record(
        def,
        inputs,
        out,
        (g) => {
          const gx = accumulate ? g : indexPut(g, specs, 0);
          return typeof values === 'number' ? [gx] : [gx, sumTo(index(g, ...specs), v.shape)];
        },
        { text: p.text, accumulate },
      );
    },
);

/** A mask as a bool tensor (nonzero is true). */
function boolMask(mask: Tensor, op: string): Tensor {
  assertTensor(mask, op, 'mask');
  return mask.dtype === 'bool' ? mask : ne(mask, 0);
}

/**
 * x with value (a number or a 0-d tensor) where the mask holds, as torch.masked_fill; x and the
 * mask broadcast. The gradient of x is zero where it was filled; a tensor value collects the
 * gradient of every filled element.
 * @example maskedFill(tensor([1, 2, 3]), tensor([true, false, true]), 0).toArray() // [0, 2, 0]
 */
export const maskedFill = defineOp(
  {
    name: 'maskedFill',
    doc: 'The input with value (a number or a 0-d tensor) where the mask holds, as torch.masked_fill (input and mask broadcast).',
    inputs: ['input', 'mask', 'value'],
    latex: ([a, m, v]) => `\\begin{cases}${v ?? 'v'} & ${m}\\\\ ${a} & \\text{otherwise}\\end{cases}`,
    label: 'maskedFill',
  },
  (def) =>
    function maskedFill(x: Tensor, mask: Tensor, value: Tensor | number): Tensor {
      assertTensor(x, 'maskedFill');
      const m = boolMask(mask, 'maskedFill');
      broadcastShapes(x.shape, m.shape, 'maskedFill');
      let v: Tensor;
      if (typeof value === 'number') v = full([], assertNumber(value, 'maskedFill', 'value', false), { dtype: x.dtype });
      else {
        assertTensor(value, 'maskedFill', 'value');
        if (value.ndim !== 0) throw new ChainruleError(`maskedFill: value must be a number or a 0-d tensor, got shape ${fmtShape(value.shape)} (input shape ${fmtShape(x.shape)})`);
        v = value.dtype === x.dtype ? value : cast(value, x.dtype);
      }
      const y = noGrad(() => where(m, v, x));
      const inputs = typeof value === 'number' ? [x] : [x, v];
      return record(def, inputs, y, (g) => {
        const gx = sumTo(where(m, 0, g), x.shape);
        return typeof value === 'number' ? [gx] : [gx, sum(where(m, g, 0))];
      });
    },
);

/**
 * The elements of x where the mask holds, as a 1-D tensor in row-major order (torch.masked_select;
 * x and the mask broadcast). The gradient goes back to the selected elements.
 * @example maskedSelect(tensor([[1, 2], [3, 4]]), tensor([[true, false], [false, true]])).toArray() // [1, 4]
 */
export const maskedSelect = defineOp(
  {
    name: 'maskedSelect',
    doc: 'The elements where the mask holds, as a 1-D tensor in row-major order (torch.masked_select; input and mask broadcast).',
    inputs: ['input', 'mask'],
    latex: ([a, m]) => `{${a}}_{${m}}`,
    label: 'maskedSelect',
  },
  (def) =>
    function maskedSelect(x: Tensor, mask: Tensor): Tensor {
      assertTensor(x, 'maskedSelect');
      const m = boolMask(mask, 'maskedSelect');
      const shape = broadcastShapes(x.shape, m.shape, 'maskedSelect');
      const mb = sameShape(m.shape, shape) ? m : expand(m, shape);
      const y = noGrad(() => index(sameShape(x.shape, shape) ? x : expand(x, shape), mb));
      return record(def, [x], y, (g) => [sumTo(indexPut(zeros(shape, { dtype: g.dtype }), [mb], g, { accumulate: true }), x.shape)]);
    },
);

/**
 * torch.take_along_dim: the elements of x at the index along dim (gather, with x and the index
 * broadcast against each other outside dim); without dim, x flattened at the flattened index.
 * @example takeAlongDim(tensor([[10, 30, 20]]), tensor([[1, 2, 0]], { dtype: 'int32' }), 1).toArray() // [[30, 20, 10]]
 */
export const takeAlongDim = defineOp(
  {
    name: 'takeAlongDim',
    doc: 'The elements at the index along dim, x and the index broadcast outside dim (torch.take_along_dim); without dim, of the flattened input.',
    inputs: ['input', 'indices'],
    params: [{ name: 'dim', default: null }],
    latex: ([a, i]) => `{${a}}_{${i}}`,
  },
  () =>
    function takeAlongDim(x: Tensor, idx: Tensor, dim?: number | null): Tensor {
      assertTensor(x, 'takeAlongDim');
      assertTensor(idx, 'takeAlongDim', 'indices');
      if (dim === undefined || dim === null) {
        checkedIndices(idx, x.size, 'takeAlongDim');
        return gather(flatten(x), 0, flatten(idx));
      }
      const d = normDim(dim, x.ndim, 'takeAlongDim');
      checkedIndices(idx, x.shape[d], 'takeAlongDim');
      if (idx.ndim !== x.ndim) {
        throw new ChainruleError(`takeAlongDim: input and indices need the same rank, got shapes ${fmtShape(x.shape)} and ${fmtShape(idx.shape)}`);
      }
      const b = broadcastShapes(
        x.shape.map((n, i) => (i === d ? idx.shape[d] : n)),
        idx.shape,
        'takeAlongDim',
      );
      const xs = b.map((n, i) => (i === d ? x.shape[d] : n));
      return gather(sameShape(xs, x.shape) ? x : expand(x, xs), d, sameShape(b, idx.shape) ? idx : expand(idx, b));
    },
);

/**
 * One-hot rows for int32 class ids: [...labels.shape, numClasses] of 0/1 in `dtype` (default
 * float32, ready to be a target; PyTorch returns integers). numClasses -1 (the default) takes
 * the largest label + 1.
 * @example oneHot(tensor([2, 0], { dtype: 'int32' }), 3).toArray() // [[0, 0, 1], [1, 0, 0]]
 */
export const oneHot = defineOp(
  {
    name: 'oneHot',
    doc: 'One-hot rows for int32 class ids: [...shape, numClasses] of 0/1 (numClasses -1: the largest label + 1), as F.one_hot.',
    inputs: ['labels'],
    params: [
      { name: 'numClasses', default: -1 },
      { name: 'dtype', type: 'dtype', default: 'float32' },
    ],
    grad: 'none',
    deviation: 'float32 by default (ready to be a target), where PyTorch returns int64; pass int32 for integers',
  },
  () =>
    function oneHot(labels: Tensor, numClasses: number = -1, dtype: 'float32' | 'float64' | 'int32' = 'float32'): Tensor {
      if (!(labels instanceof Tensor) || labels.dtype !== 'int32') {
        throw new ChainruleError(`oneHot: labels must be an int32 tensor, got ${labels instanceof Tensor ? labels.dtype : typeof labels}`);
      }
      if (!Number.isInteger(numClasses) || numClasses < -1) throw new ChainruleError(`oneHot: numClasses must be -1 or a non-negative integer, got ${numClasses}`);
      if (!['float32', 'float64', 'int32'].includes(dtype)) throw new ChainruleError(`oneHot: dtype must be float32, float64 or int32, got ${String(dtype)}`);
      const d = labels.data as Int32Array;
      if (numClasses === -1 && d.length === 0) throw new ChainruleError(`oneHot: cannot infer the number of classes from an empty tensor (shape ${fmtShape(labels.shape)})`);
      let top = -1;
      for (let i = 0; i < d.length; i++) {
        if (d[i] < 0) throw new ChainruleError(`oneHot: label ${d[i]} at position ${i} is negative`);
        if (d[i] > top) top = d[i];
      }
      const C = numClasses === -1 ? top + 1 : numClasses;
      const bad = d.findIndex((v) => v >= C);
      if (bad >= 0) throw new ChainruleError(`oneHot: label ${d[bad]} at position ${bad} is out of range for ${C} classes`);
      const out = zeros([...labels.shape, C], { dtype });
      const at = new Int32Array(d.length);
      for (let i = 0; i < d.length; i++) at[i] = i * C + d[i];
      kernels().scatterReduce('set', full([d.length], 1, { dtype }).data, at, out.data, true);
      return out;
    },
);
