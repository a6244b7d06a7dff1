// Variance and standard deviation as PyTorch 1.13's CPU kernels compute them, so that the values
// agree to the last bit where it matters (equal values: exactly 0, or the same rounding residue):
// a full reduction is two passes, the mean summed in the order of PyTorch's vectorised sum
// (cascade_sum with AVX2 vectors) and divided by n, then Σ(x - mean)² in double; a reduction into
// several outputs is Welford's algorithm in double precision (std_var_kernel).
import type { TypedArray } from '../types.js';

const round32 = Math.fround;
const same = (v: number): number => v;

/** PyTorch's CeilLog2 (1 for x <= 2). */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

const acc = new Float64Array(16);

/**
 * row_sum of PyTorch's SumKernel.cpp over x[start + i·stride], i < size: the row read as rows of 4
 * (multi_row_sum: four running sums, folded into 4 levels every 2^levelPower rows), the remainder
 * added to the first, then the four added in order. `r` rounds each addition (float32 sums
 * accumulate in float32, as PyTorch's do).
 */
function rowSum(x: TypedArray, start: number, stride: number, size: number, r: (v: number) => number): number {
  const rows = Math.floor(size / 4);
  const levelPower = Math.max(4, Math.floor(ceilLog2(rows) / 4));
  const levelStep = 2 ** levelPower;
  const levelMask = levelStep - 1;
  acc.fill(0);
  let i = 0;
  for (; i + levelStep <= rows; ) {
    for (let j = 0; j < levelStep; j++, i++) {
      const b = start + 4 * i * stride;
      for (let k = 0; k < 4; k++) acc[k] = r(acc[k] + x[b + k * stride]);
    }
    for (let j = 1; j < 4; j++) {
      for (let k = 0; k < 4; k++) {
        acc[4 * j + k] = r(acc[4 * j + k] + acc[4 * (j - 1) + k]);
        acc[4 * (j - 1) + k] = 0;
      }
      if ((i & (levelMask << (j * levelPower))) !== 0) break;
    }
  }
  for (; i < rows; i++) {
    const b = start + 4 * i * stride;
    for (let k = 0; k < 4; k++) acc[k] = r(acc[k] + x[b + k * stride]);
  }
  for (let j = 1; j < 4; j++) for (let k = 0; k < 4; k++) acc[k] = r(acc[k] + acc[4 * j + k]);
  let s = acc[0];
  const [s1, s2, s3] = [acc[1], acc[2], acc[3]];
  for (let t = rows * 4; t < size; t++) s = r(s + x[start + t * stride]);
  return r(r(r(s + s1) + s2) + s3);
}

/**
 * The sum of x[base .. base + n) in PyTorch's CPU order for a contiguous row: with at least one
 * AVX2 vector (4 doubles, 8 floats) each lane sums its elements as rowSum does, then the tail and
 * the lanes are added in order; a shorter row is rowSum over the elements.
 */
export function torchRowSum(x: TypedArray, base: number, n: number): number {
  const f32 = x instanceof Float32Array;
  const r = f32 ? round32 : same;
  const lanes = f32 ? 8 : 4;
  if (n < lanes) return rowSum(x, base, 1, n, r);
  const vecs = Math.floor(n / lanes);
  const partial = new Float64Array(lanes);
  for (let l = 0; l < lanes; l++) partial[l] = rowSum(x, base + l, lanes, vecs, r);
  let s = 0;
  for (let k = vecs * lanes; k < n; k++) s = r(s + x[base + k]);
  for (let l = 0; l < lanes; l++) s = r(s + partial[l]);
  return s;
}

/**
 * Variance (standard deviation when `sqrt`) of each row of x [outer, n] with Bessel's
 * `correction`, divided by n - correction (by 0 where that is not positive: 0/0 is NaN, and a
 * positive sum gives inf), in double precision and stored in out's type; an empty row is NaN. One
 * row is a full reduction, computed in two passes around the mean PyTorch's sum gives; several
 * rows run Welford's algorithm. `mean` receives each row's mean as PyTorch's mean() computes it
 * (the sum in its order, then divided by n, in x's precision): the mean the gradient subtracts.
 */
export function variance(x: TypedArray, outer: number, n: number, correction: number, sqrt: boolean, out: TypedArray, mean: TypedArray): void {
  const r = x instanceof Float32Array ? round32 : same;
  const dof = n - correction;
  for (let o = 0; o < outer; o++) {
    const base = o * n;
    mean[o] = r(torchRowSum(x, base, n) / n);
    let m2 = 0;
    if (outer === 1) {
      const m = mean[o];
      for (let j = 0; j < n; j++) {
        const d = x[base + j] - m;
        m2 += d * d;
      }
    } else {
      let m = 0;
      for (let j = 0; j < n; j++) {
        const v = x[base + j];
        const delta = v - m;
        m += delta / (j + 1);
        m2 += delta * (v - m);
      }
    }
    const v = n === 0 ? Number.NaN : m2 / (dof > 0 ? dof : 0);
    out[o] = sqrt ? Math.sqrt(v) : v;
  }
}
