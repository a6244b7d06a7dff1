// importOnnx: models exported by PyTorch (scripts/fixtures/onnx_import.py, torch.onnx.export in
// torch 1.13) reproduce PyTorch's logits within 1e-5 and train in chainrule; chainrule's own
// exports round-trip; bad files are errors naming the node.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import pkg from 'onnx-proto';
import { type Tensor, exportOnnx, importOnnx, manualSeed, nn, optim, randn, randint, tensor } from 'chainrule';
import { maxError } from './onnx-helpers.js';

const { onnx } = pkg as unknown as { onnx: { ModelProto: { decode(b: Uint8Array): { opsetImport: { version: number }[] }; encode(m: unknown): { finish(): Uint8Array } } } };

interface Run {
  input: number[] | number[][];
  shape: number[];
  logits: number[][];
}
const FIX = JSON.parse(readFileSync('test/fixtures/onnx/import.json', 'utf8')) as {
  cases: Record<string, { file: string; opset: number; dtype: 'float32' | 'int32'; runs: Run[] }>;
};
const bytesOf = (file: string) => new Uint8Array(readFileSync(`test/fixtures/onnx/${file}`));

for (const [name, c] of Object.entries(FIX.cases)) {
  test(`importOnnx reproduces PyTorch's logits within 1e-5: ${name} (opset ${c.opset}), batch 1 and 4`, async () => {
    const m = await importOnnx(bytesOf(c.file));
    assert.deepEqual(m.inputNames, ['x']);
    assert.deepEqual(m.outputNames, ['logits']);
    for (const r of c.runs) {
      const x = tensor(r.input as number[][], { dtype: c.dtype });
      const y = m.forward(x) as Tensor;
      assert.deepEqual(y.shape, [r.shape[0], r.logits[0].length]);
      const err = maxError(y.dataSync(), r.logits.flat());
      assert.ok(err <= 1e-5, `${name}: max error ${err}`);
    }
  });
}

test("an imported PyTorch model keeps PyTorch's parameter names and fine-tunes in chainrule", async () => {
  const m = await importOnnx(bytesOf('mlp.onnx'));
  assert.deepEqual(Object.keys(m.stateDict()), ['fc1.weight', 'fc1.bias', 'norm.weight', 'norm.bias', 'fc2.weight', 'fc2.bias', 'out.weight', 'out.bias']);
  manualSeed(5);
  const x = randn([32, 6]);
  const target = randint(0, 3, [32]).to('int32');
  const loss = () => new nn.CrossEntropyLoss().forward(m.forward(x) as Tensor, target);
  const opt = new optim.Adam(m.parameters(), { lr: 0.01 });
  const first = loss().item();
  for (let i = 0; i < 30; i++) {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    for (const [n, p] of m.namedParameters()) assert.ok(p.grad && p.grad.abs().sum().item() > 0, `${n} gets a gradient`);
    opt.step();
  }
  const last = loss().item();
  assert.ok(last < first * 0.7, `loss ${first} -> ${last}`);
});

test('the PyTorch-exported text CNN (Embedding, Conv1d with BatchNorm folded in, mean, Linear) fine-tunes in chainrule: the loss goes down', async () => {
  const m = await importOnnx(bytesOf('cnn.onnx'));
  manualSeed(8);
  const ids = randint(0, 20, [16, 7]).to('int32');
  const target = randint(0, 2, [16]).to('int32');
  const loss = () => new nn.CrossEntropyLoss().forward(m.forward(ids) as Tensor, target);
  const opt = new optim.Adam(m.parameters(), { lr: 0.02 });
  const first = loss().item();
  for (let i = 0; i < 10; i++) {
    opt.zeroGrad();
    loss().backward();
    opt.step();
  }
  const last = loss().item();
  assert.ok(m.parameters().length >= 4, `${m.parameters().length} parameters`);
  assert.ok(last < first * 0.9, `loss ${first} -> ${last}`);
});

test('chainrule -> ONNX -> chainrule round-trips the covered modules that the importer runs', async () => {
  manualSeed(11);
  const cases: [string, nn.Module, Tensor, number][] = [
    ['MLP', new nn.Sequential(new nn.Linear(4, 6), new nn.GELU(), new nn.LayerNorm(6), new nn.Linear(6, 2), new nn.LogSoftmax(1)), randn([3, 4]), 17],
    ['MLP opset 13', new nn.Sequential(new nn.Linear(4, 6), new nn.Sigmoid(), new nn.LayerNorm(6), new nn.Linear(6, 2)), randn([3, 4]), 13],
    ['Embedding + Flatten', new nn.Sequential(new nn.Embedding(9, 3), new nn.Flatten()), randint(0, 9, [2, 5]).to('int32'), 17],
    ['Conv1d + BatchNorm1d', new nn.Sequential(new nn.Conv1d(2, 3, 3, { padding: 1 }), new nn.BatchNorm1d(3), new nn.Tanh()), randn([2, 2, 6]), 17],
  ];
  for (const [name, m, x, opset] of cases) {
    m.eval();
    const back = await importOnnx(await exportOnnx(m, [x], { opset }));
    const want = (m as unknown as { forward(x: Tensor): Tensor }).forward(x);
    const got = back.forward(x) as Tensor;
    assert.deepEqual(got.shape, want.shape, name);
    assert.ok(maxError(got.dataSync(), want.dataSync()) <= 1e-6, name);
  }
});

test('importOnnx: a truncated or foreign file, an unsupported operator or opset is an error naming the node', async () => {
  const good = bytesOf('mlp.onnx');
  await assert.rejects(importOnnx(good.subarray(0, good.length - 40)), /importOnnx: not an ONNX model, or a truncated one/);
  await assert.rejects(importOnnx(new TextEncoder().encode('hello, this is not a model')), /importOnnx: (not an ONNX model|the file holds no graph)/);
  await assert.rejects(importOnnx(new Uint8Array(0)), /importOnnx: expected the bytes of an \.onnx file/);
  await assert.rejects(importOnnx(await exportOnnx(new nn.GRU(2, 3), [randn([4, 1, 2])])), /importOnnx: node GRU(_\d+)? \(GRU\): the operator GRU is not supported/);
  const m = onnx.ModelProto.decode(good);
  m.opsetImport[0].version = 18;
  await assert.rejects(importOnnx(onnx.ModelProto.encode(m).finish()), /importOnnx: opset 18 is not supported \(13 to 17\)/);
});
