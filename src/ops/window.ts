// The maximum of windows along one dim, taken as the single element PyTorch's CPU kernels pick
// (the backend's windowArgmax), so that its gradient goes to that element alone, as PyTorch's
// does: max pooling, adaptive max pooling and embedding_bag's max are built on it. The value is a
// gather at the picked positions: its gradient is a scatter, and that one's is a gather again.
import { kernels } from '../backend/registry.js';
import type { WindowRule } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { gather } from './indexing.js';
import { along, assertTensor, dimOf } from './kernel.js';

export type { WindowRule } from '../backend/types.js';

/** Windows along a dim: window w is starts[w], starts[w] + step, ... below ends[w]. */
export interface Windows {
  starts: readonly number[];
  ends: readonly number[];
  step?: number;
}

/**
 * The maximum of each window of x along dim (the windows replace that dim), as the element
 * PyTorch's kernels pick: rule 'pool' (max pooling) the first of tied maxima and the last NaN,
 * rule 'bag' (embedding_bag) the first element and then only strictly greater ones. Errors name
 * `op`; every window must hold at least one element.
 */
export function windowMax(x: Tensor, dim: number, w: Windows, rule: WindowRule, op: string): Tensor {
  assertTensor(x, op);
  const d = dimOf(x, dim, op);
  const { outer, n, inner } = along(x, d);
  const step = w.step ?? 1;
  if (!Number.isInteger(step) || step < 1) throw new ChainruleError(`${op}: the window step must be a positive integer, got ${step}`);
  if (w.starts.length !== w.ends.length) throw new ChainruleError(`${op}: ${w.starts.length} window starts for ${w.ends.length} ends`);
  w.starts.forEach((s, i) => {
    const e = w.ends[i];
    if (!Number.isInteger(s) || !Number.isInteger(e) || s < 0 || e > n || s >= e) {
      throw new ChainruleError(`${op}: window ${i} [${s}, ${e}) is empty or outside dimension ${d} of size ${n} (shape ${fmtShape(x.shape)})`);
    }
  });
  const shape = [...x.shape];
  shape[d] = w.starts.length;
  const idx = empty(shape, 'int32');
  if (idx.size) kernels().windowArgmax(x.data, outer, n, inner, Int32Array.from(w.starts), Int32Array.from(w.ends), step, rule, idx.data as Int32Array);
  return gather(x, d, idx);
}
