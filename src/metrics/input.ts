import { ChainruleError, fmtShape } from '../errors.js';
import { Tensor } from '../ops/index.js';

/** What metrics accept: a plain array or a tensor. */
export type ArrayLike1D = readonly number[] | readonly boolean[] | Tensor;
/** Per-class scores: an [N, C] tensor or an array of N rows. */
export type ArrayLike2D = readonly (readonly number[])[] | Tensor;

/** A flat list of numbers from a 1-D array or tensor (booleans become 0/1). */
export function toNumbers(x: ArrayLike1D, op: string, what: string): number[] {
  if (x instanceof Tensor) {
    if (x.ndim > 1 && !(x.ndim === 2 && x.shape[1] === 1)) throw new ChainruleError(`${op}: ${what} must be 1-D, got shape ${fmtShape(x.shape)}`);
    return Array.from(x.data, Number);
  }
  if (!Array.isArray(x)) throw new ChainruleError(`${op}: ${what} must be an array or a Tensor`);
  return (x as readonly (number | boolean)[]).map((v, i) => {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v !== 'number' || Number.isNaN(v)) throw new ChainruleError(`${op}: ${what}[${i}] is ${String(v)}, expected a number`);
    return v;
  });
}

/** Class labels: integers >= 0. */
export function toLabels(x: ArrayLike1D, op: string, what: string): number[] {
  const v = toNumbers(x, op, what);
  const bad = v.findIndex((l) => !Number.isInteger(l) || l < 0);
  if (bad >= 0) throw new ChainruleError(`${op}: ${what} must be class ids (integers >= 0); ${what}[${bad}] is ${v[bad]}`);
  return v;
}

/** Rows of an [N, C] score matrix. */
export function toRows(x: ArrayLike2D, op: string, what: string): number[][] {
  if (x instanceof Tensor) {
    if (x.ndim !== 2) throw new ChainruleError(`${op}: ${what} must be 2-D [N, C], got shape ${fmtShape(x.shape)}`);
    const [n, c] = x.shape;
    return Array.from({ length: n }, (_, i) => Array.from(x.data.subarray(i * c, (i + 1) * c), Number));
  }
  if (!Array.isArray(x) || x.some((r) => !Array.isArray(r))) throw new ChainruleError(`${op}: ${what} must be an [N, C] array or Tensor`);
  const c = x[0]?.length ?? 0;
  if (x.some((r) => r.length !== c)) throw new ChainruleError(`${op}: ${what} rows have different lengths`);
  return x.map((r) => [...r]);
}

/** Predicted labels from labels, or from [N, C] scores by argmax. */
export function toPredictions(x: ArrayLike1D | ArrayLike2D, op: string): number[] {
  const is2d = x instanceof Tensor ? x.ndim === 2 && x.shape[1] > 1 : Array.isArray(x) && Array.isArray(x[0]);
  if (!is2d) return toLabels(x as ArrayLike1D, op, 'yPred');
  return toRows(x as ArrayLike2D, op, 'yPred').map((r) => {
    let best = 0;
    for (let j = 1; j < r.length; j++) if (r[j] > r[best]) best = j;
    return best;
  });
}

export function sameLength(a: readonly unknown[], b: readonly unknown[], op: string, an = 'yTrue', bn = 'yPred'): void {
  if (a.length !== b.length) throw new ChainruleError(`${op}: ${an} has ${a.length} entries but ${bn} has ${b.length}`);
  if (a.length === 0) throw new ChainruleError(`${op}: no examples`);
}
