// The gradient of max and min over dims in one kernel (see extremumBackward in ../types.ts): a pass
// that counts each slice's tied extrema, then one that writes mask·(g / count), instead of the
// composite's four full-size temporaries (the mask, its cast, the count's broadcast, the product).
import type { TypedArray } from '../types.js';
import { coalesce, forEachRun } from './elementwise.js';

export function extremumBackward(x: TypedArray, r: TypedArray, g: TypedArray, rStrides: readonly number[], shape: readonly number[], out: TypedArray): void {
  if (out.length === 0) return;
  // merging dims keeps row-major order, so x and out are walked by one running position
  const [cs, [sr]] = coalesce(shape, [rStrides]);
  const step = sr[cs.length - 1];
  const count = new Float64Array(r.length);
  let i = 0;
  forEachRun(cs, [sr], (offs, n) => {
    for (let k = 0, j = offs[0]; k < n; k++, j += step) if (x[i + k] === r[j]) count[j]++;
    i += n;
  });
  // g / count in double, stored by out's type below: one rounding, as the composite's float division
  const share = new Float64Array(r.length);
  for (let j = 0; j < r.length; j++) share[j] = g[j] / count[j];
  i = 0;
  forEachRun(cs, [sr], (offs, n) => {
    for (let k = 0, j = offs[0]; k < n; k++, j += step) out[i + k] = (x[i + k] === r[j] ? 1 : 0) * share[j];
    i += n;
  });
}
