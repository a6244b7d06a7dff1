import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tensor } from 'chainrule';
import { circle, separable, xor } from '../examples/learners/data.js';
import { Perceptron, distanceFromCentre, errors, trainPerceptron } from '../examples/learners/perceptron.js';

test('the perceptron rule converges on linearly separable data', () => {
  const d = separable(60, 1);
  const p = new Perceptron(2);
  const run = trainPerceptron(p, d.x, d.sign);
  assert.ok(run.converged, `mistakes per epoch ${run.mistakesPerEpoch}`);
  assert.equal(errors(p, d.x, d.sign), 0);
  // and on fresh points from the same separable distribution it is nearly perfect
  const fresh = separable(200, 99);
  assert.ok(errors(p, fresh.x, fresh.sign) <= 10);
});

test('one step of the rule is w <- w + lr·(t - y)·x', () => {
  const p = new Perceptron(2);
  // zero weights give y = sign(0) = +1; a -1 example is a mistake
  trainPerceptron(p, tensor([[2, -1]], { dtype: 'float64' }), tensor([[-1]], { dtype: 'float64' }), { lr: 0.1, maxEpochs: 1 });
  assert.deepEqual(Array.from(p.linear.weight.data), [0.1 * -2 * 2, 0.1 * -2 * -1]);
  assert.deepEqual(Array.from(p.linear.bias!.data), [-0.2]);
});

test('the perceptron cannot separate XOR: every epoch has mistakes, at least one point stays wrong', () => {
  const d = xor();
  const run = trainPerceptron(new Perceptron(2), d.x, d.sign, { maxEpochs: 100 });
  assert.equal(run.converged, false);
  assert.ok(run.mistakesPerEpoch.every((m) => m > 0));
  assert.ok(run.bestErrors >= 1);
});

test('nor the inside and outside of a circle, until each point is mapped to its distance from the centre', () => {
  const d = circle(120, 2);
  const run = trainPerceptron(new Perceptron(2), d.x, d.sign, { maxEpochs: 60 });
  assert.equal(run.converged, false);
  assert.ok(run.bestErrors >= 5, `best ${run.bestErrors}`);
  const r = distanceFromCentre(d.x, [0.5, -0.5]);
  const p = new Perceptron(1);
  const mapped = trainPerceptron(p, r, d.sign, { maxEpochs: 300 });
  assert.ok(mapped.converged);
  assert.equal(errors(p, r, d.sign), 0);
  // the learned threshold -b/w lies in the gap around the radius 1
  const threshold = -p.linear.bias!.data[0] / p.linear.weight.data[0];
  assert.ok(threshold > 0.85 && threshold < 1.15, `threshold ${threshold}`);
});
