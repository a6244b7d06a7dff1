import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChainruleError,
  Generator,
  arange,
  concat,
  eye,
  full,
  getRngState,
  linspace,
  manualSeed,
  matmul,
  ones,
  rand,
  randint,
  randn,
  scalar,
  setRngState,
  tensor,
  zeros,
  zerosLike,
} from 'chainrule';

describe('creation and readout', () => {
  it('infers shapes from nested arrays and keeps typed-array dtypes', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.equal(tensor([true, false]).dtype, 'bool');
    assert.deepEqual(tensor([true, false]).toArray(), [true, false]);
    assert.deepEqual(tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
    assert.equal(scalar(3.5, { dtype: 'float64' }).item(), 3.5);
    assert.deepEqual(scalar(2).shape, []);
  });

  it('rejects ragged arrays and non-numbers, naming the position', () => {
    assert.throws(() => tensor([[1, 2], [3]]), /ragged nested array: the list at \[1\] has 1 elements, expected 2/);
    assert.throws(() => tensor([[1, 'x' as unknown as number]]), /element at \[0\]\[1\] is "x"/);
    assert.throws(() => tensor([1, 2], { dtype: 'float16' as never }), /unknown dtype "float16"/);
  });

  it('creates ranges, constants and identities', () => {
    assert.deepEqual(arange(5).toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(linspace(-1, 1, 5).toArray(), [-1, -0.5, 0, 0.5, 1]);
    assert.deepEqual(eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(full([2], 7, { dtype: 'int32' }).toArray(), [7, 7]);
    assert.deepEqual(zerosLike(ones([2, 2], { dtype: 'float64' })).dtype, 'float64');
    assert.throws(() => zeros([2, -1]), /shape \[2,-1\] must contain non-negative integers/);
  });

  it('prints like PyTorch, with shape and dtype', () => {
    assert.equal(String(tensor([[1, 2], [3, 4]])), 'tensor([[1., 2.],\n        [3., 4.]], shape=[2, 2])');
    assert.equal(String(tensor([0.5, -1.25], { dtype: 'float64' })), 'tensor([ 0.5000, -1.2500], shape=[2], dtype=float64)');
    const r = tensor([1, 2], { requiresGrad: true });
    assert.match(String(r), /requiresGrad=true/);
    assert.match(String(r.mul(2)), /gradFn=mul/);
    assert.match(String(zeros([2000])), /0\., 0\., 0\., \.\.\., 0\., 0\., 0\.\]/);
  });
});

describe('seeded randomness', () => {
  it('gives the same numbers for the same seed', () => {
    manualSeed(42);
    const a = randn([5]).toArray();
    const u = rand([3]).toArray();
    manualSeed(42);
    assert.deepEqual(randn([5]).toArray(), a);
    assert.deepEqual(rand([3]).toArray(), u);
  });

  it('saves and restores the generator state', () => {
    manualSeed(7);
    randn([3]);
    const s = getRngState();
    const a = randn([4], { dtype: 'float64' }).toArray();
    setRngState(s);
    assert.deepEqual(randn([4], { dtype: 'float64' }).toArray(), a);
  });

  it('has the moments of the distributions it claims', () => {
    const g = new Generator(1);
    const n = randn([20000], { dtype: 'float64', generator: g });
    assert.ok(Math.abs(n.mean().item()) < 0.03);
    assert.ok(Math.abs(n.var().item() - 1) < 0.04);
    const u = rand([20000], { dtype: 'float64', generator: g });
    assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
    const k = randint(0, 3, [3000], { generator: g });
    const counts = [0, 1, 2].map((c) => k.eq(c).sum().item());
    assert.ok(counts.every((c) => c > 900 && c < 1100), String(counts));
    assert.ok(k.max().item() === 2 && k.min().item() === 0);
  });
});

describe('dtypes and broadcasting', () => {
  it('promotes like PyTorch', () => {
    const i = tensor(new Int32Array([1, 2]));
    assert.equal(i.add(1).dtype, 'int32');
    assert.equal(i.add(0.5).dtype, 'float32');
    assert.equal(i.div(2).dtype, 'float32');
    assert.deepEqual(i.div(2).toArray(), [0.5, 1]);
    assert.equal(tensor([1], { dtype: 'float64' }).add(tensor([1])).dtype, 'float64');
    assert.equal(i.exp().dtype, 'float32');
    assert.equal(tensor([1.5, -2.5]).to('int32').toArray().toString(), '1,-2');
  });

  it('broadcasts column biases over a batch (W @ A + b)', () => {
    const W = tensor([[1, 0], [0, 2]]);
    const A = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[10], [20]]);
    assert.deepEqual(W.matmul(A).add(b).toArray(), [[11, 12, 13], [28, 30, 32]]);
  });

  it('reshape is a view sharing storage; permute and transpose copy', () => {
    const x = arange(6);
    const v = x.reshape([2, 3]);
    assert.equal(v.dataSync(), x.dataSync());
    assert.deepEqual(v.T.toArray(), [[0, 3], [1, 4], [2, 5]]);
    assert.deepEqual(x.reshape([3, 2]).T.T.toArray(), [[0, 1], [2, 3], [4, 5]]);
  });

  it('indexes with integers and ranges', () => {
    const x = arange(24).reshape([2, 3, 4]);
    assert.deepEqual(x.index(1, null, [1, 4, 2]).toArray(), [[13, 15], [17, 19], [21, 23]]);
    assert.deepEqual(x.index(-1, -1, -1).toArray(), 23);
    assert.deepEqual(x.narrow(2, 1, 2).shape, [2, 3, 2]);
    assert.deepEqual(x.slice(1, 1).shape, [2, 2, 4]);
    assert.deepEqual(x.index(0, [5, 9]).shape, [0, 4]);
  });
});

describe('errors name the op and the shapes, and change nothing', () => {
  it('matmul with mismatched inner dimensions', () => {
    assert.throws(
      () => matmul(zeros([2, 3]), zeros([4, 5])),
      (e: Error) => e instanceof ChainruleError && e.message === 'matmul: cannot multiply [2,3] by [4,5] (inner dimensions 3 and 4 differ)',
    );
  });

  it('broadcasting failures', () => {
    assert.throws(() => zeros([2, 3]).add(zeros([4])), /add: shapes \[2,3\] and \[4\] cannot be broadcast \(dimension 1 is 3 vs 4\)/);
  });

  it('dims out of range, bad reshapes and bad indices', () => {
    assert.throws(() => zeros([2, 3]).sum(2), /sum: dim 2 is out of range for a tensor of shape \[2,3\] \(expected -2\.\.1\)/);
    assert.throws(() => zeros([2, 3]).reshape([4, 2]), /reshape: cannot reshape \[2,3\] \(6 elements\) into \[4,2\] \(8 elements\)/);
    assert.throws(() => zeros([3, 2]).indexSelect(0, tensor(new Int32Array([0, 3]))), /indexSelect: index 3 is out of range for a dimension of size 3/);
    assert.throws(() => zeros([2, 3]).index(2), /index: index 2 is out of range for dimension 0 of size 2/);
    assert.throws(() => concat([zeros([2, 3]), zeros([3, 3])], 1), /concat: shapes \[2,3\], \[3,3\] differ outside dimension 1/);
    assert.throws(() => zeros([2]).max(0).add(zeros([0]).max()), /max: cannot reduce over dimension 0 of size 0/);
  });

  it('wrong types from JS callers', () => {
    assert.throws(() => matmul([1, 2] as never, zeros([2])), /matmul: input must be a Tensor, got object/);
    assert.throws(() => zeros([2]).add('1' as never), /add: right operand must be a number, got 1/);
    assert.throws(() => zeros([2]).leakyRelu(Number.NaN), /leakyRelu: slope must be a finite number/);
    assert.throws(() => tensor(new Int32Array([1])).requiresGrad_(), /only float tensors can require gradients \(this one is int32\)/);
  });

  it('a failed op leaves its inputs and their gradients untouched', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    a.sum().backward();
    const before = a.grad?.toArray();
    assert.throws(() => a.matmul(zeros([3, 3])));
    assert.deepEqual(a.grad?.toArray(), before);
    assert.deepEqual(a.toArray(), [1, 2]);
  });
});
