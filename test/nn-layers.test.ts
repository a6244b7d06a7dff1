import assert from 'node:assert/strict';
import { test } from 'node:test';
import { F, Generator, gradcheck, manualSeed, nn, ones, randn, tensor } from 'chainrule';
import { layerCase, replayLayer } from './nn-helpers.js';

const f64 = { dtype: 'float64' as const };

test('Linear matches PyTorch (weights loaded by name), with and without bias, on 3-d input', () => {
  const l = new nn.Linear(5, 3).to('float64');
  replayLayer(layerCase('linear'), l, (x) => l.forward(x));
  const nb = new nn.Linear(5, 3, { bias: false }).to('float64');
  assert.equal(nb.bias, null);
  replayLayer(layerCase('linear-3d-nobias'), nb, (x) => nb.forward(x));
});

test('Linear default init is U(-1/sqrt(in), 1/sqrt(in)) for weight and bias', () => {
  manualSeed(3);
  const l = new nn.Linear(400, 50);
  const bound = 1 / Math.sqrt(400);
  const w = Array.from(l.weight.data);
  const b = Array.from(l.bias!.data);
  assert.deepEqual(l.weight.shape, [50, 400]);
  assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...w) > 0.95 * bound && Math.min(...w) < -0.95 * bound);
  const mean = w.reduce((a, v) => a + v, 0) / w.length;
  const variance = w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length;
  assert.ok(Math.abs(variance - bound ** 2 / 3) < 0.05 * bound ** 2 / 3);
});

test('Bilinear and LayerNorm match PyTorch', () => {
  const bl = new nn.Bilinear(3, 4, 2).to('float64');
  replayLayer(layerCase('bilinear'), bl, (a, b) => bl.forward(a, b));
  const ln = new nn.LayerNorm([3, 4]).to('float64');
  replayLayer(layerCase('layernorm'), ln, (x) => ln.forward(x));
});

test('linear, bilinear and layerNorm pass float64 gradcheck', () => {
  gradcheck((x, w, b) => F.linear(x, w, b), [randn([3, 4], f64), randn([2, 4], f64), randn([2], f64)]);
  gradcheck((a, b, w) => F.bilinear(a, b, w), [randn([2, 3], f64), randn([2, 2], f64), randn([2, 3, 2], f64)]);
  gradcheck((x, w, b) => F.layerNorm(x, [4], w, b), [randn([3, 4], f64), randn([4], f64), randn([4], f64)]);
});

test('activation modules compute their functions; Scale multiplies one', () => {
  const x = tensor([-2, -0.5, 0, 1.5], f64);
  const close = (a: number[], b: number[]) => {
    a.forEach((v, i) => {
      assert.ok(Math.abs(v - b[i]) < 1e-12, `${v} vs ${b[i]}`);
    });
  };
  close(new nn.ReLU().forward(x).toArray() as number[], [0, 0, 0, 1.5]);
  close(new nn.LeakyReLU(0.1).forward(x).toArray() as number[], [-0.2, -0.05, 0, 1.5]);
  close(new nn.Sigmoid().forward(x).toArray() as number[], [-2, -0.5, 0, 1.5].map((v) => 1 / (1 + Math.exp(-v))));
  close(new nn.Tanh().forward(x).toArray() as number[], [-2, -0.5, 0, 1.5].map(Math.tanh));
  close(new nn.ELU(2).forward(x).toArray() as number[], [2 * (Math.exp(-2) - 1), 2 * (Math.exp(-0.5) - 1), 0, 1.5]);
  close(new nn.Softplus().forward(x).toArray() as number[], [-2, -0.5, 0, 1.5].map((v) => Math.log1p(Math.exp(v))));
  close(new nn.Sign().forward(x).toArray() as number[], [-1, -1, 0, 1]);
  close(new nn.Sign({ zero: 1 }).forward(x).toArray() as number[], [-1, -1, 1, 1]);
  close(new nn.GELU().forward(tensor([1], f64)).toArray() as number[], [0.8413447460685429]);
  const s = new nn.Softmax(1).forward(tensor([[1, 2, 3]], f64)).toArray() as number[][];
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  close(s[0], [Math.exp(1) / z, Math.exp(2) / z, Math.exp(3) / z]);
  close((new nn.LogSoftmax(1).forward(tensor([[1, 2, 3]], f64)).toArray() as number[][])[0], [1, 2, 3].map((v) => v - Math.log(z)));
  const five = nn.scaled(5, new nn.ReLU());
  close(five.forward(x).toArray() as number[], [0, 0, 0, 7.5]);
  assert.equal(five.describe(), '5·ReLU');
  assert.deepEqual(new nn.Identity().forward(x), x);
  assert.deepEqual(new nn.Flatten().forward(ones([2, 3, 4])).shape, [2, 12]);
});

test('Dropout: seeded, scaled by 1/(1-p), identity in eval mode, p = 0 and 1 edge cases', () => {
  const x = ones([1000], f64);
  const d = new nn.Dropout(0.3, { generator: new Generator(7) });
  const y = Array.from(d.forward(x).data);
  const kept = y.filter((v) => v !== 0);
  assert.ok(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-12));
  assert.ok(Math.abs(kept.length / 1000 - 0.7) < 0.05, `kept ${kept.length}`);
  const again = Array.from(new nn.Dropout(0.3, { generator: new Generator(7) }).forward(x).data);
  assert.deepEqual(again, y);
  assert.equal(d.eval().forward(x), x);
  assert.equal(F.dropout(x, 0), x);
  assert.ok(Array.from(F.dropout(x, 1).data).every((v) => v === 0));
  const g = randn([50], { ...f64, requiresGrad: true });
  const dd = F.dropout(g, 0.5, { generator: new Generator(1) });
  dd.sum().backward();
  assert.deepEqual(Array.from(g.grad!.data), Array.from(dd.data).map((v) => (v === 0 ? 0 : 2)));
});

test('embedding, dropout with a fixed mask, and the recurrent cells pass gradcheck', () => {
  const idx = tensor([[0, 2], [1, 2]], { dtype: 'int32' });
  gradcheck((w) => F.embedding(idx, w), [randn([3, 2], f64)]);
  // with a padding index the lookup deliberately sends no gradient to that row
  const w = randn([3, 2], { ...f64, requiresGrad: true });
  F.embedding(idx, w, 2).sum().backward();
  assert.deepEqual(Array.from(w.grad!.data), [1, 1, 1, 1, 0, 0]);
  gradcheck((x) => F.dropout(x, 0.4, { generator: new Generator(3) }), [randn([10], f64)]);
  const x = randn([2, 3], f64);
  const h = randn([2, 2], f64);
  gradcheck((a, b, wih, whh, bih, bhh) => F.gruCell(a, b, wih, whh, bih, bhh), [x, h, randn([6, 3], f64), randn([6, 2], f64), randn([6], f64), randn([6], f64)]);
  gradcheck((a, b, c, wih, whh) => F.lstmCell(a, [b, c], wih, whh)[1], [x, h, randn([2, 2], f64), randn([8, 3], f64), randn([8, 2], f64)]);
  gradcheck((a, b, wih, whh) => F.rnnCell(a, b, wih, whh), [x, h, randn([2, 3], f64), randn([2, 2], f64)]);
});

test('oneHot builds targets and rejects bad labels', () => {
  assert.deepEqual(F.oneHot(tensor([2, 0], { dtype: 'int32' }), 3).toArray(), [
    [0, 0, 1],
    [1, 0, 0],
  ]);
  assert.deepEqual(F.oneHot(tensor([[1]], { dtype: 'int32' })).shape, [1, 1, 2]);
  assert.throws(() => F.oneHot(tensor([3], { dtype: 'int32' }), 3), /label 3 at position 0 is out of range for 3 classes/);
  assert.throws(() => F.oneHot(tensor([1])), /labels must be an int32 tensor, got float32/);
});
