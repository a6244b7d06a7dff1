// Serves an exported textclf model with ONNX Runtime from Node and measures its throughput.
// Trains a model with chainrule on a synthetic corpus, exports it (`chainrule export RUN --onnx`),
// starts an HTTP server on 127.0.0.1 (an ephemeral port) whose POST /classify takes
// {"texts": [...]} and answers {"labels": [...], "probabilities": [[...]]}, featurising with the
// JSON file beside the model only; then a client on the same machine sends a bounded number of
// requests of 1 and of 32 texts (4 in flight) and prints requests/s and texts/s. The server stops
// at the end. Usage: node scripts/serve-onnx.mjs [--model transformer] [--requests 400]
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { tsImport } from 'tsx/esm/api';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'transformer' }, requests: { type: 'string', default: '400' } } });
const src = (p) => tsImport(`../${p}`, import.meta.url);
const { trainCommand } = await src('src/text/commands.ts');
const { exportTextRun } = await src('src/text/onnx.ts');
const { text } = await src('src/index.ts');
const { corpusCsv } = await src('test/text-helpers.ts');

const dir = mkdtempSync(join(tmpdir(), 'chainrule-serve-'));
const csvText = corpusCsv(400);
writeFileSync(join(dir, 'corpus.csv'), csvText);
const hp = { epochs: 2, minDf: 1, hidden: 64, embed: 32, maxLength: 64, lr: 0.002, batchSize: 32 };
if (values.model === 'transformer') Object.assign(hp, { heads: 4, layers: 2, hidden: 64 });
const run = join(dir, 'run');
await trainCommand(values.model, { source: { kind: 'file', file: join(dir, 'corpus.csv'), textCol: 'text', labelCol: 'label' }, out: run, seed: 1, tune: false, curve: [], hp, command: 'serve-onnx', log: () => {} });
const file = join(dir, 'model.onnx');
await exportTextRun(run, file);

// --- the server: model.onnx and model.onnx.json are all it reads ---
const side = JSON.parse(readFileSync(`${file}.json`, 'utf8'));
const features = new text.Featurizer(side.features);
const session = await ort.InferenceSession.create(file, { intraOpNumThreads: 1 });

/** The graph's input for a list of texts, from the JSON file's tokenizer and vocabulary (or vectorizer). */
function feed(texts) {
  const batch = text.makeBatch(
    features.encode(texts.map((t) => text.tokenize(t, features.tokenizer))),
    texts.map((_, i) => i),
  );
  if (batch.kind === 'seq') return { ids: new ort.Tensor('int64', BigInt64Array.from(batch.pad.ids, (v) => BigInt(v)), [batch.pad.batch, batch.pad.length]) };
  return { features: new ort.Tensor('float32', Float32Array.from(text.csrToDense(batch.x)), [batch.x.rows, batch.x.cols]) };
}

async function classify(texts) {
  const { probabilities } = await session.run(feed(texts));
  const k = probabilities.dims[1];
  const p = Array.from({ length: texts.length }, (_, i) => Array.from(probabilities.data.subarray(i * k, (i + 1) * k)));
  return { labels: p.map((row) => side.labels[row.indexOf(Math.max(...row))]), probabilities: p };
}

const server = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/classify') {
    res.writeHead(404).end();
    return;
  }
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', async () => {
    try {
      const { texts } = JSON.parse(body);
      if (!Array.isArray(texts) || texts.some((t) => typeof t !== 'string')) throw new Error('texts must be an array of strings');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(await classify(texts)));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: e.message }));
    }
  });
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const url = `http://127.0.0.1:${server.address().port}/classify`;

// --- the client: bounded requests on loopback ---
const pool = csvText
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => /^\d+,"(.*)",\w+$/.exec(l)?.[1] ?? '');
async function measure(batchSize, requests, inFlight = 4) {
  let next = 0;
  const t0 = performance.now();
  const one = async () => {
    while (next < requests) {
      const i = next++;
      const texts = Array.from({ length: batchSize }, (_, j) => pool[(i * batchSize + j) % pool.length]);
      const r = await fetch(url, { method: 'POST', body: JSON.stringify({ texts }) });
      const out = await r.json();
      if (r.status !== 200 || out.labels.length !== batchSize) throw new Error(`bad answer ${r.status}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, one));
  const s = (performance.now() - t0) / 1000;
  return { requestsPerSecond: requests / s, textsPerSecond: (requests * batchSize) / s };
}
const n = Number(values.requests);
await measure(1, 20); // warm-up
const results = [];
for (const [b, r] of [
  [1, n],
  [32, Math.max(10, Math.round(n / 4))],
]) {
  const m = await measure(b, r);
  results.push({ batch: b, requests: r, ...m });
  console.log(`${values.model}: batch ${String(b).padStart(2)}: ${m.requestsPerSecond.toFixed(1)} requests/s, ${m.textsPerSecond.toFixed(0)} texts/s (${r} requests, 4 in flight)`);
}
server.close();
console.log(JSON.stringify({ model: values.model, onnxruntime: ort.env.versions?.common ?? 'unknown', results }));
