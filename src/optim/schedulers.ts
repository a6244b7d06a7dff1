import { ChainruleError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerOptions, checkFinite, checkPositiveInt } from './scheduler.js';

/**
 * Multiplies the rate by `gamma` every `stepSize` epochs (torch.optim.lr_scheduler.StepLR).
 * @example const opt = new optim.SGD(new nn.Linear(4, 2).parameters(), { lr: 0.1 }); const sched = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { stepSize: number; gamma?: number }) {
    super(optimizer, opts, 'StepLR');
    this.stepSize = checkPositiveInt(opts.stepSize, 'StepLR', 'stepSize');
    this.gamma = checkFinite(opts.gamma ?? 0.1, 'StepLR', 'gamma');
    this.initialStep();
  }
  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

/**
 * Multiplies the rate by `gamma` at each milestone epoch (torch.optim.lr_scheduler.MultiStepLR).
 * @example const opt = new optim.SGD(new nn.Linear(4, 2).parameters(), { lr: 0.1 }); const sched = new optim.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { milestones: number[]; gamma?: number }) {
    super(optimizer, opts, 'MultiStepLR');
    if (!Array.isArray(opts.milestones)) throw new ChainruleError('MultiStepLR: milestones must be an array of epochs');
    this.milestones = opts.milestones.map((m) => checkPositiveInt(m, 'MultiStepLR', 'each milestone')).sort((a, b) => a - b);
    this.gamma = checkFinite(opts.gamma ?? 0.1, 'MultiStepLR', 'gamma');
    this.initialStep();
  }
  protected getLr(): number[] {
    const count = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.groupLrs();
    if (count === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma ** count);
  }
  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
}

/**
 * Multiplies the rate by `gamma` every epoch (torch.optim.lr_scheduler.ExponentialLR).
 * @example const opt = new optim.SGD(new nn.Linear(4, 2).parameters(), { lr: 0.1 }); const sched = new optim.ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { gamma: number }) {
    super(optimizer, opts, 'ExponentialLR');
    this.gamma = checkFinite(opts.gamma, 'ExponentialLR', 'gamma');
    this.initialStep();
  }
  protected getLr(): number[] {
    const lrs = this.groupLrs();
    if (this.lastEpoch === 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
  protected override closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
}

/**
 * Cosine annealing from the initial rate down to `etaMin` over `tMax` epochs, then back up
 * (a period of 2·tMax), as torch.optim.lr_scheduler.CosineAnnealingLR:
 * lr_t = etaMin + (base - etaMin)·(1 + cos(π·t/tMax))/2, applied in PyTorch's recursive form.
 * @example const opt = new optim.SGD(new nn.Linear(4, 2).parameters(), { lr: 0.1 }); const sched = new optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { tMax: number; etaMin?: number }) {
    super(optimizer, opts, 'CosineAnnealingLR');
    this.tMax = checkPositiveInt(opts.tMax, 'CosineAnnealingLR', 'tMax');
    this.etaMin = checkFinite(opts.etaMin ?? 0, 'CosineAnnealingLR', 'etaMin');
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin: e } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs;
    if (this.stepCount === 1 && t > 0) return this.baseLrs.map((b) => e + ((b - e) * (1 + Math.cos((t * Math.PI) / T))) / 2);
    if ((t - 1 - T) % (2 * T) === 0) return lrs.map((lr, i) => lr + ((this.baseLrs[i] - e) * (1 - Math.cos(Math.PI / T))) / 2);
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (lr - e) + e);
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, tMax: T, etaMin: e } = this;
    return this.baseLrs.map((b) => e + ((b - e) * (1 + Math.cos((Math.PI * t) / T))) / 2);
  }
}

/**
 * Scales the rate linearly from `startFactor`·lr to `endFactor`·lr over `totalIters` epochs, then
 * holds it (torch.optim.lr_scheduler.LinearLR): the usual linear warm-up.
 * @example const opt = new optim.SGD(new nn.Linear(4, 2).parameters(), { lr: 0.1 }); const warmup = new optim.LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer, opts, 'LinearLR');
    const sf = opts.startFactor ?? 1 / 3;
    const ef = opts.endFactor ?? 1;
    if (typeof sf !== 'number' || !(sf > 0 && sf <= 1)) throw new ChainruleError(`LinearLR: startFactor must be in (0, 1], got ${sf}`);
    if (typeof ef !== 'number' || !(ef >= 0 && ef <= 1)) throw new ChainruleError(`LinearLR: endFactor must be in [0, 1], got ${ef}`);
    this.startFactor = sf;
    this.endFactor = ef;
    this.totalIters = checkPositiveInt(opts.totalIters ?? 5, 'LinearLR', 'totalIters');
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs.map((lr) => lr * s);
    if (t > n) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (n * s + (t - 1) * (e - s))));
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, startFactor: s, endFactor: e, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (s + ((e - s) * Math.min(n, t)) / n));
  }
}

/**
 * Sets each group's rate to its initial rate times `lrLambda(epoch)` (torch.optim.lr_scheduler.LambdaLR).
 * Pass one function, or one per parameter group. The functions are not part of stateDict.
 * @example const opt = new optim.SGD(new nn.Linear(4, 2).parameters(), { lr: 0.1 }); const sched = new optim.LambdaLR(opt, { lrLambda: (e) => 0.95 ** e });
 */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[] }) {
    super(optimizer, opts, 'LambdaLR');
    const n = optimizer.paramGroups.length;
    const fs = Array.isArray(opts.lrLambda) ? opts.lrLambda : Array.from({ length: n }, () => opts.lrLambda as (e: number) => number);
    if (fs.length !== n || fs.some((f) => typeof f !== 'function')) {
      throw new ChainruleError(`LambdaLR: lrLambda must be a function or ${n} functions (one per parameter group)`);
    }
    this.lambdas = fs;
    this.initialStep();
  }
  protected getLr(): number[] {
    return this.baseLrs.map((b, i) => b * this.lambdas[i](this.lastEpoch));
  }
  override stateDict(): Record<string, unknown> {
    const { lambdas: _l, ...rest } = super.stateDict();
    return rest;
  }
}
