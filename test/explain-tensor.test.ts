// explain(tensor): the worked solution of any computation, from its autograd graph.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { F, type Tensor, derive, explain, render, solveFile, tensor } from 'chainrule';
import { root } from './explain-helpers.js';

const f64 = { dtype: 'float64' as const, requiresGrad: true };
const named = (t: Tensor, n: string) => {
  t.name = n;
  return t;
};

describe('explain(tensor)', () => {
  it('Network N built with tensor methods gives the same gradients as the problem file', () => {
    const p = (v: number, n: string) => tensor(v, { ...f64, name: n });
    const [x1, x2, x3, x4] = [p(0, 'x1'), p(2, 'x2'), p(-1, 'x3'), p(2, 'x4')];
    const [a, b, c, d] = [p(3, 'a'), p(4, 'b'), p(2, 'c'), p(2, 'd')];
    const x5 = named(x1.sigmoid(), 'x5');
    const x6 = named(a.mul(x2).add(b.mul(x3)).add(c.mul(x2).mul(x3)), 'x6');
    const x7 = named(x4.pow(2).add(d), 'x7');
    const x8 = named(x6.exp().div(x5.exp().add(x6.exp()).add(x7.exp())), 'x8');
    const dv = explain(x8, { seed: 3 });
    const ref = derive(solveFile(join(root, 'examples/problems/network-n.yaml')));
    for (const n of ['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'a', 'b', 'c', 'd']) {
      assert.ok(Math.abs((dv.grads[n] as number) - (ref.grads[n] as number)) < 1e-15, n);
    }
    // the user's tensors are left alone: no .grad accumulated
    assert.equal(a.grad, null);
    // each step's consumers sum to the engine's gradient
    for (const s of dv.backward) {
      if (!s.terms.length) continue;
      const sum = s.terms.reduce((acc, t) => acc + (t.contribution as number), 0);
      assert.ok(Math.abs(sum - (s.value as number)) < 1e-15, s.name);
    }
    const md = render(dv, 'md');
    assert.match(md, /\\frac\{\\partial L\}\{\\partial x_\{6\}\}/);
  });

  it('matrix graphs use the matrix-form rules and name unnamed tensors', () => {
    const W = tensor([[1, 2], [3, 4]], { ...f64, name: 'W' });
    const v = tensor([[1], [-0.5]], { dtype: 'float64', name: 'v' });
    const L = named(W.matmul(v).relu().sum(), 'L');
    const dv = explain(L);
    assert.deepEqual(dv.grads.W, [
      [0, 0],
      [1, -0.5],
    ]);
    const w = dv.backward.find((s) => s.name === 'W');
    assert.equal(w?.terms[0].matrixForm, true);
    assert.match(render(dv, 'text'), /∂L\/∂W = ∂L\/∂t1 vᵀ/);
  });

  it('ops without a problem-file spelling still get numbers from their recorded backward', () => {
    const x = tensor([1, 2, 3], { ...f64, name: 'x' });
    const y = named(x.reshape([3, 1]).mul(x.reshape([3, 1])).sum(), 'y');
    const dv = explain(y);
    assert.deepEqual(dv.grads.x, [2, 4, 6]);
    assert.match(render(dv, 'md'), /\\frac\{\\partial t1\}\{\\partial x\}|\\frac\{\\partial t_\{1\}\}\{\\partial x\}/);
  });
});

describe('explain(tensor) of a layer that multiplies by a transposed weight inside the kernel', () => {
  it('F.linear shows x Wᵀ, and its gradients are the engine\'s', () => {
    const x = tensor([[1, 2, 3]], { dtype: 'float64', name: 'x' });
    const W = tensor([[0.5, -1, 2], [0.25, 0, -0.5]], { ...f64, name: 'W' });
    const b = tensor([0.1, -0.2], { ...f64, name: 'b' });
    const L = named(F.linear(x, W, b).sigmoid().sum(), 'L');
    const dv = explain(L);
    assert.match(render(dv, 'text'), /t1 = x Wᵀ/);
    L.backward();
    const want = (W.grad as Tensor).toArray() as number[][];
    for (const [i, row] of (dv.grads.W as number[][]).entries()) {
      for (const [j, v] of row.entries()) assert.ok(Math.abs(v - want[i][j]) < 1e-15);
    }
    // the shown formula for dL/dW is a matrix-form rule, checked against the engine's numbers
    const w = dv.backward.find((s) => s.name === 'W');
    assert.equal(w?.terms[0].matrixForm, true);
  });
});

describe('explain(tensor) of an nn model', () => {
  it('names the parameters by their state-dict paths and never writes a double transpose', async () => {
    const { nn } = await import('chainrule');
    const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid(), new nn.Linear(2, 1));
    const y = m.forward(tensor([[0.5, -1]])).sum();
    const dv = explain(y, { model: m });
    for (const n of ['0.weight', '0.bias', '2.weight', '2.bias']) assert.ok(n in dv.grads, n);
    const text = render(dv, 'text');
    assert.doesNotMatch(text, /ᵀᵀ/);
    assert.match(render(dv, 'md'), /\\mathrm\{2\.weight\}/);
    y.backward();
    const want = (m.parameters()[2].grad as Tensor).toArray() as number[][];
    assert.ok(Math.abs((dv.grads['2.weight'] as number[][])[0][1] - want[0][1]) < 1e-6);
  });
});
