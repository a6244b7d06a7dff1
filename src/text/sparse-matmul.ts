import { record } from '../autograd/record.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { CsrMatrix } from './sparse.js';
import { assertTensor, type OpInfo, type Tensor } from '../ops/index.js';

const SPARSE_MATMUL: OpInfo = { name: 'sparseMatmul', latex: ([, w]) => `X ${w}` };
const SPARSE_MATMUL_T: OpInfo = { name: 'sparseMatmulT', latex: ([g]) => `X^\\top ${g}` };

/**
 * Product of a constant sparse matrix X [n, d] (CSR) and a dense tensor W [d, h]: out [n, h]
 * with out[r] = sum over the non-zeros (c, v) of row r of v * W[c]. Cost O(nnz(X) * h), so a
 * 50,000-column TF-IDF batch is never densified. Differentiable w.r.t. W:
 * dL/dW = X^T g, computed sparsely by {@link sparseMatmulT} (itself differentiable, so double
 * backward works).
 * @example
 * const X = csrFromRows([new Map([[0, 2]]), new Map([[1, 1], [2, 3]])], 3);
 * sparseMatmul(X, tensor([[1], [10], [100]])).toArray() // [[2], [310]]
 */
export function sparseMatmul(x: CsrMatrix, w: Tensor): Tensor {
  assertTensor(w, 'sparseMatmul', 'W');
  if (w.ndim !== 2 || w.shape[0] !== x.cols) {
    throw new ChainruleError(`sparseMatmul: cannot multiply sparse ${fmtShape([x.rows, x.cols])} by ${fmtShape(w.shape)} (W must be [${x.cols},h])`);
  }
  if (!isFloat(w.dtype)) throw new ChainruleError(`sparseMatmul: W must be a float tensor, got ${w.dtype}`);
  const h = w.shape[1];
  const out = empty([x.rows, h], w.dtype);
  const o = out.data;
  const W = w.data;
  const { indptr, indices, values } = x;
  for (let r = 0; r < x.rows; r++) {
    const ro = r * h;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      const v = values[k];
      const wo = indices[k] * h;
      for (let j = 0; j < h; j++) o[ro + j] += v * W[wo + j];
    }
  }
  return record(SPARSE_MATMUL, [w], out, (g) => [sparseMatmulT(x, g)]);
}

/**
 * X^T G for a constant sparse X [n, d] and dense G [n, h]: out [d, h]. The gradient of
 * {@link sparseMatmul} w.r.t. W; only the rows of out that X touches are non-zero.
 * @example sparseMatmulT(csrFromRows([new Map([[1, 2]])], 3), tensor([[5]])).toArray() // [[0], [10], [0]]
 */
export function sparseMatmulT(x: CsrMatrix, g: Tensor): Tensor {
  assertTensor(g, 'sparseMatmulT', 'G');
  if (g.ndim !== 2 || g.shape[0] !== x.rows) {
    throw new ChainruleError(`sparseMatmulT: cannot multiply sparse ${fmtShape([x.rows, x.cols])}^T by ${fmtShape(g.shape)} (G must be [${x.rows},h])`);
  }
  const h = g.shape[1];
  const out = empty([x.cols, h], g.dtype);
  const o = out.data;
  const G = g.data;
  const { indptr, indices, values } = x;
  for (let r = 0; r < x.rows; r++) {
    const go = r * h;
    for (let k = indptr[r]; k < indptr[r + 1]; k++) {
      const v = values[k];
      const oo = indices[k] * h;
      for (let j = 0; j < h; j++) o[oo + j] += v * G[go + j];
    }
  }
  return record(SPARSE_MATMUL_T, [g], out, (gg) => [sparseMatmul(x, gg)]);
}
