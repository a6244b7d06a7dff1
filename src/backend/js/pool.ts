import type { PoolWindows, TypedArray } from '../types.js';

// The reference kernels of 2-d pooling (Backend.maxPool2d, avgPool2d, avgPool2dBackward): plain loops
// over the windows that PoolWindows describes.

export function maxPool2d(x: TypedArray, w: PoolWindows, out: TypedArray, indices: Int32Array): void {
  const { planes, H, W, OH, OW, rows, cols, rowStep, colStep } = w;
  const plane = H * W;
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * plane;
    for (let i = 0; i < OH; i++) {
      const r0 = rows[2 * i];
      const r1 = rows[2 * i + 1];
      for (let j = 0; j < OW; j++, o++) {
        const c0 = cols[2 * j];
        const c1 = cols[2 * j + 1];
        let best = Number.NEGATIVE_INFINITY;
        let at = r0 * W + c0;
        for (let r = r0; r < r1; r += rowStep) {
          for (let c = c0; c < c1; c += colStep) {
            const v = x[base + r * W + c];
            if (v > best || v !== v) {
              best = v;
              at = r * W + c;
            }
          }
        }
        out[o] = best;
        indices[o] = at;
      }
    }
  }
}

export function avgPool2d(x: TypedArray, w: PoolWindows, rowDiv: Float64Array, colDiv: Float64Array, out: TypedArray): void {
  const { planes, H, W, OH, OW, rows, cols, rowStep, colStep } = w;
  const plane = H * W;
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * plane;
    for (let i = 0; i < OH; i++) {
      const r0 = rows[2 * i];
      const r1 = rows[2 * i + 1];
      for (let j = 0; j < OW; j++, o++) {
        const c0 = cols[2 * j];
        const c1 = cols[2 * j + 1];
        if (r0 >= r1 || c0 >= c1) {
          out[o] = 0;
          continue;
        }
        let s = 0;
        for (let r = r0; r < r1; r += rowStep) for (let c = c0; c < c1; c += colStep) s += x[base + r * W + c];
        out[o] = s / (rowDiv[i] * colDiv[j]);
      }
    }
  }
}

export function avgPool2dBackward(gy: TypedArray, w: PoolWindows, rowDiv: Float64Array, colDiv: Float64Array, gx: TypedArray): void {
  const { planes, H, W, OH, OW, rows, cols, rowStep, colStep } = w;
  const plane = H * W;
  for (let p = 0, o = 0; p < planes; p++) {
    const base = p * plane;
    for (let i = 0; i < OH; i++) {
      const r0 = rows[2 * i];
      const r1 = rows[2 * i + 1];
      for (let j = 0; j < OW; j++, o++) {
        const c0 = cols[2 * j];
        const c1 = cols[2 * j + 1];
        if (r0 >= r1 || c0 >= c1) continue;
        const v = gy[o] / (rowDiv[i] * colDiv[j]);
        for (let r = r0; r < r1; r += rowStep) for (let c = c0; c < c1; c += colStep) gx[base + r * W + c] += v;
      }
    }
  }
}
