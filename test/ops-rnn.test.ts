// The fused recurrent op (rnnSequence) against the same layer computed step by step with
// differentiable ops (cellStep), forward and every gradient, on both backends; float64 gradcheck
// of the fused backward and of the recomputed gradient (double backward); native float32 against
// the TypeScript kernels at sizes that leave vector remainders.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Tensor, concat, getBackend, gradcheck, listBackends, manualSeed, rand, randn, setBackend, stack, tensor, where, zeros } from 'chainrule';
import { grad } from '../src/autograd/functional.js';
import { type CellKind, cellStep, rnnSequence } from '../src/ops/rnn.js';

const f64 = { dtype: 'float64' } as const;
const KINDS: CellKind[] = ['tanh', 'relu', 'gru', 'lstm'];
const GATES = { tanh: 1, relu: 1, gru: 3, lstm: 4 };

/** The layer one step at a time, packed as [out; hN; cN] (an independent, unfused reference). */
function stepwise(kind: CellKind, gx: Tensor, h0: Tensor, c0: Tensor | null, whh: Tensor, bhh: Tensor | null, mask: Tensor | null, reverse: boolean): Tensor {
  const T = gx.shape[0];
  let h = h0;
  let c = c0;
  const outs: Tensor[] = [];
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const [h2, c2] = cellStep(kind, gx.index(t), h, c, whh, bhh);
    const m = mask ? mask.index(t).unsqueeze(1) : null;
    h = m ? where(m, h2, h) : h2;
    if (c2) c = m ? where(m, c2, c as Tensor) : c2;
    outs[t] = m ? where(m, h2, 0) : h2;
  }
  return concat([stack(outs, 0), h.unsqueeze(0), ...(c ? [c.unsqueeze(0)] : [])], 0);
}

function fused(kind: CellKind, gx: Tensor, h0: Tensor, c0: Tensor | null, whh: Tensor, bhh: Tensor | null, mask: Tensor | null, reverse: boolean): Tensor {
  const r = rnnSequence(kind, gx, h0, whh, { c0, bhh, mask, reverse });
  return concat([r.out, r.hN.unsqueeze(0), ...(r.cN ? [r.cN.unsqueeze(0)] : [])], 0);
}

interface Case {
  kind: CellKind;
  T: number;
  B: number;
  H: number;
  bias: boolean;
  mask: boolean;
  reverse: boolean;
}

function inputs(c: Case, dtype: 'float32' | 'float64' = 'float64'): { args: Tensor[]; mask: Tensor | null } {
  const G = GATES[c.kind] * c.H;
  const o = { dtype } as const;
  const args = [randn([c.T, c.B, G], o), randn([c.B, c.H], o).mul(0.5)];
  if (c.kind === 'lstm') args.push(randn([c.B, c.H], o).mul(0.5));
  args.push(randn([G, c.H], o).mul(0.4));
  if (c.bias) args.push(randn([G], o).mul(0.3));
  let mask: Tensor | null = null;
  if (c.mask) {
    // lengths 0..T over the batch, as padded batches give
    const m = new Uint8Array(c.T * c.B);
    for (let b = 0; b < c.B; b++) {
      const len = (b * 2 + 1) % (c.T + 1);
      for (let t = 0; t < c.T; t++) m[t * c.B + b] = t < len ? 1 : 0;
    }
    mask = tensor(m, { dtype: 'bool', shape: [c.T, c.B] });
  }
  return { args, mask };
}

/** (gx, h0, [c0], whh, [bhh]) -> packed output, through `impl`. */
function bind(c: Case, impl: typeof fused, mask: Tensor | null) {
  return (...xs: Tensor[]): Tensor => {
    const lstm = c.kind === 'lstm';
    const [gx, h0] = xs;
    const c0 = lstm ? xs[2] : null;
    const whh = xs[lstm ? 3 : 2];
    const bhh = c.bias ? xs[lstm ? 4 : 3] : null;
    return impl(c.kind, gx, h0, c0, whh, bhh, mask, c.reverse);
  };
}

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

const CASES: Case[] = KINDS.flatMap((kind) => [
  { kind, T: 5, B: 3, H: 4, bias: true, mask: false, reverse: false },
  { kind, T: 6, B: 4, H: 3, bias: false, mask: true, reverse: true },
  { kind, T: 4, B: 5, H: 5, bias: true, mask: true, reverse: false },
]);

for (const backend of listBackends()) {
  describe(`rnnSequence on the ${backend} backend`, () => {
    const use = <T>(fn: () => T): T => {
      const prev = getBackend();
      setBackend(backend);
      try {
        return fn();
      } finally {
        setBackend(prev);
      }
    };

    for (const c of CASES) {
      const name = `${c.kind} T=${c.T} B=${c.B} H=${c.H}${c.bias ? ' bias' : ''}${c.mask ? ' mask' : ''}${c.reverse ? ' reverse' : ''}`;
      it(`${name}: outputs and all gradients equal the step-by-step layer (float64)`, () =>
        use(() => {
          manualSeed(7);
          const { args, mask } = inputs(c);
          const up = randn(fused(c.kind, args[0], args[1], c.kind === 'lstm' ? args[2] : null, args[c.kind === 'lstm' ? 3 : 2], null, mask, c.reverse).shape, f64);
          const loss = (impl: typeof fused) => (...xs: Tensor[]) => bind(c, impl, mask)(...xs).mul(up).sum();
          const yF = bind(c, fused, mask)(...args);
          const yS = bind(c, stepwise, mask)(...args);
          assert.ok(maxDiff(yF, yS) < 1e-12, `forward differs by ${maxDiff(yF, yS)}`);
          const gF = grad(loss(fused))(...args);
          const gS = grad(loss(stepwise))(...args);
          for (const [i, g] of gF.entries()) assert.ok(maxDiff(g, gS[i]) < 1e-12, `gradient ${i} differs by ${maxDiff(g, gS[i])}`);
          // and the gradients are not trivially zero
          assert.ok(gF.every((g) => g.abs().sum().item() > 1e-3));
        }));
      it(`${name}: float64 gradcheck, first and second order`, () =>
        use(() => {
          manualSeed(11);
          const small = { ...c, T: Math.min(c.T, 4), B: Math.min(c.B, 3) };
          const { args, mask } = inputs(small);
          const f = bind(small, fused, mask);
          gradcheck(f, args);
          // the gradient with respect to W_hh, itself differentiated (the recorded step-by-step path)
          const wi = c.kind === 'lstm' ? 3 : 2;
          const up = rand(f(...args).shape, f64);
          gradcheck((...xs: Tensor[]) => grad((...ys: Tensor[]) => f(...ys).mul(up).sum(), { createGraph: true })(...xs)[wi], args);
        }));
    }

    it('a masked-out sequence keeps its initial state and outputs zeros', () =>
      use(() => {
        manualSeed(3);
        const h0 = randn([2, 3], f64);
        const mask = tensor(Uint8Array.from([1, 0, 1, 0]), { dtype: 'bool', shape: [2, 2] });
        const r = rnnSequence('gru', randn([2, 2, 9], f64), h0, randn([9, 3], f64), { mask });
        assert.deepEqual(Array.from(r.hN.index(1).data), Array.from(h0.index(1).data));
        assert.deepEqual(Array.from(r.out.index(0).index(1).data), [0, 0, 0]);
        assert.deepEqual(Array.from(r.out.index(1).index(1).data), [0, 0, 0]);
        assert.notDeepEqual(Array.from(r.hN.index(0).data), Array.from(h0.index(0).data));
      }));
  });
}

describe('rnnSequence in float32', () => {
  it('native and TypeScript kernels agree at sizes with vector remainders', { skip: !listBackends().includes('native') }, () => {
    for (const kind of KINDS) {
      for (const [T, B, H] of [
        [7, 5, 13],
        [3, 70, 33],
      ]) {
        manualSeed(5);
        const c: Case = { kind, T, B, H, bias: true, mask: true, reverse: kind === 'gru' };
        const { args, mask } = inputs(c, 'float32');
        const run = (backend: string) => {
          const prev = getBackend();
          setBackend(backend);
          try {
            const xs = args.map((a) => a.detach().requiresGrad_());
            const y = bind(c, fused, mask)(...xs);
            y.mul(0.1).sum().backward();
            return [y, ...xs.map((x) => x.grad as Tensor)];
          } finally {
            setBackend(prev);
          }
        };
        const [js, nat] = [run('js'), run('native')];
        js.forEach((t, i) => {
          const d = maxDiff(t, nat[i]);
          const scale = Math.max(1, t.abs().max().item());
          assert.ok(d / scale < 2e-5, `${kind} [${T},${B},${H}] tensor ${i}: native and js differ by ${d}`);
        });
      }
    }
  });
});

describe('rnnSequence errors', () => {
  it('name the op and the shapes', () => {
    assert.throws(() => rnnSequence('gru', randn([4, 2, 9]), zeros([2, 3]), randn([12, 3])), { message: 'rnnSequence (gru): whh must be [9,3], got [12,3]' });
    assert.throws(() => rnnSequence('lstm', randn([4, 2, 9]), zeros([2, 3]), randn([12, 3])), { message: 'rnnSequence (lstm): gx must be [time,2,12], got [4,2,9]' });
    assert.throws(() => rnnSequence('tanh', randn([4, 2, 3]), zeros([2, 3], f64), randn([3, 3])), { message: 'rnnSequence (tanh): h0 is float64 but gx is float32' });
    assert.throws(() => rnnSequence('tanh', randn([4, 2, 3]), zeros([2, 3]), randn([3, 3]), { mask: zeros([2, 4], { dtype: 'bool' }) }), {
      message: 'rnnSequence (tanh): mask must be a [4,2] bool tensor, got [2,4] bool',
    });
  });
});
