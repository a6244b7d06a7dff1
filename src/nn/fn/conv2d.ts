import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { type Size2d, type Tensor, conv2d as conv2dOp, conv2dInputGrad } from '../../ops/index.js';

export type { Size2d };

export interface Conv2dOptions {
  stride?: Size2d;
  /** zeros on both sides of each dim ([height, width] or one number); 'valid' is none, 'same' keeps the size (stride 1) */
  padding?: Size2d | 'valid' | 'same';
  dilation?: Size2d;
  groups?: number;
}

export interface ConvTransposeOptions {
  stride?: Size2d;
  /** removed from both sides of each dim of the full output (dilation·(kernel-1) - padding zeros, in the convolution this transposes) */
  padding?: Size2d;
  /** added at the end of each dim of the output (smaller than the stride or the dilation) */
  outputPadding?: Size2d;
  groups?: number;
  dilation?: Size2d;
}

/** [height, width] of a size option, each an integer >= min. */
export function size2(v: Size2d | undefined, dflt: number, what: string, op: string, min = 1): [number, number] {
  const one = (n: unknown): number => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw new ChainruleError(`${op}: ${what} must be an integer >= ${min} or [height, width], got ${JSON.stringify(v)}`);
    return n;
  };
  if (v === undefined) return [dflt, dflt];
  if (typeof v === 'number') return [one(v), one(v)];
  if (!Array.isArray(v) || v.length !== 2) throw new ChainruleError(`${op}: ${what} must be an integer >= ${min} or [height, width], got ${JSON.stringify(v)}`);
  return [one(v[0]), one(v[1])];
}

/**
 * The zero padding of a 2-d convolution as [left, right, top, bottom] (F.pad order): symmetric for
 * numbers; for 'same' the odd extra goes right and bottom, as PyTorch.
 */
export function conv2dPadding(padding: Conv2dOptions['padding'], kernel: readonly [number, number], dilation: readonly [number, number], stride: readonly [number, number], op: string): [number, number, number, number] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding === 'same') {
    if (stride[0] !== 1 || stride[1] !== 1) throw new ChainruleError(`${op}: padding 'same' needs stride 1, got stride ${stride[0]}x${stride[1]}`);
    const th = dilation[0] * (kernel[0] - 1);
    const tw = dilation[1] * (kernel[1] - 1);
    return [Math.floor(tw / 2), tw - Math.floor(tw / 2), Math.floor(th / 2), th - Math.floor(th / 2)];
  }
  const [ph, pw] = size2(padding, 0, 'padding', op, 0);
  return [pw, pw, ph, ph];
}

function batched(x: Tensor, op: string): [Tensor, boolean] {
  if (x.ndim === 3) return [x.unsqueeze(0), true];
  if (x.ndim !== 4) throw new ChainruleError(`${op}: expected input [N, C, H, W] or [C, H, W], got ${showShape(x.shape)}`);
  return [x, false];
}

function checkBias(bias: Tensor | null | undefined, C: number, op: string): void {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== C)) throw new ChainruleError(`${op}: bias must be [${C}], got ${showShape(bias.shape)}`);
}

/**
 * 2-d cross-correlation as torch.nn.functional.conv2d: x [N, Cin, H, W] (or [Cin, H, W]), weight
 * [Cout, Cin/groups, KH, KW], optional bias [Cout]. The zero-padded input is read in place by the
 * conv2d op's strided GEMMs.
 * @example conv2d(ones([1, 1, 4, 4]), ones([2, 1, 3, 3]), null, { padding: 1 }).shape // [1, 2, 4, 4]
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  const stride = size2(opts.stride, 1, 'stride', 'conv2d');
  const dilation = size2(opts.dilation, 1, 'dilation', 'conv2d');
  const groups = opts.groups ?? 1;
  if (weight.ndim !== 4) throw new ChainruleError(`conv2d: weight must be [outChannels, inChannels/groups, KH, KW], got ${showShape(weight.shape)}`);
  const [xb, unbatched] = batched(x, 'conv2d');
  const Cin = xb.shape[1];
  const [Cout, Cg, KH, KW] = weight.shape;
  if (!Number.isInteger(groups) || groups < 1) throw new ChainruleError(`conv2d: groups must be an integer >= 1, got ${groups}`);
  if (Cg * groups !== Cin) {
    throw new ChainruleError(`conv2d: weight ${showShape(weight.shape)} with groups=${groups} expects ${Cg * groups} input channels, got input ${showShape(x.shape)}`);
  }
  checkBias(bias, Cout, 'conv2d');
  const [l, r, t, b] = conv2dPadding(opts.padding ?? 0, [KH, KW], dilation, stride, 'conv2d');
  const Hp = xb.shape[2] + t + b;
  const Wp = xb.shape[3] + l + r;
  if (Hp < dilation[0] * (KH - 1) + 1 || Wp < dilation[1] * (KW - 1) + 1) {
    throw new ChainruleError(`conv2d: input ${showShape(x.shape)} (padded ${Hp}x${Wp}) is smaller than the dilated kernel ${dilation[0] * (KH - 1) + 1}x${dilation[1] * (KW - 1) + 1}`);
  }
  const xp = l || r || t || b ? xb.pad([l, r, t, b]) : xb;
  let y = conv2dOp(xp, weight, { stride, dilation, groups });
  if (bias) y = y.add(bias.reshape([Cout, 1, 1]));
  return unbatched ? y.squeeze(0) : y;
}

/**
 * 2-d transposed convolution as torch.nn.functional.conv_transpose2d: x [N, Cin, H, W] (or
 * [Cin, H, W]), weight [Cin, Cout/groups, KH, KW], optional bias [Cout]; the gradient of conv2d with
 * respect to its input, cropped by padding and extended by outputPadding.
 * @example F.convTranspose2d(ones([1, 1, 2, 2]), ones([1, 1, 2, 2]), null, { stride: 2 }).shape // [1, 1, 4, 4]
 */
export function convTranspose2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  const op = 'convTranspose2d';
  const stride = size2(opts.stride, 1, 'stride', op);
  const dilation = size2(opts.dilation, 1, 'dilation', op);
  const padding = size2(opts.padding, 0, 'padding', op, 0);
  const outPad = size2(opts.outputPadding, 0, 'outputPadding', op, 0);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ChainruleError(`${op}: groups must be an integer >= 1, got ${groups}`);
  if (weight.ndim !== 4) throw new ChainruleError(`${op}: weight must be [inChannels, outChannels/groups, KH, KW], got ${showShape(weight.shape)}`);
  const [xb, unbatched] = batched(x, op);
  const [N, Cin, H, W] = xb.shape;
  const [Cw, Og, KH, KW] = weight.shape;
  if (Cw !== Cin) throw new ChainruleError(`${op}: weight ${showShape(weight.shape)} expects ${Cw} input channels, got input ${showShape(x.shape)}`);
  if (Cin % groups !== 0) throw new ChainruleError(`${op}: ${Cin} input channels are not divisible by groups=${groups}`);
  checkBias(bias, Og * groups, op);
  for (let i = 0; i < 2; i++) {
    if (outPad[i] >= Math.max(stride[i], dilation[i])) {
      throw new ChainruleError(`${op}: outputPadding ${outPad[0]}x${outPad[1]} must be smaller than the stride ${stride[0]}x${stride[1]} or the dilation ${dilation[0]}x${dilation[1]}`);
    }
  }
  const full = [0, 1].map((i) => (xb.shape[2 + i] - 1) * stride[i] + dilation[i] * ([KH, KW][i] - 1) + 1);
  const out = [0, 1].map((i) => full[i] + outPad[i] - 2 * padding[i]);
  if (out[0] < 1 || out[1] < 1) {
    throw new ChainruleError(`${op}: input ${showShape(x.shape)} with padding ${padding[0]}x${padding[1]} gives an output of ${out[0]}x${out[1]}`);
  }
  let y = N === 0 || H === 0 || W === 0 ? xb.narrow(1, 0, 0) : conv2dInputGrad(xb, weight, [full[0], full[1]], { stride, dilation, groups });
  if (outPad[0] || outPad[1]) y = y.pad([0, outPad[1], 0, outPad[0]]);
  if (padding[0] || padding[1]) y = y.narrow(2, padding[0], out[0]).narrow(3, padding[1], out[1]);
  if (bias) y = y.add(bias.reshape([Og * groups, 1, 1]));
  return unbatched ? y.squeeze(0) : y;
}

/**
 * 1-d transposed convolution as torch.nn.functional.conv_transpose1d: x [N, Cin, L] (or [Cin, L]),
 * weight [Cin, Cout/groups, K], optional bias [Cout] (the 2-d one over a height of 1).
 * @example F.convTranspose1d(ones([1, 1, 3]), ones([1, 2, 2]), null, { stride: 2 }).shape // [1, 2, 6]
 */
export function convTranspose1d(
  x: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  opts: { stride?: number; padding?: number; outputPadding?: number; groups?: number; dilation?: number } = {},
): Tensor {
  const op = 'convTranspose1d';
  if (x.ndim !== 2 && x.ndim !== 3) throw new ChainruleError(`${op}: expected input [N, C, L] or [C, L], got ${showShape(x.shape)}`);
  if (weight.ndim !== 3) throw new ChainruleError(`${op}: weight must be [inChannels, outChannels/groups, K], got ${showShape(weight.shape)}`);
  const C = x.shape[x.ndim - 2];
  if (weight.shape[0] !== C) throw new ChainruleError(`${op}: weight ${showShape(weight.shape)} expects ${weight.shape[0]} input channels, got input ${showShape(x.shape)}`);
  const at = (v: number | undefined, d: number): [number, number] => [d, v ?? d];
  const o = { stride: at(opts.stride, 1), padding: [0, opts.padding ?? 0] as [number, number], outputPadding: [0, opts.outputPadding ?? 0] as [number, number], dilation: at(opts.dilation, 1), groups: opts.groups };
  return convTranspose2d(x.unsqueeze(-2), weight.unsqueeze(-2), bias, o).squeeze(-2);
}
