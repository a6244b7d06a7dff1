import type { CsrMatrix } from '../../tensor/sparse.js';
import type { TypedArray } from '../types.js';

/**
 * The CSR sparse × dense product (see Backend.csrMatmul): out = A·B, out [rows, n] and B
 * [cols, n]; or, transposed, out = Aᵀ·B, out [cols, n] and B [rows, n]. Cost O(nnz(A)·n) either
 * way: only the stored non-zeros are visited, so a wide sparse A is never densified.
 */
export function csrMatmul(a: CsrMatrix, b: TypedArray, n: number, out: TypedArray, transpose: boolean): void {
  const { rows, indptr, indices, values } = a;
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const ro = r * n;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      const v = values[k];
      const co = indices[k] * n;
      if (transpose) for (let j = 0; j < n; j++) out[co + j] += v * b[ro + j];
      else for (let j = 0; j < n; j++) out[ro + j] += v * b[co + j];
    }
  }
}
