/** Classification metrics on plain arrays or tensors: accuracy, precision/recall/F1, confusion matrix, ROC and PR curves, log loss. */
export { accuracy, confusionMatrix, precisionRecallF1, precision, recall, f1Score, type Average, type PRFOptions, type PRFResult } from './classification.js';
export { rocCurve, rocAuc, rocAucOvr, precisionRecallCurve, averagePrecision, prAuc, auc, type RocCurve, type PrecisionRecallCurve } from './curves.js';
export { logLoss } from './logloss.js';
export { classificationReport } from './report.js';
export type { ArrayLike1D, ArrayLike2D } from './input.js';
