import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { convOutLength } from './conv.js';
import { avgPool2d, stack, type Tensor, windowMax } from '../../ops/index.js';

/**
 * Options of F.maxPool1d and nn.MaxPool1d.
 * @example F.maxPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2, { ceilMode: true }).toArray() // [[[3, 5, 4]]]
 */
export interface MaxPool1dOptions {
  /** default: kernelSize */
  stride?: number;
  /** -Infinity added on both sides (at most half the kernel) */
  padding?: number;
  /** spacing between window taps (default 1) */
  dilation?: number;
  /** round the output length up instead of down */
  ceilMode?: boolean;
}

function batched(x: Tensor, op: string): [Tensor, boolean] {
  if (x.ndim === 2) return [x.unsqueeze(0), true];
  if (x.ndim !== 3) throw new ChainruleError(`${op}: expected input [N, C, L] or [C, L], got ${showShape(x.shape)}`);
  return [x, false];
}

/**
 * Max over sliding windows of the last dim, as torch.nn.functional.max_pool1d. The windows are
 * PyTorch's (padding is never read: a window covers the positions inside the input), and the
 * gradient goes to the one element PyTorch's kernel picks: the first of tied maxima, and where a
 * window holds NaN (the result) its last NaN.
 * @example F.maxPool1d(tensor([[[1, 3, 2, 5]]]), 2).toArray() // [[[3, 5]]]
 */
export function maxPool1d(x: Tensor, kernelSize: number, opts: MaxPool1dOptions = {}): Tensor {
  const stride = opts.stride ?? kernelSize;
  const padding = opts.padding ?? 0;
  const dilation = opts.dilation ?? 1;
  for (const [v, what, min] of [
    [kernelSize, 'kernelSize', 1],
    [stride, 'stride', 1],
    [padding, 'padding', 0],
    [dilation, 'dilation', 1],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new ChainruleError(`maxPool1d: ${what} must be an integer >= ${min}, got ${v}`);
  }
  if (padding > kernelSize / 2) throw new ChainruleError(`maxPool1d: padding ${padding} must be at most half the kernel size ${kernelSize}`);
  const [xb, unbatched] = batched(x, 'maxPool1d');
  const L = xb.shape[2];
  const Lout = convOutLength(L, kernelSize, stride, padding, dilation, opts.ceilMode ?? false);
  if (Lout <= 0) throw new ChainruleError(`maxPool1d: input length ${L} is shorter than the kernel ${kernelSize}`);
  // PyTorch's windows: cut at the end of the input, and started past the left padding by whole dilations
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < Lout; i++) {
    let s = i * stride - padding;
    const e = Math.min(s + dilation * (kernelSize - 1) + 1, L);
    while (s < 0) s += dilation;
    if (s >= e) {
      throw new ChainruleError(`maxPool1d: window ${i} covers padding only (kernel ${kernelSize}, dilation ${dilation}, padding ${padding}, input length ${L})`);
    }
    starts.push(s);
    ends.push(e);
  }
  const y = windowMax(xb, 2, { starts, ends, step: dilation }, 'pool', 'maxPool1d');
  return unbatched ? y.squeeze(0) : y;
}

/**
 * Options of F.avgPool1d and nn.AvgPool1d.
 * @example F.avgPool1d(tensor([[[2, 4, 6]]]), 2, { padding: 1, countIncludePad: false }).toArray() // [[[2, 5]]]
 */
export interface AvgPool1dOptions {
  /** default: kernelSize */
  stride?: number;
  /** zeros added on both sides (at most half the kernel) */
  padding?: number;
  /** round the output length up instead of down */
  ceilMode?: boolean;
  /** divide by the whole window, padding included (default true), or by its elements inside the input */
  countIncludePad?: boolean;
}

/**
 * Average over sliding windows, as torch.nn.functional.avg_pool1d (the 2-d average pooling kernel
 * over a height of 1, as PyTorch runs it).
 * @example F.avgPool1d(tensor([[[1, 3, 2, 6]]]), 2).toArray() // [[[2, 4]]]
 */
export function avgPool1d(x: Tensor, kernelSize: number, opts: AvgPool1dOptions = {}): Tensor {
  const stride = opts.stride ?? kernelSize;
  const padding = opts.padding ?? 0;
  for (const [v, what, min] of [
    [kernelSize, 'kernelSize', 1],
    [stride, 'stride', 1],
    [padding, 'padding', 0],
  ] as const) {
    if (!Number.isInteger(v) || v < min) throw new ChainruleError(`avgPool1d: ${what} must be an integer >= ${min}, got ${v}`);
  }
  if (padding > kernelSize / 2) throw new ChainruleError(`avgPool1d: padding ${padding} must be at most half the kernel size ${kernelSize}`);
  const [xb, unbatched] = batched(x, 'avgPool1d');
  const L = xb.shape[2];
  const Lout = convOutLength(L, kernelSize, stride, padding, 1, opts.ceilMode ?? false);
  if (Lout <= 0) throw new ChainruleError(`avgPool1d: input length ${L} is shorter than the kernel ${kernelSize}`);
  const y = avgPool2d(xb.unsqueeze(2), [1, kernelSize], {
    stride: [1, stride],
    padding: [0, padding],
    ceilMode: opts.ceilMode ?? false,
    countIncludePad: opts.countIncludePad ?? true,
  }).squeeze(2);
  return unbatched ? y.squeeze(0) : y;
}

/** The windows of an adaptive pool: window i covers [floor(i·L/out), ceil((i+1)·L/out)), as PyTorch's. */
function adaptiveWindows(L: number, outputSize: number): { starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < outputSize; i++) {
    starts.push(Math.floor((i * L) / outputSize));
    ends.push(Math.ceil(((i + 1) * L) / outputSize));
  }
  return { starts, ends };
}

/** x batched, or for outputSize 0 the empty result PyTorch gives (a view of the input, so it stays in the graph). */
function adaptiveInput(x: Tensor, outputSize: number, op: string): [Tensor, boolean, Tensor | null] {
  if (!Number.isInteger(outputSize) || outputSize < 0) throw new ChainruleError(`${op}: outputSize must be an integer >= 0, got ${outputSize}`);
  const [xb, unbatched] = batched(x, op);
  if (xb.shape[2] === 0) throw new ChainruleError(`${op}: the input has length 0`);
  if (outputSize > 0) return [xb, unbatched, null];
  return [xb, unbatched, unbatched ? xb.narrow(2, 0, 0).squeeze(0) : xb.narrow(2, 0, 0)];
}

/**
 * Max over outputSize windows that tile the length; the gradient goes to the element PyTorch's
 * kernel picks (the first of tied maxima, the last NaN).
 * @example F.adaptiveMaxPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2).toArray() // [[[3, 5]]]
 */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number): Tensor {
  const op = 'adaptiveMaxPool1d';
  const [xb, unbatched, none] = adaptiveInput(x, outputSize, op);
  if (none) return none;
  const y = windowMax(xb, 2, adaptiveWindows(xb.shape[2], outputSize), 'pool', op);
  return unbatched ? y.squeeze(0) : y;
}

/** Mean over outputSize windows that tile the length (global average pooling for 1), as torch.nn.functional.adaptive_avg_pool1d. @example F.adaptiveAvgPool1d(tensor([[[1, 3, 2, 6]]]), 2).toArray() // [[[2, 4]]] */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  const [xb, unbatched, none] = adaptiveInput(x, outputSize, 'adaptiveAvgPool1d');
  if (none) return none;
  const { starts, ends } = adaptiveWindows(xb.shape[2], outputSize);
  const y = stack(
    starts.map((s, i) => xb.narrow(2, s, ends[i] - s).mean(2)),
    2,
  );
  return unbatched ? y.squeeze(0) : y;
}
