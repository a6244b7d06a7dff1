// End to end: a chainrule textclf run continues training in PyTorch DistributedDataParallel.
// 1. trains a model with chainrule on a synthetic corpus (one short epoch, so there is room left),
// 2. exports it with `chainrule export RUN --pytorch DIR` (model.py + model.safetensors),
// 3. encodes the corpus with the run's own vocabulary or vectorizer into data.json,
// 4. runs scripts/ddp_train.py: 2 processes, gloo, rendezvous on 127.0.0.1, DistributedSampler,
// and checks that the loss goes down in every rank and that the ranks end with equal parameters.
// Needs torch at /usr/bin/python3 (or PYTHON=...); exits 2 without it. Not part of npm test.
// Usage: node scripts/ddp-train.mjs [--model bigru] [--epochs 4] [--world 2]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PYTHON, corpusCsv, encodeForTorch, exportTextRunPytorch, loadTextModule, requireTorch, trainCommand } from './torch-interop.mjs';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'bigru' }, epochs: { type: 'string', default: '4' }, world: { type: 'string', default: '2' } } });
requireTorch('ddp-train', 'import torch.distributed as d; print(d.is_gloo_available())', 'True', 'torch with gloo');

const dir = mkdtempSync(join(tmpdir(), 'chainrule-ddp-'));
const csvText = corpusCsv(400);
const csv = join(dir, 'corpus.csv');
writeFileSync(csv, csvText);
const run = join(dir, 'run');
const hp = { epochs: 1, minDf: 1, hidden: 16, embed: 16, maxLength: 24, lr: 0.002, batchSize: 64 };
if (values.model === 'transformer') Object.assign(hp, { heads: 2, layers: 1, hidden: 32 });
await trainCommand(values.model, { source: { kind: 'file', file: csv, textCol: 'text', labelCol: 'label' }, out: run, seed: 1, tune: false, curve: [], hp, command: 'ddp-train', log: () => {} });
const torchDir = join(dir, 'torch');
mkdirSync(torchDir);
const written = exportTextRunPytorch(run, torchDir);
console.log(`chainrule: trained ${values.model} one epoch, exported ${written.join(', ')}`);

// the corpus as the graph's input, featurised with the run's own state (model.json)
const rows = csvText
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => /^\d+,"(.*)",(\w+)$/.exec(l))
  .filter(Boolean);
const { meta } = loadTextModule(run);
const { input, kind } = encodeForTorch(
  meta,
  rows.map((r) => r[1]),
);
const data = join(dir, 'data.json');
writeFileSync(data, JSON.stringify({ kind, input, labels: rows.map((r) => meta.labels.indexOf(r[2])) }));

const port = 29000 + Math.floor(Math.random() * 2000);
const args = ['scripts/ddp_train.py', '--model-dir', torchDir, '--data', data, '--world', values.world, '--epochs', values.epochs, '--port', String(port)];
const r = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 600_000 });
if (r.status !== 0) {
  console.error(`ddp-train: ddp_train.py failed (${r.status ?? r.signal})\n${r.stderr}`);
  process.exit(1);
}
const lines = r.stdout
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const ranks = new Map();
const sums = [];
for (const l of lines) {
  if ('checksum' in l) sums.push(l.checksum);
  else ranks.set(l.rank, [...(ranks.get(l.rank) ?? []), l]);
}
let ok = ranks.size === Number(values.world);
for (const [rank, epochs] of [...ranks].sort((a, b) => a[0] - b[0])) {
  const losses = epochs.sort((a, b) => a.epoch - b.epoch).map((e) => e.loss);
  const down = losses[losses.length - 1] < losses[0];
  ok &&= down;
  console.log(`rank ${rank} (${epochs[0].examples} examples an epoch): loss ${losses.map((v) => v.toFixed(4)).join(' -> ')} ${down ? 'down' : 'NOT down'}`);
}
const same = sums.length === Number(values.world) && sums.every((s) => Math.abs(s - sums[0]) <= 1e-9 * Math.max(1, Math.abs(sums[0])));
ok &&= same;
console.log(`parameter checksums per rank: ${sums.map((s) => s.toFixed(9)).join(', ')} (${same ? 'equal' : 'DIFFER'})`);
console.log(ok ? 'ddp-train: ok' : 'ddp-train: FAILED');
process.exit(ok ? 0 : 1);
