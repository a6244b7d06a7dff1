import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, optim } from 'chainrule';
import { type SchedulerCase, fixture, freshParams, lossOf, maxDiff } from './optim-helpers.js';

// fixture options are trusted to have the right shape for each scheduler
type Opts = never;

function makeScheduler(c: SchedulerCase, opt: optim.SGD): optim.LRScheduler | optim.ReduceLROnPlateau {
  const o = c.options as unknown as Opts;
  const name = c.scheduler;
  if (name === 'StepLR') return new optim.StepLR(opt, o);
  if (name === 'MultiStepLR') return new optim.MultiStepLR(opt, o);
  if (name === 'ExponentialLR') return new optim.ExponentialLR(opt, o);
  if (name === 'CosineAnnealingLR') return new optim.CosineAnnealingLR(opt, o);
  if (name.startsWith('LinearLR')) return new optim.LinearLR(opt, o);
  if (name.startsWith('ReduceLROnPlateau')) return new optim.ReduceLROnPlateau(opt, o);
  if (name === 'SequentialLR') {
    const so = c.options as unknown as { warmup: Opts; cosine: Opts; milestones: number[] };
    const warm = new optim.LinearLR(opt, so.warmup);
    const cos = new optim.CosineAnnealingLR(opt, so.cosine);
    return new optim.SequentialLR(opt, { schedulers: [warm, cos], milestones: so.milestones });
  }
  throw new Error(`no scheduler ${name}`);
}

function stepScheduler(s: optim.LRScheduler | optim.ReduceLROnPlateau, i: number): void {
  if (s instanceof optim.ReduceLROnPlateau) s.step(fixture.plateauMetrics[i]);
  else s.step();
}

describe('schedulers match PyTorch 1.13 (learning rates and SGD trajectories, to 1e-10)', () => {
  for (const c of fixture.schedulers) {
    it(c.scheduler, () => {
      const { w, b } = freshParams();
      const opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
      const sched = makeScheduler(c, opt);
      c.lrs.forEach((lr, i) => {
        assert.ok(Math.abs(opt.paramGroups[0].lr - lr) < 1e-12, `lr at step ${i}: ${opt.paramGroups[0].lr} vs ${lr}`);
        opt.zeroGrad();
        lossOf(w, b).backward();
        opt.step();
        const d = maxDiff(w, b, c.trajectory[i]);
        assert.ok(d < 1e-10, `params at step ${i}: max |diff| ${d}`);
        stepScheduler(sched, i);
      });
      assert.ok(Math.abs(sched.getLastLr()[0] - c.finalLr) < 1e-12);
    });
  }
});

describe('scheduler state dicts', () => {
  for (const c of fixture.schedulers) {
    it(`${c.scheduler}: stopping after 7 steps and resuming with fresh objects gives the same rates`, () => {
      const run = (split: number | null): number[] => {
        let { w, b } = freshParams();
        let opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
        let sched = makeScheduler(c, opt);
        const lrs: number[] = [];
        for (let i = 0; i < c.lrs.length; i++) {
          if (i === split) {
            const osd = opt.stateDict();
            const ssd = JSON.parse(JSON.stringify(sched.stateDict()));
            const fresh = freshParams();
            fresh.w.data.set(w.data);
            fresh.b.data.set(b.data);
            ({ w, b } = fresh);
            opt = new optim.SGD([w, b], { lr: 0.1, momentum: 0.9 });
            sched = makeScheduler(c, opt);
            opt.loadStateDict(osd);
            sched.loadStateDict(ssd);
          }
          lrs.push(opt.paramGroups[0].lr);
          opt.zeroGrad();
          lossOf(w, b).backward();
          opt.step();
          stepScheduler(sched, i);
        }
        return lrs;
      };
      assert.deepEqual(run(7), run(null));
      assert.deepEqual(
        run(null).map((x) => x.toPrecision(12)),
        c.lrs.map((x) => x.toPrecision(12)),
      );
    });
  }
});

describe('scheduler validation', () => {
  const { w } = freshParams();
  const opt = new optim.SGD([w], { lr: 0.1 });
  it('rejects bad options with clear errors', () => {
    assert.throws(() => new optim.StepLR(opt, { stepSize: 0 }), /StepLR: stepSize must be a positive integer, got 0/);
    assert.throws(() => new optim.LinearLR(opt, { startFactor: 2 }), /LinearLR: startFactor must be in \(0, 1\]/);
    assert.throws(() => new optim.ReduceLROnPlateau(opt, { factor: 1 }), /factor must be in \[0, 1\)/);
    assert.throws(() => new optim.ReduceLROnPlateau(opt, { mode: 'up' as 'min' }), /mode must be 'min' or 'max'/);
    const a = new optim.LinearLR(opt, {});
    assert.throws(() => new optim.SequentialLR(opt, { schedulers: [a], milestones: [3] }), /expected 0 milestones for 1 schedulers/);
    assert.throws(() => a.loadStateDict({ gama: 1 }), ChainruleError);
  });
  it('LambdaLR multiplies the initial rate by the lambda of the epoch', () => {
    const { w: w2 } = freshParams();
    const o = new optim.SGD([w2], { lr: 0.5 });
    const s = new optim.LambdaLR(o, { lrLambda: (e) => 1 / (e + 1) });
    assert.equal(o.paramGroups[0].lr, 0.5);
    s.step();
    assert.equal(o.paramGroups[0].lr, 0.25);
    s.step();
    assert.equal(o.paramGroups[0].lr, 0.5 / 3);
  });
  it('step(epoch) jumps with the closed form', () => {
    const { w: w2 } = freshParams();
    const o = new optim.SGD([w2], { lr: 1 });
    const s = new optim.StepLR(o, { stepSize: 2, gamma: 0.5 });
    s.step(5);
    assert.equal(o.paramGroups[0].lr, 0.25);
    const c = new optim.CosineAnnealingLR(new optim.SGD([freshParams().w], { lr: 1 }), { tMax: 4 });
    c.step(2);
    assert.ok(Math.abs(c.getLastLr()[0] - 0.5) < 1e-15);
  });
});
