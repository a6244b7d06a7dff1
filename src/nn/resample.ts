import { ChainruleError } from '../errors.js';
import { type FoldOptions, fold, unfold } from './fn/fold.js';
import { type InterpolateOptions, interpolate, pixelShuffle, pixelUnshuffle } from './fn/resample.js';
import type { Size2d } from './fn/conv2d.js';
import { Module, showShape } from './module.js';
import type { Tensor } from '../ops/index.js';

/** Runs an F function, its errors rethrown as the module's input errors (path and description). */
abstract class Wrapping extends Module {
  /** Runs f, its ChainruleErrors rethrown as this module's input errors naming the input's shape. */
  protected run(x: Tensor, f: () => Tensor): Tensor {
    try {
      return f();
    } catch (e) {
      if (e instanceof ChainruleError) this.inputError(`${e.message.replace(/^\w+: /, '')} (input ${showShape(x.shape)})`);
      throw e;
    }
  }
}

/**
 * Resizes the spatial dims of [N, C, ...] (F.interpolate as a module): nearest, nearest-exact,
 * linear, bilinear or area, to `size` or by `scaleFactor`.
 * @example new nn.Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(randn([1, 3, 4, 4])).shape // [1, 3, 8, 8]
 */
export class Upsample extends Wrapping {
  constructor(
    /** the target `size` or `scaleFactor` and the `mode` ('nearest' by default), as F.interpolate's options */
    readonly opts: InterpolateOptions,
  ) {
    super();
  }
  override extraRepr(): string {
    const o = this.opts;
    return `${o.size !== undefined ? `size=${JSON.stringify(o.size)}` : `scaleFactor=${JSON.stringify(o.scaleFactor)}`}, mode=${o.mode ?? 'nearest'}${o.alignCorners !== undefined ? `, alignCorners=${o.alignCorners}` : ''}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => interpolate(x, this.opts));
  }
}

/**
 * [*, C·r², H, W] -> [*, C, H·r, W·r].
 * @example new nn.PixelShuffle(2).forward(randn([1, 12, 3, 3])).shape // [1, 3, 6, 6]
 */
export class PixelShuffle extends Wrapping {
  constructor(
    /** r: `[N, C·r², H, W]` becomes `[N, C, H·r, W·r]` (PyTorch's `upscale_factor`) */
    readonly upscaleFactor: number,
  ) {
    super();
  }
  override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => pixelShuffle(x, this.upscaleFactor));
  }
}

/**
 * [*, C, H·r, W·r] -> [*, C·r², H, W].
 * @example new nn.PixelUnshuffle(2).forward(randn([1, 3, 6, 6])).shape // [1, 12, 3, 3]
 */
export class PixelUnshuffle extends Wrapping {
  constructor(
    /** r: `[N, C, H·r, W·r]` becomes `[N, C·r², H, W]` (PyTorch's `downscale_factor`) */
    readonly downscaleFactor: number,
  ) {
    super();
  }
  override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => pixelUnshuffle(x, this.downscaleFactor));
  }
}

/**
 * The sliding blocks of [N, C, H, W] as columns [N, C·kh·kw, L] (F.unfold as a module).
 * @example new nn.Unfold(3, { padding: 1 }).forward(randn([2, 4, 5, 5])).shape // [2, 36, 25]
 */
export class Unfold extends Wrapping {
  constructor(
    /** size `[kH, kW]` of the sliding blocks, or a number for both (PyTorch's `kernel_size`) */
    readonly kernelSize: Size2d,
    /** dilation (default 1), padding (default 0) and stride (default 1) of the blocks */
    readonly opts: FoldOptions = {},
  ) {
    super();
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, dilation=${JSON.stringify(this.opts.dilation ?? 1)}, padding=${JSON.stringify(this.opts.padding ?? 0)}, stride=${JSON.stringify(this.opts.stride ?? 1)}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => unfold(x, this.kernelSize, this.opts));
  }
}

/**
 * Columns [N, C·kh·kw, L] summed back into images of outputSize (F.fold as a module).
 * @example new nn.Fold([4, 5], 2).forward(randn([1, 8, 12])).shape // [1, 2, 4, 5]
 */
export class Fold extends Wrapping {
  constructor(
    /** spatial size `[H, W]` of the output the blocks are summed into (PyTorch's `output_size`) */
    readonly outputSize: Size2d,
    /** size `[kH, kW]` of the sliding blocks, or a number for both (PyTorch's `kernel_size`) */
    readonly kernelSize: Size2d,
    /** dilation (default 1), padding (default 0) and stride (default 1) of the blocks, as in the Unfold that made them */
    readonly opts: FoldOptions = {},
  ) {
    super();
  }
  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}, kernelSize=${JSON.stringify(this.kernelSize)}, dilation=${JSON.stringify(this.opts.dilation ?? 1)}, padding=${JSON.stringify(this.opts.padding ?? 0)}, stride=${JSON.stringify(this.opts.stride ?? 1)}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => fold(x, this.outputSize, this.kernelSize, this.opts));
  }
}
