import { type Backend, RNN_GATES, RNN_SAVED, type RnnBackwardArgs, type RnnForwardArgs, type RnnSpec, type TypedArray } from '../types.js';
import { matmul } from './matmul.js';

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

/** A scratch array of the same kind as `like`. */
function scratch(like: TypedArray, n: number): TypedArray {
  return like instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
}

/**
 * Reference recurrence: per step one GEMM h·W_hhᵀ (by `mm`; the wasm backend passes its own), then
 * the gates of every (b, j) in float64 arithmetic (stored in the arrays' own type).
 */
export function rnnForward(s: RnnSpec, a: RnnForwardArgs, mm: Backend['matmul'] = matmul): void {
  const { kind, T, B, H } = s;
  const G = RNN_GATES[kind] * H;
  const S = RNN_SAVED[kind] * H;
  const gh = scratch(a.gx, B * G);
  const h = a.hN;
  const c = a.cN;
  h.set(a.h0);
  if (c && a.c0) c.set(a.c0);
  for (let k = 0; k < T; k++) {
    const t = s.reverse ? T - 1 - k : k;
    const hp = a.hPrev.subarray(t * B * H, (t + 1) * B * H);
    hp.set(h);
    mm(hp, a.whh, gh, { batch: 1, m: B, n: G, k: H, transA: false, transB: true, strideA: 0, strideB: 0 });
    if (a.bhh) for (let b = 0; b < B; b++) for (let q = 0; q < G; q++) gh[b * G + q] += a.bhh[q];
    for (let b = 0; b < B; b++) {
      const live = a.mask?.[t * B + b] !== 0;
      const xo = (t * B + b) * G;
      const go = b * G;
      const so = (t * B + b) * S;
      const ho = b * H;
      const oo = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        let h2: number;
        let c2 = 0;
        if (kind === 'gru') {
          const r = sigmoid(a.gx[xo + j] + gh[go + j]);
          const z = sigmoid(a.gx[xo + H + j] + gh[go + H + j]);
          const ghn = gh[go + 2 * H + j];
          const n = Math.tanh(a.gx[xo + 2 * H + j] + r * ghn);
          h2 = (1 - z) * n + z * hp[ho + j];
          a.saved[so + j] = r;
          a.saved[so + H + j] = z;
          a.saved[so + 2 * H + j] = n;
          a.saved[so + 3 * H + j] = ghn;
        } else if (kind === 'lstm') {
          const i = sigmoid(a.gx[xo + j] + gh[go + j]);
          const f = sigmoid(a.gx[xo + H + j] + gh[go + H + j]);
          const g = Math.tanh(a.gx[xo + 2 * H + j] + gh[go + 2 * H + j]);
          const o = sigmoid(a.gx[xo + 3 * H + j] + gh[go + 3 * H + j]);
          const cp = (c as TypedArray)[ho + j];
          c2 = f * cp + i * g;
          const tc = Math.tanh(c2);
          h2 = o * tc;
          a.saved[so + j] = i;
          a.saved[so + H + j] = f;
          a.saved[so + 2 * H + j] = g;
          a.saved[so + 3 * H + j] = o;
          a.saved[so + 4 * H + j] = cp;
          a.saved[so + 5 * H + j] = tc;
        } else {
          const v = a.gx[xo + j] + gh[go + j];
          h2 = kind === 'tanh' ? Math.tanh(v) : Math.max(0, v);
          a.saved[so + j] = h2;
        }
        a.out[oo + j] = live ? h2 : 0;
        if (live) {
          h[ho + j] = h2;
          if (c) c[ho + j] = c2;
        }
      }
    }
  }
}

/**
 * Backpropagation through time: per step (in reverse processing order) the gate gradients of
 * every (b, j), then dh ← (carried part) + dgh·W_hh with one GEMM.
 */
export function rnnBackward(s: RnnSpec, a: RnnBackwardArgs, mm: Backend['matmul'] = matmul): void {
  const { kind, T, B, H } = s;
  const G = RNN_GATES[kind] * H;
  const S = RNN_SAVED[kind] * H;
  const dh = a.dh0;
  const dc = a.dc0;
  if (a.dhN) dh.set(a.dhN);
  else dh.fill(0);
  if (dc) {
    if (a.dcN) dc.set(a.dcN);
    else dc.fill(0);
  }
  const dghAll = a.dgh ?? a.dgx;
  const next = scratch(a.dgx, B * H);
  for (let k = T - 1; k >= 0; k--) {
    const t = s.reverse ? T - 1 - k : k;
    const dgx = a.dgx.subarray(t * B * G, (t + 1) * B * G);
    const dgh = dghAll.subarray(t * B * G, (t + 1) * B * G);
    for (let b = 0; b < B; b++) {
      const live = a.mask?.[t * B + b] !== 0;
      const so = (t * B + b) * S;
      const go = b * G;
      const ho = b * H;
      const oo = (t * B + b) * H;
      for (let j = 0; j < H; j++) {
        if (!live) {
          // the step kept the state: its gradient passes by, and nothing reaches the gates
          next[ho + j] = dh[ho + j];
          for (let q = 0; q < G; q += H) {
            dgx[go + q + j] = 0;
            dgh[go + q + j] = 0;
          }
          continue;
        }
        const dh2 = dh[ho + j] + (a.dOut ? a.dOut[oo + j] : 0);
        if (kind === 'gru') {
          const r = a.saved[so + j];
          const z = a.saved[so + H + j];
          const n = a.saved[so + 2 * H + j];
          const ghn = a.saved[so + 3 * H + j];
          const dpn = dh2 * (1 - z) * (1 - n * n);
          const dpr = dpn * ghn * r * (1 - r);
          const dpz = dh2 * (a.hPrev[oo + j] - n) * z * (1 - z);
          dgx[go + j] = dpr;
          dgx[go + H + j] = dpz;
          dgx[go + 2 * H + j] = dpn;
          dgh[go + j] = dpr;
          dgh[go + H + j] = dpz;
          dgh[go + 2 * H + j] = dpn * r;
          next[ho + j] = dh2 * z;
        } else if (kind === 'lstm') {
          const i = a.saved[so + j];
          const f = a.saved[so + H + j];
          const g = a.saved[so + 2 * H + j];
          const o = a.saved[so + 3 * H + j];
          const cp = a.saved[so + 4 * H + j];
          const tc = a.saved[so + 5 * H + j];
          const dct = (dc as TypedArray)[ho + j] + dh2 * o * (1 - tc * tc);
          dgx[go + j] = dct * g * i * (1 - i);
          dgx[go + H + j] = dct * cp * f * (1 - f);
          dgx[go + 2 * H + j] = dct * i * (1 - g * g);
          dgx[go + 3 * H + j] = dh2 * tc * o * (1 - o);
          (dc as TypedArray)[ho + j] = dct * f;
          next[ho + j] = 0;
        } else {
          const y = a.saved[so + j];
          // relu: PyTorch's threshold_backward, y <= 0 ? 0 : g (a NaN state passes the gradient)
          dgx[go + j] = kind === 'tanh' ? dh2 * (1 - y * y) : y <= 0 ? 0 : dh2;
          next[ho + j] = 0;
        }
      }
    }
    // dh_prev = (carried or direct part) + dgh·W_hh
    mm(dgh, a.whh, dh, { batch: 1, m: B, n: H, k: G, transA: false, transB: false, strideA: 0, strideB: 0 });
    for (let q = 0; q < B * H; q++) dh[q] += next[q];
  }
}
