import { ChainruleError } from '../errors.js';
import { Optimizer } from './optimizer.js';

/**
 * A scheduler's serialisable state: plain numbers, strings, booleans and arrays of them.
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sd: optim.SchedulerStateDict = new optim.StepLR(opt, { stepSize: 2 }).stateDict();
 * sd.lastEpoch // 0
 * ```
 */
export type SchedulerStateDict = Record<string, unknown>;

/**
 * Options every epoch-based scheduler takes.
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * new optim.StepLR(opt, { stepSize: 2 }); // records initialLr on the groups
 * const resumed = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5, lastEpoch: 3 }); // resuming: the step to epoch 4 decays once
 * resumed.getLastLr() // [0.5]
 * ```
 */
export interface SchedulerOptions {
  /** index of the last epoch when resuming (default -1: start fresh) */
  lastEpoch?: number;
}

/**
 * Anything with step/stateDict/loadStateDict that drives an optimizer's learning rates: the
 * epoch-based LRSchedulers and ReduceLROnPlateau (fit takes either).
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched: optim.Scheduler = new optim.ReduceLROnPlateau(opt);
 * sched.getLastLr() // [1]
 * ```
 */
export interface Scheduler {
  /** the optimizer whose groups' rates it sets */
  readonly optimizer: Optimizer;
  /** each group's rate after the last step */
  getLastLr(): number[];
  /** the scheduler's state, to save with a checkpoint */
  stateDict(): SchedulerStateDict;
  /** restores a state from stateDict */
  loadStateDict(sd: SchedulerStateDict): void;
}

export function checkPositiveInt(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new ChainruleError(`${op}: ${what} must be a positive integer, got ${String(v)}`);
  return v;
}

export function checkFinite(v: unknown, op: string, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ChainruleError(`${op}: ${what} must be a finite number, got ${String(v)}`);
  return v;
}

/**
 * The base of epoch-based learning-rate schedulers, with PyTorch's semantics: constructing one
 * records each group's `initialLr` and applies the schedule's value for epoch 0; each `step()`
 * advances one epoch and writes the new rate into every parameter group. Call it after
 * `optimizer.step()`.
 *
 * Subclasses give the chainable rule `getLr()` (new rates from the current ones) and, where a
 * closed form exists, `closedFormLr()` (used by `step(epoch)`).
 * @example
 * ```ts
 * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
 * const sched: optim.LRScheduler = new optim.ExponentialLR(opt, { gamma: 0.5 });
 * sched.step(3); // jump to epoch 3 with the closed form
 * sched.getLastLr() // [0.125]
 * ```
 */
export abstract class LRScheduler implements Scheduler {
  readonly optimizer: Optimizer;
  /** each param group's initialLr, the rate the schedule is a function of (PyTorch's base_lrs) */
  baseLrs: number[];
  /** the epoch (step) index of the rates now set, -1 before the first step (PyTorch's last_epoch) */
  lastEpoch: number;
  /** Number of step() calls (including the one made on construction). */
  stepCount = 0;
  /** the rates the last step set, one per param group (read them with getLastLr()) */
  protected lastLr: number[] = [];

  constructor(optimizer: Optimizer, opts: SchedulerOptions, name: string) {
    if (!(optimizer instanceof Optimizer)) throw new ChainruleError(`${name}: expected an optimizer, got ${typeof optimizer}`);
    this.optimizer = optimizer;
    const lastEpoch = opts.lastEpoch ?? -1;
    if (!Number.isInteger(lastEpoch) || lastEpoch < -1) throw new ChainruleError(`${name}: lastEpoch must be an integer >= -1, got ${lastEpoch}`);
    if (lastEpoch === -1) {
      for (const g of optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    } else {
      optimizer.paramGroups.forEach((g, i) => {
        if (g.initialLr === undefined) throw new ChainruleError(`${name}: param group ${i} has no initialLr, needed to resume at lastEpoch ${lastEpoch}`);
      });
    }
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch;
  }

  /**
   * Resets the step count and applies the first value; subclass constructors call it last.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * const sched = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 }); // its constructor calls initialStep
   * sched.stepCount // 1
   * ```
   */
  initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The chainable rule: the new rate of each group from the current ones. */
  protected abstract getLr(): number[];

  /** The closed form at `lastEpoch`, when the schedule has one. */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The rates for the epoch `lastEpoch`, one per param group, computed from the current ones (PyTorch's get_lr); subclasses define their schedule here. */
  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * Advances one epoch (or jumps to `epoch`, using the closed form) and sets the groups' rates.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * const sched = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
   * for (let e = 0; e < 3; e++) { opt.step(); sched.step(); } // after each epoch's optimizer steps
   * opt.paramGroups[0].lr // 0.125
   * ```
   */
  step(epoch?: number): void {
    this.stepCount++;
    let values: number[];
    if (epoch === undefined) {
      this.lastEpoch++;
      values = this.getLr();
    } else {
      if (!Number.isInteger(epoch) || epoch < 0) throw new ChainruleError(`${this.constructor.name}.step: epoch must be an integer >= 0, got ${epoch}`);
      this.lastEpoch = epoch;
      values = this.closedFormLr() ?? this.getLr();
    }
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = this.groupLrs();
  }

  /**
   * The rates the last step set, one per parameter group.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * new optim.StepLR(opt, { stepSize: 1 }).getLastLr() // [1]
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * Own fields except the optimizer (and functions): numbers, arrays and strings only.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * new optim.StepLR(opt, { stepSize: 3, gamma: 0.5 }).stateDict().stepSize // 3
   * ```
   */
  stateDict(): SchedulerStateDict {
    const out: SchedulerStateDict = {};
    for (const [k, v] of Object.entries(this)) {
      if (k === 'optimizer' || typeof v === 'function' || k === 'schedulers') continue;
      out[k] = Array.isArray(v) ? [...v] : v;
    }
    return out;
  }

  /**
   * Restores a stateDict from a scheduler of the same kind; unknown keys are an error.
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * const a = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
   * opt.step(); a.step();
   * const b = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
   * b.loadStateDict(a.stateDict());
   * b.lastEpoch // 1
   * ```
   */
  loadStateDict(sd: SchedulerStateDict): void {
    const name = `${this.constructor.name}.loadStateDict`;
    if (!sd || typeof sd !== 'object') throw new ChainruleError(`${name}: expected an object`);
    const own = this.stateDict();
    const bad = Object.keys(sd).filter((k) => !(k in own));
    const wrong = Object.keys(sd).filter((k) => k in own && own[k] !== null && sd[k] !== null && typeof own[k] !== typeof sd[k]);
    if (bad.length || wrong.length) {
      const parts = [];
      if (bad.length) parts.push(`unexpected keys ${bad.join(', ')}`);
      if (wrong.length) parts.push(`wrong types for ${wrong.map((k) => `${k} (${typeof sd[k]}, expected ${typeof own[k]})`).join(', ')}`);
      throw new ChainruleError(`${name}: ${parts.join('; ')}`);
    }
    for (const [k, v] of Object.entries(sd)) (this as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
  }
}
