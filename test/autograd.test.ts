import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChainruleError,
  type Tensor,
  customOp,
  detectAnomaly,
  grad,
  gradcheck,
  jacobian,
  noGrad,
  randn,
  manualSeed,
  tensor,
  valueAndGrad,
  vjp,
} from 'chainrule';

const f64 = { dtype: 'float64' as const };

describe('backward', () => {
  it('sums gradients over fan-out: b = a + a gives a.grad = 2', () => {
    const a = tensor([3], { ...f64, requiresGrad: true });
    a.add(a).sum().backward();
    assert.deepEqual(a.grad?.toArray(), [2]);
  });

  it('reductions of 0-d tensors keep the graph behind them', () => {
    const x = tensor(2, { ...f64, requiresGrad: true });
    const y = x.mul(3);
    y.sum().add(y.mean()).add(y.max()).backward();
    assert.equal(x.grad?.item(), 9);
    assert.equal(y.node?.op.name, 'mul');
  });

  it('accumulates across backward calls until zeroed', () => {
    const a = tensor([1, 2], { ...f64, requiresGrad: true });
    a.mul(a).sum().backward();
    a.mul(3).sum().backward();
    assert.deepEqual(a.grad?.toArray(), [5, 7]);
    a.grad = null;
    a.sum().backward();
    assert.deepEqual((a.grad as Tensor | null)?.toArray(), [1, 1]);
  });

  it('accepts an explicit upstream gradient of any shape', () => {
    const x = tensor([[1, 2], [3, 4]], { ...f64, requiresGrad: true });
    const y = x.mul(x);
    y.backward(tensor([[1, 0], [0, 3]], f64));
    assert.deepEqual(x.grad?.toArray(), [[2, 0], [0, 24]]);
  });

  it('refuses a non-scalar output without an upstream gradient, naming the shape', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /upstream gradient is needed for a non-scalar output of shape \[2\]/);
    assert.throws(() => x.mul(2).backward(tensor([1, 2, 3], f64)), /upstream gradient shape \[3\] does not match output shape \[2\]/);
  });

  it('keeps gradients of intermediates only when retained', () => {
    const x = tensor([2], { ...f64, requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const k = h.exp();
    k.mul(h).sum().backward();
    // d/dh (e^h h) = e^h (1 + h) at h = 6
    assert.ok(Math.abs((h.grad?.item() ?? 0) - Math.exp(6) * 7) < 1e-9);
    assert.equal(k.grad, null);
    assert.ok(Math.abs((x.grad?.item() ?? 0) - 3 * Math.exp(6) * 7) < 1e-8);
  });

  it('records nothing under noGrad and cuts the graph at detach', () => {
    const x = tensor([2], { ...f64, requiresGrad: true });
    const y = noGrad(() => x.mul(x));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
    const z = x.mul(x.detach()).sum();
    z.backward();
    assert.deepEqual(x.grad?.toArray(), [2]);
  });

  it('gives distinct .grad storage to inputs that received the same gradient', () => {
    const a = tensor([1], { ...f64, requiresGrad: true });
    const b = tensor([2], { ...f64, requiresGrad: true });
    a.add(b).sum().backward();
    a.grad!.data[0] = 100;
    assert.equal(b.grad?.item(), 1);
  });

  it('never lets .grad share storage with a seed, a forward value or a retained gradient', () => {
    // the upstream gradient reaches x unchanged through a reshape
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const up = tensor([[3, 4]], f64);
    x.reshape([1, 2]).backward(up);
    x.grad!.data[0] = 100;
    assert.deepEqual(up.toArray(), [[3, 4]]);
    // a custom backward that returns a forward value as the gradient
    const w = tensor([5, 6], f64);
    const leak = customOp({ name: 'leak', forward: (t) => t.mul(w), backward: () => [w] });
    const y = tensor([1, 1], { ...f64, requiresGrad: true });
    leak(y).sum().backward();
    y.grad!.data[0] = -1;
    assert.deepEqual(w.toArray(), [5, 6]);
    // a retained intermediate whose gradient is passed on unchanged to a leaf
    const a = tensor([1, 2], { ...f64, requiresGrad: true });
    const h = a.add(0);
    h.retainGrad();
    h.sum().backward();
    a.grad!.data[1] = 7;
    assert.deepEqual(h.grad?.toArray(), [1, 1]);
    // a second backward accumulates into the leaf's own storage
    const before = a.grad!;
    a.add(0).sum().backward();
    assert.deepEqual(a.grad?.toArray(), [2, 8]);
    assert.deepEqual(before.toArray(), [1, 7]);
  });

  it('differentiates twice with createGraph (double backward)', () => {
    const x = tensor([0.7, -1.3], { ...f64, requiresGrad: true });
    const y = x.tanh().mul(x).sum();
    const [g] = grad((t) => t.tanh().mul(t).sum(), { createGraph: true })(x);
    // d2/dx2 [x tanh x] = 2 sech^2 x - 2 x tanh x sech^2 x
    const [h] = grad((t) => grad((u) => u.tanh().mul(u).sum(), { createGraph: true })(t)[0].sum())(x);
    const expect = [0.7, -1.3].map((v) => {
      const s2 = 1 / Math.cosh(v) ** 2;
      return 2 * s2 - 2 * v * Math.tanh(v) * s2;
    });
    (h.toArray() as number[]).forEach((v, i) => {
      assert.ok(Math.abs(v - expect[i]) < 1e-12);
    });
    assert.equal(y.requiresGrad, true);
    assert.equal(g.requiresGrad, true);
  });

  it('y.backward({ createGraph: true }) leaves differentiable gradients in .grad', () => {
    const x = tensor([1.5], { ...f64, requiresGrad: true });
    x.pow(3).sum().backward({ createGraph: true });
    const g = x.grad as Tensor;
    assert.equal(g.item(), 3 * 1.5 ** 2);
    assert.ok(g.requiresGrad);
    const [h] = grad((t) => t.pow(3).sum())(x);
    assert.equal(h.item(), 3 * 1.5 ** 2);
    x.grad = null;
    g.sum().backward();
    assert.equal((x.grad as Tensor | null)?.item(), 6 * 1.5);
  });

  it('computes Hessian-vector products through matmul and elementwise ops', () => {
    manualSeed(3);
    const A = randn([3, 3], f64);
    const v = randn([3], f64);
    // f(x) = 0.5 * sum(sigmoid(A x)^2); check H v against finite differences of the gradient
    const f = (x: Tensor) => A.matmul(x).sigmoid().square().sum().mul(0.5);
    const hvp = (x: Tensor) => grad((t) => grad(f, { createGraph: true })(t)[0].mul(v).sum())(x)[0];
    const x0 = randn([3], f64);
    const eps = 1e-6;
    const gAt = (x: Tensor) => grad(f)(x)[0];
    const fd = gAt(x0.add(v.mul(eps))).sub(gAt(x0.sub(v.mul(eps)))).div(2 * eps);
    const got = hvp(x0).toArray() as number[];
    (fd.toArray() as number[]).forEach((e, i) => {
      assert.ok(Math.abs(got[i] - e) < 1e-7, `${got[i]} vs ${e}`);
    });
  });

  it('gradchecks second derivatives of every elementwise op family', () => {
    manualSeed(5);
    const x = randn([4], f64).mul(0.8);
    const secondOf = (f: (t: Tensor) => Tensor) => (t: Tensor) =>
      grad((u) => f(u).sum(), { createGraph: true })(t)[0];
    for (const f of [
      (t: Tensor) => t.sigmoid(),
      (t: Tensor) => t.exp().mul(t),
      (t: Tensor) => t.gelu(),
      (t: Tensor) => t.softplus(),
      (t: Tensor) => t.softmax(0),
      (t: Tensor) => t.square().add(3).log(),
      (t: Tensor) => t.elu(),
    ]) {
      assert.ok(gradcheck(secondOf(f), [x]).ok);
    }
  });
});

describe('functional API', () => {
  it('valueAndGrad returns the value and gradients w.r.t. every argument', () => {
    const [v, [ga, gb]] = valueAndGrad((a, b) => a.mul(b).sum())(tensor([2, 3], f64), tensor([5, 7], f64));
    assert.equal(v.item(), 31);
    assert.deepEqual(ga.toArray(), [5, 7]);
    assert.deepEqual(gb.toArray(), [2, 3]);
  });

  it('vjp pulls back a cotangent', () => {
    const [y, pull] = vjp((x) => x.mul(x), tensor([1, 2, 3], f64));
    assert.deepEqual(y.toArray(), [1, 4, 9]);
    assert.deepEqual(pull(tensor([1, 1, 2], f64))[0].toArray(), [2, 4, 12]);
  });

  it('jacobian of a sigmoid node is diag(s(1-s)) (seed 002, exercise 8 ii)', () => {
    const s = tensor([0.5, -1, 2], f64);
    const J = jacobian((x) => x.sigmoid(), s).toArray() as number[][];
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    J.forEach((row, i) => {
      row.forEach((v, j) => {
        const e = i === j ? sig([0.5, -1, 2][i]) * (1 - sig([0.5, -1, 2][i])) : 0;
        assert.ok(Math.abs(v - e) < 1e-15);
      });
    });
  });

  it('jacobian of a matrix-vector node W o with respect to o is W (seed 002, exercise 8 iii)', () => {
    const W = tensor([[1, -2, 3], [0.5, 4, -1]], f64);
    const J = jacobian((o) => W.matmul(o), tensor([1, 1, 1], f64));
    assert.deepEqual(J.toArray(), W.toArray());
  });
});

describe('gradcheck and anomaly mode', () => {
  it('gradcheck passes a correct custom op and reports the worst element of a wrong one', () => {
    const cube = customOp({ name: 'cube', forward: (x) => x.pow(3), backward: (g, [x]) => [g.mul(x.square().mul(3))] });
    // the classic mistake: d/dx x^3 written as 3x instead of 3x^2
    const wrongCube = customOp({ name: 'cube', forward: (x) => x.pow(3), backward: (g, [x]) => [g.mul(x.mul(3))] });
    const x = tensor([0.5, 2, 1], f64);
    assert.ok(gradcheck(cube, [x]).ok);
    const report = gradcheck(wrongCube, [x], { raise: false });
    assert.equal(report.ok, false);
    // the error is largest at x = 2: |3·4 - 3·2| = 6 (0.75 at x = 0.5, none at x = 1)
    assert.equal(report.worst?.index, 1);
    assert.throws(() => gradcheck(wrongCube, [x]), /gradcheck: input 0, element 1: analytical/);
  });

  it('names the op whose forward produced the first NaN/Inf', () => {
    const x = tensor([1, 0], { ...f64, requiresGrad: true });
    assert.throws(() => detectAnomaly(() => x.sub(1).log().sum()), (e: Error) => e instanceof ChainruleError && /log produced -Infinity in its forward pass/.test(e.message));
  });

  it('names the op whose backward produced the first NaN/Inf', () => {
    const x = tensor([0, 4], { ...f64, requiresGrad: true });
    assert.throws(() => detectAnomaly(() => x.sqrt().sum().backward()), /the backward pass of sqrt produced Infinity \(in its div step\)/);
  });
});
