import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { CsrMatrix } from '../tensor/sparse.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { assertTensor } from './kernel.js';

function checkCsr(x: CsrMatrix, op: string): void {
  if (!x || !(x.indptr instanceof Int32Array) || !(x.indices instanceof Int32Array) || x.indptr.length !== x.rows + 1) {
    throw new ChainruleError(`${op}: the sparse operand must be a CsrMatrix (csrFromRows builds one)`);
  }
}

/** The product of a constant CSR matrix and a dense float tensor, on the active backend. */
function product(x: CsrMatrix, d: Tensor, transpose: boolean, op: string, what: string): Tensor {
  checkCsr(x, op);
  assertTensor(d, op, what);
  const k = transpose ? x.rows : x.cols;
  if (d.ndim !== 2 || d.shape[0] !== k) {
    throw new ChainruleError(
      `${op}: cannot multiply sparse ${fmtShape([x.rows, x.cols])}${transpose ? '^T' : ''} by ${fmtShape(d.shape)} (${what} must be [${k},h])`,
    );
  }
  if (!isFloat(d.dtype)) throw new ChainruleError(`${op}: ${what} must be a float tensor, got ${d.dtype}`);
  const h = d.shape[1];
  const out = empty([transpose ? x.cols : x.rows, h], d.dtype);
  kernels().csrMatmul(x, d.data, h, out.data, transpose);
  return out;
}

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
export const sparseMatmul = defineOp(
  {
    name: 'sparseMatmul',
    doc: 'Product of a constant CSR sparse matrix X [n, d] and a dense W [d, h], visiting only the non-zeros of X; differentiable w.r.t. W.',
    inputs: ['weight'],
    method: false,
    latex: ([w]) => `X ${w}`,
    label: 'X @',
  },
  (def) =>
    function sparseMatmul(x: CsrMatrix, w: Tensor): Tensor {
      const out = product(x, w, false, 'sparseMatmul', 'W');
      return record(def, [w], out, (g) => [sparseMatmulT(x, g)]);
    },
);

/**
 * X^T G for a constant sparse X [n, d] and dense G [n, h]: out [d, h]. The gradient of
 * {@link sparseMatmul} w.r.t. W; only the rows of out that X touches are non-zero.
 * @example sparseMatmulT(csrFromRows([new Map([[1, 2]])], 3), tensor([[5]])).toArray() // [[0], [10], [0]]
 */
export const sparseMatmulT = defineOp(
  {
    name: 'sparseMatmulT',
    doc: 'Xᵀ G for a constant CSR sparse matrix X [n, d] and a dense G [n, h]: the gradient of sparseMatmul w.r.t. its dense operand.',
    inputs: ['grad'],
    method: false,
    latex: ([g]) => `X^\\top ${g}`,
    label: 'Xᵀ @',
  },
  (def) =>
    function sparseMatmulT(x: CsrMatrix, g: Tensor): Tensor {
      const out = product(x, g, true, 'sparseMatmulT', 'G');
      return record(def, [g], out, (gg) => [sparseMatmul(x, gg)]);
    },
);
