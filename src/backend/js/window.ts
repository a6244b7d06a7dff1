// The element of each window that a max reduction picks, as PyTorch's CPU kernels pick it (so the
// gradient goes to the same single element): max pooling and adaptive max pooling
// (MaxPoolKernel.cpp, AdaptiveMaxPoolKernel.cpp: `val > maxval || isnan(val)` from -inf, so the
// first of tied maxima and the last NaN), and embedding_bag's max (EmbeddingBag.cpp: the first
// element, then only strictly greater ones, so a NaN counts only as the first).
import type { TypedArray, WindowRule } from '../types.js';

export function windowArgmax(
  x: TypedArray,
  outer: number,
  n: number,
  inner: number,
  starts: Int32Array,
  ends: Int32Array,
  step: number,
  rule: WindowRule,
  out: Int32Array,
): void {
  const windows = starts.length;
  const pool = rule === 'pool';
  for (let o = 0; o < outer; o++) {
    for (let w = 0; w < windows; w++) {
      const s = starts[w];
      const e = ends[w];
      for (let i = 0; i < inner; i++) {
        const at0 = (o * n + s) * inner + i;
        let best = pool ? Number.NEGATIVE_INFINITY : x[at0];
        let at = s;
        for (let j = pool ? s : s + step; j < e; j += step) {
          const v = x[(o * n + j) * inner + i];
          if (v > best || (pool && v !== v)) {
            best = v;
            at = j;
          }
        }
        out[(o * windows + w) * inner + i] = at;
      }
    }
  }
}
