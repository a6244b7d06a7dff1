import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChainruleError, F, type Tensor, gradcheck, nn, randn, tensor } from 'chainrule';
import { type Enc, assertClose, dec, fixture } from './nn-helpers.js';

type LossFn = (x: Tensor, t: Tensor, o: Record<string, unknown>) => Tensor;

const byPrefix: [string, LossFn][] = [
  ['mse', (x, t, o) => F.mseLoss(x, t, o)],
  ['l1', (x, t, o) => F.l1Loss(x, t, o)],
  ['sse', (x, t) => F.sse(x, t)],
  ['bcelogits', (x, t, o) => F.bceWithLogitsLoss(x, t, o)],
  ['bce', (x, t, o) => F.bceLoss(x, t, o)],
  ['ce', (x, t, o) => F.crossEntropy(x, t, o)],
  ['nll', (x, t, o) => F.nllLoss(x, t, o)],
  ['hinge', (x, t, o) => F.hingeEmbeddingLoss(x, t, o)],
  ['multimargin', (x, t, o) => F.multiMarginLoss(x, t, o)],
];

function lossFor(name: string): LossFn {
  const hit = byPrefix.find(([p]) => name.startsWith(`${p}-`) || name === p);
  if (!hit) throw new Error(`no loss for fixture ${name}`);
  return hit[1];
}

for (const c of fixture().losses) {
  test(`loss ${c.name} matches PyTorch (value and gradient, 1e-10)`, () => {
    const opts: Record<string, unknown> = { ...c.opts };
    for (const [k, v] of Object.entries(c.tensors)) opts[k] = dec(v);
    const x = dec(c.input, true);
    const out = lossFor(c.name)(x, dec(c.target), opts);
    assertClose(out, c.output, 1e-10, `${c.name} value`);
    if (c.grad && c.upstream) {
      out.backward(dec(c.upstream));
      assertClose(x.grad, c.grad, 1e-10, `${c.name} gradient`);
    }
  });
}

test('BCE: the gradient with respect to the target matches PyTorch too', () => {
  const c = fixture().losses.find((l) => l.name === 'bce-target-grad')! as ReturnType<typeof fixture>['losses'][number] & { targetGrad: Enc };
  const t = dec(c.target, true);
  const out = F.bceLoss(dec(c.input), t, { weight: dec(c.tensors.weight) });
  assertClose(out, c.output);
  out.backward();
  assertClose(t.grad, c.targetGrad);
});

test('loss modules call the functional forms with their options', () => {
  const c = fixture().losses.find((l) => l.name === 'ce-weight-ignore-smooth-mean')!;
  const crit = new nn.CrossEntropyLoss({ weight: dec(c.tensors.weight), labelSmoothing: 0.2 });
  assertClose(crit.call(dec(c.input), dec(c.target)), c.output);
  const m = fixture().losses.find((l) => l.name === 'mse-sum')!;
  assertClose(new nn.MSELoss({ reduction: 'sum' }).forward(dec(m.input), dec(m.target)), m.output);
  assert.equal(new nn.SSELoss().forward(tensor([1, 2]), tensor([1, 4])).item(), 2);
});

test('the textbook squared error has gradient o - t', () => {
  const o = tensor([0.2, 0.9, -1], { dtype: 'float64', requiresGrad: true });
  const t = tensor([1, 0, 0.5], { dtype: 'float64' });
  const e = F.sse(o, t);
  assert.ok(Math.abs(e.item() - 0.5 * (0.64 + 0.81 + 2.25)) < 1e-12);
  e.backward();
  assert.deepEqual(
    (o.grad!.toArray() as number[]).map((v) => Math.round(v * 1e12) / 1e12),
    [-0.8, 0.9, -1.5],
  );
});

test('losses pass float64 gradcheck', () => {
  const f64 = { dtype: 'float64' as const };
  const x = randn([3, 4], f64);
  const cls = tensor([0, 3, 1], { dtype: 'int32' });
  const w = tensor([0.5, 1, 1.5, 2], f64);
  gradcheck((a) => F.crossEntropy(a, cls, { weight: w, labelSmoothing: 0.1 }), [x]);
  gradcheck((a) => F.bceWithLogitsLoss(a, tensor([[1, 0, 1, 0], [0, 0, 1, 1], [1, 1, 1, 0]], f64), { posWeight: w }), [x]);
  gradcheck((a) => F.multiMarginLoss(a, cls, { p: 2 }), [x]);
  gradcheck((a, b) => F.mseLoss(a, b), [x, randn([3, 4], f64)]);
  gradcheck((o, t) => F.bceLoss(o, t, { reduction: 'sum' }), [x.sigmoid(), randn([3, 4], f64).sigmoid()]);
});

test('wrong label types are clear errors', () => {
  const logits = randn([3, 4]);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 1, 2])), /class-index targets must be an int32 tensor, got float32/);
  assert.throws(() => F.crossEntropy(logits, tensor([0, 4, 1], { dtype: 'int32' })), /target 4 at position 1 is out of range for 4 classes/);
  assert.throws(() => F.crossEntropy(logits, tensor([0, -1, 1], { dtype: 'int32' })), /target -1 at position 1 is out of range/);
  assert.throws(() => F.nllLoss(logits, tensor([0, 1], { dtype: 'int32' })), /needs class-index targets of shape \[3\], got \[2\]/);
  assert.throws(() => F.bceLoss(tensor([1.5]), tensor([1])), /probabilities in \[0, 1\], found 1.5/);
  assert.throws(() => F.mseLoss(randn([3, 2]), randn([3])), /mseLoss: input \[3, 2\] and target \[3\] must have broadcastable shapes/);
  assert.throws(() => F.l1Loss(randn([2]), randn([4, 3])), ChainruleError);
});

test('the perceptron criterion: max(0, -t·s), gradient -t on the mistakes', () => {
  const s = tensor([2, -1, 0.5, -3], { dtype: 'float64', requiresGrad: true });
  const t = tensor([1, 1, -1, -1], { dtype: 'float64' });
  const l = new nn.PerceptronLoss({ reduction: 'sum' }).forward(s, t);
  assert.equal(l.item(), 1.5);
  l.backward();
  assert.deepEqual(Array.from(s.grad!.data, (v) => v + 0), [0, -1, 1, 0]);
  assert.equal(F.perceptronLoss(s, t).item(), 1.5 / 4);
  assert.throws(() => F.perceptronLoss(s, tensor([1, 0, 1, 1], { dtype: 'float64' })), /targets must be 1 or -1/);
});
