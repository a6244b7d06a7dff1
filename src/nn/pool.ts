import { type AvgPool1dOptions, type MaxPool1dOptions, adaptiveAvgPool1d, adaptiveMaxPool1d, avgPool1d, maxPool1d } from './fn/pool.js';
import { Module, showShape } from './module.js';
import type { Tensor } from '../ops/index.js';

/** Max over sliding windows of the last dim. @example new nn.MaxPool1d(2).forward(randn([1, 3, 8])).shape // [1, 3, 4] */
export class MaxPool1d extends Module {
  constructor(
    readonly kernelSize: number,
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
    readonly kernelSize: number,
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

/** Max over outputSize windows tiling the length (1: global max pooling). */
export class AdaptiveMaxPool1d extends Module {
  constructor(readonly outputSize: number) {
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

/** Mean over outputSize windows tiling the length (1: global average pooling). */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: number) {
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
