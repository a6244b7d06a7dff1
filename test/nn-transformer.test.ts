// nn.MultiheadAttention and the transformer modules against torch 1.13 (scripts/fixtures/transformer.py
// wrote test/fixtures/transformer.json): each case's PyTorch state dict is loaded with loadStateDict
// into the module built from the same arguments, and the outputs, attention weights and the
// gradients of every input and every parameter must agree within 1e-10 in float64, in eval mode,
// on every backend.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChainruleError, type Tensor, getBackend, listBackends, load, nn, randn, setBackend, tensor, zeros } from 'chainrule';
import { weightsFor } from './op-table.js';

interface Encoded {
  shape: number[];
  dtype: 'float64' | 'bool';
  data: (number | string)[];
}

interface Case {
  name: string;
  module: string;
  config: Record<string, unknown>;
  state: Record<string, Encoded>;
  inputs: Record<string, Encoded>;
  same: Record<string, string>;
  options: Record<string, Encoded | boolean>;
  out: Encoded;
  weights?: Encoded;
  grads: { inputs: Record<string, (number | string)[]>; params: Record<string, (number | string)[]> };
}

const SPECIAL: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
const num = (v: number | string): number => (typeof v === 'string' ? SPECIAL[v] : v);
const fixture = JSON.parse(readFileSync(new URL('./fixtures/transformer.json', import.meta.url), 'utf8')) as { torch: string; cases: Case[] };

function decode(e: Encoded): Tensor {
  if (e.dtype === 'bool') return tensor(Uint8Array.from(e.data, num), { dtype: 'bool', shape: e.shape });
  return tensor(Float64Array.from(e.data, num), { shape: e.shape });
}

type AnyModule = nn.Module & { forward(...a: unknown[]): unknown };

function build(c: Case): AnyModule {
  const cfg = c.config as Record<string, never>;
  const layerOf = (Layer: typeof nn.TransformerEncoderLayer | typeof nn.TransformerDecoderLayer) => {
    const l = cfg.layer as Record<string, number>;
    return new Layer(l.dModel, l.nhead, l);
  };
  switch (c.module) {
    case 'MultiheadAttention': {
      const { embedDim, numHeads, ...rest } = cfg;
      return new nn.MultiheadAttention(embedDim, numHeads, rest) as AnyModule;
    }
    case 'TransformerEncoderLayer':
    case 'TransformerDecoderLayer': {
      const { dModel, nhead, ...rest } = cfg;
      return new nn[c.module](dModel, nhead, rest) as AnyModule;
    }
    case 'TransformerEncoder':
      return new nn.TransformerEncoder(layerOf(nn.TransformerEncoderLayer) as nn.TransformerEncoderLayer, cfg.numLayers, { norm: cfg.norm ? new nn.LayerNorm(8) : null }) as AnyModule;
    case 'TransformerDecoder':
      return new nn.TransformerDecoder(layerOf(nn.TransformerDecoderLayer) as nn.TransformerDecoderLayer, cfg.numLayers, { norm: cfg.norm ? new nn.LayerNorm(8) : null }) as AnyModule;
    case 'Transformer':
      return new nn.Transformer(cfg) as AnyModule;
  }
  throw new Error(`unknown module ${c.module}`);
}

/** Runs the case's forward: [output, weights or null]. */
function call(m: AnyModule, c: Case, x: Record<string, Tensor>): [Tensor, Tensor | null] {
  const opts = Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, typeof v === 'boolean' ? v : decode(v)]));
  switch (c.module) {
    case 'MultiheadAttention':
      return m.forward(x.query, x.key, x.value, opts) as [Tensor, Tensor | null];
    case 'TransformerEncoderLayer':
    case 'TransformerEncoder':
      return [m.forward(x.src, opts) as Tensor, null];
    case 'Transformer':
      return [m.forward(x.src, x.tgt, opts) as Tensor, null];
    default:
      return [m.forward(x.tgt, x.memory, opts) as Tensor, null];
  }
}

function close(got: ArrayLike<number>, want: readonly (number | string)[], what: string): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values, PyTorch has ${want.length}`);
  for (let i = 0; i < want.length; i++) {
    const w = num(want[i]);
    const a = got[i];
    assert.ok(a === w || (Number.isNaN(a) && Number.isNaN(w)) || Math.abs(a - w) <= 1e-10 * Math.max(1, Math.abs(w)), `${what}[${i}]: got ${a}, PyTorch gives ${w}`);
  }
}

describe('transformer fixture', () => {
  it('comes from torch 1.13 and covers every module and option the issue names', () => {
    assert.match(fixture.torch, /^1\.13/);
    const modules = new Set(fixture.cases.map((c) => c.module));
    for (const m of ['MultiheadAttention', 'TransformerEncoderLayer', 'TransformerEncoder', 'TransformerDecoderLayer', 'TransformerDecoder', 'Transformer']) assert.ok(modules.has(m), m);
    const mha = fixture.cases.filter((c) => c.module === 'MultiheadAttention');
    assert.ok(mha.some((c) => c.options.needWeights === false) && mha.some((c) => c.options.needWeights === undefined), 'needWeights both ways');
    assert.ok(mha.some((c) => c.config.batchFirst) && mha.some((c) => !c.config.batchFirst), 'batchFirst both ways');
    assert.ok(mha.some((c) => c.config.kdim) && mha.some((c) => 'keyPaddingMask' in c.options), 'kdim/vdim and padding masks');
    assert.ok(mha.some((c) => c.same.key === 'query') && mha.some((c) => !c.same.key), 'self and cross attention');
    const layers = fixture.cases.filter((c) => c.module.endsWith('Layer'));
    assert.ok(layers.some((c) => c.config.normFirst) && layers.some((c) => !c.config.normFirst), 'pre- and post-norm');
  });
});

for (const backend of listBackends()) {
  describe(`PyTorch's transformer modules on the ${backend} backend`, () => {
    for (const c of fixture.cases) {
      it(c.name, () => {
        const prev = getBackend();
        try {
          setBackend(backend);
          const m = build(c).double();
          m.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([k, v]) => [k, decode(v)])));
          m.eval();
          const x: Record<string, Tensor> = {};
          for (const [k, v] of Object.entries(c.inputs)) x[k] = decode(v).requiresGrad_();
          for (const [k, from] of Object.entries(c.same)) x[k] = x[from];
          const [out, w] = call(m, c, x);
          assert.deepEqual([...out.shape], c.out.shape, 'output shape');
          close(out.dataSync(), c.out.data, 'output');
          if (c.weights) {
            assert.ok(w, 'weights were asked for');
            assert.deepEqual([...w.shape], c.weights.shape, 'weights shape');
            close(w.dataSync(), c.weights.data, 'weights');
          } else assert.equal(w, null, 'needWeights false returns no weights');
          let loss = out.flatten().mul(tensor(weightsFor(out.size))).sum();
          if (w) loss = loss.add(w.flatten().mul(tensor(weightsFor(w.size))).sum());
          loss.backward();
          for (const [k, g] of Object.entries(c.grads.inputs)) close((x[k].grad as Tensor).dataSync(), g, `grad of ${k}`);
          const params = new Map(m.namedParameters());
          assert.deepEqual([...params.keys()].sort(), Object.keys(c.grads.params).sort(), 'parameter names');
          for (const [k, g] of Object.entries(c.grads.params)) close(((params.get(k) as Tensor).grad as Tensor).dataSync(), g, `grad of ${k}`);
        } finally {
          setBackend(prev);
        }
      });
    }
  });
}

describe('the transformer modules', () => {
  it("load PyTorch's safetensors state dict the way a user does", () => {
    const sd = load(new URL('./fixtures/io/torch-transformer.safetensors', import.meta.url).pathname);
    const c = fixture.cases.find((k) => k.name === 'transformer') as Case;
    const t = new nn.Transformer(c.config).double();
    assert.deepEqual(t.loadStateDict(sd), { missingKeys: [], unexpectedKeys: [] });
    t.eval();
    const x: Record<string, Tensor> = { src: decode(c.inputs.src), tgt: decode(c.inputs.tgt) };
    close(call(t as unknown as AnyModule, c, x)[0].dataSync(), c.out.data, 'output');
  });

  it('reject bad input with a ChainruleError naming the module path and the shapes', () => {
    assert.throws(() => new nn.MultiheadAttention(10, 3), /MultiheadAttention: embedDim 10 is not divisible by numHeads 3/);
    assert.throws(() => new nn.TransformerEncoderLayer(10, 4), /TransformerEncoderLayer: dModel 10 is not divisible by nhead 4/);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true }), 2);
    const src = randn([2, 5, 8]);
    const expectError = (fn: () => unknown, ...parts: RegExp[]) =>
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof ChainruleError, String(e));
        for (const p of parts) assert.match(e.message, p);
        return true;
      });
    expectError(() => enc.forward(src, { srcKeyPaddingMask: zeros([2, 5], { dtype: 'int32' }) }), /^model\.layers\.0\.self_attn \(MultiheadAttention 8\/2 heads\)/, /keyPaddingMask must be bool/, /int32 \[2, 5\]/);
    expectError(() => enc.forward(src, { srcKeyPaddingMask: zeros([2, 4], { dtype: 'bool' }) }), /model\.layers\.0\.self_attn/, /keyPaddingMask must be \[2, 5\]/, /got \[2, 4\]/);
    expectError(() => enc.forward(src, { mask: zeros([5, 4], { dtype: 'bool' }) }), /model\.layers\.0\.self_attn/, /attnMask must be \[L, S\] = \[5, 5\] or \[batch·numHeads, L, S\] = \[4, 5, 5\], got \[5, 4\]/);
    expectError(() => enc.forward(randn([2, 5, 6])), /model\.layers\.0 \(TransformerEncoderLayer 8\/2 heads\)/, /\[batch, seq, 8\]/, /got \[2, 5, 6\]/);
    const mha = new nn.MultiheadAttention(8, 2, { kdim: 4, vdim: 4 });
    expectError(() => mha.forward(randn([3, 2, 8]), randn([5, 2, 8]), randn([5, 2, 4])), /^model \(MultiheadAttention 8\/2 heads\)/, /kdim/, /key \[5, 2, 8\]/);
    expectError(() => mha.forward(randn([3, 2, 8]), randn([5, 3, 4]), randn([5, 3, 4])), /same sequence length and batch/);
    expectError(() => mha.forward(randn([3, 2, 8]), randn([5, 2, 4]), randn([5, 2, 4]), { need: true } as never), /unknown option "need"/);
    const pos = new nn.LearnedPositionalEmbedding(4, 8, { batchFirst: true });
    expectError(() => pos.forward(randn([2, 5, 8])), /5 positions is longer than maxLen 4/);
  });

  it('MultiheadAttention gives the same output with and without weights, and with isCausal as with the equivalent mask', () => {
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true }).double();
    const x = randn([2, 6, 8], { dtype: 'float64' });
    const pad = tensor([[0, 0, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0]].flat(), { dtype: 'bool', shape: [2, 6] });
    const mask = tensor(Uint8Array.from({ length: 36 }, (_, i) => (i % 6 > Math.floor(i / 6) ? 1 : 0)), { dtype: 'bool', shape: [6, 6] });
    const [a] = mha.forward(x, x, x, { keyPaddingMask: pad, isCausal: true });
    const [b] = mha.forward(x, x, x, { keyPaddingMask: pad, attnMask: mask, needWeights: false });
    const [c] = mha.forward(x, x, x, { isCausal: true, needWeights: false });
    const [d] = mha.forward(x, x, x, { attnMask: mask });
    close(a.dataSync(), [...b.dataSync()], 'causal + padding vs mask');
    close(c.dataSync(), [...d.dataSync()], 'fused causal vs mask');
  });

  it('stack copies start from the given layer and train apart', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 });
    const enc = new nn.TransformerEncoder(layer, 2);
    const sd = enc.stateDict();
    assert.deepEqual(sd['layers.0.linear1.weight'].toArray(), layer.linear1.weight.toArray());
    assert.deepEqual(sd['layers.1.linear1.weight'].toArray(), layer.linear1.weight.toArray());
    assert.notEqual(enc.layers[0].linear1.weight, enc.layers[1].linear1.weight);
  });

  it('positional embeddings add the sinusoidal table or a learned one', () => {
    const pe = nn.sinusoidalPositions(3, 4);
    const want = [0, 1, 0, 1, Math.sin(1), Math.cos(1), Math.sin(0.01), Math.cos(0.01), Math.sin(2), Math.cos(2), Math.sin(0.02), Math.cos(0.02)];
    close(pe.dataSync(), want, 'table');
    const y = new nn.SinusoidalPositionalEmbedding(4).forward(zeros([3, 2, 4], { dtype: 'float64' }));
    close(y.dataSync(), [0, 1, 2].flatMap((t) => [...want.slice(t * 4, t * 4 + 4), ...want.slice(t * 4, t * 4 + 4)]), 'added over the batch');
    const learned = new nn.LearnedPositionalEmbedding(5, 4, { batchFirst: true });
    const z = learned.forward(zeros([2, 3, 4]));
    assert.deepEqual((z.toArray() as number[][][])[1], learned.weight.narrow(0, 0, 3).toArray());
    z.sum().backward();
    assert.deepEqual(((learned.weight.grad as Tensor).toArray() as number[][]).map((r) => r[0]), [2, 2, 2, 0, 0]);
  });
});
