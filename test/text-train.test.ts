// text/train.ts on the core training loop: the batches of an encoded set (a seeded DataLoader),
// and trainClassifier's early stopping on dev macro-F1 with the best epoch restored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, manualSeed } from 'chainrule';
import { Featurizer } from '../src/text/features.js';
import { LogisticRegression } from '../src/text/models/linear.js';
import { tokenize } from '../src/text/tokenizer.js';
import { macroF1 } from '../src/text/metrics.js';
import { argmaxRows, encodedBatches, predictProba, trainClassifier } from '../src/text/train.js';
import { corpusCsv } from './text-helpers.js';

const rows = corpusCsv(200)
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => /^\d+,"(.*)",(\w+)$/.exec(l)!);
const tokens = rows.map((m) => tokenize(m[1]));
const labels = Int32Array.from(rows, (m) => (m[2] === 'spam' ? 1 : 0));
const featurizer = Featurizer.fit(tokens.slice(0, 150), { kind: 'sparse', vectorizer: { minDf: 1 } });
const trainSet = featurizer.encode(tokens.slice(0, 150));
const devSet = featurizer.encode(tokens.slice(150));
const yTrain = labels.slice(0, 150);
const yDev = labels.slice(150);

function recorder() {
  const chunks: string[] = [];
  return { stream: { isTTY: false, write: (s: string) => chunks.push(s) }, text: () => chunks.join('') };
}

describe('encodedBatches', () => {
  it('covers every example once per pass, in a new seeded order each pass', () => {
    const passes = (seed: number) => {
      const loader = encodedBatches(trainSet, yTrain, { batchSize: 32, shuffle: true, generator: new Generator(seed) });
      assert.equal(loader.length, 5);
      return [0, 1].map(() => [...loader].flatMap((b) => Array.from(b.target.data)));
    };
    const [a1, a2] = passes(4);
    const [b1] = passes(4);
    assert.deepEqual(a1, b1);
    assert.notDeepEqual(a1, a2);
    for (const p of [a1, a2]) assert.deepEqual([...p].sort(), [...yTrain].sort());
    const plain = [...encodedBatches(trainSet, yTrain, { batchSize: 64 })];
    assert.deepEqual(plain.map((b) => b.target.shape[0]), [64, 64, 22]);
    assert.equal(plain[0].input.kind, 'rows');
    assert.deepEqual(Array.from(plain[2].target.data), Array.from(yTrain.slice(128)));
    assert.throws(() => encodedBatches(trainSet, yDev, { batchSize: 8 }), /encodedBatches: 150 examples but 50 labels/);
  });
});

describe('trainClassifier', () => {
  it('runs on fit: dev macro-F1 logged and monitored, best epoch restored, reproducible for a seed', () => {
    const run = (patience: number) => {
      manualSeed(1);
      const model = new LogisticRegression(featurizer.size, 2);
      const out = recorder();
      const r = trainClassifier(model, trainSet, yTrain, devSet, yDev, 2, { epochs: 6, batchSize: 16, lr: 0.05, seed: 3, patience, label: 'lr', progress: out.stream });
      return { model, r, out: out.text() };
    };
    const a = run(1);
    const b = run(1);
    assert.deepEqual(a.r.history.map((h) => [h.trainLoss, h.devLoss, h.devMacroF1]), b.r.history.map((h) => [h.trainLoss, h.devLoss, h.devMacroF1]));
    assert.deepEqual(Array.from(a.model.weight.data), Array.from(b.model.weight.data));
    const { r } = a;
    assert.ok(r.history.length >= 1 && r.history.length <= 6);
    assert.deepEqual(r.history.map((h) => h.epoch), Array.from({ length: r.history.length }, (_, i) => i + 1));
    const f1s = r.history.map((h) => h.devMacroF1);
    assert.equal(r.bestDevMacroF1, Math.max(...f1s));
    assert.equal(r.bestEpoch, f1s.indexOf(r.bestDevMacroF1) + 1);
    // stopped one epoch after the best, unless it ran out of epochs
    if (r.history.length < 6) assert.equal(r.history.length, r.bestEpoch + 1);
    assert.ok(r.examplesPerSecond > 0 && Number.isFinite(r.examplesPerSecond));
    // the weights are the best epoch's: the restored model's dev macro-F1 is the best one
    assert.equal(macroF1(yDev, argmaxRows(predictProba(a.model, devSet, 2), 2), 2), r.bestDevMacroF1);
    // the progress: a header, then fit's epoch lines with the dev values
    assert.match(a.out, /^lr: 150 examples, 10 batches per epoch\n/);
    assert.match(a.out, /^Epoch 1\/6 {2}loss \S+ {2}lr 0\.0500 {2}devLoss \S+ {2}devF1 \S+ {2}\S+s$/m);
  });
});
