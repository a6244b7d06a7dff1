// The wasm backend on a pool of worker threads (setWasmThreads): products large enough to be
// shared (matmul, batched matmul with a transposed operand, conv1d and conv2d through the strided
// GEMM, a GRU step) give bit-identical results on 1 and 2 threads in float32 and float64, the
// gradients too; the pool stops and restarts; a bad thread count is a clear error.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ChainruleError, F, manualSeed, nn, randn, setBackend, setWasmThreads, wasmThreads, type Tensor } from 'chainrule';
import { wasmThreadPool } from '../src/backend/wasm/threads.js';

type Dtype = 'float32' | 'float64';

/** Every result (and gradient) of a few large products on the wasm backend, as plain arrays. */
function products(dtype: Dtype): number[][] {
  setBackend('wasm');
  manualSeed(7);
  const a = randn([200, 173], { dtype, requiresGrad: true });
  const b = randn([173, 131], { dtype, requiresGrad: true });
  const bt = randn([3, 131, 173], { dtype }).transpose(1, 2);
  const m = a.matmul(b);
  const bm = a.matmul(bt.contiguous().transpose(1, 2).transpose(1, 2));
  m.sum().backward();
  const x = randn([4, 32, 300], { dtype, requiresGrad: true });
  const w = randn([48, 32, 5], { dtype, requiresGrad: true });
  const c1 = F.conv1d(x, w, undefined, { padding: 2 });
  c1.square().sum().backward();
  const img = randn([2, 16, 40, 40], { dtype });
  const w2 = randn([32, 16, 3, 3], { dtype });
  const c2 = F.conv2d(img, w2, undefined, { padding: 1 });
  const gru = new nn.GRU(96, 160, { batchFirst: true });
  if (dtype === 'float64') gru.double();
  const [h] = gru.forward(randn([32, 6, 96], { dtype }));
  const out = (t: Tensor | null) => Array.from((t as Tensor).contiguous().dataSync(), Number);
  return [out(m), out(bm), out(a.grad), out(b.grad), out(c1), out(x.grad), out(w.grad), out(c2), out(h)];
}

describe('wasm threads', () => {
  after(async () => {
    await setWasmThreads(1);
    setBackend('js');
  });

  for (const dtype of ['float32', 'float64'] as const) {
    it(`2 threads give the single-threaded results bit for bit (${dtype})`, async () => {
      assert.equal(await setWasmThreads(1), 1);
      const one = products(dtype);
      assert.equal(await setWasmThreads(2), 2);
      assert.equal(wasmThreads(), 2);
      const two = products(dtype);
      // the products ran on the pool: its shared memory (one page when made) now holds their operands
      const memory = (wasmThreadPool()?.exports as unknown as { memory?: WebAssembly.Memory } | undefined)?.memory;
      assert.ok(memory && memory.buffer.byteLength > 1 << 20, 'the pool memory was used');
      assert.equal(two.length, one.length);
      for (let i = 0; i < one.length; i++) {
        assert.ok(one[i].length > 1000, `product ${i} is large`);
        assert.ok(one[i].every(Number.isFinite), `product ${i} is finite`);
        assert.deepEqual(two[i], one[i], `product ${i}`);
      }
    });
  }

  it('stops, restarts and changes size', async () => {
    assert.equal(await setWasmThreads(2), 2);
    assert.equal(await setWasmThreads(1), 1);
    assert.equal(wasmThreads(), 1);
    assert.equal(await setWasmThreads(3), 3);
    setBackend('wasm');
    manualSeed(3);
    const a = randn([300, 257]);
    const b = randn([257, 129]);
    const threaded = a.matmul(b).toArray();
    assert.equal(await setWasmThreads(1), 1);
    assert.deepEqual(a.matmul(b).toArray(), threaded);
  });

  it('rejects a bad thread count and keeps the pool as it was', async () => {
    assert.equal(await setWasmThreads(2), 2);
    for (const bad of [0, -1, 1.5, 65, Number.NaN]) {
      await assert.rejects(setWasmThreads(bad), (e: unknown) => e instanceof ChainruleError && /setWasmThreads: threads must be an integer from 1 to 64/.test(e.message));
    }
    assert.equal(wasmThreads(), 2);
    assert.equal(await setWasmThreads(1), 1);
  });
});
