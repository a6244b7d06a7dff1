import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradcheck, manualSeed, matmul, randn, tensor } from 'chainrule';
import { csrFromRows, csrToDense } from '../src/text/sparse.js';
import { sparseMatmul, sparseMatmulT } from '../src/text/sparse-matmul.js';

const X = csrFromRows(
  [new Map([[0, 2], [3, -1]]), new Map(), new Map([[1, 0.5], [2, 3], [4, 1]]), new Map([[4, -2]])],
  5,
);

describe('sparseMatmul', () => {
  it('matches a hand computation and the dense product', () => {
    const W = tensor([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], { dtype: 'float64' });
    // row 0: 2*[1,2] - [7,8] = [-5,-4]; row 2: 0.5*[3,4] + 3*[5,6] + [9,10] = [25.5, 30]; row 3: -2*[9,10]
    assert.deepEqual(sparseMatmul(X, W).toArray(), [[-5, -4], [0, 0], [25.5, 30], [-18, -20]]);
    const dense = tensor(csrToDense(X), { dtype: 'float64', shape: [4, 5] });
    assert.deepEqual(sparseMatmul(X, W).toArray(), matmul(dense, W).toArray());
  });
  it('passes gradcheck w.r.t. W, and its gradient is X^T g', () => {
    manualSeed(3);
    const W = randn([5, 3], { dtype: 'float64' });
    assert.ok(gradcheck((w) => sparseMatmul(X, w).tanh(), [W]).ok);
    assert.ok(gradcheck((g) => sparseMatmulT(X, g).square(), [randn([4, 3], { dtype: 'float64' })]).ok);
    const Wl = W.detach().requiresGrad_();
    sparseMatmul(X, Wl).sum().backward();
    // column sums of X: [2, 0.5, 3, -1, -1] broadcast over the 3 outputs
    assert.deepEqual(Wl.grad?.toArray(), [[2, 2, 2], [0.5, 0.5, 0.5], [3, 3, 3], [-1, -1, -1], [-1, -1, -1]]);
  });
  it('rejects mismatched shapes', () => {
    assert.throws(() => sparseMatmul(X, tensor([[1, 2]])), /sparseMatmul: cannot multiply sparse \[4,5\] by \[1,2\]/);
  });
});
