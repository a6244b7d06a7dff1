// OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts, PolynomialLR, ConstantLR, ChainedScheduler,
// LinearLR and SequentialLR against PyTorch 1.13 (test/fixtures/optim2.json): every group's rate
// and momentum (or beta1) over 120+ steps, step() and step(epoch) calls as the fixture makes them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, optim, tensor } from 'chainrule';
import { type Sched2Case, type SchedSpec, fixture2, freshParams2 } from './optim2-helpers.js';

// the custom scale functions of scripts/fixtures/optim2.py, by name
const SCALE_FNS: Record<string, (x: number) => number> = { halfSine: (x) => 0.5 * (1 + Math.sin((x * Math.PI) / 2)) };

type Stepper = { step(epoch?: number): void; getLastLr(): number[]; stateDict(): Record<string, unknown>; loadStateDict(sd: Record<string, unknown>): void };

function makeOne(s: SchedSpec, opt: optim.Optimizer): optim.LRScheduler {
  const o = { ...(s.options ?? {}) } as Record<string, unknown>;
  if (typeof o.scaleFn === 'string') o.scaleFn = SCALE_FNS[o.scaleFn];
  const C = (optim as unknown as Record<string, new (opt: optim.Optimizer, o: unknown) => optim.LRScheduler>)[s.kind];
  return new C(opt, o);
}

function make(c: Sched2Case, opt: optim.Optimizer): Stepper {
  const s = c.spec;
  if (s.kind === 'Chained') return new optim.ChainedScheduler((s.schedulers ?? []).map((x) => makeOne(x, opt)));
  if (s.kind === 'Sequential') return new optim.SequentialLR(opt, { schedulers: (s.schedulers ?? []).map((x) => makeOne(x, opt)), milestones: s.milestones ?? [] });
  return makeOne(s, opt);
}

function optimizerFor(c: Sched2Case): optim.Optimizer {
  const { w, b } = freshParams2();
  if (c.optimizer === 'Adam') return new optim.Adam([{ params: [w], lr: 0.01 }, { params: [b], lr: 0.005 }]);
  return new optim.SGD([{ params: [w], lr: 0.1 }, { params: [b], lr: 0.05 }], { momentum: 0.9 });
}

const momentumOf = (g: Record<string, unknown>): number => (Array.isArray(g.betas) ? g.betas[0] : (g.momentum as number));

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-13 * Math.max(1, Math.abs(b));
}

/** Runs the fixture's calls; with `split`, the objects are rebuilt from their state dicts there. */
function run(c: Sched2Case, split: number | null): { lrs: number[][]; moms: number[][]; last: number[] } {
  let opt = optimizerFor(c);
  let sched = make(c, opt);
  const lrs: number[][] = [];
  const moms: number[][] = [];
  c.calls.forEach((call, i) => {
    if (i === split) {
      const osd = opt.stateDict();
      const ssd = JSON.parse(JSON.stringify(sched.stateDict()));
      opt = optimizerFor(c);
      sched = make(c, opt);
      opt.loadStateDict(osd);
      sched.loadStateDict(ssd);
    }
    lrs.push(opt.paramGroups.map((g) => g.lr));
    moms.push(opt.paramGroups.map((g) => momentumOf(g as unknown as Record<string, unknown>)));
    if (call === null) sched.step();
    else sched.step(call);
  });
  lrs.push(opt.paramGroups.map((g) => g.lr));
  moms.push(opt.paramGroups.map((g) => momentumOf(g as unknown as Record<string, unknown>)));
  return { lrs, moms, last: sched.getLastLr() };
}

function assertTrace(c: Sched2Case, got: ReturnType<typeof run>): void {
  const check = (what: string, want: number[][], have: number[][]) => {
    for (let i = 0; i < want.length; i++) {
      for (let j = 0; j < want[i].length; j++) {
        assert.ok(close(have[i][j], want[i][j]), `${c.label}: ${what} of group ${j} before call ${i}: ${have[i][j]} vs ${want[i][j]}`);
      }
    }
  };
  check('lr', c.lrs, got.lrs);
  check('momentum', c.momentums, got.moms);
  check('getLastLr()', [c.lastLr], [got.last]);
}

describe('schedulers match PyTorch 1.13 (every group, 120+ steps)', () => {
  for (const c of fixture2.schedulers) {
    it(c.label, () => assertTrace(c, run(c, null)));
  }
});

describe('scheduler state dicts: rebuilt after 37 steps from state dicts, the trace is unchanged', () => {
  for (const c of fixture2.schedulers) {
    it(c.label, () => assertTrace(c, run(c, 37)));
  }
});

describe('scheduler validation', () => {
  const opt = () => new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
  it('OneCycleLR: needs a length, refuses stepping past it, and momentum needs an optimizer that has it', () => {
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: 1 }), /OneCycleLR: give either totalSteps or epochs and stepsPerEpoch/);
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: 1, totalSteps: 0 }), /totalSteps must be a positive integer/);
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as 'cos' }), /annealStrategy must be 'cos' or 'linear'/);
    assert.throws(() => new optim.OneCycleLR(opt(), { maxLr: [1, 2], totalSteps: 5 }), /expected 1 values for maxLr/);
    const ada = new optim.Adagrad([tensor([1], { requiresGrad: true })]);
    assert.throws(() => new optim.OneCycleLR(ada, { maxLr: 1, totalSteps: 5 }), /cycleMomentum needs an optimizer with momentum or betas \(Adagrad has neither\)/);
    const s = new optim.OneCycleLR(opt(), { maxLr: 1, totalSteps: 3 });
    s.step();
    s.step();
    s.step();
    assert.throws(() => s.step(), (e: unknown) => e instanceof ChainruleError && /tried to step 5 times; the specified number of total steps is 3/.test(e.message));
  });
  it('OneCycleLR: a phase of no length is an error, where PyTorch divides by zero (onecycle-empty-phase)', () => {
    const sgd = () => new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 0.1 });
    // pctStart * totalSteps = 1: the warm-up phase ends at step 0 (PyTorch: ZeroDivisionError in the first get_lr)
    for (const [totalSteps, pctStart] of [
      [10, 0.1],
      [4, 0.25],
    ]) {
      assert.throws(() => new optim.OneCycleLR(sgd(), { maxLr: 1, totalSteps, pctStart, cycleMomentum: false }), (e: unknown) => e instanceof ChainruleError && /OneCycleLR: phase 1 of the cycle has no steps/.test(e.message));
    }
    // pctStart = 1: the annealing phase is empty, so the step after the warm-up fails (as in PyTorch)
    const s = new optim.OneCycleLR(sgd(), { maxLr: 1, totalSteps: 4, pctStart: 1, cycleMomentum: false });
    const lrs = [0, 1, 2].map(() => {
      s.step();
      return s.getLastLr()[0];
    });
    // PyTorch 1.13: 0.28, 0.76, 1.0, then ZeroDivisionError
    lrs.forEach((v, i) => {
      assert.ok(Math.abs(v - [0.28, 0.76, 1][i]) < 1e-12, `step ${i + 1}: ${v}`);
    });
    assert.throws(() => s.step(), /OneCycleLR: phase 2 of the cycle has no steps/);
  });

  it('CyclicLR: bad mode and momentum without an optimizer that has it', () => {
    assert.throws(() => new optim.CyclicLR(opt(), { baseLr: 0.1, maxLr: 1, mode: 'sine' as 'triangular' }), /CyclicLR: mode must be 'triangular', 'triangular2' or 'exp_range'/);
    const adam = new optim.Adam([tensor([1], { requiresGrad: true })]);
    assert.throws(() => new optim.CyclicLR(adam, { baseLr: 0.1, maxLr: 1 }), /CyclicLR: cycleMomentum needs an optimizer with momentum \(Adam has none\)/);
  });
  it('CosineAnnealingWarmRestarts, PolynomialLR, ConstantLR and ChainedScheduler check their options', () => {
    assert.throws(() => new optim.CosineAnnealingWarmRestarts(opt(), { T0: 2.5 }), /CosineAnnealingWarmRestarts: T0 must be a positive integer/);
    assert.throws(() => new optim.CosineAnnealingWarmRestarts(opt(), { T0: 2, TMult: 0 }), /TMult must be a positive integer/);
    assert.throws(() => new optim.CosineAnnealingWarmRestarts(opt(), { T0: 2 }).step(-1), /epoch must be a number >= 0, got -1/);
    assert.throws(() => new optim.PolynomialLR(opt(), { totalIters: 0 }), /PolynomialLR: totalIters must be a positive integer/);
    assert.throws(() => new optim.ConstantLR(opt(), { factor: 1.5 }), /ConstantLR: factor must be in \(0, 1\]/);
    const a = opt();
    const b = opt();
    assert.throws(() => new optim.ChainedScheduler([new optim.ConstantLR(a), new optim.ConstantLR(b)]), /ChainedScheduler: schedulers 0 and 1 drive different optimizers/);
  });
});
