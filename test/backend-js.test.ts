// Kernel-level checks of the TypeScript backend against naive definitions, on the awkward sizes
// (not multiples of the block sizes, transposed and broadcast operands) that whole-op tests miss.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsBackend } from '../src/backend/js/index.js';
import { Generator } from '../src/tensor/random.js';

const g = new Generator(11);
const rand = (n: number) => Float64Array.from({ length: n }, () => g.normal());

function naive(a: Float64Array, b: Float64Array, m: number, n: number, k: number, tA: boolean, tB: boolean): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

describe('js backend matmul', () => {
  const shapes = [
    [1, 1, 1],
    [3, 5, 2],
    [7, 9, 300],
    [33, 260, 17],
    [5, 1, 6],
    [1, 7, 3],
  ];
  for (const [m, n, k] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`${m}x${k} @ ${k}x${n} transA=${tA} transB=${tB}, batch 2 with a broadcast B`, () => {
          const a = rand(2 * m * k);
          const b = rand(k * n);
          const out = new Float64Array(2 * m * n);
          jsBackend.matmul(a, b, out, { batch: 2, m, n, k, transA: tA, transB: tB, strideA: m * k, strideB: 0 });
          for (let t = 0; t < 2; t++) {
            const e = naive(a.subarray(t * m * k, (t + 1) * m * k), b, m, n, k, tA, tB);
            for (let i = 0; i < m * n; i++) assert.ok(Math.abs(out[t * m * n + i] - e[i]) < 1e-10, `batch ${t} [${i}]: ${out[t * m * n + i]} vs ${e[i]}`);
          }
        });
      }
    }
  }

  it('float32 results round the exact product once', () => {
    const a = Float32Array.from([0.1, 0.2, 0.3, 0.4]);
    const b = Float32Array.from([1, 2, 3, 4]);
    const out = new Float32Array(4);
    jsBackend.matmul(a, b, out, { batch: 1, m: 2, n: 2, k: 2, transA: false, transB: false, strideA: 0, strideB: 0 });
    const e = [a[0] * 1 + a[1] * 3, a[0] * 2 + a[1] * 4, a[2] * 1 + a[3] * 3, a[2] * 2 + a[3] * 4].map(Math.fround);
    assert.deepEqual(Array.from(out), e);
  });
});

describe('js backend strided copies', () => {
  it('stridedAccumulate is the adjoint of stridedCopy (overlapping windows sum)', () => {
    const src = rand(10);
    const shape = [3, 4];
    const strides = [2, 1];
    const out = new Float64Array(12);
    jsBackend.stridedCopy(src, 1, strides, shape, out);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) assert.equal(out[i * 4 + j], src[1 + 2 * i + j]);
    const ones = new Float64Array(12).fill(1);
    const acc = new Float64Array(10);
    jsBackend.stridedAccumulate(ones, shape, acc, 1, strides);
    // element 1 + 2i + j is read once per (i, j) that hits it
    const expected = new Float64Array(10);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) expected[1 + 2 * i + j] += 1;
    assert.deepEqual(Array.from(acc), Array.from(expected));
  });
});
