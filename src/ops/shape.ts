// Shape ops: views, strided gathers and their adjoints, joins, splits, padding, copies and casts.
// Their gradients are other shape ops, so this file stands on the kernels alone.
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, full } from '../tensor/creation.js';
import { type DType, assertDType, isFloat } from '../tensor/dtype.js';
import { type Shape, checkShape, normDim, sameShape, sizeOf, stridesOf } from '../tensor/shape.js';
import { type OpInfo, Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { assertTensor, dimOf, output } from './kernel.js';
import { type IndexSpec, type IndexTarget, indexOffsets, parseIndex } from './offsets.js';

// ---- views of the same storage -------------------------------------------------------------


/**
 * Same data, new shape (one dimension may be -1). Shares storage with the input (a view).
 * @example reshape(arange(6), [2, -1]).shape // [2, 3]
 */
export const reshape = defineOp(
  { name: 'reshape', latex: ([a]) => a, doc: 'Same data, new shape (one dimension may be -1); shares storage with the input.', params: [{ name: 'shape', type: 'shape' }], methodAliases: ['view'], onnx: { opType: 'Reshape' } },
  (def) =>
    function reshape(x: Tensor, shape: Shape): Tensor {
    assertTensor(x, 'reshape');
    const s = [...shape];
    const free = s.indexOf(-1);
    if (free >= 0) {
      if (s.indexOf(-1, free + 1) >= 0) throw new ChainruleError(`reshape: only one dimension can be -1, got ${fmtShape(shape)}`);
      const known = sizeOf(s.filter((_, i) => i !== free));
      if (known === 0 || x.size % known !== 0) {
        throw new ChainruleError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)}`);
      }
      s[free] = x.size / known;
    }
    checkShape(s, 'reshape');
    if (sizeOf(s) !== x.size) {
      throw new ChainruleError(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) into ${fmtShape(shape)} (${sizeOf(s)} elements)`);
    }
    if (sameShape(s, x.shape)) return x;
    const out = new Tensor(x.data, s);
    return record(def, [x], out, (g) => [reshape(g, x.shape)], { shape: s });
  },
);

/**
 * PyTorch's name for reshape of a contiguous tensor (every chainrule tensor is contiguous).
 * @example arange(6).view([2, 3]) // [[0, 1, 2], [3, 4, 5]]
 */
export const view = reshape;

/** Flattens dims startDim..endDim into one. @example flatten(zeros([2, 3, 4]), 1).shape // [2, 12] */
export const flatten = defineOp(
  { name: 'flatten', doc: 'Flattens dimensions startDim..endDim into one.', params: [{ name: 'startDim', default: 0 }, { name: 'endDim', default: -1 }], onnx: { opType: 'Flatten' } },
  () =>
    function flatten(x: Tensor, startDim: number = 0, endDim: number = -1): Tensor {
    assertTensor(x, 'flatten');
    const s = dimOf(x, startDim, 'flatten');
    const e = dimOf(x, endDim, 'flatten');
    if (x.ndim === 0) return reshape(x, [1]);
    if (s > e) throw new ChainruleError(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
    return reshape(x, [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
  },
);

/**
 * Inserts a dimension of size 1 at `dim`.
 * @example
 * tensor([1, 2]).unsqueeze(0).shape // [1, 2]
 * tensor([1, 2]).unsqueeze(-1).shape // [2, 1]
 */
export const unsqueeze = defineOp(
  { name: 'unsqueeze', doc: 'Inserts a dimension of size 1 at dim.', params: [{ name: 'dim' }], onnx: { opType: 'Unsqueeze' } },
  () =>
    function unsqueeze(x: Tensor, dim: number): Tensor {
    assertTensor(x, 'unsqueeze');
    const d = normDim(dim, x.ndim + 1, 'unsqueeze');
    return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
  },
);

/**
 * Removes dimensions of size 1 (all of them, or only `dim`).
 * @example
 * zeros([1, 2, 1]).squeeze().shape // [2]
 * zeros([1, 2, 1]).squeeze(0).shape // [2, 1]
 */
export const squeeze = defineOp(
  { name: 'squeeze', doc: 'Removes dimensions of size 1 (all of them, or only the given ones).', params: [{ name: 'dim', type: 'dims', default: null }], onnx: { opType: 'Squeeze' } },
  () =>
    function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
    assertTensor(x, 'squeeze');
    const dims =
      dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === 'number' ? [dim] : [...dim]).map((d) => normDim(d, x.ndim, 'squeeze'));
    return reshape(
      x,
      x.shape.filter((s, i) => !(s === 1 && dims.includes(i))),
    );
  },
);

// ---- strided gathers and their adjoints -------------------------------------------------------

interface Strided {
  shape: number[];
  strides: number[];
  offset: number;
}

/**
 * out = the elements of x at offset + idx·strides: one primitive behind permute, expand, slicing,
 * index and conv unfolding. Its adjoint (stridedScatter) accumulates, so overlapping windows and
 * broadcast (stride 0) dims sum their gradients.
 */
function stridedGather(x: Tensor, v: Strided, info: OpInfo, attrs?: Record<string, unknown>): Tensor {
  const out = output(v.shape, x.dtype); // the copy writes every element
  kernels().stridedCopy(x.data, v.offset, v.strides, v.shape, out.data);
  const res = record(info, [x], out, (g) => [viewBackward(g, x.shape, v, info)], attrs);
  if (res.node) res.node.accumulateInto = (g, into) => kernels().stridedAccumulate(g.data, v.shape, into.data, v.offset, v.strides);
  return res;
}

/** The adjoint of every strided view: the output gradient added into an input-shaped zero tensor. */
const viewBackward = defineOp(
  { name: 'viewBackward', doc: 'The gradient of a strided view (permute, expand, index, ...): its output gradient scattered back.', method: false, latex: ([a]) => a },
  (def) =>
    function viewBackward(g: Tensor, shape: Shape, v: Strided, of: OpInfo): Tensor {
      const out = empty(shape, g.dtype);
      kernels().stridedAccumulate(g.data, v.shape, out.data, v.offset, v.strides);
      return record(def, [g], out, (gg) => [stridedGather(gg, v, of)], { of: of.name });
    },
);

/**
 * Reads x through an arbitrary strided window, like torch.as_strided (always copies).
 * @example asStrided(arange(5), [2, 2], [1, 1]) // [[0, 1], [1, 2]]
 */
export const asStrided = defineOp(
  { name: 'asStrided', latex: ([a]) => a, doc: 'Reads the input through an arbitrary strided window, like torch.as_strided (always a copy).', params: [{ name: 'size', type: 'shape' }, { name: 'stride', type: 'shape' }, { name: 'storageOffset', default: 0 }] },
  (def) =>
    function asStrided(x: Tensor, shape: Shape, strides: readonly number[], offset: number = 0): Tensor {
    assertTensor(x, 'asStrided');
    checkShape([...shape], 'asStrided');
    if (strides.length !== shape.length) throw new ChainruleError(`asStrided: ${strides.length} strides for ${shape.length} dims`);
    let hi = offset;
    let lo = offset;
    shape.forEach((n, i) => {
      if (n === 0) return;
      const span = (n - 1) * strides[i];
      if (span > 0) hi += span;
      else lo += span;
    });
    if (sizeOf(shape) > 0 && (lo < 0 || hi >= x.size)) {
      throw new ChainruleError(`asStrided: the window reaches outside the ${x.size} elements of the input`);
    }
    return stridedGather(x, { shape: [...shape], strides: [...strides], offset }, def);
  },
);


/** Reorders dimensions. @example permute(zeros([2, 3, 4]), [2, 0, 1]).shape // [4, 2, 3] */
export const permute = defineOp(
  { name: 'permute', latex: ([a]) => a, doc: 'Reorders the dimensions.', params: [{ name: 'dims', type: 'dims' }], label: 'permute', onnx: { opType: 'Transpose', attributes: (a) => ({ perm: a.dims as number[] }) } },
  (def) =>
    function permute(x: Tensor, dims: readonly number[]): Tensor {
    assertTensor(x, 'permute');
    if (dims.length !== x.ndim) throw new ChainruleError(`permute: ${dims.length} dims given for a tensor of rank ${x.ndim}`);
    const ds = dims.map((d) => normDim(d, x.ndim, 'permute'));
    if (new Set(ds).size !== ds.length) throw new ChainruleError(`permute: dims ${JSON.stringify(dims)} repeat a dimension`);
    if (ds.every((d, i) => d === i)) return x;
    const st = stridesOf(x.shape);
    return stridedGather(x, { shape: ds.map((d) => x.shape[d]), strides: ds.map((d) => st[d]), offset: 0 }, def, { dims: ds });
  },
);


/** Swaps two dimensions (the last two by default). @example transpose(zeros([2, 3])).shape // [3, 2] */
export const transpose = defineOp(
  { name: 'transpose', latex: ([a]) => `{${a}}^{\\top}`, doc: 'Swaps two dimensions (the last two by default).', params: [{ name: 'dim0', default: -2 }, { name: 'dim1', default: -1 }], problem: 'transpose', label: 'ᵀ' },
  (def) =>
    function transpose(x: Tensor, dim0: number = -2, dim1: number = -1): Tensor {
    assertTensor(x, 'transpose');
    // a 0-d or 1-d tensor is its own transpose, for dims in its range (-1..0, as PyTorch checks)
    if (x.ndim < 2 && (dim0 !== -2 || dim1 !== -1)) {
      dimOf(x, dim0, 'transpose');
      dimOf(x, dim1, 'transpose');
    }
    if (x.ndim < 2) return x;
    const a = normDim(dim0, x.ndim, 'transpose');
    const b = normDim(dim1, x.ndim, 'transpose');
    if (a === b) return x;
    const ds = x.shape.map((_, i) => (i === a ? b : i === b ? a : i));
    const st = stridesOf(x.shape);
    return stridedGather(x, { shape: ds.map((d) => x.shape[d]), strides: ds.map((d) => st[d]), offset: 0 }, def, { dims: [a, b] });
  },
);


/**
 * Broadcasts to a larger shape (-1 keeps a dimension); the gradient sums over the copies.
 * @example
 * tensor([[1], [2]]).expand([2, 3]) // [[1, 1, 1], [2, 2, 2]]
 * tensor([[1], [2]]).expand([-1, 2]).shape // [2, 2]
 */
export const expand = defineOp(
  { name: 'expand', latex: ([a]) => a, doc: 'Broadcasts to a larger shape (-1 keeps a dimension); the gradient sums over the copies.', params: [{ name: 'size', type: 'shape' }], onnx: { opType: 'Expand' } },
  (def) =>
    function expand(x: Tensor, shape: Shape): Tensor {
    assertTensor(x, 'expand');
    if (shape.length < x.ndim) throw new ChainruleError(`expand: cannot expand ${fmtShape(x.shape)} to fewer dims ${fmtShape(shape)}`);
    const lead = shape.length - x.ndim;
    const st = stridesOf(x.shape);
    const outShape: number[] = [];
    const strides: number[] = [];
    shape.forEach((n, i) => {
      if (!Number.isInteger(n) || n < -1 || (n === -1 && i < lead)) {
        const why = n === -1 ? `-1 (keep the size) is not allowed for the new leading dimension ${i}` : `size ${n} at dimension ${i} is not a size or -1`;
        throw new ChainruleError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: ${why}`);
      }
      const src = i < lead ? 1 : x.shape[i - lead];
      const want = n === -1 ? src : n;
      if (src !== want && src !== 1) {
        throw new ChainruleError(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)} (dimension ${i} is ${src}, not 1)`);
      }
      outShape.push(want);
      strides.push(i < lead || src === 1 ? 0 : st[i - lead]);
    });
    if (sameShape(outShape, x.shape)) return x;
    return stridedGather(x, { shape: outShape, strides, offset: 0 }, def, { shape: outShape });
  },
);

export type { IndexSpec } from './offsets.js';

/**
 * Indexing like PyTorch's x[...]: integers select (dropping the dim), ranges ({ start, end, step }
 * or [start, end, step]) and null keep a dim, '...' stands for the dims not named, and tensors
 * index: an int32 tensor picks elements along its dim (negative values count from the end) and a
 * bool tensor is a mask over as many dims as it has. Index tensors broadcast together and their
 * dims replace the indexed ones (in place when the tensors are adjacent, first otherwise). Without
 * tensors the result is a strided window; with them, a gather whose gradient adds back at the
 * picked elements (repeats accumulate).
 * @example index(tensor([[1, 2, 3], [4, 5, 6]]), 1, [0, 2]).toArray() // [4, 5]
 * @example index(tensor([[1, 2], [3, 4]]), tensor([1, 0, 1], { dtype: 'int32' })).toArray() // [[3, 4], [1, 2], [3, 4]]
 * @example index(tensor([5, 6, 7]), tensor([true, false, true])).toArray() // [5, 7]
 */
export const index = defineOp(
  { name: 'index', latex: ([a], at) => `{${a}}_{${at?.text ?? '[\\ldots]'}}`, doc: 'Indexing like x[...]: integers, ranges, null, an ellipsis, and int32 or bool index tensors (advanced indexing, as PyTorch).' },
  (def) =>
    function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
    assertTensor(x, 'index');
    const p = parseIndex(x.shape, specs, 'index');
    if (p.advanced.length === 0) {
      const empty0 = p.sizes.some((n) => n === 0);
      return stridedGather(x, { shape: p.sizes, strides: p.strides, offset: empty0 ? 0 : p.offset }, def, { text: p.text });
    }
    return takeAt(x, indexOffsets(x.shape, p, 'index'), def, { text: p.text });
  },
);

/**
 * out = the runs of x at the storage offsets of `t` (any order, repeats allowed), in t's shape:
 * the gather behind advanced indexing, a row lookup (indexSelect's kernel) over x viewed as rows
 * of t.run elements. Its adjoint (takeBackward) adds back at the same rows.
 */
function takeAt(x: Tensor, t: IndexTarget, info: OpInfo, attrs?: Record<string, unknown>): Tensor {
  const out = output(t.shape, x.dtype); // every row is written
  const rows = t.run === 0 ? 0 : x.size / t.run;
  if (out.size > 0) kernels().indexSelect(x.data, rowsOf(t), 1, rows, t.run, out.data);
  return record(info, [x], out, (g) => [takeBackward(g, x.shape, t, info)], attrs);
}

/** The row numbers of an index target's runs. */
function rowsOf(t: IndexTarget): Int32Array {
  if (t.run === 1) return t.offsets;
  return t.offsets.map((o) => o / t.run);
}

/** The adjoint of takeAt: the gradient added into an input-shaped zero tensor at the runs it read. */
const takeBackward = defineOp(
  { name: 'takeBackward', doc: 'The gradient of advanced indexing: its output gradient added back at the elements it picked.', method: false, latex: ([a]) => a },
  (def) =>
    function takeBackward(g: Tensor, shape: Shape, t: IndexTarget, of: OpInfo): Tensor {
      const out = empty(shape, g.dtype);
      if (g.size > 0) kernels().indexAdd(g.data, rowsOf(t), 1, out.size / t.run, t.run, out.data);
      return record(def, [g], out, (gg) => [takeAt(gg, t, of)], { of: of.name });
    },
);

/** `length` elements of `dim` starting at `start`. @example narrow(arange(5), 0, 1, 2).toArray() // [1, 2] */
export const narrow = defineOp(
  { name: 'narrow', doc: 'length elements of dim starting at start.', params: [{ name: 'dim' }, { name: 'start' }, { name: 'length' }] },
  () =>
    function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
    assertTensor(x, 'narrow');
    const d = normDim(dim, x.ndim, 'narrow');
    const n = x.shape[d];
    const s = start < 0 ? start + n : start;
    if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
      throw new ChainruleError(`narrow: start ${start} and length ${length} do not fit dimension ${d} of size ${n}`);
    }
    const specs: IndexSpec[] = x.shape.map(() => null);
    specs[d] = [s, s + length];
    return index(x, ...specs);
  },
);

/**
 * Elements start..end (exclusive) by step along dim, like x[..., start:end:step].
 * @example arange(6).slice(0, 1, 5, 2) // [1, 3]
 */
export const slice = defineOp(
  { name: 'slice', doc: 'Elements start..end (exclusive) by step along dim, like x[..., start:end:step].', params: [{ name: 'dim' }, { name: 'start', default: null }, { name: 'end', default: null }, { name: 'step', default: 1 }], onnx: { opType: 'Slice' } },
  () =>
    function slice(x: Tensor, dim: number, start?: number, end?: number, step: number = 1): Tensor {
    assertTensor(x, 'slice');
    const d = normDim(dim, x.ndim, 'slice');
    const specs: IndexSpec[] = x.shape.map(() => null);
    specs[d] = [start, end, step];
    return index(x, ...specs);
  },
);

// ---- joining and splitting ------------------------------------------------------------------


/** Joins tensors along an existing dimension. @example concat([ones([2]), zeros([1])]).toArray() // [1, 1, 0] */
export const concat = defineOp(
  { name: 'concat', latex: (as) => `\\left[${as.join(', ')}\\right]`, doc: 'Joins tensors along an existing dimension.', inputs: ['tensors'], params: [{ name: 'dim', default: 0 }], method: false, label: 'concat', onnx: { opType: 'Concat', attributes: (a) => ({ axis: a.dim as number }) } },
  (def) =>
    function concat(xs: readonly Tensor[], dim: number = 0): Tensor {
    if (!Array.isArray(xs) || xs.length === 0) throw new ChainruleError('concat: expected a non-empty array of tensors');
    xs.forEach((t, i) => {
      assertTensor(t, 'concat', `tensor ${i}`);
    });
    // PyTorch's legacy rule: a 1-d empty tensor joins anything (it is left out of the checks)
    const skipped = (t: Tensor) => t.ndim === 1 && t.shape[0] === 0;
    const first = xs.find((t) => !skipped(t)) ?? xs[0];
    const d = normDim(dim, first.ndim, 'concat');
    const dtype = xs.map((t) => t.dtype).reduce((a, b) => (rankOf(a) >= rankOf(b) ? a : b));
    const all: Tensor[] = xs.map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
    const parts = all.filter((t) => t === first || !skipped(t));
    for (const t of parts) {
      if (t.ndim !== first.ndim || t.shape.some((n, i) => i !== d && n !== first.shape[i])) {
        throw new ChainruleError(`concat: shapes ${all.map((p) => fmtShape(p.shape)).join(', ')} differ outside dimension ${d}`);
      }
    }
    const shape = [...first.shape];
    shape[d] = parts.reduce((acc, t) => acc + t.shape[d], 0);
    const out = output(shape, dtype); // the parts cover it
    const outer = sizeOf(shape.slice(0, d));
    const inner = sizeOf(shape.slice(d + 1));
    const row = shape[d] * inner;
    let pos = 0;
    for (const t of parts) {
      const w = t.shape[d] * inner;
      for (let o = 0; o < outer; o++) out.data.set(t.data.subarray(o * w, (o + 1) * w), o * row + pos);
      pos += w;
    }
    return record(def, all, out, (g) => {
      let at = 0;
      return all.map((t) => {
        if (!parts.includes(t)) return empty([0], t.dtype);
        const piece = narrow(g, d, at, t.shape[d]);
        at += t.shape[d];
        return piece;
      });
    }, { dim: d });
  },
);
/**
 * PyTorch's other name for concat (torch.cat): joins tensors along an existing dim (default 0).
 * @example
 * cat([tensor([1, 2]), tensor([3])]) // [1, 2, 3]
 * cat([zeros([2, 1]), ones([2, 2])], 1) // [[0, 1, 1], [0, 1, 1]]
 */
export const cat = concat;

function rankOf(d: DType): number {
  return ['bool', 'int32', 'float32', 'float64'].indexOf(d);
}

/** Joins equally shaped tensors along a new dimension. @example stack([ones([2]), zeros([2])]).shape // [2, 2] */
export const stack = defineOp(
  { name: 'stack', doc: 'Joins equally shaped tensors along a new dimension.', inputs: ['tensors'], params: [{ name: 'dim', default: 0 }], method: false },
  () =>
    function stack(xs: readonly Tensor[], dim: number = 0): Tensor {
    if (!Array.isArray(xs) || xs.length === 0) throw new ChainruleError('stack: expected a non-empty array of tensors');
    const first = xs[0];
    xs.forEach((t, i) => {
      assertTensor(t, 'stack', `tensor ${i}`);
      if (!sameShape(t.shape, first.shape)) {
        throw new ChainruleError(`stack: all tensors need the same shape, got ${xs.map((x) => fmtShape(x.shape)).join(', ')}`);
      }
    });
    const d = normDim(dim, first.ndim + 1, 'stack');
    return concat(
      xs.map((t) => unsqueeze(t, d)),
      d,
    );
  },
);

/**
 * Splits into pieces of `size` (or of the given sizes) along dim.
 * @example
 * arange(5).split(2).map((t) => t.toArray()) // [[0, 1], [2, 3], [4]]
 * arange(5).split([1, 4]).map((t) => t.size) // [1, 4]
 */
export const split = defineOp(
  { name: 'split', doc: 'Splits into pieces of a size (or of the given sizes) along dim.', params: [{ name: 'splitSizeOrSections', type: 'shape' }, { name: 'dim', default: 0 }], onnx: { opType: 'Split' } },
  () =>
    function split(x: Tensor, sizes: number | readonly number[], dim: number = 0): Tensor[] {
    assertTensor(x, 'split');
    const d = normDim(dim, x.ndim, 'split');
    const n = x.shape[d];
    let list: number[];
    if (typeof sizes === 'number') {
      // size 0 only splits an empty dimension (into one empty piece, as in PyTorch)
      if (!Number.isInteger(sizes) || sizes < 0 || (sizes === 0 && n !== 0)) {
        throw new ChainruleError(`split: size must be a positive integer (0 only for an empty dimension), got ${sizes} for dimension ${d} of size ${n} (shape ${fmtShape(x.shape)})`);
      }
      list = n === 0 ? [0] : [];
      for (let at = 0; at < n; at += sizes) list.push(Math.min(sizes, n - at));
    } else {
      list = [...sizes];
      if (list.some((k) => !Number.isInteger(k) || k < 0)) {
        throw new ChainruleError(`split: sizes ${JSON.stringify(sizes)} must be non-negative integers (shape ${fmtShape(x.shape)})`);
      }
      if (list.reduce((a, b) => a + b, 0) !== n) {
        throw new ChainruleError(`split: sizes ${JSON.stringify(sizes)} do not add up to dimension ${d} of size ${n}`);
      }
    }
    let at = 0;
    return list.map((len) => {
      const t = narrow(x, d, at, len);
      at += len;
      return t;
    });
  },
);

/**
 * Splits into `chunks` nearly equal pieces along dim (like torch.chunk).
 * @example arange(5).chunk(2).map((t) => t.toArray()) // [[0, 1, 2], [3, 4]]
 */
export const chunk = defineOp(
  { name: 'chunk', doc: 'Splits into the given number of nearly equal pieces along dim.', params: [{ name: 'chunks' }, { name: 'dim', default: 0 }] },
  () =>
    function chunk(x: Tensor, chunks: number, dim: number = 0): Tensor[] {
    assertTensor(x, 'chunk');
    if (!Number.isInteger(chunks) || chunks <= 0) throw new ChainruleError(`chunk: chunks must be a positive integer, got ${chunks}`);
    const d = normDim(dim, x.ndim, 'chunk');
    // PyTorch cuts an empty dimension into `chunks` empty pieces
    if (x.shape[d] === 0) return Array.from({ length: chunks }, () => narrow(x, d, 0, 0));
    return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
  },
);

/**
 * Constant padding, PyTorch order: [left, right] for the last dim, then [left, right] for the one
 * before, and so on. A negative width crops that many elements instead (F.pad's cropping).
 * @example pad(ones([2]), [1, 1]).toArray() // [0, 1, 1, 0]
 * @example pad(tensor([1, 2, 3, 4]), [-1, 1]).toArray() // [2, 3, 4, 0]
 */
export const pad = defineOp(
  { name: 'pad', doc: 'Constant padding in PyTorch order: [left, right] of the last dimension first; negative widths crop.', params: [{ name: 'pad', type: 'shape' }, { name: 'value', default: 0 }], latex: ([a]) => a, onnx: { opType: 'Pad' } },
  (def) =>
    function pad(x: Tensor, widths: readonly number[], value: number = 0): Tensor {
  assertTensor(x, 'pad');
  if (!Array.isArray(widths) || widths.length % 2 !== 0 || widths.length / 2 > x.ndim) {
    throw new ChainruleError(`pad: expected pairs of widths for at most ${x.ndim} dims, got ${JSON.stringify(widths)} (shape ${fmtShape(x.shape)})`);
  }
  if (widths.some((w) => !Number.isInteger(w))) throw new ChainruleError(`pad: widths must be integers, got ${JSON.stringify(widths)}`);
  // negative widths crop first (a strided window of x), the rest pads
  const crop: IndexSpec[] = x.shape.map(() => null);
  let cropped = false;
  for (let k = 0; k < widths.length / 2; k++) {
    const d = x.ndim - 1 - k;
    const cl = Math.max(0, -widths[2 * k]);
    const cr = Math.max(0, -widths[2 * k + 1]);
    if (cl + cr > x.shape[d]) {
      throw new ChainruleError(`pad: widths ${JSON.stringify(widths)} crop ${cl + cr} elements from dimension ${d} of size ${x.shape[d]} (shape ${fmtShape(x.shape)})`);
    }
    if (cl + cr > 0) {
      crop[d] = [cl, x.shape[d] - cr];
      cropped = true;
    }
  }
  // as PyTorch's constant_pad_nd: once anything is padded, every padded dim must keep an element
  if (widths.some((w) => w > 0)) {
    for (let k = 0; k < widths.length / 2; k++) {
      const d = x.ndim - 1 - k;
      if (x.shape[d] + widths[2 * k] + widths[2 * k + 1] <= 0) {
        throw new ChainruleError(`pad: widths ${JSON.stringify(widths)} leave dimension ${d} of size ${x.shape[d]} without elements (shape ${fmtShape(x.shape)})`);
      }
    }
  }
  const src = cropped ? index(x, ...crop) : x;
  const shape = [...src.shape];
  const before = src.shape.map(() => 0);
  for (let k = 0; k < widths.length / 2; k++) {
    const d = src.ndim - 1 - k;
    const [l, r] = [Math.max(0, widths[2 * k]), Math.max(0, widths[2 * k + 1])];
    shape[d] += l + r;
    before[d] = l;
  }
  const out = empty(shape, src.dtype);
  const st = stridesOf(shape);
  const offset = before.reduce((acc, b, i) => acc + b * st[i], 0);
  // the interior of `out` is a strided window: writing src there is the adjoint of reading it
  const window: Strided = { shape: [...src.shape], strides: st, offset };
  kernels().stridedAccumulate(src.data, src.shape, out.data, offset, st);
  if (value !== 0) {
    const inside = empty(shape, 'bool');
    kernels().stridedAccumulate(full(src.shape, 1, { dtype: 'bool' }).data, src.shape, inside.data, offset, st);
    for (let i = 0; i < out.size; i++) if (!inside.data[i]) out.data[i] = value;
  }
  return record(def, [src], out, (g) => [stridedGather(g, window, index.def)], { widths, value });
    },
);

// ---- copies and casts ---------------------------------------------------------------------


/**
 * A copy with its own storage (gradients flow through).
 * @example
 * const a = tensor([1, 2]);
 * const b = a.clone();
 * b.data === a.data; // false
 * b; // [1, 2]
 */
export const clone = defineOp(
  { name: 'clone', latex: ([a]) => a, doc: 'A copy with its own storage; gradients flow through.', label: 'clone', onnx: { opType: 'Identity' } },
  (def) =>
    function clone(x: Tensor): Tensor {
    assertTensor(x, 'clone');
    const out = new Tensor(x.data.slice(), x.shape);
    return record(def, [x], out, (g) => [g]);
  },
);

/**
 * A tensor sharing storage with x but cut from the graph (no gradient flows back).
 * @example
 * const w = tensor([1, 2], { requiresGrad: true });
 * w.mul(2).detach().requiresGrad; // false
 */
export const detach = defineOp(
  { name: 'detach', doc: 'A tensor sharing storage with the input, cut from the graph (no gradient flows back).', grad: 'none' },
  () =>
    function detach(x: Tensor): Tensor {
    assertTensor(x, 'detach');
    return new Tensor(x.data, x.shape, x.name);
  },
);


/**
 * Converts to another dtype; float-to-float casts pass gradients through.
 * @example
 * cast(tensor([1.5, 2.5]), 'int32') // [1, 2]
 * tensor([1, 0]).to('bool') // [true, false]
 * tensor([1]).to('float64').dtype // 'float64'
 */
export const cast = defineOp(
  { name: 'cast', latex: ([a]) => a, doc: 'Converts to another dtype; float-to-float casts pass gradients through.', params: [{ name: 'dtype', type: 'dtype' }], method: 'to', label: 'cast', onnx: { opType: 'Cast' } },
  (def) =>
    function cast(x: Tensor, dtype: DType): Tensor {
    assertTensor(x, 'to');
    assertDType(dtype, 'to');
    if (x.dtype === dtype) return x;
    const out = empty(x.shape, dtype);
    kernels().cast(x.data, out.data);
    if (!isFloat(dtype) || !isFloat(x.dtype)) return out;
    return record(def, [x], out, (g) => [cast(g, x.dtype)], { dtype });
  },
);
