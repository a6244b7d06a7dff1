import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nn } from 'chainrule';
import { fitRegression, mse, regressionModel, wave } from '../examples/learners/regression.js';

test('Linear -> 5·ReLU -> Linear fits sin(x) with the mean squared error', () => {
  const { model, losses, x, y } = fitRegression(0, 600);
  assert.ok(losses[0] > 0.3, `initial ${losses[0]}`);
  assert.ok(losses[losses.length - 1] < 0.01, `final ${losses[losses.length - 1]}`);
  assert.ok(mse(model, x, y) < 0.01);
  // it generalises between the training points
  const fresh = wave(37, 5);
  assert.ok(mse(model, fresh.x, fresh.y) < 0.02);
});

test('the model is Linear, 5·ReLU, Linear', () => {
  const m = regressionModel(8);
  assert.ok(m.at(1) instanceof nn.Scale);
  assert.equal(m.at(1).describe(), '5·ReLU');
  assert.equal(m.numParameters(), (1 + 1) * 8 + (8 + 1) * 1);
});
