// The 2-d pooling kernels of the wasm and native backends against the TypeScript reference kernels,
// bitwise, on inputs large enough for them to run (and, for wasm, with every size sent to the
// module): plain, strided, padded (clipped), dilated, ceil-mode and adaptive windows, empty
// average windows, ties, NaN and ±∞, float32 and float64. The op-level fixtures are in
// test/layers2d.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { nativeAddon } from '../src/backend/native/load.js';
import type { Backend, PoolWindows, TypedArray } from '../src/backend/types.js';
import { createWasmPool, loadPool } from '../src/backend/wasm/pool.js';

let seed = 424242;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

/** Values with ties (a third are small integers), NaN and ±∞ sprinkled in. */
function data(C: FloatCtor, n: number, special: boolean): TypedArray {
  const a = new C(n);
  for (let i = 0; i < n; i++) {
    const u = rnd();
    a[i] = u < 0.33 ? Math.floor(rnd() * 3) : (rnd() - 0.5) * 8;
    if (special && u > 0.97) a[i] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][Math.floor(rnd() * 3)];
  }
  return a;
}

/** Window spans of one dim: plain (k, s, p, d, clipped as the ops clip them) or adaptive. */
function spans(n: number, L: number, k: number, s: number, p: number, d: number): Int32Array {
  const t = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let a = i * s - p;
    const b = Math.min(a + (k - 1) * d + 1, L);
    while (a < 0) a += d;
    t[2 * i] = a;
    t[2 * i + 1] = b;
  }
  return t;
}

function adaptive(n: number, L: number): Int32Array {
  const t = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    t[2 * i] = Math.floor((i * L) / n);
    t[2 * i + 1] = Math.ceil(((i + 1) * L) / n);
  }
  return t;
}

interface Geo {
  name: string;
  planes: number;
  H: number;
  W: number;
  rows: Int32Array;
  cols: Int32Array;
  rowStep: number;
  colStep: number;
}

const out = (L: number, k: number, s: number, p: number, d: number): number => Math.floor((L + 2 * p - d * (k - 1) - 1) / s) + 1;
const GEOS: Geo[] = [
  { name: '2x2 stride 2', planes: 40, H: 28, W: 28, rows: spans(14, 28, 2, 2, 0, 1), cols: spans(14, 28, 2, 2, 0, 1), rowStep: 1, colStep: 1 },
  { name: '3x3 stride 2 padding 1', planes: 17, H: 15, W: 13, rows: spans(out(15, 3, 2, 1, 1), 15, 3, 2, 1, 1), cols: spans(out(13, 3, 2, 1, 1), 13, 3, 2, 1, 1), rowStep: 1, colStep: 1 },
  { name: '2x3 dilated', planes: 9, H: 20, W: 19, rows: spans(out(20, 2, 1, 1, 3), 20, 2, 1, 1, 3), cols: spans(out(19, 3, 2, 1, 2), 19, 3, 2, 1, 2), rowStep: 3, colStep: 2 },
  { name: 'adaptive 5x7 of 23x17', planes: 11, H: 23, W: 17, rows: adaptive(5, 23), cols: adaptive(7, 17), rowStep: 1, colStep: 1 },
  { name: 'adaptive up 9x8 of 4x3', planes: 70, H: 4, W: 3, rows: adaptive(9, 4), cols: adaptive(8, 3), rowStep: 1, colStep: 1 },
];

function windows(g: Geo): PoolWindows {
  return { planes: g.planes, H: g.H, W: g.W, OH: g.rows.length / 2, OW: g.cols.length / 2, rows: g.rows, cols: g.cols, rowStep: g.rowStep, colStep: g.colStep };
}

function divisors(t: Int32Array): Float64Array {
  return Float64Array.from({ length: t.length / 2 }, (_, i) => Math.max(1, t[2 * i + 1] - t[2 * i]) + (i % 3 === 0 ? 0.5 : 0));
}

function same(what: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}[${i}]: got ${got[i]}, the TypeScript kernel gives ${want[i]}`);
  }
}

type PoolKernels = Pick<Backend, 'maxPool2d' | 'avgPool2d' | 'avgPool2dBackward'>;

function agree(name: string, k: PoolKernels): void {
  describe(`${name} pooling kernels agree with the TypeScript ones bitwise`, () => {
    for (const C of [Float32Array, Float64Array]) {
      for (const g of GEOS) {
        it(`${C.name}: ${g.name}`, () => {
          const w = windows(g);
          const n = g.planes * g.H * g.W;
          const m = g.planes * w.OH * w.OW;
          const x = data(C, n, true);
          const [v1, v2] = [new C(m).fill(7), new C(m).fill(7)];
          const [i1, i2] = [new Int32Array(m).fill(-1), new Int32Array(m).fill(-1)];
          jsBackend.maxPool2d(x, w, v1, i1);
          k.maxPool2d(x, w, v2, i2);
          same('max values', v2, v1);
          same('max indices', i2, i1);
          const rd = divisors(g.rows);
          const cd = divisors(g.cols);
          const xs = data(C, n, false);
          jsBackend.avgPool2d(xs, w, rd, cd, v1);
          k.avgPool2d(xs, w, rd, cd, v2);
          same('avg', v2, v1);
          const gy = data(C, m, false);
          const [g1, g2] = [data(C, n, false), new C(n)];
          g2.set(g1);
          jsBackend.avgPool2dBackward(gy, w, rd, cd, g1);
          k.avgPool2dBackward(gy, w, rd, cd, g2);
          same('avg backward', g2, g1);
        });
      }
      it(`${C.name}: empty average windows give 0 and receive nothing`, () => {
        const w: PoolWindows = { planes: 300, H: 3, W: 4, OH: 2, OW: 2, rows: Int32Array.from([0, 2, 3, 3]), cols: Int32Array.from([1, 4, 2, 2]), rowStep: 1, colStep: 1 };
        const x = data(C, 300 * 12, false);
        const got = new C(300 * 4).fill(9);
        k.avgPool2d(x, w, new Float64Array([2, 1]), new Float64Array([3, 1]), got);
        for (let p = 0; p < 300; p++) assert.deepEqual([got[4 * p + 1], got[4 * p + 2], got[4 * p + 3]], [0, 0, 0]);
        const gx = new C(300 * 12);
        k.avgPool2dBackward(new C(300 * 4).fill(1), w, new Float64Array([2, 1]), new Float64Array([3, 1]), gx);
        const want = new C(300 * 12);
        jsBackend.avgPool2dBackward(new C(300 * 4).fill(1), w, new Float64Array([2, 1]), new Float64Array([3, 1]), want);
        same('empty windows backward', gx, want);
      });
    }
  });
}

const pool = loadPool();
if (pool) {
  agree('wasm', createWasmPool(pool));
  agree('wasm (every size)', createWasmPool(pool, 0));
}
if (nativeAddon) {
  const native = createNativeBackend(nativeAddon);
  agree('native', native);
  describe('native pooling kernels check their windows', () => {
    it('a window outside its plane or a short array is a ChainruleError, not a bad read', () => {
      const w: PoolWindows = { planes: 1, H: 2, W: 2, OH: 1, OW: 1, rows: Int32Array.from([0, 3]), cols: Int32Array.from([0, 2]), rowStep: 1, colStep: 1 };
      assert.throws(() => native.maxPool2d(new Float32Array(4), w, new Float32Array(1), new Int32Array(1)), /maxPool2d: row window 0 \[0, 3\) lies outside 0\.\.2/);
      const ok = { ...w, rows: Int32Array.from([0, 2]) };
      assert.throws(() => native.avgPool2d(new Float32Array(3), ok, new Float64Array(1), new Float64Array(1), new Float32Array(1)), /avgPool2d \(input\): array of 3 elements where 4 are needed/);
      assert.throws(() => native.avgPool2dBackward(new Float32Array(1), { ...ok, rowStep: 0 }, new Float64Array(1), new Float64Array(1), new Float32Array(4)), /window steps must be integers >= 1/);
    });
  });
}
