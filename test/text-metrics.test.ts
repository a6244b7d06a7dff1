import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classificationMetrics, pairedBootstrap, prCurve } from '../src/text/metrics.js';
import { maskedMaxOverTime, maskedMeanOverTime } from '../src/text/layers.js';
import { tensor } from 'chainrule';

describe('text metrics', () => {
  it('per-class, macro and micro scores match a hand computation', () => {
    // true:  a a a b b c ; pred: a a b b c c
    const m = classificationMetrics([0, 0, 0, 1, 1, 2], [0, 0, 1, 1, 2, 2], ['a', 'b', 'c']);
    // a: P 2/2, R 2/3, F1 0.8; b: P 1/2, R 1/2, F1 0.5; c: P 1/2, R 1/1, F1 2/3
    assert.deepEqual(m.confusion, { labels: ['a', 'b', 'c'], matrix: [[2, 1, 0], [0, 1, 1], [0, 0, 1]] });
    assert.ok(Math.abs(m.perClass.a.f1 - 0.8) < 1e-12);
    assert.ok(Math.abs(m.perClass.b.precision - 0.5) < 1e-12);
    assert.ok(Math.abs(m.perClass.c.f1 - 2 / 3) < 1e-12);
    assert.equal(m.perClass.a.support, 3);
    assert.ok(Math.abs(m.macroF1 - (0.8 + 0.5 + 2 / 3) / 3) < 1e-12);
    assert.ok(Math.abs(m.accuracy - 4 / 6) < 1e-12);
    assert.ok(Math.abs(m.microF1 - 4 / 6) < 1e-12);
  });
  it('PR curve area (average precision) by hand', () => {
    // ranked: pos (P 1, R 1/2), neg, pos (P 2/3, R 1): AP = 1/2 * 1 + 1/2 * 2/3
    const pr = prCurve([0.9, 0.8, 0.3], [true, false, true]);
    assert.ok(Math.abs(pr.averagePrecision - (0.5 + 1 / 3)) < 1e-12);
    assert.ok(Math.abs(pr.rocAuc - 0.5) < 1e-12);
  });
  it('paired bootstrap: identical systems give delta 0 and p = 1; a clearly better one a small p', () => {
    const y = Array.from({ length: 200 }, (_, i) => i % 2);
    const same = pairedBootstrap(y, y, y, 2, { resamples: 200, seed: 3 });
    assert.equal(same.delta, 0);
    assert.equal(same.p, 1);
    // 50 of the 100 class-0 examples predicted 1: F1(0) = 2/3 (P 1, R 1/2), F1(1) = 0.8 (P 2/3, R 1)
    const worse = y.map((v, i) => (i % 4 === 0 ? 1 - v : v));
    const r = pairedBootstrap(y, y, worse, 2, { resamples: 500, seed: 3 });
    assert.ok(Math.abs(r.delta - (1 - (2 / 3 + 0.8) / 2)) < 1e-12, `delta ${r.delta}`);
    assert.ok(r.p < 0.01 && r.ci[0] > 0);
  });
  it('masked pooling over time ignores padding', () => {
    const x = tensor([[[1, 9], [5, -1], [100, 100]]]);
    const mask = new Float32Array([1, 1, 0]);
    assert.deepEqual(maskedMaxOverTime(x, mask).toArray(), [[5, 9]]);
    assert.deepEqual(maskedMeanOverTime(x, mask).toArray(), [[3, 4]]);
  });
});
