/**
 * A small 2-d CNN on the 8x8 handwritten digits that scikit-learn ships (1,797 images, 10 classes;
 * see README.md for their origin and licence): Conv2d-ReLU-MaxPool2d twice, then Linear, trained
 * with Adam on a stratified 80/20 split in a few seconds.
 *
 *   [N, 1, 8, 8] -> Conv2d(1, 16, 3, pad 1) -> ReLU -> MaxPool2d(2) -> [N, 16, 4, 4]
 *                -> Conv2d(16, 32, 3, pad 1) -> ReLU -> MaxPool2d(2) -> [N, 32, 2, 2]
 *                -> Flatten -> Linear(128, 10) -> logits
 *
 * Run: node --conditions=source --import tsx examples/digits/digits.ts
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { F, Generator, type Tensor, data, manualSeed, metrics, nn, noGrad, optim, tensor } from 'chainrule';

/** The images as [1797, 1, 8, 8] float32 scaled to [0, 1] (pixels count 0..16) and their labels as int32. */
export function loadDigits(): { images: Tensor; labels: Tensor } {
  const text = gunzipSync(readFileSync(new URL('./digits.csv.gz', import.meta.url))).toString('utf8');
  const rows = text.trim().split('\n');
  const pixels = new Float32Array(rows.length * 64);
  const labels = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    const v = row.split(',').map(Number);
    if (v.length !== 65) throw new Error(`digits.csv.gz: row ${i + 1} has ${v.length} values, expected 65`);
    for (let p = 0; p < 64; p++) pixels[i * 64 + p] = v[p] / 16;
    labels[i] = v[64];
  });
  return { images: tensor(pixels, { shape: [rows.length, 1, 8, 8] }), labels: tensor(labels) };
}

/** The CNN of this example. */
export function digitsModel(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 16, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(16, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(32 * 2 * 2, 10),
  );
}

export interface DigitsRun {
  /** mean training loss of each epoch */
  losses: number[];
  trainAccuracy: number;
  testAccuracy: number;
  trainSize: number;
  testSize: number;
  seconds: number;
}

function predict(model: nn.Sequential, x: Tensor): Tensor {
  model.eval();
  const out = noGrad(() => model.forward(x)).argmax(1);
  model.train();
  return out;
}

/** Trains the CNN from a fixed seed and measures its accuracy on the held-out fifth. */
export function trainDigits(opts: { seed?: number; epochs?: number; lr?: number; batchSize?: number } = {}): DigitsRun {
  const seed = opts.seed ?? 0;
  manualSeed(seed);
  const { images, labels } = loadDigits();
  const all = new data.TensorDataset(images, labels);
  const [trainSet, testSet] = data.stratifiedSplit(all, [0.8, 0.2], { labels, generator: new Generator(seed) });
  const stack = (set: data.Subset<Tensor[]>): [Tensor, Tensor] => {
    const idx = tensor(Int32Array.from(set.indices));
    return [images.indexSelect(0, idx), labels.indexSelect(0, idx)];
  };
  const [xTrain, yTrain] = stack(trainSet);
  const [xTest, yTest] = stack(testSet);
  const loader = new data.DataLoader(new data.TensorDataset(xTrain, yTrain), { batchSize: opts.batchSize ?? 32, shuffle: true, generator: new Generator(seed + 1) });
  const model = digitsModel();
  const opt = new optim.Adam(model.parameters(), { lr: opts.lr ?? 5e-3 });
  const losses: number[] = [];
  const t0 = performance.now();
  for (let e = 0; e < (opts.epochs ?? 10); e++) {
    let sum = 0;
    let n = 0;
    for (const [xb, yb] of loader as Iterable<[Tensor, Tensor]>) {
      const loss = F.crossEntropy(model.forward(xb), yb);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      sum += loss.item() * xb.shape[0];
      n += xb.shape[0];
    }
    losses.push(sum / n);
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    losses,
    trainAccuracy: metrics.accuracy(yTrain, predict(model, xTrain)),
    testAccuracy: metrics.accuracy(yTest, predict(model, xTest)),
    trainSize: xTrain.shape[0],
    testSize: xTest.shape[0],
    seconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = trainDigits();
  console.log(`${r.trainSize} training and ${r.testSize} test images, ${r.losses.length} epochs in ${r.seconds.toFixed(1)} s`);
  console.log(`loss ${r.losses[0].toFixed(3)} -> ${r.losses[r.losses.length - 1].toFixed(3)}`);
  console.log(`train accuracy ${(100 * r.trainAccuracy).toFixed(1)}%, test accuracy ${(100 * r.testAccuracy).toFixed(1)}%`);
}
