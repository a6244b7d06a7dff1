import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputRows, learnXor, predict, thresholdNetwork, truthTableOf } from '../examples/learners/truth-table.js';

test('the two-level threshold network computes XOR with two AND units and one OR', () => {
  const net = thresholdNetwork([false, true, true, false]);
  assert.deepEqual(truthTableOf(net, 2), [false, true, true, false]);
  assert.match(net.toString(), /Linear\(inFeatures=2, outFeatures=2/);
});

test('every Boolean function of 3 inputs is computed exactly (all 256 truth tables)', () => {
  for (let f = 0; f < 256; f++) {
    const table = Array.from({ length: 8 }, (_, r) => ((f >> r) & 1) === 1);
    assert.deepEqual(truthTableOf(thresholdNetwork(table), 3), table, `function ${f}`);
  }
  assert.deepEqual(inputRows(2), [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ]);
  assert.throws(() => thresholdNetwork([true, false, true]), /2\^n rows/);
});

test('a 2-2-1 sigmoid MLP learns XOR with backprop', () => {
  const { model, losses } = learnXor();
  const out = predict(model, inputRows(2));
  assert.ok(out[0] < 0.1 && out[1] > 0.9 && out[2] > 0.9 && out[3] < 0.1, `outputs ${out}`);
  assert.ok(losses[losses.length - 1] < 0.02 && losses[0] > 0.6);
});
