import { ChainruleError } from '../errors.js';
import { accuracy, precisionRecallF1 } from './classification.js';
import type { ArrayLike1D, ArrayLike2D } from './input.js';

/**
 * A text table of precision, recall, F1 and support per class, then accuracy and the macro and
 * weighted averages, laid out like sklearn's classification_report.
 * @example console.log(metrics.classificationReport(yTrue, yPred, { names: ['cat', 'dog'] }));
 */
export function classificationReport(
  yTrue: ArrayLike1D,
  yPred: ArrayLike1D | ArrayLike2D,
  opts: { names?: readonly string[]; numClasses?: number; digits?: number } = {},
): string {
  const digits = opts.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 10) throw new ChainruleError(`classificationReport: digits must be an integer in [0, 10], got ${digits}`);
  const numClasses = opts.numClasses ?? opts.names?.length;
  const per = precisionRecallF1(yTrue, yPred, { numClasses });
  const k = per.precision.length;
  if (opts.names && opts.names.length !== k) throw new ChainruleError(`classificationReport: ${opts.names.length} names for ${k} classes`);
  const names = opts.names ?? Array.from({ length: k }, (_, i) => String(i));
  const macro = precisionRecallF1(yTrue, yPred, { numClasses: k, average: 'macro' });
  const weighted = precisionRecallF1(yTrue, yPred, { numClasses: k, average: 'weighted' });
  const acc = accuracy(yTrue, yPred);
  const width = Math.max(12, ...names.map((n) => n.length));
  const col = (v: number) => v.toFixed(digits).padStart(10);
  const sup = (v: number) => String(v).padStart(10);
  const lines = [`${''.padStart(width)}${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1-score'.padStart(10)}${'support'.padStart(10)}`, ''];
  names.forEach((n, i) => {
    lines.push(`${n.padStart(width)}${col(per.precision[i])}${col(per.recall[i])}${col(per.f1[i])}${sup(per.support[i])}`);
  });
  lines.push('');
  lines.push(`${'accuracy'.padStart(width)}${''.padStart(20)}${col(acc)}${sup(macro.support)}`);
  lines.push(`${'macro avg'.padStart(width)}${col(macro.precision)}${col(macro.recall)}${col(macro.f1)}${sup(macro.support)}`);
  lines.push(`${'weighted avg'.padStart(width)}${col(weighted.precision)}${col(weighted.recall)}${col(weighted.f1)}${sup(weighted.support)}`);
  return `${lines.join('\n')}\n`;
}
