import {
  type AdaptiveSize,
  type AvgPool2dOpOptions,
  type MaxPool2dOpOptions,
  type Size2d,
  type Tensor,
  type ValuesAndIndices,
  adaptiveAvgPool2d as adaptiveAvgPool2dOp,
  adaptiveMaxPool2d as adaptiveMaxPool2dOp,
  avgPool2d as avgPool2dOp,
  maxPool2d as maxPool2dOp,
} from '../../ops/index.js';

export type { AdaptiveSize };

/**
 * Options of F.maxPool2d and nn.MaxPool2d (stride, padding, dilation, ceilMode, and returnIndices).
 * @example F.maxPool2d(tensor([[[[1, 2, 0], [4, 3, 0], [0, 0, 9]]]]), 2, { stride: 1 }).toArray() // [[[[4, 3], [4, 9]]]]
 */
export interface MaxPool2dOptions extends MaxPool2dOpOptions {
  /** also return each maximum's position r·W + c in its plane (as MaxUnpool2d and PyTorch's return_indices take them) */
  returnIndices?: boolean;
}

/**
 * Options of F.avgPool2d and nn.AvgPool2d (stride, padding, ceilMode, countIncludePad, divisorOverride).
 * @example F.avgPool2d(tensor([[[[1, 2], [4, 5]]]]), 2, { padding: 1, countIncludePad: false }).toArray() // [[[[1, 2], [4, 5]]]]
 */
export type AvgPool2dOptions = AvgPool2dOpOptions;

/**
 * 2-d max pooling of [N, C, H, W] (or [C, H, W]) as torch.nn.functional.max_pool2d; stride defaults
 * to the kernel size. With returnIndices it returns the values and their positions in each plane.
 * The gradient goes to the first maximum of each window (or its last NaN), as PyTorch's CPU kernel.
 * @example F.maxPool2d(tensor([[[[1, 2], [4, 3]]]]), 2).toArray() // [[[[4]]]]
 */
export function maxPool2d(x: Tensor, kernelSize: Size2d, opts: MaxPool2dOptions & { returnIndices: true }): ValuesAndIndices;
export function maxPool2d(x: Tensor, kernelSize: Size2d, opts?: MaxPool2dOptions): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Size2d, opts: MaxPool2dOptions = {}): Tensor | ValuesAndIndices {
  const { returnIndices, ...rest } = opts;
  const r = maxPool2dOp(x, kernelSize, rest);
  return returnIndices ? r : r.values;
}

/**
 * 2-d average pooling as torch.nn.functional.avg_pool2d (ceilMode, countIncludePad, divisorOverride).
 * @example F.avgPool2d(tensor([[[[1, 2], [4, 5]]]]), 2).toArray() // [[[[3]]]]
 */
export function avgPool2d(x: Tensor, kernelSize: Size2d, opts: AvgPool2dOptions = {}): Tensor {
  return avgPool2dOp(x, kernelSize, opts);
}

/**
 * 2-d adaptive max pooling to outputSize ([height, width], null keeps a dim) as
 * torch.nn.functional.adaptive_max_pool2d.
 * @example F.adaptiveMaxPool2d(tensor([[[[1, 5, 2], [4, 3, 6]]]]), 1).toArray() // [[[[6]]]]
 */
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: { returnIndices: true }): ValuesAndIndices;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts?: { returnIndices?: boolean }): Tensor;
export function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize, opts: { returnIndices?: boolean } = {}): Tensor | ValuesAndIndices {
  const r = adaptiveMaxPool2dOp(x, outputSize);
  return opts.returnIndices ? r : r.values;
}

/**
 * 2-d adaptive average pooling to outputSize as torch.nn.functional.adaptive_avg_pool2d (1: global
 * average pooling).
 * @example F.adaptiveAvgPool2d(ones([2, 3, 5, 7]), 1).shape // [2, 3, 1, 1]
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
  return adaptiveAvgPool2dOp(x, outputSize);
}
