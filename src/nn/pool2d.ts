import { ChainruleError } from '../errors.js';
import { type AdaptiveSize, type AvgPool2dOptions, type MaxPool2dOptions, adaptiveAvgPool2d, adaptiveMaxPool2d, avgPool2d, maxPool2d } from './fn/pool2d.js';
import type { Size2d } from './fn/conv2d.js';
import { Module, showShape } from './module.js';
import type { Tensor, ValuesAndIndices } from '../ops/index.js';

const shown = (v: unknown): string => (Array.isArray(v) ? v.map((d) => String(d)).join('x') : String(v));

/**
 * What a max pool's forward returns: the values, or with returnIndices the values and their
 * positions (flat indices into each input plane, as PyTorch).
 * @example
 * ```ts
 * const [values, indices] = new nn.MaxPool2d(2, { returnIndices: true }).forward(tensor([[[[1, 2], [4, 3]]]]));
 * [values.toArray(), indices.toArray()] // [[[[[4]]]], [[[[2]]]]]
 * ```
 */
export type PoolResult<R extends boolean> = R extends true ? ValuesAndIndices : Tensor;

/** The 2-d pools' shared input check: [N, C, H, W] or [C, H, W], and errors of the op named by the module's path. */
abstract class Pool2d extends Module {
  /** Checks the input is `[N, C, H, W]` or `[C, H, W]` and runs f, its ChainruleErrors rethrown as this module's input errors. */
  protected run<T>(x: Tensor, f: () => T): T {
    if (x.ndim !== 3 && x.ndim !== 4) this.inputError(`expected [N, C, H, W] or [C, H, W], got ${showShape(x.shape)}`);
    try {
      return f();
    } catch (e) {
      if (e instanceof ChainruleError) this.inputError(e.message.replace(/^\w+: /, ''));
      throw e;
    }
  }
}

/**
 * 2-d max pooling over [N, C, H, W] (stride defaults to the kernel size); with returnIndices the
 * forward returns the values and their positions r·W + c in each plane.
 * @example new nn.MaxPool2d(2).forward(randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class MaxPool2d<R extends boolean = false> extends Pool2d {
  constructor(
    /** window size `[kH, kW]`, or a number for both (PyTorch's `kernel_size`) */
    readonly kernelSize: Size2d,
    /** stride (default kernelSize), padding, dilation, ceilMode (PyTorch's `ceil_mode`) and returnIndices (PyTorch's `return_indices`, default false) */
    readonly opts: MaxPool2dOptions & {
      /** also return the flat positions r·W + c of the maxima (default false, PyTorch's `return_indices`) */
      returnIndices?: R;
    } = {},
  ) {
    super();
  }
  override describe(): string {
    return `MaxPool2d ${shown(this.kernelSize)}`;
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${shown(this.kernelSize)}, stride=${shown(o.stride ?? this.kernelSize)}, padding=${shown(o.padding ?? 0)}, dilation=${shown(o.dilation ?? 1)}, ceilMode=${o.ceilMode ?? false}`;
  }
  forward(x: Tensor): PoolResult<R> {
    return this.run(x, () => maxPool2d(x, this.kernelSize, this.opts) as PoolResult<R>);
  }
}

/**
 * 2-d average pooling over [N, C, H, W] (ceilMode, countIncludePad, divisorOverride).
 * @example new nn.AvgPool2d(2).forward(randn([1, 3, 8, 8])).shape // [1, 3, 4, 4]
 */
export class AvgPool2d extends Pool2d {
  constructor(
    /** window size `[kH, kW]`, or a number for both (PyTorch's `kernel_size`) */
    readonly kernelSize: Size2d,
    /** stride (default kernelSize), padding, ceilMode, countIncludePad and divisorOverride (PyTorch's `ceil_mode`, `count_include_pad`, `divisor_override`) */
    readonly opts: AvgPool2dOptions = {},
  ) {
    super();
  }
  override describe(): string {
    return `AvgPool2d ${shown(this.kernelSize)}`;
  }
  override extraRepr(): string {
    const o = this.opts;
    return `kernelSize=${shown(this.kernelSize)}, stride=${shown(o.stride ?? this.kernelSize)}, padding=${shown(o.padding ?? 0)}, ceilMode=${o.ceilMode ?? false}, countIncludePad=${o.countIncludePad ?? true}, divisorOverride=${o.divisorOverride ?? null}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => avgPool2d(x, this.kernelSize, this.opts));
  }
}

/**
 * 2-d adaptive max pooling to outputSize ([height, width]; null keeps a dim).
 * @example new nn.AdaptiveMaxPool2d([2, 3]).forward(randn([1, 4, 7, 9])).shape // [1, 4, 2, 3]
 */
export class AdaptiveMaxPool2d<R extends boolean = false> extends Pool2d {
  constructor(
    /** the output size `[H_out, W_out]`, a number for both, or null in a pair to keep that input size (PyTorch's `output_size`) */
    readonly outputSize: AdaptiveSize,
    /** returnIndices: also return the flat positions of the maxima (default false, PyTorch's `return_indices`) */
    readonly opts: {
      /** also return the flat positions r·W + c of the maxima (default false, PyTorch's `return_indices`) */
      returnIndices?: R;
    } = {},
  ) {
    super();
  }
  override extraRepr(): string {
    return `outputSize=${shown(this.outputSize)}`;
  }
  forward(x: Tensor): PoolResult<R> {
    return this.run(x, () => adaptiveMaxPool2d(x, this.outputSize, this.opts) as PoolResult<R>);
  }
}

/**
 * 2-d adaptive average pooling to outputSize (1: global average pooling).
 * @example new nn.AdaptiveAvgPool2d(1).forward(randn([2, 8, 5, 5])).shape // [2, 8, 1, 1]
 */
export class AdaptiveAvgPool2d extends Pool2d {
  constructor(
    /** the output size `[H_out, W_out]`, a number for both, or null in a pair to keep that input size (PyTorch's `output_size`) */
    readonly outputSize: AdaptiveSize,
  ) {
    super();
  }
  override extraRepr(): string {
    return `outputSize=${shown(this.outputSize)}`;
  }
  forward(x: Tensor): Tensor {
    return this.run(x, () => adaptiveAvgPool2d(x, this.outputSize));
  }
}
