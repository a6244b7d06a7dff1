import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChainruleError, type Tensor, manualSeed, nn, ones, randn, tensor, zeros } from 'chainrule';

class Net extends nn.Module {
  layers = [new nn.Linear(3, 4), new nn.Linear(4, 2)];
  head = new nn.Sequential(new nn.ReLU(), new nn.Linear(2, 1));
  scale = new nn.Parameter(ones([1]));
  forward(x: Tensor): Tensor {
    let h = x;
    for (const l of this.layers) h = l.call(h).tanh();
    return this.head.call(h).mul(this.scale);
  }
}

test('parameters are found by walking fields, with dotted names (own first, as PyTorch)', () => {
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ['scale', 'layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'head.1.weight', 'head.1.bias'],
  );
  assert.equal(net.parameters().length, 7);
  assert.deepEqual(
    net.namedChildren().map(([n]) => n),
    ['layers.0', 'layers.1', 'head'],
  );
  assert.deepEqual(
    net.namedModules().map(([n]) => n),
    ['', 'layers.0', 'layers.1', 'head', 'head.0', 'head.1'],
  );
  assert.equal(net.numParameters(), 3 * 4 + 4 + 4 * 2 + 2 + 2 + 1 + 1);
});

test('a shared module is counted once', () => {
  const shared = new nn.Linear(2, 2);
  const seq = new nn.Sequential(shared, new nn.Tanh(), shared);
  assert.equal(seq.parameters().length, 2);
  assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias']);
});

test('summary: per-layer and total counts, (D+1)H + (H+1)C for one hidden layer', () => {
  const [D, H, C] = [64, 32, 10];
  const model = new nn.Sequential(new nn.Linear(D, H), new nn.ReLU(), new nn.Linear(H, C));
  const s = model.toString();
  const total = (D + 1) * H + (H + 1) * C;
  assert.equal(total, 2410);
  assert.match(s, /\(0\): Linear\(inFeatures=64, outFeatures=32, bias=true\) {2}# 2080 parameters/);
  assert.match(s, /\(1\): ReLU\(\)\n/);
  assert.match(s, /\(2\): Linear\(inFeatures=32, outFeatures=10, bias=true\) {2}# 330 parameters/);
  assert.match(s, /Total parameters: 2410 \(2410 trainable\)/);
});

test('train/eval flags reach every descendant; zeroGrad clears gradients; apply visits all', () => {
  const net = new Net();
  net.eval();
  assert.ok(net.modules().every((m) => !m.training));
  net.train();
  assert.ok(net.modules().every((m) => m.training));
  net.call(randn([2, 3])).sum().backward();
  assert.ok(net.parameters().every((p) => p.grad !== null));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
  const seen: string[] = [];
  net.apply((m) => seen.push(m.constructor.name));
  assert.deepEqual(seen, ['Linear', 'ReLU', 'Sequential', 'Linear', 'Linear', 'Net']);
});

test('stateDict round-trips; loadStateDict validates keys, shapes and dtypes before touching anything', () => {
  manualSeed(1);
  const a = new Net();
  const b = new Net();
  b.loadStateDict(a.stateDict());
  const x = randn([5, 3]);
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());

  const c = new Net();
  const before = c.stateDict();
  const snapshot = Object.fromEntries(Object.entries(before).map(([k, v]) => [k, Array.from(v.data)]));
  const bad = { ...a.stateDict() };
  delete bad['layers.1.bias'];
  bad['extra.weight'] = zeros([1]);
  bad['layers.0.weight'] = zeros([3, 4]);
  bad.scale = zeros([1], { dtype: 'float64' });
  let msg = '';
  try {
    c.loadStateDict(bad);
  } catch (e) {
    assert.ok(e instanceof ChainruleError);
    msg = (e as Error).message;
  }
  assert.match(msg, /4 problem\(s\), nothing was loaded/);
  assert.match(msg, /missing key "layers.1.bias"/);
  assert.match(msg, /unexpected key "extra.weight"/);
  assert.match(msg, /"layers.0.weight" has shape \[3, 4\], the module expects \[4, 3\]/);
  assert.match(msg, /"scale" has dtype float64, the module expects float32/);
  for (const [k, v] of Object.entries(c.stateDict())) assert.deepEqual(Array.from(v.data), snapshot[k], `${k} untouched`);

  const partial = { 'layers.0.weight': a.layers[0].weight.detach(), junk: zeros([1]) };
  const r = c.loadStateDict(partial, { strict: false });
  assert.deepEqual(r.unexpectedKeys, ['junk']);
  assert.equal(r.missingKeys.length, 6);
  assert.deepEqual(Array.from(c.layers[0].weight.data), Array.from(a.layers[0].weight.data));
});

test('to(dtype) converts parameters and buffers', () => {
  const m = new nn.Sequential(new nn.Linear(2, 3), new nn.BatchNorm1d(3)).to('float64');
  assert.ok(m.parameters().every((p) => p.dtype === 'float64' && p.requiresGrad && p instanceof nn.Parameter));
  const sd = m.stateDict();
  assert.equal(sd['1.running_mean'].dtype, 'float64');
  assert.equal(sd['1.num_batches_tracked'].dtype, 'int32');
  assert.deepEqual(Object.keys(sd), ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']);
});

test('wrong input shape names the module path, the layer and both shapes', () => {
  const model = new nn.Sequential(new nn.Linear(100, 64), new nn.ReLU(), new nn.Linear(64, 10));
  assert.throws(() => model.call(randn([32, 50])), { message: 'model.0 (Linear 100->64) expected [*, 100], got [32, 50]' });
  const inner = new nn.Sequential(new nn.Linear(50, 50), new nn.Tanh(), new nn.Linear(50, 10));
  assert.throws(() => inner.forward(randn([32, 50]).matmul(randn([50, 3]))), /^ModuleInputError: model\.0 \(Linear 50->50\)|model\.0 \(Linear 50->50\) expected \[\*, 50\], got \[32, 3\]/);
  const net = new Net();
  assert.throws(() => net.call(randn([2, 5])), { name: 'ModuleInputError', message: 'model.layers.0 (Linear 3->4) expected [*, 3], got [2, 5]' });
  const deep = new nn.Sequential(new nn.Linear(4, 64), new nn.ReLU(), new nn.Linear(50, 10));
  assert.throws(() => deep.call(randn([32, 4])), { message: 'model.2 (Linear 50->10) expected [*, 50], got [32, 64]' });
});

test('Parameter wraps a float tensor and requires grad; containers index and iterate', () => {
  const p = new nn.Parameter(tensor([1, 2]));
  assert.ok(p.requiresGrad && p.isLeaf);
  assert.throws(() => new nn.Parameter(tensor([1], { dtype: 'int32' })), /float/);
  const list = new nn.ModuleList([new nn.Linear(2, 2)]).append(new nn.Linear(2, 3));
  assert.equal(list.length, 2);
  assert.deepEqual(Object.keys(list.stateDict()), ['0.weight', '0.bias', '1.weight', '1.bias']);
  const dict = new nn.ModuleDict({ enc: new nn.Linear(2, 2), dec: new nn.Linear(2, 1) });
  assert.deepEqual(Object.keys(dict.stateDict()), ['enc.weight', 'enc.bias', 'dec.weight', 'dec.bias']);
  assert.throws(() => dict.get('nope'), /no module named "nope"/);
  const seq = new nn.Sequential(new nn.Linear(2, 2), new nn.Sigmoid());
  assert.equal([...seq].length, 2);
  assert.ok(seq.at(-1) instanceof nn.Sigmoid);
});

test('requiresGrad_ freezes parameters; double/float convert', () => {
  const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
  model.at(0).requiresGrad_(false);
  assert.equal(model.numParameters(true), 5);
  assert.equal(model.numParameters(), 21);
  assert.match(model.toString(), /Total parameters: 21 \(5 trainable\)/);
  model.call(randn([2, 3])).sum().backward();
  assert.equal((model.at(0) as nn.Linear).weight.grad, null);
  assert.ok((model.at(2) as nn.Linear).weight.grad !== null);
  assert.equal(model.double().parameters()[0].dtype, 'float64');
  assert.equal(model.float().parameters()[0].dtype, 'float32');
});
