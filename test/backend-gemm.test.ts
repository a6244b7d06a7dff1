// The strided batched GEMM kernel (Backend.gemm) on both backends against a naive triple loop: random
// operand layouts (row- or column-major, gaps between rows and matrices, negative strides, offsets,
// broadcast batch operands), accumulate and sumBatch, float32 and float64, every native instruction
// set, one thread and all threads; offset tables in place of input strides; then the native
// wrapper's bounds checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError } from 'chainrule';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { nativeAddon } from '../src/backend/native/load.js';
import type { Backend, GemmOperand, GemmSpec } from '../src/backend/types.js';

type FloatCtor = Float32ArrayConstructor | Float64ArrayConstructor;

let seed = 987654;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}

interface Layout {
  op: GemmOperand;
  /** elements the array needs to hold every addressed element, plus some slack */
  length: number;
}

/**
 * A random non-aliasing layout of a [batch, rows, cols] operand: the dims nest in a random order with
 * random gaps, some strides are negated (the offset moves to keep every address >= 0), and the batch
 * stride of an input may be 0 (one matrix shared by the batch).
 */
function layout(shape: readonly [number, number, number], input: boolean): Layout {
  const order = [0, 1, 2].sort(() => rnd() - 0.5);
  const strides = [0, 0, 0];
  let span = 1;
  for (const d of order.reverse()) {
    strides[d] = span + (rnd() < 0.3 ? Math.floor(rnd() * 3) : 0);
    span = strides[d] * Math.max(1, shape[d]);
  }
  if (input && rnd() < 0.25) strides[0] = 0;
  let offset = Math.floor(rnd() * 4);
  for (let d = 0; d < 3; d++) {
    if (rnd() < 0.2) {
      offset += Math.max(0, shape[d] - 1) * strides[d];
      strides[d] = -strides[d];
    }
  }
  let hi = offset;
  for (let d = 0; d < 3; d++) hi += Math.max(0, shape[d] - 1) * Math.max(0, strides[d]);
  const op: GemmOperand = { offset, batchStride: strides[0], rowStride: strides[1], colStride: strides[2] };
  // an input's row or column stride may become a table of the same offsets in a shuffled order
  if (input && rnd() < 0.3) op.rowOffsets = shuffledTable(shape[1], strides[1]);
  if (input && rnd() < 0.3) op.colOffsets = shuffledTable(shape[2], strides[2]);
  return { op, length: hi + 1 + Math.floor(rnd() * 3) };
}

function shuffledTable(n: number, stride: number): Int32Array {
  const t = Int32Array.from({ length: n }, (_, i) => i * stride);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [t[i], t[j]] = [t[j], t[i]];
  }
  return t;
}

function randomArray(C: FloatCtor, n: number): Float32Array | Float64Array {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = (rnd() - 0.5) * 2;
  return a;
}

const at = (o: GemmOperand, t: number, i: number, j: number): number =>
  o.offset + t * o.batchStride + (o.rowOffsets ? o.rowOffsets[i] : i * o.rowStride) + (o.colOffsets ? o.colOffsets[j] : j * o.colStride);

/** The expected C array and, per element, the bound on rounding error of a depth-`depth` sum. */
function naive(a: ArrayLike<number>, b: ArrayLike<number>, c0: ArrayLike<number>, s: GemmSpec, eps: number): [Float64Array, Float64Array] {
  const want = Float64Array.from(c0);
  const tol = new Float64Array(c0.length);
  const mats = s.sumBatch ? 1 : s.batch;
  for (let t = 0; t < mats; t++) {
    for (let i = 0; i < s.m; i++) {
      for (let j = 0; j < s.n; j++) {
        const ci = at(s.c, s.sumBatch ? 0 : t, i, j);
        let sum = s.accumulate ? c0[ci] : 0;
        let mag = Math.abs(sum);
        for (const u of s.sumBatch ? Array.from({ length: s.batch }, (_, x) => x) : [t]) {
          for (let p = 0; p < s.k; p++) {
            const v = a[at(s.a, u, i, p)] * b[at(s.b, u, p, j)];
            sum += v;
            mag += Math.abs(v);
          }
        }
        want[ci] = sum;
        tol[ci] = mag * eps * (s.k * (s.sumBatch ? s.batch : 1) + 4);
      }
    }
  }
  return [want, tol];
}

// [batch, m, n, k]: empty sizes, vectors, the unpacked small path, several cache blocks of depth
// (pc > 0), enough work to thread inside one product or across the batch
const SIZES: [number, number, number, number][] = [
  [1, 0, 3, 2],
  [2, 3, 0, 2],
  [2, 3, 4, 0],
  [0, 3, 4, 5],
  [1, 1, 1, 1],
  [3, 5, 1, 7],
  [2, 1, 9, 4],
  [2, 7, 6, 5],
  [3, 13, 35, 17],
  [1, 37, 70, 130],
  [2, 30, 41, 400],
  [1, 100, 110, 100],
  [4, 40, 50, 450],
  [6, 21, 19, 260],
  [13, 20, 30, 200],
];

function spec(size: [number, number, number, number], accumulate: boolean, sumBatch: boolean): [GemmSpec, number[]] {
  const [batch, m, n, k] = size;
  const A = layout([batch, m, k], true);
  const B = layout([batch, k, n], true);
  const C = layout([sumBatch ? 1 : batch, m, n], false);
  return [{ batch, m, n, k, accumulate, sumBatch, a: A.op, b: B.op, c: C.op }, [A.length, B.length, C.length]];
}

function check(be: Backend, C: FloatCtor, what: string): void {
  const eps = C === Float32Array ? 2 ** -23 : 2 ** -52;
  for (const size of SIZES) {
    for (const accumulate of [false, true]) {
      for (const sumBatch of [false, true]) {
        const [s, [la, lb, lc]] = spec(size, accumulate, sumBatch);
        const a = randomArray(C, la);
        const b = randomArray(C, lb);
        const c = randomArray(C, lc);
        const [want, tol] = naive(a, b, c, s, eps);
        be.gemm(a, b, c, s);
        for (let i = 0; i < lc; i++) {
          if (Math.abs(c[i] - want[i]) > tol[i] + (C === Float32Array ? eps * Math.abs(want[i]) : 0)) {
            assert.fail(`${what} ${C.name} ${JSON.stringify(s)}: c[${i}] = ${c[i]}, want ${want[i]}`);
          }
        }
      }
    }
  }
}

describe('gemm: wasm backend (gathered operands, wasm product)', { skip: !wasmBackend }, () => {
  for (const C of [Float32Array, Float64Array]) {
    it(`${C.name}: strided layouts, accumulate, sumBatch against a naive loop`, () => check(wasmBackend as Backend, C, 'wasm'));
  }
});

describe('gemm: js backend', () => {
  for (const C of [Float32Array, Float64Array]) {
    it(`${C.name}: strided layouts, accumulate, sumBatch against a naive loop`, () => check(jsBackend, C, 'js'));
  }
  it('mixed dtypes compute in the output type', () => {
    const s: GemmSpec = {
      batch: 1,
      m: 2,
      n: 2,
      k: 2,
      accumulate: false,
      sumBatch: false,
      a: { offset: 0, batchStride: 0, rowStride: 2, colStride: 1 },
      b: { offset: 0, batchStride: 0, rowStride: 1, colStride: 2 },
      c: { offset: 1, batchStride: 0, rowStride: 1, colStride: 2 },
    };
    const c = new Float32Array(5).fill(7);
    jsBackend.gemm(new Float64Array([1, 2, 3, 4]), new Float32Array([5, 6, 7, 8]), c, s);
    // A = [[1, 2], [3, 4]], B = [[5, 7], [6, 8]]: A B = [[17, 23], [39, 53]], stored column-major from 1
    assert.deepEqual(Array.from(c), [7, 17, 39, 23, 53]);
  });
});

if (nativeAddon) {
  const addon = nativeAddon;
  const nb = createNativeBackend(addon, { smallCutoff: -1 });
  const isas = (['avx512', 'avx2', 'generic'] as const).filter((isa) => addon.configure(isa, 0));
  const threads = addon.info().threads;
  describe('gemm: native backend', () => {
    for (const C of [Float32Array, Float64Array]) {
      it(`${C.name}: strided layouts, accumulate, sumBatch against a naive loop, every ISA, thread count and row tile`, () => {
        try {
          for (const isa of isas) {
            for (const t of new Set([1, threads])) {
              // AVX-512 has 12- and 8-row tiles: each forced, then chosen per product (0)
              for (const mr of isa === 'avx512' ? [12, 8, 0] : [0]) {
                addon.configure(isa, t);
                addon.gemmRowTile(mr);
                check(nb, C, `native ${isa} t=${t} mr=${mr}`);
              }
            }
          }
        } finally {
          addon.configure(isas[0], threads);
          addon.gemmRowTile(0);
        }
      });
    }

    it('a batch that shares A (packed once per thread) gives every entry its product, and a later call sees A changed in place', () => {
      const eps = 2 ** -23;
      // depth 450: three cache blocks of depth; m = 37 pads either row tile; A read through a column table
      const [batch, m, n, k] = [7, 37, 70, 450];
      const cols = shuffledTable(k, 1);
      const specs: GemmSpec[] = [false, true].map((table) => ({
        batch,
        m,
        n,
        k,
        accumulate: false,
        sumBatch: false,
        a: { offset: 3, batchStride: 0, rowStride: k, colStride: 1, ...(table ? { colOffsets: cols } : {}) },
        b: { offset: 0, batchStride: k * n, rowStride: n, colStride: 1 },
        c: { offset: 0, batchStride: m * n, rowStride: n, colStride: 1 },
      }));
      try {
        for (const t of new Set([1, threads])) {
          addon.configure(null, t);
          for (const mr of [12, 8, 0]) {
            addon.gemmRowTile(mr);
            for (const s of specs) {
              const a = randomArray(Float32Array, 3 + m * k);
              const b = randomArray(Float32Array, batch * k * n);
              for (let round = 0; round < 2; round++) {
                // the second round changes A where it lives: nothing packed by the first may be reused
                if (round === 1) for (let i = 0; i < a.length; i += 3) a[i] = -a[i] * 1.5;
                const c = new Float32Array(batch * m * n).fill(Number.NaN);
                const [want, tol] = naive(a, b, c, s, eps);
                nb.gemm(a, b, c, s);
                for (let i = 0; i < c.length; i++) {
                  if (!(Math.abs(c[i] - want[i]) <= tol[i] + eps * Math.abs(want[i]))) {
                    assert.fail(`t=${t} mr=${mr} table=${!!s.a.colOffsets} round ${round}: c[${i}] = ${c[i]}, want ${want[i]}`);
                  }
                }
              }
            }
          }
        }
      } finally {
        addon.configure(null, threads);
        addon.gemmRowTile(0);
      }
    });

    it('falls back to the js kernel for mixed dtypes', () => {
      const s: GemmSpec = {
        batch: 2,
        m: 1,
        n: 1,
        k: 2,
        accumulate: true,
        sumBatch: true,
        a: { offset: 0, batchStride: 2, rowStride: 0, colStride: 1 },
        b: { offset: 0, batchStride: 0, rowStride: 1, colStride: 0 },
        c: { offset: 0, batchStride: 0, rowStride: 0, colStride: 0 },
      };
      const c = new Float64Array([0.5]);
      nb.gemm(new Float32Array([1, 2, 3, 4]), new Float64Array([10, 100]), c, s);
      assert.deepEqual(Array.from(c), [0.5 + 210 + 430]);
    });

    it('rejects any operand span outside its array before entering C', () => {
      const base = (): GemmSpec => ({
        batch: 2,
        m: 3,
        n: 4,
        k: 5,
        accumulate: false,
        sumBatch: false,
        a: { offset: 0, batchStride: 15, rowStride: 5, colStride: 1 },
        b: { offset: 0, batchStride: 20, rowStride: 4, colStride: 1 },
        c: { offset: 0, batchStride: 12, rowStride: 4, colStride: 1 },
      });
      const run = (s: GemmSpec, la = 30, lb = 40, lc = 24) => nb.gemm(new Float32Array(la), new Float32Array(lb), new Float32Array(lc), s);
      run(base());
      const bad: [string, (s: GemmSpec) => void, RegExp][] = [
        ['C one element short', () => {}, /gemm \(output\): strided access \[0, 23\] outside an array of 23/],
        ['C offset', (s) => Object.assign(s.c, { offset: 1 }), /gemm \(output\)/],
        ['C negative column stride', (s) => Object.assign(s.c, { colStride: -1 }), /gemm \(output\): strided access \[-3, 20\]/],
        ['A batch stride', (s) => Object.assign(s.a, { batchStride: 16 }), /gemm \(left operand\)/],
        ['B row stride', (s) => Object.assign(s.b, { rowStride: 5 }), /gemm \(right operand\)/],
        ['fractional stride', (s) => Object.assign(s.b, { colStride: 0.5 }), /gemm \(right operand\): stride 0.5 is not an integer/],
        ['table entry', (s) => Object.assign(s.a, { rowOffsets: Int32Array.from([0, 5, 11]) }), /gemm \(left operand\): strided access \[0, 30\]/],
        ['negative table entry', (s) => Object.assign(s.b, { colOffsets: Int32Array.from([0, -1, 2, 3]) }), /gemm \(right operand\): strided access \[-1, /],
        ['short table', (s) => Object.assign(s.b, { rowOffsets: Int32Array.from([0, 4, 8, 12]) }), /gemm \(right operand\): an offset table needs 5 Int32Array entries/],
        ['table on C', (s) => Object.assign(s.c, { colOffsets: Int32Array.from([0, 1, 2, 3]) }), /gemm \(output\): offset tables are for the operands A and B only/],
        ['fractional offset', (s) => Object.assign(s.a, { offset: 0.5 }), /gemm \(left operand\): offset 0.5 is not an integer/],
        ['negative size', (s) => Object.assign(s, { m: -1 }), /gemm: bad sizes/],
        ['sumBatch C', (s) => Object.assign(s, { sumBatch: true, c: { offset: 13, batchStride: 0, rowStride: 4, colStride: 1 } }), /gemm \(output\)/],
      ];
      for (const [what, edit, msg] of bad) {
        const s = base();
        edit(s);
        const c = new Float32Array(what === 'C one element short' ? 23 : 24).fill(3);
        assert.throws(() => nb.gemm(new Float32Array(30), new Float32Array(40), c, s), (e: unknown) => e instanceof ChainruleError && msg.test(e.message), what);
        assert.ok(
          c.every((v) => v === 3),
          `${what}: C untouched`,
        );
      }
    });
  });
}
