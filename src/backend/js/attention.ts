import { type AttentionBackwardArgs, type AttentionForwardArgs, type AttentionMask, type AttentionSpec, type TypedArray, attentionKeep, attentionThreshold } from '../types.js';

// The reference attention kernels: one query row at a time, its scores over every key kept in a
// row of S doubles (never the whole L x S matrix), accumulated in double precision. The backward
// recomputes each row's probabilities from the saved log-sum-exp, as the fused kernels do.

/** Scores of query row i of block b into `row` (-∞ where masked); returns their maximum (NaN ignored). */
function scoreRow(s: AttentionSpec, q: TypedArray, k: TypedArray, mask: AttentionMask | null, b: number, i: number, row: Float64Array): number {
  const { L, S, E, scale } = s;
  const qo = (b * L + i) * E;
  const mo = mask ? mask.offsets[b] + i * mask.rowStride : 0;
  let mx = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < S; j++) {
    if (s.causal && j > i) {
      row[j] = Number.NEGATIVE_INFINITY;
      continue;
    }
    const ko = (b * S + j) * E;
    let dot = 0;
    for (let e = 0; e < E; e++) dot += q[qo + e] * k[ko + e];
    let v = scale * dot;
    if (mask) {
      const m = mask.data[mo + j * mask.colStride];
      if (s.mask === 'bool') {
        if (m === 0) v = Number.NEGATIVE_INFINITY;
      } else v += m;
    }
    row[j] = v;
    if (v > mx) mx = v;
  }
  return mx;
}

/** The dropout factor of weight (i, j) of block b: 1 without dropout, else 0 or 1/(1 − p). */
function dropFactor(s: AttentionSpec): (b: number, i: number, j: number) => number {
  if (!(s.dropoutP > 0)) return () => 1;
  const t = attentionThreshold(s.dropoutP);
  const inv = 1 / (1 - s.dropoutP);
  return (b, i, j) => (attentionKeep(s.seed, (b * s.L + i) * s.S + j, t) ? inv : 0);
}

export function attention(s: AttentionSpec, a: AttentionForwardArgs): void {
  const { batch, L, S, Ev } = s;
  const drop = dropFactor(s);
  const row = new Float64Array(S);
  const acc = new Float64Array(Ev);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < L; i++) {
      const mx = scoreRow(s, a.q, a.k, a.mask, b, i, row);
      let sum = 0;
      for (let j = 0; j < S; j++) {
        row[j] = Math.exp(row[j] - mx);
        sum += row[j];
      }
      // a row with no key left (mx = -∞) or a NaN or +∞ score: NaN throughout, as PyTorch's softmax
      const lse = mx + Math.log(sum);
      acc.fill(0);
      for (let j = 0; j < S; j++) {
        const p = (row[j] / sum) * drop(b, i, j);
        const vo = (b * S + j) * Ev;
        for (let e = 0; e < Ev; e++) acc[e] += p * a.v[vo + e];
      }
      const oo = (b * L + i) * Ev;
      for (let e = 0; e < Ev; e++) a.out[oo + e] = Number.isFinite(lse) ? acc[e] : Number.NaN;
      a.lse[b * L + i] = Number.isFinite(lse) ? lse : Number.NaN;
    }
  }
}

export function attentionBackward(s: AttentionSpec, a: AttentionBackwardArgs): void {
  const { batch, L, S, E, Ev, scale } = s;
  const drop = dropFactor(s);
  const row = new Float64Array(S);
  const dq = new Float64Array(E);
  // one block's key and value gradients, summed over its queries in double precision
  const dk = new Float64Array(S * E);
  const dv = new Float64Array(S * Ev);
  for (let b = 0; b < batch; b++) {
    dk.fill(0);
    dv.fill(0);
    for (let i = 0; i < L; i++) {
      scoreRow(s, a.q, a.k, a.mask, b, i, row);
      const lse = a.lse[b * L + i];
      // a NaN row of the forward makes every probability of the row NaN, masked ones too (PyTorch's softmax)
      const bad = !Number.isFinite(lse);
      const oo = (b * L + i) * Ev;
      let D = 0;
      for (let e = 0; e < Ev; e++) D += a.dOut[oo + e] * a.out[oo + e];
      dq.fill(0);
      const qo = (b * L + i) * E;
      const mo = a.mask ? a.mask.offsets[b] + i * a.mask.rowStride : 0;
      for (let j = 0; j < S; j++) {
        const hidden = s.causal && j > i;
        // past the diagonal a good row has nothing more to give
        if (hidden && !bad) break;
        const p = bad ? Number.NaN : Math.exp(row[j] - lse);
        const f = drop(b, i, j);
        const vo = (b * S + j) * Ev;
        for (let e = 0; e < Ev; e++) dv[j * Ev + e] += p * f * a.dOut[oo + e];
        // a key the causal or boolean mask removed passes no gradient to its score (masked_fill)
        if (hidden || (s.mask === 'bool' && a.mask?.data[mo + j * a.mask.colStride] === 0)) continue;
        let dp = 0;
        for (let e = 0; e < Ev; e++) dp += a.dOut[oo + e] * a.v[vo + e];
        const ds = scale * p * (f * dp - D);
        const ko = (b * S + j) * E;
        for (let e = 0; e < E; e++) {
          dq[e] += ds * a.k[ko + e];
          dk[j * E + e] += ds * a.q[qo + e];
        }
      }
      for (let e = 0; e < E; e++) a.dq[qo + e] = dq[e];
    }
    a.dk.set(dk, b * S * E);
    a.dv.set(dv, b * S * Ev);
  }
}
