// The browser entry bundles for a browser with no Node built-ins, and runs there: the bundle is
// evaluated in a fresh VM context that has no require, process or node: modules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Script, createContext } from 'node:vm';
import { type BuildResult, build } from 'esbuild';

/** The browser entry bundled once, as a bundler would for a page (an IIFE named chainrule). */
let bundled: Promise<BuildResult<{ write: false; metafile: true }>> | null = null;
const bundle = () => {
  bundled ??= build({
    entryPoints: ['src/browser.ts'],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'chainrule',
    write: false,
    logLevel: 'silent',
    conditions: ['source', 'browser'],
    metafile: true,
  });
  return bundled;
};

describe('browser entry', () => {
  it('bundles for the browser without Node built-ins', async () => {
    const r = await bundle();
    const inputs = Object.keys(r.metafile.inputs);
    assert.ok(inputs.every((f) => !f.startsWith('node:')), 'no node: built-ins');
    // of io/ only the safetensors codec over bytes (no file system)
    assert.ok(!inputs.some((f) => (f.includes('src/io/') && !f.endsWith('src/io/safetensors.ts')) || f.includes('src/backend/native/') || f.includes('src/explain/render/html.ts')));
    // evaluate it where only browser-like globals exist, and train one step there
    const code = r.outputFiles[0].text;
    const ctx = createContext({ console, TextEncoder, TextDecoder, performance, setTimeout, clearTimeout, URL, WebAssembly, queueMicrotask });
    const script = `${code}
      const { tensor, nn, optim, getBackend } = chainrule;
      const backend = getBackend();
      const model = new nn.Linear(2, 1);
      const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
      const x = tensor([[1, 2], [3, 4]]);
      const y = tensor([[1], [2]]);
      const loss0 = model.forward(x).sub(y).square().mean();
      opt.zeroGrad(); loss0.backward(); opt.step();
      const loss1 = model.forward(x).sub(y).square().mean();
      // a product large enough for the wasm GEMM, against the TypeScript kernel
      const a = chainrule.randn([40, 70]);
      const b = chainrule.randn([70, 30]);
      const viaWasm = a.matmul(b).dataSync();
      chainrule.setBackend('js');
      const viaJs = a.matmul(b).dataSync();
      const gemmDiff = Math.max(...viaWasm.map((v, i) => Math.abs(v - viaJs[i])));
      globalThis.result = { backend, backends: chainrule.listBackends(), gemmDiff, loss0: loss0.item(), loss1: loss1.item() };`;
    new Script(script).runInContext(ctx);
    const res = (ctx as { result: { backend: string; backends: string[]; gemmDiff: number; loss0: number; loss1: number } }).result;
    assert.equal(res.backend, 'wasm', 'the default backend in a browser');
    assert.deepEqual([...res.backends], ['js', 'wasm']);
    assert.ok(res.gemmDiff < 1e-4, `wasm and js products differ by ${res.gemmDiff}`);
    assert.ok(res.loss1 < res.loss0, `one SGD step lowers the loss (${res.loss0} -> ${res.loss1})`);
  });

  it('runs on the TypeScript backend where WebAssembly or its SIMD extension is missing', async () => {
    const r = await bundle();
    const script = `${r.outputFiles[0].text}
      const x = chainrule.randn([40, 70]);
      globalThis.result = { backend: chainrule.getBackend(), backends: chainrule.listBackends(), finite: Number.isFinite(x.matmul(x.T).sum().item()) };`;
    // no WebAssembly at all (a VM context has its own unless overridden), and an engine that rejects the SIMD module
    const noSimd = { validate: () => false, Module: WebAssembly.Module, Instance: WebAssembly.Instance };
    for (const globals of [{ WebAssembly: undefined }, { WebAssembly: noSimd }]) {
      const ctx = createContext({ console, TextEncoder, TextDecoder, performance, ...globals });
      new Script(script).runInContext(ctx);
      const res = (ctx as { result: { backend: string; backends: string[]; finite: boolean } }).result;
      assert.equal(res.backend, 'js');
      assert.deepEqual([...res.backends], ['js']);
      assert.ok(res.finite);
    }
  });
});
