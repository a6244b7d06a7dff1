import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { normDim, sameShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { mul } from './arith.js';
import { checkIndexShape, dimIndex, fitsOutside, indices, srcAt } from './dimindex.js';
import { assertNumber, assertTensor } from './kernel.js';
import { dimOffsets } from './offsets.js';
import { cast, reshape } from './shape.js';

/**
 * Rows (or slices along dim) picked by a 1-D int32 index tensor: the lookup behind Embedding.
 * @example indexSelect(tensor([[1, 2], [3, 4]]), 0, tensor([1, 1], { dtype: 'int32' })).toArray() // [[3, 4], [3, 4]]
 */
export const indexSelect = defineOp(
  { name: 'indexSelect', latex: ([a, i]) => `{${a}}_{${i}}`, doc: 'Slices along dim picked by a 1-D int32 index tensor (the lookup behind Embedding).', inputs: ['input', 'index'], params: [{ name: 'dim' }], onnx: { opType: 'Gather' } },
  (def) =>
    function indexSelect(x: Tensor, dim: number, idx: Tensor): Tensor {
    assertTensor(x, 'indexSelect');
    const d = normDim(dim, x.ndim, 'indexSelect');
    if (idx.ndim > 1) throw new ChainruleError(`indexSelect: the index must be 1-D, got shape ${fmtShape(idx.shape)}`);
    const ix = indices(idx, x.ndim === 0 ? 1 : x.shape[d], 'indexSelect');
    if (x.ndim === 0) {
      // PyTorch keeps a 0-d input 0-d, whatever the (all-zero) index's length
      const y = empty([], x.dtype);
      y.data.set(x.data);
      return record(def, [x], y, (g) => [g], { dim: d });
    }
    const outer = sizeOf(x.shape.slice(0, d));
    const inner = sizeOf(x.shape.slice(d + 1));
    const shape = [...x.shape];
    shape[d] = ix.length;
    const out = empty(shape, x.dtype);
    kernels().indexSelect(x.data, ix, outer, x.shape[d], inner, out.data);
    return record(def, [x], out, (g) => [indexAdd(zerosOf(x), d, idx, g)], { dim: d });
  },
);

/** The options of indexAdd (torch.index_add's alpha). */
export interface IndexAddOptions {
  /** the factor source is multiplied by (PyTorch's alpha), default 1 */
  alpha?: number;
}

/**
 * torch.index_add: a copy of x with alpha·source added at the slices along dim that a 1-D int32
 * index names (repeated indices accumulate); source is x's shape with dim the index's length.
 * @example indexAdd(zeros([3]), 0, tensor([0, 2, 0], { dtype: 'int32' }), tensor([1, 2, 3])).toArray() // [4, 0, 2]
 */
export const indexAdd = defineOp(
  {
    name: 'indexAdd',
    doc: 'A copy of the input with alpha·source added at the slices along dim a 1-D index names (repeats accumulate), as torch.index_add.',
    inputs: ['input', 'index', 'source'],
    params: [{ name: 'dim' }, { name: 'options', type: 'options', default: null }],
    latex: ([a, , s]) => `${a} + ${s}`,
    label: 'indexAdd',
  },
  (def) =>
    function indexAdd(x: Tensor, dim: number, idx: Tensor, source: Tensor, opts: IndexAddOptions = {}): Tensor {
      assertTensor(x, 'indexAdd');
      assertTensor(source, 'indexAdd', 'source');
      const alpha = assertNumber(opts.alpha ?? 1, 'indexAdd', 'alpha');
      const d = normDim(dim, x.ndim, 'indexAdd');
      assertTensor(idx, 'indexAdd', 'index');
      if (idx.ndim > 1) throw new ChainruleError(`indexAdd: the index must be 1-D, got shape ${fmtShape(idx.shape)}`);
      const n = x.ndim === 0 ? 1 : x.shape[d];
      const want = x.ndim === 0 ? [] : x.shape.map((s, i) => (i === d ? idx.size : s));
      if (!sameShape(source.shape, want) && !(x.ndim === 0 && source.size === idx.size && source.ndim <= 1)) {
        throw new ChainruleError(`indexAdd: source shape ${fmtShape(source.shape)} must be ${fmtShape(want)} (input ${fmtShape(x.shape)} with dimension ${d} the index's length ${idx.size})`);
      }
      const ix = indices(idx, n, 'indexAdd');
      let src = source.dtype === x.dtype ? source : cast(source, x.dtype);
      if (alpha !== 1) src = mul(src, alpha);
      const out = empty(x.shape, x.dtype);
      out.data.set(x.data);
      kernels().indexAdd(src.data, ix, sizeOf(x.shape.slice(0, d)), n, sizeOf(x.shape.slice(d + 1)), out.data);
      return record(def, [x, src], out, (g) => [g, reshape(indexSelect(g, d, idx), src.shape)], { dim: d, alpha });
    },
);

/**
 * torch.gather: out[i][j] = x[i][idx[i][j]] for dim 1 (and likewise for other dims). The index has
 * x's rank and may be smaller than x outside dim (those elements are not read).
 * @example gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], { dtype: 'int32' })).toArray() // [[2], [3]]
 */
export const gather = defineOp(
  { name: 'gather', latex: ([a, i]) => `{${a}}_{${i}}`, doc: 'torch.gather: out[i][j] = x[i][idx[i][j]] along dim 1 (and likewise for other dims); the index may be smaller than the input outside dim.', inputs: ['input', 'index'], params: [{ name: 'dim' }], onnx: { opType: 'GatherElements' } },
  (def) =>
    function gather(x: Tensor, dim: number, idx: Tensor): Tensor {
    assertTensor(x, 'gather');
    const d = normDim(dim, x.ndim, 'gather');
    checkIndexShape(x, d, idx, 'gather');
    const ix = dimIndex(x, d, idx, 'gather');
    const out = empty(idx.shape, x.dtype);
    if (fitsOutside(x, d, idx)) {
      kernels().gather(x.data, ix, sizeOf(x.shape.slice(0, d)), x.shape[d] ?? 1, idx.shape[d] ?? 1, sizeOf(x.shape.slice(d + 1)), out.data);
    } else {
      const at = dimOffsets(x.shape, d, idx.shape, ix);
      kernels().gather(x.data, at, 1, x.size, at.length, 1, out.data);
    }
    return record(def, [x], out, (g) => [scatterAdd(zerosOf(x), d, idx, g)], { dim: d });
  },
);

function zerosOf(x: Tensor): Tensor {
  return empty(x.shape, x.dtype);
}

/**
 * torch.scatter_add: a copy of x with src added at idx along dim (repeated indices accumulate). The
 * index may be smaller than x outside dim and than src anywhere (the rest of src is not read).
 * @example scatterAdd(zeros([3]), 0, tensor([0, 2, 0], { dtype: 'int32' }), tensor([1, 2, 3])).toArray() // [4, 0, 2]
 */
export const scatterAdd = defineOp(
  { name: 'scatterAdd', latex: ([a, , s]) => `${a} + ${s}`, doc: 'A copy of the input with src added at the indices along dim (repeated indices accumulate); the index may be smaller than the input and src.', inputs: ['input', 'index', 'src'], params: [{ name: 'dim' }], onnx: { opType: 'ScatterElements', attributes: () => ({ reduction: 'add' }) } },
  (def) =>
    function scatterAdd(x: Tensor, dim: number, idx: Tensor, src: Tensor): Tensor {
    assertTensor(x, 'scatterAdd');
    assertTensor(src, 'scatterAdd', 'src');
    const d = normDim(dim, x.ndim, 'scatterAdd');
    checkIndexShape(x, d, idx, 'scatterAdd', src);
    const ix = dimIndex(x, d, idx, 'scatterAdd');
    const part = srcAt(src, idx);
    const s = part.dtype === x.dtype ? part : cast(part, x.dtype);
    const out = empty(x.shape, x.dtype);
    out.data.set(x.data);
    if (fitsOutside(x, d, idx)) {
      kernels().scatterAdd(s.data, ix, sizeOf(x.shape.slice(0, d)), x.shape[d] ?? 1, idx.shape[d] ?? 1, sizeOf(x.shape.slice(d + 1)), out.data);
    } else {
      const at = dimOffsets(x.shape, d, idx.shape, ix);
      kernels().scatterAdd(s.data, at, 1, x.size, at.length, 1, out.data);
    }
    return record(def, [x, s], out, (g) => [g, gather(g, d, idx)], { dim: d });
  },
);
