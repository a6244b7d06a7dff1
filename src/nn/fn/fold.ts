import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { type FoldOptions, type Size2d, type Tensor, col2im, im2col } from '../../ops/index.js';

export type { FoldOptions };

/**
 * The sliding blocks of x [N, C, H, W] (or [C, H, W]) as columns [N, C·kh·kw, L], as
 * torch.nn.functional.unfold (PyTorch's im2col).
 * @example F.unfold(ones([1, 3, 4, 4]), 2, { stride: 2 }).shape // [1, 12, 4]
 */
export function unfold(x: Tensor, kernelSize: Size2d, opts: FoldOptions = {}): Tensor {
  if (x.ndim !== 3 && x.ndim !== 4) throw new ChainruleError(`unfold: expected input [N, C, H, W] or [C, H, W], got ${showShape(x.shape)}`);
  if (x.ndim === 3) return im2col(x.unsqueeze(0), kernelSize, opts).squeeze(0);
  return im2col(x, kernelSize, opts);
}

/**
 * Sums columns [N, C·kh·kw, L] (or [C·kh·kw, L]) of sliding blocks into images of outputSize, as
 * torch.nn.functional.fold (PyTorch's col2im); overlapping blocks add up.
 * @example F.fold(ones([1, 12, 4]), [4, 4], 2, { stride: 2 }).shape // [1, 3, 4, 4]
 */
export function fold(x: Tensor, outputSize: Size2d, kernelSize: Size2d, opts: FoldOptions = {}): Tensor {
  if (x.ndim !== 2 && x.ndim !== 3) throw new ChainruleError(`fold: expected input [N, C·kh·kw, L] or [C·kh·kw, L], got ${showShape(x.shape)}`);
  if (x.ndim === 2) return col2im(x.unsqueeze(0), outputSize, kernelSize, opts).squeeze(0);
  return col2im(x, outputSize, kernelSize, opts);
}
