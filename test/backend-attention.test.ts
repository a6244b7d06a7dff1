// The native backend's fused attention kernels (native/attention.cc: tiles of 64 queries x 64 keys,
// online softmax, backward recomputing tiles) against the TypeScript reference kernels at odd
// sizes that leave partial tiles, with every mask kind, causal attention, broadcast masks, and
// rows whose keys are all masked (NaN rows): equal within float32 (float64) rounding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { nativeAddon } from '../src/backend/native/load.js';
import type { AttentionMask, AttentionSpec, TypedArray } from '../src/backend/types.js';

let seed = 99;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32 - 0.5;
}

type F = Float32ArrayConstructor | Float64ArrayConstructor;
const fill = (C: F, n: number): Float32Array | Float64Array => {
  const a = new C(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rnd();
  return a;
};

interface Case {
  name: string;
  spec: AttentionSpec;
  /** the mask's shape per block and its strides: full [L, S] per block, or broadcast */
  mask?: (C: F, s: AttentionSpec) => AttentionMask;
}

const spec = (batch: number, L: number, S: number, E: number, Ev: number, o: Partial<AttentionSpec> = {}): AttentionSpec => ({ batch, L, S, E, Ev, scale: 1 / Math.sqrt(E), causal: false, mask: 'none', dropoutP: 0, seed: 0, ...o });

const CASES: Case[] = [
  { name: 'no mask, partial tiles', spec: spec(3, 67, 131, 19, 23) },
  { name: 'causal, square', spec: spec(2, 130, 130, 64, 64, { causal: true }) },
  { name: 'causal with dropout', spec: spec(2, 130, 140, 16, 8, { causal: true, dropoutP: 0.3, seed: 987654321 }) },
  { name: 'dropout and a bool mask', spec: spec(3, 70, 70, 8, 8, { dropoutP: 0.5, seed: 4242, mask: 'bool' }), mask: (_C, s) => ({ data: Uint8Array.from({ length: s.L * s.S }, (_, i) => (i % s.S === 0 || rnd() > 0 ? 1 : 0)), offsets: new Int32Array(s.batch), rowStride: s.S, colStride: 1 }) },
  { name: 'causal, more queries than keys', spec: spec(2, 150, 70, 8, 5, { causal: true }) },
  { name: 'causal, fewer queries than keys', spec: spec(2, 45, 200, 16, 16, { causal: true, scale: 0.3 }) },
  {
    name: 'a bool key mask broadcast over rows, one per block',
    spec: spec(3, 70, 97, 12, 9, { mask: 'bool' }),
    mask: (_C, s) => {
      const data = Uint8Array.from({ length: s.batch * s.S }, (_, i) => (i % s.S === 0 || rnd() > -0.2 ? 1 : 0));
      return { data, offsets: Int32Array.from({ length: s.batch }, (_, b) => b * s.S), rowStride: 0, colStride: 1 };
    },
  },
  {
    name: 'an additive [L, S] mask shared by the blocks, with -Infinity entries',
    spec: spec(2, 65, 66, 10, 11, { mask: 'add' }),
    mask: (C, s) => {
      const data = fill(C, s.L * s.S);
      for (let i = 0; i < data.length; i += 7) if (i % s.S !== 3) data[i] = Number.NEGATIVE_INFINITY;
      return { data, offsets: new Int32Array(s.batch), rowStride: s.S, colStride: 1 };
    },
  },
  {
    name: 'a bool mask with dead rows (no key left)',
    spec: spec(2, 70, 80, 6, 7, { mask: 'bool' }),
    mask: (_C, s) => {
      const data = Uint8Array.from({ length: s.L * s.S }, (_, i) => (Math.floor(i / s.S) % 9 === 4 ? 0 : rnd() > -0.3 ? 1 : 0));
      return { data, offsets: new Int32Array(s.batch), rowStride: s.S, colStride: 1 };
    },
  },
];

function run(b: typeof jsBackend, C: F, c: Case) {
  seed = 7;
  const s = c.spec;
  const q = fill(C, s.batch * s.L * s.E);
  const k = fill(C, s.batch * s.S * s.E);
  const v = fill(C, s.batch * s.S * s.Ev);
  const mask = c.mask ? c.mask(C, s) : null;
  const out = new C(s.batch * s.L * s.Ev);
  const lse = new C(s.batch * s.L);
  b.attention(s, { q, k, v, mask, out, lse });
  const dOut = fill(C, out.length);
  const dq = new C(q.length);
  const dk = new C(k.length);
  const dv = new C(v.length);
  b.attentionBackward(s, { q, k, v, mask, out, lse, dOut, dq, dk, dv });
  return { out, lse, dq, dk, dv };
}

/** Equal up to `tol` times the largest magnitude of the reference (NaN where the reference has NaN). */
function close(what: string, got: TypedArray, want: TypedArray, tol: number): void {
  assert.equal(got.length, want.length);
  let scale = 0;
  for (const w of want) if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) {
      assert.ok(Number.isNaN(got[i]), `${what}[${i}]: native ${got[i]}, reference NaN`);
      continue;
    }
    assert.ok(Math.abs(got[i] - want[i]) <= tol * Math.max(scale, 1e-30), `${what}[${i}]: native ${got[i]}, reference ${want[i]}`);
  }
}

describe('fused attention kernels (native) against the reference', { skip: !nativeAddon && 'the native addon is not built' }, () => {
  const native = nativeAddon ? createNativeBackend(nativeAddon, { smallCutoff: -1 }) : null;
  for (const C of [Float32Array, Float64Array]) {
    for (const c of CASES) {
      it(`${c.name} (${C.name})`, () => {
        const want = run(jsBackend, C, c);
        const got = run(native as typeof jsBackend, C, c);
        const tol = C === Float32Array ? 2e-6 : 1e-13;
        for (const key of ['out', 'lse', 'dq', 'dk', 'dv'] as const) close(key, got[key], want[key], key === 'lse' ? tol : 8 * tol);
      });
    }
  }

  it('rejects arrays of the wrong length and masks read out of bounds', () => {
    const n = native as typeof jsBackend;
    const s = spec(2, 70, 70, 4, 4, { mask: 'bool' });
    const q = new Float32Array(2 * 70 * 4);
    const mask: AttentionMask = { data: new Uint8Array(70 * 70), offsets: Int32Array.from([0, 70]), rowStride: 70, colStride: 1 };
    assert.throws(() => n.attention(s, { q, k: q, v: q, mask, out: new Float32Array(q.length), lse: new Float32Array(140) }), /attention \(mask\): strided access/);
    assert.throws(() => n.attention({ ...s, mask: 'none' }, { q, k: q, v: q, mask: null, out: new Float32Array(3), lse: new Float32Array(140) }), /attention \(output\): array of 3 elements where 560 are needed/);
  });
});
