// The CSR sparse × dense product (ops/sparse.ts, the first layer of the TF-IDF models): an op of
// the table run by the backend's csrMatmul kernel, checked on every backend against the dense
// product, by float64 gradcheck, and by gradcheck of its gradient (double backward).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {type Tensor, getBackend, grad, gradcheck, listBackends, manualSeed, matmul, rand, randn, setBackend, sparseMatmul, sparseMatmulT, tensor, text } from 'chainrule';
import { opNamed } from '../src/ops/index.js';
import { jsBackend } from '../src/backend/js/index.js';
import { registerBackend } from '../src/backend/registry.js';
import { type CsrMatrix, csrFromRows, csrToDense } from '../src/tensor/sparse.js';

const X = csrFromRows(
  [new Map([[0, 2], [3, -1]]), new Map(), new Map([[1, 0.5], [2, 3], [4, 1]]), new Map([[4, -2]])],
  5,
);

const initial = getBackend();

function onBackend(backend: string, fn: () => void): void {
  setBackend(backend);
  try {
    fn();
  } finally {
    setBackend(initial);
  }
}

/** A random CSR matrix of about `density` non-zeros (values exact in float32), with empty rows and columns. */
function randomCsr(rows: number, cols: number, density: number): CsrMatrix {
  const u = rand([rows, cols]).data;
  const v = randn([rows, cols]).data;
  const maps = Array.from({ length: rows }, (_, r) => {
    const m = new Map<number, number>();
    if (r % 7 === 3) return m;
    for (let c = 0; c < cols; c++) if (c % 11 !== 5 && u[r * cols + c] < density) m.set(c, Math.round(v[r * cols + c] * 64) / 64);
    return m;
  });
  return csrFromRows(maps, cols);
}

function dense(m: CsrMatrix, dtype: 'float32' | 'float64'): Tensor {
  return tensor(csrToDense(m), { dtype, shape: [m.rows, m.cols] });
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
}

describe('sparseMatmul', () => {
  it('matches a hand computation and the dense product', () => {
    const W = tensor([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]], { dtype: 'float64' });
    // row 0: 2*[1,2] - [7,8] = [-5,-4]; row 2: 0.5*[3,4] + 3*[5,6] + [9,10] = [25.5, 30]; row 3: -2*[9,10]
    assert.deepEqual(sparseMatmul(X, W).toArray(), [[-5, -4], [0, 0], [25.5, 30], [-18, -20]]);
    const d = tensor(csrToDense(X), { dtype: 'float64', shape: [4, 5] });
    assert.deepEqual(sparseMatmul(X, W).toArray(), matmul(d, W).toArray());
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
    assert.throws(() => sparseMatmulT(X, tensor([[1, 2]])), /sparseMatmulT: cannot multiply sparse \[4,5\]\^T by \[1,2\] \(G must be \[4,h\]\)/);
    assert.throws(() => sparseMatmul(X, tensor([[1], [2], [3], [4], [5]], { dtype: 'int32' })), /sparseMatmul: W must be a float tensor, got int32/);
    assert.throws(() => sparseMatmul({ rows: 1 } as CsrMatrix, tensor([[1]])), /sparseMatmul: the sparse operand must be a CsrMatrix/);
  });
  it('is an op of the table (not a Tensor method), re-exported by text, and recorded with its own entry', () => {
    assert.equal(opNamed('sparseMatmul'), sparseMatmul);
    assert.equal(opNamed('sparseMatmulT'), sparseMatmulT);
    assert.equal(text.sparseMatmul, sparseMatmul);
    assert.equal(text.sparseMatmulT, sparseMatmulT);
    assert.equal(text.csrFromRows, csrFromRows);
    const W = randn([5, 2]).requiresGrad_();
    assert.equal(sparseMatmul(X, W).node?.op, sparseMatmul.def);
    assert.equal(sparseMatmulT(X, randn([4, 2]).requiresGrad_()).node?.op, sparseMatmulT.def);
    assert.equal((W as unknown as Record<string, unknown>).sparseMatmul, undefined);
  });
  it('runs on the active backend: its csrMatmul kernel, both ways', () => {
    const calls: boolean[] = [];
    registerBackend({
      ...jsBackend,
      name: 'js-counting-csr',
      csrMatmul: (a, b, n, out, transpose) => {
        calls.push(transpose);
        jsBackend.csrMatmul(a, b, n, out, transpose);
      },
    });
    onBackend('js-counting-csr', () => {
      const W = randn([5, 2], { dtype: 'float64' }).requiresGrad_();
      sparseMatmul(X, W).sum().backward();
    });
    assert.deepEqual(calls, [false, true]);
  });
});

for (const backend of listBackends()) {
  describe(`sparseMatmul on the ${backend} backend`, () => {
    it('equals the dense product, forward and transposed, in float32 and float64', () => {
      onBackend(backend, () => {
        manualSeed(11);
        for (const [rows, cols, h] of [
          [4, 5, 1],
          [37, 80, 7],
          [120, 300, 33],
        ]) {
          const m = randomCsr(rows, cols, 0.1);
          for (const dtype of ['float32', 'float64'] as const) {
            const W = randn([cols, h], { dtype });
            const G = randn([rows, h], { dtype });
            const tol = dtype === 'float32' ? 1e-5 : 1e-12;
            const y = sparseMatmul(m, W);
            assert.equal(y.dtype, dtype);
            assert.deepEqual(y.shape, [rows, h]);
            close(y.data, matmul(dense(m, dtype), W).data, tol);
            const t = sparseMatmulT(m, G);
            assert.deepEqual(t.shape, [cols, h]);
            close(t.data, matmul(dense(m, dtype).transpose(0, 1), G).data, tol);
          }
        }
      });
    });
    it('passes float64 gradcheck, and gradcheck of its gradient (double backward)', () => {
      onBackend(backend, () => {
        manualSeed(5);
        const m = randomCsr(9, 12, 0.3);
        const W = randn([12, 3], { dtype: 'float64' });
        const G = randn([9, 3], { dtype: 'float64' });
        assert.ok(gradcheck((w) => sparseMatmul(m, w).tanh(), [W]).ok);
        assert.ok(gradcheck((g) => sparseMatmulT(m, g).sin(), [G]).ok);
        // the gradient of sum(tanh(X W)) is Xᵀ(1 - tanh²(X W)): differentiate it again in W
        const dW = (w: Tensor) => grad((v: Tensor) => sparseMatmul(m, v).tanh().sum(), { createGraph: true })(w)[0];
        assert.ok(gradcheck(dW, [W], { atol: 1e-6, rtol: 1e-5 }).ok);
        const dG = (g: Tensor) => grad((v: Tensor) => sparseMatmulT(m, v).square().sum(), { createGraph: true })(g)[0];
        assert.ok(gradcheck(dG, [G], { atol: 1e-6, rtol: 1e-5 }).ok);
        // the double-backward graph is made of the two sparse ops
        const w = W.detach().requiresGrad_();
        const g1 = dW(w);
        assert.ok(g1.requiresGrad);
        const [g2] = grad((v: Tensor) => dW(v).sum())(w);
        assert.deepEqual(g2.shape, [12, 3]);
      });
    });
  });
}
