import { ChainruleError } from '../errors.js';
import { perGroup, setMomentum } from './onecycle.js';
import { Optimizer } from './optimizer.js';
import { LRScheduler, type SchedulerOptions, checkFinite } from './scheduler.js';

/**
 * Options of CyclicLR (torch.optim.lr_scheduler.CyclicLR; PyTorch's names are snake_case:
 * `base_lr`, `max_lr`, `step_size_up`, `scale_fn`, `cycle_momentum`, ...).
 * @example
 * ```ts
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.CyclicLR(opt, { baseLr: 0, maxLr: 1, stepSizeUp: 4, cycleMomentum: false });
 * sched.step();
 * opt.paramGroups[0].lr // 0.25
 * ```
 */
export interface CyclicLROptions extends SchedulerOptions {
  /** the low end of the cycle, one for all groups or one per group (also the starting rate) */
  baseLr: number | number[];
  /** the high end of the cycle */
  maxLr: number | number[];
  /** steps from baseLr up to maxLr (default 2000) */
  stepSizeUp?: number;
  /** steps back down (default stepSizeUp) */
  stepSizeDown?: number | null;
  /** 'triangular' (default): constant height; 'triangular2': the height halves every cycle; 'exp_range': it is scaled by gamma^step */
  mode?: 'triangular' | 'triangular2' | 'exp_range';
  /** exp_range's base (default 1) */
  gamma?: number;
  /** a custom height scale, in place of mode's; of the cycle number or of the step, by scaleMode (not part of stateDict) */
  scaleFn?: ((x: number) => number) | null;
  /** what scaleFn is a function of: 'cycle' (default) or 'iterations' */
  scaleMode?: 'cycle' | 'iterations';
  /** cycle the momentum inversely to the rate, between baseMomentum and maxMomentum (default true; needs an optimizer with momentum) */
  cycleMomentum?: boolean;
  /** the momentum at the rate's peak, one for all groups or one per group (default 0.8) */
  baseMomentum?: number | number[];
  /** the momentum at baseLr, one for all groups or one per group (default 0.9) */
  maxMomentum?: number | number[];
}

/**
 * The cyclical learning rate policy (Smith), as torch.optim.lr_scheduler.CyclicLR: the rate goes
 * from baseLr up to maxLr over stepSizeUp steps and back over stepSizeDown, again and again, the
 * height scaled by the mode (or scaleFn); the momentum moves the other way. Step it after every
 * batch.
 *
 * @example
 * const w = tensor([1], { requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * const sched = new optim.CyclicLR(opt, { baseLr: 0.01, maxLr: 0.1, stepSizeUp: 2 });
 * sched.step();
 * opt.paramGroups[0].lr // 0.05500000000000001
 * opt.paramGroups[0].momentum // 0.8500000000000001
 */
export class CyclicLR extends LRScheduler {
  /** the upper rate of each parameter group */
  maxLrs: number[];
  /** steps in one cycle: `stepSizeUp + stepSizeDown` */
  totalSize: number;
  /** the fraction of a cycle spent rising: `stepSizeUp / totalSize` */
  stepRatio: number;
  /** the amplitude policy: 'triangular' (constant, default), 'triangular2' (halved each cycle), 'exp_range' (scaled by gamma^step) */
  mode: 'triangular' | 'triangular2' | 'exp_range';
  /** the base of 'exp_range' scaling, gamma^step (default 1) */
  gamma: number;
  /** whether the scale function takes the cycle number or the step count */
  scaleMode: 'cycle' | 'iterations';
  /** whether momentum cycles inversely to the rate (default true) */
  cycleMomentum: boolean;
  /** the momentum of each group at the peak rate (default 0.8) */
  baseMomentums: number[];
  /** the momentum of each group at the base rate (default 0.9) */
  maxMomentums: number[];
  private readonly customScale: ((x: number) => number) | null;

  constructor(optimizer: Optimizer, opts: CyclicLROptions) {
    const op = 'CyclicLR';
    if (!(optimizer instanceof Optimizer)) throw new ChainruleError(`${op}: expected an optimizer, got ${typeof optimizer}`);
    if (!opts || typeof opts !== 'object') throw new ChainruleError(`${op}: expected options with baseLr and maxLr`);
    const baseLrs = perGroup(optimizer, opts.baseLr, op, 'baseLr');
    const fresh = (opts.lastEpoch ?? -1) === -1;
    // as PyTorch, the groups start at baseLr before the base records their initial rates
    if (fresh) {
      optimizer.paramGroups.forEach((g, i) => {
        g.lr = baseLrs[i];
      });
    }
    super(optimizer, opts, op);
    this.maxLrs = perGroup(optimizer, opts.maxLr, op, 'maxLr');
    const up = checkFinite(opts.stepSizeUp ?? 2000, op, 'stepSizeUp');
    const down = opts.stepSizeDown == null ? up : checkFinite(opts.stepSizeDown, op, 'stepSizeDown');
    if (!(up > 0) || !(down >= 0)) throw new ChainruleError(`${op}: stepSizeUp must be > 0 and stepSizeDown >= 0, got ${up} and ${down}`);
    this.totalSize = up + down;
    this.stepRatio = up / this.totalSize;
    const mode = opts.mode ?? 'triangular';
    const scaleFn = opts.scaleFn ?? null;
    if (scaleFn !== null && typeof scaleFn !== 'function') throw new ChainruleError(`${op}: scaleFn must be a function of one number`);
    if (scaleFn === null && mode !== 'triangular' && mode !== 'triangular2' && mode !== 'exp_range') {
      throw new ChainruleError(`${op}: mode must be 'triangular', 'triangular2' or 'exp_range' (or pass a scaleFn), got ${JSON.stringify(mode)}`);
    }
    const scaleMode = opts.scaleMode ?? 'cycle';
    if (scaleMode !== 'cycle' && scaleMode !== 'iterations') throw new ChainruleError(`${op}: scaleMode must be 'cycle' or 'iterations', got ${JSON.stringify(scaleMode)}`);
    this.mode = mode;
    this.gamma = checkFinite(opts.gamma ?? 1, op, 'gamma');
    this.customScale = scaleFn;
    this.scaleMode = scaleFn ? scaleMode : mode === 'exp_range' ? 'iterations' : 'cycle';
    this.cycleMomentum = opts.cycleMomentum ?? true;
    this.baseMomentums = [];
    this.maxMomentums = [];
    if (this.cycleMomentum) {
      if (!('momentum' in (optimizer.defaults as unknown as Record<string, unknown>))) {
        throw new ChainruleError(`${op}: cycleMomentum needs an optimizer with momentum (${optimizer.name} has none); pass cycleMomentum: false`);
      }
      const base = perGroup(optimizer, opts.baseMomentum ?? 0.8, op, 'baseMomentum');
      if (fresh) {
        optimizer.paramGroups.forEach((g, i) => {
          setMomentum(g as unknown as Record<string, unknown>, base[i]);
        });
      }
      this.baseMomentums = optimizer.paramGroups.map((g) => (g as unknown as { momentum: number }).momentum);
      this.maxMomentums = perGroup(optimizer, opts.maxMomentum ?? 0.9, op, 'maxMomentum');
    }
    this.initialStep();
    // PyTorch's first step ran on the groups' initial rates; from here the cycle's ends are baseLr
    this.baseLrs = baseLrs;
  }

  private scale(x: number): number {
    if (this.customScale) return this.customScale(x);
    if (this.mode === 'triangular2') return 1 / 2 ** (x - 1);
    if (this.mode === 'exp_range') return this.gamma ** x;
    return 1;
  }

  protected getLr(): number[] {
    const cycle = Math.floor(1 + this.lastEpoch / this.totalSize);
    const x = 1 + this.lastEpoch / this.totalSize - cycle;
    const factor = x <= this.stepRatio ? x / this.stepRatio : (x - 1) / (this.stepRatio - 1);
    const s = this.scale(this.scaleMode === 'cycle' ? cycle : this.lastEpoch);
    if (this.cycleMomentum) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const m = this.maxMomentums[i] - (this.maxMomentums[i] - this.baseMomentums[i]) * factor * s;
        setMomentum(g as unknown as Record<string, unknown>, m);
      });
    }
    return this.baseLrs.map((b, i) => b + (this.maxLrs[i] - b) * factor * s);
  }

  override stateDict(): Record<string, unknown> {
    const { customScale: _c, ...rest } = super.stateDict();
    return rest;
  }
}
