// Where the elements an index names live in a tensor's storage: the parser of PyTorch-style index
// lists (integers, ranges, full slices, an ellipsis, integer and boolean index tensors) and the
// flat offsets of dim-wise index tensors (gather, scatter). The ops move data with the backend's
// gather and scatter kernels over these offsets; this file only does the index arithmetic.
import { ChainruleError, fmtShape } from '../errors.js';
import { type Shape, broadcastShapes, broadcastStrides, sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * An index into a tensor, one per dimension (PyTorch's x[...]): a number selects (and drops the
 * dim), a range `{ start, end, step }` or `[start, end, step]` keeps it, null keeps all of it,
 * '...' stands for as many nulls as the other entries leave, an int32 tensor picks elements
 * (advanced indexing, negative values count from the end) and a bool tensor is a mask over as
 * many dims as it has.
 */
export type IndexSpec =
  | number
  | null
  | '...'
  | {
      /** first index (negative: from the end; default 0) */
      start?: number;
      /** index past the last (negative: from the end; default: the dim's size) */
      end?: number;
      /** stride (positive; default 1) */
      step?: number;
    }
  | readonly [number?, number?, number?]
  | Tensor;

/** One advanced entry: index arrays (one per dim it covers, already non-negative) read at its shape. */
interface Advanced {
  dims: number[];
  arrays: Int32Array[];
  shape: number[];
  /** the number of kept (sliced) dims before it */
  before: number;
}

/** A parsed index: the basic part as a strided window, and the advanced entries. */
export interface ParsedIndex {
  offset: number;
  /** the kept dims of the basic part, in order */
  sizes: number[];
  strides: number[];
  advanced: Advanced[];
  /** the index as PyTorch writes it, for labels */
  text: string;
}

function isRange(s: unknown): s is { start?: number; end?: number; step?: number } {
  return typeof s === 'object' && s !== null && !Array.isArray(s) && !(s instanceof Tensor);
}

/** How many dims of the input an entry consumes. */
function width(s: IndexSpec): number {
  if (s === '...') return 0;
  if (s instanceof Tensor && s.dtype === 'bool') return s.ndim;
  return 1;
}

/** Parses an index list against a shape; errors name `op` and the shape. */
export function parseIndex(shape: Shape, specs: readonly IndexSpec[], op: string): ParsedIndex {
  const ndim = shape.length;
  const ellipses = specs.filter((s) => s === '...').length;
  if (ellipses > 1) throw new ChainruleError(`${op}: an index can have only one ellipsis ('...'), got ${ellipses} (shape ${fmtShape(shape)})`);
  const used = specs.reduce((a: number, s) => a + width(s), 0);
  if (used > ndim) throw new ChainruleError(`${op}: ${used} indices for a tensor of rank ${ndim} (shape ${fmtShape(shape)})`);
  const list: IndexSpec[] = [];
  for (const s of specs) {
    if (s === undefined) list.push(null);
    else if (s === '...') for (let i = 0; i < ndim - used; i++) list.push(null);
    else list.push(s);
  }
  while (list.reduce((a: number, s) => a + width(s), 0) < ndim) list.push(null);

  const st = stridesOf(shape);
  const sizes: number[] = [];
  const strides: number[] = [];
  const advanced: Advanced[] = [];
  const text: string[] = [];
  let offset = 0;
  let d = 0;
  for (const s of list) {
    if (typeof s === 'number') {
      const n = shape[d];
      if (!Number.isInteger(s) || s < -n || s >= n) {
        throw new ChainruleError(`${op}: index ${s} is out of range for dimension ${d} of size ${n} (shape ${fmtShape(shape)})`);
      }
      offset += (s < 0 ? s + n : s) * st[d];
      text.push(String(s));
      d++;
    } else if (s instanceof Tensor) {
      const k = width(s);
      advanced.push({ ...tensorEntry(s, shape, d, op), before: sizes.length });
      text.push(s.dtype === 'bool' ? 'mask' : 'idx');
      d += k;
    } else if (s === null || Array.isArray(s) || isRange(s)) {
      const n = shape[d];
      const r = Array.isArray(s) ? { start: s[0], end: s[1], step: s[2] } : ((s ?? {}) as { start?: number; end?: number; step?: number });
      const step = r.step ?? 1;
      if (!Number.isInteger(step) || step <= 0) throw new ChainruleError(`${op}: step must be a positive integer, got ${step}`);
      for (const v of [r.start, r.end]) {
        if (v !== undefined && v !== null && !Number.isInteger(v)) throw new ChainruleError(`${op}: range bounds must be integers, got ${v} for dimension ${d} (shape ${fmtShape(shape)})`);
      }
      const clampIdx = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      const start = clampIdx(r.start ?? 0);
      const end = clampIdx(r.end ?? n);
      const len = Math.max(0, Math.ceil((end - start) / step));
      offset += start * st[d];
      sizes.push(len);
      strides.push(st[d] * step);
      text.push(s === null ? ':' : `${start}:${end}${step !== 1 ? `:${step}` : ''}`);
      d++;
    } else {
      throw new ChainruleError(`${op}: an index is a number, a range, null, '...' or a tensor, got ${JSON.stringify(s) ?? String(s)} (shape ${fmtShape(shape)})`);
    }
  }
  return { offset, sizes, strides, advanced, text: text.join(',') };
}

/** The index arrays of an int32 index tensor (one dim) or a bool mask (its dims, through its nonzeros). */
function tensorEntry(t: Tensor, shape: Shape, d: number, op: string): Omit<Advanced, 'before'> {
  if (t.dtype === 'bool') {
    const k = t.ndim;
    const part = shape.slice(d, d + k);
    if (t.shape.some((n, i) => n !== part[i])) {
      throw new ChainruleError(`${op}: mask of shape ${fmtShape(t.shape)} does not match dims ${d}..${d + k - 1} of the indexed tensor's shape ${fmtShape(shape)}`);
    }
    const m = t.data;
    let count = 0;
    for (let i = 0; i < m.length; i++) if (m[i]) count++;
    const arrays = Array.from({ length: k }, () => new Int32Array(count));
    const ms = stridesOf(t.shape);
    let c = 0;
    for (let i = 0; i < m.length; i++) {
      if (!m[i]) continue;
      for (let j = 0; j < k; j++) arrays[j][c] = Math.floor(i / ms[j]) % t.shape[j];
      c++;
    }
    return { dims: Array.from({ length: k }, (_, j) => d + j), arrays, shape: [count] };
  }
  if (t.dtype !== 'int32') {
    throw new ChainruleError(`${op}: index tensors must be int32 or bool, got ${t.dtype} for dimension ${d} (shape ${fmtShape(shape)})`);
  }
  const n = shape[d];
  const src = t.data as Int32Array;
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (v < -n || v >= n) throw new ChainruleError(`${op}: index ${v} is out of range for dimension ${d} of size ${n} (shape ${fmtShape(shape)})`);
    out[i] = v < 0 ? v + n : v;
  }
  return { dims: [d], arrays: [out], shape: [...t.shape] };
}

/** Row-major positions of the index space `shape` read through `strides` from `offset`. */
export function stridedPositions(shape: Shape, strides: readonly number[], offset = 0): Int32Array {
  const total = sizeOf(shape);
  const out = new Int32Array(total);
  const r = shape.length;
  if (total === 0) return out;
  if (r === 0) {
    out[0] = offset;
    return out;
  }
  const n = shape[r - 1];
  const step = strides[r - 1];
  const idx = new Int32Array(r);
  let base = offset;
  for (let o = 0; o < total; o += n) {
    let p = base;
    for (let i = 0; i < n; i++, p += step) out[o + i] = p;
    for (let k = r - 2; k >= 0; k--) {
      idx[k]++;
      base += strides[k];
      if (idx[k] < shape[k]) break;
      base -= strides[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/**
 * Where the elements of an index live: the result's shape, and the storage offset of each run of
 * `run` consecutive elements (the trailing kept dims that are contiguous in storage and aligned
 * to it form one run, so a lookup of whole rows moves rows; otherwise run is 1).
 */
export interface IndexTarget {
  shape: number[];
  offsets: Int32Array;
  run: number;
}

/**
 * The result of a parsed index: its shape and the offsets of its elements' runs. Advanced entries'
 * index shapes broadcast together; their dims replace the indexed ones in place when the entries
 * are adjacent (no kept dim between them), and go first otherwise, as in PyTorch.
 */
export function indexOffsets(shape: Shape, p: ParsedIndex, op: string): IndexTarget {
  let b: number[] = [];
  for (const a of p.advanced) b = broadcastShapes(b, a.shape, op);
  const st = stridesOf(shape);
  const adv = new Int32Array(sizeOf(b));
  for (const a of p.advanced) {
    const at = stridedPositions(b, broadcastStrides(a.shape, b));
    a.arrays.forEach((arr, k) => {
      const s = st[a.dims[k]];
      for (let i = 0; i < adv.length; i++) adv[i] += arr[at[i]] * s;
    });
  }
  const adjacent = p.advanced.every((a) => a.before === p.advanced[0].before);
  const cut = p.advanced.length === 0 ? p.sizes.length : adjacent ? p.advanced[0].before : 0;
  const result = [...p.sizes.slice(0, cut), ...b, ...p.sizes.slice(cut)];
  // the trailing kept dims that are contiguous in storage make one run
  let run = 1;
  let k = p.sizes.length;
  while (k > cut && (p.sizes[k - 1] === 1 || p.strides[k - 1] === run)) {
    run *= p.sizes[k - 1];
    k--;
  }
  const total = sizeOf(shape);
  const build = (k: number) => {
    const pre = stridedPositions(p.sizes.slice(0, cut), p.strides.slice(0, cut), p.offset);
    const post = stridedPositions(p.sizes.slice(cut, k), p.strides.slice(cut, k));
    const out = new Int32Array(pre.length * adv.length * post.length);
    let o = 0;
    for (let i = 0; i < pre.length; i++) {
      for (let j = 0; j < adv.length; j++) {
        const base = pre[i] + adv[j];
        for (let q = 0; q < post.length; q++) out[o++] = base + post[q];
      }
    }
    return out;
  };
  if (run > 1 && total % run === 0) {
    const offsets = build(k);
    if (offsets.every((v) => v % run === 0)) return { shape: result, offsets, run };
  }
  return { shape: result, offsets: build(p.sizes.length), run: 1 };
}

/** Every element's offset of an index target (its runs spelled out). */
export function elementOffsets(t: IndexTarget): Int32Array {
  if (t.run === 1) return t.offsets;
  const out = new Int32Array(t.offsets.length * t.run);
  for (let i = 0; i < t.offsets.length; i++) {
    const o = t.offsets[i];
    for (let j = 0; j < t.run; j++) out[i * t.run + j] = o + j;
  }
  return out;
}

/**
 * The storage offsets in a tensor of shape `shape` that a dim-wise index names (gather, scatter):
 * for each position of the index, its own coordinates with the one along d replaced by its value.
 * The index may be smaller than the tensor outside d; its values are in range (checked by the op).
 */
export function dimOffsets(shape: Shape, d: number, idxShape: Shape, idx: Int32Array): Int32Array {
  const st = stridesOf(shape);
  const strides = st.map((s, i) => (i === d ? 0 : s));
  const out = stridedPositions(idxShape, strides);
  for (let i = 0; i < out.length; i++) out[i] += idx[i] * st[d];
  return out;
}
