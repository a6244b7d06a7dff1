// scaledDotProductAttention beyond the PyTorch table: its errors (naming the op and the shapes),
// dropout, dtype promotion, and the fused kernels' agreement with the op's composite form.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, F, Generator, type Tensor, getBackend, grad, gradcheck, listBackends, manualSeed, matmul, ones, randn, scaledDotProductAttention as sdpa, setBackend, softmax, tensor } from 'chainrule';

const q = randn([2, 3, 4], { dtype: 'float64' });
const k = randn([2, 5, 4], { dtype: 'float64' });
const v = randn([2, 5, 6], { dtype: 'float64' });

function throwsNaming(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ChainruleError, String(e));
    assert.match(e.message, /^scaledDotProductAttention: /);
    for (const p of parts) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/[[\]]/g, '\\$&')) : p);
    return true;
  });
}

describe('scaledDotProductAttention', () => {
  it('is F.scaledDotProductAttention too', () => {
    assert.equal(F.scaledDotProductAttention, sdpa);
  });

  it('rejects bad input with the op and the shapes in the message', () => {
    throwsNaming(() => sdpa(q, randn([2, 5, 3]), v), 'query [2,3,4]', 'key [2,5,3]', 'last dimension');
    throwsNaming(() => sdpa(q, k, randn([2, 4, 6])), 'value [2,4,6]', 'number of keys');
    throwsNaming(() => sdpa(randn([4]), k, v), 'at least 2 dimensions');
    throwsNaming(() => sdpa(randn([3, 3, 4]), k, v), 'batch dimensions', 'query [3,3,4]');
    throwsNaming(() => sdpa(q, k, v, { attnMask: ones([4, 5]) }), 'attnMask [4,5]', '[2,3,5]');
    throwsNaming(() => sdpa(q, k, v, { attnMask: ones([3, 3, 5]) }), 'attnMask [3,3,5]');
    throwsNaming(() => sdpa(q, k, v, { attnMask: tensor([[1, 0, 1, 1, 0]], { dtype: 'int32' }) }), 'int32');
    throwsNaming(() => sdpa(q, k, v, { attnMask: ones([3, 5]), isCausal: true }), 'not both');
    throwsNaming(() => sdpa(q, k, v, { dropoutP: 1 }), 'dropoutP');
    throwsNaming(() => sdpa(q, k, v, { dropoutP: -0.1 }), 'dropoutP');
    throwsNaming(() => sdpa(q, k, v, { scale: Number.NaN }), 'scale');
    throwsNaming(() => sdpa(q, k, v, { causal: true } as never), 'unknown option "causal"');
    throwsNaming(() => sdpa(tensor([[1, 2]], { dtype: 'int32' }), tensor([[1, 2]], { dtype: 'int32' }), tensor([[1, 2]], { dtype: 'int32' })), 'float');
  });

  it('promotes float32 operands and masks to the widest float type', () => {
    const m = randn([3, 5]);
    const y = sdpa(q.to('float32'), k, v, { attnMask: m });
    assert.equal(y.dtype, 'float64');
    const want = matmul(softmax(matmul(q.to('float32').to('float64'), k.transpose(-2, -1)).mul(0.5).add(m.to('float64')), -1), v);
    const a = y.dataSync();
    want.dataSync().forEach((w, i) => {
      assert.ok(Math.abs(a[i] - w) < 1e-12);
    });
  });

  it('drops attention weights with dropoutP, from the seeded generator, and passes gradients through', () => {
    const qq = q.detach().requiresGrad_();
    manualSeed(7);
    const y1 = sdpa(qq, k, v, { dropoutP: 0.5 });
    manualSeed(7);
    const y2 = sdpa(qq, k, v, { dropoutP: 0.5 });
    assert.deepEqual(y1.toArray(), y2.toArray());
    assert.notDeepEqual(y1.toArray(), sdpa(q, k, v).toArray());
    // the kept weights are scaled by 1/(1-p): with one key every weight is 1, so outputs are 0 or 2·v
    const one = sdpa(randn([1, 64, 4], { dtype: 'float64' }), ones([1, 1, 4], { dtype: 'float64' }), ones([1, 1, 1], { dtype: 'float64' }), { dropoutP: 0.5 });
    const vals = new Set(one.dataSync());
    assert.deepEqual([...vals].sort(), [0, 2]);
    y1.sum().backward();
    assert.ok(qq.grad?.dataSync().every(Number.isFinite));
  });

  for (const backend of listBackends()) {
    it(`dropout draws one mask per call from a seed: gradcheck and double backward hold with a fixed generator (${backend})`, () => {
      const prev = getBackend();
      setBackend(backend);
      try {
        const qs = randn([2, 9, 3], { dtype: 'float64' });
        const ks = randn([2, 11, 3], { dtype: 'float64' });
        const vs = randn([2, 11, 2], { dtype: 'float64' });
        const f = (a: Tensor, b: Tensor, c: Tensor) => sdpa(a, b, c, { dropoutP: 0.4, isCausal: true, generator: new Generator(3) });
        assert.ok(gradcheck(f, [qs, ks, vs]).ok);
        const w = randn([2, 9, 2], { dtype: 'float64' });
        const first = (a: Tensor, b: Tensor, c: Tensor) => {
          const [ga, gb, gc] = grad((x: Tensor, y: Tensor, z: Tensor) => f(x, y, z).mul(w).sum(), { createGraph: true })(a, b, c);
          return ga.mul(ga).sum().add(gb.sum()).add(gc.mul(gc).sum());
        };
        assert.ok(gradcheck(first, [qs, ks, vs]).ok);
        // the kernels' gradients equal those of the composite form with the same mask
        const [g1] = grad((x: Tensor) => f(x, ks, vs).mul(w).sum())(qs);
        const [g2] = grad((x: Tensor) => f(x, ks, vs).mul(w).sum(), { createGraph: true })(qs.detach().requiresGrad_());
        const a = g1.dataSync();
        g2.dataSync().forEach((v, i) => {
          assert.ok(Math.abs(v - a[i]) < 1e-12, `${v} vs ${a[i]}`);
        });
      } finally {
        setBackend(prev);
      }
    });

    it(`fused kernels equal the composite form at odd sizes in float32 (${backend})`, () => {
      const prev = getBackend();
      setBackend(backend);
      try {
        for (const [L, S, E, causal] of [
          [37, 53, 19, false],
          [61, 61, 33, true],
          [129, 67, 64, true],
        ] as const) {
          const qs = randn([3, L, E]).requiresGrad_();
          const ks = randn([3, S, E]).requiresGrad_();
          const vs = randn([3, S, 21]).requiresGrad_();
          const mask = causal ? null : randn([L, S]).gt(-1.5);
          const y = sdpa(qs, ks, vs, { isCausal: causal, attnMask: mask });
          const g = randn(y.shape);
          y.mul(g).sum().backward();
          const got = [y, qs.grad, ks.grad, vs.grad].map((t) => (t as Tensor).dataSync());
          const q64 = qs.detach().to('float64').requiresGrad_();
          const k64 = ks.detach().to('float64').requiresGrad_();
          const v64 = vs.detach().to('float64').requiresGrad_();
          let s = matmul(q64, k64.transpose(-2, -1)).mul(1 / Math.sqrt(E));
          if (causal) s = s.add(tensor(Float64Array.from({ length: L * S }, (_, i) => (i % S > Math.floor(i / S) ? Number.NEGATIVE_INFINITY : 0)), { shape: [L, S] }));
          if (mask) s = s.add(tensor(Float64Array.from(mask.dataSync(), (m) => (m ? 0 : Number.NEGATIVE_INFINITY)), { shape: [L, S] }));
          const r = matmul(softmax(s, -1), v64);
          r.mul(g.to('float64')).sum().backward();
          const want = [r, q64.grad, k64.grad, v64.grad].map((t) => (t as Tensor).dataSync());
          want.forEach((w, n) => {
            let scale = 0;
            for (const x of w) scale = Math.max(scale, Math.abs(x));
            for (let i = 0; i < w.length; i++) {
              assert.ok(Math.abs(got[n][i] - w[i]) <= 2e-5 * scale, `${['out', 'dq', 'dk', 'dv'][n]}[${i}] at L=${L} S=${S} E=${E}: ${got[n][i]} vs ${w[i]}`);
            }
          });
        }
      } finally {
        setBackend(prev);
      }
    });
  }
});
