import { matmul as jsMatmul } from '../js/matmul.js';
import type { MatmulSpec, TypedArray } from '../types.js';
import type { GemmExports } from './module.js';
import { MR, packA, packB } from './pack.js';

/**
 * Products with fewer multiply-adds per matrix (m·n·k) than this stay on the TypeScript kernel,
 * where packing, copying and the call into wasm would cost more than they save: measured on x64
 * in Node 20, 4³ runs 2-3x faster in TypeScript, 8³ already 1.4-1.6x faster in wasm, 16³ 2.5-3x.
 * Matrix-vector products (n = 1) stay there too: a column padded to a panel of 8 wastes 7/8 of
 * the kernel, and the TypeScript dot products are twice as fast.
 */
export const WASM_MIN_WORK = 512;

/** Largest linear memory the kernel grows to (bytes); bigger products run on the TypeScript kernel. */
const MAX_BYTES = 1 << 30;

/** The wasm matmul: packs each operand into the module's memory, runs gemm.wat, copies C out. */
export function createWasmMatmul(mod: GemmExports, minWork = WASM_MIN_WORK): (a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec) => void {
  const memory = mod.memory;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);

  /** Grows the memory to at least `bytes`; false when the engine refuses. */
  function reserve(bytes: number): boolean {
    if (bytes > MAX_BYTES) return false;
    const have = memory.buffer.byteLength;
    if (bytes > have) {
      try {
        memory.grow(Math.ceil((bytes - have) / 65536));
      } catch {
        return false;
      }
    }
    if (f32.buffer !== memory.buffer) {
      f32 = new Float32Array(memory.buffer);
      f64 = new Float64Array(memory.buffer);
    }
    return true;
  }

  return function matmul(a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec): void {
    const { batch, m, n, k } = s;
    const double = out instanceof Float64Array;
    if (m * n * k < minWork || m * n * k === 0 || n === 1 || (!double && !(out instanceof Float32Array))) {
      jsMatmul(a, b, out, s);
      return;
    }
    const es = double ? 8 : 4;
    const nr = double ? 4 : 8;
    const mp = Math.ceil(m / MR);
    const np = Math.ceil(n / nr);
    const mPad = mp * MR;
    const nPad = np * nr;
    // byte layout: packed A, packed B, padded C (all 32-byte multiples)
    const aBytes = mPad * k * es;
    const bBytes = nPad * k * es;
    const cBytes = mPad * nPad * es;
    if (!reserve(aBytes + bBytes + cBytes)) {
      jsMatmul(a, b, out, s);
      return;
    }
    const view = double ? f64 : f32;
    const bOff = aBytes / es;
    const cOff = (aBytes + bBytes) / es;
    // row/column strides of op(A) (m x k) and op(B) (k x n) inside one batch entry
    const [ars, acs] = s.transA ? [1, m] : [k, 1];
    const [brs, bcs] = s.transB ? [1, k] : [n, 1];
    for (let t = 0; t < batch; t++) {
      // a broadcast operand (stride 0) is packed once for the whole batch
      if (t === 0 || s.strideA !== 0) packA(view, 0, a, t * s.strideA, ars, acs, m, k, mp);
      if (t === 0 || s.strideB !== 0) packB(view, bOff, b, t * s.strideB, brs, bcs, n, k, np, nr);
      view.fill(0, cOff, cOff + mPad * nPad);
      mod.gemm(0, aBytes, aBytes + bBytes, mp, np, k, double ? 1 : 0);
      const co = t * m * n;
      if (nPad === n) {
        out.set(view.subarray(cOff, cOff + m * n), co);
      } else {
        for (let i = 0; i < m; i++) out.set(view.subarray(cOff + i * nPad, cOff + i * nPad + n), co + i * n);
      }
    }
  };
}
