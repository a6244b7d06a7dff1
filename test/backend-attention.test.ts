// The fused attention kernels of the native backend (native/attention.cc) and of the wasm one
// (src/backend/wasm/attention.wat), both tiles of 64 queries x 64 keys with an online softmax and a
// backward recomputing tiles, against the TypeScript reference kernels at odd sizes that leave
// partial tiles, with every mask kind, causal attention, broadcast masks, dropout, and rows whose
// keys are all masked (NaN rows): equal within float32 (float64) rounding. Then the op on the wasm
// backend at sizes its kernel takes: float64 gradcheck (dropout included) and double backward.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Generator, type Tensor, concat, getBackend, grad, gradcheck, randn, scaledDotProductAttention as sdpa, setBackend, tensor } from 'chainrule';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { nativeAddon } from '../src/backend/native/load.js';
import type { AttentionMask, AttentionSpec, TypedArray } from '../src/backend/types.js';
import { ATTENTION_MIN_WORK, createWasmAttention, loadAttention } from '../src/backend/wasm/attention.js';
import { wasmBackend } from '../src/backend/wasm/index.js';

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
  {
    name: 'an additive mask with dead rows (all -Infinity: NaN, and NaN gradients)',
    spec: spec(2, 67, 70, 9, 6, { mask: 'add' }),
    mask: (C, s) => {
      const data = fill(C, s.L * s.S);
      for (let i = 0; i < s.L; i += 11) data.fill(Number.NEGATIVE_INFINITY, i * s.S, (i + 1) * s.S);
      return { data, offsets: new Int32Array(s.batch), rowStride: s.S, colStride: 1 };
    },
  },
  {
    name: 'an additive mask per query, broadcast over the keys (column stride 0)',
    spec: spec(2, 66, 129, 7, 9, { mask: 'add' }),
    mask: (C, s) => ({ data: fill(C, s.batch * s.L), offsets: Int32Array.from({ length: s.batch }, (_, b) => b * s.L), rowStride: 1, colStride: 0 }),
  },
  {
    name: 'a bool [batch, 1, L, S] mask broadcast over 2 heads, with dropout',
    spec: spec(4, 33, 65, 8, 8, { mask: 'bool', dropoutP: 0.2, seed: 2 ** 32 - 1 }),
    mask: (_C, s) => {
      const data = Uint8Array.from({ length: 2 * s.L * s.S }, (_, i) => (i % s.S === 5 || rnd() > 0.1 ? 1 : 0));
      return { data, offsets: Int32Array.from({ length: s.batch }, (_, b) => (b >> 1) * s.L * s.S), rowStride: s.S, colStride: 1 };
    },
  },
  {
    name: 'an additive mask read column-major (strides 1 and L), with dropout',
    spec: spec(2, 40, 70, 16, 3, { mask: 'add', dropoutP: 0.7, seed: 77 }),
    mask: (C, s) => ({ data: fill(C, s.L * s.S), offsets: new Int32Array(s.batch), rowStride: 1, colStride: s.L }),
  },
];

// odd sizes: L and S of 1, 3, 17, 65, 130 (partial tiles of 64), head dims 1, 5, 8, 64, some
// causal (L != S among them), some with dropout
const ODD = [1, 3, 17, 65, 130];
const DIMS = [1, 5, 8, 64];
for (const [a, L] of ODD.entries()) {
  for (const [b, S] of ODD.entries()) {
    const n = a * ODD.length + b;
    const [E, Ev] = [DIMS[n % 4], DIMS[(n + 1) % 4]];
    const o: Partial<AttentionSpec> = { causal: n % 3 === 0, dropoutP: n % 4 === 1 ? 0.25 : 0, seed: 1000 + n };
    CASES.push({ name: `odd sizes L=${L} S=${S} E=${E} Ev=${Ev}${o.causal ? ' causal' : ''}${o.dropoutP ? ' dropout' : ''}`, spec: spec(2, L, S, E, Ev, o) });
  }
}

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

/**
 * Equal up to `tol` times the largest magnitude of the reference, or of `floor` when that is larger
 * (NaN where the reference has NaN).
 */
function close(what: string, got: TypedArray, want: TypedArray, tol: number, floor = 1e-30): void {
  assert.equal(got.length, want.length);
  let scale = floor;
  for (const w of want) if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) {
      assert.ok(Number.isNaN(got[i]), `${what}[${i}]: fused ${got[i]}, reference NaN`);
      continue;
    }
    assert.ok(Math.abs(got[i] - want[i]) <= tol * scale, `${what}[${i}]: fused ${got[i]}, reference ${want[i]}`);
  }
}

const wasmAttention = loadAttention();
const fused: [string, typeof jsBackend | null, string][] = [
  ['native', nativeAddon && createNativeBackend(nativeAddon, { smallCutoff: -1 }), 'the native addon is not built'],
  // minWork 0: the module runs every case, however small
  ['wasm', wasmAttention && { ...jsBackend, ...createWasmAttention(wasmAttention, 0) }, 'WebAssembly SIMD is unavailable'],
];

for (const [name, backend, why] of fused) {
  describe(`fused attention kernels (${name}) against the reference`, { skip: !backend && why }, () => {
    for (const C of [Float32Array, Float64Array]) {
      for (const c of CASES) {
        it(`${c.name} (${C.name})`, () => {
          const want = run(jsBackend, C, c);
          const got = run(backend as typeof jsBackend, C, c);
          const tol = C === Float32Array ? 2e-6 : 1e-13;
          // a gradient is a sum of terms of the operands' size (about 1) that may cancel to 0 (S = 1:
          // dq and dk vanish), so its rounding is measured against 1 at least
          for (const key of ['out', 'lse'] as const) close(key, got[key], want[key], key === 'lse' ? tol : 8 * tol);
          for (const key of ['dq', 'dk', 'dv'] as const) close(key, got[key], want[key], 8 * tol, 1);
        });
      }
    }
  });
}

describe('fused attention kernels (native): bad arrays', { skip: !nativeAddon && 'the native addon is not built' }, () => {
  const native = nativeAddon ? createNativeBackend(nativeAddon, { smallCutoff: -1 }) : null;

  it('rejects arrays of the wrong length and masks read out of bounds', () => {
    const n = native as typeof jsBackend;
    const s = spec(2, 70, 70, 4, 4, { mask: 'bool' });
    const q = new Float32Array(2 * 70 * 4);
    const mask: AttentionMask = { data: new Uint8Array(70 * 70), offsets: Int32Array.from([0, 70]), rowStride: 70, colStride: 1 };
    assert.throws(() => n.attention(s, { q, k: q, v: q, mask, out: new Float32Array(q.length), lse: new Float32Array(140) }), /attention \(mask\): strided access/);
    assert.throws(() => n.attention({ ...s, mask: 'none' }, { q, k: q, v: q, mask: null, out: new Float32Array(3), lse: new Float32Array(140) }), /attention \(output\): array of 3 elements where 560 are needed/);
  });
});

describe('scaledDotProductAttention on the wasm backend, through its kernel', { skip: !wasmBackend && 'WebAssembly SIMD is unavailable' }, () => {
  // shapes [batch, L, E], [batch, S, E], [batch, S, Ev] large enough for the module (not the reference)
  const shapes = [
    [2, 9, 5],
    [2, 11, 5],
    [2, 11, 3],
  ];
  assert.ok(2 * 9 * 11 * 5 >= ATTENTION_MIN_WORK);
  const inputs = (): Tensor[] => shapes.map((sh, i) => randn(sh, { dtype: 'float64', generator: new Generator(40 + i) }));
  const boolMask = tensor(Array.from({ length: 9 }, (_, i) => Array.from({ length: 11 }, (_, j) => (i + 2 * j) % 5 !== 0)));
  const addMask = randn([2, 1, 11], { dtype: 'float64', generator: new Generator(9) });
  const variants: [string, (q: Tensor, k: Tensor, v: Tensor) => Tensor][] = [
    ['plain', (q, k, v) => sdpa(q, k, v)],
    ['causal, L != S', (q, k, v) => sdpa(q, k, v, { isCausal: true })],
    ['a bool mask', (q, k, v) => sdpa(q, k, v, { attnMask: boolMask })],
    ['an additive mask, scale 0.7', (q, k, v) => sdpa(q, k, v, { attnMask: addMask, scale: 0.7 })],
    // the same dropout mask at every evaluation: a fresh generator with one seed
    ['dropout', (q, k, v) => sdpa(q, k, v, { dropoutP: 0.3, generator: new Generator(5) })],
  ];
  const onWasm = <T>(f: () => T): T => {
    const prev = getBackend();
    setBackend('wasm');
    try {
      return f();
    } finally {
      setBackend(prev);
    }
  };
  for (const [what, f] of variants) {
    it(`${what}: the same values and gradients as on js`, () => {
      const weights = randn([2, 9, 3], { dtype: 'float64', generator: new Generator(3) });
      const both = (backend: string) => {
        const prev = getBackend();
        setBackend(backend);
        try {
          const xs = inputs();
          const y = f(xs[0], xs[1], xs[2]);
          return [y, ...grad((...a: Tensor[]) => f(a[0], a[1], a[2]).mul(weights).sum())(...xs)].map((t) => [...t.dataSync()]);
        } finally {
          setBackend(prev);
        }
      };
      const js = both('js');
      const wasm = both('wasm');
      for (const [i, want] of js.entries()) {
        for (const [j, w] of want.entries()) assert.ok(Math.abs(wasm[i][j] - w) <= 1e-13 * (1 + Math.abs(w)), `${i}[${j}]: wasm ${wasm[i][j]}, js ${w}`);
      }
    });
    it(`${what}: float64 gradcheck`, () => {
      onWasm(() => assert.ok(gradcheck((q, k, v) => f(q, k, v), inputs(), { atol: 1e-7, rtol: 1e-6 }).ok));
    });
    it(`${what}: double backward (the gradient's own gradcheck)`, () => {
      onWasm(() => {
        const firstGrads = (...xs: Tensor[]): Tensor => concat(grad((...a: Tensor[]) => f(a[0], a[1], a[2]).square().sum(), { createGraph: true })(...xs).map((g) => g.flatten()));
        assert.ok(gradcheck(firstGrads, inputs(), { atol: 1e-6, rtol: 1e-5 }).ok);
      });
    });
  }
});
