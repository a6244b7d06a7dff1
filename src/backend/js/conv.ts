import type { Conv1dShape, TypedArray } from '../types.js';

// The reference kernel of the 1-d convolution's gradients from a sparse output gradient (see
// Backend.conv1dSparseGrad). Max over time after a convolution, as in a text CNN, leaves one nonzero
// per (batch entry, channel) in the convolution's output gradient; a dense product would multiply
// all the zeros. Each nonzero gy[n, o, t] sends v·W[o] to the input window it was computed from
// (input gradient) and takes v·x[n, :, window] into W[o]'s gradient (weight gradient).

/** True when gy has at most maxNonzeros entries that are not zero (NaN is not zero). */
export function fewNonzeros(gy: TypedArray, maxNonzeros: number): boolean {
  let nz = 0;
  for (let i = 0; i < gy.length; i++) if (gy[i] !== 0 && ++nz > maxNonzeros) return false;
  return true;
}

/** True when every element is finite. */
export function allFinite(x: TypedArray): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] - x[i] !== 0) return false;
  return true;
}

export function conv1dSparseGrad(which: 'input' | 'weight', gy: TypedArray, other: TypedArray, out: TypedArray, shape: Conv1dShape, maxNonzeros: number): boolean {
  if (!fewNonzeros(gy, maxNonzeros) || !allFinite(other)) return false;
  const { N, Cin, L, Cout, K, Lout, stride: s, dilation: d } = shape;
  out.fill(0);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < Cout; o++) {
      const row = (n * Cout + o) * Lout;
      for (let t = 0; t < Lout; t++) {
        const v = gy[row + t];
        if (v === 0) continue;
        const xw = n * Cin * L + t * s; // the window's first element in x (and gx)
        const wo = o * Cin * K;
        if (which === 'weight') {
          for (let c = 0; c < Cin; c++) for (let k = 0; k < K; k++) out[wo + c * K + k] += v * other[xw + c * L + k * d];
        } else {
          for (let c = 0; c < Cin; c++) for (let k = 0; k < K; k++) out[xw + c * L + k * d] += v * other[wo + c * K + k];
        }
      }
    }
  }
  return true;
}
