import { ChainruleError } from '../errors.js';
import type { Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerOptions, checkFinite, checkPositiveInt } from './scheduler.js';

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter), as
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts: lr = etaMin + (base - etaMin)·(1 +
 * cos(π·Tcur/Ti))/2, restarting at the initial rate after T0 epochs, then after T0·TMult, T0·TMult²,
 * ... `step(epoch)` takes fractional epochs (`epoch + i / itersPerEpoch` after batch i), and
 * step() and step(epoch) may be mixed.
 *
 * @example
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 1 });
 * const sched = new optim.CosineAnnealingWarmRestarts(opt, { T0: 2, TMult: 2 });
 * sched.step(1);
 * opt.paramGroups[0].lr // 0.5
 * sched.step(2.5);
 * opt.paramGroups[0].lr // 0.9619397662556434
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** steps (or epochs) of the first cycle */
  T0: number;
  /** length of the current cycle: T0 · TMult^i after i restarts */
  Ti: number;
  /** factor by which each cycle is longer than the last (an integer, default 1) */
  TMult: number;
  /** the lowest rate, reached at the end of each cycle (default 0) */
  etaMin: number;
  /** steps (fractional epochs allowed) since the last restart */
  TCur: number;

  constructor(optimizer: Optimizer, opts: SchedulerOptions & { T0: number; TMult?: number; etaMin?: number }) {
    const op = 'CosineAnnealingWarmRestarts';
    super(optimizer, opts, op);
    this.T0 = checkPositiveInt(opts.T0, op, 'T0');
    this.Ti = this.T0;
    this.TMult = checkPositiveInt(opts.TMult ?? 1, op, 'TMult');
    this.etaMin = checkFinite(opts.etaMin ?? 0, op, 'etaMin');
    this.TCur = this.lastEpoch;
    this.initialStep();
  }

  protected getLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.TCur) / this.Ti))) / 2);
  }

  /**
   * Advances one epoch, or moves to `epoch` (a number >= 0, fractions allowed), and sets the rates.
   * @example
   * const opt = new optim.SGD([tensor([1], { requiresGrad: true })], { lr: 1 });
   * const sched = new optim.CosineAnnealingWarmRestarts(opt, { T0: 1 });
   * for (let i = 0; i < 4; i++) sched.step(2 + i / 4); // after each of 4 batches of epoch 2
   * opt.paramGroups[0].lr // 0.1464466094067262...
   */
  override step(epoch?: number): void {
    this.stepCount++;
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.TCur += 1;
      if (this.TCur >= this.Ti) {
        this.TCur -= this.Ti;
        this.Ti *= this.TMult;
      }
    } else {
      if (typeof e !== 'number' || !(e >= 0)) throw new ChainruleError(`CosineAnnealingWarmRestarts.step: epoch must be a number >= 0, got ${String(e)}`);
      if (e >= this.T0) {
        if (this.TMult === 1) {
          this.TCur = e % this.T0;
        } else {
          // Python's int(math.log(x, base)): log(x)/log(base), truncated
          const n = Math.trunc(Math.log((e / this.T0) * (this.TMult - 1) + 1) / Math.log(this.TMult));
          this.TCur = e - (this.T0 * (this.TMult ** n - 1)) / (this.TMult - 1);
          this.Ti = this.T0 * this.TMult ** n;
        }
      } else {
        this.Ti = this.T0;
        this.TCur = e;
      }
    }
    this.lastEpoch = Math.floor(e);
    const values = this.getLr();
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = this.groupLrs();
  }
}
