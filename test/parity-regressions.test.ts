// Regression tests for the numeric conventions the differential suite (test/parity.test.ts) found
// in the kernels and ops, one per fix, run on every backend in float64 and float32. Inputs are
// long enough (RUN elements) that the wasm and native kernels run, not their TypeScript fallback
// for small arrays. The expected values are PyTorch 1.13's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, type DType, F, type Tensor, getBackend, grad, listBackends, nn, setBackend, tensor } from 'chainrule';

const RUN = 300;
const FLOATS: DType[] = ['float64', 'float32'];

/** `pattern` repeated to RUN elements. */
function long(pattern: number[]): number[] {
  return Array.from({ length: RUN }, (_, i) => pattern[i % pattern.length]);
}

/** Runs `f` on every backend (restoring the active one). */
function eachBackend(f: (backend: string) => void): void {
  const prev = getBackend();
  try {
    for (const b of listBackends()) {
      setBackend(b);
      f(b);
    }
  } finally {
    setBackend(prev);
  }
}

/** NaN is NaN, infinities equal, the rest within tol (relative). */
function close(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-12): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i], want[i]];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= tol * Math.abs(e);
    assert.ok(ok, `${what}[${i}]: ${a}, PyTorch ${e}`);
  }
}

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('parity regressions: NaN and infinity conventions', () => {
  it('relu keeps NaN (and -0) and passes the gradient at NaN; a NaN upstream becomes 0 where x <= 0 (relu-nan, mask-times-nan-upstream)', () => {
    eachBackend((b) => {
      for (const dtype of FLOATS) {
        const x = tensor(long([Number.NaN, -0, 0, -1, 2]), { dtype });
        const y = values(x.relu());
        close(y.slice(0, 5), [Number.NaN, 0, 0, 0, 2], `${b} ${dtype} relu`);
        assert.ok(Object.is(y[1], -0), `${b} ${dtype}: relu(-0) is -0`);
        const up = tensor(long([1, Number.NaN, Number.NaN, Number.NaN, 3]), { dtype });
        const [g] = grad((t: Tensor) => t.relu().mul(up).sum())(x);
        close(values(g).slice(0, 5), [1, 0, 0, 0, 3], `${b} ${dtype} relu gradient`);
      }
    });
  });

  it('the relu RNN keeps a NaN pre-activation and passes its gradient, in the fused kernels too (relu-nan)', () => {
    const H = 70;
    eachBackend((b) => {
      for (const dtype of FLOATS) {
        const rnn = new nn.RNN(1, H, { nonlinearity: 'relu', bias: false }).to(dtype);
        const p = rnn as unknown as Record<string, Tensor>;
        p.weight_ih_l0 = tensor(Array.from({ length: H }, () => [1]), { dtype, requiresGrad: true });
        p.weight_hh_l0 = tensor(Array.from({ length: H }, () => new Array(H).fill(0)), { dtype, requiresGrad: true });
        const x = tensor([[[Number.NaN]], [[2]]], { dtype, requiresGrad: true });
        const [out] = rnn.forward(x);
        close(values(out), new Array(2 * H).fill(Number.NaN), `${b} ${dtype} output`);
        out.sum().backward();
        // PyTorch: [70, 70], each step's relu passing its gradient at NaN
        close(values(x.grad as Tensor), [H, H], `${b} ${dtype} input gradient`);
      }
    });
  });

  it('maximum and minimum with a NaN operand pass the whole gradient to both (maximum-nan-grad)', () => {
    eachBackend((b) => {
      for (const dtype of FLOATS) {
        const x = tensor(long([Number.NaN, 1, 2, 3]), { dtype });
        const y = tensor(long([1, Number.NaN, 2, 1]), { dtype });
        for (const [name, f, wx, wy] of [
          ['maximum', (p: Tensor, q: Tensor) => p.maximum(q), [1, 1, 0.5, 1], [1, 1, 0.5, 0]],
          ['minimum', (p: Tensor, q: Tensor) => p.minimum(q), [1, 1, 0.5, 0], [1, 1, 0.5, 1]],
        ] as const) {
          const [gx, gy] = grad((p: Tensor, q: Tensor) => f(p, q).sum())(x, y);
          close(values(gx).slice(0, 4), wx, `${b} ${dtype} ${name} dx`);
          close(values(gy).slice(0, 4), wy, `${b} ${dtype} ${name} dy`);
        }
      }
    });
  });

  it('logicalAnd and logicalOr count every nonzero as true, NaN and 0.5 included (logical-float-truthiness)', () => {
    eachBackend((b) => {
      for (const dtype of FLOATS) {
        const x = tensor(long([0.5, Number.NaN, 0, -0, 2]), { dtype });
        const y = tensor(long([1, 1, 1, 0.25, 0]), { dtype });
        assert.deepEqual(values(x.logicalAnd(y)).slice(0, 5), [1, 1, 0, 0, 0], `${b} ${dtype} and`);
        assert.deepEqual(values(x.logicalOr(y)).slice(0, 5), [1, 1, 1, 1, 1], `${b} ${dtype} or`);
        assert.equal(x.logicalAnd(y).dtype, 'bool');
      }
      assert.throws(() => tensor([1, 2]).logicalAnd(tensor([1, 2, 3])), (e: Error) => e instanceof ChainruleError && /^logicalAnd:/.test(e.message));
    });
  });
});

describe('parity regressions: dtypes and operands', () => {
  it('abs, relu, square, sign and the roundings keep int32, as PyTorch (int-unary-dtype)', () => {
    eachBackend((b) => {
      const x = tensor(long([-3, 0, 2]), { dtype: 'int32' });
      const want: Record<string, number[]> = {
        abs: [3, 0, 2],
        relu: [0, 0, 2],
        square: [9, 0, 4],
        sign: [-1, 0, 1],
        floor: [-3, 0, 2],
        ceil: [-3, 0, 2],
        trunc: [-3, 0, 2],
        round: [-3, 0, 2],
        neg: [3, 0, -2],
      };
      for (const [op, w] of Object.entries(want)) {
        const y = (x as unknown as Record<string, () => Tensor>)[op]();
        assert.equal(y.dtype, 'int32', `${b} ${op} dtype`);
        assert.deepEqual(values(y).slice(0, 3), w, `${b} ${op}`);
      }
      assert.equal(x.exp().dtype, 'float32', 'exp computes in float32');
    });
  });

  it('a 0-d tensor widens a tensor with dimensions only across categories (promotion-0d)', () => {
    const f32 = tensor([1.5, 2], { dtype: 'float32' });
    const zero64 = tensor(2, { dtype: 'float64' });
    assert.equal(f32.mul(zero64).dtype, 'float32');
    assert.equal(zero64.mul(f32).dtype, 'float32');
    assert.equal(tensor([1, 2], { dtype: 'int32' }).add(zero64).dtype, 'float64');
    assert.equal(tensor([true, false]).add(tensor(3, { dtype: 'int32' })).dtype, 'int32');
    assert.equal(tensor(1, { dtype: 'float32' }).add(zero64).dtype, 'float64');
    // the gradient of the 0-d operand comes back in its own dtype
    const [g] = grad((s: Tensor) => f32.mul(s).sum())(zero64);
    assert.equal(g.dtype, 'float64');
    close(values(g), [3.5], 'gradient of the 0-d operand');
  });

  it('NaN and infinite numbers are operands like any other (nan-number-operand)', () => {
    eachBackend((b) => {
      const x = tensor(long([1, -2]), { dtype: 'float64' });
      close(values(x.sub(Number.NaN)).slice(0, 2), [Number.NaN, Number.NaN], `${b} sub NaN`);
      close(values(x.div(Number.POSITIVE_INFINITY)).slice(0, 2), [0, -0], `${b} div inf`);
      assert.deepEqual(values(x.ge(Number.NaN)).slice(0, 2), [0, 0], `${b} ge NaN`);
    });
    assert.throws(() => tensor([1]).add('2' as unknown as number), (e: Error) => e instanceof ChainruleError && /^add: right operand must be a number, got 2$/.test(e.message));
  });

  it('sub rejects bool tensors, as PyTorch (bool-sub)', () => {
    const mask = tensor([true, false]);
    for (const f of [() => mask.sub(mask), () => mask.sub(1), () => tensor([1, 2]).sub(mask)]) {
      assert.throws(f, (e: Error) => e instanceof ChainruleError && /^sub: subtraction of a bool tensor/.test(e.message));
    }
    assert.deepEqual(mask.logicalNot().toArray(), [false, true]);
  });

  it('clamp needs a bound, takes NaN as no bound, and promotes int32 clamped by a fraction to float32 (clamp-no-bounds, clamp-int-float-bounds)', () => {
    const x = tensor([1, 2, 3], { dtype: 'float64' });
    assert.throws(() => x.clamp(), (e: Error) => e instanceof ChainruleError && /^clamp: at least one of min and max/.test(e.message));
    assert.throws(() => x.clamp(null, null), ChainruleError);
    const [g] = grad((t: Tensor) => t.clamp(Number.NaN).sum())(x);
    assert.deepEqual(x.clamp(Number.NaN).toArray(), [1, 2, 3]);
    assert.deepEqual(g.toArray(), [0, 0, 0], 'PyTorch: the gradient of a NaN-bounded clamp is 0');
    const i = tensor([1, 5], { dtype: 'int32' });
    assert.equal(i.clamp(1.5, 3.5).dtype, 'float32');
    assert.deepEqual(i.clamp(1.5, 3.5).toArray(), [1.5, 3.5]);
    assert.equal(i.clamp(2, 3).dtype, 'int32');
    assert.equal(i.clip(0.5).dtype, 'float32');
    // a NaN upstream gradient stays out of the clamped elements (PyTorch selects, it does not multiply)
    const up = tensor([Number.NaN, Number.NaN, 1], { dtype: 'float64' });
    const [gc] = grad((t: Tensor) => t.clamp(0, 2.5).mul(up).sum())(tensor([Number.NaN, 3, 2], { dtype: 'float64' }));
    close(values(gc), [0, 0, 1], 'clamp gradient');
    // F.hardtanh keeps its own convention at the bounds (0), see test/nn-parity-fixes.test.ts
    assert.deepEqual(values(grad((t: Tensor) => F.hardtanh(t).sum())(tensor([-1, 1], { dtype: 'float64' }))[0]), [0, 0]);
  });
});

describe('parity regressions: precision', () => {
  it('logSoftmax computes (x - max) - log Σ e^(x - max): exact for large logits, cross-entropy too (issue 12 bug 5, logsoftmax-precision)', () => {
    eachBackend((b) => {
      // a long row, so that the wasm and native kernels run
      const row = [-1e8, -1e8 + 0.5, -1e8 - 3];
      const x = tensor([...row, ...new Array(RUN - 3).fill(Number.NEGATIVE_INFINITY)], { dtype: 'float64' });
      close(values(x.logSoftmax(0)).slice(0, 3), [-0.9926991533322977, -0.4926991533322978, -3.992699153332298], `${b} logSoftmax`, 1e-14);
      const logits = tensor([[1e8, 1e8 + 1, 1e8 - 2]], { dtype: 'float64' });
      const target = tensor([0], { dtype: 'int32' });
      close(values(F.crossEntropy(logits, target)), [1.3490122167681864], `${b} crossEntropy`, 1e-14);
      const [g] = grad((l: Tensor) => F.crossEntropy(l, target))(logits);
      close(values(g), [-0.7405035396575809, 0.7053845126982412, 0.03511902695933973], `${b} crossEntropy gradient`, 1e-12);
      close(values(F.crossEntropy(logits, target, { labelSmoothing: 0.1 })), [1.3823455501015198], `${b} label smoothing`, 1e-14);
      const nd = tensor([[[1e8, 1e8 + 2], [1e8 + 1, 1e8 - 1], [1e8 - 2, 1e8]]], { dtype: 'float64' });
      close(values(F.crossEntropy(nd, tensor([[0, 2]], { dtype: 'int32' }), { reduction: 'none' })), [1.3490122167681864, 2.1698460195562856], `${b} N-d`, 1e-14);
      const y32 = tensor([1e4, 1e4 + 1, 1e4 - 2], { dtype: 'float32' }).logSoftmax(0);
      close(values(y32), [-1.3490121364593506, -0.349012166261673, -3.3490121364593506], `${b} float32`, 1e-6);
    });
  });
});

describe('parity regressions: pow', () => {
  const f64 = (v: number[]) => tensor(v, { dtype: 'float64' });

  it('x.pow(1) differentiates (the gradient is 1), and so does x.pow(2) twice (issue 12 bug 1, pow-one-backward)', () => {
    eachBackend((b) => {
      const [g] = grad((x: Tensor) => x.pow(1).sum())(f64([0.5, -2, 3]));
      assert.deepEqual(values(g), [1, 1, 1], b);
      const second = grad((x: Tensor) => grad((t: Tensor) => t.pow(2).sum(), { createGraph: true })(x)[0].sum());
      assert.deepEqual(values(second(f64([0.5, -2, 3]))[0]), [2, 2, 2], b);
    });
  });

  it('pow(0, 0) has gradient 0 with respect to the base, and 0^e for e >= 0 none with respect to the exponent (issue 12 bug 7, pow-zero-zero-grad)', () => {
    eachBackend((bk) => {
      const [gb, ge] = grad((b: Tensor, e: Tensor) => b.pow(e).sum())(f64([0, 0, 2]), f64([0, 1, 0]));
      assert.deepEqual(values(gb), [0, 1, 0], `${bk} base`);
      close(values(ge), [0, 0, Math.LN2], `${bk} exponent`);
    });
  });

  it("pow's constant exponents follow PyTorch's special kernels: (-inf)^0.5 is NaN, (-0)^-0.5 is -inf; 1^NaN is 1 (pow-nonfinite, pow-one-nan)", () => {
    eachBackend((b) => {
      for (const dtype of FLOATS) {
        const x = tensor(long([Number.NEGATIVE_INFINITY, -0, 4, 9]), { dtype });
        close(values(x.pow(0.5)).slice(0, 4), [Number.NaN, -0, 2, 3], `${b} ${dtype} ^0.5`);
        close(values(x.pow(-0.5)).slice(0, 4), [Number.NaN, Number.NEGATIVE_INFINITY, 0.5, 1 / 3], `${b} ${dtype} ^-0.5`, 1e-7);
        close(values(x.pow(3)).slice(0, 4), [Number.NEGATIVE_INFINITY, -0, 64, 729], `${b} ${dtype} ^3`);
        const ones = tensor(long([1, 1, -1]), { dtype });
        const e = tensor(long([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]), { dtype });
        close(values(ones.pow(e)).slice(0, 3), [1, 1, 1], `${b} ${dtype} 1^NaN`);
      }
    });
  });

  it("pow's second derivatives at a zero base are PyTorch's: NaN where its masked exponent gradient meets log 0 (pow-zero-base-grad2)", () => {
    eachBackend((bk) => {
      const [d2b, d2e] = grad((b: Tensor, e: Tensor) => grad((p: Tensor, q: Tensor) => p.pow(q).sum(), { createGraph: true })(b, e)[1].sum())(f64([0, 0.5]), f64([2, 2]));
      close(values(d2b), [Number.NaN, -0.19314718055994529], `${bk} d2/db de`);
      close(values(d2e), [Number.NaN, 0.12011325347955035], `${bk} d2/de2`);
    });
  });
});
