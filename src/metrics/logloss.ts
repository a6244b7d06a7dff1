import { ChainruleError } from '../errors.js';
import { type ArrayLike1D, type ArrayLike2D, sameLength, toLabels, toNumbers, toRows } from './input.js';
import { Tensor } from '../ops/index.js';

/**
 * Mean negative log-likelihood of the true labels under predicted probabilities (cross-entropy):
 * binary when `probs` is 1-D (the probability of class 1), multi-class for [N, C] rows (each is
 * renormalised to sum to 1, as sklearn). Probabilities are clipped to [eps, 1 - eps].
 * @example metrics.logLoss([1, 0], [0.9, 0.2]) // (-ln 0.9 - ln 0.8) / 2 ≈ 0.164
 */
export function logLoss(yTrue: ArrayLike1D, probs: ArrayLike1D | ArrayLike2D, opts: { eps?: number } = {}): number {
  const op = 'logLoss';
  const eps = opts.eps ?? 1e-15;
  const y = toLabels(yTrue, op, 'yTrue');
  const is2d = probs instanceof Tensor ? probs.ndim === 2 && probs.shape[1] > 1 : Array.isArray(probs) && Array.isArray(probs[0]);
  const clip = (p: number) => Math.min(1 - eps, Math.max(eps, p));
  if (!is2d) {
    const p = toNumbers(probs as ArrayLike1D, op, 'probs');
    sameLength(y, p, op, 'yTrue', 'probs');
    let total = 0;
    for (let i = 0; i < y.length; i++) {
      if (y[i] > 1) throw new ChainruleError(`${op}: binary probabilities need labels 0/1; yTrue[${i}] is ${y[i]}`);
      if (!(p[i] >= 0 && p[i] <= 1)) throw new ChainruleError(`${op}: probs[${i}] is ${p[i]}, not a probability`);
      const q = clip(p[i]);
      total -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
    }
    return total / y.length;
  }
  const rows = toRows(probs as ArrayLike2D, op, 'probs');
  sameLength(y, rows, op, 'yTrue', 'probs');
  let total = 0;
  rows.forEach((r, i) => {
    if (y[i] >= r.length) throw new ChainruleError(`${op}: yTrue[${i}] is ${y[i]} but probs has ${r.length} columns`);
    if (r.some((v) => !(v >= 0 && v <= 1))) throw new ChainruleError(`${op}: probs row ${i} holds values outside [0, 1]`);
    const c = r.map(clip);
    const s = c.reduce((a, b) => a + b, 0);
    total -= Math.log(c[y[i]] / s);
  });
  return total / y.length;
}
