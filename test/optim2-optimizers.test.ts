// Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD, LBFGS and SGD's option combinations against
// PyTorch 1.13 (test/fixtures/optim2.json): 25 steps on random batches, on every backend.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, type Tensor, optim, setBackend, tensor } from 'chainrule';
import { maxDiff } from './optim-helpers.js';
import { BACKENDS, type Optim2Case, batchLoss, fixture2, freshParams2 } from './optim2-helpers.js';

const CLASSES = {
  SGD: optim.SGD,
  Adamax: optim.Adamax,
  NAdam: optim.NAdam,
  RAdam: optim.RAdam,
  Adadelta: optim.Adadelta,
  Rprop: optim.Rprop,
  ASGD: optim.ASGD,
  LBFGS: optim.LBFGS,
} as const;

function build(c: Optim2Case, w: Tensor, b: Tensor): optim.Optimizer {
  const Cls = CLASSES[c.optimizer as keyof typeof CLASSES] as unknown as new (p: unknown, o: unknown) => optim.Optimizer;
  if (!c.groups) return new Cls([w, b], c.options);
  const groups = c.groups.map(({ params, ...o }) => ({ params: params.map((n) => (n === 'w' ? w : b)), ...o }));
  return new Cls(groups, c.options);
}

interface Run {
  opt: optim.Optimizer;
  w: Tensor;
  b: Tensor;
}

/** Steps from..to of a case; asserts the loss, the parameters and the closure calls at each step. */
function replay(c: Optim2Case, run: Run, from: number, to: number, tol: number): void {
  const { opt, w, b } = run;
  for (let t = from; t < to; t++) {
    let loss: number;
    if (c.optimizer === 'LBFGS') {
      let calls = 0;
      const closure = () => {
        calls++;
        opt.zeroGrad();
        const l = batchLoss(w, b, t);
        l.backward();
        return l;
      };
      loss = (opt.step(closure) as Tensor).item();
      assert.equal(calls, c.closureCalls?.[t], `${c.label}: closure calls at step ${t}`);
    } else {
      opt.zeroGrad();
      const l = batchLoss(w, b, t);
      loss = l.item();
      l.backward();
      opt.step();
    }
    assert.ok(Math.abs(loss - c.losses[t]) <= tol * Math.max(1, Math.abs(c.losses[t])), `${c.optimizer} ${c.label}: loss at step ${t}: ${loss} vs ${c.losses[t]}`);
    const d = maxDiff(w, b, c.trajectory[t]);
    assert.ok(d <= tol * Math.max(1, ...c.trajectory[t].w.map(Math.abs)), `${c.optimizer} ${c.label}: params after step ${t}: max |diff| ${d}`);
  }
}

function checkState(c: Optim2Case, opt: optim.Optimizer, w: Tensor, b: Tensor, tol: number): void {
  if (c.optimizer === 'LBFGS') {
    const s = opt.stateDict().state[0];
    assert.equal(s.funcEvals, c.state[0].funcEvals);
    assert.equal(s.nIter, c.state[0].nIter);
    return;
  }
  [w, b].forEach((p, i) => {
    const ours = opt.state.get(p) ?? {};
    const theirs = c.state[i];
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(theirs).sort(), `${c.label}: state keys of parameter ${i}`);
    for (const [k, v] of Object.entries(theirs)) {
      const mine = ours[k];
      const got = typeof mine === 'number' ? [mine] : Array.from((mine as Tensor).data);
      const want = typeof v === 'number' ? [v] : v;
      got.forEach((x, j) => {
        assert.ok(Math.abs(x - want[j]) <= tol * Math.max(1, Math.abs(want[j])), `${c.label}: state ${i}.${k}[${j}] ${x} vs ${want[j]}`);
      });
    }
  });
}

for (const [backend, available] of BACKENDS) {
  describe(`optimizers match PyTorch 1.13 over 25 random-gradient float64 steps (${backend})`, { skip: !available && `${backend} backend unavailable` }, () => {
    for (const c of fixture2.optimizers) {
      // LBFGS divides by differences of nearly equal gradients: its rounding compounds faster
      const tol = c.optimizer === 'LBFGS' ? 1e-9 : 1e-10;
      it(`${c.optimizer} ${c.label}`, () => {
        setBackend(backend);
        try {
          const { w, b } = freshParams2();
          const opt = build(c, w, b);
          replay(c, { opt, w, b }, 0, c.losses.length, tol);
          checkState(c, opt, w, b, tol);
        } finally {
          setBackend('js');
        }
      });
    }
  });
}

describe('optimizer state dicts round-trip mid-trajectory', () => {
  for (const c of fixture2.optimizers) {
    it(`${c.optimizer} ${c.label}: a fresh optimizer loaded from stateDict after 9 steps continues as PyTorch`, () => {
      const tol = c.optimizer === 'LBFGS' ? 1e-9 : 1e-10;
      const { w, b } = freshParams2();
      const first = build(c, w, b);
      replay(c, { opt: first, w, b }, 0, 9, tol);
      const sd = JSON.parse(JSON.stringify(first.stateDict(), (_k, v) => (v && typeof v === 'object' && 'shape' in v && 'data' in v ? { tensor: Array.from(v.data), shape: v.shape } : v)), (_k, v) =>
        v && typeof v === 'object' && 'tensor' in v ? tensor(v.tensor, { dtype: 'float64', shape: v.shape }) : v,
      );
      const second = build(c, w, b);
      second.loadStateDict(sd);
      replay(c, { opt: second, w, b }, 9, c.losses.length, tol);
    });
  }
});

describe('optimizer options are validated', () => {
  const { w, b } = freshParams2();
  it('rejects bad values and unknown options with the optimizer name', () => {
    assert.throws(() => new optim.Adamax([w], { betas: [1, 0.5] }), /Adamax: betas\[0\] must be in \[0, 1\)/);
    assert.throws(() => new optim.NAdam([w], { momentumDecay: -1 }), /NAdam: momentumDecay must be a finite number >= 0/);
    assert.throws(() => new optim.NAdam([w], { maximize: true } as never), /NAdam: unknown option "maximize"/);
    assert.throws(() => new optim.RAdam([w], { eps: Number.NaN }), /RAdam: eps must be/);
    assert.throws(() => new optim.Adadelta([w], { rho: 1.5 }), /Adadelta: rho must be in \[0, 1\]/);
    assert.throws(() => new optim.Rprop([w], { etas: [1.2, 0.5] }), /Rprop: etas must be a pair of numbers with 0 < etaminus < 1 < etaplus/);
    assert.throws(() => new optim.Rprop([w], { stepSizes: [1, 0.1] }), /Rprop: stepSizes must be a pair/);
    assert.throws(() => new optim.ASGD([w], { t0: -1 }), /ASGD: t0 must be/);
    assert.throws(() => new optim.LBFGS([w], { lineSearchFn: 'backtracking' as 'strong_wolfe' }), /LBFGS: lineSearchFn must be 'strong_wolfe' or null/);
    assert.throws(() => new optim.LBFGS([{ params: [w] }, { params: [b] }]), /LBFGS: parameter groups are not supported/);
  });
  it('LBFGS without a closure is a clear error', () => {
    const opt = new optim.LBFGS([w]);
    assert.throws(() => opt.step(), (e: unknown) => e instanceof ChainruleError && /LBFGS\.step: needs a closure that recomputes the loss/.test(e.message));
    assert.equal(opt.paramGroups[0].maxEval, 25);
  });
  it('LBFGS returns at once when the gradient is already below toleranceGrad', () => {
    const x = tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.LBFGS([x]);
    let calls = 0;
    opt.step(() => {
      calls++;
      opt.zeroGrad();
      const l = x.sub(3).square().sum();
      l.backward();
      return l;
    });
    assert.equal(calls, 1);
    assert.deepEqual(x.toArray(), [3]);
  });
  it('Rprop with NaN in a gradient keeps the NaN out of the other elements', () => {
    const x = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.Rprop([x], { lr: 0.5 });
    x.grad = tensor([Number.NaN, 1], { dtype: 'float64' });
    opt.step();
    const v = x.toArray() as number[];
    assert.equal(v[1], 1.5);
  });
});
