// The native backend's CTC kernels (native/ctc.cc) against the TypeScript reference kernels
// (src/backend/js/ctc.ts): losses, log-alphas and gradients over random batches with padded and
// repeated targets, empty targets and inputs, infeasible alignments (with and without
// zeroInfinity), in float64 and float32; and the wrapper's bounds checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { nativeAddon } from '../src/backend/native/load.js';
import type { CtcArgs, CtcSpec } from '../src/backend/types.js';

let seed = 7;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

type F = Float32ArrayConstructor | Float64ArrayConstructor;

/** A random problem: log-softmax rows, targets with repeats, lengths including 0 and too-short inputs. */
function problem(C_: F, T: number, N: number, C: number, zeroInfinity: boolean): [CtcSpec, CtcArgs] {
  const blank = int(0, C - 1);
  const lp = new C_(T * N * C);
  for (let r = 0; r < T * N; r++) {
    const row = Array.from({ length: C }, () => 4 * rnd() - 2);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    row.forEach((v, c) => {
      lp[r * C + c] = v - lse;
    });
  }
  const inputLengths = Int32Array.from({ length: N }, () => int(0, T));
  const targetLengths = Int32Array.from({ length: N }, () => int(0, 4));
  const L = Math.max(0, ...targetLengths);
  const targets = Int32Array.from({ length: N * L }, () => {
    const v = int(0, C - 2);
    return v >= blank ? v + 1 : v;
  });
  const offsets = Int32Array.from({ length: N }, (_, n) => n * L);
  const spec: CtcSpec = { T, N, C, maxTargetLength: L, blank, zeroInfinity };
  return [spec, { logProbs: lp, targets, offsets, inputLengths, targetLengths, logAlpha: new Float64Array(N * T * (2 * L + 1)), nll: new C_(N) }];
}

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const ok = a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i])) || Math.abs(a[i] - b[i]) <= tol * Math.max(1, Math.abs(b[i]));
    assert.ok(ok, `${what}[${i}]: native ${a[i]}, TypeScript ${b[i]}`);
  }
}

describe('native CTC kernels', { skip: !nativeAddon && 'the native addon is not built' }, () => {
  const native = nativeAddon ? createNativeBackend(nativeAddon, { smallCutoff: -1 }) : jsBackend;
  for (const [C_, tol] of [
    [Float64Array, 1e-12],
    [Float32Array, 1e-5],
  ] as const) {
    for (const zeroInfinity of [false, true]) {
      it(`equal the TypeScript kernels (${C_.name}, zeroInfinity ${zeroInfinity})`, () => {
        for (let trial = 0; trial < 12; trial++) {
          const [spec, a] = problem(C_, int(1, 9), int(1, 5), int(2, 6), zeroInfinity);
          const b: CtcArgs = { ...a, logAlpha: new Float64Array(a.logAlpha.length), nll: new C_(spec.N) };
          native.ctcLoss(spec, a);
          jsBackend.ctcLoss(spec, b);
          close(a.nll, b.nll, tol, 'nll');
          const gradOut = new C_(spec.N);
          for (let n = 0; n < spec.N; n++) gradOut[n] = rnd() + 0.5;
          const g1 = new C_(spec.T * spec.N * spec.C);
          const g2 = new C_(spec.T * spec.N * spec.C);
          native.ctcLossBackward(spec, a, gradOut, g1);
          jsBackend.ctcLossBackward(spec, b, gradOut, g2);
          close(g1, g2, tol, 'grad');
        }
      });
    }
  }

  it('rejects targets, lengths and offsets out of bounds before C reads them', () => {
    const [spec, a] = problem(Float64Array, 4, 2, 3, false);
    a.targetLengths[0] = spec.maxTargetLength + 1;
    assert.throws(() => native.ctcLoss(spec, a), /ctcLoss: sample 0/);
    const [spec2, b] = problem(Float64Array, 4, 2, 3, false);
    b.inputLengths[1] = 5;
    assert.throws(() => native.ctcLoss(spec2, b), /ctcLoss: sample 1/);
    const [spec3, c] = problem(Float64Array, 4, 2, 3, false);
    c.targetLengths[0] = 1;
    c.targets[0] = 3;
    assert.throws(() => native.ctcLoss(spec3, c), /ctcLoss: target 3/);
  });
});
