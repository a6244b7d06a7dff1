// Backend.conv1dSparseGrad, the 1-d convolution's gradients from a sparse output gradient, on the
// TypeScript reference kernel (src/backend/js/conv.ts, which the wasm backend uses too) and on the
// native one (native/conv.cc): when it takes the gradient (at most maxNonzeros entries that are not
// ±0, NaN counting) and when it leaves it to the dense product (one more nonzero, or ±inf or NaN in
// the other operand), its values against naive loops in float64 and float32 over strides,
// dilations and sizes that split over threads, and the native wrapper's checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { nativeAddon } from '../src/backend/native/load.js';
import type { Backend, Conv1dShape } from '../src/backend/types.js';
import { ChainruleError, Generator } from 'chainrule';

const gen = new Generator(13);
const rnd = (): number => gen.random();

type F = Float32ArrayConstructor | Float64ArrayConstructor;

/** n values uniform in [-1, 1). */
function uniform(C: F, n: number): Float32Array | Float64Array {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rnd() - 1;
  return a;
}

function shapeFor(N: number, Cin: number, L: number, Cout: number, K: number, stride: number, dilation: number): Conv1dShape {
  return { N, Cin, L, Cout, K, Lout: Math.floor((L - dilation * (K - 1) - 1) / stride) + 1, stride, dilation };
}

/** gy with `perRow` nonzeros in each (n, o) row (distinct positions), the rest +0 or -0. */
function sparse(C: F, s: Conv1dShape, perRow: number): { gy: Float32Array | Float64Array; nz: number } {
  const gy = new C(s.N * s.Cout * s.Lout);
  let nz = 0;
  for (let r = 0; r < s.N * s.Cout; r++) {
    for (let t = 0; t < s.Lout; t++) if (rnd() < 0.3) gy[r * s.Lout + t] = -0;
    const used = new Set<number>();
    while (used.size < Math.min(perRow, s.Lout)) used.add(Math.floor(rnd() * s.Lout));
    for (const t of used) gy[r * s.Lout + t] = 2 * rnd() - 1;
    nz += used.size;
  }
  return { gy, nz };
}

function naive(which: 'input' | 'weight', s: Conv1dShape, gy: ArrayLike<number>, other: ArrayLike<number>): Float64Array {
  const out = new Float64Array(which === 'input' ? s.N * s.Cin * s.L : s.Cout * s.Cin * s.K);
  for (let n = 0; n < s.N; n++)
    for (let o = 0; o < s.Cout; o++)
      for (let t = 0; t < s.Lout; t++)
        for (let c = 0; c < s.Cin; c++)
          for (let k = 0; k < s.K; k++) {
            const xi = (n * s.Cin + c) * s.L + t * s.stride + k * s.dilation;
            const wi = (o * s.Cin + c) * s.K + k;
            const g = gy[(n * s.Cout + o) * s.Lout + t];
            if (which === 'input') out[xi] += g * other[wi];
            else out[wi] += g * other[xi];
          }
  return out;
}

const backends: [string, Backend | null][] = [
  ['js', jsBackend],
  ['native', nativeAddon && createNativeBackend(nativeAddon, { smallCutoff: -1 })],
];

const SHAPES = [shapeFor(5, 16, 120, 40, 4, 1, 1), shapeFor(3, 6, 90, 7, 3, 2, 2), shapeFor(1, 1, 9, 1, 9, 1, 1), shapeFor(8, 3, 40, 2, 2, 3, 5)];

for (const [name, be] of backends) {
  describe(`conv1dSparseGrad on the ${name} kernel`, { skip: be ? false : 'the native addon is not built' }, () => {
    for (const C of [Float64Array, Float32Array]) {
      const tol = C === Float64Array ? 1e-12 : 1e-5;
      it(`${C.name}: takes a gradient with maxNonzeros nonzeros and matches naive loops; declines one more`, () => {
        for (const s of SHAPES) {
          for (const which of ['input', 'weight'] as const) {
            const { gy, nz } = sparse(C, s, 2);
            const other = uniform(C, which === 'input' ? s.Cout * s.Cin * s.K : s.N * s.Cin * s.L);
            const out = new C(which === 'input' ? s.N * s.Cin * s.L : s.Cout * s.Cin * s.K).fill(Number.NaN);
            assert.equal(be!.conv1dSparseGrad(which, gy, other, out, s, nz - 1), false, `${which} ${JSON.stringify(s)}: ${nz} nonzeros over a limit of ${nz - 1}`);
            out.fill(Number.NaN);
            assert.equal(be!.conv1dSparseGrad(which, gy, other, out, s, nz), true, `${which} ${JSON.stringify(s)}: ${nz} nonzeros within the limit`);
            const want = naive(which, s, gy, other);
            for (let i = 0; i < want.length; i++) {
              if (!(Math.abs(out[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.fail(`${which} ${JSON.stringify(s)}[${i}]: got ${out[i]}, want ${want[i]}`);
            }
          }
        }
      });
      it(`${C.name}: NaN in the gradient counts as a nonzero and reaches the output; ±inf or NaN in the other operand declines`, () => {
        const s = SHAPES[0];
        for (const which of ['input', 'weight'] as const) {
          const { gy, nz } = sparse(C, s, 1);
          const zeroAt = gy.indexOf(0);
          gy[zeroAt] = Number.NaN;
          const other = uniform(C, which === 'input' ? s.Cout * s.Cin * s.K : s.N * s.Cin * s.L);
          const out = new C(which === 'input' ? s.N * s.Cin * s.L : s.Cout * s.Cin * s.K);
          assert.equal(be!.conv1dSparseGrad(which, gy, other, out, s, nz), false, 'the NaN is the one nonzero too many');
          assert.equal(be!.conv1dSparseGrad(which, gy, other, out, s, nz + 1), true);
          const want = naive(which, s, gy, other);
          assert.ok(want.some(Number.isNaN));
          for (let i = 0; i < want.length; i++) assert.equal(Number.isNaN(out[i]), Number.isNaN(want[i]), `${which}[${i}]`);
          for (const bad of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN]) {
            const o2 = other.slice();
            o2[o2.length - 1] = bad;
            assert.equal(be!.conv1dSparseGrad(which, gy, o2, out, s, gy.length), false, `${which}: ${bad} in the other operand`);
          }
        }
      });
    }
  });
}

describe('conv1dSparseGrad: the native wrapper checks lengths and the geometry', { skip: nativeAddon ? false : 'the native addon is not built' }, () => {
  const be = createNativeBackend(nativeAddon!, { smallCutoff: -1 });
  const s = shapeFor(2, 3, 10, 4, 3, 1, 1);
  const gy = new Float32Array(s.N * s.Cout * s.Lout);
  const w = new Float32Array(s.Cout * s.Cin * s.K);
  const gx = new Float32Array(s.N * s.Cin * s.L);
  it('a short output', () =>
    assert.throws(() => be.conv1dSparseGrad('input', gy, w, gx.subarray(1), s, 10), (e: unknown) => e instanceof ChainruleError && /conv1dSparseGrad \(output\)/.test(e.message)));
  it('a weight for the wrong gradient', () =>
    assert.throws(() => be.conv1dSparseGrad('weight', gy, w, w, s, 10), (e: unknown) => e instanceof ChainruleError && /conv1dSparseGrad \(weight or input\)/.test(e.message)));
  it('an output length the windows do not give', () =>
    assert.throws(() => be.conv1dSparseGrad('input', new Float32Array(s.N * s.Cout * 9), w, gx, { ...s, Lout: 9 }, 10), (e: unknown) => e instanceof ChainruleError && /windows outside the input/.test(e.message)));
});
