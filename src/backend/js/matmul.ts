import type { MatmulSpec, TypedArray } from '../types.js';

/** Copies a (rows x cols) matrix stored transposed (cols x rows) into row-major order. */
function untranspose(src: TypedArray, off: number, rows: number, cols: number): TypedArray {
  const Ctor = src.constructor as { new (n: number): TypedArray };
  const out = new Ctor(rows * cols);
  for (let c = 0; c < cols; c++) {
    const base = off + c * rows;
    for (let r = 0; r < rows; r++) out[r * cols + c] = src[base + r];
  }
  return out;
}

const KC = 256;
const NC = 512;

/**
 * C[m x n] = A[m x k] @ B[k x n], all row-major at the given offsets. Blocked over k and n so a
 * panel of B stays in cache; four rows of A share each load of B.
 */
function gemm(A: TypedArray, ao: number, B: TypedArray, bo: number, C: TypedArray, co: number, m: number, n: number, k: number): void {
  C.fill(0, co, co + m * n);
  for (let k0 = 0; k0 < k; k0 += KC) {
    const k1 = Math.min(k, k0 + KC);
    for (let j0 = 0; j0 < n; j0 += NC) {
      const j1 = Math.min(n, j0 + NC);
      let i = 0;
      for (; i + 4 <= m; i += 4) {
        const c0 = co + i * n;
        const c1 = c0 + n;
        const c2 = c1 + n;
        const c3 = c2 + n;
        const a0 = ao + i * k;
        for (let p = k0; p < k1; p++) {
          const x0 = A[a0 + p];
          const x1 = A[a0 + k + p];
          const x2 = A[a0 + 2 * k + p];
          const x3 = A[a0 + 3 * k + p];
          const bp = bo + p * n;
          for (let j = j0; j < j1; j++) {
            const y = B[bp + j];
            C[c0 + j] += x0 * y;
            C[c1 + j] += x1 * y;
            C[c2 + j] += x2 * y;
            C[c3 + j] += x3 * y;
          }
        }
      }
      for (; i < m; i++) {
        const c0 = co + i * n;
        const a0 = ao + i * k;
        for (let p = k0; p < k1; p++) {
          const x0 = A[a0 + p];
          const bp = bo + p * n;
          for (let j = j0; j < j1; j++) C[c0 + j] += x0 * B[bp + j];
        }
      }
    }
  }
}

export function matmul(a: TypedArray, b: TypedArray, out: TypedArray, s: MatmulSpec): void {
  const { batch, m, n, k } = s;
  for (let t = 0; t < batch; t++) {
    let A = a;
    let ao = t * s.strideA;
    let B = b;
    let bo = t * s.strideB;
    if (s.transA) {
      A = untranspose(a, ao, m, k);
      ao = 0;
    }
    if (s.transB) {
      B = untranspose(b, bo, k, n);
      bo = 0;
    }
    if (n === 1 && !s.transB) {
      // matrix-vector: one dot product per row
      for (let i = 0; i < m; i++) {
        let acc = 0;
        const ai = ao + i * k;
        for (let p = 0; p < k; p++) acc += A[ai + p] * B[bo + p];
        out[t * m + i] = acc;
      }
      continue;
    }
    gemm(A, ao, B, bo, out, t * m * n, m, n, k);
  }
}
