import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { convOutLength } from './conv.js';
import { asStrided, avgPool2d, stack, type Tensor } from '../../ops/index.js';

export interface MaxPool1dOptions {
  /** default: kernelSize */
  stride?: number;
  /** -Infinity added on both sides (at most half the kernel) */
  padding?: number;
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
 * Max over sliding windows of the last dim, as torch.nn.functional.max_pool1d. Ties share the
 * gradient (PyTorch sends it to one of them).
 * @example maxPool1d(tensor([[[1, 3, 2, 5]]]), 2).toArray() // [[[3, 5]]]
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
  const [N, C, L] = xb.shape;
  const Lout = convOutLength(L, kernelSize, stride, padding, dilation, opts.ceilMode ?? false);
  if (Lout <= 0) throw new ChainruleError(`maxPool1d: input length ${L} is shorter than the kernel ${kernelSize}`);
  // right padding also covers windows that ceil mode lets run past the end
  const need = (Lout - 1) * stride + dilation * (kernelSize - 1) + 1;
  const right = Math.max(padding, need - L - padding);
  const xp = padding || right ? xb.pad([padding, right], Number.NEGATIVE_INFINITY) : xb;
  const Lp = xp.shape[2];
  const win = asStrided(xp, [N, C, Lout, kernelSize], [C * Lp, Lp, stride, dilation]);
  const y = win.max(3);
  return unbatched ? y.squeeze(0) : y;
}

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
 * @example avgPool1d(tensor([[[1, 3, 2, 6]]]), 2).toArray() // [[[2, 4]]]
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

/** Window i of an adaptive pool covers [floor(i·L/out), ceil((i+1)·L/out)), as PyTorch. */
function adaptive(x: Tensor, outputSize: number, op: string, reduce: (w: Tensor) => Tensor): Tensor {
  if (!Number.isInteger(outputSize) || outputSize < 0) throw new ChainruleError(`${op}: outputSize must be an integer >= 0, got ${outputSize}`);
  const [xb, unbatched] = batched(x, op);
  const L = xb.shape[2];
  if (L === 0) throw new ChainruleError(`${op}: the input has length 0`);
  // outputSize 0: an empty result, as PyTorch's (a view of the input, so it stays in the graph)
  if (outputSize === 0) return unbatched ? xb.narrow(2, 0, 0).squeeze(0) : xb.narrow(2, 0, 0);
  const parts: Tensor[] = [];
  for (let i = 0; i < outputSize; i++) {
    const s = Math.floor((i * L) / outputSize);
    const e = Math.ceil(((i + 1) * L) / outputSize);
    parts.push(reduce(xb.narrow(2, s, e - s)));
  }
  const y = stack(parts, 2);
  return unbatched ? y.squeeze(0) : y;
}

/** Max over outputSize windows that tile the length. @example adaptiveMaxPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2).toArray() // [[[3, 5]]] */
export function adaptiveMaxPool1d(x: Tensor, outputSize: number): Tensor {
  return adaptive(x, outputSize, 'adaptiveMaxPool1d', (w) => w.max(2));
}

/** Mean over outputSize windows that tile the length (global average pooling for 1). */
export function adaptiveAvgPool1d(x: Tensor, outputSize: number): Tensor {
  return adaptive(x, outputSize, 'adaptiveAvgPool1d', (w) => w.mean(2));
}
