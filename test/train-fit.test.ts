import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BestCheckpoint, type EpochLog, EpochMetrics, Generator, type Tensor, data, evaluate, fit, load, manualSeed, metrics, nn, optim, randn, tensor } from 'chainrule';

/** Two Gaussian blobs in 2-D, labels 0/1, fixed by a seed. */
function blobs(n: number, seed: number): { X: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const X = randn([n, 2], { generator: g });
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    X.data[2 * i] += y[i] ? 1.5 : -1.5;
    X.data[2 * i + 1] += y[i] ? 1 : -1;
  }
  return { X, y: tensor(y) };
}

const train = blobs(160, 1);
const val = blobs(80, 2);
const accuracy = (y: Tensor, out: Tensor) => metrics.accuracy(y, out);

function makeModel(): nn.Sequential {
  manualSeed(0);
  return new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));
}

function loaders(seed = 7) {
  return {
    train: new data.DataLoader<Tensor[], Tensor[]>(new data.TensorDataset(train.X, train.y), { batchSize: 16, shuffle: true, generator: new Generator(seed) }),
    val: new data.DataLoader<Tensor[], Tensor[]>(new data.TensorDataset(val.X, val.y), { batchSize: 40 }),
  };
}

function recorder(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, columns: 100, write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
}

describe('fit', () => {
  it('learns two blobs and returns the per-epoch history as data', () => {
    const model = makeModel();
    const { train: tl, val: vl } = loaders();
    const out = recorder(false);
    const h = fit(model, {
      train: tl,
      val: vl,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: new optim.Adam(model.parameters(), { lr: 0.05 }),
      epochs: 8,
      metrics: { accuracy },
      output: out.stream,
    });
    assert.equal(h.epochs.length, 8);
    assert.equal(h.stoppedEarly, null);
    const last = h.epochs[7];
    assert.deepEqual(Object.keys(last).sort(), ['accuracy', 'epoch', 'loss', 'lr', 'seconds', 'valAccuracy', 'valLoss']);
    assert.ok(last.valAccuracy >= 0.9, `val accuracy ${last.valAccuracy}`);
    assert.ok(last.loss < h.epochs[0].loss);
    // the logged validation accuracy is the accuracy of the final model on the validation set
    const logits = model.forward(val.X);
    assert.equal(metrics.accuracy(val.y, logits), last.valAccuracy);
    // plain output: one line per epoch, no control characters
    const lines = out.text().trimEnd().split('\n');
    assert.equal(lines.length, 8);
    assert.match(lines[0], /^Epoch 1\/8 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}lr 0\.0500 {2}valLoss \d\.\d{4} {2}valAccuracy \d\.\d{4} {2}\d+\.\ds$/);
    assert.ok(!out.text().includes('\r'));
  });

  it('evaluate gives the batch-size-weighted mean loss and whole-set metrics', () => {
    const model = makeModel();
    const lossFn = new nn.CrossEntropyLoss();
    // batches of 40 and 40 then 30 + 50: the mean must not depend on the batching
    const a = evaluate(model, loaders().val, { lossFn, metrics: { accuracy } });
    const uneven = new data.DataLoader<Tensor[], Tensor[]>(new data.Subset(new data.TensorDataset(val.X, val.y), Array.from({ length: 80 }, (_, i) => i)), { batchSize: 30 });
    const b = evaluate(model, uneven, { lossFn, metrics: { accuracy } });
    const whole = lossFn.forward(model.forward(val.X), val.y).item();
    assert.ok(Math.abs(a.loss - whole) < 1e-6 && Math.abs(b.loss - whole) < 1e-6, `${a.loss} ${b.loss} ${whole}`);
    assert.equal(a.accuracy, metrics.accuracy(val.y, model.forward(val.X)));
    assert.equal(b.accuracy, a.accuracy);
  });

  it('does exactly what the plain five-step loop does (bit for bit)', () => {
    const m1 = makeModel();
    const l1 = loaders(3);
    fit(m1, { train: l1.train, lossFn: new nn.CrossEntropyLoss(), optimizer: new optim.SGD(m1.parameters(), { lr: 0.1, momentum: 0.9 }), epochs: 3, progress: false });

    const m2 = makeModel();
    const l2 = loaders(3);
    const opt = new optim.SGD(m2.parameters(), { lr: 0.1, momentum: 0.9 });
    const lossFn = new nn.CrossEntropyLoss();
    for (let e = 0; e < 3; e++) {
      m2.train();
      for (const [xb, yb] of l2.train) {
        opt.zeroGrad();
        const loss = lossFn.forward(m2.forward(xb), yb);
        loss.backward();
        opt.step();
      }
    }
    const p1 = m1.parameters();
    m2.parameters().forEach((p, i) => {
      assert.deepEqual([...p.data], [...p1[i].data]);
    });
  });

  it('early stopping on a monitored metric, then the best weights are restored (memory and file)', () => {
    const model = makeModel();
    const { train: tl, val: vl } = loaders();
    // a metric with a known course: improves until epoch 3 (index 2), then gets worse
    const course = [0.5, 0.6, 0.7, 0.65, 0.64, 0.63, 0.62, 0.61];
    let calls = 0;
    const score = () => course[Math.floor(calls++ / 2)]; // called for train and val each epoch
    const snapshots: number[][] = [];
    const path = join(mkdtempSync(join(tmpdir(), 'chainrule-fit-')), 'best.safetensors');
    const h = fit(model, {
      train: tl,
      val: vl,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      epochs: 8,
      metrics: { score },
      earlyStopping: { monitor: 'valScore', patience: 2 },
      checkpoint: { monitor: 'valScore', path },
      callbacks: [{ onEpochEnd: () => snapshots.push([...model.parameters()[0].data]) }],
      progress: false,
    });
    assert.equal(h.epochs.length, 5); // best at epoch index 2, two worse epochs, stop
    assert.match(h.stoppedEarly ?? '', /early stopping: valScore has not improved for 2 epoch\(s\); best 0.7 at epoch 3/);
    assert.equal(h.bestEpoch, 2);
    assert.deepEqual([...model.parameters()[0].data], snapshots[2]);
    assert.notDeepEqual(snapshots[4], snapshots[2]);
    const saved = load(path);
    assert.deepEqual([...saved['0.weight'].data], snapshots[2]);
  });

  it('a value computed by a callback (EpochMetrics) is logged, printed and monitored like a metric', () => {
    const model = makeModel();
    const { train: tl } = loaders();
    // a score with a known course, computed outside fit from the model itself
    const course = [0.5, 0.6, 0.7, 0.65, 0.64, 0.63, 0.62, 0.61];
    const seen: number[] = [];
    const holdout = new EpochMetrics((ctx, epoch) => {
      seen.push(epoch);
      return { holdoutScore: course[epoch], holdoutSize: (ctx.model as nn.Sequential).parameters().length };
    });
    const snapshots: number[][] = [];
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const out = recorder(false);
    const h = fit(model, {
      train: tl,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: opt,
      epochs: 8,
      callbacks: [{ onEpochEnd: () => snapshots.push([...model.parameters()[0].data]) }, holdout],
      earlyStopping: { monitor: 'holdoutScore', patience: 2 },
      checkpoint: { monitor: 'holdoutScore' },
      scheduler: new optim.ReduceLROnPlateau(opt, { mode: 'max', patience: 0, factor: 0.5 }),
      schedulerMonitor: 'holdoutScore',
      output: out.stream,
    });
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.equal(h.epochs.length, 5);
    assert.deepEqual(h.epochs.map((e) => e.holdoutScore), course.slice(0, 5));
    assert.equal(h.bestEpoch, 2);
    assert.match(h.stoppedEarly ?? '', /early stopping: holdoutScore has not improved for 2 epoch\(s\); best 0.7 at epoch 3/);
    assert.deepEqual([...model.parameters()[0].data], snapshots[2]);
    // the scheduler saw the value too: lr halves after each epoch without improvement
    assert.deepEqual(h.epochs.map((e) => e.lr), [0.1, 0.1, 0.1, 0.1, 0.05]);
    assert.match(out.text(), /^Epoch 1\/8 {2}loss \d\.\d{4} {2}lr 0\.1000 {2}holdoutScore 0\.5000 {2}holdoutSize 4\.0000 {2}\d+\.\ds$/m);
    assert.throws(
      () => fit(makeModel(), { train: tl, lossFn: new nn.CrossEntropyLoss(), optimizer: opt, epochs: 1, progress: false, callbacks: [new EpochMetrics(() => ({ loss: 1 }))] }),
      /EpochMetrics: loss is already in the epoch log/,
    );
    assert.throws(
      () => fit(makeModel(), { train: tl, lossFn: new nn.CrossEntropyLoss(), optimizer: opt, epochs: 1, progress: false, callbacks: [new EpochMetrics(() => ({ f1: 'high' as unknown as number }))] }),
      /EpochMetrics: f1 must be a number, got string/,
    );
  });

  it('reports the training throughput: examples over the seconds of the training passes', () => {
    const model = makeModel();
    const { train: tl, val: vl } = loaders();
    const h = fit(model, { train: tl, val: vl, lossFn: new nn.CrossEntropyLoss(), optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 3, progress: false });
    assert.equal(h.examples, 3 * 160);
    const total = h.epochs.reduce((a, e) => a + e.seconds, 0);
    assert.ok(h.trainSeconds > 0 && h.trainSeconds <= total + 0.01, `${h.trainSeconds} of ${total}`);
    assert.ok(Math.abs(h.examplesPerSecond - h.examples / h.trainSeconds) < 1e-6 * h.examplesPerSecond);
  });

  it('ReduceLROnPlateau is stepped with the monitored value; lr is logged per epoch', () => {
    const model = makeModel();
    const { train: tl } = loaders();
    const opt = new optim.SGD(model.parameters(), { lr: 0.2 });
    const h = fit(model, {
      train: tl,
      lossFn: new nn.CrossEntropyLoss(),
      optimizer: opt,
      epochs: 4,
      metrics: { flat: () => 1 },
      scheduler: new optim.ReduceLROnPlateau(opt, { mode: 'max', patience: 0, factor: 0.5 }),
      schedulerMonitor: 'flat',
      progress: false,
    });
    assert.deepEqual(
      h.epochs.map((e: EpochLog) => e.lr),
      [0.2, 0.2, 0.1, 0.05],
    );
  });

  it('draws a live bar on a TTY', () => {
    const model = makeModel();
    const { train: tl } = loaders();
    const out = recorder(true);
    fit(model, { train: tl, lossFn: new nn.CrossEntropyLoss(), optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1, metrics: { accuracy }, output: out.stream });
    // the clear-line escape ESC[2K, shown as <CLR> to keep control characters out of the patterns
    const text = out.text().split('\x1b[2K').join('<CLR>');
    assert.match(text, /\r<CLR>Epoch 1\/1 \[=+\] 10\/10 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}ETA 0\.0s/);
    assert.match(text, /\r<CLR>Epoch 1\/1 {2}loss \d\.\d{4} {2}accuracy \d\.\d{4} {2}lr 0\.1000 {2}\d+\.\ds\n$/);
    // the bar's running accuracy at the last batch is the epoch's accuracy
    const bar = /10\/10 {2}loss (\d\.\d{4}) {2}accuracy (\d\.\d{4})/.exec(text);
    const summary = /Epoch 1\/1 {2}loss (\d\.\d{4}) {2}accuracy (\d\.\d{4})/.exec(text);
    assert.deepEqual(bar?.slice(1), summary?.slice(1));
    // lines never exceed the terminal width
    for (const l of out.text().split(/[\r\n]/)) assert.ok(l.length < 100 + 4, l);
  });

  it('rejects bad arguments clearly', () => {
    const model = makeModel();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const lossFn = new nn.CrossEntropyLoss();
    assert.throws(() => fit(model, { train: [], lossFn, optimizer: opt, epochs: 0 }), /fit: epochs must be a positive integer, got 0/);
    assert.throws(() => fit(model, { train: [train.X], lossFn, optimizer: opt, epochs: 1, progress: false }), /a batch must be \[...inputs, target\]/);
    assert.throws(
      () => fit(model, { train: loaders().train, lossFn, optimizer: opt, epochs: 1, progress: false, callbacks: [new BestCheckpoint({ monitor: 'valAcc' })] }),
      /BestCheckpoint: the monitored value "valAcc" is not in the epoch logs \(have: loss, lr\)/,
    );
  });
});
