// Regression tests for the shape, error, reduction and nn causes of the differential suite (issue
// 12, phase 2): one test per bug of the list (2, 3, 4, 6, 8) and per cause fixed, on every
// backend. Expected numbers are PyTorch 1.13's (CPU, float64 unless a test says otherwise).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, F, type NestedArray, type Tensor, arange, concat, getBackend, grad, listBackends, manualSeed, nn, randn, setBackend, tensor, zeros } from 'chainrule';

const f64 = (v: NestedArray) => tensor(v, { dtype: 'float64' });
const f32 = (v: NestedArray) => tensor(v, { dtype: 'float32' });
const i32 = (v: NestedArray) => tensor(v, { dtype: 'int32' });
const NAN = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** Every element within a relative tolerance (tol 0: exactly); NAN must be NAN, infinities equal. */
function close(got: Tensor | ArrayLike<number>, want: number[], tol: number, what: string): void {
  const a = 'dataSync' in got ? got.dataSync() : got;
  assert.equal(a.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const e = want[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a[i]) : !Number.isFinite(e) ? a[i] === e : Math.abs(a[i] - e) <= tol * Math.abs(e);
    assert.ok(ok, `${what}[${i}]: ${a[i]}, PyTorch ${e}`);
  }
}

/** The call throws a ChainruleError whose message names the op and contains each of `parts`. */
function throwsNaming(fn: () => unknown, op: string, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ChainruleError, `a ChainruleError, got ${e}`);
    assert.ok(e.message.startsWith(`${op}:`), `names ${op}: ${e.message}`);
    for (const p of parts) assert.ok(e.message.includes(p), `mentions ${p}: ${e.message}`);
    return true;
  });
}

for (const backend of listBackends()) {
  describe(`parity regressions (shapes, errors, reductions, nn) on the ${backend} backend`, () => {
    const on = (name: string, fn: () => void) =>
      it(name, () => {
        const prev = getBackend();
        setBackend(backend);
        try {
          fn();
        } finally {
          setBackend(prev);
        }
      });

    on('issue 12 bug 2: logsumexp over a size-0 dim is -inf (and its gradient is empty)', () => {
      close(zeros([2, 0], { dtype: 'float64' }).logsumexp(1), [-INF, -INF], 0, 'logsumexp');
      assert.deepEqual(zeros([0, 3]).logsumexp(0, { keepdim: true }).shape, [1, 3]);
      const [g] = grad((x: Tensor) => x.logsumexp(1).sum())(zeros([2, 0], { dtype: 'float64' }));
      assert.deepEqual(g.shape, [2, 0]);
    });

    on('issue 12 bug 3: split and chunk of a size-0 dim give one piece and `chunks` pieces; split by 0 only there', () => {
      const x = zeros([0, 3]);
      assert.deepEqual(
        x.split(2, 0).map((p) => p.shape),
        [[0, 3]],
      );
      assert.deepEqual(
        x.chunk(3, 0).map((p) => p.shape),
        [
          [0, 3],
          [0, 3],
          [0, 3],
        ],
      );
      assert.deepEqual(
        x.split(0, 0).map((p) => p.shape),
        [[0, 3]],
      );
      assert.deepEqual(
        x.split([0, 0], 0).map((p) => p.shape),
        [
          [0, 3],
          [0, 3],
        ],
      );
      throwsNaming(() => zeros([2, 3]).split(0, 0), 'split', 'size 2', '[2,3]');
      throwsNaming(() => zeros([2, 3]).split([3, -1], 0), 'split', '[2,3]');
    });

    on("issue 12 bug 4: embeddingBag 'max' of empty bags gives zeros that require grad (gradient 0)", () => {
      const w = f64([
        [1, 2],
        [3, 4],
      ]).requiresGrad_();
      const out = F.embeddingBag(i32([]), w, { offsets: [0, 0], mode: 'max' });
      close(out, [0, 0, 0, 0], 0, 'bags');
      assert.equal(out.requiresGrad, true);
      out.sum().backward();
      close(w.grad as Tensor, [0, 0, 0, 0], 0, 'gradient');
    });

    on('issue 12 bug 6: F.embedding with paddingIdx -1 sends no gradient to the last row', () => {
      const [g] = grad((w: Tensor) => F.embedding(i32([0, 2, 2, 1]), w, -1).sum())(
        f64([
          [1, 2],
          [3, 4],
          [5, 6],
        ]),
      );
      close(g, [1, 1, 1, 1, 0, 0], 0, 'gradient');
    });

    on("issue 12 bug 8: std of equal values has gradient 0, and its value is PyTorch's to the bit", () => {
      const [g] = grad((x: Tensor) => x.std())(f64([7, 7, 7]));
      close(g, [0, 0, 0], 0, 'std([7, 7, 7]) gradient');
      // PyTorch's full reduction: two passes around its (cascade-summed) mean, exactly 0 here ...
      close(f64(Array(5).fill(3.3)).std(), [0], 0, 'std of five 3.3');
      const [g25] = grad((x: Tensor) => x.std([0, 1]))(f64(Array.from({ length: 5 }, () => Array(5).fill(0.1))));
      close(g25, Array(25).fill(0), 0, 'std of 25 x 0.1, gradient');
      // ... and the same rounding residue where its mean is not exact
      close(f64([-5.9, -5.9, -5.9]).std(), [1.0877919644084146e-15], 0, 'std of three -5.9');
      const [gr] = grad((x: Tensor) => x.std())(f64([-5.9, -5.9, -5.9]));
      close(gr, [0.4082482904638631, 0.4082482904638631, 0.4082482904638631], 1e-12, 'its gradient');
      const [gv] = grad((x: Tensor) => x.var())(f64([-5.9, -5.9, -5.9]));
      close(gv, Array(3).fill(8.881784197001252e-16), 0, 'var gradient');
      // over a dim: Welford's algorithm, exactly 0; the gradient subtracts PyTorch's mean
      const rows = f64([Array(6).fill(3.7), Array(6).fill(-5.9)]);
      close(rows.var(1), [0, 0], 0, 'var over dim 1');
      const [gd] = grad((x: Tensor) => x.var(1).sum())(rows);
      close(gd, [...Array(6).fill(1.7763568394002506e-16), ...Array(6).fill(-3.552713678800501e-16)], 0, 'var over dim 1, gradient');
    });

    on('var/std: float32 std stays finite where its variance overflows; a 0-d input reduced over its dim', () => {
      const x = f32([[-1.5964831113815308, -1.5964831113815308, 1.0000000150474662e30]]);
      close(x.std([0, -1], { correction: 0 }), [4.71404529533751e29], 1e-6, 'float32 std');
      close(x.var([0, -1], { correction: 0 }), [INF], 0, 'float32 var');
      const [g] = grad((t: Tensor) => t.std([0, -1], { correction: 0 }))(x);
      close(g, [-0.2357022613286972, -0.2357022613286972, 0.4714045226573944], 1e-6, 'float32 std gradient');
      const [g0] = grad((t: Tensor) => t.var(0).mul(-2))(f64(0.371));
      close(g0, [-INF], 0, 'var of a 0-d tensor over dim 0, gradient');
      close(f64(0.371).var(0), [NAN], 0, 'its value');
      close(f64(3.5).mean(0), [3.5], 0, 'mean of a 0-d tensor over dim 0');
      close(f64(3.5).sum([-1]), [3.5], 0, 'sum of a 0-d tensor over dim -1');
    });

    on('reductions reject a repeated dim; argmax over a non-empty dim of an empty tensor is empty', () => {
      throwsNaming(() => zeros([2, 3]).sum([1, 1]), 'sum', 'dim 1', '[2,3]');
      throwsNaming(() => zeros([2, 3]).mean([1, -1]), 'mean', 'dim 1');
      throwsNaming(() => zeros([2, 3]).logsumexp([0, -2]), 'logsumexp', 'dim 0');
      throwsNaming(() => zeros([2, 3]).std([0, 0]), 'std', 'dim 0');
      throwsNaming(() => zeros([2, 3]).max([1, 1]), 'max', 'dim 1');
      throwsNaming(() => tensor(1).sum([0, -1]), 'sum', 'dim 0');
      assert.deepEqual(zeros([2, 0, 3]).argmax(2).shape, [2, 0]);
      assert.deepEqual(zeros([2, 0, 3]).argmin(2, { keepdim: true }).shape, [2, 0, 1]);
      throwsNaming(() => zeros([0, 3]).argmax(0), 'argmax', '[0,3]');
      throwsNaming(() => zeros([0, 3]).argmin(), 'argmin', '[0,3]');
    });

    on('shape ops check what PyTorch checks, and the errors name the op the user called', () => {
      throwsNaming(() => zeros([3]).transpose(0, 1), 'transpose', 'dim 1');
      assert.deepEqual(zeros([3]).transpose(0, -1).shape, [3]);
      throwsNaming(() => tensor(1).flatten(0, 1), 'flatten', 'dim 1');
      assert.deepEqual(tensor(1).flatten().shape, [1]);
      throwsNaming(() => zeros([3]).expand([-1, 3]), 'expand', '[-1,3]');
      assert.deepEqual(zeros([1, 3]).expand([2, -1, 3]).shape, [2, 1, 3]);
      throwsNaming(() => arange(5, 0, 1), 'arange', 'step 1');
      throwsNaming(() => arange(0, 2, -0.5), 'arange');
      assert.deepEqual(arange(2, 2).shape, [0]);
      // PyTorch's legacy rule: a 1-d empty tensor joins tensors of any shape
      const [e, m] = [zeros([0], { dtype: 'float64' }), f64([[1, 2, 3]])];
      assert.deepEqual(concat([m, e, m], 1).shape, [1, 6]);
      const [ge, gm] = grad((a: Tensor, b: Tensor) => concat([b, a, b], 1).sum())(e, m);
      assert.deepEqual([ge.shape, Array.from(gm.dataSync())], [[0], [2, 2, 2]]);
      throwsNaming(() => concat([e, m], 2), 'concat', 'dim 2');
      throwsNaming(() => zeros([4]).dot(zeros([5])), 'dot', '[4]', '[5]');
      throwsNaming(() => zeros([2, 1]).logicalAnd(zeros([3, 2])), 'logicalAnd', '[2,1]', '[3,2]');
      throwsNaming(() => zeros([3]).logicalOr(zeros([5])), 'logicalOr', '[3]', '[5]');
    });

    on('mseLoss, l1Loss and sse broadcast input and target, as PyTorch', () => {
      const loss = (a: Tensor, b: Tensor) => F.mseLoss(a, b);
      const [a, b] = [f64([[1], [2]]), f64([1, 3, -1])];
      close(loss(a, b), [3.1666666666666665], 1e-12, 'mseLoss');
      const [ga, gb] = grad(loss)(a, b);
      close(ga, [0, 1], 1e-12, 'input gradient');
      close(gb, [-0.3333333333333333, 1, -1.6666666666666665], 1e-12, 'target gradient');
      const l1 = (x: Tensor, t: Tensor) => F.l1Loss(x, t, { reduction: 'sum' });
      const [x, t] = [
        f64([0.5]),
        f64([
          [1, -2],
          [3, 0.5],
        ]),
      ];
      close(l1(x, t), [5.5], 1e-12, 'l1Loss');
      close(grad(l1)(x, t)[0], [-1], 0, 'l1Loss input gradient');
      close(F.sse(f64([1, 2]), f64([[1, 4]])), [2], 0, 'sse');
      throwsNaming(() => F.mseLoss(zeros([3, 2]), zeros([3])), 'mseLoss', '[3, 2]', '[3]');
    });

    on('hingeEmbeddingLoss takes any target, as PyTorch: both terms where it is neither 1 nor -1', () => {
      const loss = (x: Tensor) => F.hingeEmbeddingLoss(x, f64([0.5, 1, -1, 0]), { reduction: 'none' });
      const x = f64([0.25, 2, 0.5, 3]);
      close(loss(x), [1, 2, 0.5, 3], 1e-12, 'loss');
      close(grad((v: Tensor) => loss(v).sum())(x)[0], [0, 1, -1, 1], 0, 'gradient');
    });

    on('max pooling sends the gradient to the element PyTorch picks: the first of tied maxima, the last NaN', () => {
      const mp = (x: Tensor) => F.maxPool1d(x, 3, { stride: 2, padding: 1 });
      const x = f64([[[2, 2, 1, 2, NAN, 0, NAN, 5]]]);
      close(mp(x), [2, 2, NAN, NAN], 0, 'maxPool1d');
      close(grad((v: Tensor) => mp(v).sum())(x)[0], [1, 1, 0, 0, 1, 0, 1, 0], 0, 'maxPool1d gradient');
      // dilation 2 and ceil mode: windows stop at the input's end; -inf is a value like any other
      const md = (v: Tensor) => F.maxPool1d(v, 2, { stride: 2, padding: 1, dilation: 2, ceilMode: true });
      const y = f64([[[1, 3, 3, -INF, -INF, 2, 2]]]);
      close(md(y), [3, 3, 2, 2], 0, 'dilated maxPool1d');
      close(grad((v: Tensor) => md(v).sum().mul(2))(y)[0], [0, 4, 0, 0, 0, 4, 0], 0, 'dilated maxPool1d gradient');
      const amp = (v: Tensor) => F.adaptiveMaxPool1d(v, 3);
      const z = f64([[[4, 4, 4, 1, NAN, 2, NAN]]]);
      close(amp(z), [4, NAN, NAN], 0, 'adaptiveMaxPool1d');
      close(grad((v: Tensor) => amp(v).sum())(z)[0], [1, 0, 0, 0, 1, 0, 1], 0, 'adaptiveMaxPool1d gradient');
      // a long input (past the native backend's small-array cutoff): every window ties, its first element wins
      const long = zeros([2, 3, 90], { dtype: 'float64' });
      const [gl] = grad((v: Tensor) => F.maxPool1d(v, 3).sum())(long);
      close(gl, Array.from({ length: 540 }, (_, i) => (i % 3 === 0 ? 1 : 0)), 0, 'tied windows');
      // second order: for h = Σ v·∇Σ mp(x)², dh/dx = 2·(v gathered at the picks) scattered back
      const v = f64([[[1, 2, 3, 4, 5, 6, 7, 8]]]);
      const h = (u: Tensor) => grad((w: Tensor) => mp(w).square().sum(), { createGraph: true })(u)[0].mul(v).sum();
      close(grad(h)(f64([[[1, 5, 2, 5, 3, 0, 4, 4]]]))[0], [0, 8, 0, 8, 0, 0, 14, 0], 0, 'second order');
    });

    on("embeddingBag 'max' picks as PyTorch: the first entry of a bag, then strictly greater ones (NaN only first)", () => {
      const w = f64([
        [1, 2],
        [1, 5],
        [NAN, 3],
        [0, NAN],
      ]);
      const up = f64([
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8],
      ]);
      const bag = (v: Tensor, paddingIdx?: number) => F.embeddingBag(i32([0, 1, 2, 2, 3, 1, 3, 0]), v, { offsets: [0, 3, 3, 6], mode: 'max', paddingIdx });
      close(bag(w), [1, 5, 0, 0, NAN, 5, 1, NAN], 0, 'bags');
      close(grad((v: Tensor) => bag(v).mul(up).sum())(w)[0], [8, 0, 0, 8, 5, 0, 0, 8], 0, 'gradient');
      close(bag(w, 3), [1, 5, 0, 0, NAN, 5, 1, 2], 0, 'bags without index 3');
      close(grad((v: Tensor) => bag(v, 3).mul(up).sum())(w)[0], [8, 8, 0, 8, 5, 0, 0, 0], 0, 'gradient without index 3');
    });

    on("bceLoss's second derivatives are PyTorch's formulas (1e-12 in the denominators, no clamp for the input)", () => {
      const loss = (o: Tensor, t: Tensor) => F.bceLoss(o, t, { reduction: 'sum' });
      const [v1, v2] = [f64([1, -0.5, 2]), f64([0.5, 1.5, -1])];
      const h = (o: Tensor, t: Tensor) => {
        const [go, gt] = grad(loss, { createGraph: true })(o, t);
        return go.mul(v1).sum().add(gt.mul(v2).sum());
      };
      const [ho, ht] = grad(h)(f64([0.3, 1e-13, 0.999]), f64([0.2, 0.7, 1]));
      close(ho, [1.4739229024576197, -2.89256198361529e23, 1003.0050070050556], 1e-10, 'second derivative in the input');
      close(ht, [-4.761904761904762, 500000000000, -2002.0020020020002], 1e-10, 'mixed second derivative');
    });

    on('RNN, GRU and LSTM with lengths never read the padded steps: NaN and inf there stay out of every gradient', () => {
      for (const Layer of [nn.RNN, nn.GRU, nn.LSTM]) {
        manualSeed(1);
        const rnn = new Layer(8, 16, { numLayers: 2, bidirectional: true });
        rnn.to('float64');
        const [T, B] = [5, 4];
        const d = randn([T, B, 8], { dtype: 'float64' }).dataSync();
        // sequence 1 has length 2: its steps 2.. are padding
        for (let t = 2; t < T; t++) for (let k = 0; k < 8; k++) d[(t * B + 1) * 8 + k] = t % 2 ? NAN : INF;
        const x = tensor(d, { shape: [T, B, 8], dtype: 'float64' }).requiresGrad_();
        const [out] = rnn.forward(x, undefined, { lengths: [5, 2, 5, 3] });
        assert.ok(Array.from(out.dataSync()).every(Number.isFinite), `${Layer.name}: output`);
        out.sum().backward();
        for (const [name, p] of rnn.namedParameters()) assert.ok(Array.from((p.grad as Tensor).dataSync()).every(Number.isFinite), `${Layer.name} ${name}: gradient`);
        const gx = (x.grad as Tensor).dataSync();
        for (let t = 2; t < T; t++) for (let k = 0; k < 8; k++) assert.equal(gx[(t * B + 1) * 8 + k], 0, `${Layer.name}: gradient of a padded step`);
      }
    });

    on('crossEntropy and nllLoss divide by the total weight as PyTorch does (NaN where it is 0), ignored targets never read', () => {
      const logits = f64([
        [1.5409961082440433, -0.2934289057609464, -2.1787893820745574],
        [0.5684312772806678, -1.084522342424021, -1.3985953953708767],
      ]);
      const zeroWeight = (x: Tensor) => F.crossEntropy(x, i32([0, 0]), { weight: f64([0, 1, 1]), labelSmoothing: 1 });
      close(zeroWeight(logits), [NAN], 0, 'loss');
      close(grad(zeroWeight)(logits)[0], Array(6).fill(NAN), 0, 'gradient');
      const ignored = (x: Tensor) => F.crossEntropy(x, i32([-100, -100]), { labelSmoothing: 0.3 });
      close(ignored(logits), [NAN], 0, 'every target ignored');
      close(grad(ignored)(logits)[0], Array(6).fill(0), 0, 'every target ignored, gradient');
      // nllLoss: a counted target of weight 0 with a total weight of 0 gets -0/0 = NaN, an ignored one 0
      const nll = (x: Tensor) => F.nllLoss(x, i32([1, 2]), { ignoreIndex: 1, weight: f64([2, 0, 0]) });
      close(nll(logits), [NAN], 0, 'nllLoss of zero total weight');
      close(grad(nll)(logits)[0], [0, 0, 0, 0, 0, NAN], 0, 'its gradient');
    });
    // phase 3: the layers2d family of the differential suite
    on('conv2d: a NaN weight tap sends NaN only to the input positions it reads (its input gradient, as PyTorch)', () => {
      const w = f64([[[[NAN, 1], [2, 3]]]]);
      const x = arange(12, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 3, 4]);
      const [g] = grad((t: Tensor) => F.conv2d(t, w, null, { stride: 2 }).sum())(x);
      close(g, [NAN, 1, NAN, 1, 2, 3, 2, 3, 0, 0, 0, 0], 0, 'input gradient');
    });

    on('convTranspose2d/1d of an empty batch: [0, outChannels, ...] as PyTorch', () => {
      assert.deepEqual(F.convTranspose2d(zeros([0, 2, 3, 3]), zeros([2, 3, 2, 2]), zeros([3]), { stride: 2 }).shape, [0, 3, 6, 6]);
      assert.deepEqual(F.convTranspose1d(zeros([0, 2, 3]), zeros([2, 1, 2]), null, { padding: 1 }).shape, [0, 1, 2]);
    });

    on("interpolate: mode 'area' over 3 spatial dims, and down to an empty dim", () => {
      const x = arange(24, undefined, undefined, { dtype: 'float64' }).reshape([1, 1, 2, 3, 4]);
      close(F.interpolate(x, { size: [1, 2, 3], mode: 'area' }), [8.5, 9.5, 10.5, 12.5, 13.5, 14.5], 1e-15, 'area 3-d');
      assert.deepEqual(F.interpolate(zeros([1, 1, 2, 4]), { scaleFactor: 0.4, mode: 'area' }).shape, [1, 1, 0, 1]);
      const [g] = grad((t: Tensor) => F.interpolate(t, { scaleFactor: 0.4, mode: 'area' }).sum())(zeros([1, 1, 2, 4], { dtype: 'float64' }));
      close(g, Array(8).fill(0), 0, 'gradient through an empty output');
      throwsNaming(() => F.interpolate(zeros([1, 1, 2, 2, 2, 2]), { size: 1 }), 'interpolate', '[1, 1, 2, 2, 2, 2]');
    });

    on('F.fold and F.unfold name themselves in their errors (not col2im and im2col)', () => {
      throwsNaming(() => F.fold(zeros([1, 4, 5]), [3, 3], 2), 'fold', '5 blocks');
      throwsNaming(() => F.unfold(zeros([1, 1, 2, 2]), 3), 'unfold', '3x3');
    });

    // phase 3: the manip family of the differential suite
    on('constant pad: with any positive width, a padded dim cropped to no elements is an error (PyTorch constant_pad_nd)', () => {
      throwsNaming(() => zeros([2, 4, 3]).pad([1, 0, -2, -2]), 'pad', 'dimension 1 of size 4');
      throwsNaming(() => F.pad(zeros([0, 2]), [1, 1, 0, 0]), 'pad', 'dimension 0 of size 0');
      assert.deepEqual(zeros([2, 4, 3]).pad([0, 0, -2, -2]).shape, [2, 0, 3]);
      assert.deepEqual(zeros([2, 4, 3]).pad([1, 0, -2, -1]).shape, [2, 1, 4]);
    });

    on('takeAlongDim: an index out of range names takeAlongDim', () => {
      throwsNaming(() => f64([1, 2]).takeAlongDim(i32([2, 1]), -1), 'takeAlongDim', 'index 2');
      throwsNaming(() => f64([[1, 2]]).takeAlongDim(i32([2])), 'takeAlongDim', 'index 2');
    });

    on('cdist: p = 0 counts a NaN difference as NaN, p = 1 and p = inf have NaN gradients where PyTorch has them', () => {
      const a = f64([[NAN, 1], [2, INF]]);
      const b = f64([[1, 1], [0, 5]]);
      close(a.cdist(b, 0), [NAN, NAN, 2, 2], 0, 'p = 0');
      const [ga, gb] = grad((x: Tensor, y: Tensor) => x.cdist(y, 1).sum())(a, b);
      close(ga, [NAN, -1, 2, 2], 0, 'p = 1, x1');
      close(gb, [NAN, -1, NAN, 0], 0, 'p = 1, x2');
      const c = f64([[INF], [2]]);
      const d = f64([[1], [-1]]);
      close(c.cdist(d, INF), [INF, INF, 1, 3], 0, 'p = inf');
      const [gc, gd] = grad((x: Tensor, y: Tensor) => x.cdist(y, INF).sum())(c, d);
      close(gc, [NAN, 2], 0, 'p = inf, x1');
      close(gd, [NAN, NAN], 0, 'p = inf, x2');
    });
  });
}
