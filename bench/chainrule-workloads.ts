/**
 * The benchmark workloads written against chainrule's public API. Whatever backend is active
 * (setBackend / CHAINRULE_BACKEND) runs the kernels. bench/peer.ts times them; the smoke test
 * runs them at tiny sizes.
 */
import { F, type Tensor, add, asStrided, concat, manualSeed, nn, optim, rand, randint, randn, zeros } from 'chainrule';
import type { GruSpec, MlpSpec, Runner, SgemmSpec, SmallOpSpec, TextCnnSpec, WorkloadSpec } from './workloads.js';

/** A float32 parameter drawn from U(-bound, bound), like PyTorch's default layer init. */
function param(shape: number[], bound: number): Tensor {
  return rand(shape).mul(2 * bound).sub(bound).requiresGrad_();
}

/** Linear layer stored as W [in, out] so the forward is x @ W + b (used until nn has the layer). */
function linear(fanIn: number, fanOut: number): { w: Tensor; b: Tensor } {
  const bound = 1 / Math.sqrt(fanIn);
  return { w: param([fanIn, fanOut], bound), b: param([fanOut], bound) };
}

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

/** Conv1d over channels-last input [B, L, C] as an im2col (asStrided) + matmul. */
function conv1dChannelsLast(x: Tensor, w: Tensor, b: Tensor, width: number): Tensor {
  const [batch, len, ch] = x.shape;
  const out = len - width + 1;
  const cols = asStrided(x, [batch, out, width, ch], [len * ch, ch, ch, 1]).reshape([batch * out, width * ch]);
  return cols.matmul(w).add(b).reshape([batch, out, w.shape[1]]);
}

function textcnn(s: TextCnnSpec): Runner {
  const emb = randn([s.vocab, s.embed]).requiresGrad_();
  const convs = s.widths.map((w) => ({ width: w, ...linear(w * s.embed, s.filters) }));
  const head = linear(s.filters * s.widths.length, s.classes);
  const tokens = randint(0, s.vocab, [s.batch * s.seq]);
  const y = randint(0, s.classes, [s.batch]);
  const params = [emb, ...convs.flatMap((c) => [c.w, c.b]), head.w, head.b];
  return trainer(() => {
    const e = emb.indexSelect(0, tokens).reshape([s.batch, s.seq, s.embed]);
    const pooled = convs.map((c) => conv1dChannelsLast(e, c.w, c.b, c.width).relu().max(1));
    const feats = concat(pooled, 1);
    return F.crossEntropy(feats.matmul(head.w).add(head.b), y);
  }, new optim.Adam(params, { lr: s.lr }));
}

function gru(s: GruSpec): Runner {
  const h = s.hidden;
  const bound = 1 / Math.sqrt(h);
  const wi = param([s.input, 3 * h], bound);
  const wh = param([h, 3 * h], bound);
  const bi = param([3 * h], bound);
  const bh = param([3 * h], bound);
  const head = linear(h, s.classes);
  const xs = Array.from({ length: s.seq }, () => randn([s.batch, s.input]));
  const y = randint(0, s.classes, [s.batch]);
  const params = [wi, wh, bi, bh, head.w, head.b];
  return trainer(() => {
    let state = zeros([s.batch, h]);
    for (const x of xs) {
      // PyTorch's GRU: r, z from both projections; n = tanh(xn + r * hn)
      const gi = x.matmul(wi).add(bi);
      const gh = state.matmul(wh).add(bh);
      const r = gi.narrow(1, 0, h).add(gh.narrow(1, 0, h)).sigmoid();
      const z = gi.narrow(1, h, h).add(gh.narrow(1, h, h)).sigmoid();
      const n = gi.narrow(1, 2 * h, h).add(r.mul(gh.narrow(1, 2 * h, h))).tanh();
      state = n.add(z.mul(state.sub(n)));
    }
    return F.crossEntropy(state.matmul(head.w).add(head.b), y);
  }, new optim.Adam(params, { lr: s.lr }));
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
  }
}
