import { ChainruleError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, type Scheduler, type SchedulerStateDict } from './scheduler.js';

/**
 * Steps several schedulers of one optimizer together, each multiplying in its own change
 * (torch.optim.lr_scheduler.ChainedScheduler): a warm-up and a decay at the same time.
 * @example
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 1 });
 * const sched = new optim.ChainedScheduler([new optim.ConstantLR(opt, { factor: 0.5, totalIters: 2 }), new optim.ExponentialLR(opt, { gamma: 0.9 })]);
 * sched.step();
 * opt.paramGroups[0].lr // 0.45
 */
export class ChainedScheduler implements Scheduler {
  readonly optimizer: Optimizer;
  /** the schedulers stepped together, in order, on every step() */
  readonly schedulers: LRScheduler[];
  private lastLr: number[];

  constructor(schedulers: LRScheduler[]) {
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new ChainruleError('ChainedScheduler: schedulers must be a non-empty array');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new ChainruleError(`ChainedScheduler: scheduler ${i} is not an epoch-based LRScheduler`);
      if (s.optimizer !== schedulers[0].optimizer) throw new ChainruleError(`ChainedScheduler: schedulers 0 and ${i} drive different optimizers`);
    });
    this.schedulers = [...schedulers];
    this.optimizer = schedulers[0].optimizer;
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** Steps every scheduler, in order. */
  step(): void {
    for (const s of this.schedulers) s.step();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerStateDict {
    return { lastLr: [...this.lastLr], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(sd: SchedulerStateDict): void {
    const where = 'ChainedScheduler.loadStateDict';
    if (!sd || typeof sd !== 'object') throw new ChainruleError(`${where}: expected an object`);
    const { schedulers, lastLr } = sd;
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length) throw new ChainruleError(`${where}: expected states for ${this.schedulers.length} schedulers`);
    if (!Array.isArray(lastLr) || lastLr.some((v) => typeof v !== 'number')) throw new ChainruleError(`${where}: lastLr must be an array of numbers`);
    this.schedulers.forEach((s, i) => {
      s.loadStateDict(schedulers[i] as SchedulerStateDict);
    });
    this.lastLr = [...(lastLr as number[])];
  }
}
