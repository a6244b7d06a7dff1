import { ChainruleError } from '../errors.js';
import { Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerOptions, checkFinite, checkPositiveInt } from './scheduler.js';

/** One value per parameter group: a number for all, or a list with one per group (PyTorch's _format_param). */
export function perGroup(optimizer: Optimizer, v: number | readonly number[], op: string, what: string): number[] {
  const n = optimizer.paramGroups.length;
  if (Array.isArray(v)) {
    if (v.length !== n) throw new ChainruleError(`${op}: expected ${n} values for ${what} (one per parameter group), got ${v.length}`);
    return v.map((x) => checkFinite(x, op, what));
  }
  return Array.from({ length: n }, () => checkFinite(v, op, what));
}

/** Writes a momentum into a group: `momentum` (SGD, RMSprop) or the first of `betas` (the Adam family). */
export function setMomentum(group: Record<string, unknown>, m: number): void {
  if (Array.isArray(group.betas)) group.betas = [m, ...group.betas.slice(1)];
  else group.momentum = m;
}

/** One phase of a one-cycle schedule: the step it ends at and the rates and momenta it anneals between. */
export interface Phase {
  /** the last step of the phase (0-based) */
  endStep: number;
  /** the rate at the phase's start: 'initial' (maxLr/divFactor), 'max' or 'min' (the final rate) */
  startLr: 'initial' | 'max' | 'min';
  /** the rate at the phase's end */
  endLr: 'initial' | 'max' | 'min';
  /** the momentum at the phase's start: 'base' or 'max' */
  startMomentum: 'base' | 'max';
  /** the momentum at the phase's end */
  endMomentum: 'base' | 'max';
}

/**
 * Options of OneCycleLR (torch.optim.lr_scheduler.OneCycleLR; PyTorch's names are snake_case:
 * `max_lr`, `total_steps`, `pct_start`, `anneal_strategy`, `div_factor`, ...).
 * @example
 * ```ts
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10, divFactor: 10 });
 * opt.paramGroups[0].lr // 0.1
 * ```
 */
export interface OneCycleLROptions extends SchedulerOptions {
  /** the peak rate, one for all groups or one per group */
  maxLr: number | number[];
  /** the length of the cycle in steps (or give epochs and stepsPerEpoch) */
  totalSteps?: number;
  /** the number of epochs; with stepsPerEpoch, gives totalSteps = epochs·stepsPerEpoch */
  epochs?: number;
  /** the number of steps per epoch (used with epochs) */
  stepsPerEpoch?: number;
  /** the fraction of the cycle spent raising the rate (default 0.3) */
  pctStart?: number;
  /** 'cos' (default) or 'linear' annealing between the phase ends */
  annealStrategy?: 'cos' | 'linear';
  /** cycle the momentum (or Adam's beta1) inversely to the rate, between baseMomentum and maxMomentum (default true) */
  cycleMomentum?: boolean;
  /** the momentum at the rate's peak, one for all groups or one per group (default 0.85) */
  baseMomentum?: number | number[];
  /** the momentum at the start and end of the cycle, one for all groups or one per group (default 0.95) */
  maxMomentum?: number | number[];
  /** the starting rate is maxLr/divFactor (default 25) */
  divFactor?: number;
  /** the final rate is the starting rate/finalDivFactor (default 1e4) */
  finalDivFactor?: number;
  /** a third phase: up, back down to the starting rate, then down to the final rate (default false) */
  threePhase?: boolean;
}

/**
 * The 1cycle policy (Smith & Topor), as torch.optim.lr_scheduler.OneCycleLR: the rate rises from
 * maxLr/divFactor to maxLr over pctStart of the steps, then anneals to the starting rate divided
 * by finalDivFactor (threePhase: back to the starting rate first); the momentum moves the other
 * way. Step it after every batch; stepping past totalSteps is an error.
 *
 * @example
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.OneCycleLR(opt, { maxLr: 1, totalSteps: 10 });
 * opt.paramGroups[0].lr // 0.04000000000000003...
 * opt.paramGroups[0].momentum // 0.95
 */
export class OneCycleLR extends LRScheduler {
  /** steps in the whole cycle (`totalSteps`, or `epochs · stepsPerEpoch`); stepping past it is an error, as in PyTorch */
  totalSteps: number;
  /** fraction of the cycle spent raising the rate (default 0.3) */
  pctStart: number;
  /** how each phase anneals: 'cos' (default) or 'linear' */
  annealStrategy: 'cos' | 'linear';
  /** whether momentum cycles inversely to the rate, between `maxMomentum` and `baseMomentum` (default true) */
  cycleMomentum: boolean;
  /** true when the optimizer's momentum is the first of its `betas` (the Adam family), false for `momentum` */
  useBeta1: boolean;
  /** the peak rate of each parameter group */
  maxLrs: number[];
  /** the final rate of each group: initial rate / `finalDivFactor` */
  minLrs: number[];
  /** the momentum of each group at the cycle's start and end (default 0.95) */
  maxMomentums: number[];
  /** the momentum of each group at the peak rate (default 0.85) */
  baseMomentums: number[];
  /** the two phases (three with `threePhase`), each with its end step and the rates and momenta it anneals between */
  phases: Phase[];

  constructor(optimizer: Optimizer, opts: OneCycleLROptions) {
    const op = 'OneCycleLR';
    if (!(optimizer instanceof Optimizer)) throw new ChainruleError(`${op}: expected an optimizer, got ${typeof optimizer}`);
    if (!opts || typeof opts !== 'object') throw new ChainruleError(`${op}: expected options with maxLr and totalSteps (or epochs and stepsPerEpoch)`);
    let total: number;
    if (opts.totalSteps !== undefined) total = checkPositiveInt(opts.totalSteps, op, 'totalSteps');
    else if (opts.epochs !== undefined || opts.stepsPerEpoch !== undefined) total = checkPositiveInt(opts.epochs, op, 'epochs') * checkPositiveInt(opts.stepsPerEpoch, op, 'stepsPerEpoch');
    else throw new ChainruleError(`${op}: give either totalSteps or epochs and stepsPerEpoch`);
    const pct = opts.pctStart ?? 0.3;
    if (typeof pct !== 'number' || !(pct >= 0 && pct <= 1)) throw new ChainruleError(`${op}: pctStart must be a number in [0, 1], got ${String(pct)}`);
    const anneal = opts.annealStrategy ?? 'cos';
    if (anneal !== 'cos' && anneal !== 'linear') throw new ChainruleError(`${op}: annealStrategy must be 'cos' or 'linear', got ${JSON.stringify(anneal)}`);
    const div = checkFinite(opts.divFactor ?? 25, op, 'divFactor');
    const finalDiv = checkFinite(opts.finalDivFactor ?? 1e4, op, 'finalDivFactor');
    const maxLrs = perGroup(optimizer, opts.maxLr, op, 'maxLr');
    const fresh = (opts.lastEpoch ?? -1) === -1;
    // as PyTorch, the starting rate replaces any initialLr before the base records it
    if (fresh) {
      optimizer.paramGroups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / div;
      });
    }
    super(optimizer, opts, op);
    this.totalSteps = total;
    this.pctStart = pct;
    this.annealStrategy = anneal;
    this.maxLrs = maxLrs;
    this.minLrs = this.baseLrs.map((b) => b / finalDiv);
    this.phases = opts.threePhase
      ? [
          { endStep: pct * total - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: 2 * pct * total - 2, startLr: 'max', endLr: 'initial', startMomentum: 'base', endMomentum: 'max' },
          { endStep: total - 1, startLr: 'initial', endLr: 'min', startMomentum: 'max', endMomentum: 'max' },
        ]
      : [
          { endStep: pct * total - 1, startLr: 'initial', endLr: 'max', startMomentum: 'max', endMomentum: 'base' },
          { endStep: total - 1, startLr: 'max', endLr: 'min', startMomentum: 'base', endMomentum: 'max' },
        ];
    this.cycleMomentum = opts.cycleMomentum ?? true;
    const defaults = optimizer.defaults as unknown as Record<string, unknown>;
    this.useBeta1 = 'betas' in defaults;
    this.maxMomentums = [];
    this.baseMomentums = [];
    if (this.cycleMomentum) {
      if (!('momentum' in defaults) && !this.useBeta1) throw new ChainruleError(`${op}: cycleMomentum needs an optimizer with momentum or betas (${optimizer.name} has neither); pass cycleMomentum: false`);
      this.maxMomentums = perGroup(optimizer, opts.maxMomentum ?? 0.95, op, 'maxMomentum');
      this.baseMomentums = perGroup(optimizer, opts.baseMomentum ?? 0.85, op, 'baseMomentum');
      if (fresh) {
        optimizer.paramGroups.forEach((g, i) => {
          setMomentum(g as unknown as Record<string, unknown>, this.maxMomentums[i]);
        });
      }
    }
    this.initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected getLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) throw new ChainruleError(`OneCycleLR: tried to step ${step + 1} times; the specified number of total steps is ${this.totalSteps}`);
    return this.optimizer.paramGroups.map((g, i) => {
      const lrs = { initial: this.baseLrs[i], max: this.maxLrs[i], min: this.minLrs[i] };
      const moms = { base: this.baseMomentums[i], max: this.maxMomentums[i] };
      const last = this.phases.length - 1;
      const k = this.phases.findIndex((ph, j) => step <= ph.endStep || j === last);
      const ph = this.phases[k];
      const start = k > 0 ? this.phases[k - 1].endStep : 0;
      // a phase of no length (pctStart * totalSteps = 1, or pctStart = 1): PyTorch divides by zero here
      if (ph.endStep === start) {
        throw new ChainruleError(`OneCycleLR: phase ${k + 1} of the cycle has no steps (pctStart ${this.pctStart} of totalSteps ${this.totalSteps}); choose pctStart so that pctStart * totalSteps is not 1 and pctStart < 1`);
      }
      const pct = (step - start) / (ph.endStep - start);
      if (this.cycleMomentum) setMomentum(g as unknown as Record<string, unknown>, this.anneal(moms[ph.startMomentum], moms[ph.endMomentum], pct));
      return this.anneal(lrs[ph.startLr], lrs[ph.endLr], pct);
    });
  }
}
