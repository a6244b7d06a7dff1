import { ChainruleError } from '../errors.js';
import { Optimizer } from './optimizer.js';
import type { Scheduler, SchedulerStateDict } from './scheduler.js';
import { Tensor } from '../ops/index.js';

/**
 * Options of optim.ReduceLROnPlateau (PyTorch's keyword arguments, camelCased).
 * @example new optim.ReduceLROnPlateau(new optim.SGD([zeros([1], { requiresGrad: true })], { lr: 1 }), { mode: 'max' }).patience // 10
 */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy). Default 'min'. */
  mode?: 'min' | 'max';
  /** multiply the rate by this when the metric stalls (default 0.1; must be < 1) */
  factor?: number;
  /** epochs without improvement tolerated before reducing (default 10) */
  patience?: number;
  /** how much better counts as better (default 1e-4) */
  threshold?: number;
  /** 'rel': better than best·(1 ∓ threshold); 'abs': better than best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** epochs to wait after a reduction before counting again (default 0) */
  cooldown?: number;
  /** lower bound on the rate, one number or one per group (default 0) */
  minLr?: number | number[];
  /** reductions smaller than this are skipped (default 1e-8) */
  eps?: number;
}

/**
 * Reduces the learning rate when a monitored metric stops improving
 * (torch.optim.lr_scheduler.ReduceLROnPlateau). Call `step(metric)` once per epoch.
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched = new optim.ReduceLROnPlateau(opt, { mode: 'min', patience: 1, factor: 0.5 });
 * for (const valLoss of [1, 0.9, 0.95, 0.97]) sched.step(valLoss); // two epochs without improvement
 * sched.getLastLr() // [0.5]
 * ```
 */
export class ReduceLROnPlateau implements Scheduler {
  readonly optimizer: Optimizer;
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy) */
  mode: 'min' | 'max';
  /** the rate's factor at each reduction: new lr = lr·factor */
  factor: number;
  /** the number of epochs without improvement tolerated before the rate is reduced */
  patience: number;
  /** how much better a metric must be to count as an improvement (see thresholdMode) */
  threshold: number;
  /** 'rel': better by a fraction threshold of the best; 'abs': better by threshold itself (PyTorch's threshold_mode) */
  thresholdMode: 'rel' | 'abs';
  /** the number of epochs after a reduction during which no bad epoch is counted */
  cooldown: number;
  /** the lowest rate of each param group (PyTorch's min_lrs) */
  minLrs: number[];
  /** a reduction smaller than this is not applied */
  eps: number;
  /** the best metric seen so far */
  best: number;
  /** epochs in a row without improvement on the monitored value */
  numBadEpochs = 0;
  /** epochs left in the cooldown after a reduction (bad epochs are not counted then) */
  cooldownCounter = 0;
  /** the number of step(value) calls so far */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: Optimizer, opts: ReduceLROnPlateauOptions = {}) {
    const op = 'ReduceLROnPlateau';
    if (!(optimizer instanceof Optimizer)) throw new ChainruleError(`${op}: expected an optimizer`);
    this.optimizer = optimizer;
    const factor = opts.factor ?? 0.1;
    if (typeof factor !== 'number' || !(factor >= 0 && factor < 1)) throw new ChainruleError(`${op}: factor must be in [0, 1), got ${factor}`);
    const mode = opts.mode ?? 'min';
    if (mode !== 'min' && mode !== 'max') throw new ChainruleError(`${op}: mode must be 'min' or 'max', got ${JSON.stringify(mode)}`);
    const tm = opts.thresholdMode ?? 'rel';
    if (tm !== 'rel' && tm !== 'abs') throw new ChainruleError(`${op}: thresholdMode must be 'rel' or 'abs', got ${JSON.stringify(tm)}`);
    const intOpt = (v: number | undefined, d: number, what: string): number => {
      const x = v ?? d;
      if (!Number.isInteger(x) || x < 0) throw new ChainruleError(`${op}: ${what} must be an integer >= 0, got ${x}`);
      return x;
    };
    const n = optimizer.paramGroups.length;
    const minLr = opts.minLr ?? 0;
    const minLrs = Array.isArray(minLr) ? [...minLr] : Array.from({ length: n }, () => minLr);
    if (minLrs.length !== n) throw new ChainruleError(`${op}: expected ${n} minLr values (one per param group), got ${minLrs.length}`);
    this.mode = mode;
    this.factor = factor;
    this.patience = intOpt(opts.patience, 10, 'patience');
    this.threshold = opts.threshold ?? 1e-4;
    this.thresholdMode = tm;
    this.cooldown = intOpt(opts.cooldown, 0, 'cooldown');
    this.minLrs = minLrs;
    this.eps = opts.eps ?? 1e-8;
    this.best = mode === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private isBetter(a: number, best: number): boolean {
    const t = this.threshold;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? a < best * (1 - t) : a < best - t;
    return this.thresholdMode === 'rel' ? a > best * (t + 1) : a > best + t;
  }

  /**
   * Records this epoch's metric and reduces the rates if it has not improved for `patience` epochs.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * const sched = new optim.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
   * sched.step(1);
   * sched.step(1); // no improvement: halve
   * sched.getLastLr() // [0.5]
   * ```
   */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== 'number' || Number.isNaN(current)) throw new ChainruleError(`ReduceLROnPlateau.step: the metric must be a number, got ${String(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0;
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Each group's rate after the last step.
   * @example new optim.ReduceLROnPlateau(new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 0.3 })).getLastLr() // [0.3]
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The scheduler's state (its options, best metric and counters), to save with a checkpoint.
   * @example new optim.ReduceLROnPlateau(new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 })).stateDict().patience // 10
   */
  stateDict(): SchedulerStateDict {
    const { optimizer: _o, ...rest } = this;
    return JSON.parse(JSON.stringify({ ...rest, best: String(this.best) })) as SchedulerStateDict;
  }

  /**
   * Restores a state from stateDict.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * const a = new optim.ReduceLROnPlateau(opt, { patience: 2 });
   * const b = new optim.ReduceLROnPlateau(opt);
   * b.loadStateDict(a.stateDict());
   * b.patience // 2
   * ```
   */
  loadStateDict(sd: SchedulerStateDict): void {
    const own = this.stateDict();
    const bad = Object.keys(sd ?? {}).filter((k) => !(k in own) || typeof own[k] !== typeof sd[k]);
    if (bad.length) throw new ChainruleError(`ReduceLROnPlateau.loadStateDict: unexpected or mistyped keys ${bad.join(', ')}`);
    const best = Number(sd.best);
    if (Number.isNaN(best)) throw new ChainruleError(`ReduceLROnPlateau.loadStateDict: best must be a number, got ${String(sd.best)}`);
    Object.assign(this, sd, { best });
  }
}
