// The CTC loss's alpha and beta recursions in log space, a port of PyTorch 1.13's CPU kernels
// (aten/src/ATen/native/LossCTC.cpp: ctc_loss_cpu_template and ctc_loss_backward_cpu_template),
// in double precision for every dtype.
import type { CtcArgs, CtcSpec, TypedArray } from '../types.js';

const NEG_INF = Number.NEGATIVE_INFINITY;

/** The label at position s of the target with blanks around and between its labels (l′ of Graves et al.). */
function primeOf(a: CtcArgs, n: number, s: number, blank: number): number {
  return s % 2 === 0 ? blank : a.targets[a.offsets[n] + (s - 1) / 2];
}

/** log(e^a + e^b + e^c) around the largest of the three, as PyTorch writes it (0 when all are -∞). */
function logSum3(a: number, b: number, c: number): number {
  let m = a;
  if (b > m) m = b;
  if (c > m) m = c;
  if (m === NEG_INF) m = 0;
  return Math.log(Math.exp(a - m) + Math.exp(b - m) + Math.exp(c - m)) + m;
}

export function ctcLoss(spec: CtcSpec, a: CtcArgs): void {
  const { T, N, C, blank } = spec;
  const S = 2 * spec.maxTargetLength + 1;
  const lp = a.logProbs;
  const la = a.logAlpha;
  for (let n = 0; n < N; n++) {
    const il = a.inputLengths[n];
    const tl = a.targetLengths[n];
    if (il === 0) {
      a.nll[n] = tl === 0 ? 0 : Number.POSITIVE_INFINITY;
      continue;
    }
    const lpAt = (t: number, c: number) => lp[(t * N + n) * C + c];
    const base = n * T * S;
    for (let s = 0; s < S; s++) la[base + s] = NEG_INF;
    la[base] = lpAt(0, blank);
    if (tl > 0) la[base + 1] = lpAt(0, primeOf(a, n, 1, blank));
    for (let t = 1; t < il; t++) {
      const prev = base + (t - 1) * S;
      const row = base + t * S;
      for (let s = 0; s < 2 * tl + 1; s++) {
        const cur = primeOf(a, n, s, blank);
        const la2 = s > 0 ? la[prev + s - 1] : NEG_INF;
        const la3 = s > 1 && primeOf(a, n, s - 2, blank) !== cur ? la[prev + s - 2] : NEG_INF;
        la[row + s] = logSum3(la[prev + s], la2, la3) + lpAt(t, cur);
      }
    }
    const last = base + (il - 1) * S;
    if (tl === 0) {
      a.nll[n] = -la[last];
    } else {
      const l1 = la[last + 2 * tl];
      const l2 = la[last + 2 * tl - 1];
      let m = Math.max(l1, l2);
      if (m === NEG_INF) m = 0;
      a.nll[n] = -(Math.log(Math.exp(l1 - m) + Math.exp(l2 - m)) + m);
    }
  }
}

export function ctcLossBackward(spec: CtcSpec, a: CtcArgs, gradOut: TypedArray, grad: TypedArray): void {
  const { T, N, C, blank } = spec;
  const S = 2 * spec.maxTargetLength + 1;
  const lp = a.logProbs;
  const la = a.logAlpha;
  const lb = new Float64Array(T * S);
  // log Σ αβ per (t, c) of one sample
  const lcab = new Float64Array(T * C);
  for (let n = 0; n < N; n++) {
    const il = a.inputLengths[n];
    const tl = a.targetLengths[n];
    const nll = a.nll[n];
    const at = (t: number, c: number) => (t * N + n) * C + c;
    if (spec.zeroInfinity && nll === Number.POSITIVE_INFINITY) {
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) grad[at(t, c)] = 0;
      continue;
    }
    const base = n * T * S;
    lcab.fill(NEG_INF);
    if (il > 0) {
      const r = (il - 1) * S;
      for (let s = 0; s < S; s++) lb[r + s] = NEG_INF;
      lb[r + 2 * tl] = lp[at(il - 1, blank)];
      lcab[(il - 1) * C + blank] = la[base + r + 2 * tl] + lb[r + 2 * tl];
      if (tl > 0) {
        const cur = primeOf(a, n, 2 * tl - 1, blank);
        lb[r + 2 * tl - 1] = lp[at(il - 1, cur)];
        lcab[(il - 1) * C + cur] = la[base + r + 2 * tl - 1] + lb[r + 2 * tl - 1];
      }
    }
    for (let t = il - 2; t >= 0; t--) {
      const next = (t + 1) * S;
      const row = t * S;
      for (let s = 2 * tl; s >= 0; s--) {
        const cur = primeOf(a, n, s, blank);
        const lb2 = s < 2 * tl ? lb[next + s + 1] : NEG_INF;
        const lb3 = s < 2 * tl - 1 && primeOf(a, n, s + 2, blank) !== cur ? lb[next + s + 2] : NEG_INF;
        lb[row + s] = logSum3(lb[next + s], lb2, lb3) + lp[at(t, cur)];
        const lab = la[base + row + s] + lb[row + s];
        const k = t * C + cur;
        if (lcab[k] === NEG_INF) lcab[k] = lab;
        else {
          const m = Math.max(lcab[k], lab);
          lcab[k] = Math.log(Math.exp(lcab[k] - m) + Math.exp(lab - m)) + m;
        }
      }
    }
    const gr = gradOut[n];
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        const i = at(t, c);
        grad[i] = t < il ? (Math.exp(lp[i]) - Math.exp(lcab[t * C + c] + nll - lp[i])) * gr : 0;
      }
    }
  }
}
