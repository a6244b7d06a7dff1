import type { TypedArray } from '../types.js';

/** Depth block of the packed layout; must equal KC in gemm.wat. */
export const KC = 256;
/** Rows of a packed A panel (MR in gemm.wat). */
export const MR = 4;

type Packed = Float32Array | Float64Array;

/**
 * Packs op(A) (m × k; element (i, p) at a[ao + i·ars + p·acs]) into mp panels of 4 rows per depth
 * block, the layout gemm.wat reads, at element offset d of dst. Rows past m are zero.
 */
export function packA(dst: Packed, d: number, a: TypedArray, ao: number, ars: number, acs: number, m: number, k: number, mp: number): void {
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    for (let i = 0; i < mp; i++) {
      for (let r = 0; r < MR; r++) {
        const row = i * MR + r;
        let t = d + r;
        const end = t + kc * MR;
        if (row < m) {
          for (let s = ao + row * ars + p0 * acs; t < end; t += MR, s += acs) dst[t] = a[s];
        } else {
          for (; t < end; t += MR) dst[t] = 0;
        }
      }
      d += kc * MR;
    }
  }
}

/**
 * Packs op(B) (k × n; element (p, j) at b[bo + p·brs + j·bcs]) into np panels of nr columns per
 * depth block at element offset d of dst. Columns past n are zero.
 */
export function packB(dst: Packed, d: number, b: TypedArray, bo: number, brs: number, bcs: number, n: number, k: number, np: number, nr: number): void {
  for (let p0 = 0; p0 < k; p0 += KC) {
    const kc = Math.min(KC, k - p0);
    for (let j = 0; j < np; j++) {
      if (bcs === 1 && (j + 1) * nr <= n) {
        // row-major B, full panel: copy nr contiguous values per depth step
        let s = bo + p0 * brs + j * nr;
        for (let p = 0, t = d; p < kc; p++, t += nr, s += brs) {
          for (let c = 0; c < nr; c++) dst[t + c] = b[s + c];
        }
      } else {
        for (let c = 0; c < nr; c++) {
          const col = j * nr + c;
          let t = d + c;
          const end = t + kc * nr;
          if (col < n) {
            for (let s = bo + p0 * brs + col * bcs; t < end; t += nr, s += brs) dst[t] = b[s];
          } else {
            for (; t < end; t += nr) dst[t] = 0;
          }
        }
      }
      d += kc * nr;
    }
  }
}
