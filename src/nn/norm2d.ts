import { ChainruleError } from '../errors.js';
import { ones, zeros } from '../tensor/creation.js';
import { groupNorm, instanceNorm, localResponseNorm } from './fn/norm2d.js';
import { Module, showShape } from './module.js';
import { BatchNorm1d } from './norm.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

/**
 * Batch normalisation over [N, C, H, W]: per-channel statistics over the batch and both spatial
 * dims, with running statistics (running_mean, running_var, num_batches_tracked) for eval mode.
 * @example new nn.BatchNorm2d(3).forward(randn([4, 3, 5, 5])).shape // [4, 3, 5, 5]
 */
export class BatchNorm2d extends BatchNorm1d {
  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[1] !== this.numFeatures) this.inputError(`expected [N, ${this.numFeatures}, H, W], got ${showShape(x.shape)}`);
    return this.normalize(x);
  }
}

/**
 * Options of nn.GroupNorm.
 * @example new nn.GroupNorm(2, 4, { affine: false }).numParameters() // 0
 */
export interface GroupNormOptions {
  /** added to the variance before the square root (default 1e-5) */
  eps?: number;
  /** learn a per-channel weight and bias (default true) */
  affine?: boolean;
}

/**
 * Group normalisation: the channels split into numGroups groups, each sample's group normalised
 * on its own (no running statistics), then a per-channel weight and bias.
 * @example new nn.GroupNorm(2, 4).forward(randn([3, 4, 5, 5])).shape // [3, 4, 5, 5]
 */
export class GroupNorm extends Module {
  /** added to the variance before the square root (default 1e-5) */
  readonly eps: number;
  /** learnable per-channel scale, shape `[numChannels]`, init ones; null with `affine: false` */
  weight: Parameter | null;
  /** learnable per-channel shift, shape `[numChannels]`, init zeros; null with `affine: false` */
  bias: Parameter | null;

  constructor(
    /** number of groups the channels are split into; numChannels must be divisible by it (PyTorch's `num_groups`) */
    readonly numGroups: number,
    /** number of channels C of the input `[N, C, ...]` (PyTorch's `num_channels`) */
    readonly numChannels: number,
    opts: GroupNormOptions = {},
  ) {
    super();
    for (const [v, what] of [
      [numGroups, 'numGroups'],
      [numChannels, 'numChannels'],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ChainruleError(`GroupNorm: ${what} must be a positive integer, got ${v}`);
    }
    if (numChannels % numGroups !== 0) throw new ChainruleError(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numChannels])) : null;
    this.bias = affine ? new Parameter(zeros([numChannels])) : null;
  }

  override describe(): string {
    return `GroupNorm ${this.numGroups}x${this.numChannels / this.numGroups}`;
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.weight !== null}`;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) this.inputError(`expected [N, ${this.numChannels}, ...], got ${showShape(x.shape)}`);
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }
}

/**
 * Options of nn.InstanceNorm1d and nn.InstanceNorm2d.
 * @example new nn.InstanceNorm1d(2, { affine: true, trackRunningStats: true }).numParameters() // 4
 */
export interface InstanceNormModuleOptions {
  /** added to the variance before the square root (default 1e-5) */
  eps?: number;
  /** weight of the newest batch in the running statistics (default 0.1) */
  momentum?: number;
  /** learn a per-channel weight and bias (default false, as PyTorch) */
  affine?: boolean;
  /** keep running statistics, used in eval mode (default false, as PyTorch) */
  trackRunningStats?: boolean;
}

/** The shared body of InstanceNorm1d and InstanceNorm2d: `spatial` is the number of spatial dims. */
abstract class InstanceNorm extends Module {
  /** added to the variance before the square root (default 1e-5) */
  readonly eps: number;
  /** weight of the new statistic in the running averages when trackRunningStats (default 0.1) */
  readonly momentum: number;
  /** learnable scale, shape `[numFeatures]`, init ones; null unless `affine: true` (default false, as PyTorch) */
  weight: Parameter | null;
  /** learnable shift, shape `[numFeatures]`, init zeros; null unless `affine: true` */
  bias: Parameter | null;
  /** buffer: running mean, shape `[numFeatures]`, init zeros; null unless `trackRunningStats: true` (default false) */
  declare running_mean: Tensor | null;
  /** buffer: running variance, shape `[numFeatures]`, init ones; null unless `trackRunningStats: true` */
  declare running_var: Tensor | null;
  /** buffer: int32 scalar counting the training batches seen; null unless `trackRunningStats: true` */
  declare num_batches_tracked: Tensor | null;
  /** number of spatial dimensions after `[N, C]`: 1 for InstanceNorm1d, 2 for InstanceNorm2d */
  protected abstract readonly spatial: number;

  constructor(
    /** number of channels C of the input `[N, C, ...]` (PyTorch's `num_features`) */
    readonly numFeatures: number,
    opts: InstanceNormModuleOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new ChainruleError(`${new.target.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum ?? 0.1;
    const affine = opts.affine ?? false;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    if (opts.trackRunningStats ?? false) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', zeros([], { dtype: 'int32' }));
    } else {
      this.running_mean = null;
      this.running_var = null;
      this.num_batches_tracked = null;
    }
  }

  override describe(): string {
    return `${this.constructor.name} ${this.numFeatures}`;
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.weight !== null}, trackRunningStats=${this.running_mean !== null}`;
  }

  forward(x: Tensor): Tensor {
    const s = this.spatial;
    const dims = s === 1 ? 'L' : 'H, W';
    if ((x.ndim !== s + 1 && x.ndim !== s + 2) || x.shape[x.ndim - s - 1] !== this.numFeatures) {
      this.inputError(`expected [N, ${this.numFeatures}, ${dims}] or [${this.numFeatures}, ${dims}], got ${showShape(x.shape)}`);
    }
    const unbatched = x.ndim === s + 1;
    const xb = unbatched ? x.unsqueeze(0) : x;
    const useInput = this.training || this.running_mean === null;
    if (useInput && xb.size / Math.max(1, xb.shape[0] * this.numFeatures) <= 1) {
      this.inputError(`expected more than 1 spatial element per channel when training, got ${showShape(x.shape)}`);
    }
    // PyTorch's instance norms keep num_batches_tracked (in the state dict) but never count
    const track = this.training && this.running_mean !== null;
    const y = instanceNorm(xb, track || !useInput ? this.running_mean : null, track || !useInput ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      useInputStats: useInput,
      momentum: this.momentum,
      eps: this.eps,
    });
    return unbatched ? y.squeeze(0) : y;
  }
}

/**
 * Instance normalisation over [N, C, L] (or [C, L]): each sample's channel normalised over its
 * length; optional affine weight and bias and running statistics (both off by default, as PyTorch).
 * @example new nn.InstanceNorm1d(3).forward(randn([2, 3, 10])).shape // [2, 3, 10]
 */
export class InstanceNorm1d extends InstanceNorm {
  /** 1: the input is `[N, C, L]` */
  protected readonly spatial = 1;
}

/**
 * Instance normalisation over [N, C, H, W] (or [C, H, W]): each sample's channel normalised over
 * its plane; optional affine weight and bias and running statistics (both off by default).
 * @example new nn.InstanceNorm2d(3, { affine: true }).forward(randn([2, 3, 5, 5])).shape // [2, 3, 5, 5]
 */
export class InstanceNorm2d extends InstanceNorm {
  /** 2: the input is `[N, C, H, W]` */
  protected readonly spatial = 2;
}

/**
 * Local response normalisation across channels (AlexNet's): x / (k + alpha/size · the sum of x² over
 * `size` neighbouring channels)^beta.
 * @example new nn.LocalResponseNorm(2).forward(randn([1, 4, 3, 3])).shape // [1, 4, 3, 3]
 */
export class LocalResponseNorm extends Module {
  constructor(
    /** number of neighbouring channels summed over (the window across channels) */
    readonly size: number,
    /** multiplicative factor of the summed squares (default 1e-4) */
    readonly alpha = 1e-4,
    /** exponent of the denominator (default 0.75) */
    readonly beta = 0.75,
    /** additive constant of the denominator (default 1) */
    readonly k = 1,
  ) {
    super();
    if (!Number.isInteger(size) || size < 1) throw new ChainruleError(`LocalResponseNorm: size must be an integer >= 1, got ${size}`);
  }

  override extraRepr(): string {
    return `${this.size}, alpha=${this.alpha}, beta=${this.beta}, k=${this.k}`;
  }

  forward(x: Tensor): Tensor {
    if (x.ndim < 3) this.inputError(`expected [N, C, ...] with at least 3 dims, got ${showShape(x.shape)}`);
    return localResponseNorm(x, this.size, this.alpha, this.beta, this.k);
  }
}
