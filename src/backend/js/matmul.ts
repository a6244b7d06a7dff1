import type { GemmSpec, MatmulSpec, TypedArray } from '../types.js';

// Block sizes: a KC x NC panel of B (packed as doubles) stays in L2; MR x NR = 4 x 4 accumulators
// live in locals, so each packed load feeds four multiply-adds.
const KC = 256;
const NC = 256;

let packA = new Float64Array(4 * KC);
let packB = new Float64Array(KC * NC);

/** Offsets i·stride for i < n, or the first n entries of a table that replaces the stride. */
export function offsets(n: number, stride: number, table?: Int32Array): Float64Array {
  const o = new Float64Array(n);
  for (let i = 0; i < n; i++) o[i] = table ? table[i] : i * stride;
  return o;
}

/**
 * C[m x n] (+)= A @ B for one batch entry. A element (i, p) is at a[ao + ar[i] + ac[p]],
 * B element (p, j) at b[bo + br[p] + bc[j]] and C element (i, j) at c[co + i*crs + j*ccs], so
 * transposed or strided operands need no copy beyond packing.
 */
function gemm(
  a: TypedArray,
  ao: number,
  ar: Float64Array,
  ac: Float64Array,
  b: TypedArray,
  bo: number,
  br: Float64Array,
  bc: Float64Array,
  c: TypedArray,
  co: number,
  crs: number,
  ccs: number,
  m: number,
  n: number,
  k: number,
  accumulate: boolean,
): void {
  if (!accumulate) {
    if (ccs === 1 && crs === n) c.fill(0, co, co + m * n);
    else for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[co + i * crs + j * ccs] = 0;
  }
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
          const src = bo + br[p0 + p];
          for (let cc = 0; cc < 4; cc++) {
            const j = j0 + q * 4 + cc;
            packB[base + p * 4 + cc] = j < j0 + nc ? b[src + bc[j]] : 0;
          }
        }
      }
      for (let i0 = 0; i0 < m; i0 += 4) {
        const mr = Math.min(4, m - i0);
        // pack A[i0:i0+4, p0:p0+kc] as (p, r) at p*4 + r
        for (let p = 0; p < kc; p++) {
          const src = ao + ac[p0 + p];
          for (let r = 0; r < 4; r++) packA[p * 4 + r] = r < mr ? a[src + ar[i0 + r]] : 0;
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
            const row = co + (i0 + r) * crs + jj * ccs;
            for (let cc = 0; cc < nr; cc++) c[row + cc * ccs] += acc[r * 4 + cc];
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
  const [ar, ac, br, bc] = [offsets(m, ars), offsets(k, acs), offsets(k, brs), offsets(n, bcs)];
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
    gemm(a, ao, ar, ac, b, bo, br, bc, out, co, n, 1, m, n, k, false);
  }
}

/** Strided batched GEMM (see GemmSpec): every operand is read or written in place through its strides. */
export function stridedGemm(a: TypedArray, b: TypedArray, c: TypedArray, s: GemmSpec): void {
  const { batch, m, n, k, a: A, b: B, c: C } = s;
  const ar = offsets(m, A.rowStride, A.rowOffsets);
  const ac = offsets(k, A.colStride, A.colOffsets);
  const br = offsets(k, B.rowStride, B.rowOffsets);
  const bc = offsets(n, B.colStride, B.colOffsets);
  if (packA.length < 4 * KC) packA = new Float64Array(4 * KC);
  if (batch === 0 && s.sumBatch && !s.accumulate) {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) c[C.offset + i * C.rowStride + j * C.colStride] = 0;
  }
  for (let t = 0; t < batch; t++) {
    const co = C.offset + (s.sumBatch ? 0 : t * C.batchStride);
    const accumulate = s.accumulate || (s.sumBatch && t > 0);
    const ao = A.offset + t * A.batchStride;
    const bo = B.offset + t * B.batchStride;
    gemm(a, ao, ar, ac, b, bo, br, bc, c, co, C.rowStride, C.colStride, m, n, k, accumulate);
  }
}
