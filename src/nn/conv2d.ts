import { ChainruleError } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { type Conv2dOptions, type Size2d, conv2d, conv2dPadding, convTranspose1d, convTranspose2d, size2 } from './fn/conv2d.js';
import { PADDING_MODES, type PaddingMode, padMode } from './fn/padding.js';
import { uniform } from './init.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of nn.Conv2d: F.conv2d's options plus the bias and how padding is filled.
 * @example new nn.Conv2d(3, 6, 3, { stride: 2, groups: 3, padding: 1, paddingMode: 'reflect' }).forward(randn([1, 3, 8, 8])).shape // [1, 6, 4, 4]
 */
export interface Conv2dModuleOptions extends Conv2dOptions {
  /** learn a bias per output channel (default true) */
  bias?: boolean;
  /** how the padding is filled: zeros (default), or the input reflected, replicated or wrapped around */
  paddingMode?: PaddingMode;
}

function positive(op: string, pairs: [number, string][]): void {
  for (const [v, what] of pairs) if (!Number.isInteger(v) || v <= 0) throw new ChainruleError(`${op}: ${what} must be a positive integer, got ${v}`);
}

const hw = (v: readonly [number, number]): string => `${v[0]}x${v[1]}`;

/**
 * 2-d convolution over [N, inChannels, H, W] (or unbatched [inChannels, H, W]) with weight
 * [outChannels, inChannels/groups, KH, KW] and PyTorch's default init U(-1/√fanIn, 1/√fanIn),
 * fanIn = inChannels/groups·KH·KW, for weight and bias.
 * @example new nn.Conv2d(1, 4, 3, { padding: 1 }).forward(randn([8, 1, 28, 28])).shape // [8, 4, 28, 28]
 */
export class Conv2d extends Module {
  /** learnable kernel, shape `[outChannels, inChannels/groups, kH, kW]`, init U(-1/√fanIn, 1/√fanIn) with fanIn = inChannels/groups·kH·kW */
  weight: Parameter;
  /** learnable bias, shape `[outChannels]`, same init as the weight; null with `bias: false` */
  bias: Parameter | null;
  /** kernel height and width `[kH, kW]` (PyTorch's `kernel_size`) */
  readonly kernelSize: [number, number];
  /** step of the kernel `[sH, sW]` (default `[1, 1]`) */
  readonly stride: [number, number];
  /** padding `[pH, pW]` added on both sides, or 'valid' (none) / 'same' (output size = input size); default `[0, 0]` */
  readonly padding: [number, number] | 'valid' | 'same';
  /** spacing between kernel taps `[dH, dW]` (default `[1, 1]`) */
  readonly dilation: [number, number];
  /** number of blocked connections from input to output channels (default 1; inChannels gives a depthwise conv) */
  readonly groups: number;
  /** how padding is filled: 'zeros' (default), 'reflect', 'replicate' or 'circular' (PyTorch's `padding_mode`) */
  readonly paddingMode: PaddingMode;

  constructor(
    /** number of channels of the input `[N, inChannels, H, W]` (PyTorch's `in_channels`) */
    readonly inChannels: number,
    /** number of channels the convolution produces (PyTorch's `out_channels`) */
    readonly outChannels: number,
    kernelSize: Size2d,
    opts: Conv2dModuleOptions = {},
  ) {
    super();
    this.kernelSize = size2(kernelSize, 1, 'kernelSize', 'Conv2d');
    this.stride = size2(opts.stride, 1, 'stride', 'Conv2d');
    this.dilation = size2(opts.dilation, 1, 'dilation', 'Conv2d');
    const p = opts.padding ?? 0;
    this.padding = p === 'same' || p === 'valid' ? p : size2(p, 0, 'padding', 'Conv2d', 0);
    this.groups = opts.groups ?? 1;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(this.paddingMode)) throw new ChainruleError(`Conv2d: paddingMode must be one of ${PADDING_MODES.join(', ')}, got ${JSON.stringify(this.paddingMode)}`);
    positive('Conv2d', [
      [inChannels, 'inChannels'],
      [outChannels, 'outChannels'],
      [this.groups, 'groups'],
    ]);
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new ChainruleError(`Conv2d: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    }
    // validates 'same' against the stride now rather than at the first forward
    conv2dPadding(this.padding, this.kernelSize, this.dilation, this.stride, 'Conv2d');
    const [KH, KW] = this.kernelSize;
    const bound = 1 / Math.sqrt((inChannels / this.groups) * KH * KW);
    this.weight = new Parameter(uniform(empty([outChannels, inChannels / this.groups, KH, KW]), -bound, bound));
    this.bias = (opts.bias ?? true) ? new Parameter(uniform(empty([outChannels]), -bound, bound)) : null;
  }

  override describe(): string {
    return `Conv2d ${this.inChannels}->${this.outChannels}, kernel ${hw(this.kernelSize)}`;
  }

  override extraRepr(): string {
    const p = typeof this.padding === 'string' ? this.padding : hw(this.padding);
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${hw(this.kernelSize)}, stride=${hw(this.stride)}, padding=${p}, dilation=${hw(this.dilation)}, groups=${this.groups}, bias=${this.bias !== null}, paddingMode=${this.paddingMode}`;
  }

  forward(x: Tensor): Tensor {
    if ((x.ndim !== 3 && x.ndim !== 4) || x.shape[x.ndim - 3] !== this.inChannels) {
      this.inputError(`expected [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W], got ${showShape(x.shape)}`);
    }
    const [l, r, t, b] = conv2dPadding(this.padding, this.kernelSize, this.dilation, this.stride, 'Conv2d');
    const H = x.shape[x.ndim - 2] + t + b;
    const W = x.shape[x.ndim - 1] + l + r;
    const kh = this.dilation[0] * (this.kernelSize[0] - 1) + 1;
    const kw = this.dilation[1] * (this.kernelSize[1] - 1) + 1;
    if (H < kh || W < kw) this.inputError(`input ${showShape(x.shape)} (padded ${H}x${W}) is smaller than the kernel ${kh}x${kw}`);
    const o = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros' || !(l || r || t || b)) return conv2d(x, this.weight, this.bias, { ...o, padding: this.padding });
    const tag = `${this.path()} (${this.describe()})`;
    return conv2d(padMode(x, [l, r, t, b], this.paddingMode, tag), this.weight, this.bias, o);
  }
}

/**
 * Options of nn.ConvTranspose2d, PyTorch's keyword arguments (one number or [height, width]).
 * @example new nn.ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }).forward(randn([1, 4, 5, 5])).shape // [1, 2, 10, 10]
 */
export interface ConvTransposeModuleOptions {
  /** the upsampling factor (default 1) */
  stride?: Size2d;
  /** dilation·(kernel - 1) - padding zeros around the input (default 0) */
  padding?: Size2d;
  /** extra size added to one side of the output, to pick among the sizes a stride allows (default 0) */
  outputPadding?: Size2d;
  /** split channels into independent groups (default 1) */
  groups?: number;
  /** learn a bias per output channel (default true) */
  bias?: boolean;
  /** spacing between kernel taps (default 1) */
  dilation?: Size2d;
}

/** The weight [inChannels, outChannels/groups, ...kernel] and bias of a transposed convolution, PyTorch's init. */
function transposeParams(op: string, inC: number, outC: number, groups: number, kernel: number[], bias: boolean): [Parameter, Parameter | null] {
  positive(op, [
    [inC, 'inChannels'],
    [outC, 'outChannels'],
    [groups, 'groups'],
  ]);
  if (inC % groups || outC % groups) throw new ChainruleError(`${op}: inChannels ${inC} and outChannels ${outC} must be divisible by groups ${groups}`);
  // PyTorch computes the fan-in from weight.size(1) = outChannels/groups
  const bound = 1 / Math.sqrt((outC / groups) * kernel.reduce((a, b) => a * b, 1));
  const w = new Parameter(uniform(empty([inC, outC / groups, ...kernel]), -bound, bound));
  return [w, bias ? new Parameter(uniform(empty([outC]), -bound, bound)) : null];
}

/** outputPadding that makes the output `size` (PyTorch's output_size argument), checked against the attainable range. */
function paddingFor(m: Module & { describe(): string }, size: readonly number[], H: readonly number[], k: readonly number[], s: readonly number[], p: readonly number[], d: readonly number[]): number[] {
  return size.map((want, i) => {
    const min = (H[i] - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1;
    const extra = want - min;
    if (!Number.isInteger(want) || extra < 0 || extra >= Math.max(s[i], d[i])) {
      throw new ChainruleError(`${m.path()} (${m.describe()}) requested an output size of ${showShape(size)}, but the input gives sizes from ${min} to ${min + Math.max(s[i], d[i]) - 1} in dim ${i}`);
    }
    return extra;
  });
}

/**
 * 2-d transposed convolution (the gradient of Conv2d with respect to its input) over
 * [N, inChannels, H, W] with weight [inChannels, outChannels/groups, KH, KW]; output size
 * (H - 1)·stride - 2·padding + dilation·(KH - 1) + outputPadding + 1 per dim.
 * @example new nn.ConvTranspose2d(4, 2, 2, { stride: 2 }).forward(randn([1, 4, 5, 5])).shape // [1, 2, 10, 10]
 */
export class ConvTranspose2d extends Module {
  /** learnable kernel, shape `[inChannels, outChannels/groups, kH, kW]`, init U(-1/√fanIn, 1/√fanIn) with fanIn = outChannels/groups·kH·kW */
  weight: Parameter;
  /** learnable bias, shape `[outChannels]`, same init as the weight; null with `bias: false` */
  bias: Parameter | null;
  /** kernel height and width `[kH, kW]` (PyTorch's `kernel_size`) */
  readonly kernelSize: [number, number];
  /** upsampling step `[sH, sW]` (default `[1, 1]`) */
  readonly stride: [number, number];
  /** `dilation·(k - 1) - padding` zeros are added to each side of the input, per dimension (default `[0, 0]`) */
  readonly padding: [number, number];
  /** extra size `[oH, oW]` added to one side of the output, smaller than the stride or dilation (default `[0, 0]`, PyTorch's `output_padding`) */
  readonly outputPadding: [number, number];
  /** spacing between kernel taps `[dH, dW]` (default `[1, 1]`) */
  readonly dilation: [number, number];
  /** number of blocked connections from input to output channels (default 1) */
  readonly groups: number;

  constructor(
    /** number of channels of the input `[N, inChannels, H, W]` (PyTorch's `in_channels`) */
    readonly inChannels: number,
    /** number of channels the layer produces (PyTorch's `out_channels`) */
    readonly outChannels: number,
    kernelSize: Size2d,
    opts: ConvTransposeModuleOptions = {},
  ) {
    super();
    const op = 'ConvTranspose2d';
    this.kernelSize = size2(kernelSize, 1, 'kernelSize', op);
    this.stride = size2(opts.stride, 1, 'stride', op);
    this.padding = size2(opts.padding, 0, 'padding', op, 0);
    this.outputPadding = size2(opts.outputPadding, 0, 'outputPadding', op, 0);
    this.dilation = size2(opts.dilation, 1, 'dilation', op);
    this.groups = opts.groups ?? 1;
    for (let i = 0; i < 2; i++) {
      if (this.outputPadding[i] >= Math.max(this.stride[i], this.dilation[i])) {
        throw new ChainruleError(`${op}: outputPadding ${hw(this.outputPadding)} must be smaller than the stride ${hw(this.stride)} or the dilation ${hw(this.dilation)}`);
      }
    }
    [this.weight, this.bias] = transposeParams(op, inChannels, outChannels, this.groups, this.kernelSize, opts.bias ?? true);
  }

  override describe(): string {
    return `ConvTranspose2d ${this.inChannels}->${this.outChannels}, kernel ${hw(this.kernelSize)}`;
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${hw(this.kernelSize)}, stride=${hw(this.stride)}, padding=${hw(this.padding)}, outputPadding=${hw(this.outputPadding)}, dilation=${hw(this.dilation)}, groups=${this.groups}, bias=${this.bias !== null}`;
  }

  /** outputSize (optional): the [H, W] of the output, which picks the outputPadding (as PyTorch's output_size). */
  forward(x: Tensor, outputSize?: readonly [number, number]): Tensor {
    if ((x.ndim !== 3 && x.ndim !== 4) || x.shape[x.ndim - 3] !== this.inChannels) {
      this.inputError(`expected [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W], got ${showShape(x.shape)}`);
    }
    const HW = x.shape.slice(x.ndim - 2);
    const out = HW.map((L, i) => (L - 1) * this.stride[i] - 2 * this.padding[i] + this.dilation[i] * (this.kernelSize[i] - 1) + this.outputPadding[i] + 1);
    if (out[0] < 1 || out[1] < 1) this.inputError(`input ${showShape(x.shape)} with padding ${hw(this.padding)} gives an output of ${out[0]}x${out[1]}`);
    const outputPadding = outputSize ? paddingFor(this, outputSize, HW, this.kernelSize, this.stride, this.padding, this.dilation) : this.outputPadding;
    return convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      outputPadding: outputPadding as [number, number],
      groups: this.groups,
      dilation: this.dilation,
    });
  }
}

/**
 * Options of nn.ConvTranspose1d, PyTorch's keyword arguments.
 * @example new nn.ConvTranspose1d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }).forward(randn([1, 4, 5])).shape // [1, 2, 10]
 */
export interface ConvTranspose1dModuleOptions {
  /** the upsampling factor (default 1) */
  stride?: number;
  /** dilation·(kernel - 1) - padding zeros around the input (default 0) */
  padding?: number;
  /** extra length added to one side of the output (default 0) */
  outputPadding?: number;
  /** split channels into independent groups (default 1) */
  groups?: number;
  /** learn a bias per output channel (default true) */
  bias?: boolean;
  /** spacing between kernel taps (default 1) */
  dilation?: number;
}

/**
 * 1-d transposed convolution over [N, inChannels, L] with weight [inChannels, outChannels/groups, K];
 * output length (L - 1)·stride - 2·padding + dilation·(K - 1) + outputPadding + 1.
 * @example new nn.ConvTranspose1d(3, 2, 4, { stride: 2, padding: 1 }).forward(randn([1, 3, 5])).shape // [1, 2, 10]
 */
export class ConvTranspose1d extends Module {
  /** learnable kernel, shape `[inChannels, outChannels/groups, kernelSize]`, init U(-1/√fanIn, 1/√fanIn) with fanIn = outChannels/groups·kernelSize */
  weight: Parameter;
  /** learnable bias, shape `[outChannels]`, same init as the weight; null with `bias: false` */
  bias: Parameter | null;
  /** upsampling step (default 1) */
  readonly stride: number;
  /** `dilation·(kernelSize - 1) - padding` zeros are added to each side of the input (default 0) */
  readonly padding: number;
  /** extra length added to one side of the output, smaller than the stride or dilation (default 0, PyTorch's `output_padding`) */
  readonly outputPadding: number;
  /** spacing between kernel taps (default 1) */
  readonly dilation: number;
  /** number of blocked connections from input to output channels (default 1) */
  readonly groups: number;

  constructor(
    /** number of channels of the input `[N, inChannels, L]` (PyTorch's `in_channels`) */
    readonly inChannels: number,
    /** number of channels the layer produces (PyTorch's `out_channels`) */
    readonly outChannels: number,
    /** length of the kernel (PyTorch's `kernel_size`) */
    readonly kernelSize: number,
    opts: ConvTranspose1dModuleOptions = {},
  ) {
    super();
    const op = 'ConvTranspose1d';
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.outputPadding = opts.outputPadding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.groups = opts.groups ?? 1;
    positive(op, [
      [kernelSize, 'kernelSize'],
      [this.stride, 'stride'],
      [this.dilation, 'dilation'],
    ]);
    for (const [v, what] of [
      [this.padding, 'padding'],
      [this.outputPadding, 'outputPadding'],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) throw new ChainruleError(`${op}: ${what} must be an integer >= 0, got ${v}`);
    }
    if (this.outputPadding >= Math.max(this.stride, this.dilation)) {
      throw new ChainruleError(`${op}: outputPadding ${this.outputPadding} must be smaller than the stride ${this.stride} or the dilation ${this.dilation}`);
    }
    [this.weight, this.bias] = transposeParams(op, inChannels, outChannels, this.groups, [kernelSize], opts.bias ?? true);
  }

  override describe(): string {
    return `ConvTranspose1d ${this.inChannels}->${this.outChannels}, kernel ${this.kernelSize}`;
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, outputPadding=${this.outputPadding}, dilation=${this.dilation}, groups=${this.groups}, bias=${this.bias !== null}`;
  }

  /** outputSize (optional): the output length, which picks the outputPadding (as PyTorch's output_size). */
  forward(x: Tensor, outputSize?: number): Tensor {
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 2] !== this.inChannels) {
      this.inputError(`expected [N, ${this.inChannels}, L] or [${this.inChannels}, L], got ${showShape(x.shape)}`);
    }
    const L = x.shape[x.ndim - 1];
    const out = (L - 1) * this.stride - 2 * this.padding + this.dilation * (this.kernelSize - 1) + this.outputPadding + 1;
    if (out < 1) this.inputError(`input ${showShape(x.shape)} with padding ${this.padding} gives an output of length ${out}`);
    const op = outputSize === undefined ? this.outputPadding : paddingFor(this, [outputSize], [L], [this.kernelSize], [this.stride], [this.padding], [this.dilation])[0];
    return convTranspose1d(x, this.weight, this.bias, { stride: this.stride, padding: this.padding, outputPadding: op, groups: this.groups, dilation: this.dilation });
  }
}
