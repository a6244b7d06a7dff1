// Checks `chainrule export RUN --pytorch DIR` against PyTorch: trains every textclf model on a small
// synthetic corpus, exports it, runs the generated model.py with torch (Debian's python3-torch at
// /usr/bin/python3, or PYTHON=...) on texts of many lengths, and compares its logits with
// chainrule's. Prints the max abs difference per model; exits 1 if one exceeds 1e-5 (2 without torch).
// Not part of npm test (CI has no PyTorch). Usage: node scripts/check-pytorch-export.mjs [model ...]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PYTHON, VARIED_TEXTS as TEXTS, corpusCsv, encodeForTorch, exportTextRunPytorch, loadTextModule, requireTorch, trainCommand } from './torch-interop.mjs';

const TOL = 1e-5;
requireTorch('check-pytorch-export', 'import torch; print(torch.__version__)', undefined, 'torch');
const dir = mkdtempSync(join(tmpdir(), 'chainrule-pytorch-export-'));
const csv = join(dir, 'synthetic.csv');
writeFileSync(csv, corpusCsv(300));
const transformer = { embed: 16, heads: 2, layers: 2, hidden: 24 };
const RUNS = [
  ['logreg', 'logreg', {}],
  ['mlp', 'mlp', {}],
  ['fasttext', 'fasttext', {}],
  ['cnn', 'cnn', {}],
  ['bigru', 'bigru', {}],
  ['bilstm', 'bilstm', {}],
  ['transformer', 'transformer', transformer],
  ['transformer-first-sinusoidal', 'transformer', { ...transformer, pooling: 'first', positions: 'sinusoidal' }],
].filter(([name]) => process.argv.length <= 2 || process.argv.slice(2).includes(name));

const PY = `
import json, sys, torch
out, data = sys.argv[1], json.load(open(sys.argv[2]))
sys.path.insert(0, out)
import model
net = model.load(out)
x = torch.tensor(data['input'], dtype=torch.int64 if data['kind'] == 'ids' else torch.float32)
with torch.no_grad():
    y = net(x)
want = torch.tensor(data['logits'])
names = sorted(dict(net.named_parameters()))
print(json.dumps({'maxAbsDiff': (y - want).abs().max().item(), 'params': len(names), 'torch': torch.__version__}))
`;

let worst = 0;
const rows = [];
for (const [name, model, hp] of RUNS) {
  const run = join(dir, name);
  await trainCommand(model, {
    source: { kind: 'file', file: csv, textCol: 'text', labelCol: 'label' },
    out: run,
    seed: 1,
    tune: false,
    curve: [],
    hp: { epochs: 3, minDf: 1, hidden: 8, embed: 8, maxLength: 16, lr: 0.01, batchSize: 32, ...hp },
    command: 'check-pytorch-export',
    log: () => {},
  });
  const out = join(dir, `${name}-torch`);
  mkdirSync(out);
  exportTextRunPytorch(run, out);
  const { meta, module } = loadTextModule(run);
  module.eval();
  const { batch, input, kind } = encodeForTorch(meta, TEXTS);
  const logits = module.forward(batch);
  const dataFile = join(dir, `${name}.json`);
  writeFileSync(dataFile, JSON.stringify({ kind, input, logits: logits.toArray() }));
  const r = spawnSync(PYTHON, ['-c', PY, out, dataFile], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`${name}: model.py failed\n${r.stderr}`);
    process.exit(1);
  }
  const res = JSON.parse(r.stdout.trim().split('\n').pop());
  worst = Math.max(worst, res.maxAbsDiff);
  rows.push([name, res.maxAbsDiff, res.params, res.torch]);
  console.log(`${name.padEnd(30)} max |torch - chainrule| = ${res.maxAbsDiff.toExponential(2)}  (${res.params} parameters, torch ${res.torch})`);
}
console.log(`worst ${worst.toExponential(2)} (tolerance ${TOL})`);
process.exit(worst <= TOL ? 0 : 1);
