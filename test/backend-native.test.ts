// The native backend against the TypeScript reference, kernel by kernel on random inputs (every
// dtype, broadcasting, non-contiguous strides, transposed and batched matmul, empty tensors, all
// GEMM instruction sets), then end to end (autograd, the op table, a training loop's memory).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChainruleError, type Tensor, getBackend, manualSeed, noGrad, randn, setBackend } from 'chainrule';
import { jsBackend } from '../src/backend/js/index.js';
import { registerBackend } from '../src/backend/registry.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { contiguousStrides } from '../src/tensor/strides.js';
import { nativeAddon, nativeLoadError } from '../src/backend/native/load.js';
import type { Backend, TypedArray } from '../src/backend/types.js';
import { mlpGrads, B, U } from './backend-helpers.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;
const FLOATS: Ctor[] = [Float32Array, Float64Array];
const ALL: Ctor[] = [Float32Array, Float64Array, Int32Array, Uint8Array];

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

/** Random values for a dtype; floats include a few specials when `specials` is set. */
function fill(C: Ctor, n: number, specials = false, scale = 4): TypedArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) {
    if (C === Uint8Array) a[i] = Math.floor(rnd() * 4);
    else if (C === Int32Array) a[i] = Math.floor((rnd() - 0.5) * 40);
    else a[i] = (rnd() - 0.5) * 2 * scale;
  }
  if (specials && (C === Float32Array || C === Float64Array) && n >= 8) {
    const sp = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1, -1, 0.5];
    for (let k = 0; k < sp.length; k++) a[Math.floor(rnd() * n)] = sp[k];
  }
  return a;
}

function ulps(C: Ctor): number {
  return C === Float32Array ? 2 ** -23 : 2 ** -52;
}

/** Bitwise equality (NaN == NaN, +0 == -0 only when `signedZero` is off) or relative tolerance. */
function same(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rel = 0, abs = 0): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (Object.is(g, w) || (g === w && rel + abs > 0) || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (rel + abs > 0 && Number.isFinite(w) && Math.abs(g - w) <= abs + rel * Math.abs(w)) continue;
    assert.fail(`${what}[${i}]: native ${g}, js ${w}`);
  }
}


const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

if (!nativeAddon) {
  describe('native backend', () => {
    it(`skipped: the native addon did not build or load (${nativeLoadError})`, { skip: true }, () => {});
  });
} else {
  const addon = nativeAddon;
  // every size goes to C here, including the tiny arrays the default backend hands to js kernels
  const nb: Backend = createNativeBackend(addon, { smallCutoff: -1 });
  const isas = (['avx512', 'avx2', 'generic'] as const).filter((isa) => {
    const ok = addon.configure(isa, 0);
    return ok;
  });
  const bestIsa = isas[0];
  addon.configure(bestIsa, 0);
  const threads = addon.info().threads;

  describe('native backend: selection', () => {
    it('is registered and active by default', () => {
      if (process.env.CHAINRULE_BACKEND !== 'js') assert.equal(getBackend(), 'native');
      assert.equal(addon.info().isa, bestIsa);
    });

    it('falls back to wasm with a one-line notice when the addon cannot load', () => {
      const root = fileURLToPath(new URL('..', import.meta.url));
      const code = "import { getBackend, tensor } from 'chainrule'; console.log(getBackend(), tensor([1, 2]).add(1).sum().item());";
      const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CHAINRULE_NATIVE_ADDON: '/nonexistent/chainrule_native.node', CHAINRULE_BACKEND: 'native' },
      });
      assert.equal(r.stdout.trim(), 'wasm 5');
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], /^chainrule: CHAINRULE_BACKEND=native, but the native addon is unavailable .*using the wasm backend$/);
    });
  });

  describe('native backend: elementwise kernels match the js backend', () => {
    const exactUnary: string[] = ['neg', 'abs', 'relu', 'sign', 'step', 'floor', 'ceil', 'trunc', 'round', 'square', 'reciprocal', 'sqrt', 'rsqrt', 'leakyRelu', 'addScalar', 'mulScalar', 'divScalar', 'clamp'];
    const mathUnary: string[] = [
      ...['exp', 'expm1', 'log', 'log1p', 'log2', 'log10', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh'],
      ...['sigmoid', 'erf', 'gelu', 'geluTanh', 'elu', 'softplus', 'powScalar'],
    ];
    const params: Partial<Record<string, [number, number]>> = {
      leakyRelu: [0.1, 0],
      elu: [1.5, 0],
      softplus: [2, 3],
      powScalar: [2.5, 0],
      addScalar: [0.3, 0],
      mulScalar: [1.7, 0],
      divScalar: [1.7, 0],
      clamp: [-0.5, 0.75],
    };
    for (const C of ALL) {
      it(`unary ops on ${C.name} (including NaN, infinities, signed zeros; threaded sizes)`, () => {
        for (const n of [0, 1, 37, 100_003]) {
          const x = fill(C, n, true);
          for (const op of [...exactUnary, ...mathUnary]) {
            const [p0, p1] = params[op] ?? [0, 0];
            const want = new C(n);
            const got = new C(n);
            jsBackend.unary(U(op), x, want, p0, p1);
            nb.unary(U(op), x, got, p0, p1);
            const math = mathUnary.includes(op) && (C === Float32Array || C === Float64Array);
            // absolute slack for cancellation near zero (gelu of large negative x, log near 1)
            same(`${op} ${C.name} n=${n}`, got, want, math ? 4 * ulps(C) : 0, math ? 16 * ulps(C) : 0);
          }
        }
      });
    }

    it('clamp with NaN bounds and powScalar(2), in place', () => {
      const x = fill(Float64Array, 50, true);
      const want = x.slice();
      const got = x.slice();
      jsBackend.unary(U('clamp'), want, want, Number.NaN, 0.5);
      nb.unary(U('clamp'), got, got, Number.NaN, 0.5);
      same('clamp(NaN, 0.5)', got, want);
      jsBackend.unary(U('powScalar'), want, want, 2);
      nb.unary(U('powScalar'), got, got, 2);
      same('powScalar(2)', got, want);
    });

    const binOps: string[] = ['add', 'sub', 'mul', 'div', 'pow', 'atan2', 'hypot', 'fmod', 'remainder', 'floorDivide', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
    const mathBinary = new Set<string>(['pow', 'atan2', 'hypot']);
    const cmp = new Set<string>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
    // [outShape, aStrides, bStrides, aSize, bSize]: broadcasting and non-contiguous reads (the js
    // kernel takes equal-length operands as contiguous, so strided operands are longer than out)
    const layouts: [number[], number[], number[], number, number][] = [
      [[7], [1], [1], 7, 7],
      [[0, 3], [3, 1], [0, 1], 0, 3],
      [[3, 4, 5], contiguousStrides([3, 4, 5]), [0, 0, 1], 60, 5],
      [[3, 4, 5], [0, 5, 1], [20, 0, 1], 20, 60],
      [[4, 6], [1, 5], [7, 1], 30, 28],
      [[5, 3], [1, 0], [0, 1], 5, 3],
      [[2, 3, 4], [1, 3, 7], [13, 1, 3], 29, 25],
      [[300, 257], [257, 1], [0, 1], 300 * 257, 257],
      [[257, 300], [1, 258], [300, 1], 256 + 299 * 258 + 1, 300 * 257],
      [[], [], [], 1, 1],
    ];
    for (const C of ALL) {
      it(`binary ops with broadcasting and strides on ${C.name}`, () => {
        for (const [shape, sa, sb, na, nbn] of layouts) {
          const a = fill(C, na, true);
          const b = fill(C, nbn, true);
          // integer powers stay below 2^53, where every result is exact
          const ai = C === Int32Array || C === Uint8Array ? a.map((v) => v % 6) : a;
          const bi = C === Int32Array || C === Uint8Array ? b.map((v) => Math.abs(v) % 9) : b;
          for (const op of binOps) {
            const O = cmp.has(op) ? Uint8Array : C;
            const want = new O(size(shape));
            const got = new O(size(shape));
            const [x, y] = op === 'pow' ? [ai, bi] : [a, b];
            jsBackend.binary(B(op), x, sa, y, sb, want, shape);
            nb.binary(B(op), x, sa, y, sb, got, shape);
            const math = mathBinary.has(op) && (C === Float32Array || C === Float64Array);
            same(`${op} ${C.name} [${shape}]`, got, want, math ? 4 * ulps(C) : 0, math ? 1e-300 : 0);
          }
        }
      });
    }

    it('int32 arithmetic wraps like Int32Array stores', () => {
      const a = Int32Array.from([2147483647, -2147483648, 123456789, 65536, 7, -7]);
      const b = Int32Array.from([1, -1, 987654321, 65536, 0, 2]);
      for (const op of ['add', 'sub', 'mul', 'div'] as string[]) {
        const want = new Int32Array(6);
        const got = new Int32Array(6);
        jsBackend.binary(B(op), a, [1], b, [1], want, [6]);
        nb.binary(B(op), a, [1], b, [1], got, [6]);
        same(`int32 ${op}`, got, want);
      }
    });

    for (const C of ALL) {
      it(`where with broadcast condition on ${C.name}`, () => {
        const shape = [40, 33, 50];
        const cond = fill(Uint8Array, 33 * 50) as Uint8Array;
        for (let i = 0; i < cond.length; i++) cond[i] = cond[i] & 1;
        const a = fill(C, size(shape), true);
        const b = fill(C, 40);
        const want = new C(size(shape));
        const got = new C(size(shape));
        jsBackend.where(cond, [0, 50, 1], a, contiguousStrides(shape), b, [1, 0, 0], want, shape);
        nb.where(cond, [0, 50, 1], a, contiguousStrides(shape), b, [1, 0, 0], got, shape);
        same(`where ${C.name}`, got, want);
      });
    }

    it('cast between every pair of dtypes (NaN, infinities, out-of-range values)', () => {
      const src = Float64Array.from([0, -0, 1.5, -1.5, 2.5, -2.7, 255, 256, 300, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 5, 1e20, -1e20, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 3.4e38, 1e-40, 16777217]);
      for (const From of ALL) {
        const x = new From(src.length);
        jsBackend.cast(src, x);
        for (const To of ALL) {
          const want = new To(x.length);
          const got = new To(x.length);
          jsBackend.cast(x, want);
          nb.cast(x, got);
          same(`cast ${From.name} -> ${To.name}`, got, want);
        }
      }
      const big = fill(Float64Array, 200_000, true, 1e10);
      const want = new Int32Array(big.length);
      const got = new Int32Array(big.length);
      jsBackend.cast(big, want);
      nb.cast(big, got);
      same('cast large float64 -> int32', got, want);
    });
  });

  describe('native backend: reductions and softmax match the js backend', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [3, 17, 1],
      [1, 1000, 1],
      [4, 9, 7],
      [1, 256, 1024],
      [3, 0, 4],
      [0, 5, 2],
      [600, 120, 1],
      [2, 700, 600],
    ];
    for (const C of ALL) {
      it(`reduce sum/max/min/prod and argmax/argmin on ${C.name}`, () => {
        for (const [outer, n, inner] of shapes) {
          const x = fill(C, outer * n * inner, n < 500, C === Uint8Array ? 4 : 2);
          for (const op of ['sum', 'max', 'min', 'prod'] as const) {
            const want = new C(outer * inner);
            const got = new C(outer * inner);
            jsBackend.reduce(op, x, outer, n, inner, want);
            nb.reduce(op, x, outer, n, inner, got);
            // sums are accumulated in a different order (several double partial sums)
            const tol = (op === 'sum' || op === 'prod') && (C === Float32Array || C === Float64Array) ? 2 * ulps(C) : 0;
            same(`${op} ${C.name} [${outer},${n},${inner}]`, got, want, tol, tol ? 1e-12 : 0);
          }
          for (const op of ['max', 'min'] as const) {
            const want = new Int32Array(outer * inner);
            const got = new Int32Array(outer * inner);
            jsBackend.argReduce(op, x, outer, n, inner, want);
            nb.argReduce(op, x, outer, n, inner, got);
            same(`arg${op} ${C.name} [${outer},${n},${inner}]`, got, want);
          }
        }
      });
    }

    for (const C of FLOATS) {
      it(`softmax and log-softmax on ${C.name}`, () => {
        for (const [outer, n, inner] of shapes) {
          const x = fill(C, outer * n * inner, false, 20);
          if (x.length > 3) x[1] = Number.NEGATIVE_INFINITY;
          for (const log of [false, true]) {
            const want = new C(x.length);
            const got = new C(x.length);
            jsBackend.softmax(x, outer, n, inner, want, log);
            nb.softmax(x, outer, n, inner, got, log);
            // log-softmax subtracts a log-sum-exp of magnitude ~20: absolute error scales with it
            same(`softmax(log=${log}) ${C.name} [${outer},${n},${inner}]`, got, want, 8 * ulps(C), 16 * 20 * ulps(C));
          }
        }
      });
    }
  });

  describe('native backend: GEMM cache blocking from the cache sizes', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const infoWith = (env: Record<string, string>) => {
      const code = "const { nativeAddon } = await import('./src/backend/native/load.ts'); console.log(JSON.stringify(nativeAddon.info()));";
      const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, CHAINRULE_GEMM_BLOCKING: '', ...env },
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim()) as ReturnType<typeof addon.info>;
    };
    // the defaults were tuned for 32 KiB L1d, 1 MiB L2 and 16 MiB of L3 per core
    const tuned: Record<string, [number[], number[]]> = {
      avx512: [[192, 384, 3072], [96, 384, 1536]],
      avx2: [[144, 256, 3072], [72, 256, 1536]],
      generic: [[128, 256, 2048], [64, 256, 1024]],
    };
    it('reports the caches it found and a blocking of whole micro-tiles', () => {
      const info = addon.info();
      assert.ok(info.caches.l1 >= 0 && info.caches.l2 >= 0 && info.caches.l3 >= 0);
      for (const b of [info.blockingF32, info.blockingF64]) {
        assert.equal(b.length, 3);
        assert.ok(b.every((v) => Number.isInteger(v) && v > 0));
        assert.equal(b[1] % 16, 0);
      }
    });
    it('keeps the tuned blocking on the tuning part and rescales it elsewhere', () => {
      const isa = addon.info().isa;
      const [f32, f64] = tuned[isa];
      const same = infoWith({ CHAINRULE_GEMM_CACHES: `${32 << 10},${1 << 20},${16 << 20}` });
      assert.deepEqual([same.blockingF32, same.blockingF64], [f32, f64]);
      // half the L1: half the depth, so twice the rows and columns fit the same L2 and L3
      const smallL1 = infoWith({ CHAINRULE_GEMM_CACHES: `${16 << 10},${1 << 20},${16 << 20}` });
      assert.equal(smallL1.blockingF32[1], f32[1] / 2);
      assert.equal(smallL1.blockingF32[0], f32[0] * 2);
      assert.equal(smallL1.blockingF32[2], f32[2] * 2);
      // twice the L2 and half the L3 per core (rounded to the micro-tile)
      const big = infoWith({ CHAINRULE_GEMM_CACHES: `${32 << 10},${2 << 20},${8 << 20}` });
      assert.deepEqual(big.blockingF64, [f64[0] * 2, f64[1], f64[2] / 2]);
      // a tiny cache is clamped (at most 4x smaller), never below one micro-tile
      const tiny = infoWith({ CHAINRULE_GEMM_CACHES: '1024,1024,1024' });
      assert.equal(tiny.blockingF32[1], f32[1] / 4);
      assert.ok(tiny.blockingF32[0] > 0 && tiny.blockingF32[2] > 0);
      // CHAINRULE_GEMM_BLOCKING still overrides float32's
      const forced = infoWith({ CHAINRULE_GEMM_BLOCKING: '48,128,512' });
      assert.deepEqual(forced.blockingF32, [48, 128, 512]);
    });
  });

  describe('native backend: matmul matches the js backend', () => {
    // [batch, m, n, k, strideA (-1 = full), strideB]
    const cases: [number, number, number, number, number, number][] = [
      [1, 1, 1, 1, -1, -1],
      [1, 0, 5, 3, -1, -1],
      [1, 4, 5, 0, -1, -1],
      [1, 3, 1, 7, -1, -1],
      [1, 1, 9, 7, -1, -1],
      [1, 5, 7, 3, -1, -1],
      [1, 13, 35, 17, -1, -1],
      [1, 64, 10, 256, -1, -1],
      [1, 131, 67, 91, -1, -1],
      [1, 200, 301, 129, -1, -1],
      [1, 97, 530, 410, -1, -1],
      [3, 30, 20, 10, -1, -1],
      [4, 25, 33, 60, 0, -1],
      [5, 70, 50, 40, -1, 0],
      [16, 12, 7, 5, -1, -1],
    ];
    for (const C of FLOATS) {
      it(`${C.name}: all transpose combinations, batches, broadcast operands, every ISA and thread count`, () => {
        for (const [batch, m, n, k, sa0, sb0] of cases) {
          const strideA = sa0 < 0 ? m * k : 0;
          const strideB = sb0 < 0 ? k * n : 0;
          const a = fill(C, Math.max(1, strideA ? batch * m * k : m * k), false, 1);
          const b = fill(C, Math.max(1, strideB ? batch * k * n : k * n), false, 1);
          for (const transA of [false, true]) {
            for (const transB of [false, true]) {
              const spec = { batch, m, n, k, transA, transB, strideA, strideB };
              const want = new C(batch * m * n).fill(Number.NaN);
              jsBackend.matmul(a, b, want, spec);
              for (const isa of isas) {
                for (const t of [1, threads]) {
                  addon.configure(isa, t);
                  const got = new C(batch * m * n).fill(Number.NaN);
                  nb.matmul(a, b, got, spec);
                  const tol = C === Float32Array ? 4e-6 * Math.sqrt(k + 1) : 1e-14 * Math.sqrt(k + 1);
                  same(`matmul ${isa} t=${t} ${JSON.stringify(spec)}`, got, want, tol, tol);
                }
              }
            }
          }
        }
        addon.configure(bestIsa, threads);
      });
    }

    it('rejects operands too short for the spec before entering C', () => {
      const spec = { batch: 2, m: 3, n: 3, k: 3, transA: false, transB: false, strideA: 9, strideB: 9 };
      assert.throws(() => nb.matmul(new Float32Array(9), new Float32Array(18), new Float32Array(18), spec), ChainruleError);
    });
  });

  describe('native backend: copies and indexing match the js backend', () => {
    for (const C of ALL) {
      it(`stridedCopy and stridedAccumulate on ${C.name} (transposes, steps, overlaps)`, () => {
        const src = fill(C, 5000);
        // [offset, strides, shape]
        const views: [number, number[], number[]][] = [
          [0, [1], [5000]],
          [3, [50, 1], [20, 40]],
          [7, [1, 60], [50, 30]],
          [10, [100, 2, 33], [7, 10, 3]],
          [0, [0, 1], [6, 200]],
          [4999, [1], [1]],
          [0, [3, 1], [0, 9]],
          [11, [137, 1, 0], [30, 70, 2]],
          [0, [1, 1], [50, 50]],
        ];
        for (const [offset, strides, shape] of views) {
          const want = new C(size(shape));
          const got = new C(size(shape));
          jsBackend.stridedCopy(src, offset, strides, shape, want);
          nb.stridedCopy(src, offset, strides, shape, got);
          same(`stridedCopy ${C.name} ${JSON.stringify([offset, strides, shape])}`, got, want);
          const dWant = fill(C, 5000);
          const dGot = dWant.slice();
          const g = fill(C, size(shape));
          jsBackend.stridedAccumulate(g, shape, dWant, offset, strides);
          nb.stridedAccumulate(g, shape, dGot, offset, strides);
          same(`stridedAccumulate ${C.name} ${JSON.stringify([offset, strides, shape])}`, dGot, dWant);
        }
        assert.throws(() => nb.stridedCopy(src, 4990, [1], [20], new C(20)), ChainruleError);
      });
    }

    for (const C of ALL) {
      it(`indexSelect, indexAdd, gather, scatterAdd on ${C.name} (repeated indices)`, () => {
        for (const [outer, n, inner, m] of [
          [1, 10, 1, 25],
          [3, 7, 5, 4],
          [1, 1000, 128, 3000],
          [2, 5, 300, 9],
          [4, 6, 0, 3],
          [2, 3, 4, 0],
        ]) {
          const idx = Int32Array.from({ length: m }, () => Math.floor(rnd() * n));
          const x = fill(C, outer * n * inner);
          let want: TypedArray = new C(outer * m * inner);
          let got: TypedArray = new C(outer * m * inner);
          jsBackend.indexSelect(x, idx, outer, n, inner, want);
          nb.indexSelect(x, idx, outer, n, inner, got);
          same(`indexSelect ${C.name}`, got, want);
          const g = fill(C, outer * m * inner);
          want = fill(C, outer * n * inner);
          got = want.slice();
          jsBackend.indexAdd(g, idx, outer, n, inner, want);
          nb.indexAdd(g, idx, outer, n, inner, got);
          same(`indexAdd ${C.name}`, got, want);
          const gidx = Int32Array.from({ length: outer * m * inner }, () => Math.floor(rnd() * n));
          want = new C(outer * m * inner);
          got = new C(outer * m * inner);
          jsBackend.gather(x, gidx, outer, n, m, inner, want);
          nb.gather(x, gidx, outer, n, m, inner, got);
          same(`gather ${C.name}`, got, want);
          want = fill(C, outer * n * inner);
          got = want.slice();
          jsBackend.scatterAdd(g, gidx, outer, n, m, inner, want);
          nb.scatterAdd(g, gidx, outer, n, m, inner, got);
          same(`scatterAdd ${C.name}`, got, want);
        }
        assert.throws(() => nb.indexSelect(new C(10), Int32Array.from([10]), 1, 10, 1, new C(1)), ChainruleError);
        assert.throws(() => nb.gather(new C(10), Int32Array.from([-1]), 1, 10, 1, 1, new C(1)), ChainruleError);
      });
    }

    for (const C of ALL) {
      it(`scatterReduce on ${C.name}: every op, with and without the old values, repeated indices and NaN`, () => {
        for (const [n, m] of [
          [10, 200],
          [1000, 5000],
          [7, 0],
        ]) {
          const idx = Int32Array.from({ length: m }, () => Math.floor(rnd() * n));
          const src = fill(C, m);
          if (C === Float32Array || C === Float64Array) src[Math.floor(m / 2)] = Number.NaN;
          for (const op of ['set', 'sum', 'prod', 'amax', 'amin'] as const) {
            for (const includeSelf of [true, false]) {
              const want = fill(C, n);
              const got = want.slice();
              jsBackend.scatterReduce(op, src, idx, want, includeSelf);
              nb.scatterReduce(op, src, idx, got, includeSelf);
              same(`scatterReduce ${op} ${includeSelf} ${C.name}`, got, want);
            }
          }
        }
        assert.throws(() => nb.scatterReduce('sum', new C(100), new Int32Array(100).fill(10), new C(10), true), ChainruleError);
      });
    }
  });

  describe('native backend: fused optimizer steps match the js backend bit for bit', () => {
    for (const C of FLOATS) {
      it(`sgdStep and adamStep on ${C.name}, every option`, () => {
        const n = 70_001;
        for (const momentum of [0, 0.9]) {
          for (const nesterov of [false, true]) {
            for (const firstStep of [true, false]) {
              const o = { lr: 0.01, momentum, dampening: 0.1, weightDecay: 1e-3, nesterov, maximize: firstStep, firstStep };
              const p = fill(C, n);
              const g = fill(C, n);
              const buf = fill(C, n);
              const [p2, buf2] = [p.slice(), buf.slice()];
              jsBackend.sgdStep!(p, g, momentum ? buf : null, o);
              nb.sgdStep!(p2, g, momentum ? buf2 : null, o);
              same('sgd params', p2, p);
              same('sgd buffer', buf2, buf);
            }
          }
        }
        for (const decoupled of [false, true]) {
          for (const amsgrad of [false, true]) {
            const o = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, decoupled, amsgrad, maximize: amsgrad, step: 7 };
            const p = fill(C, n);
            const g = fill(C, n);
            const m = fill(C, n, false, 0.1);
            const v = fill(C, n, false, 0.1).map(Math.abs);
            const vmax = v.map((x) => x * 1.1);
            const [p2, m2, v2, vmax2] = [p.slice(), m.slice(), v.slice(), vmax.slice()];
            jsBackend.adamStep!(p, g, m, v, amsgrad ? vmax : null, o);
            nb.adamStep!(p2, g, m2, v2, amsgrad ? vmax2 : null, o);
            same('adam params', p2, p);
            same('adam m', m2, m);
            same('adam v', v2, v);
            same('adam vmax', vmax2, vmax);
          }
        }
      });
    }
  });

  describe('native backend: end to end', () => {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`an MLP's loss and gradients agree on both backends (${dtype})`, () => {
        const js = mlpGrads('js', dtype);
        const nat = mlpGrads('native', dtype);
        const tol = dtype === 'float64' ? 1e-12 : 2e-5;
        js.forEach((v, i) => {
          same(`mlp ${dtype} output ${i}`, nat[i], v, tol, tol);
        });
      });
    }

    // AddressSanitizer keeps freed memory in quarantine, so RSS says nothing under it
    const sanitized = (process.env.LD_PRELOAD ?? '').includes('asan');
    it('10,000-parameter training loop keeps the resident set flat', { skip: sanitized && 'running under AddressSanitizer' }, () => {
      const prev = getBackend();
      setBackend('native');
      try {
        manualSeed(3);
        const x = randn([32, 64]);
        const w = randn([64, 64], { requiresGrad: true });
        const step = () => {
          const loss = x.matmul(w).relu().sum();
          loss.backward();
          noGrad(() => {
            w.data.set(w.sub((w.grad as Tensor).mul(1e-4)).dataSync());
          });
          w.grad = null;
        };
        for (let i = 0; i < 500; i++) step();
        const before = process.memoryUsage().rss;
        for (let i = 0; i < 3000; i++) step();
        const grown = (process.memoryUsage().rss - before) / 2 ** 20;
        assert.ok(grown < 40, `RSS grew by ${grown.toFixed(1)} MiB over 3000 steps`);
        assert.ok(Number.isFinite(w.sum().item()));
      } finally {
        setBackend(prev);
      }
    });
  });

  runOpTable('native');
  runOpTableFloat32('native');
  runDoubleBackward('native');

  // the fixtures' tensors are small, which the default backend hands to the js kernels: run the
  // table again with every size in C
  registerBackend({ ...nb, name: 'native-every-size' });
  runOpTable('native-every-size');
  runOpTableFloat32('native-every-size');
  runDoubleBackward('native-every-size');
}
