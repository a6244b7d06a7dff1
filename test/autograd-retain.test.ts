// A backward without retainGraph releases the graph it ran through (issue 17), as PyTorch's
// retain_graph=False does: each node drops its backward closure and the tensors it saved, a second
// backward through it throws naming the op, and intermediate gradients leave the sweep's map once
// propagated. retainGraph (default: createGraph) keeps the graph; the functional API retains
// where it runs through one graph more than once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ChainruleError, type Tensor, cat, explain, grad, jacobian, noGrad, record, tensor, toDot, valueAndGrad, vjp } from 'chainrule';
import { runBackward } from '../src/autograd/engine.js';
import { GRAD_OPS } from '../src/ops/index.js';

const f64 = { dtype: 'float64' as const };
// read through a call: after `x.grad = null` TypeScript would narrow x.grad to null
const gradOf = (t: Tensor): Tensor | null => t.grad;

// the test runner starts node without --expose-gc; V8 still lets a running process turn it on
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
// a WeakRef's target stays alive until the job that created or read it ends
const nextJob = () => new Promise<void>((resolve) => setImmediate(resolve));

const SECOND_TIME = /backward of exp \(output \[2\]\): trying to backward through the graph a second time.*Pass \{ retainGraph: true \} to the first backward/;

describe('a second backward through a released graph', () => {
  it('throws a ChainruleError that names the op and says to pass retainGraph', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const h = x.exp();
    const y = h.sum();
    y.backward();
    // y's own node (sum) is the first the second sweep reaches
    assert.throws(() => y.backward(), (e: unknown) => e instanceof ChainruleError && /backward of sum \(output \[\]\): trying to backward through the graph a second time/.test(e.message));
    // a new consumer of h reaches h's released exp node
    assert.throws(() => h.mul(2).sum().backward(), (e: unknown) => e instanceof ChainruleError && SECOND_TIME.test(e.message));
    // the leaf kept exactly the first gradient
    assert.deepEqual(x.grad?.toArray(), [Math.exp(1), Math.exp(2)]);
  });

  it('throws from a view op too (the in-place scatter path is released like any backward)', () => {
    const x = tensor([1, 2, 3], { ...f64, requiresGrad: true });
    const v = x.narrow(0, 1, 2); // recorded as index
    v.sum().backward();
    assert.throws(() => v.mul(3).sum().backward(), /backward of index \(output \[2\]\): trying to backward through the graph a second time/);
  });

  it('throws from the functional API, which releases what it ran through', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const h = x.exp();
    const [g] = grad((a) => a.sum())(h);
    assert.deepEqual(g.toArray(), [1, 1]);
    // grad ran only the path from the value to its argument h: h's own history is untouched
    h.sum().backward();
    assert.deepEqual(x.grad?.toArray(), [Math.exp(1), Math.exp(2)]);
    assert.throws(() => h.sum().backward(), SECOND_TIME);
  });
});

describe('retainGraph', () => {
  it('lets backward run twice; the leaves accumulate both (2x the gradient, as PyTorch)', () => {
    const x = tensor([0.5, -1, 2], { ...f64, requiresGrad: true });
    const y = x.exp().mul(x).sum(); // dy/dx = (1 + x) e^x
    y.backward({ retainGraph: true });
    const once = x.grad?.toArray() as number[];
    assert.deepEqual(once, [0.5, -1, 2].map((v) => (1 + v) * Math.exp(v)));
    y.backward();
    assert.deepEqual(x.grad?.toArray(), once.map((v) => 2 * v));
    // the second backward had no retainGraph: now the graph is released
    assert.throws(() => y.backward(), /backward of sum .*second time/);
  });

  it('works with an upstream gradient given as well', () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const y = x.square();
    y.backward(tensor([1, 10], f64), { retainGraph: true });
    y.backward(tensor([1, 10], f64));
    assert.deepEqual(x.grad?.toArray(), [4, 80]);
  });

  it('is implied by createGraph, and createGraph with retainGraph: false releases', () => {
    const x = tensor([3], { ...f64, requiresGrad: true });
    const y = x.pow(3).sum();
    y.backward({ createGraph: true });
    assert.equal(x.grad?.item(), 27);
    // the graph of y is kept: backward through it again, and through the gradient's own graph
    y.backward({ createGraph: true });
    assert.equal(x.grad?.item(), 54);
    const g = x.grad as Tensor;
    x.grad = null;
    g.backward(); // d(2·3x²)/dx = 12x
    assert.equal(gradOf(x)?.item(), 36);

    const z = tensor([2], { ...f64, requiresGrad: true });
    const w = z.pow(3).sum();
    w.backward({ createGraph: true, retainGraph: false });
    assert.throws(() => w.backward(), /backward of sum .*second time/);
    // the gradient's graph was built by that sweep and is still whole
    const gz = z.grad as Tensor;
    z.grad = null;
    gz.backward();
    assert.equal(gradOf(z)?.item(), 12);
  });
});

// outside withSaved: a closure made there would share (and keep) the scope that holds s
const scaleByExp = { name: 'scaleByExp', latex: ([a]: string[]) => `${a} e^{${a}}` };

/** An op `x·s` whose backward holds `s = exp(x)`, a tensor nothing else references; returns y and a WeakRef to s. */
function withSaved(x: Tensor): [Tensor, WeakRef<Tensor>] {
  const s = noGrad(() => x.exp());
  const y = record(scaleByExp, [x], noGrad(() => x.mul(s)), (g) => [g.mul(s).mul(x.add(1))]);
  return [y, new WeakRef(s)];
}

describe('the saved tensors are released', () => {
  it('a tensor only a backward closure holds is collected after backward, while the output is alive', async () => {
    const x = tensor([0, 1], { ...f64, requiresGrad: true });
    const [y, saved] = withSaved(x);
    const loss = y.sum();
    loss.backward();
    assert.deepEqual(x.grad?.toArray(), [1, 2 * Math.E]);
    await nextJob();
    gc();
    assert.equal(saved.deref(), undefined);
    // the graph's structure stays (drawings and explanations read it); only the backward is gone
    assert.equal(loss.node?.inputs[0], y);
    assert.equal(y.node?.op.name, 'scaleByExp');
    assert.throws(() => y.sum().backward(), /backward of scaleByExp \(output \[2\]\): trying to backward through the graph a second time/);
  });

  it('with retainGraph the same tensor survives collection, and a second backward reuses it', async () => {
    const x = tensor([0, 1], { ...f64, requiresGrad: true });
    const [y, saved] = withSaved(x);
    const loss = y.sum();
    loss.backward({ retainGraph: true });
    await nextJob();
    gc();
    assert.deepEqual(saved.deref()?.toArray(), [1, Math.E]);
    loss.backward();
    assert.deepEqual(x.grad?.toArray(), [2, 4 * Math.E]);
  });
});

describe("the sweep's gradient map", () => {
  const chain = () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true });
    const a = x.mul(3);
    const b = a.exp();
    const c = b.sum();
    return { x, a, b, c };
  };

  it('drops intermediate gradients and keeps the leaves and retained tensors', () => {
    const { x, a, b, c } = chain();
    b.retainGrad();
    const grads = runBackward([c], [tensor(1, f64)], { accumulate: true, ops: GRAD_OPS });
    assert.deepEqual([...grads.keys()].sort((p, q) => p.id - q.id), [x, b]);
    assert.ok(!grads.has(a) && !grads.has(c));
    assert.deepEqual(b.grad?.toArray(), [1, 1]);
    assert.deepEqual(x.grad?.toArray(), [3 * Math.exp(3), 3 * Math.exp(6)]);
  });

  it('keeps the inputs asked for, and runs only the nodes on a path to them', () => {
    const { x, a, c } = chain();
    const grads = runBackward([c], [tensor(1, f64)], { accumulate: false, inputs: [a], ops: GRAD_OPS });
    assert.deepEqual([...grads.keys()], [a]);
    assert.deepEqual(grads.get(a)?.toArray(), [Math.exp(3), Math.exp(6)]);
    assert.equal(x.grad, null);
    // the nodes that ran (sum, exp) are released; a's own node (mul) did not run, so it is whole
    assert.throws(() => c.backward(), /backward of sum/);
    a.sum().backward();
    assert.deepEqual(gradOf(x)?.toArray(), [3, 3]);
  });

  it('keepAll keeps every gradient (graph drawings), and they equal the retained ones', () => {
    const { x, a, b, c } = chain();
    const grads = runBackward([c], [tensor(1, f64)], { accumulate: false, keepAll: true, retainGraph: true, ops: GRAD_OPS });
    assert.deepEqual(new Set(grads.keys()), new Set([x, a, b, c]));
    assert.deepEqual(grads.get(a)?.toArray(), [Math.exp(3), Math.exp(6)]);
  });
});

describe('the functional API and the tools that read a graph still work', () => {
  it('jacobian of a vector function (one backward per output through one graph)', () => {
    // f(x) = [x0·x1, sin x0, x1²]
    const f = (x: Tensor) => cat([x.index(0).mul(x.index(1)), x.index(0).sin(), x.index(1).square()].map((e) => e.reshape([1])));
    const J = jacobian(f, tensor([0.5, 2], f64));
    assert.deepEqual(J.toArray(), [
      [2, 0.5],
      [Math.cos(0.5), 0],
      [0, 4],
    ]);
  });

  it('hessian as the jacobian of a gradient built with createGraph', () => {
    // f(x) = x0² x1 + x1³: H = [[2 x1, 2 x0], [2 x0, 6 x1]]
    const f = (x: Tensor) => x.index(0).square().mul(x.index(1)).add(x.index(1).pow(3));
    const H = jacobian((x) => grad(f, { createGraph: true })(x)[0], tensor([1.5, -2], f64));
    assert.deepEqual(H.toArray(), [
      [-4, 3],
      [3, -12],
    ]);
  });

  it("vjp's pullback can be called again and again", () => {
    const [y, pull] = vjp((x) => x.exp(), tensor([0, 1], f64));
    assert.deepEqual(y.toArray(), [1, Math.E]);
    assert.deepEqual(pull(tensor([1, 1], f64))[0].toArray(), [1, Math.E]);
    assert.deepEqual(pull(tensor([2, 0], f64))[0].toArray(), [2, 0]);
  });

  it('valueAndGrad with createGraph returns a value whose graph is retained', () => {
    const x = tensor([2], { ...f64, requiresGrad: true });
    const [v, [g]] = valueAndGrad((a) => a.pow(3).sum(), { createGraph: true })(x);
    assert.equal(g.item(), 12);
    v.backward();
    assert.equal(x.grad?.item(), 12);
  });

  it("a graph drawing and explain(tensor) leave the user's graph for its backward", () => {
    const x = tensor([1, 2], { ...f64, requiresGrad: true, name: 'x' });
    const loss = x.exp().sum();
    toDot(loss, { grads: 'compute' });
    explain(loss);
    loss.backward();
    assert.deepEqual(x.grad?.toArray(), [Math.exp(1), Math.exp(2)]);
  });
});
