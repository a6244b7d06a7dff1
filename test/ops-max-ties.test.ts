// max/min backward: the gradient is shared evenly among tied extrema (torch.amax's rule), for a
// reduced dim, with keepdim and over all dims, and the result keeps the upstream gradient's dtype.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from 'chainrule';

describe('max/min backward with ties', () => {
  it('over one dim: ties split the upstream gradient', () => {
    const x = tensor([[1, 3, 3], [2, 0, 2], [4, 4, 4]], { requiresGrad: true });
    x.max(1).backward(tensor([1, 2, 3]));
    assert.deepEqual(x.grad?.toArray(), [[0, 0.5, 0.5], [1, 0, 1], [1, 1, 1]]);
  });

  it('with keepdim over dim 0, for min', () => {
    const x = tensor([[5, -1], [5, 2], [7, -1]], { dtype: 'float64', requiresGrad: true });
    x.min(0, { keepdim: true }).backward(tensor([[4, 6]], { dtype: 'float64' }));
    assert.equal(x.grad?.dtype, 'float64');
    assert.deepEqual(x.grad?.toArray(), [[2, 3], [2, 0], [0, 3]]);
  });

  it('over all dims', () => {
    const x = tensor([[1, 9], [9, 9]], { requiresGrad: true });
    x.max().mul(6).backward();
    assert.deepEqual(x.grad?.toArray(), [[0, 2], [2, 2]]);
  });
});
