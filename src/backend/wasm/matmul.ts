import { matmul as jsMatmul, stridedGemm as jsStridedGemm } from '../js/matmul.js';
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
 * The wasm matmul (`run` does the product of packed operands: the module's gemm, or a thread
 * pool's). Per batch entry: each operand is copied as stored into a staging area of the
 * module's memory (typed-array `set`, zero-padded to whole panels), packed there by gemm.wat's
 * packing functions, multiplied, and C is copied out.
 */
export function createWasmMatmul(mod: GemmExports, minWork = WASM_MIN_WORK, product?: PanelGemm): (a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec) => void {
  const arena = new Arena(mod.memory);
  const run = product ?? zeroThenGemm(mod, arena);

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
      // C starts at zero: each thread clears its own row panels (MR rows of nPad) first
      run(0, bAt, cAt, mp, np, k, double ? 1 : 0, (MR * nPad * es) / 4);
      const co = t * m * n;
      copyRows(out, co, n, view, cOff, nPad, m, n);
    }
  };
}

/**
 * The product of packed operands, C += A·B over mp row panels of C (byte offsets a, b, c), after
 * setting zeroWords 32-bit words of each row panel of C to zero (none when 0): the module's gemm, or
 * a thread pool's, whose threads clear and compute their own panels.
 */
export type PanelGemm = (a: number, b: number, c: number, mp: number, np: number, k: number, f64: number, zeroWords: number) => void;

function zeroThenGemm(mod: GemmExports, arena: Arena): PanelGemm {
  return (a, b, c, mp, np, k, f64, zeroWords) => {
    if (zeroWords) arena.f32.fill(0, c / 4, c / 4 + mp * zeroWords);
    mod.gemm(a, b, c, mp, np, k, f64);
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

/** [lo, hi] of the offsets table (i.e. i·stride or table[i]) over i < n. */
function extent(t: Int32Array, n: number): [number, number] {
  let lo = t[0];
  let hi = t[0];
  for (let i = 1; i < n; i++) {
    const v = t[i];
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Offsets i·stride (or the table's entries) for i < n, zero-padded to `len` entries. */
function tableOf(n: number, stride: number, table: Int32Array | undefined, len: number): Int32Array {
  const t = new Int32Array(len);
  if (table) t.set(table.subarray(0, n));
  else for (let i = 0; i < n; i++) t[i] = i * stride;
  return t;
}

/**
 * The strided batched GEMM (Backend.gemm, used by the convolutions) in wasm: per batch entry, the
 * span of each operand that the entry reads is copied into the module's memory as stored (a
 * broadcast operand once), packed there straight into the GEMM's panels through its offset tables
 * (packTable in gemm.wat: runs of consecutive offsets, such as a row of an image, move as vectors),
 * multiplied, and C is written or accumulated through its strides (a batch sum stays in the module
 * until the end).
 */
export function createWasmStridedGemm(mod: GemmExports, minWork = WASM_MIN_WORK, product?: PanelGemm): (a: TypedArray, b: TypedArray, c: TypedArray, s: GemmSpec) => void {
  const arena = new Arena(mod.memory);
  const run = product ?? zeroThenGemm(mod, arena);
  let i32 = new Int32Array(mod.memory.buffer);
  const ints = (): Int32Array => {
    if (i32.buffer !== mod.memory.buffer) i32 = new Int32Array(mod.memory.buffer);
    return i32;
  };
  const align = (bytes: number): number => Math.ceil(bytes / 32) * 32;

  return function gemm(a: TypedArray, b: TypedArray, c: TypedArray, s: GemmSpec): void {
    const { batch, m, n, k, a: A, b: B, c: C } = s;
    const double = c instanceof Float64Array;
    const F = double ? Float64Array : Float32Array;
    if (m * n * k < minWork || n === 1 || batch === 0 || !(c instanceof F && a instanceof F && b instanceof F)) {
      jsStridedGemm(a, b, c, s);
      return;
    }
    const es = double ? 8 : 4;
    const nr = double ? 4 : 8;
    const mp = Math.ceil(m / MR);
    const np = Math.ceil(n / nr);
    // A's lanes are its rows, its depth its columns; B's lanes are its columns, its depth its rows
    const aLanes = tableOf(m, A.rowStride, A.rowOffsets, mp * MR);
    const aDepth = tableOf(k, A.colStride, A.colOffsets, k);
    const bLanes = tableOf(n, B.colStride, B.colOffsets, np * nr);
    const bDepth = tableOf(k, B.rowStride, B.rowOffsets, k);
    const [al0, al1] = extent(aLanes, m);
    const [ad0, ad1] = extent(aDepth, k);
    const [bl0, bl1] = extent(bLanes, n);
    const [bd0, bd1] = extent(bDepth, k);
    // each entry reads A at offset + [lo, hi] (and B likewise); the tables are made relative to lo
    const aLo = al0 + ad0;
    const aSpan = al1 + ad1 - aLo + 1;
    const bLo = bl0 + bd0;
    const bSpan = bl1 + bd1 - bLo + 1;
    for (let i = 0; i < m; i++) aLanes[i] -= al0;
    for (let i = 0; i < k; i++) aDepth[i] -= ad0;
    for (let i = 0; i < n; i++) bLanes[i] -= bl0;
    for (let i = 0; i < k; i++) bDepth[i] -= bd0;
    // bytes: packed A, packed B, C (4mp rows of np·32 bytes), the two staged spans, the four tables
    const at: number[] = [];
    let end = 0;
    for (const size of [mp * MR * k * es, np * nr * k * es, mp * MR * np * 32, aSpan * es, bSpan * es, aLanes.length * 4, k * 4, bLanes.length * 4, k * 4]) {
      at.push(end);
      end += align(size);
    }
    const [paAt, pbAt, cAt, saAt, sbAt, t0, t1, t2, t3] = at;
    if (!arena.reserve(end)) {
      jsStridedGemm(a, b, c, s);
      return;
    }
    const mem = ints();
    mem.set(aLanes, t0 / 4);
    mem.set(aDepth, t1 / 4);
    mem.set(bLanes, t2 / 4);
    mem.set(bDepth, t3 / 4);
    const view = double ? arena.f64 : arena.f32;
    const cOff = cAt / es;
    const ldc = np * nr;
    const f64 = double ? 1 : 0;
    function writeOut(t: number): void {
      const co = C.offset + (s.sumBatch ? 0 : t * C.batchStride);
      const add = s.accumulate;
      for (let i = 0; i < m; i++) {
        const row = co + i * C.rowStride;
        const src = cOff + i * ldc;
        if (C.colStride === 1 && !add) c.set(view.subarray(src, src + n), row);
        else if (add) for (let j = 0; j < n; j++) c[row + j * C.colStride] += view[src + j];
        else for (let j = 0; j < n; j++) c[row + j * C.colStride] = view[src + j];
      }
    }
    for (let t = 0; t < batch; t++) {
      if (t === 0 || A.batchStride !== 0) {
        const o = A.offset + t * A.batchStride + aLo;
        view.set(a.subarray(o, o + aSpan), saAt / es);
        mod.packTable(saAt, t0, t1, paAt, mp, m, k, MR, f64);
      }
      if (t === 0 || B.batchStride !== 0) {
        const o = B.offset + t * B.batchStride + bLo;
        view.set(b.subarray(o, o + bSpan), sbAt / es);
        mod.packTable(sbAt, t2, t3, pbAt, np, n, k, nr, f64);
      }
      run(paAt, pbAt, cAt, mp, np, k, f64, t === 0 || !s.sumBatch ? (MR * ldc * es) / 4 : 0);
      if (!s.sumBatch) writeOut(t);
    }
    if (s.sumBatch) writeOut(0);
  };
}
