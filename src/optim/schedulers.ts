import { ChainruleError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerOptions, checkFinite, checkPositiveInt } from './scheduler.js';

/**
 * Multiplies the rate by `gamma` every `stepSize` epochs (torch.optim.lr_scheduler.StepLR).
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
 * const lrs = [];
 * for (let e = 0; e < 5; e++) { lrs.push(sched.getLastLr()[0]); opt.step(); sched.step(); }
 * lrs // [1, 1, 0.5, 0.5, 0.25]
 * ```
 */
export class StepLR extends LRScheduler {
  /** the number of epochs between two decays (PyTorch's step_size) */
  stepSize: number;
  /** the rate's factor at each decay, every stepSize epochs */
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
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.MultiStepLR(opt, { milestones: [1, 3], gamma: 0.5 });
 * const lrs = [];
 * for (let e = 0; e < 4; e++) { lrs.push(sched.getLastLr()[0]); opt.step(); sched.step(); }
 * lrs // [1, 0.5, 0.5, 0.25]
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** the epochs at which the rate decays, increasing */
  milestones: number[];
  /** the rate's factor at each milestone */
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
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.ExponentialLR(opt, { gamma: 0.5 });
 * opt.step(); sched.step();
 * opt.step(); sched.step();
 * sched.getLastLr() // [0.25]
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** the rate's factor at every epoch */
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
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.CosineAnnealingLR(opt, { tMax: 2 });
 * opt.step(); sched.step();
 * sched.getLastLr() // [0.5]
 * opt.step(); sched.step();
 * sched.getLastLr() // [0]
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** the number of epochs of a half cosine period, from the base rate down to etaMin (PyTorch's T_max) */
  tMax: number;
  /** the smallest rate, reached after tMax epochs (PyTorch's eta_min) */
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
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const warmup = new optim.LinearLR(opt, { startFactor: 0.25, totalIters: 3 });
 * const lrs = [warmup.getLastLr()[0]];
 * for (let e = 0; e < 4; e++) { opt.step(); warmup.step(); lrs.push(warmup.getLastLr()[0]); }
 * lrs // [0.25, 0.5, 0.75, 1, 1]
 * ```
 */
export class LinearLR extends LRScheduler {
  /** the base rate's factor at the first epoch (PyTorch's start_factor) */
  startFactor: number;
  /** the base rate's factor from totalIters on (PyTorch's end_factor) */
  endFactor: number;
  /** the number of epochs over which the factor goes from startFactor to endFactor (PyTorch's total_iters) */
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
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.LambdaLR(opt, { lrLambda: (e) => 1 / (e + 1) });
 * opt.step(); sched.step();
 * sched.getLastLr() // [0.5]
 * ```
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

/**
 * Decays the rate polynomially to 0 over `totalIters` epochs: lr = base·(1 - t/totalIters)^power,
 * then holds it (torch.optim.lr_scheduler.PolynomialLR).
 * @example
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.PolynomialLR(opt, { totalIters: 4, power: 2 });
 * sched.step();
 * opt.paramGroups[0].lr // 0.5625
 */
export class PolynomialLR extends LRScheduler {
  /** the number of epochs over which the rate decays to 0 (PyTorch's total_iters) */
  totalIters: number;
  /** the polynomial's power: the rate is base·(1 - t/totalIters)^power */
  power: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { totalIters?: number; power?: number } = {}) {
    super(optimizer, opts, 'PolynomialLR');
    this.totalIters = checkPositiveInt(opts.totalIters ?? 5, 'PolynomialLR', 'totalIters');
    this.power = checkFinite(opts.power ?? 1, 'PolynomialLR', 'power');
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (t === 0 || t > n) return lrs;
    const decay = ((1 - t / n) / (1 - (t - 1) / n)) ** this.power;
    return lrs.map((lr) => lr * decay);
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (1 - Math.min(n, t) / n) ** this.power);
  }
}

/**
 * Multiplies the rate by `factor` for the first `totalIters` epochs, then restores it
 * (torch.optim.lr_scheduler.ConstantLR).
 * @example
 * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.ConstantLR(opt, { factor: 0.5, totalIters: 2 });
 * opt.paramGroups[0].lr // 0.5
 * sched.step(); sched.step();
 * opt.paramGroups[0].lr // 1
 */
export class ConstantLR extends LRScheduler {
  /** the base rate's factor until totalIters epochs have passed */
  factor: number;
  /** the number of epochs the factor applies (PyTorch's total_iters) */
  totalIters: number;
  constructor(optimizer: Optimizer, opts: SchedulerOptions & { factor?: number; totalIters?: number } = {}) {
    super(optimizer, opts, 'ConstantLR');
    const f = opts.factor ?? 1 / 3;
    // PyTorch takes [0, 1] and divides by the factor at totalIters: 0 is refused here rather than there
    if (typeof f !== 'number' || !(f > 0 && f <= 1)) throw new ChainruleError(`ConstantLR: factor must be in (0, 1], got ${String(f)}`);
    this.factor = f;
    this.totalIters = checkPositiveInt(opts.totalIters ?? 5, 'ConstantLR', 'totalIters');
    this.initialStep();
  }
  protected getLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    const lrs = this.groupLrs();
    if (t === 0) return lrs.map((lr) => lr * this.factor);
    if (t !== n) return lrs;
    return lrs.map((lr) => lr * (1 / this.factor));
  }
  protected override closedFormLr(): number[] {
    const { lastEpoch: t, totalIters: n } = this;
    return this.baseLrs.map((b) => b * (this.factor + (t >= n ? 1 - this.factor : 0)));
  }
}
