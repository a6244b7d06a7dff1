// What scripts/check-pytorch-export.mjs and scripts/ddp-train.mjs share: finding a Python with
// torch, the chainrule sources they drive (loaded through tsx), and a run's texts encoded the way
// the exported model.py takes them (token ids, or dense feature rows).
import { spawnSync } from 'node:child_process';
import { tsImport } from 'tsx/esm/api';

export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';

/** Exits 2, naming the script, unless PYTHON prints `expect` for `code` (a torch import). */
export function requireTorch(script, code, expect, what) {
  const probe = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8' });
  if (probe.status !== 0 || (expect !== undefined && probe.stdout.trim() !== expect)) {
    console.error(`${script}: ${PYTHON} has no ${what} (${(probe.stderr || probe.stdout || probe.error?.message || '').trim().split('\n').pop()})`);
    process.exit(2);
  }
}

const src = (p) => tsImport(`../${p}`, import.meta.url);
export const { trainCommand } = await src('src/text/commands.ts');
export const { exportTextRunPytorch } = await src('src/text/pytorch.ts');
export const { loadTextModule } = await src('src/text/checkpoint.ts');
export const { corpusCsv, VARIED_TEXTS } = await src('test/text-helpers.ts');
const { Featurizer, makeBatch } = await src('src/text/features.ts');
const { tokenize } = await src('src/text/tokenizer.ts');
const { csrToDense } = await src('src/tensor/sparse.ts');

/**
 * `texts` featurised with a run's own state (its model.json features): the batch (for chainrule's
 * forward), the rows model.py takes (ids per text, or dense features) and their kind.
 */
export function encodeForTorch(meta, texts) {
  const features = new Featurizer(meta.features);
  const enc = features.encode(texts.map((t) => tokenize(t, features.tokenizer)));
  const batch = makeBatch(
    enc,
    texts.map((_, i) => i),
  );
  let input;
  if (batch.kind === 'seq') {
    const { ids, batch: b, length } = batch.pad;
    input = Array.from({ length: b }, (_, i) => Array.from(ids.subarray(i * length, (i + 1) * length)));
  } else {
    const dense = csrToDense(batch.x);
    const cols = batch.x.cols;
    input = Array.from({ length: batch.x.rows }, (_, i) => Array.from(dense.subarray(i * cols, (i + 1) * cols)));
  }
  return { batch, input, kind: batch.kind === 'seq' ? 'ids' : 'features' };
}
