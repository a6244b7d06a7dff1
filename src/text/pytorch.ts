/**
 * PyTorch export of the text classifiers `chainrule textclf train` writes: model.py, a torch
 * nn.Module with the run's architecture, chainrule's parameter names and the same forward (eval:
 * the same logits), and model.safetensors with the weights. The module takes what the ONNX export
 * takes: ids [batch, time] (right-padded with 0) or features [batch, F] (the vectorizer's rows).
 */
import { join as joinPath } from 'node:path';
import { ChainruleError } from '../errors.js';
import { writeFileAtomic } from '../io/fs.js';
import { encodeSafetensors } from '../io/safetensors.js';
import { LearnedPositionalEmbedding } from '../nn/positional.js';
import { type SavedModel, loadTextModule } from './checkpoint.js';
import type { TextModule } from './models/base.js';
import { KimCNN } from './models/cnn.js';
import { FastText, LogisticRegression, SparseMLP } from './models/linear.js';
import { BiRNN } from './models/rnn.js';
import { TransformerClassifier } from './models/transformer.js';

const OP = 'textclf export --pytorch';

/** What model.py needs besides the weights: the model's kind and sizes (see pytorchConfig). */
export interface PytorchConfig {
  /** which of model.py's classes to build; the other keys are its sizes (features, classes, embed, ...) */
  kind: 'logreg' | 'mlp' | 'fasttext' | 'cnn' | 'birnn' | 'transformer';
  [key: string]: unknown;
}

/**
 * The architecture of a text model as model.py's CONFIG: its kind and sizes.
 * @example
 * import { pytorchConfig, text } from 'chainrule';
 * pytorchConfig(new text.LogisticRegression(10, 2)).kind // 'logreg'
 */
export function pytorchConfig(m: TextModule): PytorchConfig {
  if (m instanceof LogisticRegression) return { kind: 'logreg', features: m.features, classes: m.classes };
  if (m instanceof SparseMLP) return { kind: 'mlp', features: m.features, hidden: m.hidden, classes: m.classes, dropout: m.drop.p };
  if (m instanceof FastText) return { kind: 'fasttext', features: m.features, dim: m.dim, classes: m.classes, dropout: m.drop.p };
  if (m instanceof KimCNN) return { kind: 'cnn', vocab: m.vocabSize, embed: m.embedding.embeddingDim, filters: m.convs[0].outChannels, widths: m.widths, classes: m.classes, dropout: m.drop.p };
  if (m instanceof BiRNN) return { kind: 'birnn', cell: m.cell, vocab: m.vocabSize, embed: m.embedding.embeddingDim, hidden: m.rnn.hiddenSize, classes: m.classes, dropout: m.drop.p };
  if (m instanceof TransformerClassifier) {
    const c = m.encoder.layers[0].config;
    const pos = m.positions;
    return {
      kind: 'transformer',
      vocab: m.vocabSize,
      embed: m.embed,
      heads: c.nhead,
      layers: m.encoder.layers.length,
      hidden: c.dimFeedforward,
      classes: m.classes,
      dropout: m.drop.p,
      layerNormEps: c.layerNormEps,
      normEps: m.encoder.norm?.eps ?? 1e-5,
      pooling: m.pooling,
      positions: pos instanceof LearnedPositionalEmbedding ? 'learned' : 'sinusoidal',
      positionRows: pos instanceof LearnedPositionalEmbedding ? pos.maxLen : null,
    };
  }
  throw new ChainruleError(`${OP}: ${m.constructor.name} is not a textclf model this exporter knows`);
}

const HEADER = `# Written by chainrule (chainrule export RUN --pytorch DIR): a torch nn.Module with the run's
# architecture, chainrule's parameter names and the same forward. In eval mode it gives chainrule's
# logits; model.train() turns its dropout on, so it trains on as chainrule trained it.
#   import model; net = model.load('DIR'); net(ids_or_features)
import json
import math
import os
import struct

import torch
from torch import nn

CONFIG = json.loads(__CONFIG__)


def read_safetensors(path):
    """The tensors of a .safetensors file (F32, F64, I32, I64, U8/BOOL), without the safetensors package."""
    kinds = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64, 'U8': torch.uint8, 'BOOL': torch.bool}
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        start, end = info['data_offsets']
        raw = bytearray(data[8 + n + start:8 + n + end])
        t = torch.frombuffer(raw, dtype=kinds[info['dtype']]) if raw else torch.empty(0, dtype=kinds[info['dtype']])
        out[name] = t.reshape(info['shape']).clone()
    return out


def lengths_of(ids):
    """Each text's length: its count of non-zero ids, at least 1 (as chainrule's padded batches)."""
    return (ids != 0).sum(1).clamp(min=1)


def real_mask(ids):
    """[B, T] bool: position < length."""
    return torch.arange(ids.shape[1], device=ids.device)[None, :] < lengths_of(ids)[:, None]
`;

const MODELS: Readonly<Record<PytorchConfig['kind'], string>> = {
  logreg: `

class Model(nn.Module):
    """Multinomial logistic regression on the vectorizer's rows: features @ weight + bias."""

    def __init__(self, c=CONFIG):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(c['features'], c['classes']))
        self.bias = nn.Parameter(torch.zeros(c['classes']))

    def forward(self, features):
        return features @ self.weight + self.bias
`,
  mlp: `

class Model(nn.Module):
    """relu(features @ w1 + b1) -> dropout -> Linear."""

    def __init__(self, c=CONFIG):
        super().__init__()
        self.w1 = nn.Parameter(torch.zeros(c['features'], c['hidden']))
        self.b1 = nn.Parameter(torch.zeros(c['hidden']))
        self.drop = nn.Dropout(c['dropout'])
        self.out = nn.Linear(c['hidden'], c['classes'])

    def forward(self, features):
        return self.out(self.drop(torch.relu(features @ self.w1 + self.b1)))
`,
  fasttext: `

class Model(nn.Module):
    """fastText: the rows hold each text's mean n-gram weights, so features @ bag.weight is its EmbeddingBag."""

    def __init__(self, c=CONFIG):
        super().__init__()
        self.bag = nn.EmbeddingBag(c['features'], c['dim'], mode='sum')
        self.drop = nn.Dropout(c['dropout'])
        self.out = nn.Linear(c['dim'], c['classes'])

    def forward(self, features):
        return self.out(self.drop(features @ self.bag.weight))
`,
  cnn: `

class Model(nn.Module):
    """Kim's CNN: embeddings, one Conv1d per width, relu, max over the windows inside each text, dropout, Linear."""

    def __init__(self, c=CONFIG):
        super().__init__()
        self.widths = c['widths']
        self.embedding = nn.Embedding(c['vocab'], c['embed'], padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(c['embed'], c['filters'], k) for k in self.widths])
        self.drop = nn.Dropout(c['dropout'])
        self.out = nn.Linear(c['filters'] * len(self.widths), c['classes'])

    def forward(self, ids):
        """ids [B, T] with T at least the widest filter (padded with 0)."""
        lengths = lengths_of(ids)
        e = self.embedding(ids).transpose(1, 2)
        pooled = []
        for k, conv in zip(self.widths, self.convs):
            y = torch.relu(conv(e))
            steps = y.shape[2]
            # window t counts while it lies inside the text; a text shorter than k keeps window 0
            valid = (lengths - k + 1).clamp(max=steps).clamp(min=1)
            keep = torch.arange(steps, device=ids.device)[None, :] < valid[:, None]
            y = y + (~keep).to(y.dtype)[:, None, :] * -1e9
            pooled.append(y.amax(2))
        return self.out(self.drop(torch.cat(pooled, 1)))
`,
  birnn: `

class Model(nn.Module):
    """Bidirectional GRU or LSTM over each text's real length, max and mean over time, dropout, Linear."""

    def __init__(self, c=CONFIG):
        super().__init__()
        self.embedding = nn.Embedding(c['vocab'], c['embed'], padding_idx=0)
        rnn = nn.GRU if c['cell'] == 'gru' else nn.LSTM
        self.rnn = rnn(c['embed'], c['hidden'], batch_first=True, bidirectional=True)
        self.drop = nn.Dropout(c['dropout'])
        self.out = nn.Linear(4 * c['hidden'], c['classes'])

    def forward(self, ids):
        lengths = lengths_of(ids)
        e = self.embedding(ids)
        packed = nn.utils.rnn.pack_padded_sequence(e, lengths.cpu(), batch_first=True, enforce_sorted=False)
        h, _ = nn.utils.rnn.pad_packed_sequence(self.rnn(packed)[0], batch_first=True, total_length=ids.shape[1])
        real = real_mask(ids)
        mx = (h + (~real).to(h.dtype)[:, :, None] * -1e9).amax(1)
        w = real.to(h.dtype)[:, :, None]
        mean = (h * w).sum(1) * (1.0 / w.sum(1).clamp(min=1))
        return self.out(self.drop(torch.cat([mx, mean], 1)))
`,
  transformer: `

def sinusoidal(length, d):
    """The table of "Attention is all you need", computed in float64 as chainrule does."""
    pe = torch.zeros(length, d, dtype=torch.float64)
    for i in range(0, d, 2):
        a = torch.arange(length, dtype=torch.float64) * math.exp(-i * math.log(10000) / d)
        pe[:, i] = torch.sin(a)
        if i + 1 < d:
            pe[:, i + 1] = torch.cos(a)
    return pe


class Model(nn.Module):
    """Embeddings (+ a learned first token), positions, pre-norm GELU encoder layers with the padding masked, final norm, pooling, dropout, Linear."""

    def __init__(self, c=CONFIG):
        super().__init__()
        d = c['embed']
        self.pooling = c['pooling']
        self.embedding = nn.Embedding(c['vocab'], d, padding_idx=0)
        self.cls = nn.Parameter(torch.zeros(1, 1, d)) if self.pooling == 'first' else None
        self.learned = c['positions'] == 'learned'
        if self.learned:
            self.positions = nn.Module()
            self.positions.weight = nn.Parameter(torch.zeros(c['positionRows'], d))
        self.drop = nn.Dropout(c['dropout'])
        layer = nn.TransformerEncoderLayer(d, c['heads'], dim_feedforward=c['hidden'], dropout=c['dropout'], activation='gelu', layer_norm_eps=c['layerNormEps'], batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, c['layers'], norm=nn.LayerNorm(d, eps=c['normEps']), enable_nested_tensor=False)
        self.out = nn.Linear(d, c['classes'])

    def forward(self, ids):
        real = real_mask(ids)
        x = self.embedding(ids)
        if self.cls is not None:
            x = torch.cat([self.cls.expand(ids.shape[0], 1, -1).to(x.dtype), x], 1)
            real = torch.cat([torch.ones_like(real[:, :1]), real], 1)
        T = x.shape[1]
        table = self.positions.weight[:T] if self.learned else sinusoidal(T, x.shape[2]).to(x.dtype).to(x.device)
        x = x + table[None]
        h = self.encoder(self.drop(x), src_key_padding_mask=~real)
        if self.cls is not None:
            pooled = h[:, 0]
        else:
            w = real.to(h.dtype)[:, :, None]
            pooled = (h * w).sum(1) * (1.0 / w.sum(1).clamp(min=1))
        return self.out(self.drop(pooled))
`,
};

const FOOTER = `

def load(directory=os.path.dirname(os.path.abspath(__file__)), strict=True):
    """The model with the weights of DIR/model.safetensors, in eval mode."""
    net = Model()
    state = read_safetensors(os.path.join(directory, 'model.safetensors'))
    own = net.state_dict()
    net.load_state_dict({k: v.to(own[k].dtype) if k in own else v for k, v in state.items()}, strict=strict)
    return net.eval()
`;

/**
 * The text of model.py for a text model: a torch nn.Module named Model with the model's
 * architecture and parameter names, a safetensors reader and load(DIR).
 * @example
 * import { pytorchModelSource, text } from 'chainrule';
 * pytorchModelSource(new text.LogisticRegression(10, 2)).includes('class Model(nn.Module)') // true
 */
export function pytorchModelSource(module: TextModule): string {
  const c = pytorchConfig(module);
  return HEADER.replace('__CONFIG__', JSON.stringify(JSON.stringify(c))) + MODELS[c.kind] + FOOTER;
}

/**
 * Exports the model of a `chainrule textclf train` run folder for PyTorch: DIR/model.py (see
 * pytorchModelSource) and DIR/model.safetensors (the weights under their names), both written
 * atomically into an existing folder. Returns the paths written.
 * @example
 * ```ts
 * // a run folder as `chainrule textclf train` writes it: model.json and model.safetensors
 * const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-run-`);
 * const f = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const meta = { format: 'chainrule-textclf/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', hp: null, features: f.toJSON(), dataset: 'demo' };
 * writeFileSync(`${dir}/model.json`, JSON.stringify(meta));
 * save(new text.LogisticRegression(f.size, 2).stateDict(), `${dir}/model.safetensors`);
 * exportTextRunPytorch(dir, dir).map((p) => p.slice(dir.length)) // ['/model.py', '/model.safetensors']
 * rmSync(dir, { recursive: true });
 * ```
 */
export function exportTextRunPytorch(dir: string, outDir: string): string[] {
  const { meta, module } = loadTextModule(dir, OP);
  if (!module) throw new ChainruleError(`${OP}: ${joinPath(dir, 'model.json')} is the majority baseline; it has no network to export`);
  const source = pytorchModelSource(module);
  const py = joinPath(outDir, 'model.py');
  const weights = joinPath(outDir, 'model.safetensors');
  const state = Object.fromEntries(Object.entries(module.stateDict()));
  writeFileAtomic(weights, encodeSafetensors(state, { format: 'chainrule-textclf-pytorch/1', model: (meta as SavedModel).model }), OP);
  writeFileAtomic(py, source, OP);
  return [py, weights];
}
