import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { tensor } from '../../tensor/creation.js';
import { type Tensor, indexSelect } from '../../ops/index.js';

/**
 * How a convolution fills its padding (PyTorch's `padding_mode`): 'zeros' (the default), 'reflect'
 * (mirror without repeating the edge), 'replicate' (repeat the edge) or 'circular' (wrap around).
 * @example new nn.Conv1d(1, 1, 3, { padding: 1, paddingMode: 'circular' }).paddingMode // 'circular'
 */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

export const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** Position i (which may lie outside [0, L)) read from the input, as each mode maps it. */
function source(mode: Exclude<PaddingMode, 'zeros'>, i: number, L: number): number {
  if (mode === 'replicate') return Math.min(Math.max(i, 0), L - 1);
  if (mode === 'circular') return ((i % L) + L) % L;
  // reflect: mirrored about the first and last elements, which are not repeated
  if (L === 1) return 0;
  const period = 2 * (L - 1);
  const m = ((i % period) + period) % period;
  return m < L ? m : period - m;
}

/**
 * Pads the last dims of x by reflecting, replicating or wrapping around its edges (PyTorch's
 * F.pad modes 'reflect', 'replicate' and 'circular' as the convolutions' paddingMode uses them);
 * widths in PyTorch order, [left, right] of the last dim first. Each dim is an index selection, so
 * the gradient adds up where an element was read several times.
 */
export function padMode(x: Tensor, widths: readonly number[], mode: Exclude<PaddingMode, 'zeros'>, who: string): Tensor {
  let y = x;
  for (let k = 0; k < widths.length / 2; k++) {
    const d = x.ndim - 1 - k;
    const [l, r] = [widths[2 * k], widths[2 * k + 1]];
    if (l === 0 && r === 0) continue;
    const L = x.shape[d];
    if (mode === 'reflect' && (l >= L || r >= L)) {
      throw new ChainruleError(`${who}: reflect padding ${l}, ${r} must be smaller than the padded dim ${L} of ${showShape(x.shape)}`);
    }
    if (mode === 'circular' && (l > L || r > L)) {
      throw new ChainruleError(`${who}: circular padding ${l}, ${r} must be at most the padded dim ${L} of ${showShape(x.shape)}`);
    }
    if (L === 0) throw new ChainruleError(`${who}: cannot ${mode}-pad the empty dim ${d} of ${showShape(x.shape)}`);
    const idx = Int32Array.from({ length: L + l + r }, (_, i) => source(mode, i - l, L));
    y = indexSelect(y, d, tensor(idx));
  }
  return y;
}
