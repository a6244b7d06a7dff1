import { ChainruleError } from '../errors.js';
import { Generator } from '../tensor/random.js';

import { confusionMatrix, precisionRecallF1 } from '../metrics/classification.js';
import { averagePrecision, precisionRecallCurve, rocAuc } from '../metrics/curves.js';

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** One class's scores in a SplitMetrics. @example text.classificationMetrics([0, 1, 1], [0, 1, 0], ['a', 'b']).perClass.a.precision // 0.5 */
export interface ClassMetrics {
  /** of the texts predicted as this class, the share that are (0 when none is predicted) */
  precision: number;
  /** of the texts of this class, the share predicted as it */
  recall: number;
  /** harmonic mean of precision and recall (0 when both are 0) */
  f1: number;
  /** number of texts of this class */
  support: number;
}

/** The metrics of one split, as written to metrics.json. @example text.classificationMetrics([0, 1, 1], [0, 1, 0], ['a', 'b']).confusion.matrix // [[1, 0], [1, 1]] */
export interface SplitMetrics {
  /** share of correct predictions */
  accuracy: number;
  /** unweighted mean of the per-class F1 */
  macroF1: number;
  /** F1 of the pooled counts */
  microF1: number;
  /** precision, recall, F1 and support by label */
  perClass: Record<string, ClassMetrics>;
  /** rows: true class, columns: predicted */
  confusion: {
    /** the class names, the order of the matrix's rows and columns */
    labels: string[];
    /** counts `[true class][predicted class]` */
    matrix: number[][];
  };
}

/**
 * Accuracy, per-class precision/recall/F1/support, macro-F1 (unweighted mean of the per-class
 * F1) and micro-F1 (pooled counts; equals accuracy for single-label data), and the confusion
 * matrix (rows: true class, columns: predicted), computed with the library's metrics module. A
 * class never predicted has precision 0, as scikit-learn's zero_division=0.
 * @example text.classificationMetrics([0, 1, 1], [0, 1, 0], ['a', 'b']).macroF1 // 0.6666666666666666
 */
export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, labels: readonly string[]): SplitMetrics {
  const C = labels.length;
  const t = Array.from(yTrue);
  const p = Array.from(yPred);
  if (t.length !== p.length) throw new ChainruleError(`classificationMetrics: ${t.length} true labels but ${p.length} predictions`);
  const matrix = t.length ? confusionMatrix(t, p, { numClasses: C }) : labels.map(() => labels.map(() => 0));
  const per = t.length ? precisionRecallF1(t, p, { numClasses: C }) : null;
  const perClass: Record<string, ClassMetrics> = {};
  let correct = 0;
  labels.forEach((l, c) => {
    perClass[l] = per
      ? { precision: per.precision[c], recall: per.recall[c], f1: per.f1[c], support: per.support[c] }
      : { precision: 0, recall: 0, f1: 0, support: 0 };
    correct += matrix[c][c];
  });
  const accuracy = t.length ? correct / t.length : 0;
  const macro = per ? per.f1.reduce((a, b) => a + b, 0) / C : 0;
  const micro = t.length ? precisionRecallF1(t, p, { numClasses: C, average: 'micro' }).f1 : 0;
  return { accuracy, macroF1: macro, microF1: micro, perClass, confusion: { labels: [...labels], matrix } };
}

/**
 * Macro-F1 alone, from labels and predictions, optionally over a resample `idx` of the examples
 * (the fast path for the bootstrap and early stopping).
 * @example macroF1([0, 1, 1], [0, 1, 0], 2) // 0.6666...
 */
export function macroF1(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classes: number, idx?: ArrayLike<number>): number {
  const tp = new Float64Array(classes);
  const pred = new Float64Array(classes);
  const sup = new Float64Array(classes);
  const n = idx ? idx.length : yTrue.length;
  for (let j = 0; j < n; j++) {
    const i = idx ? idx[j] : j;
    const t = yTrue[i];
    const p = yPred[i];
    sup[t]++;
    pred[p]++;
    if (t === p) tp[t]++;
  }
  let s = 0;
  for (let c = 0; c < classes; c++) {
    const pr = ratio(tp[c], pred[c]);
    const rc = ratio(tp[c], sup[c]);
    s += ratio(2 * pr * rc, pr + rc);
  }
  return s / classes;
}

/** A precision-recall curve with its areas. @example text.prCurve([0.9, 0.8, 0.3], [true, false, true]).recall // [0, 0.5, 0.5, 1] */
export interface PrCurve {
  /** precision at each threshold, from the highest threshold down; the first point is (recall 0, precision 1) */
  precision: number[];
  /** recall at the same thresholds, rising from 0 to 1 */
  recall: number[];
  /** area under the PR curve as average precision: sum over thresholds of (R_k - R_{k-1}) * P_k */
  averagePrecision: number;
  /** area under the ROC curve */
  rocAuc: number;
}

/**
 * Precision-recall curve of the scores of a positive class, with its area (average precision)
 * and the ROC AUC, from the library's metrics module.
 * @example text.prCurve([0.9, 0.8, 0.3], [true, false, true]).averagePrecision // 0.8333...
 */
export function prCurve(scores: ArrayLike<number>, positive: ArrayLike<boolean>): PrCurve {
  const y = Array.from(positive, (b) => (b ? 1 : 0));
  const s = Array.from(scores);
  const { precision, recall } = precisionRecallCurve(y, s);
  const hasBoth = y.some((v) => v === 1) && y.some((v) => v === 0);
  return { precision, recall, averagePrecision: averagePrecision(y, s), rocAuc: hasBoth ? rocAuc(y, s) : Number.NaN };
}

/**
 * What pairedBootstrap reports: the observed difference, its 95% interval and the p-value.
 * @example text.pairedBootstrap([0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 0], 2, { resamples: 200, seed: 1 }).ci // [0, 0.8]
 */
export interface BootstrapResult {
  /** macro-F1(A) - macro-F1(B) on the full test set */
  delta: number;
  /** 95% percentile interval of the resampled differences */
  ci: [number, number];
  /**
   * two-sided p-value: share of resamples whose difference lies at least |delta| away from the
   * observed one (the bootstrap distribution shifted to mean zero, as in Berg-Kirkpatrick et al., 2012)
   */
  p: number;
  /** number of resamples drawn */
  resamples: number;
}

/**
 * Paired bootstrap test of two systems' macro-F1 on the same examples: resample the examples with
 * replacement (drawn from a Generator seeded with `seed`, so a seed gives the same result), recompute
 * both scores on each resample, and compare.
 * @example text.pairedBootstrap([0, 1, 1, 0], [0, 1, 1, 0], [0, 1, 0, 0], 2, { resamples: 200, seed: 1 }).delta // 0.2666666666666666
 */
export function pairedBootstrap(
  yTrue: ArrayLike<number>,
  predA: ArrayLike<number>,
  predB: ArrayLike<number>,
  classes: number,
  opts: { resamples?: number; seed?: number } = {},
): BootstrapResult {
  const R = opts.resamples ?? 1000;
  const rng = new Generator(opts.seed ?? 1);
  const n = yTrue.length;
  const delta = macroF1(yTrue, predA, classes) - macroF1(yTrue, predB, classes);
  const deltas = new Float64Array(R);
  const idx = new Int32Array(n);
  let extreme = 0;
  for (let r = 0; r < R; r++) {
    for (let i = 0; i < n; i++) idx[i] = rng.int(0, n);
    const d = macroF1(yTrue, predA, classes, idx) - macroF1(yTrue, predB, classes, idx);
    deltas[r] = d;
    if (Math.abs(d - delta) >= Math.abs(delta)) extreme++;
  }
  deltas.sort();
  return { delta, ci: [deltas[Math.floor(0.025 * (R - 1))], deltas[Math.ceil(0.975 * (R - 1))]], p: (extreme + 1) / (R + 1), resamples: R };
}
