// matmulT(x, y) = x @ yᵀ with the transpose done inside the kernel: checked against matmul with an
// explicit transpose (an independent path), by float64 gradcheck, and by gradcheck of its gradient.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChainruleError, type Tensor, getBackend, grad, gradcheck, listBackends, manualSeed, matmul, matmulT, randn, setBackend, tensor } from 'chainrule';

const initial = getBackend();

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
}

test('matmulT on a hand-checked case', () => {
  const x = tensor([[1, 2, 3]], { dtype: 'float64' });
  const w = tensor(
    [
      [1, 0, 0],
      [0, 1, 1],
    ],
    { dtype: 'float64' },
  );
  assert.deepEqual(matmulT(x, w).toArray(), [[1, 5]]);
  assert.deepEqual(matmulT(tensor([1, 2, 3], { dtype: 'float64' }), w).toArray(), [1, 5]);
});

for (const backend of listBackends()) {
  test(`matmulT equals matmul with a transposed copy (${backend})`, () => {
    setBackend(backend);
    try {
      manualSeed(7);
      for (const [xs, ws] of [
        [[5, 7], [3, 7]],
        [[2, 4, 7], [3, 7]],
        [[2, 4, 7], [2, 3, 7]],
        [[7], [3, 7]],
        [[40, 33], [65, 33]],
      ] as const) {
        const x = randn([...xs]);
        const w = randn([...ws]);
        close(matmulT(x, w).data, matmul(x, w.transpose(-2, -1)).data, 1e-5);
        assert.deepEqual(matmulT(x, w).shape, matmul(x, w.transpose(-2, -1)).shape);
      }
    } finally {
      setBackend(initial);
    }
  });
}

test('matmulT gradients pass float64 gradcheck, including double backward', () => {
  manualSeed(3);
  const x = randn([4, 5], { dtype: 'float64' }).requiresGrad_();
  const w = randn([3, 5], { dtype: 'float64' }).requiresGrad_();
  assert.ok(gradcheck((a, b) => matmulT(a, b), [x, w]).ok);
  const xb = randn([2, 4, 5], { dtype: 'float64' }).requiresGrad_();
  assert.ok(gradcheck((a, b) => matmulT(a, b), [xb, w]).ok);
  // double backward: the gradient of sum((x wᵀ)^2) w.r.t. x, itself differentiated in x and w
  const inner = (a: Tensor, b: Tensor) => {
    const y = matmulT(a, b);
    return y.mul(y).sum();
  };
  assert.ok(gradcheck((a, b) => grad(inner, { createGraph: true })(a, b)[0], [x, w]).ok);
  assert.ok(gradcheck((a, b) => grad(inner, { createGraph: true })(a, b)[1], [x, w]).ok);
});

test('a batch times one shared matrix (one folded GEMM): values and gradients', () => {
  manualSeed(9);
  const w = randn([5, 3], { dtype: 'float64' }).requiresGrad_();
  for (const shape of [
    [2, 4, 5],
    [2, 1, 3, 5],
  ]) {
    const a = randn(shape, { dtype: 'float64' }).requiresGrad_();
    // values against a loop of 2-D products over the flattened batch
    const got = matmul(a, w);
    const rows = a.reshape([-1, 5]);
    close(got.reshape([-1, 3]).data, matmul(rows, w).data, 1e-12);
    assert.ok(gradcheck((x, y) => matmul(x, y), [a, w]).ok);
    assert.ok(gradcheck((x, y) => matmulT(x, y.transpose(0, 1)), [a, w]).ok);
    const inner = (x: Tensor, y: Tensor) => matmul(x, y).square().sum();
    assert.ok(gradcheck((x, y) => grad(inner, { createGraph: true })(x, y)[1], [a, w]).ok);
  }
});

test('with only one operand requiring grad, that one gets the right gradient', () => {
  const x = tensor([[1, 2], [3, 4]], { dtype: 'float64' });
  const w = tensor([[1, 0], [2, 1], [0, 3]], { dtype: 'float64', requiresGrad: true });
  matmulT(x, w).sum().backward();
  // d sum(x wᵀ) / dw[j, p] = sum_i x[i, p]
  assert.deepEqual(w.grad!.toArray(), [[4, 6], [4, 6], [4, 6]]);
  assert.equal(x.grad, null);
  const y = tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
  matmul(y, tensor([[1, 1], [1, 0]], { dtype: 'float64' })).sum().backward();
  assert.deepEqual(y.grad!.toArray(), [[2, 1], [2, 1]]);
});

test('matmulT rejects mismatched inner dimensions with both shapes', () => {
  assert.throws(() => matmulT(randn([2, 3]), randn([4, 5])), (e: unknown) => e instanceof ChainruleError && /\[2,3\].*\[4,5\]/.test(e.message));
  assert.throws(() => matmulT(randn([2, 3]), randn([3])), ChainruleError);
});
