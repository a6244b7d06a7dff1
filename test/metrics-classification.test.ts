import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChainruleError, metrics, tensor } from 'chainrule';

const fx = JSON.parse(readFileSync(new URL('./fixtures/metrics.json', import.meta.url), 'utf8'));
const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const closeAll = (a: number[], b: number[], tol = 1e-12) => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => {
    close(v, b[i], tol);
  });
};

describe('classification metrics, by hand', () => {
  // 3 classes; true 0 0 1 1 1 2, predicted 0 1 1 1 2 2
  const yTrue = [0, 0, 1, 1, 1, 2];
  const yPred = [0, 1, 1, 1, 2, 2];
  it('accuracy and the confusion matrix', () => {
    assert.equal(metrics.accuracy(yTrue, yPred), 4 / 6);
    assert.deepEqual(metrics.confusionMatrix(yTrue, yPred), [
      [1, 1, 0],
      [0, 2, 1],
      [0, 0, 1],
    ]);
    assert.deepEqual(metrics.confusionMatrix([0, 1], [1, 1], { numClasses: 3 }), [
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });
  it('per-class and averaged precision / recall / F1', () => {
    // class 0: tp 1, predicted 1, support 2 -> P 1, R 1/2, F1 2/3
    // class 1: tp 2, predicted 3, support 3 -> P 2/3, R 2/3, F1 2/3
    // class 2: tp 1, predicted 2, support 1 -> P 1/2, R 1, F1 2/3
    const r = metrics.precisionRecallF1(yTrue, yPred);
    closeAll(r.precision, [1, 2 / 3, 1 / 2]);
    closeAll(r.recall, [1 / 2, 2 / 3, 1]);
    closeAll(r.f1, [2 / 3, 2 / 3, 2 / 3]);
    assert.deepEqual(r.support, [2, 3, 1]);
    const macro = metrics.precisionRecallF1(yTrue, yPred, { average: 'macro' });
    close(macro.precision, (1 + 2 / 3 + 1 / 2) / 3);
    close(macro.recall, (1 / 2 + 2 / 3 + 1) / 3);
    const weighted = metrics.precisionRecallF1(yTrue, yPred, { average: 'weighted' });
    close(weighted.precision, (2 * 1 + 3 * (2 / 3) + 1 * (1 / 2)) / 6);
    const micro = metrics.precisionRecallF1(yTrue, yPred, { average: 'micro' });
    close(micro.precision, 4 / 6);
    close(micro.f1, 4 / 6);
    close(metrics.f1Score([1, 1, 1, 0], [1, 0, 1, 1], { average: 'binary' }), 2 / 3);
    close(metrics.precision([1, 1, 1, 0], [1, 0, 1, 1], { average: 'binary' }), 2 / 3);
    close(metrics.recall([1, 1, 1, 0], [1, 0, 1, 1], { average: 'binary' }), 2 / 3);
  });
  it('classificationReport lays the numbers out like sklearn', () => {
    const text = metrics.classificationReport(yTrue, yPred, { names: ['cat', 'dog', 'bird'] });
    assert.equal(
      text,
      [
        '             precision    recall  f1-score   support',
        '',
        '         cat      1.00      0.50      0.67         2',
        '         dog      0.67      0.67      0.67         3',
        '        bird      0.50      1.00      0.67         1',
        '',
        '    accuracy                          0.67         6',
        '   macro avg      0.72      0.72      0.67         6',
        'weighted avg      0.75      0.67      0.67         6',
        '',
      ].join('\n'),
    );
  });
  it('accepts tensors, booleans and [N, C] scores (argmax)', () => {
    const scores = tensor([
      [0.9, 0.1, 0],
      [0.2, 0.7, 0.1],
      [0.1, 0.2, 0.7],
    ]);
    assert.equal(metrics.accuracy(tensor([0, 1, 1], { dtype: 'int32' }), scores), 2 / 3);
    assert.equal(metrics.accuracy([true, false], [1, 0]), 1);
  });
  it('rejects bad input with clear errors', () => {
    assert.throws(() => metrics.accuracy([0, 1], [0]), /accuracy: yTrue has 2 entries but yPred has 1/);
    assert.throws(() => metrics.accuracy([0, 1.5], [0, 1]), /accuracy: yTrue must be class ids \(integers >= 0\); yTrue\[1\] is 1.5/);
    assert.throws(() => metrics.confusionMatrix([0, 3], [0, 1], { numClasses: 2 }), /label 3 at position 1 is >= numClasses 2/);
    assert.throws(() => metrics.precisionRecallF1([0], [0], { average: 'mean' as 'macro' }), ChainruleError);
  });
});

describe('classification metrics against numpy references (60 examples, 4 classes, one never predicted)', () => {
  const m = fx.multiclass;
  it('confusion matrix, accuracy, per-class and averaged scores', () => {
    assert.deepEqual(metrics.confusionMatrix(m.yTrue, m.yPred, { numClasses: 4 }), m.confusion);
    close(metrics.accuracy(m.yTrue, m.yPred), m.accuracy);
    const r = metrics.precisionRecallF1(m.yTrue, m.yPred, { numClasses: 4 });
    closeAll(r.precision, m.perClass.precision);
    closeAll(r.recall, m.perClass.recall);
    closeAll(r.f1, m.perClass.f1);
    for (const avg of ['macro', 'weighted', 'micro'] as const) {
      const a = metrics.precisionRecallF1(m.yTrue, m.yPred, { numClasses: 4, average: avg });
      close(a.precision, m[avg].precision);
      close(a.recall, m[avg].recall);
      close(a.f1, m[avg].f1);
    }
  });
});

describe('ROC and precision-recall curves', () => {
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];
  it('the textbook 4-point example, by hand', () => {
    const roc = metrics.rocCurve(y, s);
    assert.deepEqual(roc.fpr, [0, 0, 0.5, 0.5, 1]);
    assert.deepEqual(roc.tpr, [0, 0.5, 0.5, 1, 1]);
    assert.deepEqual(roc.thresholds, [Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    assert.equal(metrics.rocAuc(y, s), 0.75);
    const pr = metrics.precisionRecallCurve(y, s);
    closeAll(pr.precision, [1, 1, 0.5, 2 / 3, 0.5]);
    assert.deepEqual(pr.recall, [0, 0.5, 0.5, 1, 1]);
    close(metrics.averagePrecision(y, s), 0.5 + 0.5 * (2 / 3));
    // trapezoids: 0.5*(1+1)/2 + 0 + 0.5*(0.5+2/3)/2 + 0
    close(metrics.prAuc(y, s), 0.5 + 0.25 * (0.5 + 2 / 3));
  });
  it('ties share one threshold; a perfect ranking has AUC 1, a reversed one 0', () => {
    assert.deepEqual(metrics.rocCurve([0, 1, 1], [0.5, 0.5, 0.9]).fpr, [0, 0, 1]);
    assert.equal(metrics.rocAuc([0, 1], [0.5, 0.5]), 0.5);
    assert.equal(metrics.rocAuc([0, 0, 1], [0.1, 0.2, 0.3]), 1);
    assert.equal(metrics.rocAuc([1, 0, 0], [0.1, 0.2, 0.3]), 0);
  });
  it('match independent numpy references on 50 tied scores', () => {
    const b = fx.binary;
    close(metrics.rocAuc(b.yTrue, b.scores), b.rocAuc);
    close(metrics.averagePrecision(b.yTrue, b.scores), b.averagePrecision);
    close(metrics.prAuc(b.yTrue, b.scores), b.prAuc);
    const pr = metrics.precisionRecallCurve(tensor(b.yTrue, { dtype: 'int32' }), tensor(b.scores, { dtype: 'float64' }));
    closeAll(pr.precision, b.prPrecision);
    closeAll(pr.recall, b.prRecall);
  });
  it('one-vs-rest multi-class AUC averages the per-class AUCs', () => {
    const y = [0, 1, 2, 2];
    const s = [
      [0.8, 0.1, 0.1],
      [0.2, 0.6, 0.2],
      [0.1, 0.2, 0.7],
      [0.3, 0.3, 0.4],
    ];
    assert.equal(metrics.rocAucOvr(y, s), 1);
    // with s2: class 0 column [0.8, 0.2, 0.1, 0.3] has AUC 1; class 1 column [0.1, 0.6, 0.2, 0.3] has AUC 1;
    // class 2 column [0.1, 0.2, 0.1, 0.4]: positives (rows 2, 3) score 0.1, 0.4; negatives 0.1, 0.2: (0.5 + 0 + 1 + 1) / 4
    const s2 = [s[0], s[1], [0.1, 0.2, 0.1], s[3]];
    close(metrics.rocAucOvr(y, s2), (1 + 1 + 0.625) / 3);
    close(metrics.rocAucOvr(y, s2, { average: 'weighted' }), (1 + 1 + 2 * 0.625) / 4);
    assert.throws(() => metrics.rocAucOvr([0, 0], [[1, 0], [1, 0]]), /class 0 has only examples/);
  });
  it('errors', () => {
    assert.throws(() => metrics.rocCurve([1, 1], [0.2, 0.3]), /need both positive and negative examples \(got 2 positive, 0 negative\)/);
    assert.throws(() => metrics.rocCurve([0, 2], [0.2, 0.3]), /yTrue must be binary \(0\/1\); yTrue\[1\] is 2/);
    assert.throws(() => metrics.auc([0, 1, 0.5], [1, 1, 1]), /neither increasing nor decreasing/);
  });
});

describe('log loss', () => {
  it('by hand', () => {
    close(metrics.logLoss([1, 0], [0.9, 0.2]), -(Math.log(0.9) + Math.log(0.8)) / 2, 1e-15);
    close(metrics.logLoss([2, 0], [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]]), -(Math.log(0.5) + Math.log(0.6)) / 2, 1e-15);
    // clipping keeps a confident mistake finite
    close(metrics.logLoss([1], [0]), -Math.log(1e-15), 1e-9);
  });
  it('matches torch binary_cross_entropy and nll_loss', () => {
    const l = fx.logLoss;
    close(metrics.logLoss(l.binary.yTrue, l.binary.probs), l.binary.value);
    close(metrics.logLoss(l.multiclass.yTrue, tensor(l.multiclass.probs, { dtype: 'float64' })), l.multiclass.value);
  });
  it('errors', () => {
    assert.throws(() => metrics.logLoss([0, 1], [0.5, 1.5]), /probs\[1\] is 1.5, not a probability/);
    assert.throws(() => metrics.logLoss([3], [[0.5, 0.5]]), /yTrue\[0\] is 3 but probs has 2 columns/);
  });
});
