import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualSeed, nn, noGrad, randn, tensor } from 'chainrule';
import { collapseLinear } from '../examples/learners/collapse-linear.js';

test('a stack of Linear layers equals the single collapsed Linear', () => {
  manualSeed(7);
  const deep = new nn.Sequential(new nn.Linear(5, 16), new nn.Linear(16, 8), new nn.Identity(), new nn.Linear(8, 3)).to('float64');
  const one = collapseLinear(deep);
  assert.deepEqual(one.weight.shape, [3, 5]);
  const x = randn([20, 5], { dtype: 'float64' });
  const diff = noGrad(() => deep.forward(x).sub(one.forward(x)).abs().max().item());
  assert.ok(diff < 1e-12, `difference ${diff}`);
});

test('collapse by hand: W = W2·W1, b = W2·b1 + b2', () => {
  const f64 = { dtype: 'float64' as const };
  const l1 = new nn.Linear(2, 2).to('float64');
  const l2 = new nn.Linear(2, 1).to('float64');
  l1.loadStateDict({ weight: tensor([[1, 2], [3, 4]], f64), bias: tensor([1, -1], f64) });
  l2.loadStateDict({ weight: tensor([[2, -1]], f64), bias: tensor([0.5], f64) });
  const one = collapseLinear(new nn.Sequential(l1, l2));
  assert.deepEqual(one.weight.toArray(), [[2 - 3, 4 - 4]]);
  assert.deepEqual(one.bias!.toArray(), [2 * 1 - -1 + 0.5]);
});

test('a non-linear layer cannot be collapsed', () => {
  assert.throws(() => collapseLinear(new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 1))), /layer 1 is ReLU/);
});
