// The op-table losses' API beyond the PyTorch fixtures (test/losses2.test.ts): the errors PyTorch
// raises (a ChainruleError naming the op and the shapes), the nn modules against F, and the CTC
// gradient that cannot be differentiated again (as in PyTorch).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, F, type Tensor, grad, nn, randn, tensor } from 'chainrule';

const int = (v: number[] | number[][]) => tensor(v, { dtype: 'int32' });
const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });

function throwsNaming(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ChainruleError, String(e));
    // shapes are written [2,3] (fmtShape); the expectations may write them [2, 3]
    for (const p of parts) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/, (?=\d)/g, ',').replace(/[[\]()]/g, '\\$&')) : p);
    return true;
  });
}

describe('losses: errors name the op and the shapes', () => {
  it('elementwise losses reject shapes that do not broadcast, and bad options', () => {
    throwsNaming(() => F.smoothL1Loss(randn([2, 3]), randn([4])), 'smoothL1Loss', '[2, 3]', '[4]');
    throwsNaming(() => F.huberLoss(randn([2]), randn([3])), 'huberLoss', '[2]', '[3]');
    throwsNaming(() => F.klDiv(randn([2, 3]), randn([2, 2])), 'klDiv', '[2, 3]', '[2, 2]');
    throwsNaming(() => F.poissonNllLoss(randn([5]), randn([2])), 'poissonNllLoss', '[5]', '[2]');
    throwsNaming(() => F.softMarginLoss(randn([5]), randn([2])), 'softMarginLoss', '[5]', '[2]');
    throwsNaming(() => F.multilabelSoftMarginLoss(randn([2, 3]), randn([2, 4])), 'multilabelSoftMarginLoss', '[2, 3]', '[2, 4]');
    throwsNaming(() => F.smoothL1Loss(randn([2]), randn([2]), { beta: -1 }), 'smoothL1Loss', 'beta', '-1');
    throwsNaming(() => F.huberLoss(randn([2]), randn([2]), { delta: 0 }), 'huberLoss', 'delta');
    throwsNaming(() => F.smoothL1Loss(randn([2]), randn([2]), { reduction: 'avg' as 'mean' }), 'smoothL1Loss', 'reduction', 'avg');
    throwsNaming(() => F.klDiv(randn([2]), randn([2]), { reduction: 'batch' as 'mean' }), 'klDiv', "'batchmean'");
    throwsNaming(() => F.smoothL1Loss(int([1, 2]), randn([2])), 'smoothL1Loss', 'float', 'int32');
  });

  it('ranking losses need inputs of one rank (PyTorch) that broadcast', () => {
    throwsNaming(() => F.marginRankingLoss(randn([2, 3]), randn([3]), randn([3])), 'marginRankingLoss', 'x1 [2, 3]', 'x2 [3]', 'target [3]');
    throwsNaming(() => F.marginRankingLoss(randn([2]), randn([3]), randn([3])), 'marginRankingLoss', 'broadcast');
    throwsNaming(() => F.tripletMarginLoss(randn([2, 3]), randn([3]), randn([3])), 'tripletMarginLoss', 'anchor [2, 3]', 'positive [3]');
    throwsNaming(() => F.tripletMarginLoss(randn([2, 3]), randn([2, 3]), randn([2, 3]), { p: -1 }), 'tripletMarginLoss', 'p');
    throwsNaming(() => F.tripletMarginWithDistanceLoss(randn([2, 3]), randn([2, 4]), randn([2, 3])), 'tripletMarginWithDistanceLoss', 'anchor and positive', '[2, 3]', '[2, 4]');
    throwsNaming(() => F.tripletMarginWithDistanceLoss(randn([2, 3]), randn([2, 3]), randn([2, 3]), { distanceFunction: () => 3 as unknown as Tensor }), 'tripletMarginWithDistanceLoss', 'must return a Tensor');
  });

  it('cosineEmbeddingLoss needs [N, D] inputs for a [N] target, [D] for a scalar', () => {
    throwsNaming(() => F.cosineEmbeddingLoss(randn([2, 3]), randn([3]), int([1, -1])), 'cosineEmbeddingLoss', 'x1 [2, 3]', 'x2 [3]');
    throwsNaming(() => F.cosineEmbeddingLoss(randn([2, 3]), randn([2, 3]), int([[1, -1]])), 'cosineEmbeddingLoss', 'target', '[1, 2]');
    throwsNaming(() => F.cosineEmbeddingLoss(randn([2, 3]), randn([2, 3]), int([1, -1, 1])), 'cosineEmbeddingLoss', 'target [3]');
  });

  it('gaussianNllLoss checks var: its shape and its sign', () => {
    throwsNaming(() => F.gaussianNllLoss(randn([2, 3]), randn([2, 3]), randn([3]).abs()), 'gaussianNllLoss', 'var [3]', '[2, 3]');
    throwsNaming(() => F.gaussianNllLoss(randn([2, 3]), randn([2, 3]), f64([[1, 1, 1], [1, -0.5, 1]])), 'gaussianNllLoss', 'negative', '-0.5');
  });

  it('multilabelMarginLoss checks its target lists', () => {
    throwsNaming(() => F.multilabelMarginLoss(randn([2, 3]), int([[0, 5, -1], [1, -1, 0]])), 'multilabelMarginLoss', 'target 5', '3 classes');
    throwsNaming(() => F.multilabelMarginLoss(randn([2, 3]), int([[0, -2, -1], [1, -1, 0]])), 'multilabelMarginLoss', 'target -2');
    throwsNaming(() => F.multilabelMarginLoss(randn([2, 3]), int([0, 1, -1])), 'multilabelMarginLoss', 'target [3]', '[2, 3]');
    throwsNaming(() => F.multilabelMarginLoss(randn([2, 3]), f64([[0, 1, -1], [1, -1, 0]])), 'multilabelMarginLoss', 'int32');
    throwsNaming(() => F.multilabelMarginLoss(randn([2, 3, 4]), int([0])), 'multilabelMarginLoss', '[2, 3, 4]');
    // entries after the first -1 are never read, as in PyTorch
    assert.equal(F.multilabelMarginLoss(f64([[0.1, 0.2, 0.4, 0.8]]), int([[3, 0, -1, 7]])).item(), F.multilabelMarginLoss(f64([[0.1, 0.2, 0.4, 0.8]]), int([[3, 0, -1, 1]])).item());
  });

  it('ctcLoss checks lengths, labels and shapes', () => {
    const lp = randn([5, 2, 4]).logSoftmax(2);
    throwsNaming(() => F.ctcLoss(lp, int([[1, 2], [1, 1]]), [6, 3], [2, 2]), 'ctcLoss', 'input length 6', '[5, 2, 4]');
    throwsNaming(() => F.ctcLoss(lp, int([[1, 2], [1, 1]]), [5, 3], [3, 2]), 'ctcLoss', 'target length 3', '[2, 2]');
    throwsNaming(() => F.ctcLoss(lp, int([[1, 2], [1, 4]]), [5, 3], [2, 2]), 'ctcLoss', 'label 4', '4 classes');
    throwsNaming(() => F.ctcLoss(lp, int([[1, 2], [1, 1]]), [5], [2, 2]), 'ctcLoss', 'inputLengths', '2 non-negative');
    throwsNaming(() => F.ctcLoss(lp, int([[1, 2], [1, 1]]), [5, 3], [2, 2], { blank: 4 }), 'ctcLoss', 'blank', '0..3');
    throwsNaming(() => F.ctcLoss(randn([5, 2, 4, 1]), int([[1, 2]]), [5, 3], [2, 2]), 'ctcLoss', '[5, 2, 4, 1]');
    throwsNaming(() => F.ctcLoss(lp, f64([[1, 2], [1, 1]]), [5, 3], [2, 2]), 'ctcLoss', 'targets', 'float64');
    throwsNaming(() => F.ctcLoss(lp, int([[1, 2]]), [5, 3], [2, 2]), 'ctcLoss', '[1, 2]', 'one row per sample');
  });
});

describe('ctcLoss', () => {
  it('its gradient is not differentiable again, as in PyTorch', () => {
    const x = randn([4, 1, 3], { dtype: 'float64' });
    const first = grad((v: Tensor) => F.ctcLoss(v.logSoftmax(2), int([[1, 2]]), [4], [2]), { createGraph: true })(x)[0];
    assert.ok(first.requiresGrad);
    throwsNaming(() => first.sum().backward(), 'ctcLoss', 'not differentiable');
  });

  it('takes lengths as int tensors or lists, and targets padded or concatenated', () => {
    const lp = randn([6, 2, 4], { dtype: 'float64' }).logSoftmax(2);
    const a = F.ctcLoss(lp, int([[1, 2, 0], [3, 3, 1]]), int([6, 5]), int([2, 3]), { reduction: 'none' });
    const b = F.ctcLoss(lp, int([1, 2, 3, 3, 1]), [6, 5], [2, 3], { reduction: 'none' });
    assert.deepEqual(a.toArray(), b.toArray());
  });
});

describe('the documented deviations (where PyTorch 1.13 returns uninitialised memory or reads out of bounds)', () => {
  it('multilabelMarginLoss: an empty batch sums to 0 and averages to NaN; a [C] input with reduction none gives its loss', () => {
    const empty = randn([0, 3], { dtype: 'float64' });
    const none = tensor(new Int32Array(0), { shape: [0, 3] });
    assert.equal(F.multilabelMarginLoss(empty, none, { reduction: 'sum' }).item(), 0);
    assert.ok(Number.isNaN(F.multilabelMarginLoss(empty, none).item()));
    const x = f64([0, 0.5, 1, 2]);
    const one = F.multilabelMarginLoss(x, int([3, 0, -1, 1]), { reduction: 'none' });
    assert.deepEqual(one.shape, []);
    assert.equal(one.item(), 0.875);
  });

  it('ctcLoss: an empty input gives ∞ for a non-empty target (0 with zeroInfinity) and 0 for an empty one', () => {
    const lp = randn([3, 2, 3], { dtype: 'float64' }).logSoftmax(2);
    const y = int([[1, 2], [1, 2]]);
    assert.deepEqual(F.ctcLoss(lp, y, [0, 0], [2, 0], { reduction: 'none' }).toArray(), [Number.POSITIVE_INFINITY, 0]);
    assert.deepEqual(F.ctcLoss(lp, y, [0, 0], [2, 0], { reduction: 'none', zeroInfinity: true }).toArray(), [0, 0]);
  });
});

describe('loss modules apply their F function with their options', () => {
  it('every new module equals F', () => {
    const x = randn([3, 4], { dtype: 'float64' });
    const y = randn([3, 4], { dtype: 'float64' });
    const s = f64([1, -1, 1]);
    const same = (a: Tensor, b: Tensor) => assert.deepEqual(a.toArray(), b.toArray());
    same(new nn.SmoothL1Loss({ beta: 0.3 }).forward(x, y), F.smoothL1Loss(x, y, { beta: 0.3 }));
    same(new nn.HuberLoss({ delta: 0.3, reduction: 'sum' }).forward(x, y), F.huberLoss(x, y, { delta: 0.3, reduction: 'sum' }));
    same(new nn.KLDivLoss({ reduction: 'batchmean', logTarget: true }).forward(x, y), F.klDiv(x, y, { reduction: 'batchmean', logTarget: true }));
    same(new nn.MarginRankingLoss({ margin: 0.2 }).forward(x.sum(1), y.sum(1), s), F.marginRankingLoss(x.sum(1), y.sum(1), s, { margin: 0.2 }));
    same(new nn.TripletMarginLoss({ swap: true, p: 1 }).forward(x, y, y.flip([0])), F.tripletMarginLoss(x, y, y.flip([0]), { swap: true, p: 1 }));
    const l1 = (a: Tensor, b: Tensor) => a.sub(b).abs().sum(-1);
    same(new nn.TripletMarginWithDistanceLoss({ distanceFunction: l1, swap: true }).forward(x, y, y.flip([0])), F.tripletMarginWithDistanceLoss(x, y, y.flip([0]), { distanceFunction: l1, swap: true }));
    // the default distance is pairwiseDistance, in PyTorch's order (d(a, p) - d(a, n)) + margin
    same(new nn.TripletMarginWithDistanceLoss().forward(x, y, y.flip([0])), F.pairwiseDistance(x, y).sub(F.pairwiseDistance(x, y.flip([0]))).add(1).clamp(0).mean());
    same(new nn.CosineEmbeddingLoss({ margin: 0.1 }).forward(x, y, s), F.cosineEmbeddingLoss(x, y, s, { margin: 0.1 }));
    same(new nn.PoissonNLLLoss({ full: true }).forward(x, y.abs()), F.poissonNllLoss(x, y.abs(), { full: true }));
    same(new nn.GaussianNLLLoss({ full: true }).forward(x, y, y.abs()), F.gaussianNllLoss(x, y, y.abs(), { full: true }));
    same(new nn.SoftMarginLoss({ reduction: 'none' }).forward(x, y.sign()), F.softMarginLoss(x, y.sign(), { reduction: 'none' }));
    const t = int([[1, -1, 0, 0], [3, 2, -1, 0], [0, 1, 2, 3]]);
    same(new nn.MultiLabelMarginLoss({ reduction: 'none' }).forward(x, t), F.multilabelMarginLoss(x, t, { reduction: 'none' }));
    same(new nn.MultiLabelSoftMarginLoss({ weight: y.abs().sum(0) }).forward(x, y.sigmoid()), F.multilabelSoftMarginLoss(x, y.sigmoid(), { weight: y.abs().sum(0) }));
    const lp = randn([5, 2, 3], { dtype: 'float64' }).logSoftmax(2);
    same(new nn.CTCLoss({ blank: 2, zeroInfinity: true }).forward(lp, int([[0, 1], [1, 1]]), [5, 5], [2, 2]), F.ctcLoss(lp, int([[0, 1], [1, 1]]), [5, 5], [2, 2], { blank: 2, zeroInfinity: true }));
  });
});
