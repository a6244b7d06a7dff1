// Regression tests for the nn bugs the differential suite (test/parity.test.ts) found, one per
// fix; the expected numbers are PyTorch 1.13's unless a test says otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, F, type NestedArray, type Tensor, grad, nn, tensor } from 'chainrule';

const f64 = (v: NestedArray) => tensor(v, { dtype: 'float64' });
const i32 = (v: NestedArray) => tensor(v, { dtype: 'int32' });

/** Every element within a relative tolerance (zeros exactly); NaN must be NaN, infinities equal. */
function close(got: ArrayLike<number>, want: number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i], want[i]];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= tol * Math.abs(e);
    assert.ok(ok, `${what}[${i}]: ${a}, PyTorch ${e}`);
  }
}

describe('nn fixes found by the parity suite', () => {
  it('F.embedding counts a negative paddingIdx from the end (issue 12 bug 6): the last row gets no gradient', () => {
    const [g] = grad((w: Tensor) => F.embedding(i32([0, 2, 2, 1]), w, -1).sum())(f64([[1, 2], [3, 4], [5, 6]]));
    assert.deepEqual(g.toArray(), [[1, 1], [1, 1], [0, 0]]);
    assert.throws(() => F.embedding(i32([0]), f64([[1], [2]]), -3), ChainruleError);
  });

  it("F.embeddingBag 'max' of empty bags returns zeros that require grad, so backward runs (issue 12 bug 4)", () => {
    const w = f64([[1, 2], [3, 4]]).requiresGrad_();
    const out = F.embeddingBag(i32([]), w, { offsets: [0, 0], mode: 'max' });
    assert.deepEqual(out.toArray(), [[0, 0], [0, 0]]);
    assert.equal(out.requiresGrad, true);
    out.sum().backward();
    assert.deepEqual(w.grad?.toArray(), [[0, 0], [0, 0]]);
  });

  it('F.embeddingBag keeps a NaN per-sample weight inside its own bag', () => {
    const out = F.embeddingBag(i32([0, 1, 2]), f64([[1, 2], [3, 4], [5, 6]]), { offsets: [0, 1], mode: 'sum', perSampleWeights: f64([0.5, Number.NaN, 2]) });
    close(out.dataSync(), [0.5, 1, Number.NaN, Number.NaN], 0, 'bags');
  });

  it('F.logSigmoid uses log1p: float32 at 12, 16 and 20 (issue 12 bug 9)', () => {
    const y = F.logSigmoid(tensor([12, 16, 20], { dtype: 'float32' }));
    close(y.dataSync(), [-6.144193321233615e-6, -1.1253516873921399e-7, -2.06115369216775e-9], 1e-6, 'logSigmoid');
    const [g] = grad((x: Tensor) => F.softplusNeg(x).sum())(f64([40]));
    close(g.dataSync(), [-4.248354255291589e-18], 1e-12, 'softplusNeg gradient');
  });

  it('bceWithLogitsLoss adds (1-t)·x to relu(-x) before the log1p tail, so the tail keeps its digits in float32', () => {
    // the exact value log1p(e^-17.09) (PyTorch 1.13 itself uses log without log1p here)
    const l = F.bceWithLogitsLoss(tensor([-17.09], { dtype: 'float32' }), tensor([0], { dtype: 'float32' }));
    close(l.dataSync(), [Math.log1p(Math.exp(-17.09))], 1e-6, 'loss');
  });

  it('F.hardtanh has gradient 0 at its bounds, as PyTorch (issue 12)', () => {
    const [g] = grad((x: Tensor) => F.hardtanh(x).sum())(f64([-1, 1, 0.5, Number.NaN, -2]));
    assert.deepEqual(Array.from(g.dataSync()), [0, 0, 1, 1, 0]);
  });

  it('hingeEmbeddingLoss at x = margin with t = -1 has gradient -1 (issue 12)', () => {
    const [g] = grad((x: Tensor) => F.hingeEmbeddingLoss(x, f64([-1, -1, 1]), { reduction: 'sum' }))(f64([1, 0.4, 2]));
    assert.deepEqual(Array.from(g.dataSync()), [-1, -1, 1]);
  });

  it("bceLoss's gradient with respect to the target is ±inf at inputs 0 and 1 (issue 12)", () => {
    const [, gt] = grad((o: Tensor, t: Tensor) => F.bceLoss(o, t, { reduction: 'sum' }))(f64([0, 1, 0.25]), f64([0.5, 0.5, 0.5]));
    close(gt.dataSync(), [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.0986122886681096], 1e-12, 'target gradient');
  });

  it('crossEntropy with every target ignored: NaN loss and zero gradient (issue 12); an ignored row with inf logits is never read', () => {
    const x = f64([[0.2, 0.5, -1], [0.5, 0.1, 2]]);
    const [v, [g]] = [F.crossEntropy(x, i32([-100, -100])), grad((l: Tensor) => F.crossEntropy(l, i32([-100, -100])))(x)];
    assert.ok(Number.isNaN(v.item()));
    assert.deepEqual(g.toArray(), [[0, 0, 0], [0, 0, 0]]);
    const [gs] = grad((l: Tensor) => F.nllLoss(l, i32([1, 1]), { ignoreIndex: 1 }))(x);
    assert.deepEqual(gs.toArray(), [[0, 0, 0], [0, 0, 0]]);
    const inf = f64([[0.2, Number.POSITIVE_INFINITY, -1], [0.5, 0.1, 2]]);
    close([F.crossEntropy(inf, i32([-100, 2])).item()], [0.31677871405752833], 1e-12, 'loss');
    const [gi] = grad((l: Tensor) => F.crossEntropy(l, i32([-100, 2])))(inf);
    close(gi.dataSync(), [Number.NaN, Number.NaN, Number.NaN, 0.16254852375600004, 0.10895953392714718, -0.2715080576831471], 1e-12, 'gradient');
  });

  it("multiMarginLoss adds in PyTorch's order, (margin - x_y) + x_j, and drops NaN terms as its z > 0 test does", () => {
    close(F.multiMarginLoss(f64([[0.1, 0.2, 0.4, 0.8], [1e30, 1e30, 1e30, 1e30]]), i32([3, 0]), { reduction: 'none' }).dataSync(), [0.325, 0], 1e-12, 'order');
    close(F.multiMarginLoss(f64([[0.1, Number.NaN, 0.4]]), i32([2]), { reduction: 'none' }).dataSync(), [0.2333333333333333], 1e-12, 'NaN');
  });

  it('an RNN never reads the steps past a sequence length: NaN there stays out of the gradients', () => {
    const rnn = new nn.GRU(2, 3);
    const x = f64([[[0.5, -1]], [[Number.NaN, 2]]]).requiresGrad_();
    rnn.to('float64');
    const [out] = rnn.forward(x, undefined, { lengths: [1] });
    out.sum().backward();
    for (const [name, p] of rnn.namedParameters()) assert.ok(Array.from((p.grad as Tensor).dataSync()).every(Number.isFinite), `${name} gradient`);
    assert.deepEqual(Array.from((x.grad as Tensor).dataSync()).slice(2), [0, 0]);
  });

  it('the functional cells and BatchNorm1d name themselves in their errors', () => {
    const w = f64([[1, 2]]);
    for (const [name, run] of [
      ['rnnCell', () => F.rnnCell(f64([[1, 2, 3]]), f64([[0]]), w, f64([[1]]))],
      ['gruCell', () => F.gruCell(f64([[1]]), f64([[0]]), f64([[1], [2], [3]]), f64([[1], [2]]))],
      ['lstmCell', () => F.lstmCell(f64([[1, 2, 3]]), [f64([[0]]), f64([[0]])], f64([[1, 2], [3, 4], [5, 6], [7, 8]]), f64([[1], [2], [3], [4]]))],
      ['BatchNorm1d', () => new nn.BatchNorm1d(2).forward(f64([[1, 2]]))],
    ] as const) {
      assert.throws(run, (e: unknown) => e instanceof ChainruleError && e.message.includes(name), name);
    }
  });

  it('adaptive pools return an empty result for outputSize 0; avgPool1d rejects padding over half the kernel', () => {
    assert.deepEqual(F.adaptiveAvgPool1d(f64([[[1, 2, 3]]]), 0).shape, [1, 1, 0]);
    assert.deepEqual(F.adaptiveMaxPool1d(f64([[1, 2, 3]]), 0).shape, [1, 0]);
    assert.throws(() => F.avgPool1d(f64([[[1, 2, 3]]]), 2, { padding: 2 }), /avgPool1d: padding 2/);
  });
});
