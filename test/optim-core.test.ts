import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, type Tensor, optim, tensor } from 'chainrule';
import { fixture, freshParams, lossOf, maxDiff } from './optim-helpers.js';

describe('clipGradNorm / clipGradValue match torch.nn.utils (to 1e-12)', () => {
  for (const c of fixture.clip) {
    const label = c.kind === 'norm' ? `clipGradNorm normType=${c.normType} maxNorm=${c.maxNorm}` : `clipGradValue ${c.clipValue}`;
    it(label, () => {
      const { w, b } = freshParams();
      lossOf(w, b).backward();
      if (c.kind === 'norm') {
        const nt = c.normType === 'inf' ? Number.POSITIVE_INFINITY : (c.normType as number);
        const total = optim.clipGradNorm([w, b], c.maxNorm as number, nt);
        assert.ok(Math.abs(total - (c.total as number)) < 1e-12, `total ${total} vs ${c.total}`);
      } else {
        optim.clipGradValue([w, b], c.clipValue as number);
      }
      assert.ok(maxDiff(w.grad as Tensor, b.grad as Tensor, c.grads) < 1e-12);
    });
  }
  it('skips parameters without gradients and validates arguments', () => {
    const a = tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const unused = tensor([1], { dtype: 'float64', requiresGrad: true });
    a.mul(a).sum().backward(); // grad [6, 8], norm 10
    assert.equal(optim.clipGradNorm([a, unused], 5), 10);
    assert.ok(Math.abs((a.grad as Tensor).data[0] - (6 * 5) / (10 + 1e-6)) < 1e-15);
    assert.equal(unused.grad, null);
    assert.throws(() => optim.clipGradNorm([a], -1), /clipGradNorm: maxNorm must be a number >= 0/);
    assert.throws(() => optim.clipGradNorm([a], 1, 0), /normType must be a positive number/);
  });
});

describe('Optimizer basics', () => {
  it('validates options with clear errors', () => {
    const { w } = freshParams();
    assert.throws(() => new optim.SGD([w], {}), /SGD: parameter group 0 did not specify a value of the required option lr/);
    assert.throws(() => new optim.SGD([w], { lr: -0.1 }), /SGD: lr must be a finite number >= 0, got -0.1/);
    assert.throws(() => new optim.SGD([w], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum > 0 and zero dampening/);
    assert.throws(() => new optim.Adam([w], { betas: [0.9, 1] }), /Adam: betas\[1\] must be in \[0, 1\), got 1/);
    assert.throws(() => new optim.Adam([w], { learningRate: 0.1 } as never), /Adam: unknown option "learningRate" \(known: lr, betas/);
    assert.throws(() => new optim.RMSprop([w], { eps: -1 }), /RMSprop: eps must be a finite number >= 0/);
    assert.throws(() => new optim.Adagrad([w], { lrDecay: -1 }), /Adagrad: lrDecay must be/);
    assert.throws(() => new optim.SGD([], { lr: 0.1 }), /SGD: optimizer got an empty parameter list/);
    assert.throws(() => new optim.SGD([w, w], { lr: 0.1 }), /same parameter twice/);
    assert.throws(() => new optim.SGD([{ params: [w] }, { params: [w] }], { lr: 0.1 }), /more than one parameter group/);
    assert.throws(() => new optim.SGD([w.mul(2)], { lr: 0.1 }), /not a leaf tensor/);
    assert.throws(() => new optim.SGD([tensor([1, 2], { dtype: 'int32' })], { lr: 0.1 }), /only float tensors can be optimized/);
    assert.throws(() => new optim.SGD([{ params: [w], momentum: -1 }], { lr: 0.1 }), /SGD \(param group 0\): momentum must be/);
  });

  it('group options override the defaults; addParamGroup adds a group', () => {
    const { w, b } = freshParams();
    const opt = new optim.Adam([{ params: [w], lr: 0.5 }], { lr: 0.01, weightDecay: 0.1 });
    opt.addParamGroup({ params: [b], betas: [0.5, 0.6] });
    assert.equal(opt.paramGroups[0].lr, 0.5);
    assert.equal(opt.paramGroups[0].weightDecay, 0.1);
    assert.deepEqual(opt.paramGroups[1].betas, [0.5, 0.6]);
    assert.equal(opt.paramGroups[1].lr, 0.01);
    assert.deepEqual(opt.paramGroups[1].params, [b]);
  });

  it('zeroGrad sets gradients to null; parameters without gradients are left alone', () => {
    const { w, b } = freshParams();
    const opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
    w.sum().backward();
    const b0 = [...b.data];
    opt.step();
    assert.deepEqual([...b.data], b0);
    assert.equal(opt.state.has(b), false);
    assert.ok(Math.abs(w.data[0] - (fixture.problem.W0[0][0] - 0.1)) < 1e-15);
    opt.zeroGrad();
    assert.equal(w.grad, null);
  });

  it('step(closure) evaluates the closure with gradients on and returns its loss', () => {
    const x = tensor([2], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([x], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = x.mul(x).sum();
      l.backward();
      return l;
    }) as Tensor;
    assert.equal(loss.item(), 4);
    assert.equal(x.data[0], 1); // 2 - 0.25 * 4
  });

  it('works on float32 parameters (the update happens in the parameter dtype)', () => {
    const x = tensor([1, -2], { requiresGrad: true });
    const opt = new optim.Adam([x], { lr: 0.1 });
    x.mul(x).sum().backward();
    opt.step();
    assert.equal(x.dtype, 'float32');
    // first Adam step moves each coordinate by lr against the gradient's sign
    assert.ok(Math.abs(x.data[0] - 0.9) < 1e-6 && Math.abs(x.data[1] + 1.9) < 1e-6);
  });

  for (const [name, make] of [
    ['SGD', (p: Tensor[]) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
    ['Adam', (p: Tensor[]) => new optim.Adam(p, { lr: 0.05, amsgrad: true })],
    ['AdamW', (p: Tensor[]) => new optim.AdamW(p, { lr: 0.05 })],
    ['RMSprop', (p: Tensor[]) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.5 })],
    ['Adagrad', (p: Tensor[]) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01 })],
  ] as const) {
    it(`${name}: stateDict then loadStateDict into fresh objects continues bit-for-bit`, () => {
      const train = (opt: optim.Optimizer, w: Tensor, b: Tensor, n: number) => {
        for (let i = 0; i < n; i++) {
          opt.zeroGrad();
          lossOf(w, b).backward();
          opt.step();
        }
      };
      const a = freshParams();
      const optA = make([a.w, a.b]);
      train(optA, a.w, a.b, 12);
      const c = freshParams();
      const optC = make([c.w, c.b]);
      train(optC, c.w, c.b, 6);
      const sd = optC.stateDict();
      const d = freshParams();
      d.w.data.set(c.w.data);
      d.b.data.set(c.b.data);
      const optD = make([d.w, d.b]);
      optD.loadStateDict(sd);
      train(optC, c.w, c.b, 1); // mutating the source afterwards must not leak into the snapshot
      train(optD, d.w, d.b, 6);
      assert.deepEqual([...d.w.data], [...a.w.data]);
      assert.deepEqual([...d.b.data], [...a.b.data]);
      assert.deepEqual(Object.keys(sd.state), ['0', '1']);
      assert.deepEqual(sd.paramGroups[0].params, [0, 1]);
    });
  }

  it('loadStateDict reports every problem and leaves the optimizer untouched', () => {
    const { w, b } = freshParams();
    const opt = new optim.Adam([w, b], { lr: 0.05 });
    lossOf(w, b).backward();
    opt.step();
    const before = opt.stateDict();
    const bad = opt.stateDict();
    bad.state[0].expAvg = tensor([1, 2], { dtype: 'float64' });
    bad.state[7] = { step: 1 };
    bad.paramGroups[0].lr = -1;
    assert.throws(
      () => opt.loadStateDict(bad),
      (e: unknown) =>
        e instanceof ChainruleError &&
        /state 0.expAvg has shape \[2\] but parameter 0 has shape \[3,4\]/.test(e.message) &&
        /state for parameter 7, which no parameter group lists/.test(e.message) &&
        /lr must be a finite number >= 0, got -1/.test(e.message),
    );
    const plain = (sd: optim.OptimizerStateDict) =>
      JSON.stringify(sd, (_k, v) => (v !== null && typeof v === 'object' && 'dtype' in v && 'shape' in v ? [...(v as Tensor).data] : v));
    assert.equal(plain(opt.stateDict()), plain(before));
    const sgd = new optim.SGD([w, b], { lr: 0.1 });
    const sgdSd = sgd.stateDict();
    sgdSd.paramGroups[0].nesterov = true;
    assert.throws(() => sgd.loadStateDict(sgdSd), /Nesterov momentum requires a momentum > 0 and zero dampening/);
    assert.equal(sgd.paramGroups[0].nesterov, false);
    const other = new optim.Adam([{ params: [w] }, { params: [b] }]);
    assert.throws(() => other.loadStateDict(before), /the state dict has 1 parameter groups, this optimizer has 2/);
  });
});
