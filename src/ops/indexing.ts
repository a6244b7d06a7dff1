import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { normDim, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { assertTensor } from './kernel.js';
import { cast } from './shape.js';

function indices(idx: Tensor, n: number, op: string): Int32Array {
  assertTensor(idx, op, 'index');
  if (idx.dtype !== 'int32') {
    const ok = idx.dtype !== 'bool' && Array.from(idx.data).every((v) => Number.isInteger(v));
    if (!ok) throw new ChainruleError(`${op}: indices must be an int32 tensor (got ${idx.dtype})`);
  }
  const data = idx.dtype === 'int32' ? (idx.data as Int32Array) : Int32Array.from(idx.data);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < 0 || v >= n) throw new ChainruleError(`${op}: index ${v} is out of range for a dimension of size ${n}`);
  }
  return data;
}


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
    const ix = indices(idx, x.shape[d], 'indexSelect');
    const outer = sizeOf(x.shape.slice(0, d));
    const inner = sizeOf(x.shape.slice(d + 1));
    const shape = [...x.shape];
    shape[d] = ix.length;
    const out = empty(shape, x.dtype);
    kernels().indexSelect(x.data, ix, outer, x.shape[d], inner, out.data);
    return record(def, [x], out, (g) => [indexAddInto(g, x.shape, d, ix, idx)], { dim: d });
  },
);

/** The adjoint of indexSelect: the gradient added back into the rows it picked. */
const indexAddInto = defineOp(
  { name: 'indexAdd', doc: 'The gradient of indexSelect: slices added back at their indices along dim.', method: false, latex: ([a]) => a },
  (def) =>
    function indexAddInto(g: Tensor, shape: readonly number[], d: number, ix: Int32Array, idx: Tensor): Tensor {
  const out = empty(shape, g.dtype);
  kernels().indexAdd(g.data, ix, sizeOf(shape.slice(0, d)), shape[d], sizeOf(shape.slice(d + 1)), out.data);
  return record(def, [g], out, (gg) => [indexSelect(gg, d, idx)]);
    },
);

function checkGatherShapes(x: Tensor, d: number, idx: Tensor, op: string): void {
  if (idx.ndim !== x.ndim || idx.shape.some((n, i) => i !== d && n !== x.shape[i])) {
    throw new ChainruleError(
      `${op}: index shape ${fmtShape(idx.shape)} must match input shape ${fmtShape(x.shape)} in every dimension but ${d}`,
    );
  }
}


/**
 * torch.gather: out[i][j] = x[i][idx[i][j]] for dim 1 (and likewise for other dims).
 * @example gather(tensor([[1, 2], [3, 4]]), 1, tensor([[1], [0]], { dtype: 'int32' })).toArray() // [[2], [3]]
 */
export const gather = defineOp(
  { name: 'gather', latex: ([a, i]) => `{${a}}_{${i}}`, doc: 'torch.gather: out[i][j] = x[i][idx[i][j]] along dim 1 (and likewise for other dims).', inputs: ['input', 'index'], params: [{ name: 'dim' }], onnx: { opType: 'GatherElements' } },
  (def) =>
    function gather(x: Tensor, dim: number, idx: Tensor): Tensor {
    assertTensor(x, 'gather');
    const d = normDim(dim, x.ndim, 'gather');
    checkGatherShapes(x, d, idx, 'gather');
    const ix = indices(idx, x.shape[d], 'gather');
    const outer = sizeOf(x.shape.slice(0, d));
    const inner = sizeOf(x.shape.slice(d + 1));
    const out = empty(idx.shape, x.dtype);
    kernels().gather(x.data, ix, outer, x.shape[d], idx.shape[d], inner, out.data);
    return record(def, [x], out, (g) => [scatterAdd(zerosOf(x), d, idx, g)], { dim: d });
  },
);

function zerosOf(x: Tensor): Tensor {
  return empty(x.shape, x.dtype);
}

/**
 * torch.scatter_add: a copy of x with src added at idx along dim (repeated indices accumulate).
 */
export const scatterAdd = defineOp(
  { name: 'scatterAdd', latex: ([a, , s]) => `${a} + ${s}`, doc: 'A copy of the input with src added at the indices along dim (repeated indices accumulate).', inputs: ['input', 'index', 'src'], params: [{ name: 'dim' }], onnx: { opType: 'ScatterElements', attributes: () => ({ reduction: 'add' }) } },
  (def) =>
    function scatterAdd(x: Tensor, dim: number, idx: Tensor, src: Tensor): Tensor {
    assertTensor(x, 'scatterAdd');
    assertTensor(src, 'scatterAdd', 'src');
    const d = normDim(dim, x.ndim, 'scatterAdd');
    checkGatherShapes(x, d, idx, 'scatterAdd');
    if (src.ndim !== idx.ndim || src.shape.some((n, i) => n !== idx.shape[i])) {
      throw new ChainruleError(`scatterAdd: src shape ${fmtShape(src.shape)} must equal index shape ${fmtShape(idx.shape)}`);
    }
    const ix = indices(idx, x.shape[d], 'scatterAdd');
    const s = src.dtype === x.dtype ? src : cast(src, x.dtype);
    const out = empty(x.shape, x.dtype);
    out.data.set(x.data);
    kernels().scatterAdd(s.data, ix, sizeOf(x.shape.slice(0, d)), x.shape[d], idx.shape[d], sizeOf(x.shape.slice(d + 1)), out.data);
    return record(def, [x, s], out, (g) => [g, gather(g, d, idx)], { dim: d });
  },
);
