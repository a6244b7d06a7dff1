import { ChainruleError } from '../errors.js';
import { ones, scalar, zeros } from '../tensor/creation.js';
import { batchNorm, layerNorm } from './fn/norm.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of nn.LayerNorm.
 * @example new nn.LayerNorm(3, { elementwiseAffine: false }).parameters().length // 0
 */
export interface LayerNormOptions {
  /** added to the variance before the square root (default 1e-5) */
  eps?: number;
  /** learn a per-element weight and bias (default true) */
  elementwiseAffine?: boolean;
}

/**
 * Normalises each sample over its trailing `normalizedShape` dims, then scales and shifts.
 * @example new nn.LayerNorm(4).forward(randn([2, 4])).shape // [2, 4]
 */
export class LayerNorm extends Module {
  /** the trailing shape normalised over, e.g. `[C]` for `[batch, T, C]` (PyTorch's `normalized_shape`) */
  readonly normalizedShape: number[];
  /** added to the variance before the square root (default 1e-5) */
  readonly eps: number;
  /** learnable scale γ of shape normalizedShape, init ones; null with `elementwiseAffine: false` */
  weight: Parameter | null;
  /** learnable shift β of shape normalizedShape, init zeros; null with `elementwiseAffine: false` */
  bias: Parameter | null;

  constructor(normalizedShape: number | readonly number[], opts: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? new Parameter(ones(this.normalizedShape)) : null;
    this.bias = affine ? new Parameter(zeros(this.normalizedShape)) : null;
  }

  override describe(): string {
    return `LayerNorm ${showShape(this.normalizedShape)}`;
  }

  override extraRepr(): string {
    return `${showShape(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.weight !== null}`;
  }

  forward(x: Tensor): Tensor {
    const k = this.normalizedShape.length;
    if (x.ndim < k || x.shape.slice(x.ndim - k).some((n, i) => n !== this.normalizedShape[i])) {
      this.inputError(`expected ${showShape(['*', ...this.normalizedShape])}, got ${showShape(x.shape)}`);
    }
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}

/**
 * Options of nn.BatchNorm1d and nn.BatchNorm2d.
 * @example
 * ```ts
 * const bn = new nn.BatchNorm1d(2, { momentum: 0.5 });
 * bn.forward(tensor([[1, 2], [3, 6]]));
 * bn.running_mean?.toArray() // [1, 2]
 * ```
 */
export interface BatchNormModuleOptions {
  /** added to the variance before the square root (default 1e-5) */
  eps?: number;
  /** weight of the newest batch in the running statistics (default 0.1); null: cumulative average */
  momentum?: number | null;
  /** learn a per-channel weight and bias (default true) */
  affine?: boolean;
  /** keep running statistics, used in eval mode (default true) */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over [N, C] or [N, C, L] with running statistics (buffers running_mean,
 * running_var, num_batches_tracked, as in PyTorch's state dict); eval mode uses them.
 * @example const bn = new nn.BatchNorm1d(3); bn.forward(randn([8, 3])); bn.eval().forward(randn([2, 3]))
 */
export class BatchNorm1d extends Module {
  /** added to the variance before the square root (default 1e-5) */
  readonly eps: number;
  /** weight of the new batch statistic in the running averages (default 0.1); null: a cumulative average, as PyTorch's `momentum=None` */
  readonly momentum: number | null;
  /** learnable scale γ, shape `[numFeatures]`, init ones; null with `affine: false` */
  weight: Parameter | null;
  /** learnable shift β, shape `[numFeatures]`, init zeros; null with `affine: false` */
  bias: Parameter | null;
  /** buffer: running mean per channel, shape `[numFeatures]`, init zeros, used in eval mode; null with `trackRunningStats: false` */
  declare running_mean: Tensor | null;
  /** buffer: running unbiased variance per channel, shape `[numFeatures]`, init ones; null with `trackRunningStats: false` */
  declare running_var: Tensor | null;
  /** buffer: int32 scalar counting the training batches seen (the step size when momentum is null); null with `trackRunningStats: false` */
  declare num_batches_tracked: Tensor | null;

  constructor(
    /** number of channels C of the input `[N, C]` or `[N, C, L]` (PyTorch's `num_features`) */
    readonly numFeatures: number,
    opts: BatchNormModuleOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new ChainruleError(`${new.target.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    const affine = opts.affine ?? true;
    this.weight = affine ? new Parameter(ones([numFeatures])) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures])) : null;
    if (opts.trackRunningStats ?? true) {
      this.registerBuffer('running_mean', zeros([numFeatures]));
      this.registerBuffer('running_var', ones([numFeatures]));
      this.registerBuffer('num_batches_tracked', scalar(0, { dtype: 'int32' }));
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
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[1] !== this.numFeatures) {
      this.inputError(`expected [N, ${this.numFeatures}] or [N, ${this.numFeatures}, L], got ${showShape(x.shape)}`);
    }
    return this.normalize(x);
  }

  /** Normalises a checked input [N, C, ...] with batch or running statistics (shared with BatchNorm2d). */
  protected normalize(x: Tensor): Tensor {
    const useRunning = !this.training && this.running_mean !== null;
    if (!useRunning && x.size / this.numFeatures <= 1) this.inputError(`expected more than 1 value per channel when training, got ${showShape(x.shape)}`);
    if (this.training && this.num_batches_tracked) this.num_batches_tracked.data[0] += 1;
    const track = this.training && this.running_mean !== null;
    return batchNorm(x, useRunning || track ? this.running_mean : null, useRunning || track ? this.running_var : null, {
      weight: this.weight,
      bias: this.bias,
      training: !useRunning,
      momentum: this.momentum,
      eps: this.eps,
      numBatchesTracked: this.num_batches_tracked ? this.num_batches_tracked.data[0] : 1,
    });
  }
}
