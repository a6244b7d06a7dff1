import { matmul as jsMatmul, offsets, stridedGemm as jsStridedGemm } from '../js/matmul.js';
import type { GemmSpec, MatmulSpec, TypedArray } from '../types.js';
import { Arena } from './arena.js';
import type { GemmExports } from './module.js';

/**
 * Products with fewer multiply-adds per matrix (m·n·k) than this stay on the TypeScript kernel,
 * where copying, packing and the call into wasm would cost more than they save: measured on x64
 * in Node 20, 4³ runs 2-3x faster in TypeScript, 8³ already 1.4-1.6x faster in wasm, 16³ 2.5-3x.
 * Matrix-vector products (n = 1) stay there too: a column padded to a panel of 8 wastes 7/8 of
 * the kernel, and the TypeScript dot products are twice as fast.
 */
export const WASM_MIN_WORK = 512;

/** Rows of a packed A panel (MR in gemm.wat). */
const MR = 4;

type View = Float32Array | Float64Array;

/**
 * The wasm matmul. Per batch entry: each operand is copied as stored into a staging area of the
 * module's memory (typed-array `set`, zero-padded to whole panels), packed there by gemm.wat's
 * packing functions, multiplied, and C is copied out.
 */
export function createWasmMatmul(mod: GemmExports, minWork = WASM_MIN_WORK): (a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec) => void {
  const arena = new Arena(mod.memory);

  /**
   * Copies the rows × cols matrix src[so ..] into view at element offset at, with rows of ld
   * elements and rowsPad rows, zeros in the padding.
   */
  function stage(view: View, at: number, src: TypedArray, so: number, rows: number, cols: number, ld: number, rowsPad: number): void {
    if (ld === cols) {
      view.set(src.subarray(so, so + rows * cols), at);
    } else if (cols >= 32) {
      copyRows(view, at, ld, src, so, cols, rows, cols);
      for (let r = 0; r < rows; r++) view.fill(0, at + r * ld + cols, at + (r + 1) * ld);
    } else {
      // short rows: element by element beats two calls per row
      for (let r = 0, t = at, f = so; r < rows; r++) {
        for (let c = 0; c < cols; c++) view[t++] = src[f++];
        for (let c = cols; c < ld; c++) view[t++] = 0;
      }
    }
    view.fill(0, at + rows * ld, at + rowsPad * ld);
  }

  /**
   * Packs op(X) (depth k, `len` = m or n rows/columns in panels of w) from src[so ..] into the panel
   * layout at byte address dst, through the staging area at byte address st. `sideBySide`: X is
   * stored k × len (a panel's values are adjacent), else len × k.
   */
  function pack(view: View, st: number, dst: number, src: TypedArray, so: number, len: number, k: number, w: number, sideBySide: boolean): void {
    const es = view.BYTES_PER_ELEMENT;
    const panels = Math.ceil(len / w);
    if (sideBySide) {
      stage(view, st / es, src, so, k, len, panels * w, k);
      mod.packPanels(st, panels * w * es, dst, panels, k, w * es);
    } else {
      stage(view, st / es, src, so, len, k, k, panels * w);
      if (es === 8) mod.packDepth64(st, k * es, dst, panels, k);
      else mod.packDepth32(st, k * es, dst, panels, k, w);
    }
  }

  return function matmul(a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec): void {
    const { batch, m, n, k } = s;
    const double = out instanceof Float64Array;
    const C = double ? Float64Array : Float32Array;
    const work = m * n * k;
    if (work < minWork || work === 0 || n === 1 || !(out instanceof C && a instanceof C && b instanceof C)) {
      jsMatmul(a, b, out, s);
      return;
    }
    const es = double ? 8 : 4;
    const nr = double ? 4 : 8;
    const mp = Math.ceil(m / MR);
    const np = Math.ceil(n / nr);
    const mPad = mp * MR;
    const nPad = np * nr;
    // byte layout: packed A, packed B, padded C, staging for one operand (all 32-byte multiples)
    const bAt = mPad * k * es;
    const cAt = bAt + nPad * k * es;
    const stAt = cAt + mPad * nPad * es;
    if (!arena.reserve(stAt + Math.max(mPad, nPad) * k * es)) {
      jsMatmul(a, b, out, s);
      return;
    }
    const view = double ? arena.f64 : arena.f32;
    const cOff = cAt / es;
    for (let t = 0; t < batch; t++) {
      // a broadcast operand (stride 0) is packed once for the whole batch
      if (t === 0 || s.strideA !== 0) pack(view, stAt, 0, a, t * s.strideA, m, k, MR, s.transA);
      if (t === 0 || s.strideB !== 0) pack(view, stAt, bAt, b, t * s.strideB, n, k, nr, !s.transB);
      view.fill(0, cOff, cOff + mPad * nPad);
      mod.gemm(0, bAt, cAt, mp, np, k, double ? 1 : 0);
      const co = t * m * n;
      copyRows(out, co, n, view, cOff, nPad, m, n);
    }
  };
}

/** dst[d + r·dld + c] = src[s + r·sld + c] for r < rows, c < cols. */
function copyRows(dst: TypedArray, d: number, dld: number, src: TypedArray, s: number, sld: number, rows: number, cols: number): void {
  if (dld === cols && sld === cols) {
    dst.set(src.subarray(s, s + rows * cols), d);
  } else if (cols >= 32) {
    // a typed-array set per row: memmove speed, but a fixed cost (the subarray) per call
    for (let r = 0; r < rows; r++) dst.set(src.subarray(s + r * sld, s + r * sld + cols), d + r * dld);
  } else {
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) dst[d + r * dld + c] = src[s + r * sld + c];
    }
  }
}

type Matmul = (a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec) => void;

/**
 * Copies the rows × cols operand at src[off + rowOffset[i] + colOffset[j]] into dst, whole runs at a
 * time: row by row when its columns are adjacent (row-major, returns false), column by column when
 * its rows are (column-major, returns true: the product reads it transposed), else element by
 * element (row-major).
 */
function gather(dst: TypedArray, src: TypedArray, off: number, rows: number, cols: number, o: GemmSpec['a'], ro: Float64Array, co: Float64Array): boolean {
  if (!o.colOffsets && o.colStride === 1) {
    for (let i = 0; i < rows; i++) dst.set(src.subarray(off + ro[i], off + ro[i] + cols), i * cols);
    return false;
  }
  if (!o.rowOffsets && o.rowStride === 1) {
    for (let j = 0; j < cols; j++) dst.set(src.subarray(off + co[j], off + co[j] + rows), j * rows);
    return true;
  }
  for (let i = 0, q = 0; i < rows; i++) {
    const r = off + ro[i];
    for (let j = 0; j < cols; j++) dst[q++] = src[r + co[j]];
  }
  return false;
}

/**
 * The strided batched GEMM (Backend.gemm, used by the convolutions) on top of the wasm matmul: per
 * batch entry, A and B are gathered through their strides or offset tables into contiguous
 * matrices (a broadcast operand once), multiplied in wasm, and C is written or accumulated through
 * its strides. The gathers cost O(mk + kn) against the product's O(mnk).
 */
export function createWasmStridedGemm(matmul: Matmul, minWork = WASM_MIN_WORK): (a: TypedArray, b: TypedArray, c: TypedArray, s: GemmSpec) => void {
  return function gemm(a: TypedArray, b: TypedArray, c: TypedArray, s: GemmSpec): void {
    const { batch, m, n, k, a: A, b: B, c: C } = s;
    const F = c instanceof Float64Array ? Float64Array : Float32Array;
    if (m * n * k < minWork || n === 1 || batch === 0 || !(c instanceof F && a instanceof F && b instanceof F)) {
      jsStridedGemm(a, b, c, s);
      return;
    }
    const ar = offsets(m, A.rowStride, A.rowOffsets);
    const ac = offsets(k, A.colStride, A.colOffsets);
    const br = offsets(k, B.rowStride, B.rowOffsets);
    const bc = offsets(n, B.colStride, B.colOffsets);
    const at = new F(m * k);
    const bt = new F(k * n);
    const ct = new F(m * n);
    const spec: MatmulSpec = { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 };
    for (let t = 0; t < batch; t++) {
      if (t === 0 || A.batchStride !== 0) spec.transA = gather(at, a, A.offset + t * A.batchStride, m, k, A, ar, ac);
      if (t === 0 || B.batchStride !== 0) spec.transB = gather(bt, b, B.offset + t * B.batchStride, k, n, B, br, bc);
      matmul(at, bt, ct, spec);
      const co = C.offset + (s.sumBatch ? 0 : t * C.batchStride);
      const add = s.accumulate || (s.sumBatch && t > 0);
      for (let i = 0, q = 0; i < m; i++) {
        const row = co + i * C.rowStride;
        if (add) for (let j = 0; j < n; j++) c[row + j * C.colStride] += ct[q++];
        else for (let j = 0; j < n; j++) c[row + j * C.colStride] = ct[q++];
      }
    }
  };
}
