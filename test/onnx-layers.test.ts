// ONNX export of the 2-d layers, GroupNorm, Bilinear, the recurrent cells, MultiheadAttention and
// the transformer modules: ONNX Runtime's outputs at two batch sizes and lengths from one file
// equal chainrule's eval-mode forward within 1e-5 (float32), and importOnnx reads each file back
// into a module that computes the same.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, exportOnnx, importOnnx, manualSeed, nn, randn, tensor } from 'chainrule';
import { type Case, assertClose, checkCases, maxError, runOrt, session } from './onnx-helpers.js';

const BHW = { 0: 'batch', 2: 'h', 3: 'w' };
const B = { 0: 'batch' };
const BT = { 0: 'batch', 1: 'time' };
const TB = { 0: 'time', 1: 'batch' };

/** Images [b, c, 5 + t, 6 + t] with an edge row: ±3 and a tie of maxima. */
function image(b: number, c: number, t: number): Tensor {
  const x = randn([b, c, 5 + t, 6 + t]);
  const d = x.dataSync() as Float32Array;
  d[0] = 3;
  d[1] = 3;
  d[2] = -3;
  return x;
}

function randomAffine<M extends { weight: nn.Parameter | null; bias: nn.Parameter | null }>(m: M): M {
  if (m.weight) m.weight.data.set(randn(m.weight.shape).dataSync());
  if (m.bias) m.bias.data.set(randn(m.bias.shape).dataSync());
  return m;
}

function trainedBatchNorm2d(c: number): nn.BatchNorm2d {
  const bn = new nn.BatchNorm2d(c);
  for (let i = 0; i < 3; i++) bn.forward(randn([6, c, 4, 4]).mul(2).add(1));
  return randomAffine(bn);
}

const conv = (name: string, make: () => nn.Module, c = 3): Case => ({ name, make, inputs: (b, t) => [image(b, c, t)], inAxes: [BHW], outAxes: [BHW], imports: true });

const cases: Case[] = [
  conv('Conv2d 3x3 padding 1', () => new nn.Conv2d(3, 4, 3, { padding: 1 })),
  conv('Conv2d stride 2, dilation [1, 2], groups 3, no bias', () => new nn.Conv2d(3, 6, [3, 2], { stride: 2, dilation: [1, 2], groups: 3, bias: false })),
  conv("Conv2d padding 'same', even kernel", () => new nn.Conv2d(3, 2, [2, 4], { padding: 'same' })),
  conv('Conv2d padding [2, 1], reflect', () => new nn.Conv2d(3, 2, 3, { padding: [2, 1], paddingMode: 'reflect' })),
  conv('Conv2d padding 1, replicate', () => new nn.Conv2d(3, 2, 3, { padding: 1, paddingMode: 'replicate' })),
  { name: 'Conv2d unbatched [C, H, W]', make: () => new nn.Conv2d(2, 3, 3), inputs: (_b, t) => [randn([2, 5 + t, 4 + t])], inAxes: [{ 1: 'h', 2: 'w' }], outAxes: [{ 1: 'h', 2: 'w' }], imports: true },
  conv('MaxPool2d 2', () => new nn.MaxPool2d(2)),
  conv('MaxPool2d 3, stride [2, 1], padding 1, dilation [1, 2]', () => new nn.MaxPool2d(3, { stride: [2, 1], padding: 1, dilation: [1, 2] })),
  conv('MaxPool2d 2, ceilMode', () => new nn.MaxPool2d(2, { ceilMode: true })),
  conv('AvgPool2d 2', () => new nn.AvgPool2d(2)),
  conv('AvgPool2d 3, stride 2, padding 1', () => new nn.AvgPool2d(3, { stride: 2, padding: 1 })),
  conv('AvgPool2d 3, padding 1, countIncludePad false', () => new nn.AvgPool2d(3, { stride: 1, padding: 1, countIncludePad: false })),
  conv('AvgPool2d 2, divisorOverride 3', () => new nn.AvgPool2d(2, { divisorOverride: 3 })),
  conv('AvgPool2d 2, ceilMode', () => new nn.AvgPool2d(2, { ceilMode: true })),
  { name: 'AdaptiveAvgPool2d(1)', make: () => new nn.AdaptiveAvgPool2d(1), inputs: (b, t) => [image(b, 3, t)], inAxes: [BHW], outAxes: [B], imports: true },
  { name: 'AdaptiveMaxPool2d([1, 1])', make: () => new nn.AdaptiveMaxPool2d([1, 1]), inputs: (b, t) => [image(b, 3, t)], inAxes: [BHW], outAxes: [B], imports: true },
  conv('BatchNorm2d (running statistics)', () => trainedBatchNorm2d(3)),
  conv('GroupNorm 2 groups of 2', () => randomAffine(new nn.GroupNorm(2, 4)), 4),
  { name: 'GroupNorm [N, C, L], no affine', make: () => new nn.GroupNorm(3, 6, { affine: false, eps: 1e-3 }), inputs: (b, t) => [randn([b, 6, t + 2]).mul(2)], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'len' }], imports: true },
  {
    name: 'small CNN: Conv2d, BatchNorm2d, ReLU, MaxPool2d, AdaptiveAvgPool2d, Flatten, Linear',
    make: () => new nn.Sequential(new nn.Conv2d(3, 4, 3, { padding: 1 }), trainedBatchNorm2d(4), new nn.ReLU(), new nn.MaxPool2d(2), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(4, 2)),
    inputs: (b, t) => [image(b, 3, t)],
    inAxes: [BHW],
    outAxes: [B],
    imports: true,
  },
  { name: 'Bilinear', make: () => new nn.Bilinear(3, 4, 2), inputs: (b) => [randn([b, 3]), randn([b, 4])], inAxes: [B, B], outAxes: [B], imports: true },
  { name: 'Bilinear 3-d, no bias', make: () => new nn.Bilinear(2, 3, 4, { bias: false }), inputs: (b, t) => [randn([b, t, 2]), randn([b, t, 3])], inAxes: [BT, BT], outAxes: [BT], imports: true },
  { name: 'RNNCell tanh, no state', make: () => new nn.RNNCell(3, 4), inputs: (b) => [randn([b, 3])], inAxes: [B], outAxes: [B], imports: true },
  { name: 'RNNCell relu with h', make: () => new nn.RNNCell(3, 4, { nonlinearity: 'relu' }), inputs: (b) => [randn([b, 3]), randn([b, 4])], inAxes: [B, B], outAxes: [B], imports: true },
  { name: 'GRUCell with h', make: () => new nn.GRUCell(3, 5), inputs: (b) => [randn([b, 3]), randn([b, 5])], inAxes: [B, B], outAxes: [B], imports: true },
  { name: 'GRUCell no state, no bias', make: () => new nn.GRUCell(3, 5, { bias: false }), inputs: (b) => [randn([b, 3])], inAxes: [B], outAxes: [B], imports: true },
  { name: 'LSTMCell no state', make: () => new nn.LSTMCell(3, 4), inputs: (b) => [randn([b, 3])], inAxes: [B], outAxes: [B, B], imports: true },
  {
    name: 'MultiheadAttention self-attention, [L, N, E]',
    make: () => randomBiases(new nn.MultiheadAttention(8, 2)),
    inputs: (b, t) => {
      const x = randn([t, b, 8]);
      return [x, x, x];
    },
    inAxes: [TB, TB, TB],
    outAxes: [TB, { 0: 'batch', 1: 'time', 2: 'time' }],
    imports: true,
  },
  {
    name: 'MultiheadAttention cross-attention, batchFirst, kdim and vdim',
    make: () => randomBiases(new nn.MultiheadAttention(6, 3, { batchFirst: true, kdim: 4, vdim: 5 })),
    inputs: (b, t) => [randn([b, t, 6]), randn([b, t + 2, 4]), randn([b, t + 2, 5])],
    inAxes: [BT, { 0: 'batch', 1: 'src' }, { 0: 'batch', 1: 'src' }],
    outAxes: [BT, { 0: 'batch', 1: 'time', 2: 'src' }],
    imports: true,
  },
  {
    name: 'TransformerEncoderLayer post-norm, relu',
    make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }),
    inputs: (b, t) => [randn([t, b, 8])],
    inAxes: [TB],
    outAxes: [TB],
    imports: true,
  },
  {
    name: 'TransformerEncoder 2 pre-norm gelu layers, batchFirst, final norm',
    make: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 4, { dimFeedforward: 12, activation: 'gelu', normFirst: true, batchFirst: true }), 2, { norm: randomAffine(new nn.LayerNorm(8)) }),
    inputs: (b, t) => [randn([b, t, 8])],
    inAxes: [BT],
    outAxes: [BT],
    opsets: [13, 17],
    imports: true,
  },
  {
    name: 'TransformerDecoderLayer',
    make: () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }),
    inputs: (b, t) => [randn([b, t, 8]), randn([b, t + 3, 8])],
    inAxes: [BT, { 0: 'batch', 1: 'src' }],
    outAxes: [BT],
    imports: true,
  },
  {
    name: 'TransformerDecoder 2 layers, final norm',
    make: () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, normFirst: true }), 2, { norm: new nn.LayerNorm(8) }),
    inputs: (b, t) => [randn([t, b, 8]), randn([t + 1, b, 8])],
    inAxes: [TB, { 0: 'src', 1: 'batch' }],
    outAxes: [TB],
    imports: true,
  },
];

function randomBiases(m: nn.MultiheadAttention): nn.MultiheadAttention {
  if (m.in_proj_bias) m.in_proj_bias.data.set(randn(m.in_proj_bias.shape).dataSync());
  if (m.out_proj.bias) m.out_proj.bias.data.set(randn(m.out_proj.bias.shape).dataSync());
  return m;
}

checkCases(cases);

test('LSTMCell with its state [h, c] exports x, h and c as three inputs and gives h and c', async () => {
  manualSeed(5);
  const m = new nn.LSTMCell(3, 4).eval();
  const bytes = await exportOnnx(m, [randn([2, 3]), randn([2, 4]), randn([2, 4])], { dynamicAxes: { input_0: B, input_1: B, input_2: B, output_0: B, output_1: B } });
  const s = await session(bytes);
  const back = await importOnnx(bytes);
  for (const b of [1, 5]) {
    const [x, h, c] = [randn([b, 3]), randn([b, 4]), randn([b, 4])];
    const [h2, c2] = m.forward(x, [h, c]);
    const got = await runOrt(s, { input_0: x, input_1: h, input_2: c });
    assertClose(got.output_0, h2, `h at batch ${b}`);
    assertClose(got.output_1, c2, `c at batch ${b}`);
    const mine = back.forward(x, h, c) as Tensor[];
    assert.ok(maxError(mine[0].dataSync(), h2.dataSync()) <= 1e-5 && maxError(mine[1].dataSync(), c2.dataSync()) <= 1e-5);
  }
});

test('a model imported from its ONNX export trains: gradients reach the conv and attention weights', async () => {
  manualSeed(11);
  const m = new nn.Sequential(new nn.Conv2d(1, 2, 3, { padding: 1 }), new nn.ReLU(), new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(2, 2));
  const back = await importOnnx(await exportOnnx(m, [randn([2, 1, 5, 5])], { dynamicAxes: { input_0: { 0: 'batch' }, output_0: { 0: 'batch' } } }));
  const y = back.forward(randn([3, 1, 5, 5])) as Tensor;
  y.pow(2).sum().backward();
  const grads = back.parameters().map((p) => p.grad);
  assert.equal(grads.length, 4);
  for (const g of grads) assert.ok(g && (g.abs().sum().item() as number) > 0);
  const att = new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8, batchFirst: true });
  const imported = await importOnnx(await exportOnnx(att, [randn([1, 3, 4])]));
  (imported.forward(randn([1, 3, 4])) as Tensor).pow(2).sum().backward();
  assert.deepEqual(
    imported
      .namedParameters()
      .map(([n]) => n)
      .sort(),
    Object.keys(att.stateDict()).sort(),
  );
  const inProj = imported.namedParameters().find(([n]) => n === 'self_attn.in_proj_weight')?.[1];
  assert.ok(inProj?.grad && (inProj.grad.abs().sum().item() as number) > 0, 'in_proj_weight has a gradient');
});

test('modules and options without an ONNX form are errors naming the module path and the reason', async () => {
  await assert.rejects(exportOnnx(new nn.Sequential(new nn.Conv2d(1, 1, 3, { padding: 1, paddingMode: 'circular' })), [randn([1, 1, 4, 4])]), /exportOnnx: Conv2d at 0: paddingMode circular has no ONNX Pad mode/);
  await assert.rejects(exportOnnx(new nn.MaxPool2d(2, { returnIndices: true }), [randn([1, 1, 4, 4])]), /MaxPool2d at \(root\): returnIndices/);
  await assert.rejects(exportOnnx(new nn.AdaptiveAvgPool2d([2, 2]), [randn([1, 1, 4, 4])]), /AdaptiveAvgPool2d at \(root\): outputSize \[2,2\]/);
  await assert.rejects(exportOnnx(new nn.MaxPool2d(3, { ceilMode: true, padding: 1 }), [randn([1, 1, 6, 6])]), /MaxPool2d at \(root\): ceilMode with padding 1x1/);
  const q = randn([3, 1, 4]);
  await assert.rejects(exportOnnx(new nn.MultiheadAttention(4, 2, { addBiasKV: true }), [q, q, q]), /MultiheadAttention at \(root\): addBiasKV/);
  const u = randn([3, 4]);
  await assert.rejects(exportOnnx(new nn.MultiheadAttention(4, 2), [u, u, u]), /MultiheadAttention at \(root\): exports batched inputs \(3-d\), got query \[3,4\]/);
  await assert.rejects(exportOnnx(new nn.TransformerEncoderLayer(4, 2, { activation: (x: Tensor) => x.tanh() }), [randn([3, 1, 4])]), /TransformerEncoderLayer at \(root\): a custom activation function has no ONNX form/);
  await assert.rejects(exportOnnx(new nn.Bilinear(2, 2, 1), [randn([1, 2])]), /Bilinear at \(root\): takes two inputs \(x1, x2\), got 1/);
  await assert.rejects(exportOnnx(new nn.LSTMCell(2, 2), [randn([1, 2]), randn([1, 2])]), /LSTMCell at \(root\): takes x, or x, h and c, got 2 inputs/);
  await assert.rejects(exportOnnx(new nn.GRUCell(2, 2), [randn([2])]), /GRUCell at \(root\): exports a batched input \[batch, 2\], got \[2\]/);
});

test('importOnnx names the node and its op for what it does not support', async () => {
  const bytes = await exportOnnx(new nn.AvgPool2d(2), [tensor([[[[1, 2], [3, 4]]]])]);
  const m = await importOnnx(bytes);
  await assert.rejects(async () => m.forward(randn([1, 4, 4])), /importOnnx: node .*AveragePool.* \(AveragePool\): pooling of a 3-d input \[1,4,4\]/);
});
