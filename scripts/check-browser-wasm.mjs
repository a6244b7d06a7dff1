#!/usr/bin/env node
// Runs the browser bundle on the main thread of headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, which downloads no browser) and checks the WebAssembly backend there:
// it is the default, it compiled synchronously (no 4 KB main-thread limit hit), which GEMM build
// runs, float32 and float64 products against the TypeScript backend, the attention module (about
// 10 KB) compiled and its scaled dot-product attention against the TypeScript backend's, a few
// training steps, and the GFLOP/s of a 512 × 512 float32 product on both backends. The page is
// served over a local HTTP server with COOP/COEP headers, so it is cross-origin isolated and
// setWasmThreads can start Web Workers: the threaded products are checked bit for bit against one
// thread, and the 1024 × 1024 float32 product is timed on 1 and on 2 threads (medians of 11 timed
// runs after warm-up).
// Not part of npm test: CI has no Chromium.
//
//   node scripts/check-browser-wasm.mjs        (CHROMIUM=/path/to/chrome for another browser)
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const entry = `
import * as cr from './src/browser.ts';
import { wasmGemmVariant } from './src/backend/wasm/index.ts';
import { loadAttention } from './src/backend/wasm/attention.ts';

function product(dtype) {
  const a = cr.randn([100, 70], { dtype });
  const b = cr.randn([70, 90], { dtype });
  cr.setBackend('wasm');
  const w = a.matmul(b).dataSync();
  cr.setBackend('js');
  const j = a.matmul(b).dataSync();
  cr.setBackend('wasm');
  let diff = 0;
  for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(w[i] - j[i]));
  return diff;
}

function attention() {
  const [q, k, v] = [[2, 40, 16], [2, 50, 16], [2, 50, 8]].map((sh) => cr.randn(sh, { dtype: 'float64' }));
  const run = (backend) => {
    cr.setBackend(backend);
    return cr.scaledDotProductAttention(q, k, v, { isCausal: true }).dataSync();
  };
  const w = run('wasm');
  const j = run('js');
  cr.setBackend('wasm');
  let diff = 0;
  for (let i = 0; i < w.length; i++) diff = Math.max(diff, Math.abs(w[i] - j[i]));
  return diff;
}

function gflops(backend, n) {
  cr.setBackend(backend);
  const a = cr.randn([n, n]);
  const b = cr.randn([n, n]);
  a.matmul(b);
  let reps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    a.matmul(b);
    reps++;
  }
  const ms = (performance.now() - t0) / reps;
  cr.setBackend('wasm');
  return Number(((2 * n ** 3) / ms / 1e6).toFixed(1));
}

function train() {
  cr.manualSeed(1);
  const model = new cr.nn.Sequential(new cr.nn.Linear(20, 64), new cr.nn.ReLU(), new cr.nn.Linear(64, 3));
  const opt = new cr.optim.SGD(model.parameters(), { lr: 0.1 });
  const x = cr.randn([128, 20]);
  const y = cr.tensor(Int32Array.from({ length: 128 }, (_, i) => i % 3));
  const losses = [];
  for (let s = 0; s < 20; s++) {
    const loss = cr.F.crossEntropy(model.forward(x), y);
    opt.zeroGrad();
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  return [losses[0], losses[losses.length - 1]];
}

/** Median GFLOP/s of an n × n float32 product on the wasm backend: 3 warm-up runs, then 11 timed. */
function medianGflops(n) {
  cr.setBackend('wasm');
  const a = cr.randn([n, n]);
  const b = cr.randn([n, n]);
  for (let i = 0; i < 3; i++) a.matmul(b);
  const ms = [];
  for (let i = 0; i < 11; i++) {
    const t0 = performance.now();
    a.matmul(b);
    ms.push(performance.now() - t0);
  }
  ms.sort((x, y) => x - y);
  return Number(((2 * n ** 3) / ms[5] / 1e6).toFixed(1));
}

/** The largest difference between products on 2 threads and on 1 (0: bit for bit). */
async function threadedDiff() {
  cr.setBackend('wasm');
  let diff = 0;
  for (const dtype of ['float32', 'float64']) {
    const a = cr.randn([300, 257], { dtype });
    const b = cr.randn([257, 190], { dtype });
    await cr.setWasmThreads(1);
    const one = a.matmul(b).dataSync();
    await cr.setWasmThreads(2);
    const two = a.matmul(b).dataSync();
    for (let i = 0; i < one.length; i++) diff = Math.max(diff, Math.abs(one[i] - two[i]));
  }
  return diff;
}

async function main() {
  const result = {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    backend: cr.getBackend(),
    backends: cr.listBackends(),
    gemm: wasmGemmVariant,
    diffFloat32: product('float32'),
    diffFloat64: product('float64'),
    attentionModule: loadAttention() !== null,
    diffAttention: attention(),
    loss: train(),
    gflops512: { wasm: gflops('wasm', 512), js: gflops('js', 512) },
  };
  await cr.setWasmThreads(1);
  const one = medianGflops(1024);
  result.threads = await cr.setWasmThreads(2);
  const two = medianGflops(1024);
  result.gflops1024 = { threads1: one, threads2: two, speedup: Number((two / one).toFixed(2)) };
  result.threadedDiff = await threadedDiff();
  await cr.setWasmThreads(1);
  cr.setBackend('wasm');
  globalThis.__result = result;
}
main().catch((e) => {
  globalThis.__result = { error: String(e && e.stack ? e.stack : e) };
});
`;

const bundle = await build({
  stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js', sourcefile: 'check-browser-wasm-entry.js' },
  bundle: true,
  platform: 'browser',
  format: 'iife',
  write: false,
  logLevel: 'silent',
  conditions: ['source', 'browser'],
});
const dir = mkdtempSync(join(tmpdir(), 'chainrule-browser-wasm-'));
const files = {
  '/index.html': ['text/html', '<!doctype html><meta charset="utf-8"><title>chainrule wasm</title><link rel="icon" href="data:,"><script src="bundle.js"></script>\n'],
  '/bundle.js': ['text/javascript', bundle.outputFiles[0].text],
};
// cross-origin isolation (SharedArrayBuffer, Web Workers on shared memory) needs these two headers
const server = createServer((req, res) => {
  const f = files[new URL(req.url, 'http://localhost').pathname];
  if (!f) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, {
    'Content-Type': f[0],
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  });
  res.end(f[1]);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const problems = [];
let result = null;
try {
  const tab = await context.newPage();
  tab.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  tab.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await tab.goto(`${origin}/index.html`);
  await tab.waitForFunction(() => globalThis.__result !== undefined, null, { timeout: 300_000 });
  result = await tab.evaluate(() => globalThis.__result ?? null);
} finally {
  await context.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify(result, null, 2));
if (!result) problems.push('the bundle did not finish');
else if (result.error) problems.push(`the page threw: ${result.error}`);
else {
  if (!result.crossOriginIsolated) problems.push('the page is not cross-origin isolated');
  if (result.threads !== 2) problems.push(`setWasmThreads(2) started ${result.threads} thread(s)`);
  if (result.threadedDiff !== 0) problems.push(`2-thread products differ from 1-thread ones by ${result.threadedDiff}`);
  if (result.backend !== 'wasm') problems.push(`default backend ${result.backend}, expected wasm`);
  if (!(result.diffFloat32 < 1e-3)) problems.push(`float32 products differ from js by ${result.diffFloat32}`);
  if (!(result.diffFloat64 < 1e-10)) problems.push(`float64 products differ from js by ${result.diffFloat64}`);
  if (!result.attentionModule) problems.push('the attention module did not compile on the main thread');
  if (!(result.diffAttention < 1e-12)) problems.push(`attention differs from js by ${result.diffAttention}`);
  if (!(result.loss[1] < result.loss[0])) problems.push(`training did not lower the loss (${result.loss})`);
}
for (const p of problems) console.error(`check-browser-wasm: ${p}`);
process.exit(problems.length ? 1 : 0);
