import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitClassifier } from '../examples/learners/classification.js';

test('tanh hidden + sigmoid output: MSE, then BCE; and ReLU hidden with BCE, all learn the rings', () => {
  const runs = [fitClassifier('tanh', 'mse'), fitClassifier('tanh', 'bce'), fitClassifier('relu', 'bce')];
  for (const r of runs) {
    assert.ok(r.trainAccuracy >= 0.95, `${r.hidden}+${r.loss} train ${r.trainAccuracy}`);
    assert.ok(r.testAccuracy >= 0.9, `${r.hidden}+${r.loss} test ${r.testAccuracy}`);
    assert.ok(r.losses[r.losses.length - 1] < r.losses[0] / 5);
  }
});

test('an untrained network is at chance', () => {
  const r = fitClassifier('tanh', 'bce', { epochs: 0 });
  assert.ok(r.testAccuracy < 0.6, `untrained accuracy ${r.testAccuracy}`);
});
