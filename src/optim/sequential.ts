import { ChainruleError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerStateDict } from './scheduler.js';

/**
 * Runs schedulers one after another, switching at the milestone epochs
 * (torch.optim.lr_scheduler.SequentialLR): the way to chain a warm-up and a decay.
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const warm = new optim.LinearLR(opt, { startFactor: 0.5, totalIters: 2 });
 * const decay = new optim.ExponentialLR(opt, { gamma: 0.5 });
 * const sched = new optim.SequentialLR(opt, { schedulers: [warm, decay], milestones: [2] });
 * const lrs = [sched.getLastLr()[0]];
 * for (let e = 0; e < 4; e++) { opt.step(); sched.step(); lrs.push(sched.getLastLr()[0]); }
 * lrs // [0.5, 0.75, 1, 0.5, 0.25]
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** the schedulers run one after another */
  readonly schedulers: LRScheduler[];
  /** the steps at which the next scheduler takes over (one fewer than the schedulers) */
  milestones: number[];

  constructor(optimizer: Optimizer, opts: { schedulers: LRScheduler[]; milestones: number[]; lastEpoch?: number }) {
    super(optimizer, {}, 'SequentialLR');
    const { schedulers, milestones } = opts;
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new ChainruleError('SequentialLR: schedulers must be a non-empty array');
    schedulers.forEach((s, i) => {
      if (!(s instanceof LRScheduler)) throw new ChainruleError(`SequentialLR: scheduler ${i} is not an epoch-based LRScheduler`);
      if (s.optimizer !== optimizer) throw new ChainruleError(`SequentialLR: scheduler ${i} drives a different optimizer than the one passed`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new ChainruleError(
        `SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers, got ${Array.isArray(milestones) ? milestones.length : 'none'}`,
      );
    }
    for (let i = 0; i < milestones.length; i++) {
      if (!Number.isInteger(milestones[i]) || milestones[i] <= 0 || (i > 0 && milestones[i] <= milestones[i - 1])) {
        throw new ChainruleError(`SequentialLR: milestones must be increasing positive integers, got [${milestones.join(', ')}]`);
      }
    }
    this.schedulers = schedulers;
    this.milestones = [...milestones];
    this.lastEpoch = (opts.lastEpoch ?? -1) + 1;
    // undo the first step every scheduler took on construction, then start the first one
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of schedulers) s.lastEpoch -= 1;
    schedulers[0].initialStep();
    this.lastLr = schedulers[0].getLastLr();
  }

  protected getLr(): number[] {
    return this.groupLrs();
  }

  override step(): void {
    this.lastEpoch++;
    let idx = 0;
    while (idx < this.milestones.length && this.milestones[idx] <= this.lastEpoch) idx++;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  override stateDict(): SchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(sd: SchedulerStateDict): void {
    const { schedulers, ...rest } = sd;
    if (!Array.isArray(schedulers) || schedulers.length !== this.schedulers.length) {
      throw new ChainruleError(`SequentialLR.loadStateDict: expected states for ${this.schedulers.length} schedulers`);
    }
    super.loadStateDict(rest);
    this.schedulers.forEach((s, i) => {
      s.loadStateDict(schedulers[i] as SchedulerStateDict);
    });
  }
}
