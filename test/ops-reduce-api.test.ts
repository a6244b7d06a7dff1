// The reductions and scans beyond their PyTorch fixtures: bad input (errors name the op and the
// shape), the (values, indices) pair, the gradient conventions spelled out, the two cumprod
// backward paths agreeing, and the sorting kernels' invariants on long, tie-heavy inputs (where
// the ports of libstdc++'s introsort, heap select and introselect take their deeper branches).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ChainruleError,
  type Tensor,
  argsort,
  countNonzero,
  cumprod,
  cumsum,
  grad,
  kthvalue,
  logcumsumexp,
  maxDim,
  median,
  medianDim,
  minDim,
  mode,
  nanmean,
  nansum,
  norm,
  prod,
  sort,
  tensor,
  topk,
  zeros,
} from 'chainrule';
import { jsBackend } from '../src/backend/js/index.js';
import { Generator } from '../src/tensor/random.js';

function throwsNaming(f: () => unknown, op: string, shape: string, what?: RegExp): void {
  assert.throws(f, (e: Error) => {
    assert.ok(e instanceof ChainruleError, `${op}: ${e}`);
    assert.ok(e.message.startsWith(`${op}: `), e.message);
    assert.ok(e.message.includes(shape), `${e.message} does not name the shape ${shape}`);
    if (what) assert.match(e.message, what);
    return true;
  });
}

describe('reductions and scans: bad input', () => {
  const x = zeros([2, 3]);
  it('a dim out of range, or not an integer, names the op and the shape', () => {
    const byDim: [string, (d: number) => unknown][] = [
      ['prod', (d) => prod(x, d)],
      ['cumsum', (d) => cumsum(x, d)],
      ['cumprod', (d) => cumprod(x, d)],
      ['logcumsumexp', (d) => logcumsumexp(x, d)],
      ['norm', (d) => norm(x, 2, d)],
      ['sort', (d) => sort(x, d)],
      ['argsort', (d) => argsort(x, d)],
      ['topk', (d) => topk(x, 1, d)],
      ['kthvalue', (d) => kthvalue(x, 1, d)],
      ['median', (d) => median(x, d)],
      ['mode', (d) => mode(x, d)],
      ['maxDim', (d) => maxDim(x, d)],
      ['minDim', (d) => minDim(x, d)],
      ['nansum', (d) => nansum(x, d)],
      ['nanmean', (d) => nanmean(x, [0, d])],
      ['any', (d) => x.any(d)],
      ['all', (d) => x.all(d)],
      ['countNonzero', (d) => countNonzero(x, d)],
    ];
    for (const [op, f] of byDim) {
      throwsNaming(() => f(2), op === 'median' ? 'medianDim' : op, '[2,3]', /dim 2 is out of range .*expected -2\.\.1/);
      throwsNaming(() => f(-3), op === 'median' ? 'medianDim' : op, '[2,3]');
      throwsNaming(() => f(0.5), op === 'median' ? 'medianDim' : op, '[2,3]', /dim must be an integer/);
    }
    throwsNaming(() => cumsum(x, undefined as unknown as number), 'cumsum', '[2,3]', /got undefined/);
  });

  it('k outside the dimension is an error naming the op, the dim and the shape', () => {
    throwsNaming(() => topk(x, 4), 'topk', '[2,3]', /k must be an integer in 0\.\.3 for dimension 1/);
    throwsNaming(() => topk(x, -1), 'topk', '[2,3]');
    throwsNaming(() => topk(x, 1.5), 'topk', '[2,3]');
    throwsNaming(() => topk(x, 3, 0), 'topk', '[2,3]', /in 0\.\.2 for dimension 0/);
    throwsNaming(() => kthvalue(x, 0), 'kthvalue', '[2,3]', /in 1\.\.3/);
    throwsNaming(() => kthvalue(x, 4), 'kthvalue', '[2,3]');
    throwsNaming(() => kthvalue(tensor(1), 2), 'kthvalue', '[]');
    throwsNaming(() => kthvalue(zeros([0, 3]), 1, 0), 'kthvalue', '[0,3]', /in 1\.\.0/);
  });

  it('an invalid p names norm and the shape', () => {
    throwsNaming(() => norm(x, Number.NaN), 'norm', '[2,3]', /p must be a number/);
    throwsNaming(() => norm(x, 'nuc' as 'fro'), 'norm', '[2,3]', /nuclear norm/);
    throwsNaming(() => norm(x, 'max' as 'fro'), 'norm', '[2,3]', /got "max"/);
  });

  it('picking one element out of an empty dimension is an error; an empty tensor with a non-empty dim is not', () => {
    const e = zeros([0, 3]);
    for (const [op, f] of [
      ['maxDim', () => maxDim(e, 0)],
      ['minDim', () => minDim(e, 0)],
      ['medianDim', () => medianDim(e, 0)],
      ['mode', () => mode(e, 0)],
    ] as const) {
      throwsNaming(f, op, '[0,3]', /dimension 0 of size 0/);
    }
    assert.deepEqual(maxDim(e, 1).values.shape, [0]);
    assert.deepEqual(mode(e, 1).indices.shape, [0]);
  });
});

describe('the (values, indices) pair', () => {
  it('destructures as a pair and as named fields; values carry the gradient, indices are int32', () => {
    const x = tensor([3, 1, 2], { dtype: 'float64', requiresGrad: true });
    const r = x.sort();
    const [v, i] = r;
    assert.equal(v, r.values);
    assert.equal(i, r.indices);
    assert.deepEqual(i.toArray(), [1, 2, 0]);
    assert.equal(i.dtype, 'int32');
    assert.equal(i.requiresGrad, false);
    assert.equal(v.requiresGrad, true);
    const { values, indices } = x.topk(2, 0, { largest: false });
    assert.deepEqual(values.toArray(), [1, 2]);
    assert.deepEqual(indices.toArray(), [1, 2]);
  });

  it('max and min keep their values-only form (ties share the gradient); maxDim gives the first index its gradient', () => {
    const x = tensor([[1, 3, 3], [2, 2, 1]], { dtype: 'float64', requiresGrad: true });
    x.max(1).sum().backward();
    assert.deepEqual(x.grad?.toArray(), [[0, 0.5, 0.5], [0.5, 0.5, 0]]);
    const y = tensor([[1, 3, 3], [2, 2, 1]], { dtype: 'float64', requiresGrad: true });
    const { values, indices } = y.maxDim(1);
    assert.deepEqual(indices.toArray(), [1, 0]);
    values.sum().backward();
    assert.deepEqual(y.grad?.toArray(), [[0, 1, 0], [1, 0, 0]]);
  });

  it('median of all elements shares its gradient among ties; median along a dim sends it to the index', () => {
    const x = tensor([1, 2, 2, 3, 2], { dtype: 'float64', requiresGrad: true });
    x.median().backward();
    assert.deepEqual(x.grad?.toArray(), [0, 1 / 3, 1 / 3, 0, 1 / 3]);
    const y = tensor([[1, 2, 2, 3, 2]], { dtype: 'float64', requiresGrad: true });
    assert.deepEqual(y.medianDim(1).indices.toArray(), [2]);
    y.median(1).sum().backward();
    assert.deepEqual(y.grad?.toArray(), [[0, 0, 1, 0, 0]]);
  });
});

describe('products at zeros', () => {
  it('prod: one zero gets the product of the others, two zeros give 0 everywhere', () => {
    const x = tensor([2, 0, 3, 4], { dtype: 'float64', requiresGrad: true });
    x.prod().backward();
    assert.deepEqual(x.grad?.toArray(), [0, 24, 0, 0]);
    const y = tensor([2, 0, 3, 0], { dtype: 'float64', requiresGrad: true });
    y.prod().backward();
    assert.deepEqual(y.grad?.toArray(), [0, 0, 0, 0]);
  });

  it("cumprod's O(n) backward and its exact (create_graph) backward agree on inputs with zeros", () => {
    const g = new Generator(5);
    for (const shape of [[7], [3, 6], [4, 5, 2]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float64Array.from({ length: n }, () => (g.random() < 0.3 ? 0 : g.normal()));
      for (let d = 0; d < shape.length; d++) {
        const w = tensor(Float64Array.from({ length: n }, () => g.normal()), { shape });
        const f = (t: Tensor) => cumprod(t, d).mul(w).sum();
        const x = tensor(data, { shape });
        const [plain] = grad(f)(x);
        const [exact] = grad(f, { createGraph: true })(x);
        const a = plain.dataSync();
        const b = exact.dataSync();
        for (let i = 0; i < n; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(b[i])), `shape ${shape} dim ${d} [${i}]: ${a[i]} vs ${b[i]}`);
      }
    }
  });
});

describe('sorting kernels on long, tie-heavy inputs', () => {
  const g = new Generator(17);
  const lengths = [1, 2, 3, 15, 16, 17, 33, 100, 257, 1000];
  const sample = (n: number, distinct: number, nans: boolean) =>
    Float64Array.from({ length: n }, () => (nans && g.random() < 0.1 ? Number.NaN : Math.floor(g.random() * distinct)));
  /** NaN largest, as the kernels order values */
  const cmp = (a: number, b: number) => (a !== a ? (b !== b ? 0 : 1) : b !== b ? -1 : a - b);

  it('sort: the stable sort equals a reference stable sort; the unstable one is a sorted permutation', () => {
    for (const n of lengths) {
      for (const descending of [false, true]) {
        const x = sample(n, 1 + (n % 7), n > 2);
        const ref = Array.from({ length: n }, (_, i) => i).sort((i, j) => (descending ? cmp(x[j], x[i]) : cmp(x[i], x[j])));
        const v = new Float64Array(n);
        const ix = new Int32Array(n);
        jsBackend.sort(x, 1, n, 1, v, ix, descending, true);
        assert.deepEqual([...ix], ref, `stable n=${n} descending=${descending}`);
        jsBackend.sort(x, 1, n, 1, v, ix, descending, false);
        assert.deepEqual([...ix].sort((a, b) => a - b), ref.slice().sort((a, b) => a - b), `a permutation, n=${n}`);
        for (let i = 0; i < n; i++) {
          assert.ok(Object.is(v[i], x[ix[i]]), 'values are the input at the indices');
          if (i > 0) assert.ok((descending ? cmp(v[i - 1], v[i]) : cmp(v[i], v[i - 1])) >= 0, `sorted at ${i}, n=${n}`);
        }
      }
    }
  });

  it('topk, kthvalue, median and mode agree with a sort', () => {
    for (const n of lengths) {
      const x = sample(n, 1 + (n % 5), n > 3);
      const asc = [...x].sort(cmp);
      for (const k of [0, 1, Math.floor(n / 64), Math.floor(n / 3), n].filter((v, i, a) => a.indexOf(v) === i)) {
        for (const largest of [true, false]) {
          const v = new Float64Array(k);
          const ix = new Int32Array(k);
          jsBackend.topk(x, 1, n, 1, k, largest, true, v, ix);
          const want = largest ? asc.slice().reverse().slice(0, k) : asc.slice(0, k);
          assert.deepEqual([...v], want, `topk n=${n} k=${k} largest=${largest}`);
          assert.equal(new Set(ix).size, k, 'distinct indices');
          for (let i = 0; i < k; i++) assert.ok(Object.is(x[ix[i]], v[i]));
        }
        if (k >= 1) {
          const v = new Float64Array(1);
          const ix = new Int32Array(1);
          jsBackend.kthvalue(x, 1, n, 1, k, v, ix);
          assert.ok(Object.is(v[0], asc[k - 1]) && Object.is(x[ix[0]], v[0]), `kthvalue n=${n} k=${k}`);
        }
      }
      const v = new Float64Array(1);
      const ix = new Int32Array(1);
      jsBackend.median(x, 1, n, 1, v, ix);
      const firstNan = x.findIndex((e) => e !== e);
      if (firstNan >= 0) assert.ok(Number.isNaN(v[0]) && ix[0] === firstNan);
      else assert.ok(v[0] === asc[(n - 1) >> 1] && x[ix[0]] === v[0], `median n=${n}`);
      // mode compares with a plain < (as PyTorch), so NaN scatters runs of equal values: check it without
      const y = sample(n, 1 + (n % 5), false);
      jsBackend.mode(y, 1, n, 1, v, ix);
      const counts = new Map<number, number>();
      for (const e of y) counts.set(e, (counts.get(e) ?? 0) + 1);
      const top = Math.max(...counts.values(), 1);
      const smallest = Math.min(...[...counts].filter(([, c]) => c === top).map(([e]) => e));
      assert.ok(v[0] === smallest && y[ix[0]] === v[0], `mode n=${n}: ${v[0]} vs ${smallest}`);
    }
  });

  it('strided slices: [outer, n, inner] reads and writes along the middle axis', () => {
    const x = Float64Array.from([3, 30, 1, 10, 2, 20, 6, 60, 5, 50, 4, 40]);
    const v = new Float64Array(12);
    const ix = new Int32Array(12);
    jsBackend.sort(x, 2, 3, 2, v, ix, false, true);
    assert.deepEqual([...v], [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60]);
    assert.deepEqual([...ix], [1, 1, 2, 2, 0, 0, 2, 2, 1, 1, 0, 0]);
    const out = new Float64Array(12);
    jsBackend.scan('sum', x, 2, 3, 2, out, true);
    assert.deepEqual([...out], [6, 60, 3, 30, 2, 20, 15, 150, 9, 90, 4, 40]);
  });
});
