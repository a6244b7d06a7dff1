// `chainrule export RUN --onnx FILE` for every model textclf trains: ONNX Runtime's logits and
// probabilities equal chainrule's within 1e-5 at two batch sizes and several text lengths, from
// one exported file; bad input exits 2 with one line and writes nothing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { main } from '../src/cli/main.js';
import { loadTextModule } from '../src/text/checkpoint.js';
import { type ExperimentConfig, trainCommand } from '../src/text/commands.js';
import { Featurizer, type FeatureState, makeBatch } from '../src/text/features.js';
import { tokenize } from '../src/text/tokenizer.js';
import type { TextOnnxMeta } from '../src/text/onnx.js';
import { csrToDense } from '../src/tensor/sparse.js';
import { type Tensor, importOnnx, load, tensor } from 'chainrule';
import { assertClose, maxError, session } from './onnx-helpers.js';
import { VARIED_TEXTS as TEXTS, corpusCsv } from './text-helpers.js';

const MODELS = ['logreg', 'mlp', 'fasttext', 'cnn', 'bigru', 'bilstm', 'transformer'] as const;
const dir = mkdtempSync(join(tmpdir(), 'chainrule-onnx-textclf-'));
const csv = join(dir, 'synthetic.csv');
writeFileSync(csv, corpusCsv(200));

function cfg(out: string, extra: ExperimentConfig['hp'] = {}): ExperimentConfig {
  return {
    source: { kind: 'file', file: csv, textCol: 'text', labelCol: 'label' },
    out,
    seed: 1,
    tune: false,
    curve: [],
    hp: { epochs: 2, minDf: 1, hidden: 6, embed: 5, maxLength: 12, lr: 0.01, batchSize: 32, ...extra },
    command: 'test',
    log: () => {},
  };
}


async function stderrOf(f: () => Promise<number>): Promise<[number, string]> {
  const lines: string[] = [];
  const orig = console.error;
  console.error = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return [await f(), lines.join('\n')];
  } finally {
    console.error = orig;
  }
}

describe('chainrule export RUN --onnx for every textclf model', () => {
  const transformer: ExperimentConfig['hp'] = { embed: 8, heads: 2, layers: 2, hidden: 12 };
  const runs: [string, (typeof MODELS)[number], ExperimentConfig['hp']][] = [
    ...MODELS.filter((m) => m !== 'transformer').map((m): [string, (typeof MODELS)[number], ExperimentConfig['hp']] => [m, m, {}]),
    ['transformer', 'transformer', transformer],
    ['transformer-first-sinusoidal', 'transformer', { ...transformer, pooling: 'first', positions: 'sinusoidal', layers: 1 }],
  ];
  for (const [name, model, hp] of runs) {
    it(`${name}: ONNX Runtime equals chainrule within 1e-5 at batch 1 and 7, from one file`, async () => {
      const run = join(dir, name);
      await trainCommand(model, cfg(run, hp));
      const file = join(dir, `${name}.onnx`);
      const [code, err] = await stderrOf(() => main(['export', run, '--onnx', file]));
      assert.equal(code, 0, err);
      const side = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as TextOnnxMeta;
      assert.equal(side.format, 'chainrule-textclf-onnx/1');
      assert.deepEqual(side.labels, ['ham', 'spam']);
      assert.equal(side.input, model === 'cnn' || model === 'bigru' || model === 'bilstm' || model === 'transformer' ? 'ids' : 'features');
      const { module } = loadTextModule(run);
      assert.ok(module);
      module.eval();
      // the JSON beside the file is all a user needs to make the input: featurise from it alone
      const features = new Featurizer(side.features as FeatureState);
      const s = await session(new Uint8Array(readFileSync(file)));
      assert.deepEqual(s.inputNames, [side.input]);
      assert.deepEqual(s.outputNames, ['logits', 'probabilities']);
      const back = model === 'transformer' ? await importOnnx(new Uint8Array(readFileSync(file))) : null;
      for (const texts of [TEXTS.slice(0, 1), TEXTS]) {
        const enc = features.encode(texts.map((t) => tokenize(t, features.tokenizer)));
        const batch = makeBatch(enc, texts.map((_, i) => i));
        const logits = module.forward(batch);
        let feed: ort.Tensor;
        if (batch.kind === 'seq') {
          const { ids, batch: b, length } = batch.pad;
          feed = new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [b, length]);
        } else {
          const dense = csrToDense(batch.x);
          feed = new ort.Tensor('float32', Float32Array.from(dense as ArrayLike<number>), [batch.x.rows, batch.x.cols]);
        }
        const out = await s.run({ [side.input]: feed });
        assertClose(out.logits, logits, `${name} logits, batch ${texts.length}`);
        assertClose(out.probabilities, logits.softmax(1), `${name} probabilities, batch ${texts.length}`);
        if (back && batch.kind === 'seq') {
          // importOnnx reads the transformer's graph back: the same logits from chainrule's ops
          const [mine] = back.forward(tensor(batch.pad.ids, { shape: [batch.pad.batch, batch.pad.length], dtype: 'int32' })) as Tensor[];
          assert.ok(maxError(mine.dataSync(), logits.dataSync()) <= 1e-5, `${name}: imported logits`);
        }
      }
    });
  }

  it('--pytorch DIR writes model.py and model.safetensors with the module\'s parameter names (scripts/check-pytorch-export.mjs runs them in torch)', async () => {
    for (const name of ['bigru', 'transformer-first-sinusoidal']) {
      const out = join(dir, `${name}-torch`);
      mkdirSync(out);
      const [code, err] = await stderrOf(() => main(['export', join(dir, name), '--pytorch', out]));
      assert.equal(code, 0, err);
      assert.deepEqual(readdirSync(out).sort(), ['model.py', 'model.safetensors']);
      const { module } = loadTextModule(join(dir, name));
      const saved = load(join(out, 'model.safetensors'));
      assert.deepEqual(Object.keys(saved).sort(), Object.keys(module?.stateDict() ?? {}).sort());
      const py = readFileSync(join(out, 'model.py'), 'utf8');
      assert.match(py, /^class Model\(nn\.Module\):/m);
      assert.match(py, name === 'bigru' ? /nn\.GRU if c\['cell'\] == 'gru'/ : /nn\.TransformerEncoderLayer\(d, c\['heads'\]/);
      assert.match(py, /^def load\(/m);
    }
    const [code, err] = await stderrOf(() => main(['export', join(dir, 'logreg'), '--pytorch', join(dir, 'no-such-dir')]));
    assert.equal(code, 2);
    assert.match(err, /cannot write .*no-such-dir/);
    assert.equal(existsSync(join(dir, 'no-such-dir')), false);
  });

  it('exits 2 with one line, writing nothing, on bad input', async () => {
    const out = join(dir, 'bad');
    const cases: [string[], RegExp][] = [
      [['export'], /give the run folder/],
      [['export', join(dir, 'logreg')], /--onnx FILE or --pytorch DIR is required/],
      [['export', join(dir, 'nowhere'), '--onnx', join(out, 'x.onnx')], /holds no readable model\.json/],
      [['export', join(dir, 'logreg'), '--onnx', join(dir, 'missing', 'x.onnx')], /cannot write .*missing/],
      [['export', join(dir, 'logreg'), '--onnx', join(dir, 'x.onnx'), '--opset', '12'], /--opset/],
    ];
    for (const [args, re] of cases) {
      const [code, err] = await stderrOf(() => main(args));
      assert.equal(code, 2, `${args.join(' ')}: ${err}`);
      assert.equal(err.split('\n').length, 1, err);
      assert.match(err, re);
    }
    assert.equal(existsSync(join(dir, 'x.onnx')) || existsSync(join(dir, 'missing')), false);
    const majority = join(dir, 'majority');
    await trainCommand('majority', cfg(majority));
    const [code, err] = await stderrOf(() => main(['export', majority, '--onnx', join(dir, 'm.onnx')]));
    assert.equal(code, 2);
    assert.match(err, /majority baseline .* has no network to export/);
    assert.ok(!readdirSync(dir).some((f) => f.startsWith('m.onnx')));
  });
});
