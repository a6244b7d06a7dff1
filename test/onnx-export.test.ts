// ONNX export of nn modules, checked against ONNX Runtime: for every covered module, the exported
// graph run by ORT at two batch sizes (and two sequence lengths where the module has one) from one
// file equals chainrule's eval-mode forward within 1e-5 in float32.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Tensor, cat, exportOnnx, manualSeed, nn, randn, randint, tensor, unaryKernel, unaryOp, writeOnnx } from 'chainrule';
import { type Case, assertClose, checkCases, runOrt, session } from './onnx-helpers.js';

type Module = nn.Module;

const B = { 0: 'batch' };
const BT = { 0: 'batch', 1: 'time' };
const TB = { 0: 'time', 1: 'batch' };

/** randn scaled, with the kinks and tails of the activations, NaN and ±∞ in two fixed last rows. */
function activationInput(b: number, nan = true): Tensor {
  const edge = tensor([
    [0, -3, 3, 6, -0.5, 0.5, 25, -25, 1e-4, -1e-4],
    [nan ? Number.NaN : 7, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2, -2, 0.1, -0.1, 1, -1, 50],
  ]);
  return cat([randn([b, 10]).mul(3), edge], 0);
}

function ids(b: number, t: number, n: number): Tensor {
  return randint(0, n, [b, t]).to('int32');
}

const activations: [string, () => Module][] = [
  ['ReLU', () => new nn.ReLU()],
  ['LeakyReLU', () => new nn.LeakyReLU(0.2)],
  ['Sigmoid', () => new nn.Sigmoid()],
  ['Tanh', () => new nn.Tanh()],
  ['Softmax', () => new nn.Softmax(1)],
  ['LogSoftmax', () => new nn.LogSoftmax(1)],
  ['Softmin', () => new nn.Softmin(1)],
  ['Softplus', () => new nn.Softplus()],
  ['Softplus(2, 5)', () => new nn.Softplus(2, 5)],
  ['GELU', () => new nn.GELU()],
  ['GELU tanh', () => new nn.GELU('tanh')],
  ['ELU', () => new nn.ELU(0.5)],
  ['Step', () => new nn.Step()],
  ['Hardtanh', () => new nn.Hardtanh(-2, 1.5)],
  ['ReLU6', () => new nn.ReLU6()],
  ['SiLU', () => new nn.SiLU()],
  ['Mish', () => new nn.Mish()],
  ['SELU', () => new nn.SELU()],
  ['CELU', () => new nn.CELU(0.7)],
  ['Hardswish', () => new nn.Hardswish()],
  ['Hardsigmoid', () => new nn.Hardsigmoid()],
  ['Softsign', () => new nn.Softsign()],
  ['Tanhshrink', () => new nn.Tanhshrink()],
  ['Softshrink', () => new nn.Softshrink(0.3)],
  ['Hardshrink', () => new nn.Hardshrink(0.4)],
  ['Threshold', () => new nn.Threshold(0.1, -2)],
  ['LogSigmoid', () => new nn.LogSigmoid()],
  ['GLU', () => new nn.GLU(1)],
  ['Sign', () => new nn.Sign()],
  ['Sign zero=1', () => new nn.Sign({ zero: 1 })],
  ['Scale', () => new nn.Scale(5, new nn.ReLU())],
];

/** A BatchNorm1d whose running statistics moved away from 0 and 1. */
function trainedBatchNorm(c: number, l?: number): nn.BatchNorm1d {
  const bn = new nn.BatchNorm1d(c);
  for (let i = 0; i < 3; i++) bn.forward(randn(l ? [8, c, l] : [8, c]).mul(2).add(1));
  bn.weight?.data.set(randn([c]).dataSync());
  bn.bias?.data.set(randn([c]).dataSync());
  return bn;
}

const cases: Case[] = [
  ...activations.map(([name, make]): Case => {
    return { name, make, inputs: (b) => [activationInput(b, true)], inAxes: [B], outAxes: [B], opsets: [13, 17] };
  }),
  { name: 'Linear', make: () => new nn.Linear(4, 3), inputs: (b) => [randn([b, 4])], inAxes: [B], outAxes: [B] },
  { name: 'Linear 3-d, no bias', make: () => new nn.Linear(4, 3, { bias: false }), inputs: (b, t) => [randn([b, t, 4])], inAxes: [BT], outAxes: [BT] },
  {
    name: 'Sequential MLP with Dropout',
    make: () => new nn.Sequential(new nn.Linear(5, 8), new nn.Tanh(), new nn.Dropout(0.4), new nn.Linear(8, 3), new nn.LogSoftmax(1)),
    inputs: (b) => [randn([b, 5])],
    inAxes: [B],
    outAxes: [B],
  },
  { name: 'Identity', make: () => new nn.Identity(), inputs: (b) => [randn([b, 3])], inAxes: [B], outAxes: [B] },
  { name: 'Flatten', make: () => new nn.Flatten(), inputs: (b, t) => [randn([b, 3, t])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [B] },
  { name: 'Flatten(0, 1)', make: () => new nn.Flatten(0, 1), inputs: (b, t) => [randn([b, t, 4])], inAxes: [BT], outAxes: [{ 0: 'rows' }] },
  { name: 'Embedding', make: () => new nn.Embedding(10, 4, { paddingIdx: 0 }), inputs: (b, t) => [ids(b, t, 10)], inAxes: [BT], outAxes: [BT] },
  ...(['sum', 'mean', 'max'] as const).flatMap((mode): Case[] => [
    { name: `EmbeddingBag ${mode}`, make: () => new nn.EmbeddingBag(12, 3, { mode }), inputs: (b, t) => [ids(b, t, 12)], inAxes: [BT], outAxes: [B] },
    {
      name: `EmbeddingBag ${mode} with paddingIdx`,
      make: () => new nn.EmbeddingBag(6, 3, { mode, paddingIdx: 0 }),
      // the last bag is padding only
      inputs: (b, t) => [cat([ids(b, t, 6), tensor([new Array(t).fill(0)], { dtype: 'int32' })], 0)],
      inAxes: [BT],
      outAxes: [B],
    },
  ]),
  { name: 'LayerNorm', make: () => withRandomAffine(new nn.LayerNorm(6)), inputs: (b, t) => [randn([b, t, 6]).mul(3)], inAxes: [BT], outAxes: [BT], opsets: [13, 17] },
  { name: 'LayerNorm [3, 4] no affine', make: () => new nn.LayerNorm([3, 4], { elementwiseAffine: false, eps: 1e-3 }), inputs: (b) => [randn([b, 3, 4])], inAxes: [B], outAxes: [B], opsets: [13, 17] },
  { name: 'BatchNorm1d [N, C]', make: () => trainedBatchNorm(4), inputs: (b) => [randn([b, 4])], inAxes: [B], outAxes: [B] },
  { name: 'BatchNorm1d [N, C, L]', make: () => trainedBatchNorm(3, 5), inputs: (b, t) => [randn([b, 3, t])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'len' }] },
  { name: 'Conv1d padding 1', make: () => new nn.Conv1d(3, 4, 3, { padding: 1 }), inputs: (b, t) => [randn([b, 3, t + 4])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'len' }] },
  {
    name: 'Conv1d stride 2, dilation 2, groups 2, no bias',
    make: () => new nn.Conv1d(4, 6, 3, { stride: 2, dilation: 2, groups: 2, bias: false }),
    inputs: (b, t) => [randn([b, 4, t + 6])],
    inAxes: [{ 0: 'batch', 2: 'len' }],
    outAxes: [{ 0: 'batch', 2: 'out' }],
  },
  { name: "Conv1d padding 'same', even kernel", make: () => new nn.Conv1d(2, 3, 4, { padding: 'same' }), inputs: (b, t) => [randn([b, 2, t + 4])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'len' }] },
  { name: 'Conv1d unbatched [C, L]', make: () => new nn.Conv1d(2, 3, 3), inputs: (_b, t) => [randn([2, t + 4])], inAxes: [{ 1: 'len' }], outAxes: [{ 1: 'out' }] },
  { name: 'MaxPool1d', make: () => new nn.MaxPool1d(2), inputs: (b, t) => [randn([b, 3, 2 * t + 2])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'out' }] },
  { name: 'MaxPool1d stride 2, padding 1', make: () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }), inputs: (b, t) => [randn([b, 3, t + 5])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'out' }] },
  { name: 'AvgPool1d padding 1', make: () => new nn.AvgPool1d(3, { stride: 1, padding: 1 }), inputs: (b, t) => [randn([b, 3, t + 3])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [{ 0: 'batch', 2: 'len' }] },
  { name: 'AdaptiveMaxPool1d(1)', make: () => new nn.AdaptiveMaxPool1d(1), inputs: (b, t) => [randn([b, 3, t + 1])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [B] },
  { name: 'AdaptiveAvgPool1d(1)', make: () => new nn.AdaptiveAvgPool1d(1), inputs: (b, t) => [randn([b, 3, t + 1])], inAxes: [{ 0: 'batch', 2: 'len' }], outAxes: [B] },
  {
    name: 'CNN: Conv1d, ReLU, MaxPool1d, Flatten, Linear',
    make: () => new nn.Sequential(new nn.Conv1d(2, 4, 3), new nn.ReLU(), new nn.AdaptiveMaxPool1d(1), new nn.Flatten(), new nn.Linear(4, 2)),
    inputs: (b, t) => [randn([b, 2, t + 3])],
    inAxes: [{ 0: 'batch', 2: 'len' }],
    outAxes: [B],
  },
  { name: 'RNN tanh', make: () => new nn.RNN(3, 4), inputs: (b, t) => [randn([t, b, 3])], inAxes: [TB], outAxes: [TB, { 1: 'batch' }] },
  {
    name: 'RNN relu, 2 layers, bidirectional',
    make: () => new nn.RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, bidirectional: true }),
    inputs: (b, t) => [randn([t, b, 3])],
    inAxes: [TB],
    outAxes: [TB, { 1: 'batch' }],
  },
  { name: 'GRU', make: () => new nn.GRU(3, 5), inputs: (b, t) => [randn([t, b, 3])], inAxes: [TB], outAxes: [TB, { 1: 'batch' }] },
  {
    name: 'GRU 2 layers, bidirectional, batchFirst',
    make: () => new nn.GRU(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }),
    inputs: (b, t) => [randn([b, t, 3])],
    inAxes: [BT],
    outAxes: [BT, { 1: 'batch' }],
  },
  { name: 'GRU no bias', make: () => new nn.GRU(3, 4, { bias: false }), inputs: (b, t) => [randn([t, b, 3])], inAxes: [TB], outAxes: [TB, { 1: 'batch' }] },
  { name: 'LSTM', make: () => new nn.LSTM(3, 5), inputs: (b, t) => [randn([t, b, 3])], inAxes: [TB], outAxes: [TB, { 1: 'batch' }, { 1: 'batch' }] },
  {
    name: 'LSTM 2 layers, bidirectional, batchFirst',
    make: () => new nn.LSTM(4, 3, { numLayers: 2, bidirectional: true, batchFirst: true }),
    inputs: (b, t) => [randn([b, t, 4])],
    inAxes: [BT],
    outAxes: [BT, { 1: 'batch' }, { 1: 'batch' }],
  },
  { name: 'LSTM no bias, 3 layers', make: () => new nn.LSTM(2, 3, { bias: false, numLayers: 3 }), inputs: (b, t) => [randn([t, b, 2])], inAxes: [TB], outAxes: [TB, { 1: 'batch' }, { 1: 'batch' }] },
];

function withRandomAffine(m: nn.LayerNorm): nn.LayerNorm {
  m.weight?.data.set(randn(m.normalizedShape).dataSync());
  m.bias?.data.set(randn(m.normalizedShape).dataSync());
  return m;
}

checkCases(cases);

test("ReLU at NaN: the exported Relu gives NaN, as PyTorch's relu and chainrule's relu do", async () => {
  const m = new nn.ReLU();
  const x = tensor([Number.NaN, -1, 2]);
  const s = await session(await exportOnnx(m, [x]));
  const y = (await runOrt(s, { input_0: x })).output_0.data as Float32Array;
  assert.ok(Number.isNaN(y[0]));
  assert.deepEqual(Array.from(y.subarray(1)), [0, 2]);
  const z = m.forward(x).toArray() as number[];
  assert.ok(Number.isNaN(z[0]));
  assert.deepEqual(z.slice(1), [0, 2]);
});

test('every activation module of nn has an ONNX export case', () => {
  const covered = new Set(activations.map(([, make]) => make().constructor.name));
  const all = Object.entries(nn)
    .filter(([, v]) => typeof v === 'function' && 'op' in v)
    .map(([k]) => k);
  assert.ok(all.length > 25, `found ${all.length} activation modules`);
  for (const name of all) assert.ok(covered.has(name), `${name} has no ONNX export case`);
});

test('exportOnnx names the module and its path when a module has no ONNX form', async () => {
  const m = new nn.Sequential(new nn.Linear(2, 3), new nn.LocalResponseNorm(2));
  await assert.rejects(exportOnnx(m, [randn([1, 2])]), /exportOnnx: LocalResponseNorm at 1: has no ONNX exporter/);
  class Custom extends nn.Module {
    forward(x: Tensor): Tensor {
      return x.mul(2);
    }
  }
  await assert.rejects(exportOnnx(new nn.Sequential(new nn.ReLU(), new nn.Sequential(new Custom())), [randn([1, 2])]), /Custom at 1\.0: has no ONNX exporter/);
});

test('exportOnnx names the op and the module path when an op has no ONNX mapping', async () => {
  const cube = unaryOp({
    name: 'cubeForOnnxTest',
    doc: 'x³ (a test op without an ONNX mapping).',
    kernel: unaryKernel('cubeForOnnxTest', (v) => v * v * v),
    backward: (g, x) => g.mul(x.mul(x).mul(3)),
    module: 'Cube',
  });
  const Cube = nn.activationModule(cube);
  const m = new nn.Sequential(new nn.Linear(2, 2), new Cube());
  await assert.rejects(exportOnnx(m, [randn([1, 2])]), /exportOnnx: Cube at 1: the op cubeForOnnxTest has no ONNX mapping/);
});

test('exportOnnx rejects bad options and inputs with one clear error each', async () => {
  const m = new nn.Linear(2, 2);
  const x = [randn([1, 2])];
  await assert.rejects(exportOnnx(m, x, { opset: 12 }), /opset must be an integer from 13 to 17, got 12/);
  await assert.rejects(exportOnnx(m, x, { opset: 18 }), /opset must be an integer from 13 to 17, got 18/);
  await assert.rejects(exportOnnx(m, []), /exampleInputs must be a non-empty array of tensors/);
  await assert.rejects(exportOnnx(m, x, { dynamicAxes: { input: [0] } }), /dynamicAxes names "input", which is no input or output \(have input_0, output_0\)/);
  await assert.rejects(exportOnnx(m, x, { dynamicAxes: { input_0: [2] } }), /dynamicAxes of input_0: axis 2 is out of range for rank 2/);
  await assert.rejects(exportOnnx(m, x, { inputNames: ['a', 'b'] }), /inputNames must be 1 non-empty strings/);
  await assert.rejects(exportOnnx(m, x, { inputNames: ['x'], outputNames: ['x'] }), /the output name "x" is used twice/);
  await assert.rejects(exportOnnx(m, [randn([1, 3])]), /Linear/);
  await assert.rejects(exportOnnx(new nn.BatchNorm1d(2, { trackRunningStats: false }), [randn([3, 2])]), /BatchNorm1d at \(root\): has no running statistics/);
  await assert.rejects(exportOnnx(new nn.AdaptiveAvgPool1d(2), [randn([1, 2, 6])]), /AdaptiveAvgPool1d at \(root\): outputSize 2/);
  await assert.rejects(exportOnnx(new nn.EmbeddingBag(5, 2), [tensor([1, 2, 3], { dtype: 'int32' })]), /EmbeddingBag at \(root\): exports bags as rows of a 2-d input/);
  await assert.rejects(exportOnnx(new nn.GRU(2, 3), [randn([4, 2])]), /GRU at \(root\): exports a batched input \(3-d\), got \[4,2\]/);
});

test('exportOnnx leaves the module as it was: training mode and weights', async () => {
  const m = new nn.Sequential(new nn.Linear(3, 3), new nn.Dropout(0.5), new nn.BatchNorm1d(3));
  m.train();
  const before = m.stateDict();
  const snapshot = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, Array.from(v.dataSync())]));
  await exportOnnx(m, [randn([4, 3])], { inputNames: ['x'], outputNames: ['y'] });
  assert.equal(m.training, true);
  for (const c of m.modules()) assert.equal(c.training, true);
  for (const [k, v] of Object.entries(m.stateDict())) assert.deepEqual(Array.from(v.dataSync()), snapshot[k], k);
});

test('the exported file names its inputs, outputs and weights as given, and fixes axes not declared free', async () => {
  manualSeed(3);
  const m = new nn.Sequential(new nn.Linear(3, 2), new nn.Sigmoid()).eval();
  const bytes = await exportOnnx(m, [randn([2, 3])], { inputNames: ['features'], outputNames: ['probability'] });
  const s = await session(bytes);
  assert.deepEqual(s.inputNames, ['features']);
  assert.deepEqual(s.outputNames, ['probability']);
  const x = randn([2, 3]);
  assertClose((await runOrt(s, { features: x })).probability, m.forward(x), 'static');
  // batch 2 was not declared free: ONNX Runtime refuses another batch size
  await assert.rejects(runOrt(s, { features: randn([5, 3]) }), /dimension|shape|Got invalid/i);
  const text = Buffer.from(bytes).toString('latin1');
  assert.ok(text.includes('0.weight') && text.includes('1') && text.includes('chainrule'));
});

test('writeOnnx writes atomically: a complete file, or an error and nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-'));
  const bytes = await exportOnnx(new nn.Linear(2, 1), [randn([1, 2])]);
  const path = join(dir, 'model.onnx');
  writeFileSync(path, 'old');
  writeOnnx(path, bytes);
  assert.deepEqual(Uint8Array.from(readFileSync(path)), Uint8Array.from(bytes));
  assert.deepEqual(readdirSync(dir), ['model.onnx']);
  assert.throws(() => writeOnnx(join(dir, 'missing', 'm.onnx'), bytes), /writeOnnx: cannot write .*missing/);
  assert.equal(existsSync(join(dir, 'missing')), false);
  assert.throws(() => writeOnnx(path, new Uint8Array(0)), /writeOnnx: expected the model's bytes/);
  assert.deepEqual(Uint8Array.from(readFileSync(path)), Uint8Array.from(bytes));
});
