import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { loadTextModel } from '../src/text/checkpoint.js';
import { type ExperimentConfig, compareCommand, trainCommand } from '../src/text/commands.js';
import { corpusCsv } from './text-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-text-e2e-'));

const csv = join(dir, 'synthetic.csv');
writeFileSync(csv, corpusCsv(600));

function cfg(out: string, extra: Partial<ExperimentConfig> = {}): ExperimentConfig {
  return {
    source: { kind: 'file', file: csv, textCol: 'text', labelCol: 'label' },
    out,
    seed: 1,
    tune: false,
    curve: [0.5, 1],
    hp: { epochs: 4, minDf: 1 },
    command: 'test',
    log: () => {},
    ...extra,
  };
}

const METRIC_KEYS = ['accuracy', 'confusion', 'macroF1', 'microF1', 'perClass'];

describe('textclf end to end on a synthetic CSV corpus', () => {
  it('trains logistic regression to >= 95% test accuracy and writes metrics.json of the documented shape', async () => {
    const out = join(dir, 'runs', 'logreg');
    const run = await trainCommand('logreg', cfg(out));
    const bool = await trainCommand('logreg', cfg(join(dir, 'runs', 'bool'), { curve: [], hp: { epochs: 4, minDf: 1, weighting: 'bool' } }));
    assert.equal(bool.featurizer?.state.kind === 'sparse' && bool.featurizer.state.vectorizer.weighting, 'bool');
    assert.ok(bool.metrics.test.accuracy >= 0.95);
    const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
    assert.deepEqual(Object.keys(m).sort(), ['dev', 'test', 'train']);
    for (const s of ['train', 'dev', 'test']) {
      assert.deepEqual(Object.keys(m[s]).sort(), METRIC_KEYS);
      assert.deepEqual(Object.keys(m[s].perClass).sort(), ['ham', 'spam']);
      for (const c of Object.values(m[s].perClass) as Record<string, number>[]) assert.deepEqual(Object.keys(c).sort(), ['f1', 'precision', 'recall', 'support']);
      assert.deepEqual(m[s].confusion.labels, ['ham', 'spam']);
      const total = m[s].confusion.matrix.flat().reduce((a: number, b: number) => a + b, 0);
      assert.equal(total, m[s].perClass.ham.support + m[s].perClass.spam.support);
      const diag = m[s].confusion.matrix[0][0] + m[s].confusion.matrix[1][1];
      assert.ok(Math.abs(m[s].accuracy - diag / total) < 1e-12);
    }
    assert.ok(m.test.accuracy >= 0.95, `test accuracy ${m.test.accuracy}`);
    assert.equal(run.learningCurve.length, 2);
    for (const f of ['report.md', 'model.json', 'model.safetensors', 'confusion.svg', 'pr-curve.svg', 'learning-curves.svg', 'loss.svg']) {
      assert.ok(existsSync(join(out, f)), `${f} written`);
    }
    assert.match(readFileSync(join(out, 'report.md'), 'utf8'), /\| test \| \d+ \| /);
    const clf = loadTextModel(out);
    const [a, b] = clf.predict(['click now for a free cash prize winner', 'the project meeting agenda and budget review']);
    assert.equal(a.label, 'spam');
    assert.equal(b.label, 'ham');
    assert.ok(a.probability > 0.5 && Math.abs(a.probabilities.spam + a.probabilities.ham - 1) < 1e-5);
  });

  it('trains every neural model to >= 90% test accuracy, deterministically for a seed', async () => {
    const hp = { epochs: 4, minDf: 1, hidden: 8, embed: 8, maxLength: 24, lr: 0.01, batchSize: 32 };
    const r = await compareCommand(['majority', 'logreg', 'mlp', 'fasttext', 'cnn', 'bigru', 'bilstm', 'transformer'], cfg(join(dir, 'runs', 'all'), { curve: [], hp }));
    for (const run of r.runs.filter((x) => x.model !== 'majority')) {
      assert.ok(run.metrics.test.accuracy >= 0.9, `${run.model}: test accuracy ${run.metrics.test.accuracy}`);
    }
    const majority = r.runs[0];
    assert.equal(majority.metrics.test.perClass.spam.recall, 0);
    assert.ok(r.bootstrap !== null && r.bootstrap.r.p > 0 && r.bootstrap.r.p <= 1);
    assert.ok(existsSync(join(dir, 'runs', 'all', 'cnn', 'metrics.json')));
    assert.match(readFileSync(join(dir, 'runs', 'all', 'report.md'), 'utf8'), /Paired bootstrap/);
    const again = await trainCommand('cnn', cfg(join(dir, 'runs', 'cnn2'), { curve: [], hp }));
    const cnn = r.runs.find((x) => x.model === 'cnn')!;
    assert.deepEqual(Array.from(again.testProba), Array.from(cnn.testProba));
  });
});

describe('textclf CLI errors', () => {
  it('reports bad input with exit code 2 and writes nothing', async () => {
    const errs: string[] = [];
    const orig = console.error;
    console.error = (s: string) => errs.push(String(s));
    try {
      const out = join(dir, 'runs', 'bad');
      assert.equal(await main(['textclf', 'train', '--data', csv, '--text-col', 'body', '--label-col', 'label', '--model', 'logreg', '--out', out, '--quiet']), 2);
      assert.equal(await main(['textclf', 'train', '--data', csv, '--text-col', 'text', '--label-col', 'label', '--model', 'svm', '--out', out]), 2);
      assert.equal(await main(['textclf', 'train', '--dataset', 'spamassassin', '--view', 'raw', '--model', 'cnn', '--out', out]), 2);
      assert.equal(await main(['textclf', 'train', '--data', csv, '--text-col', 'text', '--label-col', 'label', '--model', 'logreg', '--weighting', 'idf', '--out', out]), 2);
      assert.equal(existsSync(out), false);
    } finally {
      console.error = orig;
    }
    assert.match(errs[0], /synthetic\.csv:1: no column "body" \(columns: "id", "text", "label"\)/);
    assert.match(errs[1], /unknown model "svm"/);
    assert.match(errs[2], /--view must be full or body/);
    assert.match(errs[3], /--weighting must be bool, tf or tfidf \(got "idf"\)/);
  });
});
