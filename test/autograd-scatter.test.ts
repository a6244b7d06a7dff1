// The engine's in-place scatter path for view ops (index/narrow/permute/expand/asStrided):
// gradients must equal hand-computed values and the recorded (createGraph) path, including when
// one gradient tensor is shared by several inputs before more slices add into it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, asStrided, grad, manualSeed, randn, tensor } from 'chainrule';

function close(a: Tensor, b: Tensor): void {
  assert.deepEqual(a.shape, b.shape);
  for (let i = 0; i < a.size; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-12, `element ${i}: ${a.data[i]} vs ${b.data[i]}`);
}

test('overlapping narrows of one tensor sum their gradients (hand-computed)', () => {
  const x = tensor([1, 2, 3, 4, 5], { dtype: 'float64', requiresGrad: true });
  // d/dx of sum(x[0:3]) + 2*sum(x[2:5]) + 3*x[4]
  const loss = x.narrow(0, 0, 3).sum().add(x.narrow(0, 2, 3).sum().mul(2)).add(x.index(4).mul(3));
  loss.backward();
  assert.deepEqual(x.grad!.toArray(), [1, 1, 3, 2, 5]);
});

test('slices mixed with elementwise uses and a shared upstream gradient match the recorded path', () => {
  manualSeed(11);
  const f = (x: Tensor): Tensor => {
    const a = x.mul(2);
    const b = x.sin();
    const t = a.add(b); // add hands one gradient tensor to both a and b
    let loss = t.narrow(0, 0, 3).square().sum().add(t.narrow(0, 1, 4).sum());
    loss = loss.add(a.narrow(0, 2, 2).mul(5).sum()).add(b.index(0).mul(7).sum());
    loss = loss.add(t.permute([1, 0]).narrow(0, 1, 1).exp().sum()).add(x.expand([3, 5, 3]).mean());
    const win = asStrided(t, [2, 2], [3, 1], 1);
    return loss.add(win.mul(win).sum());
  };
  const x = randn([5, 3], { dtype: 'float64' });
  const [fast] = grad(f)(x);
  const [recorded] = grad(f, { createGraph: true })(x);
  close(fast, recorded);
});

test('a gradient handed to two inputs is copied before later slices add into one of them', () => {
  // t = a + b passes one gradient tensor to both a and b; slices of a then add into a's gradient.
  // Both orders of the loss terms, so the slice's backward runs before and after the add's.
  const x = tensor([1, 2, 3, 4], { dtype: 'float64' });
  const parts = (v: Tensor) => {
    const a = v.mul(2);
    const b = v.mul(3);
    const t = a.add(b);
    return [t.narrow(0, 0, 3).sum(), a.narrow(0, 1, 2).sum().mul(5)];
  };
  // dL/dx = 5·[1,1,1,0] (through t) + 2·5·[0,1,1,0] (through a's slice)
  const want = [5, 15, 15, 0];
  const [g1] = grad((v: Tensor) => {
    const [p, q] = parts(v);
    return p.add(q);
  })(x);
  const [g2] = grad((v: Tensor) => {
    const [p, q] = parts(v);
    return q.add(p);
  })(x);
  assert.deepEqual(g1.toArray(), want);
  assert.deepEqual(g2.toArray(), want);
  // the retained gradient of t must not pick up what later flows into a
  for (const first of [true, false]) {
    const xl = tensor([1, 2, 3, 4], { dtype: 'float64', requiresGrad: true });
    const a = xl.mul(2);
    const t = a.add(xl.mul(3)).retainGrad();
    const p = t.narrow(0, 0, 3).sum();
    const q = a.narrow(0, 1, 2).sum().mul(5);
    (first ? p.add(q) : q.add(p)).backward();
    assert.deepEqual(t.grad!.toArray(), [1, 1, 1, 0]);
    assert.deepEqual(xl.grad!.toArray(), want);
  }
});

test('the per-step slicing of an RNN input (index over time) gives the same gradient both ways', () => {
  manualSeed(5);
  const w = randn([4, 4], { dtype: 'float64' });
  const f = (xs: Tensor): Tensor => {
    let h = xs.index(0).tanh();
    for (let t = 1; t < xs.shape[0]; t++) h = xs.index(t).add(h.matmul(w)).tanh();
    return h.sum();
  };
  const x = randn([6, 2, 4], { dtype: 'float64' });
  close(grad(f)(x)[0], grad(f, { createGraph: true })(x)[0]);
});
