#!/usr/bin/env node
// Runs the browser bundle on the main thread of headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, which downloads no browser) and checks the WebAssembly backend there:
// it is the default, it compiled synchronously (no 4 KB main-thread limit hit), which GEMM build
// runs, float32 and float64 products against the TypeScript backend, a few training steps, and
// the GFLOP/s of a 512 × 512 float32 product on both backends.
// Not part of npm test: CI has no Chromium.
//
//   node scripts/check-browser-wasm.mjs        (CHROMIUM=/path/to/chrome for another browser)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const entry = `
import * as cr from './src/browser.ts';
import { wasmGemmVariant } from './src/backend/wasm/index.ts';

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

const result = {
  userAgent: navigator.userAgent,
  backend: cr.getBackend(),
  backends: cr.listBackends(),
  gemm: wasmGemmVariant,
  diffFloat32: product('float32'),
  diffFloat64: product('float64'),
  loss: train(),
  gflops512: { wasm: gflops('wasm', 512), js: gflops('js', 512) },
};
cr.setBackend('wasm');
globalThis.__result = result;
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
const page = join(dir, 'index.html');
writeFileSync(join(dir, 'bundle.js'), bundle.outputFiles[0].text);
writeFileSync(page, '<!doctype html><meta charset="utf-8"><title>chainrule wasm</title><script src="bundle.js"></script>\n');

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
  await tab.goto(pathToFileURL(page).href);
  result = await tab.evaluate(() => globalThis.__result ?? null);
} finally {
  await context.close();
  rmSync(dir, { recursive: true, force: true });
}

console.log(JSON.stringify(result, null, 2));
if (!result) problems.push('the bundle did not finish');
else {
  if (result.backend !== 'wasm') problems.push(`default backend ${result.backend}, expected wasm`);
  if (!(result.diffFloat32 < 1e-3)) problems.push(`float32 products differ from js by ${result.diffFloat32}`);
  if (!(result.diffFloat64 < 1e-10)) problems.push(`float64 products differ from js by ${result.diffFloat64}`);
  if (!(result.loss[1] < result.loss[0])) problems.push(`training did not lower the loss (${result.loss})`);
}
for (const p of problems) console.error(`check-browser-wasm: ${p}`);
process.exit(problems.length ? 1 : 0);
