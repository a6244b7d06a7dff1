import { ChainruleError } from '../errors.js';

/**
 * A sparse matrix in compressed sparse row form: the non-zeros of row r are
 * `values[indptr[r] .. indptr[r + 1])` at columns `indices[...]` (ascending within a row).
 */
export interface CsrMatrix {
  /** number of rows (like `torch.sparse_csr_tensor`'s `size[0]`) */
  rows: number;
  /** number of columns (`size[1]`) */
  cols: number;
  /** row pointers, length `rows + 1`: row r's entries are `indptr[r]` up to `indptr[r + 1]` (PyTorch's `crow_indices`) */
  indptr: Int32Array;
  /** the column of each stored entry, length nnz, ascending within a row (PyTorch's `col_indices`) */
  indices: Int32Array;
  /** the value of each stored entry, length nnz, aligned with `indices` */
  values: Float32Array;
}

/**
 * Builds a CSR matrix from per-row maps column -> value (zeros are dropped, columns sorted).
 * @example csrFromRows([new Map([[2, 1.5]]), new Map()], 3).indptr // [0, 1, 1]
 */
export function csrFromRows(rows: readonly Map<number, number>[], cols: number): CsrMatrix {
  let nnz = 0;
  for (const r of rows) nnz += r.size;
  const indptr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let k = 0;
  rows.forEach((r, i) => {
    const entries = [...r.entries()].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    for (const [c, v] of entries) {
      if (c < 0 || c >= cols) throw new ChainruleError(`csrFromRows: column ${c} of row ${i} is outside [0, ${cols})`);
      indices[k] = c;
      values[k++] = v;
    }
    indptr[i + 1] = k;
  });
  return { rows: rows.length, cols, indptr, indices: indices.slice(0, k), values: values.slice(0, k) };
}

/**
 * The sub-matrix made of the given rows, in the given order (a mini-batch).
 * @example
 * const m = csrFromRows([new Map([[0, 1]]), new Map([[1, 2]]), new Map([[2, 3]])], 3);
 * const batch = csrSelectRows(m, [2, 0]);
 * batch.rows; // 2
 * csrToDense(batch); // [0, 0, 3, 1, 0, 0]
 */
export function csrSelectRows(m: CsrMatrix, rowIds: ArrayLike<number>): CsrMatrix {
  const n = rowIds.length;
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const r = rowIds[i];
    if (r < 0 || r >= m.rows) throw new ChainruleError(`csrSelectRows: row ${r} is outside [0, ${m.rows})`);
    indptr[i + 1] = indptr[i] + (m.indptr[r + 1] - m.indptr[r]);
  }
  const indices = new Int32Array(indptr[n]);
  const values = new Float32Array(indptr[n]);
  for (let i = 0; i < n; i++) {
    const r = rowIds[i];
    const a = m.indptr[r];
    const b = m.indptr[r + 1];
    indices.set(m.indices.subarray(a, b), indptr[i]);
    values.set(m.values.subarray(a, b), indptr[i]);
  }
  return { rows: n, cols: m.cols, indptr, indices, values };
}

/**
 * The dense row-major copy (for tests and small matrices only).
 * @example csrToDense(csrFromRows([new Map([[1, 2]])], 2)) // [0, 2]
 */
export function csrToDense(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) out[r * m.cols + m.indices[k]] += m.values[k];
  }
  return out;
}

/**
 * Number of stored non-zeros.
 * @example csrNnz(csrFromRows([new Map([[0, 1], [2, 5]])], 3)) // 2
 */
export function csrNnz(m: CsrMatrix): number {
  return m.indptr[m.rows];
}
