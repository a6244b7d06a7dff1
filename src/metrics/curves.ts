import { ChainruleError } from '../errors.js';
import { type ArrayLike1D, type ArrayLike2D, sameLength, toLabels, toNumbers, toRows } from './input.js';

/** Binary labels (0/1 or booleans) and scores, checked and paired. */
function binaryInput(yTrue: ArrayLike1D, scores: ArrayLike1D, op: string): { y: number[]; s: number[]; pos: number; neg: number } {
  const y = toNumbers(yTrue, op, 'yTrue');
  const s = toNumbers(scores, op, 'scores');
  sameLength(y, s, op, 'yTrue', 'scores');
  const bad = y.findIndex((v) => v !== 0 && v !== 1);
  if (bad >= 0) throw new ChainruleError(`${op}: yTrue must be binary (0/1); yTrue[${bad}] is ${y[bad]}`);
  const nonFinite = s.findIndex((v) => !Number.isFinite(v));
  if (nonFinite >= 0) throw new ChainruleError(`${op}: scores[${nonFinite}] is ${s[nonFinite]}`);
  const pos = y.reduce((a, b) => a + b, 0);
  return { y, s, pos, neg: y.length - pos };
}

/**
 * Cumulative true/false positive counts at each distinct score, from the highest score down:
 * predicting positive for score >= threshold.
 */
function cumulativeCounts(y: number[], s: number[]): { tps: number[]; fps: number[]; thresholds: number[] } {
  const order = s.map((_, i) => i).sort((a, b) => s[b] - s[a]);
  const tps: number[] = [];
  const fps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (y[i] === 1) tp++;
    else fp++;
    // emit a point after the last example of each run of equal scores
    if (k === order.length - 1 || s[order[k + 1]] !== s[i]) {
      tps.push(tp);
      fps.push(fp);
      thresholds.push(s[i]);
    }
  }
  return { tps, fps, thresholds };
}

/** Area under a curve given by points (x, y) with the trapezoid rule (x must be monotonic). */
export function auc(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length < 2) throw new ChainruleError(`auc: need at least 2 points with as many x as y, got ${x.length} and ${y.length}`);
  let dir = 0;
  for (let i = 1; i < x.length; i++) {
    const d = Math.sign(x[i] - x[i - 1]);
    if (d !== 0 && dir !== 0 && d !== dir) throw new ChainruleError('auc: x is neither increasing nor decreasing');
    if (d !== 0) dir = d;
  }
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return dir < 0 ? -area : area;
}

export interface RocCurve {
  /** false positive rate at each threshold, from 0 up to 1 */
  fpr: number[];
  /** true positive rate at each threshold */
  tpr: number[];
  /** decreasing; the first is Infinity (nothing predicted positive) */
  thresholds: number[];
}

/**
 * The ROC curve of a binary classifier: for every distinct score as threshold (predict positive
 * when score >= threshold), the false and true positive rates. Every point is kept (sklearn's
 * drop_intermediate=false).
 * @example metrics.rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // fpr [0, 0, 0.5, 0.5, 1], tpr [0, 0.5, 0.5, 1, 1]
 */
export function rocCurve(yTrue: ArrayLike1D, scores: ArrayLike1D): RocCurve {
  const op = 'rocCurve';
  const { y, s, pos, neg } = binaryInput(yTrue, scores, op);
  if (pos === 0 || neg === 0) throw new ChainruleError(`${op}: need both positive and negative examples (got ${pos} positive, ${neg} negative)`);
  const { tps, fps, thresholds } = cumulativeCounts(y, s);
  return {
    fpr: [0, ...fps.map((f) => f / neg)],
    tpr: [0, ...tps.map((t) => t / pos)],
    thresholds: [Number.POSITIVE_INFINITY, ...thresholds],
  };
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative (ties count one half).
 * @example metrics.rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function rocAuc(yTrue: ArrayLike1D, scores: ArrayLike1D): number {
  const { fpr, tpr } = rocCurve(yTrue, scores);
  return auc(fpr, tpr);
}

export interface PrecisionRecallCurve {
  /** precision at each threshold; the first point is (recall 0, precision 1) */
  precision: number[];
  /** recall, increasing from 0 to 1 */
  recall: number[];
  /** decreasing; the first is Infinity (nothing predicted positive) */
  thresholds: number[];
}

/**
 * The precision-recall curve of a binary classifier, from the highest threshold down; it starts at
 * (recall 0, precision 1) as sklearn's does.
 * @example metrics.precisionRecallCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).precision // [1, 1, 0.5, 2/3, 0.5]
 */
export function precisionRecallCurve(yTrue: ArrayLike1D, scores: ArrayLike1D): PrecisionRecallCurve {
  const op = 'precisionRecallCurve';
  const { y, s, pos } = binaryInput(yTrue, scores, op);
  if (pos === 0) throw new ChainruleError(`${op}: need at least one positive example (recall is undefined without)`);
  const { tps, fps, thresholds } = cumulativeCounts(y, s);
  return {
    precision: [1, ...tps.map((t, i) => t / (t + fps[i]))],
    recall: [0, ...tps.map((t) => t / pos)],
    thresholds: [Number.POSITIVE_INFINITY, ...thresholds],
  };
}

/**
 * Average precision: Σ (Rₙ - Rₙ₋₁)·Pₙ over the thresholds (the step-wise area under the PR curve,
 * sklearn's average_precision_score).
 * @example metrics.averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.8333...
 */
export function averagePrecision(yTrue: ArrayLike1D, scores: ArrayLike1D): number {
  const { precision, recall } = precisionRecallCurve(yTrue, scores);
  let ap = 0;
  for (let i = 1; i < recall.length; i++) ap += (recall[i] - recall[i - 1]) * precision[i];
  return ap;
}

/**
 * Area under the precision-recall curve by the trapezoid rule (more optimistic than
 * averagePrecision; both are common).
 * @example metrics.prAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
 */
export function prAuc(yTrue: ArrayLike1D, scores: ArrayLike1D): number {
  const { precision, recall } = precisionRecallCurve(yTrue, scores);
  return auc(recall, precision);
}

/**
 * Multi-class ROC AUC, one-vs-rest: the AUC of each class's scores against all other classes,
 * averaged over classes ('macro', default) or weighted by class support ('weighted').
 * @example metrics.rocAucOvr([0, 1, 2, 2], [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]]) // 1
 */
export function rocAucOvr(yTrue: ArrayLike1D, scores: ArrayLike2D, opts: { average?: 'macro' | 'weighted' } = {}): number {
  const op = 'rocAucOvr';
  const y = toLabels(yTrue, op, 'yTrue');
  const rows = toRows(scores, op, 'scores');
  sameLength(y, rows, op, 'yTrue', 'scores');
  const k = rows[0].length;
  const big = y.findIndex((l) => l >= k);
  if (big >= 0) throw new ChainruleError(`${op}: yTrue[${big}] is ${y[big]} but scores has ${k} columns`);
  let total = 0;
  let weight = 0;
  for (let c = 0; c < k; c++) {
    const bin: number[] = y.map((l) => (l === c ? 1 : 0));
    const support = bin.reduce((a: number, b: number) => a + b, 0);
    if (support === 0 || support === y.length) throw new ChainruleError(`${op}: class ${c} has ${support === 0 ? 'no' : 'only'} examples; one-vs-rest AUC is undefined`);
    const w = opts.average === 'weighted' ? support : 1;
    total += w * rocAuc(bin, rows.map((r) => r[c]));
    weight += w;
  }
  return total / weight;
}
