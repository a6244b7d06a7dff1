// The manipulation and indexing ops beyond their PyTorch fixtures: bad input (errors name the op
// and the shapes, where PyTorch raises), inputs left as they were, the gradients PyTorch cannot
// compute (a scatter whose src is larger than its index), einsum contracting through matmul,
// and cross-checks between ops that must agree (advanced indexing against indexSelect and
// maskedSelect, flip and roll against their inverses).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChainruleError,
  F,
  type Tensor,
  addmm,
  arange,
  baddbmm,
  bmm,
  cdist,
  circularPad,
  cosineSimilarity,
  diag,
  einsum,
  flip,
  gather,
  grad,
  gradcheck,
  index,
  indexAdd,
  indexPut,
  kron,
  maskedFill,
  maskedSelect,
  meshgrid,
  movedim,
  normalize,
  oneHot,
  ones,
  randn,
  reflectionPad,
  repeat,
  repeatInterleave,
  replicationPad,
  roll,
  rot90,
  scatter,
  scatterAdd,
  scatterReduce,
  takeAlongDim,
  tensor,
  tril,
  triu,
  unbind,
  zeros,
} from 'chainrule';
import { Generator } from '../src/tensor/random.js';

const f64 = { dtype: 'float64' } as const;
const i32 = (v: number[] | number[][], shape?: number[]) => tensor(v.flat(), { dtype: 'int32', shape: shape ?? (Array.isArray(v[0]) ? [v.length, (v[0] as number[]).length] : [v.length]) });

function throwsNaming(f: () => unknown, op: string, shape: string | null, what?: RegExp): void {
  assert.throws(f, (e: Error) => {
    assert.ok(e instanceof ChainruleError, `${op}: ${e}`);
    assert.ok(e.message.startsWith(`${op}: `), e.message);
    if (shape) assert.ok(e.message.includes(shape), `${e.message} does not name the shape ${shape}`);
    if (what) assert.match(e.message, what);
    return true;
  });
}

describe('manipulation ops: bad input', () => {
  const x = zeros([2, 3]);
  it('repeat, tile and repeatInterleave', () => {
    throwsNaming(() => repeat(x, [2]), 'repeat', '[2,3]', /1 sizes for a tensor of rank 2/);
    throwsNaming(() => repeat(x, [2, -1]), 'repeat', null, /non-negative integers/);
    throwsNaming(() => repeatInterleave(x, i32([1, 2]), 1), 'repeatInterleave', '[2,3]', /2 repeats for dimension 1 of size 3/);
    throwsNaming(() => repeatInterleave(x, -1), 'repeatInterleave', null, /non-negative/);
    throwsNaming(() => repeatInterleave(x, tensor([1, 2])), 'repeatInterleave', '[2]', /int32 tensor/);
  });
  it('roll, flip, rot90, tril, triu, diag, unbind, movedim', () => {
    throwsNaming(() => roll(x, [1, 2], [0]), 'roll', '[2,3]', /2 shifts for 1 dims/);
    throwsNaming(() => roll(x, [1, 2]), 'roll', null, /2 shifts without dims/);
    throwsNaming(() => roll(x, 1, 2), 'roll', '[2,3]', /out of range/);
    throwsNaming(() => flip(x, [0, -2]), 'flip', '[2,3]', /repeat a dimension/);
    throwsNaming(() => flip(x, 3), 'flip', '[2,3]', /out of range/);
    throwsNaming(() => rot90(zeros([3])), 'rot90', '[3]', /at least 2 dims/);
    throwsNaming(() => rot90(x, 1, [1, -1]), 'rot90', '[2,3]', /must differ/);
    throwsNaming(() => rot90(x, 1, [0]), 'rot90', '[2,3]', /two dims/);
    throwsNaming(() => tril(zeros([3])), 'tril', '[3]', /at least 2 dims/);
    throwsNaming(() => triu(x, 0.5), 'triu', null, /integer/);
    throwsNaming(() => diag(zeros([2, 2, 2])), 'diag', '[2,2,2]', /1-D or 2-D/);
    throwsNaming(() => unbind(tensor(1)), 'unbind', null, /0-d/);
    throwsNaming(() => movedim(x, [0, 1], [1]), 'movedim', '[2,3]', /2 source dims for 1 destination/);
    throwsNaming(() => movedim(x, [0, 0], [0, 1]), 'movedim', '[2,3]', /repeat/);
  });
  it('meshgrid', () => {
    throwsNaming(() => meshgrid([x]), 'meshgrid', '[2,3]', /0-d or 1-D/);
    throwsNaming(() => meshgrid([ones([2]), ones([2], f64)]), 'meshgrid', null, /one dtype/);
    throwsNaming(() => meshgrid([ones([2])], { indexing: 'yx' as 'xy' }), 'meshgrid', null, /'ij' or 'xy'/);
  });
  it('pad: crops larger than the dim, the modes outside their ranks and sizes', () => {
    throwsNaming(() => x.pad([-2, -2]), 'pad', '[2,3]', /crop 4 elements from dimension 1 of size 3/);
    throwsNaming(() => x.pad([1]), 'pad', '[2,3]', /pairs of widths/);
    throwsNaming(() => reflectionPad(zeros([1, 2, 3]), [3, 0]), 'reflectionPad', '[1,2,3]', /less than the size/);
    throwsNaming(() => reflectionPad(zeros([3]), [1, 1]), 'reflectionPad', '[3]', /rank 2 or 3/);
    throwsNaming(() => replicationPad(zeros([1, 1, 4]), [-4, 0]), 'replicationPad', '[1,1,4]', /at least 1/);
    throwsNaming(() => replicationPad(zeros([1, 0, 4]), [1, 1]), 'replicationPad', '[1,0,4]', /non-empty/);
    throwsNaming(() => circularPad(zeros([2, 4]), [1, 1]), 'circularPad', '[2,4]', /rank 3/);
    throwsNaming(() => circularPad(zeros([1, 1, 4]), [5, 0]), 'circularPad', '[1,1,4]', /at most the size/);
    throwsNaming(() => circularPad(zeros([1, 1, 4]), [-2, 3]), 'circularPad', '[1,1,4]', /more than once/);
    throwsNaming(() => F.pad(zeros([1, 2, 3]), [1, 1], 'reflect', 2), 'pad', null, /takes no value/);
    throwsNaming(() => F.pad(zeros([1, 2, 3]), [1, 1], 'wrap' as 'reflect'), 'pad', null, /mode must be/);
  });
});

describe('products: bad input', () => {
  it('einsum names the equation and the operand', () => {
    const a = ones([2, 3]);
    throwsNaming(() => einsum('ij,jk->ik', a), 'einsum', null, /2 operand terms but 1 operand was given/);
    throwsNaming(() => einsum('i1', a), 'einsum', null, /invalid subscript '1' at index 1/);
    throwsNaming(() => einsum('ijk', a), 'einsum', '[2,3]', /names 3 dims/);
    throwsNaming(() => einsum('ij,ij->i', a, ones([3, 3])), 'einsum', null, /subscript i has size 2 in one operand and 3 in operand 1/);
    throwsNaming(() => einsum('ij->k', a), 'einsum', null, /output subscript k/);
    throwsNaming(() => einsum('ij->ii', a), 'einsum', null, /more than once/);
    throwsNaming(() => einsum('ii', a), 'einsum', '[2,3]', /repeated in operand 0/);
    throwsNaming(() => einsum('......', a), 'einsum', null, /more than one ellipsis/);
    throwsNaming(() => einsum('ij->j->i', a), 'einsum', null, /more than one '->'/);
  });
  it('bmm, addmm, baddbmm, kron', () => {
    throwsNaming(() => bmm(ones([2, 3]), ones([2, 3, 4])), 'bmm', '[2,3]', /3-D/);
    throwsNaming(() => bmm(ones([2, 3, 4]), ones([3, 4, 5])), 'bmm', '[3,4,5]');
    throwsNaming(() => addmm(ones([2]), ones([2, 3]), ones([2, 3])), 'addmm', '[2,3]');
    throwsNaming(() => addmm(ones([3, 2]), ones([2, 3]), ones([3, 2])), 'addmm', '[3,2]', /cannot be broadcast/);
    throwsNaming(() => addmm(ones([2]), ones([2, 3]), ones([3, 2]), { beta: Number.NaN }), 'addmm', null, /beta/);
    throwsNaming(() => baddbmm(ones([2]), ones([2, 3, 4]), ones([2, 3, 4])), 'baddbmm', '[2,3,4]');
    throwsNaming(() => kron(ones([2]), 3 as unknown as Tensor), 'kron', null, /must be a Tensor/);
    throwsNaming(() => bmm(ones([1, 2, 2], { dtype: 'int32' }), ones([1, 2, 2])), 'bmm', '[1,2,2]', /float tensors/);
    throwsNaming(() => addmm(ones([2]), ones([2, 2], { dtype: 'int32' }), ones([2, 2])), 'addmm', '[2,2]', /float tensors/);
  });
});

describe('indexing and scatters: bad input', () => {
  const x = zeros([2, 3]);
  it('index: tensors out of range, of the wrong dtype or shape', () => {
    throwsNaming(() => index(x, i32([0, 2])), 'index', '[2,3]', /index 2 is out of range for dimension 0 of size 2/);
    throwsNaming(() => index(x, null, i32([-4])), 'index', '[2,3]', /index -4 is out of range/);
    throwsNaming(() => index(x, tensor([0, 1])), 'index', '[2,3]', /int32 or bool/);
    throwsNaming(() => index(x, tensor([true, false, true])), 'index', '[2,3]', /mask of shape \[3\] does not match/);
    throwsNaming(() => index(x, 0, 0, 0), 'index', '[2,3]', /3 indices for a tensor of rank 2/);
    throwsNaming(() => index(x, '...', 0, '...'), 'index', '[2,3]', /only one ellipsis/);
    throwsNaming(() => index(x, i32([0, 1]), i32([0, 1, 2])), 'index', '[2]', /cannot be broadcast/);
  });
  it('indexPut, indexAdd, maskedFill, maskedSelect', () => {
    throwsNaming(() => indexPut(x, [i32([0, 1])], ones([3, 2])), 'indexPut', '[2,3]', /cannot be broadcast to the indexed shape/);
    throwsNaming(() => indexPut(x, [i32([0])], ones([3], f64)), 'indexPut', null, /dtype float32/);
    throwsNaming(() => indexAdd(x, 0, i32([0]), ones([2, 3])), 'indexAdd', '[2,3]', /source shape \[2,3\] must be \[1,3\]/);
    throwsNaming(() => indexAdd(x, 1, i32([3]), ones([2, 1])), 'indexAdd', null, /index 3 is out of range/);
    throwsNaming(() => maskedFill(x, tensor([true, false]), 1), 'maskedFill', '[2,3]', /cannot be broadcast/);
    throwsNaming(() => maskedFill(x, tensor([true, false, true]), ones([1])), 'maskedFill', '[1]', /0-d tensor/);
    throwsNaming(() => maskedSelect(x, tensor([true, false])), 'maskedSelect', '[2,3]', /cannot be broadcast/);
  });
  it('gather, scatter, scatterAdd, scatterReduce, takeAlongDim: index shapes checked as PyTorch checks them', () => {
    throwsNaming(() => gather(x, 1, i32([[0], [1], [2]])), 'gather', '[3,1]', /no larger than input shape \[2,3\] in every dimension but 1/);
    throwsNaming(() => gather(x, 1, i32([0, 1])), 'gather', '[2]', /rank of the input shape \[2,3\]/);
    throwsNaming(() => gather(x, 1, i32([[3]])), 'gather', null, /index 3 is out of range/);
    throwsNaming(() => scatter(x, 1, i32([[0, 1]]), ones([1, 1])), 'scatter', '[1,2]', /no larger than src shape \[1,1\]/);
    throwsNaming(() => scatter(x, 1, i32([[0]]), ones([1, 1], f64)), 'scatter', '[2,3]', /dtype float32/);
    throwsNaming(() => scatterAdd(x, 1, i32([[0], [1], [0]]), ones([3, 1])), 'scatterAdd', '[3,1]', /no larger than input/);
    throwsNaming(() => scatterReduce(x, 1, i32([[0]]), ones([1, 1]), 'max' as 'amax'), 'scatterReduce', '[2,3]', /reduce must be one of/);
    throwsNaming(() => scatterReduce(zeros([2], { dtype: 'bool' }), 0, i32([0]), zeros([1], { dtype: 'bool' }), 'amax'), 'scatterReduce', '[2]', /bool/);
    throwsNaming(() => takeAlongDim(x, i32([0]), 1), 'takeAlongDim', '[2,3]', /same rank/);
  });
  it('oneHot', () => {
    throwsNaming(() => oneHot(i32([0, -1]), 3), 'oneHot', null, /label -1 at position 1 is negative/);
    throwsNaming(() => oneHot(i32([0, 3]), 3), 'oneHot', null, /label 3 at position 1 is out of range for 3 classes/);
    throwsNaming(() => oneHot(zeros([0], { dtype: 'int32' })), 'oneHot', '[0]', /empty/);
    throwsNaming(() => oneHot(i32([0]), -2), 'oneHot', null, /numClasses/);
  });
  it('distances', () => {
    throwsNaming(() => cdist(ones([2, 3]), ones([2, 3]), -1), 'cdist', null, /non-negative/);
    throwsNaming(() => cdist(ones([3]), ones([2, 3])), 'cdist', '[3]', /at least 2 dims/);
    throwsNaming(() => cdist(ones([2, 3]), ones([2, 4])), 'cdist', '[2,4]', /same number of columns/);
    throwsNaming(() => cdist(ones([2, 3], { dtype: 'int32' }), ones([2, 3])), 'cdist', '[2,3]', /float tensors/);
    throwsNaming(() => cosineSimilarity(ones([2, 3]), ones([3, 3])), 'cosineSimilarity', '[3,3]', /cannot be broadcast/);
    throwsNaming(() => cosineSimilarity(ones([3]), ones([3])), 'cosineSimilarity', '[3]', /dim 1 is out of range/);
    throwsNaming(() => normalize(ones([3])), 'normalize', '[3]', /dim 1 is out of range/);
  });
});

describe('inputs are never changed', () => {
  it('by the writes, whether they succeed or fail', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const before = [...x.dataSync()];
    indexPut(x, [i32([1])], tensor([9, 9, 9]));
    indexPut(x, [i32([0, 0])], tensor([1, 1, 1]), { accumulate: true });
    scatter(x, 1, i32([[0]]), 7);
    scatterReduce(x, 1, i32([[0, 0]]), tensor([[5, 5]]), 'prod');
    scatterAdd(x, 0, i32([[1, 0, 1]]), ones([1, 3]));
    indexAdd(x, 0, i32([1]), ones([1, 3]));
    maskedFill(x, tensor([true, false, true]), 0);
    assert.throws(() => indexPut(x, [i32([5])], tensor(1)));
    assert.throws(() => scatter(x, 1, i32([[0, 9]]), 1));
    assert.deepEqual([...x.dataSync()], before);
  });
});

describe('gradients beyond the fixtures', () => {
  const gen = new Generator(7);
  const r = (shape: number[]) => randn(shape, { dtype: 'float64', generator: gen });
  it('a scatter whose src is larger than the index: src gets the gradient at the elements read, 0 elsewhere (PyTorch raises)', () => {
    const idx = i32([[1], [3]]);
    const [gx, gs] = grad((a: Tensor, s: Tensor) => scatterAdd(a, 1, idx, s).mul(arange(0, 12, 1, f64).reshape([3, 4])).sum())(zeros([3, 4], f64), zeros([3, 3], f64));
    assert.deepEqual(gx.toArray(), arange(12).reshape([3, 4]).toArray());
    assert.deepEqual(gs.toArray(), [
      [1, 0, 0],
      [7, 0, 0],
      [0, 0, 0],
    ]);
    assert.ok(gradcheck((a: Tensor, s: Tensor) => scatter(a, 1, idx, s), [r([3, 4]), r([3, 3])]).ok);
    assert.ok(gradcheck((a: Tensor, s: Tensor) => scatterReduce(a, 1, idx, s, 'mean'), [r([3, 4]), r([3, 3])]).ok);
  });
  it('indexPut with basic indices only (x[1, :] = v, x[..., 0] = v) and its gradient', () => {
    const x = r([3, 4]);
    const y = indexPut(x, [1], tensor([1, 2, 3, 4], f64));
    assert.deepEqual((y.index(1) as Tensor).toArray(), [1, 2, 3, 4]);
    assert.deepEqual(y.index(0).toArray(), x.index(0).toArray());
    assert.ok(gradcheck((a: Tensor, v: Tensor) => indexPut(a, ['...', 0], v), [r([3, 4]), r([3])]).ok);
    assert.ok(gradcheck((a: Tensor, v: Tensor) => indexPut(a, [[0, 3, 2]], v, { accumulate: true }), [r([3, 4]), r([2, 4])]).ok);
  });
  it('diag, rot90 and roll of views double-backward', () => {
    const twice = (f: (t: Tensor) => Tensor) => (t: Tensor) => grad((u: Tensor) => f(u).pow(3).sum(), { createGraph: true })(t)[0];
    assert.ok(gradcheck(twice((t) => diag(t.T, 1)), [r([3, 4])]).ok);
    assert.ok(gradcheck(twice((t) => rot90(t, 3, [1, 0]).roll([1, 2], [0, 1])), [r([3, 4])]).ok);
  });
});

describe('cross-checks', () => {
  const gen = new Generator(11);
  it('advanced indexing agrees with indexSelect, gather and maskedSelect on random shapes', () => {
    for (let t = 0; t < 20; t++) {
      const shape = Array.from({ length: 1 + (t % 3) }, () => 1 + Math.floor(gen.random() * 4));
      const x = randn(shape, { generator: gen });
      const d = t % shape.length;
      const idx = tensor(
        Int32Array.from({ length: 5 }, () => Math.floor(gen.random() * shape[d])),
        { shape: [5] },
      );
      const specs = shape.map((_, i) => (i === d ? idx : null));
      assert.deepEqual(x.index(...specs).toArray(), x.indexSelect(d, idx).toArray());
      const m = x.gt(0);
      assert.deepEqual(x.index(m).toArray(), maskedSelect(x, m).toArray());
      const along = takeAlongDim(x, x.argsort(-1), -1);
      assert.deepEqual(along.toArray(), x.sort(-1).values.toArray());
    }
  });
  it('flip, roll and rot90 undo themselves; tril + triu(1) is the matrix; repeat equals tile', () => {
    const x = randn([3, 4, 2], { generator: gen });
    assert.deepEqual(flip(flip(x, [0, 2]), [2, 0]).toArray(), x.toArray());
    assert.deepEqual(roll(roll(x, [5, -3], [1, 2]), [-5, 3], [1, 2]).toArray(), x.toArray());
    assert.deepEqual(rot90(rot90(x, 1, [0, 2]), -1, [0, 2]).toArray(), x.toArray());
    const m = x.index(null, null, 0);
    assert.deepEqual(tril(m).add(triu(m, 1)).toArray(), m.toArray());
    assert.deepEqual(repeat(x, [1, 2, 3]).toArray(), x.tile([2, 3]).toArray());
    assert.deepEqual(kron(ones([2, 2]), x.index(0)).toArray(), x.index(0).tile([2, 2]).toArray());
  });
  it('einsum contracts through matmul, equals the products it spells', () => {
    const a = randn([2, 3, 4], { generator: gen, dtype: 'float64' }).requiresGrad_();
    const b = randn([2, 4, 5], { generator: gen, dtype: 'float64' });
    const y = einsum('bij,bjk->bik', a, b);
    const ops = new Set<string>();
    const walk = (t: Tensor) => {
      if (!t.node) return;
      ops.add(t.node.op.name);
      t.node.inputs.forEach(walk);
    };
    walk(y);
    assert.ok(ops.has('matmul'), [...ops].join(' '));
    const close = (p: Tensor, q: Tensor) => p.sub(q).abs().max().item() < 1e-12;
    assert.ok(close(y, a.matmul(b)));
    assert.ok(close(einsum('bij,bjk->ik', a, b), a.matmul(b).sum(0)));
    assert.ok(close(einsum('bij->b', a), a.sum([1, 2])));
    assert.equal(einsum('i,i->', tensor([1, 2], { dtype: 'int32' }), tensor([3, 4], { dtype: 'int32' })).dtype, 'int32');
    assert.equal(einsum('i,i->', tensor([1, 2], { dtype: 'int32' }), tensor([3, 4], { dtype: 'int32' })).item(), 11);
  });
  it('indexSelect keeps a 0-d input 0-d and a 0-d index a dim of 1, as PyTorch', () => {
    const x = tensor(5, f64).requiresGrad_();
    const y = x.indexSelect(0, i32([0, 0]));
    assert.deepEqual([y.shape, y.item()], [[], 5]);
    y.backward();
    assert.equal(x.grad?.item(), 1);
    assert.deepEqual(zeros([3]).indexSelect(0, tensor(1, { dtype: 'int32' })).shape, [1]);
    throwsNaming(() => x.indexSelect(0, i32([1])), 'indexSelect', null, /index 1 is out of range/);
  });
  it('F.oneHot is the op, scatter marks the same positions', () => {
    const labels = i32([2, 0, 1]);
    assert.equal(F.oneHot, oneHot);
    assert.deepEqual(oneHot(labels, 4).toArray(), scatter(zeros([3, 4]), 1, labels.reshape([3, 1]), 1).toArray());
  });
});
