/**
 * The benchmark workloads written against chainrule's public API. Whatever backend is active
 * (setBackend / CHAINRULE_BACKEND) runs the kernels. bench/peer.ts times them; the smoke test
 * runs them at tiny sizes.
 */
import { F, type Tensor, add, concat, manualSeed, nn, optim, randint, randn } from 'chainrule';
import {
  type AttentionSpec,
  type Cnn2dSpec,
  type GruSpec,
  type MlpSpec,
  type Runner,
  type SgemmSpec,
  type SmallOpSpec,
  type TextCnnSpec,
  type TransformerSpec,
  type WorkloadSpec,
  cnn2dFeatures,
} from './workloads.js';

/** One training step as in PyTorch: zero the gradients, forward, backward, optimizer step. */
function trainer(forward: () => Tensor, opt: { zeroGrad(): void; step(): unknown }): Runner {
  let last = Number.NaN;
  return {
    step() {
      opt.zeroGrad();
      const loss = forward();
      loss.backward();
      opt.step();
      last = loss.item();
    },
    lastLoss: () => last,
  };
}

function sgemm(s: SgemmSpec): Runner {
  const a = randn([s.n, s.n]);
  const b = randn([s.n, s.n]);
  return {
    step() {
      a.matmul(b);
    },
  };
}

const SMALLOP_REPEAT = 1000;

function smallop(s: SmallOpSpec): Runner {
  const a = randn([s.n]);
  const b = randn([s.n]);
  return {
    step() {
      for (let i = 0; i < SMALLOP_REPEAT; i++) add(a, b);
    },
    opsPerStep: SMALLOP_REPEAT,
  };
}

function mlp(s: MlpSpec): Runner {
  const layers = s.sizes.slice(1).flatMap((n, i) => {
    const fc = new nn.Linear(s.sizes[i], n);
    return i < s.sizes.length - 2 ? [fc, new nn.ReLU()] : [fc];
  });
  const model = new nn.Sequential(...layers);
  const x = randn([s.batch, s.sizes[0]]);
  const y = randint(0, s.sizes[s.sizes.length - 1], [s.batch]);
  return trainer(() => F.crossEntropy(model.forward(x), y), new optim.SGD(model.parameters(), { lr: s.lr }));
}

/**
 * Kim's text CNN as in torch: Embedding -> [B, embed, seq] -> Conv1d per width -> ReLU -> max over
 * time -> concat -> Linear.
 */
function textcnn(s: TextCnnSpec): Runner {
  const emb = new nn.Embedding(s.vocab, s.embed);
  const convs = s.widths.map((w) => new nn.Conv1d(s.embed, s.filters, w));
  const fc = new nn.Linear(s.filters * s.widths.length, s.classes);
  const model = new nn.ModuleList([emb, ...convs, fc]);
  const tokens = randint(0, s.vocab, [s.batch, s.seq]);
  const y = randint(0, s.classes, [s.batch]);
  return trainer(() => {
    const e = emb.forward(tokens).transpose(1, 2);
    const pooled = convs.map((c) => c.forward(e).relu().max(2));
    return F.crossEntropy(fc.forward(concat(pooled, 1)), y);
  }, new optim.Adam(model.parameters(), { lr: s.lr }));
}

/** nn.GRU over time-major random inputs, Linear on the final hidden state. */
function gru(s: GruSpec): Runner {
  const rnn = new nn.GRU(s.input, s.hidden);
  const fc = new nn.Linear(s.hidden, s.classes);
  const model = new nn.ModuleList([rnn, fc]);
  const x = randn([s.seq, s.batch, s.input]);
  const y = randint(0, s.classes, [s.batch]);
  return trainer(() => {
    const [, hN] = rnn.forward(x);
    return F.crossEntropy(fc.forward(hN.reshape([s.batch, s.hidden])), y);
  }, new optim.Adam(model.parameters(), { lr: s.lr }));
}

/** The image CNN as in torch: [Conv2d 3x3 pad 1 -> ReLU -> MaxPool2d(2)] per block -> Flatten -> Linear -> ReLU -> Linear. */
function cnn2d(s: Cnn2dSpec): Runner {
  const blocks = s.channels.slice(1).flatMap((c, i) => [new nn.Conv2d(s.channels[i], c, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2)]);
  const model = new nn.Sequential(...blocks, new nn.Flatten(), new nn.Linear(cnn2dFeatures(s), s.hidden), new nn.ReLU(), new nn.Linear(s.hidden, s.classes));
  const x = randn([s.batch, s.channels[0], s.size, s.size]);
  const y = randint(0, s.classes, [s.batch]);
  return trainer(() => F.crossEntropy(model.forward(x), y), new optim.Adam(model.parameters(), { lr: s.lr }));
}

/** Embedding -> nn.TransformerEncoder (post-norm, ReLU, dropout 0, batch first) -> mean over time -> Linear, as in torch. */
function transformer(s: TransformerSpec): Runner {
  const emb = new nn.Embedding(s.vocab, s.dModel);
  const layer = new nn.TransformerEncoderLayer(s.dModel, s.heads, { dimFeedforward: s.ff, dropout: 0, batchFirst: true });
  const encoder = new nn.TransformerEncoder(layer, s.layers);
  const fc = new nn.Linear(s.dModel, s.classes);
  const model = new nn.ModuleList([emb, encoder, fc]);
  const tokens = randint(0, s.vocab, [s.batch, s.seq]);
  const y = randint(0, s.classes, [s.batch]);
  return trainer(() => F.crossEntropy(fc.forward(encoder.forward(emb.forward(tokens)).mean(1)), y), new optim.Adam(model.parameters(), { lr: s.lr }));
}

/** F.scaledDotProductAttention forward and backward of the output's sum (no optimizer). */
function attention(s: AttentionSpec): Runner {
  const shape = [s.batch, s.heads, s.seq, s.dim];
  const [q, k, v] = [0, 1, 2].map(() => randn(shape, { requiresGrad: true }));
  let last = Number.NaN;
  return {
    step() {
      for (const t of [q, k, v]) t.grad = null;
      const out = F.scaledDotProductAttention(q, k, v, { isCausal: s.causal }).sum();
      out.backward();
      last = out.item();
    },
    lastLoss: () => last,
  };
}

/** Builds a chainrule workload (seeded, so every run draws the same data). */
export function buildChainrule(spec: WorkloadSpec): Runner {
  manualSeed(1234);
  switch (spec.kind) {
    case 'sgemm':
      return sgemm(spec);
    case 'smallop':
      return smallop(spec);
    case 'mlp':
      return mlp(spec);
    case 'textcnn':
      return textcnn(spec);
    case 'gru':
      return gru(spec);
    case 'cnn2d':
      return cnn2d(spec);
    case 'transformer':
      return transformer(spec);
    case 'attention':
      return attention(spec);
  }
}
