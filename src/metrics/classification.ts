import { ChainruleError } from '../errors.js';
import { type ArrayLike1D, type ArrayLike2D, sameLength, toLabels, toPredictions } from './input.js';

/**
 * Fraction of examples whose predicted class equals the true class. `yPred` may be labels or
 * [N, C] scores (argmax is taken).
 * @example metrics.accuracy([0, 1, 1, 0], [0, 1, 0, 0]) // 0.75
 */
export function accuracy(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D): number {
  const t = toLabels(yTrue, 'accuracy', 'yTrue');
  const p = toPredictions(yPred, 'accuracy');
  sameLength(t, p, 'accuracy');
  let ok = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) ok++;
  return ok / t.length;
}

/**
 * Counts of (true class, predicted class) pairs: entry [i][j] is the number of examples of class
 * i predicted as j. Classes are 0..numClasses-1 (default: the largest label seen + 1).
 * @example metrics.confusionMatrix([0, 1, 1, 2], [0, 2, 1, 2]) // [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
 */
export function confusionMatrix(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts: { numClasses?: number } = {}): number[][] {
  const op = 'confusionMatrix';
  const t = toLabels(yTrue, op, 'yTrue');
  const p = toPredictions(yPred, op);
  sameLength(t, p, op);
  const k = opts.numClasses ?? Math.max(...t, ...p) + 1;
  if (!Number.isInteger(k) || k <= 0) throw new ChainruleError(`${op}: numClasses must be a positive integer, got ${k}`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) {
    if (t[i] >= k || p[i] >= k) throw new ChainruleError(`${op}: label ${Math.max(t[i], p[i])} at position ${i} is >= numClasses ${k}`);
    m[t[i]][p[i]]++;
  }
  return m;
}

/** How precisionRecallF1 combines the classes: per class ('none'), or one macro, micro, weighted or binary number. */
export type Average = 'none' | 'macro' | 'micro' | 'weighted' | 'binary';

/** The options of precisionRecallF1, precision, recall and f1Score (sklearn's names, camelCased). */
export interface PRFOptions {
  /** 'none' (per class, the default), 'macro', 'micro', 'weighted', or 'binary' (class `posLabel` only) */
  average?: Average;
  /** the number of classes (default: the largest label seen + 1) */
  numClasses?: number;
  /** the positive class for average 'binary' (default 1) */
  posLabel?: number;
  /** value used where a ratio is 0/0 (default 0, as sklearn) */
  zeroDivision?: number;
}

/** Precision, recall, F1 and support: numbers per class (average 'none') or one number each. */
export interface PRFResult<T> {
  /** true positives / predicted positives (0 where nothing is predicted), like sklearn's `precision_score` */
  precision: T;
  /** true positives / actual positives (0 where the class never occurs), like sklearn's `recall_score` */
  recall: T;
  /** harmonic mean of precision and recall, 2PR / (P + R) (0 where both are 0) */
  f1: T;
  /** number of true examples of each class (or in total for averages) */
  support: T;
}

/**
 * Precision, recall and F1 per class, or averaged: macro (unweighted mean over classes),
 * weighted (by support), micro (from the pooled counts; equals accuracy for single-label data)
 * or binary (the positive class).
 * @example
 * const r = metrics.precisionRecallF1([0, 1, 1, 1], [0, 1, 0, 1], { average: 'binary' });
 * r.precision // 1
 * r.recall // 0.6666667
 * r.f1 // 0.8
 * r.support // 3
 * metrics.precisionRecallF1([0, 1, 1, 1], [0, 1, 0, 1]).recall // [1, 0.6666667]
 */
export function precisionRecallF1(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts: PRFOptions & { average: 'macro' | 'micro' | 'weighted' | 'binary' }): PRFResult<number>;
export function precisionRecallF1(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts?: PRFOptions & { average?: 'none' }): PRFResult<number[]>;
export function precisionRecallF1(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts: PRFOptions = {}): PRFResult<number> | PRFResult<number[]> {
  const average = opts.average ?? 'none';
  const zd = opts.zeroDivision ?? 0;
  const m = confusionMatrix(yTrue, yPred, { numClasses: opts.numClasses });
  const k = m.length;
  const tp = m.map((r, i) => r[i]);
  const predicted = Array.from({ length: k }, (_, j) => m.reduce((a, r) => a + r[j], 0));
  const support = m.map((r) => r.reduce((a, b) => a + b, 0));
  const ratio = (a: number, b: number) => (b === 0 ? zd : a / b);
  const f1Of = (p: number, r: number, tpc: number, pred: number, sup: number) => (pred + sup === 0 ? zd : p + r === 0 ? 0 : (2 * tpc) / (pred + sup));
  const precision = tp.map((v, i) => ratio(v, predicted[i]));
  const recall = tp.map((v, i) => ratio(v, support[i]));
  const f1 = precision.map((p, i) => f1Of(p, recall[i], tp[i], predicted[i], support[i]));
  switch (average) {
    case 'none':
      return { precision, recall, f1, support };
    case 'binary': {
      const c = opts.posLabel ?? 1;
      if (c >= k) throw new ChainruleError(`precisionRecallF1: posLabel ${c} is not among the ${k} classes`);
      return { precision: precision[c], recall: recall[c], f1: f1[c], support: support[c] };
    }
    case 'micro': {
      const T = tp.reduce((a, b) => a + b, 0);
      const P = predicted.reduce((a, b) => a + b, 0);
      const S = support.reduce((a, b) => a + b, 0);
      const p = ratio(T, P);
      const r = ratio(T, S);
      return { precision: p, recall: r, f1: f1Of(p, r, T, P, S), support: S };
    }
    case 'macro': {
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / k;
      return { precision: mean(precision), recall: mean(recall), f1: mean(f1), support: support.reduce((a, b) => a + b, 0) };
    }
    case 'weighted': {
      const S = support.reduce((a, b) => a + b, 0);
      const w = (v: number[]) => (S === 0 ? zd : v.reduce((a, x, i) => a + x * support[i], 0) / S);
      return { precision: w(precision), recall: w(recall), f1: w(f1), support: S };
    }
    default:
      throw new ChainruleError(`precisionRecallF1: average must be none, macro, micro, weighted or binary, got ${JSON.stringify(average)}`);
  }
}

/** Precision (see precisionRecallF1). @example metrics.precision([1, 1, 0], [1, 0, 0], { average: 'binary' }) // 1 */
export function precision(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts: PRFOptions & { average: 'macro' | 'micro' | 'weighted' | 'binary' }): number {
  return precisionRecallF1(yTrue, yPred, opts).precision;
}

/** Recall (see precisionRecallF1). @example metrics.recall([1, 1, 0], [1, 0, 0], { average: 'binary' }) // 0.5 */
export function recall(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts: PRFOptions & { average: 'macro' | 'micro' | 'weighted' | 'binary' }): number {
  return precisionRecallF1(yTrue, yPred, opts).recall;
}

/** F1 score (see precisionRecallF1). @example metrics.f1Score([1, 1, 0], [1, 0, 0], { average: 'binary' }) // 0.6666667 */
export function f1Score(yTrue: ArrayLike1D, yPred: ArrayLike1D | ArrayLike2D, opts: PRFOptions & { average: 'macro' | 'micro' | 'weighted' | 'binary' }): number {
  return precisionRecallF1(yTrue, yPred, opts).f1;
}
