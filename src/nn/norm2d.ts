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

export interface GroupNormOptions {
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
  readonly eps: number;
  weight: Parameter | null;
  bias: Parameter | null;

  constructor(
    readonly numGroups: number,
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

export interface InstanceNormModuleOptions {
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
  readonly eps: number;
  readonly momentum: number;
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  protected abstract readonly spatial: number;

  constructor(
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
  protected readonly spatial = 1;
}

/**
 * Instance normalisation over [N, C, H, W] (or [C, H, W]): each sample's channel normalised over
 * its plane; optional affine weight and bias and running statistics (both off by default).
 * @example new nn.InstanceNorm2d(3, { affine: true }).forward(randn([2, 3, 5, 5])).shape // [2, 3, 5, 5]
 */
export class InstanceNorm2d extends InstanceNorm {
  protected readonly spatial = 2;
}

/**
 * Local response normalisation across channels (AlexNet's): x / (k + alpha/size · the sum of x² over
 * `size` neighbouring channels)^beta.
 * @example new nn.LocalResponseNorm(2).forward(randn([1, 4, 3, 3])).shape // [1, 4, 3, 3]
 */
export class LocalResponseNorm extends Module {
  constructor(
    readonly size: number,
    readonly alpha = 1e-4,
    readonly beta = 0.75,
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
