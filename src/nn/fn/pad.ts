import { ChainruleError } from '../../errors.js';
import { circularPad, pad as constantPad, reflectionPad, replicationPad, type Tensor } from '../../ops/index.js';

/** The modes of F.pad, as PyTorch's: a constant value, the input reflected, its edge replicated, or wrapped around. @example F.pad(tensor([[1, 2, 3]]), [1, 1], 'replicate').toArray() // [[1, 1, 2, 3, 3]] */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/**
 * Pads (or, with negative widths, crops) the last dims, as torch.nn.functional.pad: widths
 * [left, right] of the last dim first, then of the one before. 'constant' (the default) fills
 * with value (0 by default) and pads any dims; 'reflect', 'replicate' and 'circular' pad the last
 * 1 to 3 dims of an input with batch (and channel) dims before them and take no value.
 * @example F.pad(tensor([[1, 2, 3]]), [2, 1], 'reflect').toArray() // [[3, 2, 1, 2, 3, 2]]
 * @example F.pad(tensor([1, 2, 3]), [1, -1], 'constant', 9).toArray() // [9, 1, 2]
 */
export function pad(x: Tensor, widths: readonly number[], mode: PadMode = 'constant', value?: number): Tensor {
  if (mode === 'constant') return constantPad(x, widths, value ?? 0);
  if (mode !== 'reflect' && mode !== 'replicate' && mode !== 'circular') {
    throw new ChainruleError(`pad: mode must be 'constant', 'reflect', 'replicate' or 'circular', got ${JSON.stringify(mode) ?? String(mode)}`);
  }
  if (value !== undefined && value !== 0) throw new ChainruleError(`pad: mode '${mode}' takes no value, got ${value}`);
  if (mode === 'reflect') return reflectionPad(x, widths);
  if (mode === 'replicate') return replicationPad(x, widths);
  return circularPad(x, widths);
}
