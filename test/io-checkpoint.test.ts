import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainruleError, Generator, type Tensor, data, loadCheckpoint, manualSeed, nn, optim, rand, randn, saveCheckpoint, tensor } from 'chainrule';

/** A two-layer MLP on plain tensors with dropout drawn from the global RNG: everything a resume must restore. */
class TinyNet {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
  training = true;
  constructor(seed: number) {
    const g = new Generator(seed);
    this.w1 = randn([8, 3], { dtype: 'float64', generator: g, requiresGrad: true });
    this.b1 = randn([8], { dtype: 'float64', generator: g, requiresGrad: true });
    this.w2 = randn([2, 8], { dtype: 'float64', generator: g, requiresGrad: true });
    this.b2 = randn([2], { dtype: 'float64', generator: g, requiresGrad: true });
  }
  parameters(): Tensor[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }
  forward(x: Tensor): Tensor {
    let h = x.matmul(this.w1.T).add(this.b1).tanh();
    if (this.training) h = h.mul(rand(h.shape, { dtype: 'float64' }).gt(0.3).double()).div(0.7);
    return h.matmul(this.w2.T).add(this.b2);
  }
  stateDict(): Record<string, Tensor> {
    return { 'fc1.weight': this.w1, 'fc1.bias': this.b1, 'fc2.weight': this.w2, 'fc2.bias': this.b2 };
  }
  loadStateDict(sd: Record<string, Tensor>): void {
    const own = this.stateDict();
    for (const k of Object.keys(own)) if (!sd[k]) throw new ChainruleError(`TinyNet: missing ${k}`);
    for (const [k, t] of Object.entries(own)) t.data.set(sd[k].data);
  }
}

const X = randn([40, 3], { dtype: 'float64', generator: new Generator(11) });
const Y = randn([40, 2], { dtype: 'float64', generator: new Generator(12) });

interface Run {
  net: TinyNet;
  opt: optim.Optimizer;
  sched: optim.LRScheduler;
  loaderGen: Generator;
  loader: data.DataLoader<Tensor[], Tensor[]>;
}

function setup(kind: 'sgd' | 'adam'): Run {
  const net = new TinyNet(1);
  const opt = kind === 'sgd' ? new optim.SGD(net.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true }) : new optim.Adam(net.parameters(), { lr: 0.01, amsgrad: true });
  const sched = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
  const loaderGen = new Generator(99);
  const loader = new data.DataLoader<Tensor[], Tensor[]>(new data.TensorDataset(X, Y), { batchSize: 8, shuffle: true, generator: loaderGen });
  return { net, opt, sched, loaderGen, loader };
}

function trainEpochs(r: Run, epochs: number): void {
  for (let e = 0; e < epochs; e++) {
    for (const [xb, yb] of r.loader) {
      r.opt.zeroGrad();
      r.net.forward(xb).sub(yb).square().mean().backward();
      r.opt.step();
    }
    r.sched.step();
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'chainrule-ckpt-'));

describe('training checkpoints', () => {
  for (const kind of ['sgd', 'adam'] as const) {
    it(`${kind}: 4 epochs straight equal 2 + saveCheckpoint + fresh objects + loadCheckpoint + 2, bit for bit`, () => {
      manualSeed(2024);
      const straight = setup(kind);
      trainEpochs(straight, 4);

      manualSeed(2024);
      const first = setup(kind);
      trainEpochs(first, 2);
      const path = join(tmp, `${kind}.ckpt`);
      saveCheckpoint(path, { model: first.net, optimizer: first.opt, scheduler: first.sched, epoch: 2, generators: { loader: first.loaderGen }, extra: { best: 0.5 } });
      manualSeed(777); // the global RNG moves on in between; the checkpoint must restore it

      const resumed = setup(kind);
      const info = loadCheckpoint(path, { model: resumed.net, optimizer: resumed.opt, scheduler: resumed.sched, generators: { loader: resumed.loaderGen } });
      assert.equal(info.epoch, 2);
      assert.deepEqual(info.extra, { best: 0.5 });
      trainEpochs(resumed, 2);

      for (const [k, t] of Object.entries(straight.net.stateDict())) {
        assert.deepEqual([...resumed.net.stateDict()[k].data], [...t.data], k);
      }
      assert.equal(resumed.opt.paramGroups[0].lr, straight.opt.paramGroups[0].lr);
      // and the stopped run was really different from the start (the test can fail)
      assert.notDeepEqual([...first.net.w1.data], [...straight.net.w1.data]);
    });
  }

  it('a bad checkpoint lists every problem and leaves model and optimizer untouched', () => {
    manualSeed(1);
    const r = setup('adam');
    trainEpochs(r, 1);
    const path = join(tmp, 'good.ckpt');
    saveCheckpoint(path, { model: r.net, optimizer: r.opt, scheduler: r.sched, epoch: 1 });

    const other = setup('adam');
    const w1 = [...other.net.w1.data];
    const optBefore = JSON.stringify(other.opt.stateDict().paramGroups);
    const sgd = new optim.SGD(other.net.parameters(), { lr: 0.1 });
    assert.throws(
      () => loadCheckpoint(path, { model: other.net, optimizer: sgd }),
      (e: unknown) => e instanceof ChainruleError && /the checkpoint holds a Adam optimizer, not a SGD/.test(e.message),
    );
    // a model with a different layer shape and an extra key
    const wrong = new TinyNet(2);
    wrong.w2 = randn([3, 8], { dtype: 'float64', requiresGrad: true });
    wrong.b1 = randn([8], { requiresGrad: true }); // float32 where the checkpoint has float64
    const wrongSd = wrong.stateDict.bind(wrong);
    wrong.stateDict = () => ({ ...wrongSd(), 'fc3.weight': tensor([1]) });
    assert.throws(
      () => loadCheckpoint(path, { model: wrong }),
      (e: unknown) =>
        e instanceof ChainruleError &&
        /missing model keys: fc3.weight/.test(e.message) &&
        /model fc2.weight: shape \[2,8\] in the checkpoint, \[3,8\] in the model/.test(e.message) &&
        /model fc1.bias: dtype float64 in the checkpoint, float32 in the model/.test(e.message) &&
        /nothing was loaded/.test(e.message),
    );
    // a truncated file
    const bytes = readFileSync(path);
    const cut = join(tmp, 'cut.ckpt');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    assert.throws(() => loadCheckpoint(cut, { model: other.net, optimizer: other.opt }), /truncated file/);
    assert.deepEqual([...other.net.w1.data], w1);
    assert.equal(JSON.stringify(other.opt.stateDict().paramGroups), optBefore);
    assert.equal(other.opt.state.size, 0);
  });

  it('a failure while applying rolls every part back', () => {
    manualSeed(3);
    const r = setup('sgd');
    trainEpochs(r, 1);
    const path = join(tmp, 'roll.ckpt');
    saveCheckpoint(path, { model: r.net, optimizer: r.opt, scheduler: r.sched });
    const target = setup('sgd');
    const w1 = [...target.net.w1.data];
    const failing = new optim.ExponentialLR(target.opt, { gamma: 0.5 });
    // same class name check passes only for a StepLR; use one whose state cannot load
    const fake = Object.assign(Object.create(optim.StepLR.prototype), failing) as optim.StepLR;
    fake.loadStateDict = () => {
      throw new ChainruleError('boom');
    };
    assert.throws(() => loadCheckpoint(path, { model: target.net, optimizer: target.opt, scheduler: fake }), /boom \(nothing was loaded\)/);
    assert.deepEqual([...target.net.w1.data], w1);
    assert.equal(target.opt.state.size, 0);
  });
});

describe('checkpoints with nn modules', () => {
  it('an nn.Sequential with dropout, Adam and a cosine schedule resumes bit for bit', () => {
    const build = () => {
      manualSeed(5);
      const model = new nn.Sequential(new nn.Linear(3, 16), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(16, 2));
      const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
      const sched = new optim.CosineAnnealingLR(opt, { tMax: 4 });
      const gen = new Generator(8);
      const loader = new data.DataLoader<Tensor[], Tensor[]>(new data.TensorDataset(X.float(), Y.float()), { batchSize: 10, shuffle: true, generator: gen });
      return { model, opt, sched, gen, loader };
    };
    const run = (r: ReturnType<typeof build>, epochs: number) => {
      const mse = new nn.MSELoss();
      for (let e = 0; e < epochs; e++) {
        r.model.train();
        for (const [xb, yb] of r.loader) {
          r.opt.zeroGrad();
          mse.forward(r.model.forward(xb), yb).backward();
          r.opt.step();
        }
        r.sched.step();
      }
    };
    const straight = build();
    manualSeed(42);
    run(straight, 4);

    const half = build();
    manualSeed(42);
    run(half, 2);
    const path = join(tmp, 'nn.ckpt');
    saveCheckpoint(path, { model: half.model, optimizer: half.opt, scheduler: half.sched, epoch: 2, generators: { loader: half.gen } });
    const resumed = build();
    manualSeed(0);
    assert.equal(loadCheckpoint(path, { model: resumed.model, optimizer: resumed.opt, scheduler: resumed.sched, generators: { loader: resumed.gen } }).epoch, 2);
    run(resumed, 2);
    const a = straight.model.stateDict();
    const b = resumed.model.stateDict();
    assert.deepEqual(Object.keys(b), ['0.weight', '0.bias', '3.weight', '3.bias']);
    for (const k of Object.keys(a)) assert.deepEqual([...b[k].data], [...a[k].data], k);
  });
});
