import { ChainruleError } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { conv1d } from './fn/conv.js';
import { PADDING_MODES, type PaddingMode, padMode } from './fn/padding.js';
import { uniform } from './init.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import type { Tensor } from '../ops/index.js';

/**
 * Options of nn.Conv1d, PyTorch's keyword arguments (defaults stride 1, padding 0, dilation 1,
 * groups 1, bias true, paddingMode 'zeros').
 * @example new nn.Conv1d(2, 4, 3, { stride: 2, bias: false }).forward(randn([1, 2, 9])).shape // [1, 4, 4]
 */
export interface Conv1dModuleOptions {
  /** step between windows (default 1) */
  stride?: number;
  /** zeros on both sides, or 'valid' (none) / 'same' (output length = input length, stride 1) */
  padding?: number | 'valid' | 'same';
  /** spacing between kernel taps (default 1) */
  dilation?: number;
  /** split channels into this many independent groups (default 1) */
  groups?: number;
  /** learn a bias per output channel (default true) */
  bias?: boolean;
  /** how the padding is filled: zeros (default), or the input reflected, replicated or wrapped around */
  paddingMode?: PaddingMode;
}

/**
 * 1-d convolution over [N, inChannels, L] with weight [outChannels, inChannels/groups, kernelSize]
 * and PyTorch's default init U(-1/√fanIn, 1/√fanIn), fanIn = inChannels/groups·kernelSize.
 * @example new nn.Conv1d(2, 4, 3, { padding: 1 }).forward(randn([8, 2, 10])).shape // [8, 4, 10]
 */
export class Conv1d extends Module {
  /** learnable kernel, shape `[outChannels, inChannels/groups, kernelSize]`, init U(-1/√fanIn, 1/√fanIn) with fanIn = inChannels/groups·kernelSize */
  weight: Parameter;
  /** learnable bias, shape `[outChannels]`, same init as the weight; null with `bias: false` */
  bias: Parameter | null;
  /** step of the kernel along the length (default 1) */
  readonly stride: number;
  /** zeros (or `paddingMode` values) added on both sides, or 'valid' (none) / 'same' (output length = input length); default 0 */
  readonly padding: number | 'valid' | 'same';
  /** spacing between kernel taps (default 1) */
  readonly dilation: number;
  /** number of blocked connections from input to output channels (default 1; inChannels gives a depthwise conv) */
  readonly groups: number;
  /** how padding is filled: 'zeros' (default), 'reflect', 'replicate' or 'circular' (PyTorch's `padding_mode`) */
  readonly paddingMode: PaddingMode;

  constructor(
    /** number of channels of the input `[N, inChannels, L]` (PyTorch's `in_channels`) */
    readonly inChannels: number,
    /** number of channels the convolution produces (PyTorch's `out_channels`) */
    readonly outChannels: number,
    /** length of the kernel (PyTorch's `kernel_size`) */
    readonly kernelSize: number,
    opts: Conv1dModuleOptions = {},
  ) {
    super();
    this.stride = opts.stride ?? 1;
    this.padding = opts.padding ?? 0;
    this.dilation = opts.dilation ?? 1;
    this.groups = opts.groups ?? 1;
    this.paddingMode = opts.paddingMode ?? 'zeros';
    if (!PADDING_MODES.includes(this.paddingMode)) throw new ChainruleError(`Conv1d: paddingMode must be one of ${PADDING_MODES.join(', ')}, got ${JSON.stringify(this.paddingMode)}`);
    if (this.padding === 'same' && this.stride !== 1) throw new ChainruleError(`Conv1d: padding 'same' needs stride 1, got stride ${this.stride}`);
    for (const [v, what] of [
      [inChannels, 'inChannels'],
      [outChannels, 'outChannels'],
      [kernelSize, 'kernelSize'],
      [this.groups, 'groups'],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ChainruleError(`Conv1d: ${what} must be a positive integer, got ${v}`);
    }
    if (inChannels % this.groups || outChannels % this.groups) {
      throw new ChainruleError(`Conv1d: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    }
    const fanIn = (inChannels / this.groups) * kernelSize;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = new Parameter(uniform(empty([outChannels, inChannels / this.groups, kernelSize]), -bound, bound));
    this.bias = (opts.bias ?? true) ? new Parameter(uniform(empty([outChannels]), -bound, bound)) : null;
  }

  override describe(): string {
    return `Conv1d ${this.inChannels}->${this.outChannels}, kernel ${this.kernelSize}`;
  }

  override extraRepr(): string {
    return `${this.inChannels}, ${this.outChannels}, kernelSize=${this.kernelSize}, stride=${this.stride}, padding=${this.padding}, dilation=${this.dilation}, groups=${this.groups}, bias=${this.bias !== null}, paddingMode=${this.paddingMode}`;
  }

  forward(x: Tensor): Tensor {
    const cdim = x.ndim - 2;
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[cdim] !== this.inChannels) {
      this.inputError(`expected [N, ${this.inChannels}, L] or [${this.inChannels}, L], got ${showShape(x.shape)}`);
    }
    const L = x.shape[x.ndim - 1];
    const span = this.dilation * (this.kernelSize - 1);
    const padded = L + (this.padding === 'same' ? span : this.padding === 'valid' ? 0 : 2 * this.padding);
    if (padded < span + 1) this.inputError(`input length ${L} (padded ${padded}) is shorter than the kernel (${showShape(x.shape)})`);
    const o = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros' || this.padding === 'valid' || this.padding === 0) return conv1d(x, this.weight, this.bias, { ...o, padding: this.padding });
    // PyTorch: F.pad with the mode, then a convolution without padding ('same' puts the odd extra right)
    const left = this.padding === 'same' ? Math.floor(span / 2) : this.padding;
    const right = this.padding === 'same' ? span - left : this.padding;
    return conv1d(padMode(x, [left, right], this.paddingMode, `${this.path()} (${this.describe()})`), this.weight, this.bias, o);
  }
}
