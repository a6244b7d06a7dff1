import { type AvgPool1dOptions, type MaxPool1dOptions, adaptiveAvgPool1d, adaptiveMaxPool1d, avgPool1d, maxPool1d } from './fn/pool.js';
import { Module, showShape } from './module.js';
import type { Tensor } from '../ops/index.js';

/** Max over sliding windows of the last dim. @example new nn.MaxPool1d(2).forward(randn([1, 3, 8])).shape // [1, 3, 4] */
export class MaxPool1d extends Module {
  constructor(
    /** length of the pooling window (PyTorch's `kernel_size`) */
    readonly kernelSize: number,
    /** stride (default kernelSize), padding (default 0), dilation (default 1), ceilMode (PyTorch's `ceil_mode`, default false) */
    readonly opts: MaxPool1dOptions = {},
  ) {
    super();
  }
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.opts.stride ?? this.kernelSize}`;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 && x.ndim !== 3) this.inputError(`expected [N, C, L] or [C, L], got ${showShape(x.shape)}`);
    return maxPool1d(x, this.kernelSize, this.opts);
  }
}

/** Average over sliding windows of the last dim. @example new nn.AvgPool1d(2).forward(randn([1, 3, 8])).shape // [1, 3, 4] */
export class AvgPool1d extends Module {
  constructor(
    /** length of the pooling window (PyTorch's `kernel_size`) */
    readonly kernelSize: number,
    /** stride (default kernelSize), padding (default 0), ceilMode and countIncludePad (PyTorch's `ceil_mode`, `count_include_pad`) */
    readonly opts: AvgPool1dOptions = {},
  ) {
    super();
  }
  override extraRepr(): string {
    return `kernelSize=${this.kernelSize}, stride=${this.opts.stride ?? this.kernelSize}`;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 && x.ndim !== 3) this.inputError(`expected [N, C, L] or [C, L], got ${showShape(x.shape)}`);
    return avgPool1d(x, this.kernelSize, this.opts);
  }
}

/** Max over outputSize windows tiling the length (1: global max pooling), as torch.nn.AdaptiveMaxPool1d. @example new nn.AdaptiveMaxPool1d(1).forward(tensor([[[1, 7, 2]]])).toArray() // [[[7]]] */
export class AdaptiveMaxPool1d extends Module {
  constructor(
    /** the output length L_out; the input length is split into L_out nearly equal windows (PyTorch's `output_size`) */
    readonly outputSize: number,
  ) {
    super();
  }
  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 && x.ndim !== 3) this.inputError(`expected [N, C, L] or [C, L], got ${showShape(x.shape)}`);
    return adaptiveMaxPool1d(x, this.outputSize);
  }
}

/** Mean over outputSize windows tiling the length (1: global average pooling), as torch.nn.AdaptiveAvgPool1d. @example new nn.AdaptiveAvgPool1d(2).forward(tensor([[[1, 3, 2, 6]]])).toArray() // [[[2, 4]]] */
export class AdaptiveAvgPool1d extends Module {
  constructor(
    /** the output length L_out; the input length is split into L_out nearly equal windows (PyTorch's `output_size`) */
    readonly outputSize: number,
  ) {
    super();
  }
  override extraRepr(): string {
    return `outputSize=${this.outputSize}`;
  }
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 && x.ndim !== 3) this.inputError(`expected [N, C, L] or [C, L], got ${showShape(x.shape)}`);
    return adaptiveAvgPool1d(x, this.outputSize);
  }
}
