// Running reductions along the middle axis of [outer, n, inner]: cumsum, cumprod and
// logcumsumexp, forwards or from the end, accumulated in double precision as PyTorch's CPU
// kernels accumulate (so float32 results round once per element).
import type { ScanOp, TypedArray } from '../types.js';

/** log(e^x + e^acc) as PyTorch's _log_add_exp_helper: NaN propagates, equal infinities stay. */
function logAddExp(x: number, acc: number): number {
  const lo = acc !== acc ? acc : Math.min(x, acc);
  const hi = acc !== acc ? acc : Math.max(x, acc);
  if (lo !== hi || Number.isFinite(lo)) return Math.log1p(Math.exp(lo - hi)) + hi;
  return x;
}

export function scan(op: ScanOp, x: TypedArray, outer: number, n: number, inner: number, out: TypedArray, reverse: boolean): void {
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : Number.NEGATIVE_INFINITY;
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(init);
    for (let s = 0; s < n; s++) {
      const base = (o * n + (reverse ? n - 1 - s : s)) * inner;
      for (let i = 0; i < inner; i++) {
        const v = x[base + i];
        let a = acc[i];
        if (op === 'sum') a += v;
        else if (op === 'prod') a *= v;
        else a = logAddExp(v, a);
        acc[i] = a;
        out[base + i] = a;
      }
    }
  }
}
