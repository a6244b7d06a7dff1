// The native backend's storage pool (native/storage.cc): tensor storage of 16 KiB and more comes from
// size classes, returns to the pool when the garbage collector frees its buffer, and is handed out
// again zero-filled (or, for kernels that write every element, as it was). Timings are in
// bench/results/storage-pool.txt, not here.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { getBackend, matmul, ones, randn, setBackend, tensor, zeros } from 'chainrule';
import { nativeAddon, nativeLoadError } from '../src/backend/native/load.js';
import { STORAGE_POOL_MIN_BYTES, arrayFor } from '../src/tensor/dtype.js';
import { output } from '../src/ops/kernel.js';
import { rnnSequence } from '../src/ops/rnn.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** A few full collections: V8 frees array buffers (and so gives their blocks back) after marking. */
function collect(): void {
  for (let i = 0; i < 4; i++) gc();
}

const addon = nativeAddon;
if (!addon?.storage) {
  describe('storage pool', () => {
    it(`skipped: the native addon has no storage pool here (${nativeLoadError ?? 'built without V8 headers'})`, { skip: true }, () => {});
  });
} else {
  const stats = () => addon.storageStats();
  const withNative = (f: () => void) => {
    const prev = getBackend();
    setBackend('native');
    try {
      f();
    } finally {
      setBackend(prev);
    }
  };

  describe('storage pool', () => {
    it('hands out storage from the pool at and above the threshold, plain arrays below it', () =>
      withNative(() => {
        const before = stats();
        const big = arrayFor('float32', STORAGE_POOL_MIN_BYTES / 4);
        const small = arrayFor('float32', STORAGE_POOL_MIN_BYTES / 4 - 1);
        const after = stats();
        assert.equal(after.reused + after.fresh - (before.reused + before.fresh), 1);
        // the buffer is exactly the tensor's bytes, whatever the block's class
        assert.equal(big.buffer.byteLength, STORAGE_POOL_MIN_BYTES);
        assert.equal(big.byteOffset, 0);
        assert.equal(big.length, STORAGE_POOL_MIN_BYTES / 4);
        assert.equal(small.buffer.byteLength, STORAGE_POOL_MIN_BYTES - 4);
        assert.ok(big.every((v) => v === 0));
      }));

    it('takes blocks back when their buffers are collected and hands them out again zero-filled', () =>
      withNative(() => {
        const n = 3 * 4096 + 5; // 49,172 bytes: the 57,344-byte class
        const dirty: Float32Array[] = [];
        for (let i = 0; i < 64; i++) {
          const a = arrayFor('float32', n) as Float32Array;
          a.fill(7.5);
          dirty.push(a);
        }
        dirty.length = 0;
        collect();
        const given = stats();
        // (a reference or two may survive the collection on the stack)
        assert.ok(given.cachedBytes >= 48 * 57344, `cached ${given.cachedBytes} bytes after the collection`);
        // every array made now reuses a block that held 7.5s, and reads as zeros
        for (let i = 0; i < 64; i++) {
          const t = zeros([n]);
          assert.equal(t.data.length, n);
          assert.ok(t.data.every((v) => v === 0), `reused block ${i} is not zero-filled`);
        }
        const reused = stats();
        assert.ok(reused.reused - given.reused >= 48, `reused ${reused.reused - given.reused} of 64`);
        assert.ok(reused.cachedBytes <= given.cachedBytes - 48 * 57344);
      }));

    it('kernel outputs over unzeroed blocks hold exactly what the kernel wrote', () =>
      withNative(() => {
        // leave blocks full of NaN in the pool, then run kernels whose outputs take those blocks
        for (let i = 0; i < 32; i++) (arrayFor('float32', 128 * 128) as Float32Array).fill(Number.NaN);
        collect();
        const a = randn([128, 128]);
        const b = ones([128, 128]);
        const y = matmul(a, b);
        const s = a.sum(1).data;
        for (let i = 0; i < 128; i++) for (let j = 0; j < 128; j += 37) assert.ok(Math.abs(y.data[i * 128 + j] - s[i]) < 1e-3);
        const r = a.relu();
        for (let i = 0; i < a.data.length; i++) assert.equal(r.data[i], Math.max(a.data[i], 0));
        const sm = a.softmax(1).sum(1).data;
        for (let i = 0; i < 128; i++) assert.ok(Math.abs(sm[i] - 1) < 1e-5);
        const o = output([128, 128], 'float32');
        assert.equal(o.data.length, 128 * 128);
      }));

    it('recurrent layers over unzeroed blocks compute what they compute over plain arrays, masked steps too', () => {
      // reference on the js backend (plain, zeroed arrays), then native over blocks full of NaN
      const T = 6;
      const B = 16;
      const H = 48;
      const run = () => {
        const out: number[][] = [];
        for (const kind of ['gru', 'lstm', 'tanh'] as const) {
          const G = (kind === 'gru' ? 3 : kind === 'lstm' ? 4 : 1) * H;
          const gen = (shape: readonly number[], seed: number) => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.37 + seed))).reshape(shape);
          const gx = gen([T, B, G], 1).requiresGrad_();
          const h0 = gen([B, H], 2).requiresGrad_();
          const whh = gen([G, H], 3).mul(0.2).requiresGrad_();
          const bhh = gen([G], 4).requiresGrad_();
          const mask = tensor(Array.from({ length: T * B }, (_, i) => (i % 5 === 3 ? 0 : 1)), { dtype: 'bool' }).reshape([T, B]);
          const r = rnnSequence(kind, gx, h0, whh, { bhh, mask });
          const loss = r.out.mul(gen(r.out.shape, 5)).sum().add(r.hN.sum());
          loss.backward();
          out.push([...r.out.data], [...r.hN.data], [...gx.grad!.data], [...h0.grad!.data], [...whh.grad!.data], [...bhh.grad!.data]);
        }
        return out;
      };
      const prev = getBackend();
      setBackend('js');
      let want: number[][];
      try {
        want = run();
      } finally {
        setBackend(prev);
      }
      withNative(() => {
        for (let bytes = STORAGE_POOL_MIN_BYTES; bytes <= 1 << 17; bytes += 2048) {
          for (let i = 0; i < 3; i++) (arrayFor('float32', bytes / 4) as Float32Array).fill(Number.NaN);
        }
        collect();
        const got = run();
        assert.equal(got.length, want.length);
        for (let k = 0; k < got.length; k++) {
          assert.equal(got[k].length, want[k].length);
          for (let i = 0; i < got[k].length; i++) {
            assert.ok(Math.abs(got[k][i] - want[k][i]) <= 1e-4 * (1 + Math.abs(want[k][i])), `array ${k}[${i}]: ${got[k][i]} vs ${want[k][i]}`);
          }
        }
      });
    });

    it('keeps the cached bytes under the cap and frees them on trim', () =>
      withNative(() => {
        for (let i = 0; i < 16; i++) arrayFor('float64', 1 << 16);
        collect();
        const s = stats();
        assert.ok(s.cachedBytes <= s.capBytes);
        assert.equal(s.capBytes, 512 * 2 ** 20);
        addon.storageTrim();
        assert.equal(stats().cachedBytes, 0);
        const t = tensor([1, 2, 3]);
        assert.deepEqual([...t.data], [1, 2, 3]);
      }));

    it('rejects a byte count that is not positive', () => {
      assert.throws(() => addon.storage?.(0, true), RangeError);
      assert.throws(() => addon.storage?.(-5, true), RangeError);
      assert.throws(() => addon.storage?.(Number.NaN, true), RangeError);
    });

    it('CHAINRULE_STORAGE_POOL_MB=0 caches nothing: every block goes back to the system', () => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      const code = [
        "import v8 from 'node:v8'; import vm from 'node:vm';",
        "v8.setFlagsFromString('--expose-gc'); const gc = vm.runInNewContext('gc');",
        "const { randn, setBackend } = await import('chainrule');",
        "const { nativeAddon } = await import('./src/backend/native/load.ts');",
        "setBackend('native');",
        'for (let i = 0; i < 50; i++) randn([64, 64]).mul(2);',
        'for (let i = 0; i < 4; i++) gc();',
        'console.log(JSON.stringify(nativeAddon.storageStats()));',
      ].join('\n');
      const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CHAINRULE_STORAGE_POOL_MB: '0' },
      });
      assert.equal(r.status, 0, r.stderr);
      const s = JSON.parse(r.stdout.trim().split('\n').pop() as string);
      assert.equal(s.capBytes, 0);
      assert.equal(s.cachedBytes, 0);
      assert.equal(s.reused, 0);
      assert.ok(s.fresh >= 100, `fresh ${s.fresh}`);
    });
  });
}
