import type { MatmulSpec, TypedArray } from '../types.js';

// Block sizes: a KC x NC panel of B (packed as doubles) stays in L2; MR x NR = 4 x 4 accumulators
// live in locals, so each packed load feeds four multiply-adds.
const KC = 256;
const NC = 256;

let packA = new Float64Array(4 * KC);
let packB = new Float64Array(KC * NC);

/**
 * C[m x n] (+)= op(A) @ op(B) for one batch entry. A element (i, p) is at a[ao + i*ars + p*acs],
 * B element (p, j) at b[bo + p*brs + j*bcs], so transposed operands need no copy beyond packing.
 */
function gemm(
  a: TypedArray,
  ao: number,
  ars: number,
  acs: number,
  b: TypedArray,
  bo: number,
  brs: number,
  bcs: number,
  c: TypedArray,
  co: number,
  m: number,
  n: number,
  k: number,
): void {
  c.fill(0, co, co + m * n);
  if (packB.length < KC * NC) packB = new Float64Array(KC * NC);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    const nPanels = Math.ceil(nc / 4);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      // pack B[p0:p0+kc, j0:j0+nc] into 4-column panels: panel q holds (p, c) at q*kc*4 + p*4 + c
      for (let q = 0; q < nPanels; q++) {
        const base = q * kc * 4;
        for (let p = 0; p < kc; p++) {
          const src = bo + (p0 + p) * brs;
          for (let cc = 0; cc < 4; cc++) {
            const j = j0 + q * 4 + cc;
            packB[base + p * 4 + cc] = j < j0 + nc ? b[src + j * bcs] : 0;
          }
        }
      }
      for (let i0 = 0; i0 < m; i0 += 4) {
        const mr = Math.min(4, m - i0);
        // pack A[i0:i0+4, p0:p0+kc] as (p, r) at p*4 + r
        for (let p = 0; p < kc; p++) {
          const src = ao + (p0 + p) * acs;
          for (let r = 0; r < 4; r++) packA[p * 4 + r] = r < mr ? a[src + (i0 + r) * ars] : 0;
        }
        for (let q = 0; q < nPanels; q++) {
          let c00 = 0;
          let c01 = 0;
          let c02 = 0;
          let c03 = 0;
          let c10 = 0;
          let c11 = 0;
          let c12 = 0;
          let c13 = 0;
          let c20 = 0;
          let c21 = 0;
          let c22 = 0;
          let c23 = 0;
          let c30 = 0;
          let c31 = 0;
          let c32 = 0;
          let c33 = 0;
          let pb = q * kc * 4;
          let pa = 0;
          for (let p = 0; p < kc; p++, pa += 4, pb += 4) {
            const a0 = packA[pa];
            const a1 = packA[pa + 1];
            const a2 = packA[pa + 2];
            const a3 = packA[pa + 3];
            const b0 = packB[pb];
            const b1 = packB[pb + 1];
            const b2 = packB[pb + 2];
            const b3 = packB[pb + 3];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
          }
          const jj = j0 + q * 4;
          const nr = Math.min(4, n - jj);
          const acc = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
          for (let r = 0; r < mr; r++) {
            const row = co + (i0 + r) * n + jj;
            for (let cc = 0; cc < nr; cc++) c[row + cc] += acc[r * 4 + cc];
          }
        }
      }
    }
  }
}

export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec): void {
  const { batch, m, n, k } = s;
  if (packA.length < 4 * KC) packA = new Float64Array(4 * KC);
  // row/column strides of op(A) (m x k) and op(B) (k x n) inside one batch entry
  const [ars, acs] = s.transA ? [1, m] : [k, 1];
  const [brs, bcs] = s.transB ? [1, k] : [n, 1];
  for (let t = 0; t < batch; t++) {
    const ao = t * s.strideA;
    const bo = t * s.strideB;
    const co = t * m * n;
    if (n === 1) {
      // matrix-vector: one dot product per row
      for (let i = 0; i < m; i++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += a[ao + i * ars + p * acs] * b[bo + p * brs];
        out[co + i] = acc;
      }
      continue;
    }
    gemm(a, ao, ars, acs, b, bo, brs, bcs, out, co, m, n, k);
  }
}
