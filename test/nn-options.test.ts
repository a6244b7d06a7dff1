// The layer options chainrule once accepted and ignored, against PyTorch 1.13
// (test/fixtures/nn_options.json) on every backend: LSTM projSize, Embedding/EmbeddingBag maxNorm
// and normType, EmbeddingBag includeLastOffset, Conv1d paddingMode, avgPool1d ceilMode and
// countIncludePad; float64 gradcheck and double backward of the projected LSTM and the lookup.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChainruleError, F, type Tensor, concat, grad, gradcheck, manualSeed, nn, randn, setBackend, tensor } from 'chainrule';
import { BACKENDS } from './optim2-helpers.js';

interface Flat {
  shape: number[];
  data: number[];
}
type Case = Record<string, unknown> & { label: string };
const fx = JSON.parse(readFileSync(new URL('./fixtures/nn_options.json', import.meta.url), 'utf8')) as Record<string, Case[]>;

const t64 = (f: Flat, requiresGrad = false): Tensor => tensor(f.data, { dtype: 'float64', shape: f.shape, requiresGrad });
const ids = (v: unknown): Tensor => tensor(v as number[], { dtype: 'int32' });
const num = (v: unknown): number => (v === 'inf' ? Number.POSITIVE_INFINITY : (v as number));

function close(what: string, got: Tensor | null | undefined, want: Flat, tol = 1e-10): void {
  assert.ok(got, `${what}: missing`);
  assert.deepEqual([...got.shape], want.shape, `${what}: shape`);
  const d = got.data;
  want.data.forEach((v, i) => {
    assert.ok(Math.abs(d[i] - v) <= tol * Math.max(1, Math.abs(v)), `${what}[${i}]: ${d[i]} vs ${v}`);
  });
}

/** sum(out·g) over every output with its upstream gradient. */
function lossOf(pairs: [Tensor, Flat][]): Tensor {
  return pairs.map(([y, g]) => y.mul(t64(g)).sum()).reduce((a, b) => a.add(b));
}

function lstmOf(c: Case): nn.LSTM {
  const o = c.options as { inputSize: number; hiddenSize: number } & Record<string, unknown>;
  const m = new nn.LSTM(o.inputSize, o.hiddenSize, o as never).double();
  const params = c.params as Record<string, Flat>;
  assert.deepEqual(
    m.namedParameters().map(([n]) => n),
    Object.keys(params),
    'parameter names and order as PyTorch',
  );
  for (const [n, p] of m.namedParameters()) {
    assert.deepEqual([...p.shape], params[n].shape, `${n} shape`);
    p.data.set(params[n].data);
  }
  return m;
}

for (const [backend, available] of BACKENDS) {
  describe(`layer options match PyTorch 1.13 (${backend})`, { skip: !available && `${backend} backend unavailable` }, () => {
    const on = (f: () => void) => () => {
      setBackend(backend);
      try {
        f();
      } finally {
        setBackend('js');
      }
    };
    for (const c of fx.lstm) {
      it(
        `LSTM projSize: ${c.label}`,
        on(() => {
          const m = lstmOf(c);
          const x = t64(c.input as Flat, true);
          const state = c.h0 ? ([t64(c.h0 as Flat, true), t64(c.c0 as Flat, true)] as [Tensor, Tensor]) : undefined;
          const [out, [h, cN]] = m.forward(x, state, c.lengths ? { lengths: c.lengths as number[] } : {});
          close('out', out, c.out as Flat);
          close('hN', h, c.h as Flat);
          close('cN', cN, c.c as Flat);
          const up = c.upstream as Record<string, Flat>;
          lossOf([
            [out, up.out],
            [h, up.h],
            [cN, up.c],
          ]).backward();
          const grads = c.grads as Record<string, Flat>;
          close('grad input', x.grad, grads.input);
          if (state) {
            close('grad h0', state[0].grad, grads.h0);
            close('grad c0', state[1].grad, grads.c0);
          }
          for (const [n, p] of m.namedParameters()) close(`grad ${n}`, p.grad, grads[n]);
        }),
      );
    }
    for (const c of fx.embedding) {
      it(
        `Embedding maxNorm: ${c.label}`,
        on(() => {
          const o = c.options as { maxNorm: number; normType: number; paddingIdx: number | null };
          const w = c.weight as Flat;
          const m = new nn.Embedding(w.shape[0], w.shape[1], { maxNorm: o.maxNorm, normType: num(o.normType), paddingIdx: o.paddingIdx }).double();
          m.weight.data.set(w.data);
          const out = m.forward(ids(c.indices));
          close('out', out, c.out as Flat);
          close('weight after the forward', m.weight, c.weightAfter as Flat);
          lossOf([[out, c.upstream as Flat]]).backward();
          close('grad weight', m.weight.grad, c.grad as Flat);
        }),
      );
    }
    for (const c of fx.embeddingBag) {
      it(
        `EmbeddingBag: ${c.label}`,
        on(() => {
          const o = c.options as { mode: 'sum'; includeLastOffset: boolean; maxNorm: number | null; normType: unknown; paddingIdx: number | null };
          const w = c.weight as Flat;
          const m = new nn.EmbeddingBag(w.shape[0], w.shape[1], { ...o, normType: num(o.normType) }).double();
          m.weight.data.set(w.data);
          const psw = c.perSampleWeights ? t64(c.perSampleWeights as Flat, true) : null;
          const out = m.forward(ids(c.indices), c.offsets as number[], psw);
          close('out', out, c.out as Flat);
          close('weight after the forward', m.weight, c.weightAfter as Flat);
          lossOf([[out, c.upstream as Flat]]).backward();
          close('grad weight', m.weight.grad, c.grad as Flat);
          if (psw) close('grad perSampleWeights', psw.grad, c.gradPerSampleWeights as Flat);
        }),
      );
    }
    for (const c of fx.conv1d) {
      it(
        `Conv1d paddingMode: ${c.label}`,
        on(() => {
          const o = c.options as { kernelSize: number } & Record<string, unknown>;
          const params = c.params as Record<string, Flat>;
          const m = new nn.Conv1d(4, 6, o.kernelSize, o as never).double();
          for (const [n, p] of m.namedParameters()) p.data.set(params[n].data);
          const x = t64(c.input as Flat, true);
          const out = m.forward(x);
          close('out', out, c.out as Flat);
          lossOf([[out, c.upstream as Flat]]).backward();
          const grads = c.grads as Record<string, Flat>;
          close('grad input', x.grad, grads.input);
          for (const [n, p] of m.namedParameters()) close(`grad ${n}`, p.grad, grads[n]);
        }),
      );
    }
    for (const c of fx.avgPool1d) {
      it(
        `avgPool1d: ${c.label}`,
        on(() => {
          const o = c.options as { kernelSize: number; stride: number; padding: number; ceilMode: boolean; countIncludePad: boolean };
          const x = t64(c.input as Flat, true);
          const out = F.avgPool1d(x, o.kernelSize, o);
          close('out', out, c.out as Flat);
          close('nn.AvgPool1d', new nn.AvgPool1d(o.kernelSize, o).forward(x), c.out as Flat);
          lossOf([[out, c.upstream as Flat]]).backward();
          close('grad input', x.grad, c.grad as Flat);
        }),
      );
    }
  });
}

describe('projected LSTM and maxNorm lookup: float64 gradcheck and double backward', () => {
  for (const [backend, available] of BACKENDS) {
    it(`LSTM projSize, bidirectional with lengths (${backend})`, { skip: !available && `${backend} backend unavailable` }, () => {
      setBackend(backend);
      try {
        manualSeed(3);
        const m = new nn.LSTM(2, 3, { projSize: 2, bidirectional: true });
        const names = m.namedParameters().map(([n]) => n);
        const params = m.namedParameters().map(([, p]) => p.to('float64').detach());
        const x = randn([3, 2, 2], { dtype: 'float64' });
        const f = (xi: Tensor, ...ps: Tensor[]): Tensor => {
          names.forEach((n, i) => {
            (m as unknown as Record<string, Tensor>)[n] = ps[i];
          });
          const [out, [h, c]] = m.forward(xi, undefined, { lengths: [3, 2] });
          return concat([out.flatten(), h.flatten(), c.flatten()]);
        };
        assert.ok(gradcheck(f, [x, ...params]).ok, 'first derivatives');
        const firstGrads = (...xs: Tensor[]): Tensor => {
          const gs = grad((...inner: Tensor[]) => f(inner[0], ...inner.slice(1)).square().sum(), { createGraph: true })(...xs);
          return concat(gs.map((g) => g.flatten()));
        };
        assert.ok(gradcheck(firstGrads, [x, ...params], { atol: 1e-6, rtol: 1e-5 }).ok, 'second derivatives');
      } finally {
        setBackend('js');
      }
    });
  }
  it('embedding with maxNorm: the lookup after the renormalisation (rows inside the bound, so it is inactive under the perturbation)', () => {
    const w = tensor(
      [
        [0.1, 0.2],
        [0.3, -0.1],
        [0.05, 0.4],
      ],
      { dtype: 'float64' },
    );
    const idx = tensor([2, 0, 2], { dtype: 'int32' });
    const f = (wi: Tensor): Tensor => F.embedding(idx, wi, { maxNorm: 1 });
    assert.ok(gradcheck(f, [w]).ok);
    const firstGrads = (wi: Tensor): Tensor => grad((inner: Tensor) => f(inner).square().sum(), { createGraph: true })(wi)[0];
    assert.ok(gradcheck(firstGrads, [w]).ok);
  });
});

describe('layer options: bad values are errors', () => {
  it('LSTM projSize must be in [0, hiddenSize) and the state shapes follow it', () => {
    assert.throws(() => new nn.LSTM(3, 4, { projSize: 4 }), /LSTM: projSize must be smaller than hiddenSize \(4\), got 4/);
    assert.throws(() => new nn.LSTM(3, 4, { projSize: -1 }), /LSTM: projSize must be an integer >= 0/);
    const m = new nn.LSTM(3, 4, { projSize: 2 });
    assert.deepEqual(
      m.namedParameters().map(([n, p]) => `${n} ${p.shape.join('x')}`),
      ['weight_ih_l0 16x3', 'weight_hh_l0 16x2', 'bias_ih_l0 16', 'bias_hh_l0 16', 'weight_hr_l0 2x4'],
    );
    assert.throws(
      () => m.forward(randn([5, 2, 3]), [randn([1, 2, 4]), randn([1, 2, 4])]),
      (e: unknown) => e instanceof ChainruleError && /expected h0 \[1, 2, 2\], got \[1, 2, 4\]/.test(e.message),
    );
  });
  it('maxNorm, normType and includeLastOffset are checked', () => {
    assert.throws(() => new nn.Embedding(4, 2, { maxNorm: -1 }), /Embedding: maxNorm must be a number >= 0, got -1/);
    assert.throws(() => new nn.EmbeddingBag(4, 2, { maxNorm: 1, normType: Number.NaN }), /EmbeddingBag: normType must be a number, got NaN/);
    const bag = new nn.EmbeddingBag(4, 2, { mode: 'sum', includeLastOffset: true });
    assert.throws(() => bag.forward(ids([0, 1, 2]), [0, 2]), /with includeLastOffset the last offset must be the number of indices \(3\), got \[0,2\]/);
    assert.throws(() => bag.forward(ids([0, 1, 2, 3]).reshape([2, 2])), /includeLastOffset applies to a 1-d input with offsets/);
    assert.throws(() => F.embedding(ids([0]), randn([2, 2]), { maxNorm: Number.NaN }), /embedding: maxNorm must be a number >= 0, got NaN/);
  });
});
