// The one-kernel backward of max and min over dims (backend extremumBackward) and relu's one-kernel
// backward, against the differentiable composites they replace in a plain backward sweep, bit for
// bit on every backend: random shapes reduced over each dim, several dims and all of them, with
// and without keepdim, float32 and float64, inputs materialised from transposes, frequent ties
// (all-equal slices, ±0), NaN, ±inf and empty kept dims. The C kernels (the backward, and the
// vectorised max/min over rows) also run below the native wrapper's small-size cutoff, against
// the TypeScript kernels.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Tensor, getBackend, gradcheck, onesLike, setBackend, tensor } from 'chainrule';
import { jsBackend } from '../src/backend/js/index.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
import { nativeAddon } from '../src/backend/native/load.js';
import { onEveryBackend } from './backends.js';

let seed = 12345;
function rnd(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

/** Values with many ties: small integers, ±0, now and then ±inf or NaN (when `special`). */
function value(special: boolean): number {
  const u = rnd();
  if (special && u < 0.03) return Number.NaN;
  if (special && u < 0.06) return Number.POSITIVE_INFINITY;
  if (special && u < 0.09) return Number.NEGATIVE_INFINITY;
  if (u < 0.15) return -0;
  return int(-3, 3);
}

function nested(shape: readonly number[], f: () => number): unknown {
  if (shape.length === 0) return f();
  return Array.from({ length: shape[0] }, () => nested(shape.slice(1), f));
}

function sameBits(got: Float32Array | Float64Array, want: Float32Array | Float64Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < got.length; i++) {
    assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: fused ${got[i]}, composite ${want[i]}`);
  }
}

type Reduce = (x: Tensor) => Tensor;

/** dL/dx of reduce(x) with upstream `seedOf(y)`: from a plain sweep (the fused kernels) and from a recorded one (the composites). */
function bothGrads(x0: Tensor, reduce: Reduce, upstream: (y: Tensor) => Tensor): [Float32Array | Float64Array, Float32Array | Float64Array] {
  let seedGrad: Tensor | null = null;
  const grads = [false, true].map((createGraph) => {
    const x = x0.detach().requiresGrad_();
    const y = reduce(x);
    seedGrad ??= upstream(y);
    y.backward(seedGrad, { createGraph });
    assert.ok(x.grad, 'x received a gradient');
    return x.grad.detach().dataSync() as Float32Array | Float64Array;
  });
  return [grads[0], grads[1]];
}

/** A random upstream gradient of y's shape, with a zero, a negative and a NaN now and then. */
const randomUpstream = (y: Tensor): Tensor => {
  const u = () => {
    const v = rnd();
    return v < 0.05 ? 0 : v < 0.08 ? Number.NaN : 4 * rnd() - 2;
  };
  return tensor(nested(y.shape, u) as number[], { dtype: y.dtype });
};

function dimSets(rank: number): number[][] {
  const sets: number[][] = [];
  for (let d = 0; d < rank; d++) sets.push([d]);
  if (rank >= 2) sets.push([0, rank - 1]);
  if (rank >= 3) sets.push([0, 1], [1, 2]);
  return sets;
}

onEveryBackend('max/min backward in one kernel', (backend) => {
  describe(`max/min backward in one kernel on the ${backend} backend`, () => {
    let prev = 'js';
    before(() => {
      prev = getBackend();
      setBackend(backend);
    });
    after(() => setBackend(prev));

    it('states the tie and NaN rules by hand', () => {
      const x = tensor(
        [
          [1, 3, 3, -1],
          [Number.NaN, 0, 2, 2],
          [5, 5, 5, 5],
        ],
        { requiresGrad: true },
      );
      x.max(1).backward(tensor([1, 2, -4]));
      const g = x.grad?.toArray() as number[][];
      assert.deepEqual(g[0], [0, 0.5, 0.5, 0]);
      assert.ok(g[1].every(Number.isNaN), 'a NaN maximum gives its slice NaN, as torch.amax');
      assert.deepEqual(g[2], [-1, -1, -1, -1]);
      const z = tensor([-0, 0, -2], { requiresGrad: true });
      z.max().backward();
      assert.deepEqual(z.grad?.toArray(), [0.5, 0.5, 0]);
    });

    for (const dtype of ['float32', 'float64'] as const) {
      for (const op of ['max', 'min'] as const) {
        it(`equals the composite, ${op} in ${dtype}, over random shapes and dims`, () => {
          for (let trial = 0; trial < 12; trial++) {
            const rank = int(1, 4);
            // large enough now and then that the native wrapper calls C
            const shape = Array.from({ length: rank }, () => int(1, rank === 1 ? 200 : 7));
            const special = trial % 3 !== 0;
            const x = tensor(nested(shape, () => value(special)) as number[], { dtype });
            for (const ds of [...dimSets(rank), null]) {
              for (const keepdim of [false, true]) {
                const reduce: Reduce = (t) => (ds ? t[op](ds, { keepdim }) : t[op]());
                const [fused, composite] = bothGrads(x, reduce, randomUpstream);
                sameBits(fused, composite, `${op}(${JSON.stringify(ds)}, keepdim ${keepdim}) of [${shape}]`);
              }
            }
          }
        });
      }
    }

    it('equals the composite on inputs materialised from transposes, all-equal slices and the text CNN shape', () => {
      const base = tensor(nested([6, 40, 9], () => value(true)) as number[]);
      for (const x of [base.transpose(0, 2), base.transpose(1, 2).mul(0), base.permute([2, 0, 1])]) {
        for (const d of [0, 1, 2, [0, 2]]) {
          const [fused, composite] = bothGrads(x, (t) => t.max(d), randomUpstream);
          sameBits(fused, composite, `max(${JSON.stringify(d)}) of a transposed [${x.shape}]`);
        }
      }
      // relu zeros: whole slices tie at 0; large enough (38 KB) for pooled storage, run twice so
      // that the second run's outputs are handed blocks that held the first run's values
      for (let round = 0; round < 2; round++) {
        const pooled = tensor(nested([8, 20, 60], () => (rnd() < 0.7 ? 0 : rnd())) as number[]).relu();
        const [fused, composite] = bothGrads(pooled, (t) => t.max(2), randomUpstream);
        sameBits(fused, composite, 'max over time of relu outputs');
      }
    });

    it('passes an empty kept dim, and still rejects an empty reduced one', () => {
      const x = tensor(nested([0, 5], () => 1) as number[]).reshape([0, 5]);
      const [fused, composite] = bothGrads(x, (t) => t.max(1), (y) => onesLike(y));
      assert.equal(fused.length, 0);
      assert.equal(composite.length, 0);
      assert.throws(() => x.max(0), /max: cannot reduce over dimension 0 of size 0 \(shape \[0,5\]\)/);
    });

    it('keeps float64 gradcheck and double backward (the recorded composite)', () => {
      const x = tensor([[0.3, 1.7, -0.4], [2.5, -1.2, 0.9]], { dtype: 'float64', requiresGrad: true });
      assert.ok(gradcheck((t: Tensor) => t.max(1).mul(t.min(1)), [x], { atol: 1e-6, rtol: 1e-5 }).ok);
      const g = x.max(1).square().sum();
      const dx = gradOf(g, x);
      // dx = 2·max·onehot(argmax): its derivative through the recorded composite is 2·onehot²
      const h = dx.sum();
      h.backward();
      assert.deepEqual(x.grad?.toArray(), [[0, 2, 0], [2, 0, 0]]);
    });
  });
});

function gradOf(y: Tensor, x: Tensor): Tensor {
  y.backward(undefined, { createGraph: true });
  const g = x.grad;
  assert.ok(g, 'x received a gradient');
  x.grad = null;
  return g;
}

onEveryBackend('relu backward in one kernel', (backend) => {
  describe(`relu backward in one kernel on the ${backend} backend`, () => {
    let prev = 'js';
    before(() => {
      prev = getBackend();
      setBackend(backend);
    });
    after(() => setBackend(prev));

    for (const dtype of ['float32', 'float64'] as const) {
      it(`is y <= 0 ? 0 : g, NaN inputs passing the gradient (${dtype})`, () => {
        const vals = Array.from({ length: 300 }, () => value(true));
        const x = tensor(vals, { dtype, requiresGrad: true });
        const up = Array.from({ length: 300 }, () => (rnd() < 0.05 ? Number.NaN : 4 * rnd() - 2));
        x.relu().backward(tensor(up, { dtype }));
        const got = x.grad?.dataSync() as Float32Array | Float64Array;
        const want = vals.map((v, i) => (v <= 0 ? 0 : (dtype === 'float32' ? Math.fround(up[i]) : up[i])));
        want.forEach((w, i) => {
          assert.ok(Object.is(got[i], w), `[${i}] relu'(${vals[i]})·${up[i]}: got ${got[i]}, want ${w}`);
        });
      });
    }

    it('keeps its double backward: zeros for the output, the same mask for the gradient', () => {
      const x = tensor([-1, 0, 2, 3], { dtype: 'float64', requiresGrad: true });
      const g = tensor([5, 6, 7, 8], { dtype: 'float64', requiresGrad: true });
      const y = x.relu();
      y.backward(g, { createGraph: true });
      const dx = x.grad;
      assert.ok(dx);
      assert.deepEqual(dx.toArray(), [0, 0, 7, 8]);
      x.grad = null;
      dx.mul(tensor([1, 2, 3, 4], { dtype: 'float64' })).sum().backward();
      assert.deepEqual(g.grad?.toArray(), [0, 0, 3, 4]);
    });
  });
});

describe('the native max/min kernels below the small-size cutoff', { skip: !nativeAddon && 'the native addon is not built' }, () => {
  const native = nativeAddon ? createNativeBackend(nativeAddon, { smallCutoff: -1 }) : jsBackend;
  it('equals the TypeScript kernel on random layouts', () => {
    for (let trial = 0; trial < 200; trial++) {
      const rank = int(1, 5);
      const shape = Array.from({ length: rank }, () => int(1, 4));
      const reduced = shape.map(() => rnd() < 0.5);
      const rShape = shape.map((n, d) => (reduced[d] ? 1 : n));
      const rStrides: number[] = [];
      let acc = 1;
      for (let d = rank - 1; d >= 0; d--) {
        rStrides[d] = reduced[d] ? 0 : acc;
        acc *= rShape[d];
      }
      const n = shape.reduce((a, b) => a * b, 1);
      for (const C of [Float32Array, Float64Array]) {
        const x = new C(n);
        for (let i = 0; i < n; i++) x[i] = value(true);
        // extrema that tie with some elements of their slice, or with none
        const r = new C(acc);
        for (let j = 0; j < acc; j++) r[j] = int(-3, 3);
        for (let i = 0; i < n; i++) {
          let rest = i;
          let j = 0;
          for (let d = rank - 1; d >= 0; d--) {
            j += (rest % shape[d]) * rStrides[d];
            rest = Math.floor(rest / shape[d]);
          }
          if (rnd() < 0.3) r[j] = x[i];
        }
        const g = new C(acc);
        for (let j = 0; j < acc; j++) g[j] = 4 * rnd() - 2;
        const want = new C(n);
        const got = new C(n);
        jsBackend.extremumBackward(x, r, g, rStrides, shape, want);
        native.extremumBackward(x, r, g, rStrides, shape, got);
        sameBits(got, want, `[${shape}] reduced ${reduced} (${C.name})`);
      }
    }
  });

  it('max/min over contiguous rows (the vectorised scan) equal the TypeScript kernel bit for bit', () => {
    for (const C of [Float32Array, Float64Array]) {
      for (const n of [15, 16, 17, 31, 32, 33, 47, 254, 1000]) {
        for (const special of [false, true]) {
          const outer = 40;
          const x = new C(outer * n);
          for (let i = 0; i < x.length; i++) x[i] = value(special);
          // rows of relu zeros (±0 only), of one value, of -inf, of ±0 (the max) among negatives,
          // of ±0 (the min) among positives, and a NaN in the tail
          for (let i = 0; i < n; i++) {
            const zero = rnd() < 0.5 ? -0 : 0;
            x[i] = zero;
            x[n + i] = 2;
            x[2 * n + i] = Number.NEGATIVE_INFINITY;
            x[3 * n + i] = rnd() < 0.2 ? zero : -int(1, 3);
            x[4 * n + i] = rnd() < 0.2 ? zero : int(1, 3);
          }
          x[6 * n - 1] = Number.NaN;
          for (const op of ['max', 'min'] as const) {
            const want = new C(outer);
            const got = new C(outer);
            jsBackend.reduce(op, x, outer, n, 1, want);
            native.reduce(op, x, outer, n, 1, got);
            for (let o = 0; o < outer; o++) assert.ok(Object.is(got[o], want[o]), `${op} of row ${o} of [${outer}, ${n}] (${C.name}): native ${got[o]}, TypeScript ${want[o]}`);
          }
        }
      }
    }
  });

  it('checks the extrema against the strides it reads them through', () => {
    const x = new Float32Array(6);
    assert.throws(() => native.extremumBackward(x, new Float32Array(1), new Float32Array(1), [1, 0], [2, 3], new Float32Array(6)), /extremumBackward \(extrema\)/);
    assert.throws(() => native.extremumBackward(x, new Float32Array(2), new Float32Array(1), [1, 0], [2, 3], new Float32Array(6)), /extremumBackward \(gradient\)/);
  });
});
