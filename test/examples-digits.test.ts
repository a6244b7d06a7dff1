import assert from 'node:assert/strict';
import { test } from 'node:test';
import { digitsModel, loadDigits, trainDigits } from '../examples/digits/digits.js';

test('the digits data: 1,797 8x8 images in [0, 1] and every digit about equally often', () => {
  const { images, labels } = loadDigits();
  assert.deepEqual([...images.shape], [1797, 1, 8, 8]);
  assert.equal(images.max().item(), 1);
  assert.equal(images.min().item(), 0);
  const counts = new Array(10).fill(0);
  for (const l of labels.data) counts[l]++;
  // scikit-learn's load_digits: 178 zeros, 182 ones, ... (174 to 183 of each)
  assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
});

test('the CNN reaches at least 97% test accuracy on seed 0, and an untrained one is near chance', () => {
  const r = trainDigits({ seed: 0 });
  assert.equal(r.trainSize + r.testSize, 1797);
  assert.ok(r.testAccuracy >= 0.97, `test accuracy ${r.testAccuracy}`);
  assert.ok(r.losses[r.losses.length - 1] < r.losses[0] / 10, `losses ${r.losses.join(' ')}`);
  const untrained = trainDigits({ seed: 0, epochs: 0 });
  assert.ok(untrained.testAccuracy < 0.3, `untrained accuracy ${untrained.testAccuracy}`);
});

test('the model: two conv blocks and a Linear, 6,090 parameters', () => {
  const m = digitsModel();
  const n = m.parameters().reduce((s, p) => s + p.size, 0);
  assert.equal(n, 16 * 9 + 16 + 32 * 16 * 9 + 32 + 128 * 10 + 10);
  assert.equal(n, 6090);
});
