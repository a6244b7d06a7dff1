import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, gradcheck, manualSeed, nn, randn, tensor } from 'chainrule';
import { type LayerCase, fixture, replayLayer } from './nn-helpers.js';

interface RnnConfig {
  kind: 'rnn' | 'gru' | 'lstm';
  I: number;
  H: number;
  numLayers?: number;
  bidirectional?: boolean;
  batchFirst?: boolean;
  bias?: boolean;
  lengths?: number[];
  nonlinearity?: 'tanh' | 'relu';
}

function build(k: RnnConfig): nn.RNN | nn.GRU | nn.LSTM {
  const Cls = { rnn: nn.RNN, gru: nn.GRU, lstm: nn.LSTM }[k.kind];
  return new Cls(k.I, k.H, k).to('float64');
}

const cases: LayerCase[] = fixture().layers.filter((c) => /^(rnn|gru|lstm)-/.test(c.name));

for (const c of cases) {
  test(`${c.name} matches PyTorch (outputs, final states, all gradients)`, () => {
    const k = c.config as unknown as RnnConfig;
    const m = build(k);
    const seq = k.lengths ? { lengths: k.lengths } : {};
    replayLayer(c, m, (x: Tensor, h?: Tensor, cc?: Tensor) => {
      if (m instanceof nn.LSTM) {
        const [out, [hN, cN]] = m.forward(x, h && cc ? [h, cc] : undefined, seq);
        return [out, hN, cN];
      }
      const [out, hN] = m.forward(x, h, seq);
      return [out, hN];
    });
  });
}

for (const c of fixture().layers.filter((l) => l.name.startsWith('cell-'))) {
  test(`${c.name} matches PyTorch`, () => {
    const k = c.config as unknown as RnnConfig;
    if (k.kind === 'lstm') {
      const m = new nn.LSTMCell(k.I, k.H, k).to('float64');
      replayLayer(c, m, (x: Tensor, h: Tensor, cc: Tensor) => m.forward(x, [h, cc]));
    } else {
      const m = (k.kind === 'gru' ? new nn.GRUCell(k.I, k.H, k) : new nn.RNNCell(k.I, k.H, k)).to('float64');
      replayLayer(c, m, (x: Tensor, h?: Tensor) => m.forward(x, h));
    }
  });
}

test('parameter names line up with PyTorch', () => {
  const names = new nn.LSTM(3, 2, { numLayers: 2, bidirectional: true }).namedParameters().map(([n, p]) => `${n}:${p.shape.join('x')}`);
  assert.deepEqual(names, [
    'weight_ih_l0:8x3',
    'weight_hh_l0:8x2',
    'bias_ih_l0:8',
    'bias_hh_l0:8',
    'weight_ih_l0_reverse:8x3',
    'weight_hh_l0_reverse:8x2',
    'bias_ih_l0_reverse:8',
    'bias_hh_l0_reverse:8',
    'weight_ih_l1:8x4',
    'weight_hh_l1:8x2',
    'bias_ih_l1:8',
    'bias_hh_l1:8',
    'weight_ih_l1_reverse:8x4',
    'weight_hh_l1_reverse:8x2',
    'bias_ih_l1_reverse:8',
    'bias_hh_l1_reverse:8',
  ]);
  assert.deepEqual(new nn.GRU(3, 5).stateDict().weight_ih_l0.shape, [15, 3]);
  assert.deepEqual(Object.keys(new nn.LSTMCell(3, 2).stateDict()), ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
});

test('a mask gives the same result as the lengths it encodes; each final state is taken at its own last step', () => {
  manualSeed(4);
  const gru = new nn.GRU(3, 4, { batchFirst: true, bidirectional: true }).to('float64');
  const x = randn([2, 5, 3], { dtype: 'float64' });
  const [o1, h1] = gru.forward(x, undefined, { lengths: [5, 3] });
  const mask = tensor([
    [1, 1, 1, 1, 1],
    [1, 1, 1, 0, 0],
  ]);
  const [o2, h2] = gru.forward(x, undefined, { mask });
  assert.deepEqual(o1.toArray(), o2.toArray());
  assert.deepEqual(h1.toArray(), h2.toArray());
  // sequence 1 alone, truncated to its 3 steps, gives the same final states
  const [, hAlone] = gru.forward(x.index(1, [0, 3]).unsqueeze(0));
  for (const dir of [0, 1]) {
    const a = (h1.index(dir, 1).toArray() as number[]).map((v) => v.toFixed(12));
    const b = (hAlone.index(dir, 0).toArray() as number[]).map((v) => v.toFixed(12));
    assert.deepEqual(a, b);
  }
  assert.deepEqual(o1.index(1, 4).toArray(), [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('RNN cells pass float64 gradcheck through time', () => {
  manualSeed(5);
  const lstm = new nn.LSTM(2, 2, { bidirectional: true }).to('float64');
  const [w] = lstm.parameters();
  gradcheck((x, h, c) => lstm.forward(x, [h, c], { lengths: [3, 2] })[0], [
    randn([3, 2, 2], { dtype: 'float64' }),
    randn([2, 2, 2], { dtype: 'float64' }),
    randn([2, 2, 2], { dtype: 'float64' }),
  ]);
  assert.equal(w.dtype, 'float64');
  const gru = new nn.GRU(2, 3).to('float64');
  gradcheck((x) => gru.forward(x)[1], [randn([4, 1, 2], { dtype: 'float64' })]);
});

test('wrong shapes name the recurrent module', () => {
  const lstm = new nn.LSTM(4, 3);
  assert.throws(() => lstm.call(randn([5, 2, 6])), { message: 'model (LSTM 4->3) expected [time, batch, 4] or [time, 4], got [5, 2, 6]' });
  assert.throws(() => lstm.forward(randn([5, 2, 4]), undefined, { lengths: [5] }), /expected 2 lengths/);
  assert.throws(() => lstm.forward(randn([5, 2, 4]), [randn([1, 3, 3]), randn([1, 3, 3])]), /expected h0 \[1, 2, 3\], got \[1, 3, 3\]/);
  assert.throws(() => new nn.GRUCell(4, 3).call(randn([2, 5])), { message: 'model (GRUCell 4->3) expected [batch, 4] or [4], got [2, 5]' });
});
