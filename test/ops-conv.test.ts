// The conv ops (conv1d, conv1dInputGrad, conv1dWeightGrad) on every backend: against naive loops on
// random sizes (large enough for the packed and threaded GEMM paths), first and second order
// gradchecks with stride and dilation, and their input errors. PyTorch's values for the same ops are
// in the op table (test/op-table.ts) and, through nn.Conv1d, in test/nn-conv.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChainruleError,
  type Tensor,
  concat,
  conv1d,
  conv1dInputGrad,
  conv1dWeightGrad,
  getBackend,
  grad,
  gradcheck,
  listBackends,
  manualSeed,
  randn,
  setBackend,
  tensor,
} from 'chainrule';

interface Case {
  N: number;
  Cin: number;
  L: number;
  Cout: number;
  K: number;
  stride: number;
  dilation: number;
}

const CASES: Case[] = [
  { N: 2, Cin: 3, L: 9, Cout: 4, K: 3, stride: 1, dilation: 1 },
  { N: 5, Cin: 20, L: 61, Cout: 30, K: 4, stride: 1, dilation: 1 },
  { N: 4, Cin: 17, L: 50, Cout: 13, K: 3, stride: 2, dilation: 2 },
  { N: 3, Cin: 9, L: 40, Cout: 26, K: 5, stride: 3, dilation: 1 },
  { N: 1, Cin: 100, L: 120, Cout: 100, K: 2, stride: 1, dilation: 3 },
  { N: 7, Cin: 1, L: 6, Cout: 1, K: 6, stride: 1, dilation: 1 },
];

const outLen = (c: Case): number => Math.floor((c.L - c.dilation * (c.K - 1) - 1) / c.stride) + 1;

/** y[n,o,t] = sum_{c,k} x[n,c,t·s+k·d] w[o,c,k] with every product and its magnitude, straight from the definition. */
function naive(c: Case, x: ArrayLike<number>, w: ArrayLike<number>, gy: ArrayLike<number>) {
  const Lout = outLen(c);
  const y = new Float64Array(c.N * c.Cout * Lout);
  const gx = new Float64Array(c.N * c.Cin * c.L);
  const gw = new Float64Array(c.Cout * c.Cin * c.K);
  for (let n = 0; n < c.N; n++) {
    for (let o = 0; o < c.Cout; o++) {
      for (let t = 0; t < Lout; t++) {
        const yi = (n * c.Cout + o) * Lout + t;
        for (let ch = 0; ch < c.Cin; ch++) {
          for (let k = 0; k < c.K; k++) {
            const xi = (n * c.Cin + ch) * c.L + t * c.stride + k * c.dilation;
            const wi = (o * c.Cin + ch) * c.K + k;
            y[yi] += x[xi] * w[wi];
            gx[xi] += gy[yi] * w[wi];
            gw[wi] += gy[yi] * x[xi];
          }
        }
      }
    }
  }
  return { y, gx, gw };
}

function close(what: string, got: Tensor, want: Float64Array, shape: number[], tol: number): void {
  assert.deepEqual([...got.shape], shape, `${what}: shape`);
  const g = got.dataSync();
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(g[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) assert.fail(`${what}[${i}]: got ${g[i]}, want ${want[i]}`);
  }
}

function onBackend(name: string, fn: () => void): void {
  const prev = getBackend();
  setBackend(name);
  try {
    fn();
  } finally {
    setBackend(prev);
  }
}

for (const backend of listBackends()) {
  describe(`conv ops on the ${backend} backend`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${dtype}: all three ops match naive loops (strides, dilations, batch and channel sizes)`, () =>
        onBackend(backend, () => {
          manualSeed(7);
          const tol = dtype === 'float64' ? 1e-12 : 2e-5;
          for (const c of CASES) {
            const Lout = outLen(c);
            const x = randn([c.N, c.Cin, c.L], { dtype });
            const w = randn([c.Cout, c.Cin, c.K], { dtype });
            const gy = randn([c.N, c.Cout, Lout], { dtype });
            const want = naive(c, x.dataSync(), w.dataSync(), gy.dataSync());
            const o = { stride: c.stride, dilation: c.dilation };
            const what = `${JSON.stringify(c)} ${dtype}`;
            const y = conv1d(x, w, o);
            assert.equal(y.dtype, dtype);
            close(`conv1d ${what}`, y, want.y, [c.N, c.Cout, Lout], tol * Math.sqrt(c.Cin * c.K));
            close(`conv1dInputGrad ${what}`, conv1dInputGrad(gy, w, c.L, o), want.gx, [c.N, c.Cin, c.L], tol * Math.sqrt(c.Cout * c.K));
            close(`conv1dWeightGrad ${what}`, conv1dWeightGrad(x, gy, c.K, o), want.gw, [c.Cout, c.Cin, c.K], tol * Math.sqrt(c.N * Lout));
          }
        }));
    }

    it('first and second order gradchecks of each op with stride 2 and dilation 2 (float64)', () =>
      onBackend(backend, () => {
        manualSeed(11);
        const o = { stride: 2, dilation: 2 };
        const [N, Cin, L, Cout, K] = [2, 3, 10, 2, 3];
        const Lout = Math.floor((L - 2 * (K - 1) - 1) / 2) + 1;
        const x = randn([N, Cin, L], { dtype: 'float64' });
        const w = randn([Cout, Cin, K], { dtype: 'float64' });
        const gy = randn([N, Cout, Lout], { dtype: 'float64' });
        const ops: [string, (a: Tensor, b: Tensor) => Tensor, Tensor[]][] = [
          ['conv1d', (a, b) => conv1d(a, b, o), [x, w]],
          ['conv1dInputGrad', (a, b) => conv1dInputGrad(a, b, L, o), [gy, w]],
          ['conv1dWeightGrad', (a, b) => conv1dWeightGrad(a, b, K, o), [x, gy]],
        ];
        for (const [name, f, inputs] of ops) {
          assert.ok(gradcheck(f, inputs, { atol: 1e-6, rtol: 1e-5 }).ok, `${name} first order`);
          // the gradients of sum(f(a, b)³) are themselves differentiable functions of a and b
          const grads = (a: Tensor, b: Tensor): Tensor => {
            const [ga, gb] = grad((p: Tensor, q: Tensor) => f(p, q).pow(3).sum(), { createGraph: true })(a, b);
            return concat([ga.flatten(), gb.flatten()]);
          };
          assert.ok(gradcheck(grads, inputs, { atol: 1e-6, rtol: 1e-5 }).ok, `${name} second order`);
        }
      }));
  });
}

/**
 * An output gradient as max over time leaves it: one nonzero per (n, o) at a random position, a
 * second one (a tie) in every fifth row, and the special values NaN, ±inf and -0 in a few rows.
 */
function sparseGy(c: Case, dtype: 'float32' | 'float64', special: boolean): Tensor {
  const Lout = outLen(c);
  const v = randn([c.N * c.Cout * 2]).dataSync();
  const pos = randn([c.N * c.Cout * 2]).dataSync();
  const gy = new Float64Array(c.N * c.Cout * Lout);
  for (let r = 0; r < c.N * c.Cout; r++) {
    const t = Math.floor(Math.abs(pos[2 * r] * 7919) % Lout);
    gy[r * Lout + t] = v[2 * r];
    if (r % 5 === 0) gy[r * Lout + Math.floor(Math.abs(pos[2 * r + 1] * 104729) % Lout)] += v[2 * r + 1];
  }
  if (special) {
    gy[3] = Number.NaN;
    gy[Lout + 1] = Number.POSITIVE_INFINITY;
    gy[2 * Lout + 2] = Number.NEGATIVE_INFINITY;
    gy[3 * Lout] = -0;
  }
  return tensor(gy, { dtype }).reshape([c.N, c.Cout, Lout]);
}

/** Equal where both are numbers within tol, or both NaN, or the same infinity. */
function closeSpecial(what: string, got: Tensor, want: Float64Array, tol: number): void {
  const g = got.dataSync();
  for (let i = 0; i < want.length; i++) {
    const [a, b] = [g[i], want[i]];
    const ok = Number.isNaN(b) ? Number.isNaN(a) : Number.isFinite(b) ? Math.abs(a - b) <= tol * (1 + Math.abs(b)) : a === b;
    if (!ok) assert.fail(`${what}[${i}]: got ${a}, want ${b}`);
  }
}

const SPARSE_CASES: Case[] = [
  { N: 6, Cin: 20, L: 300, Cout: 30, K: 4, stride: 1, dilation: 1 },
  { N: 3, Cin: 7, L: 200, Cout: 9, K: 3, stride: 2, dilation: 3 },
  { N: 2, Cin: 5, L: 130, Cout: 4, K: 5, stride: 3, dilation: 1 },
];

for (const backend of listBackends()) {
  describe(`conv ops on the ${backend} backend, sparse output gradients (max over time)`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      it(`${dtype}: input and weight gradients match naive loops, with NaN, ±inf and -0 in the gradient`, () =>
        onBackend(backend, () => {
          manualSeed(23);
          const tol = dtype === 'float64' ? 1e-12 : 2e-5;
          for (const c of SPARSE_CASES) {
            for (const special of [false, true]) {
              const o = { stride: c.stride, dilation: c.dilation };
              const x = randn([c.N, c.Cin, c.L], { dtype });
              const w = randn([c.Cout, c.Cin, c.K], { dtype });
              const gy = sparseGy(c, dtype, special);
              const want = naive(c, x.dataSync(), w.dataSync(), gy.dataSync());
              const what = `${JSON.stringify(c)} ${dtype}${special ? ' special' : ''}`;
              closeSpecial(`conv1dInputGrad ${what}`, conv1dInputGrad(gy, w, c.L, o), want.gx, tol * 4);
              closeSpecial(`conv1dWeightGrad ${what}`, conv1dWeightGrad(x, gy, c.K, o), want.gw, tol * 4);
            }
          }
        }));
    }

    it('an inf or NaN in x or the weight gives the NaNs of the dense product (0·inf), not a skipped term', () =>
      onBackend(backend, () => {
        manualSeed(29);
        const c = SPARSE_CASES[0];
        const o = { stride: c.stride, dilation: c.dilation };
        for (const bad of [Number.POSITIVE_INFINITY, Number.NaN]) {
          const xs = randn([c.N, c.Cin, c.L], { dtype: 'float64' }).dataSync().slice();
          const ws = randn([c.Cout, c.Cin, c.K], { dtype: 'float64' }).dataSync().slice();
          xs[c.L + 5] = bad;
          ws[7] = bad;
          const x = tensor(xs, { dtype: 'float64' }).reshape([c.N, c.Cin, c.L]);
          const w = tensor(ws, { dtype: 'float64' }).reshape([c.Cout, c.Cin, c.K]);
          const gy = sparseGy(c, 'float64', false);
          const want = naive(c, xs, ws, gy.dataSync());
          assert.ok(want.gw.some(Number.isNaN) && want.gx.some(Number.isNaN), 'the naive loops give NaNs');
          closeSpecial(`conv1dInputGrad, ${bad} in w`, conv1dInputGrad(gy, w, c.L, o), want.gx, 1e-12);
          closeSpecial(`conv1dWeightGrad, ${bad} in x`, conv1dWeightGrad(x, gy, c.K, o), want.gw, 1e-12);
        }
      }));
  });
}

describe('conv ops: input errors name the op and the shapes', () => {
  const x = randn([2, 3, 8]);
  const w = randn([4, 3, 3]);
  const bad: [string, () => unknown, RegExp][] = [
    ['rank of x', () => conv1d(randn([3, 8]), w), /^conv1d: input must have 3 dimensions, got \[3,8\]$/],
    ['rank of w', () => conv1d(x, randn([4, 9])), /^conv1d: weight must have 3 dimensions, got \[4,9\]$/],
    ['channels', () => conv1d(x, randn([4, 2, 3])), /^conv1d: weight \[4,2,3\] expects 2 input channels, got input \[2,3,8\]$/],
    ['too short', () => conv1d(x, w, { dilation: 4 }), /^conv1d: input length 8 is shorter than the dilated kernel 9$/],
    ['stride', () => conv1d(x, w, { stride: 0 }), /^conv1d: stride must be an integer >= 1, got 0$/],
    ['dilation', () => conv1d(x, w, { dilation: 1.5 }), /^conv1d: dilation must be an integer >= 1, got 1.5$/],
    ['int dtype', () => conv1d(x.to('int32'), w.to('int32')), /^conv1d: needs float tensors, got int32 and int32$/],
    ['not a tensor', () => conv1d(null as unknown as Tensor, w), /^conv1d: input must be a Tensor, got null$/],
    [
      'input grad channels',
      () => conv1dInputGrad(randn([2, 5, 6]), w, 8),
      /^conv1dInputGrad: gradient \[2,5,6\] has 5 channels, weight \[4,3,3\] has 4 outputs$/,
    ],
    [
      'input grad length',
      () => conv1dInputGrad(randn([2, 4, 5]), w, 8),
      /^conv1dInputGrad: gradient \[2,4,5\] has length 5, but an input of length 8 gives 6$/,
    ],
    ['input grad L', () => conv1dInputGrad(randn([2, 4, 6]), w, 0), /^conv1dInputGrad: input length must be an integer >= 1, got 0$/],
    [
      'weight grad batch',
      () => conv1dWeightGrad(x, randn([3, 4, 6]), 3),
      /^conv1dWeightGrad: input \[2,3,8\] and gradient \[3,4,6\] have different batch sizes$/,
    ],
    [
      'weight grad length',
      () => conv1dWeightGrad(x, randn([2, 4, 6]), 3, { stride: 2 }),
      /^conv1dWeightGrad: gradient \[2,4,6\] has length 6, but input \[2,3,8\] gives 3$/,
    ],
    ['weight grad K', () => conv1dWeightGrad(x, randn([2, 4, 6]), 2.5), /^conv1dWeightGrad: kernel size must be an integer >= 1, got 2.5$/],
  ];
  for (const [what, f, msg] of bad) {
    it(what, () => assert.throws(f, (e: unknown) => e instanceof ChainruleError && msg.test(e.message)));
  }

  it('mixed float dtypes promote to float64', () => {
    const y = conv1d(tensor([[[1, 2, 3]]], { dtype: 'float64' }), tensor([[[1, -1]]]));
    assert.equal(y.dtype, 'float64');
    assert.deepEqual(y.toArray(), [[[-1, -1]]]);
  });
});
