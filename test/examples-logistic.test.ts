import assert from 'node:assert/strict';
import { test } from 'node:test';
import { optim } from 'chainrule';
import { accuracy, blobs, lossOf, sigmoidUnit, train, weightsOf } from '../examples/learners/logistic-vs-perceptron.js';

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

test('one SGD step of each loss is the textbook update rule', () => {
  const { x, t } = blobs(10, 3);
  const xi = [x.data[0], x.data[1]];
  const ti = t.data[0];
  for (const criterion of ['squaredError', 'crossEntropy'] as const) {
    const unit = sigmoidUnit();
    const [w1, w2, b] = weightsOf(unit);
    const o = sigma(w1 * xi[0] + w2 * xi[1] + b);
    const opt = new optim.SGD(unit.parameters(), { lr: 0.1 });
    lossOf(criterion, unit.forward(x.index([0, 1])), t.index([0, 1])).backward();
    opt.step();
    // perceptron: w ← w + η·o(1-o)(t-o)·x ; logistic regression: w ← w + η·(t-o)·x
    const delta = criterion === 'squaredError' ? o * (1 - o) * (ti - o) : ti - o;
    const want = [w1 + 0.1 * delta * xi[0], w2 + 0.1 * delta * xi[1], b + 0.1 * delta];
    weightsOf(unit).forEach((v, i) => {
      assert.ok(Math.abs(v - want[i]) < 1e-12, `${criterion} weight ${i}: ${v} vs ${want[i]}`);
    });
  }
});

test('same data, same initial weights, same optimizer: different weights after training', () => {
  const { x, t } = blobs(100, 3);
  const a = train('squaredError', x, t);
  const b = train('crossEntropy', x, t);
  const wa = weightsOf(a);
  const wb = weightsOf(b);
  assert.deepEqual(weightsOf(sigmoidUnit()), [0.1, -0.2, 0.05]);
  assert.ok(Math.max(...wa.map((v, i) => Math.abs(v - wb[i]))) > 0.2, `${wa} vs ${wb}`);
  // cross-entropy pushes harder on confident mistakes: larger weights here
  assert.ok(Math.hypot(wb[0], wb[1]) > Math.hypot(wa[0], wa[1]));
  assert.ok(accuracy(a, x, t) > 0.85 && accuracy(b, x, t) > 0.85);
});
