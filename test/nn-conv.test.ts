import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, type Tensor, gradcheck, nn, randn, tensor } from 'chainrule';
import { type LayerCase, fixture, layerCase, replayLayer } from './nn-helpers.js';

const f64 = { dtype: 'float64' as const };
const cases = (prefix: string): LayerCase[] => fixture().layers.filter((c) => c.name.startsWith(prefix));

for (const c of cases('conv1d')) {
  test(`Conv1d ${c.name} matches PyTorch`, () => {
    const k = c.config as { in: number; out: number; k: number; stride?: number; padding?: number; dilation?: number; groups?: number; bias?: boolean };
    const m = new nn.Conv1d(k.in, k.out, k.k, k).to('float64');
    replayLayer(c, m, (x) => m.forward(x));
  });
}

test('MaxPool1d, AvgPool1d and the adaptive pools match PyTorch', () => {
  const mp = layerCase('maxpool1d');
  const m1 = new nn.MaxPool1d(3, { stride: 2, padding: 1 });
  replayLayer(mp, m1, (x) => m1.forward(x));
  const m2 = new nn.MaxPool1d(2, { stride: 2, dilation: 2, ceilMode: true });
  replayLayer(layerCase('maxpool1d-ceil-dil'), m2, (x) => m2.forward(x));
  const am = new nn.AdaptiveMaxPool1d(4);
  replayLayer(layerCase('adaptivemaxpool1d'), am, (x) => am.forward(x));
  const aa = new nn.AdaptiveAvgPool1d(3);
  replayLayer(layerCase('adaptiveavgpool1d'), aa, (x) => aa.forward(x));
  const ap = new nn.AvgPool1d(3, { stride: 2, padding: 1 });
  replayLayer(layerCase('avgpool1d'), ap, (x) => ap.forward(x));
});

test('conv1d and pools pass float64 gradcheck (stride, padding, dilation, groups)', () => {
  gradcheck((x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [randn([2, 4, 9], f64), randn([6, 2, 3], f64), randn([6], f64)]);
  gradcheck((x, w) => F.conv1d(x, w), [randn([3, 5], f64), randn([2, 3, 2], f64)]);
  gradcheck((x) => F.maxPool1d(x, 3, { stride: 2, padding: 1 }), [randn([2, 2, 7], f64)]);
  gradcheck((x) => F.adaptiveAvgPool1d(x, 3), [randn([1, 2, 7], f64)]);
  gradcheck((x) => F.adaptiveMaxPool1d(x, 2), [randn([1, 2, 5], f64)]);
});

test('conv1d by hand: a [1, -1] kernel takes differences', () => {
  const y = F.conv1d(tensor([[[1, 4, 9, 16]]], f64), tensor([[[1, -1]]], f64));
  assert.deepEqual(y.toArray(), [[[-3, -5, -7]]]);
});

test('Embedding matches PyTorch and its padding row gets zero gradient', () => {
  const c = layerCase('embedding-padding');
  const e = new nn.Embedding(6, 3, { paddingIdx: 2 }).to('float64');
  assert.deepEqual(Array.from(new nn.Embedding(6, 3, { paddingIdx: 2 }).weight.data.slice(6, 9)), [0, 0, 0]);
  replayLayer(c, e, (i) => e.forward(i));
  assert.deepEqual(Array.from(e.weight.grad!.data.slice(6, 9)), [0, 0, 0]);
  assert.throws(() => e.forward(tensor([[6]], { dtype: 'int32' })), /model \(Embedding 6x3\) index 6 at position 0 is out of range for 6 embeddings/);
  assert.throws(() => e.forward(tensor([1.5])), /indices must be an int32 tensor, got float32/);
});

for (const c of cases('embeddingbag')) {
  test(`EmbeddingBag ${c.name} matches PyTorch`, () => {
    const k = c.config as { num: number; dim: number; mode: 'sum' | 'mean' | 'max'; paddingIdx?: number };
    const m = new nn.EmbeddingBag(k.num, k.dim, k).to('float64');
    replayLayer(c, m, (i: Tensor, o?: Tensor, w?: Tensor) => m.forward(i, o, w));
  });
}

test('EmbeddingBag gradcheck with per-sample weights', () => {
  const idx = tensor([0, 2, 2, 1], { dtype: 'int32' });
  gradcheck((w, p) => F.embeddingBag(idx, w, { offsets: [0, 3], mode: 'sum', perSampleWeights: p }), [randn([3, 2], f64), randn([4], f64)]);
});

for (const c of cases('batchnorm1d')) {
  test(`BatchNorm1d ${c.name} matches PyTorch (outputs, gradients, running statistics)`, () => {
    const k = c.config as { num: number; momentum: number | null; affine?: boolean; eval?: boolean };
    const m = new nn.BatchNorm1d(k.num, { momentum: k.momentum, affine: k.affine }).to('float64');
    if (k.eval) m.eval();
    replayLayer(c, m, (x) => m.forward(x));
  });
}

test('batchNorm and layerNorm gradcheck; BatchNorm1d names the module on a wrong channel count', () => {
  gradcheck((x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }), [randn([4, 3, 2], f64), randn([3], f64), randn([3], f64)]);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(6));
  assert.throws(() => model.call(randn([5, 4])), { message: 'model.1 (BatchNorm1d 6) expected [N, 6] or [N, 6, L], got [5, 8]' });
  const conv = new nn.Sequential(new nn.Conv1d(3, 8, 3), new nn.ReLU());
  assert.throws(() => conv.call(randn([2, 4, 10])), { message: 'model.0 (Conv1d 3->8, kernel 3) expected [N, 3, L] or [3, L], got [2, 4, 10]' });
});
