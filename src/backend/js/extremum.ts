// The gradient of max and min over dims in one kernel (see extremumBackward in ../types.ts): a pass
// that counts each slice's tied extrema, then one that writes mask·(g / count), instead of the
// composite's four full-size temporaries (the mask, its cast, the count's broadcast, the product).
import type { TypedArray } from '../types.js';
import { coalesce, forEachRun } from './elementwise.js';

export function extremumBackward(x: TypedArray, r: TypedArray, g: TypedArray, rStrides: readonly number[], shape: readonly number[], out: TypedArray): void {
  if (out.length === 0) return;
  // merging dims keeps row-major order, so x and out are walked by one running position
  const [cs, [sr]] = coalesce(shape, [rStrides]);
  // the reduced dims as one block of x viewed as [outer, n, inner] (the usual case): plain loops
  const z = sr.indexOf(0);
  if (z >= 0 && z === sr.lastIndexOf(0) && z <= 1 && cs.length - z <= 2) {
    const outer = z === 1 ? cs[0] : 1;
    const inner = z + 1 < cs.length ? cs[z + 1] : 1;
    if ((z + 1 === cs.length || sr[z + 1] === 1) && (z === 0 || sr[0] === inner)) {
      block(x, r, g, outer, cs[z], inner, out);
      return;
    }
  }
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

/** The same over x [outer, n, inner] reduced along n: r and g are [outer, inner]. */
function block(x: TypedArray, r: TypedArray, g: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void {
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const rv = r[o];
      const base = o * n;
      let count = 0;
      for (let k = 0; k < n; k++) if (x[base + k] === rv) count++;
      const share = g[o] / count;
      for (let k = 0; k < n; k++) out[base + k] = (x[base + k] === rv ? 1 : 0) * share;
    }
    return;
  }
  const share = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const ro = o * inner;
    share.fill(0);
    for (let k = 0; k < n; k++) {
      const base = (o * n + k) * inner;
      for (let i = 0; i < inner; i++) if (x[base + i] === r[ro + i]) share[i]++;
    }
    for (let i = 0; i < inner; i++) share[i] = g[ro + i] / share[i];
    for (let k = 0; k < n; k++) {
      const base = (o * n + k) * inner;
      for (let i = 0; i < inner; i++) out[base + i] = (x[base + i] === r[ro + i] ? 1 : 0) * share[i];
    }
  }
}
