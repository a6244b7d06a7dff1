// The WebAssembly backend: its SIMD GEMM against the TypeScript kernel on random shapes (tiny,
// skinny, odd, every transpose, batched with broadcast operands, k = 0, several depth and row
// blocks, NaN and infinities; float32 and float64) in both builds (baseline SIMD128 and relaxed
// SIMD), its selection, the committed bytes, and the op table end to end, both as registered and
// with every product (however small) sent to wasm. Where this Node lacks relaxed SIMD by default
// (Node 20), the file runs again in a child process that enables it, without the selection tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listBackends } from 'chainrule';
import { jsBackend } from '../src/backend/js/index.js';
import { nativeAddon } from '../src/backend/native/load.js';
import { registerBackend } from '../src/backend/registry.js';
import { type MatmulSpec, RNN_GATES, RNN_SAVED, type RnnBackwardArgs, type RnnForwardArgs, type RnnKind } from '../src/backend/types.js';
import { wasmBackend, wasmGemmVariant } from '../src/backend/wasm/index.js';
import { createWasmElementwise } from '../src/backend/wasm/elementwise.js';
import { createWasmMatmul } from '../src/backend/wasm/matmul.js';
import { type GemmVariant, decodeBase64, loadGemm } from '../src/backend/wasm/module.js';
import { mlpGrads, B, U } from './backend-helpers.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';

const root = fileURLToPath(new URL('..', import.meta.url));

let seed = 987654;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

function randomArray(C: FloatCtor, n: number): Float32Array | Float64Array {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = (rnd() - 0.5) * 4;
  return a;
}

/**
 * Every output element against the TypeScript kernel, within the rounding bound of a length-k
 * dot product: k·eps·sum|a||b| (computed from the operands, not from either result).
 */
function checkProduct(what: string, matmul: typeof jsBackend.matmul, C: FloatCtor, s: MatmulSpec): void {
  const { batch, m, n, k } = s;
  const aLen = s.strideA === 0 ? m * k : batch * s.strideA;
  const bLen = s.strideB === 0 ? k * n : batch * s.strideB;
  const a = randomArray(C, aLen);
  const b = randomArray(C, bLen);
  const want = new C(batch * m * n);
  // garbage in the output first: the kernel must overwrite every element
  const got = new C(batch * m * n).fill(Number.NaN);
  jsBackend.matmul(a, b, want, s);
  matmul(a, b, got, s);
  const eps = C === Float32Array ? 2 ** -23 : 2 ** -52;
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let mag = 0;
        for (let p = 0; p < k; p++) {
          const av = a[t * s.strideA + (s.transA ? p * m + i : i * k + p)];
          const bv = b[t * s.strideB + (s.transB ? j * k + p : p * n + j)];
          mag += Math.abs(av * bv);
        }
        const o = t * m * n + i * n + j;
        const bound = 2 * (k + 1) * eps * mag;
        if (!(Math.abs(got[o] - want[o]) <= bound)) {
          assert.fail(`${what}: [${t}, ${i}, ${j}] wasm ${got[o]}, js ${want[o]} (bound ${bound})`);
        }
      }
    }
  }
}

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const child = process.env.CHAINRULE_WASM_TEST_CHILD === '1';
const variants = (['simd128', 'relaxed-simd'] as GemmVariant[]).filter((v) => loadGemm(v) !== null);
/** Every product, however small, through the GEMM build that the wasm backend uses. */
const everySize = createWasmMatmul(loadGemm(wasmGemmVariant!)!.exports, 0);

describe('wasm backend: availability and selection', { skip: child && 'child process: the parent ran these' }, () => {
  it('is registered in Node 20 (WebAssembly SIMD) and is the default without the native addon', () => {
    assert.ok(wasmBackend, 'WebAssembly SIMD is available in Node 20');
    assert.ok(listBackends().includes('wasm'));
    const code = "import { getBackend, listBackends } from 'chainrule'; console.log(getBackend(), listBackends().join(','));";
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
    const noAddon = run({ CHAINRULE_NATIVE_ADDON: '/nonexistent/chainrule_native.node', CHAINRULE_SKIP_NATIVE: '1', CHAINRULE_BACKEND: '' });
    assert.equal(noAddon.stdout.trim(), 'wasm js,wasm');
    assert.equal(noAddon.stderr, '');
    for (const want of ['js', 'wasm']) {
      const r = run({ CHAINRULE_BACKEND: want });
      assert.equal(r.stdout.trim().split(' ')[0], want);
      assert.equal(r.stderr, '');
    }
    if (nativeAddon) {
      assert.match(run({ CHAINRULE_BACKEND: 'native' }).stdout.trim(), /^native js,wasm,native$/);
      assert.match(run({ CHAINRULE_BACKEND: '' }).stdout.trim(), /^native /);
    }
  });

  it('the committed bytes of both builds are the assembly of gemm.wat, each under 4 KB', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sizes = /\((\d+) and (\d+) bytes\)/.exec(r.stdout)?.slice(1).map(Number) ?? [];
    assert.equal(sizes.length, 2, r.stdout);
    for (const size of sizes) assert.ok(size > 0 && size < 4096, `module of ${size} bytes`);
  });

  it('the relaxed-SIMD build is chosen where the engine has it, and passes this whole file there', () => {
    if (variants.includes('relaxed-simd')) {
      assert.equal(wasmGemmVariant, 'relaxed-simd');
      return;
    }
    assert.equal(wasmGemmVariant, 'simd128');
    const file = fileURLToPath(import.meta.url);
    // without NODE_TEST_CONTEXT, which would make the child report to this runner instead of stdout
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const r = spawnSync(process.execPath, [RELAXED_FLAG, '--conditions=source', '--import', 'tsx', '--test', '--test-reporter=tap', file], {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, CHAINRULE_WASM_TEST_CHILD: '1' },
    });
    assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr}`);
    assert.match(r.stdout, /# fail 0/);
    assert.match(r.stdout, /ok \d+ - wasm backend: matmul matches the TypeScript kernel \(relaxed-simd build\)/);
  });

  it('decodes base64 like Buffer does (every padding length)', () => {
    for (const len of [0, 1, 2, 3, 4, 5, 100, 257]) {
      const bytes = Uint8Array.from({ length: len }, () => Math.floor(rnd() * 256));
      assert.deepEqual(decodeBase64(Buffer.from(bytes).toString('base64')), bytes);
    }
    assert.throws(() => decodeBase64('AB$D'), /bad character/);
  });
});

for (const variant of variants) {
  const every = createWasmMatmul(loadGemm(variant)!.exports, 0);
  describe(`wasm backend: matmul matches the TypeScript kernel (${variant} build)`, () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [4, 8, 1],
      [3, 5, 7],
      [1, 64, 64],
      [64, 1, 64],
      [2, 300, 3],
      [37, 19, 300],
      [50, 45, 513],
      [129, 33, 17],
      [8, 8, 8],
      [16, 24, 260],
    ];
    for (const C of [Float32Array, Float64Array]) {
      it(`${C.name}: odd, skinny and blocked shapes, all four transposes`, () => {
        for (const [m, n, k] of shapes) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              const s = { batch: 1, m, n, k, transA, transB, strideA: m * k, strideB: k * n };
              checkProduct(`${m}x${n}x${k} tA=${transA} tB=${transB}`, every, C, s);
              checkProduct(`${m}x${n}x${k} tA=${transA} tB=${transB} (registered)`, wasmBackend!.matmul, C, s);
            }
          }
        }
      });

      it(`${C.name}: batches with broadcast (stride 0) operands`, () => {
        for (const [strideA, strideB] of [
          [1, 1],
          [0, 1],
          [1, 0],
          [0, 0],
        ]) {
          const [m, n, k] = [9, 13, 21];
          const s = { batch: 3, m, n, k, transA: strideA === 0, transB: strideB === 1, strideA: strideA * m * k, strideB: strideB * k * n };
          checkProduct(`batched strides ${strideA},${strideB}`, every, C, s);
        }
      });

      it(`${C.name}: k = 0 gives zeros; empty outputs are untouched`, () => {
        const out = new C(12).fill(7);
        every(new C(0), new C(0), out, { batch: 2, m: 2, n: 3, k: 0, transA: false, transB: false, strideA: 0, strideB: 0 });
        assert.deepEqual([...out], new Array(12).fill(0));
        const none = new C(0);
        every(new C(10), new C(0), none, { batch: 1, m: 2, n: 0, k: 5, transA: false, transB: false, strideA: 10, strideB: 0 });
        assert.equal(none.length, 0);
      });

      it(`${C.name}: NaN and infinities propagate to the same elements`, () => {
        const [m, n, k] = [6, 10, 5];
        const a = randomArray(C, m * k);
        const b = randomArray(C, k * n);
        a[7] = Number.NaN; // row 1
        a[12] = Number.POSITIVE_INFINITY; // row 2
        b[3] = Number.NEGATIVE_INFINITY; // column 3
        const s = { batch: 1, m, n, k, transA: false, transB: false, strideA: 0, strideB: 0 };
        const want = new C(m * n);
        const got = new C(m * n);
        jsBackend.matmul(a, b, want, s);
        every(a, b, got, s);
        for (let i = 0; i < m * n; i++) {
          if (Number.isFinite(want[i])) assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `element ${i}`);
          else assert.ok(Object.is(got[i], want[i]), `element ${i}: wasm ${got[i]}, js ${want[i]}`);
        }
        assert.ok(Number.isNaN(got[1 * n]) && !Number.isFinite(got[2 * n]));
      });
    }

    it('grows its memory for a large product, then still runs small ones', () => {
      const [m, n, k] = [300, 200, 700];
      checkProduct('large float64', every, Float64Array, { batch: 1, m, n, k, transA: true, transB: false, strideA: m * k, strideB: k * n });
      checkProduct('small float32 after growth', every, Float32Array, { batch: 1, m: 5, n: 9, k: 3, transA: false, transB: true, strideA: 15, strideB: 27 });
    });
  });
}

describe('wasm backend: elementwise kernels are bitwise those of the js backend', () => {
  // every size goes to wasm here; the registered backend only takes arrays of ELEMENTWISE_MIN and more
  const exports = loadGemm(wasmGemmVariant!)!.exports;
  let calls = 0;
  const counted = (f: (...args: number[]) => void) => (...args: number[]) => {
    calls++;
    f(...args);
  };
  const ew = createWasmElementwise(
    { ...exports, binary32: counted(exports.binary32), binary64: counted(exports.binary64), relu: counted(exports.relu) },
    0,
  );
  const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-40, 5e-324, -1];
  const withSpecials = (C: FloatCtor, n: number) => {
    const x = randomArray(C, n);
    for (let i = 0; i < n; i += 3) x[i] = specials[(i / 3) % specials.length];
    return x;
  };
  const same = (what: string, got: ArrayLike<number>, want: ArrayLike<number>) => {
    assert.equal(got.length, want.length, what);
    for (let i = 0; i < want.length; i++) {
      if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: wasm ${got[i]}, js ${want[i]}`);
    }
  };
  const contiguous = (shape: number[]) => shape.map((_, d) => shape.slice(d + 1).reduce((p, q) => p * q, 1));
  const ops: string[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum'];
  for (const C of [Float32Array, Float64Array]) {
    it(`${C.name}: same shapes, scalars on either side, row broadcasts, other layouts, in place`, () => {
      // [outShape, aStrides, bStrides, aLength, bLength, wasm runs it: 'all' ops, 'commuting' ones, 'none']
      type Layout = [number[], number[], number[], number, number, 'all' | 'commuting' | 'none'];
      const layouts: Layout[] = [];
      for (const n of [1, 3, 4, 5, 17, 1000, 4099]) {
        layouts.push([[n], [1], [1], n, n, 'all'], [[n], [1], [0], n, 1, 'all'], [[n], [0], [1], 1, n, n === 1 ? 'all' : 'commuting']);
      }
      layouts.push(
        [[33, 7], [7, 1], [0, 1], 231, 7, 'all'],
        [[33, 7], [0, 1], [7, 1], 7, 231, 'commuting'],
        [[2, 3, 5], [15, 5, 1], [0, 0, 1], 30, 5, 'all'],
        [[6, 4], [4, 1], [1, 0], 24, 6, 'none'],
        [[3, 3], [1, 0], [0, 1], 3, 3, 'none'],
      );
      for (const [shape, sa, sb, na, nb, runs] of layouts) {
        const a = withSpecials(C, na);
        const b = withSpecials(C, nb);
        const n = shape.reduce((p, q) => p * q, 1);
        for (const op of ops) {
          const want = new C(n);
          const got = new C(n).fill(7);
          jsBackend.binary(B(op), a, sa, b, sb, want, shape);
          const before = calls;
          ew.binary(B(op), a, sa, b, sb, got, shape);
          same(`${op} [${shape}] strides ${sa} / ${sb}`, got, want);
          const wasm = ['add', 'mul'].includes(op) ? runs !== 'none' : ['sub', 'div'].includes(op) && runs === 'all';
          assert.equal(calls - before, wasm ? 1 : 0, `${op} [${shape}] strides ${sa} / ${sb} in wasm`);
        }
      }
      const a = withSpecials(C, 999);
      const b = withSpecials(C, 999);
      const want = new C(999);
      jsBackend.binary(B('sub'), a, [1], b, [1], want, [999]);
      ew.binary(B('sub'), a, [1], b, [1], a, [999]);
      same('sub in place', a, want);
    });

    it(`${C.name}: relu (NaN, infinities, signed zeros, odd lengths), and other unary ops fall through`, () => {
      for (const n of [1, 2, 3, 4, 7, 1001, 5000]) {
        const x = withSpecials(C, n);
        for (const [op, p0] of [['relu', 0], ['mulScalar', 1.5], ['exp', 0]] as const) {
          const want = new C(n);
          const got = new C(n);
          jsBackend.unary(U(op), x, want, p0);
          const before = calls;
          ew.unary(U(op), x, got, p0);
          same(`${op} n=${n}`, got, want);
          assert.equal(calls - before, op === 'relu' ? 1 : 0, `${op} in wasm`);
        }
      }
    });
  }

  it('the registered backend sends large arrays through them (a bias add of 256 × 1024)', () => {
    const a = randomArray(Float32Array, 256 * 1024);
    const b = randomArray(Float32Array, 1024);
    const want = new Float32Array(a.length);
    const got = new Float32Array(a.length);
    jsBackend.binary(B('add'), a, contiguous([256, 1024]), b, [0, 1], want, [256, 1024]);
    wasmBackend!.binary(B('add'), a, contiguous([256, 1024]), b, [0, 1], got, [256, 1024]);
    same('bias add', got, want);
  });
});

describe('wasm backend: the fused recurrences step through the wasm GEMM', () => {
  // B·G·H is above the wasm threshold for every kind, so each step's product runs in wasm
  const [T, B, H] = [5, 6, 20];
  for (const C of [Float32Array, Float64Array]) {
    for (const kind of ['tanh', 'relu', 'gru', 'lstm'] as RnnKind[]) {
      it(`${kind} forward and backward agree with the js backend (${C.name}, mask, both directions)`, () => {
        const G = RNN_GATES[kind] * H;
        const S = RNN_SAVED[kind] * H;
        const lstm = kind === 'lstm';
        const mask = Uint8Array.from({ length: T * B }, (_, i) => (i % B < 4 || i < (T - 1) * B ? 1 : 0));
        const scaled = (n: number, f: number) => randomArray(C, n).map((v) => v * f);
        const gx = randomArray(C, T * B * G);
        const h0 = scaled(B * H, 0.25);
        const c0 = lstm ? scaled(B * H, 0.25) : null;
        const whh = scaled(G * H, 0.1);
        const bhh = scaled(G, 0.1);
        const dOut = randomArray(C, T * B * H);
        const dhN = randomArray(C, B * H);
        const dcN = lstm ? randomArray(C, B * H) : null;
        for (const reverse of [false, true]) {
          const spec = { kind, T, B, H, reverse };
          const run = (backend: typeof jsBackend) => {
            const f: RnnForwardArgs = {
              gx, h0, c0, whh, bhh, mask,
              out: new C(T * B * H), hN: new C(B * H), cN: lstm ? new C(B * H) : null,
              hPrev: new C(T * B * H), saved: new C(T * B * S),
            };
            backend.rnnForward(spec, f);
            const g: RnnBackwardArgs = {
              whh, mask, hPrev: f.hPrev, saved: f.saved, dOut, dhN, dcN,
              dgx: new C(T * B * G), dgh: kind === 'gru' ? new C(T * B * G) : null,
              dh0: new C(B * H), dc0: lstm ? new C(B * H) : null,
            };
            backend.rnnBackward(spec, g);
            return { out: f.out, hN: f.hN, cN: f.cN, saved: f.saved, dgx: g.dgx, dgh: g.dgh, dh0: g.dh0, dc0: g.dc0 };
          };
          const want = run(jsBackend);
          const got = run(wasmBackend!);
          const tol = C === Float32Array ? 2e-5 : 1e-12;
          for (const [name, w] of Object.entries(want)) {
            const g = got[name as keyof typeof got];
            if (w === null) continue;
            assert.ok(g !== null && g.length === w.length, name);
            for (let i = 0; i < w.length; i++) {
              assert.ok(Math.abs(g[i] - w[i]) <= tol * (1 + Math.abs(w[i])), `${name}[${i}] reverse=${reverse}: wasm ${g[i]}, js ${w[i]}`);
            }
          }
          assert.ok(want.dh0.some((v) => v !== 0), 'the gradient reaches h0');
        }
      });
    }
  }
});

describe('wasm backend: end to end', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    it(`an MLP's loss and gradients agree with the js backend (${dtype})`, () => {
      const js = mlpGrads('js', dtype);
      const wasm = mlpGrads('wasm', dtype);
      const tol = dtype === 'float64' ? 1e-12 : 2e-5;
      for (const [i, v] of js.entries()) {
        for (const [j, w] of v.entries()) {
          assert.ok(Math.abs(wasm[i][j] - w) <= tol * (1 + Math.abs(w)), `output ${i}[${j}]: wasm ${wasm[i][j]}, js ${w}`);
        }
      }
    });
  }
});

runOpTable('wasm');
runOpTableFloat32('wasm');
runDoubleBackward('wasm');

// the fixtures' products are small: run the table again with every product in the wasm GEMM
registerBackend({ ...wasmBackend!, name: 'wasm-every-size', matmul: everySize });
runOpTable('wasm-every-size');
runOpTableFloat32('wasm-every-size');
runDoubleBackward('wasm-every-size');
