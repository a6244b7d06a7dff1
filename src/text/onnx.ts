/**
 * ONNX export of the text classifiers `chainrule textclf train` writes. Sequence models (cnn,
 * bigru, bilstm, transformer) take `ids` [batch, time] int64: token ids of the run's vocabulary, right-padded
 * with 0 (<pad>), each text's length being its count of non-zero ids (at least 1), as the
 * training batches; the sparse models (logreg, mlp, fasttext) take `features` [batch, features]
 * float32: the rows the run's vectorizer writes, dense. Both give `logits` and `probabilities`
 * (softmax) [batch, classes]. Batch and time are free axes.
 */
import { join as joinPath } from 'node:path';
import { ChainruleError } from '../errors.js';
import { writeFileAtomic } from '../io/fs.js';
import { encodeModel, checkOpset, floatTypeOf, type OnnxPort } from '../io/onnx/export.js';
import { OnnxGraph, type OnnxValue } from '../io/onnx/graph.js';
import { encoderStack } from '../io/onnx/attention.js';
import { exportModule, recurrentLayers } from '../io/onnx/modules.js';
import { LearnedPositionalEmbedding, sinusoidalPositions } from '../nn/positional.js';
import type { Linear } from '../nn/linear.js';
import { randint, zeros } from '../tensor/creation.js';
import { type SavedModel, loadTextModule } from './checkpoint.js';
import type { TextModule } from './models/base.js';
import { KimCNN } from './models/cnn.js';
import { FastText, LogisticRegression, SparseMLP } from './models/linear.js';
import { BiRNN } from './models/rnn.js';
import { TransformerClassifier } from './models/transformer.js';
import { concat, type Tensor } from '../ops/index.js';

const OP = 'textclf export';
const NEG = -1e9;

/** Options of exportTextModel and exportTextRun. @example (await exportTextModel(new text.LogisticRegression(4, 2), { opset: 13 })).length > 0 // true */
export interface TextOnnxOptions {
  /** the ONNX opset, 13 to 17 (default 17) */
  opset?: number;
  /** the longest input in tokens, for a transformer's sinusoidal position table (default 512; a run's export uses its maxLength) */
  maxLength?: number;
}

/** The lengths [B] int64 of right-padded ids: the count of non-zero ids, at least 1. */
function lengthsOf(g: OnnxGraph, ids: string): string {
  const real = g.node('Cast', [g.node('Not', [g.node('Equal', [ids, g.int64(0)])[0]])[0]], { to: 7 })[0];
  return g.node('Max', [g.node('ReduceSum', [real, g.int64([1])], { keepdims: 0 })[0], g.int64(1)])[0];
}

/** [B, n] bool: position < valid[b], for positions 0..n-1 where n is dimension `axis` of `like`. */
function positionMask(g: OnnxGraph, like: string, axis: number, valid: string): string {
  const n = g.node('Squeeze', [g.node('Slice', [g.node('Shape', [like])[0], g.int64([axis]), g.int64([axis + 1])])[0], g.int64([0])])[0];
  const pos = g.node('Unsqueeze', [g.node('Range', [g.int64(0), n, g.int64(1)])[0], g.int64([0])])[0];
  return g.node('Less', [pos, g.node('Unsqueeze', [valid, g.int64([1])])[0]])[0];
}

/** x + (0 where mask, -1e9 elsewhere), the additive mask of the models' max-over-time. */
function maskedMax(g: OnnxGraph, x: string, mask3: string, axis: number): string {
  const neg = g.node('Where', [mask3, g.float(0), g.float(NEG)])[0];
  return g.node('ReduceMax', [g.node('Add', [x, neg])[0]], { axes: [axis], keepdims: 0 })[0];
}

function linearOn(g: OnnxGraph, m: Linear, x: OnnxValue, path: string): OnnxValue {
  return exportModule(g, m, [x], path)[0];
}

/** An example batch of ids [2, length] (real tokens only) for the shapes the exporters check. */
function exampleIds(vocab: number, length: number): Tensor {
  return randint(Math.min(2, vocab - 1), vocab, [2, length]).to('int32');
}

function sequenceGraph(g: OnnxGraph, m: KimCNN | BiRNN, ids: string): OnnxValue {
  const widest = m instanceof KimCNN ? Math.max(...m.widths) : 1;
  const exIds = exampleIds(m.vocabSize, widest + 2);
  const emb = exportModule(g, m.embedding, [{ name: ids, t: exIds }], 'embedding')[0];
  const len = lengthsOf(g, ids);
  if (m instanceof KimCNN) {
    const chans = { name: g.node('Transpose', [emb.name], { perm: [0, 2, 1] })[0], t: emb.t.permute([0, 2, 1]) };
    const pooled = m.convs.map((conv, i) => {
      const k = m.widths[i];
      const y = exportModule(g, conv, [chans], `convs.${i}`)[0];
      const r = g.node('Relu', [y.name])[0];
      // window t counts while it lies inside the text; a text shorter than k keeps window 0
      const steps = g.node('Squeeze', [g.node('Slice', [g.node('Shape', [r])[0], g.int64([2]), g.int64([3])])[0], g.int64([0])])[0];
      const valid = g.node('Max', [g.node('Min', [g.node('Sub', [len, g.int64(k - 1)])[0], steps])[0], g.int64(1)])[0];
      const mask = g.node('Unsqueeze', [positionMask(g, r, 2, valid), g.int64([1])])[0];
      return { name: maskedMax(g, r, mask, 2), t: y.t.relu().max(2) };
    });
    const feats = { name: g.node('Concat', pooled.map((p) => p.name), { axis: 1 })[0], t: concat(pooled.map((p) => p.t), 1) };
    return linearOn(g, m.out, feats, 'out');
  }
  // BiRNN: time-first for the ONNX GRU/LSTM, each text's length as sequence_lens
  const timeFirst = g.node('Transpose', [emb.name], { perm: [1, 0, 2] })[0];
  const lens32 = g.node('Cast', [len], { to: 6 })[0];
  const { out } = recurrentLayers(g, m.rnn, timeFirst, 'rnn', { sequenceLens: lens32 });
  const h = g.node('Transpose', [out], { perm: [1, 0, 2] })[0];
  const mask3 = g.node('Unsqueeze', [positionMask(g, h, 1, len), g.int64([2])])[0];
  const max = maskedMax(g, h, mask3, 1);
  const sum = g.node('ReduceSum', [g.node('Where', [mask3, h, g.float(0)])[0], g.int64([1])], { keepdims: 0 })[0];
  const count = g.node('Cast', [g.node('Unsqueeze', [len, g.int64([1])])[0]], { to: g.floatType === 'float64' ? 11 : 1 })[0];
  const mean = g.node('Mul', [sum, g.node('Reciprocal', [g.node('Max', [count, g.float(1)])[0]])[0]])[0];
  const hx = m.rnn.forward(emb.t)[0];
  const feats = { name: g.node('Concat', [max, mean], { axis: 1 })[0], t: concat([hx.max(1), hx.mean(1)], 1) };
  return linearOn(g, m.out, feats, 'out');
}

/**
 * The transformer classifier: embeddings (a learned first token prepended for pooling 'first'),
 * positions read from the table up to the run-time length, the encoder with the padding as its key
 * padding mask, then mean over the real tokens (or the first token's state) and the output layer.
 */
function transformerGraph(g: OnnxGraph, m: TransformerClassifier, ids: string, maxLength: number): OnnxValue {
  const exIds = exampleIds(m.vocabSize, 3);
  const emb = exportModule(g, m.embedding, [{ name: ids, t: exIds }], 'embedding')[0];
  const len = lengthsOf(g, ids);
  let real = positionMask(g, ids, 1, len);
  let x = emb.name;
  let steps = exIds.shape[1];
  if (m.cls) {
    const batch = g.node('Slice', [g.node('Shape', [ids])[0], g.int64([0]), g.int64([1])])[0];
    const first = g.node('Expand', [g.weight('cls', m.cls), g.node('Concat', [batch, g.int64([1, m.embed])], { axis: 0 })[0]])[0];
    x = g.node('Concat', [first, x], { axis: 1 })[0];
    // the first token is always attended (every length is at least 1)
    real = g.node('Concat', [g.node('Unsqueeze', [g.node('Greater', [len, g.int64(0)])[0], g.int64([1])])[0], real], { axis: 1 })[0];
    steps++;
  }
  const pos = m.positions;
  const table = pos instanceof LearnedPositionalEmbedding ? g.weight('positions.weight', pos.weight) : constantTable(g, maxLength + (m.cls ? 1 : 0), m.embed);
  const length = g.node('Slice', [g.node('Shape', [x])[0], g.int64([1]), g.int64([2])])[0];
  x = g.node('Add', [x, g.node('Slice', [table, g.int64([0]), length, g.int64([0])])[0]])[0];
  const h = encoderStack(g, exportModule, m.encoder, { name: x, t: zeros([2, steps, m.embed]) }, 'encoder', { keyPadding: g.node('Not', [real])[0] }).name;
  let pooled: string;
  if (m.cls) pooled = g.node('Squeeze', [g.node('Slice', [h, g.int64([0]), g.int64([1]), g.int64([1])])[0], g.int64([1])])[0];
  else {
    const w = g.node('Cast', [real], { to: g.floatType === 'float64' ? 11 : 1 })[0];
    const sum = g.node('ReduceSum', [g.node('Mul', [h, g.node('Unsqueeze', [w, g.int64([2])])[0]])[0], g.int64([1])], { keepdims: 0 })[0];
    const count = g.node('Max', [g.node('ReduceSum', [w, g.int64([1])], { keepdims: 1 })[0], g.float(1)])[0];
    pooled = g.node('Mul', [sum, g.node('Reciprocal', [count])[0]])[0];
  }
  return linearOn(g, m.out, { name: pooled, t: zeros([2, m.embed]) }, 'out');
}

/** The sinusoidal position table [length, d] as a constant of the graph's floating type. */
function constantTable(g: OnnxGraph, length: number, d: number): string {
  return g.float(Array.from(sinusoidalPositions(length, d).dataSync()), [length, d]);
}

/** The example tensors here are those of a row of zero features. */
function rowsGraph(g: OnnxGraph, m: LogisticRegression | SparseMLP | FastText, x: string): OnnxValue {
  if (m instanceof LogisticRegression) {
    const y = g.node('MatMul', [x, g.weight('weight', m.weight)])[0];
    return { name: g.node('Add', [y, g.weight('bias', m.bias)])[0], t: m.bias.reshape([1, -1]) };
  }
  if (m instanceof SparseMLP) {
    const h = g.node('Relu', [g.node('Add', [g.node('MatMul', [x, g.weight('w1', m.w1)])[0], g.weight('b1', m.b1)])[0]])[0];
    return linearOn(g, m.out, { name: h, t: m.b1.reshape([1, -1]).relu() }, 'out');
  }
  // fastText: the rows hold each text's mean weights, so X·E is its EmbeddingBag (sum mode, per-sample weights)
  const pooled = g.node('MatMul', [x, g.weight('bag.weight', m.bag.weight)])[0];
  return linearOn(g, m.out, { name: pooled, t: zeros([1, m.dim]) }, 'out');
}

/**
 * The ONNX model of a text classifier (see the module comment for its inputs and outputs).
 * @example
 * ```ts
 * const bytes = await exportTextModel(new text.KimCNN(100, 2, { embed: 8, filters: 4 })); // ids [batch, time] -> logits, probabilities
 * bytes.length > 0 // true
 * ```
 */
export async function exportTextModel(module: TextModule, opts: TextOnnxOptions = {}): Promise<Uint8Array> {
  const opset = checkOpset(opts.opset, OP);
  const g = new OnnxGraph(opset, floatTypeOf(module, OP));
  let input: OnnxPort;
  let logits: OnnxValue;
  let classes: number;
  if (module instanceof KimCNN || module instanceof BiRNN) {
    input = { name: g.reserve('ids', 'input'), dtype: 'int64', dims: ['batch', 'time'] };
    logits = sequenceGraph(g, module, input.name);
    classes = module.classes;
  } else if (module instanceof TransformerClassifier) {
    input = { name: g.reserve('ids', 'input'), dtype: 'int64', dims: ['batch', 'time'] };
    logits = transformerGraph(g, module, input.name, opts.maxLength ?? 512);
    classes = module.classes;
  } else if (module instanceof LogisticRegression || module instanceof SparseMLP || module instanceof FastText) {
    input = { name: g.reserve('features', 'input'), dtype: g.floatType, dims: ['batch', module.features] };
    logits = rowsGraph(g, module, input.name);
    classes = module.classes;
  } else {
    throw new ChainruleError(`${OP}: ${module.constructor.name} is not a textclf model this exporter knows`);
  }
  g.reserve('logits', 'output');
  g.reserve('probabilities', 'output');
  g.alias(logits.name, 'logits');
  g.alias(g.node('Softmax', [logits.name], { axis: 1 })[0], 'probabilities');
  const out = (name: string): OnnxPort => ({ name, dtype: g.floatType, dims: ['batch', classes] });
  return encodeModel(g, [input], [out('logits'), out('probabilities')], module.constructor.name, OP);
}

/**
 * What the JSON file beside an exported text model holds: how to make its input, and its labels
 * (see exportTextRun's example).
 * @example const side: TextOnnxMeta = { format: 'chainrule-textclf-onnx/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', input: 'features', outputs: ['logits', 'probabilities'], features: null, dataset: 'demo' }; side.outputs // ['logits', 'probabilities']
 */
export interface TextOnnxMeta {
  /** the version of this file's layout */
  format: 'chainrule-textclf-onnx/1';
  /** the model's name as `chainrule textclf train` takes it ('logreg', 'cnn', 'transformer', ...) */
  model: SavedModel['model'];
  /** the class names, in the order of the outputs' columns */
  labels: string[];
  /** the class the PR curve was drawn for (binary tasks, e.g. 'spam'), else null */
  positive: string | null;
  /** the graph's input: 'ids' (sequence models) or 'features' (sparse models) */
  input: 'ids' | 'features';
  /** the graph's outputs, both `[batch, classes]`: the logits and their softmax */
  outputs: ['logits', 'probabilities'];
  /** the run's tokenizer and vocabulary (seq) or vectorizer (sparse, bag): how texts become the input */
  features: SavedModel['features'];
  /** where the training texts came from (the CSV/JSONL path, or the SpamAssassin view) */
  dataset: string;
}

/**
 * Exports the model of a `chainrule textclf train` run folder to an ONNX file, and writes the
 * vocabulary (or vectorizer) and the label names beside it as `<file>.json`; both writes are
 * atomic. Returns the paths written.
 * @example
 * ```ts
 * // a run folder as `chainrule textclf train` writes it: model.json and model.safetensors
 * const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-run-`);
 * const f = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const model = new text.LogisticRegression(f.size, 2);
 * const meta = { format: 'chainrule-textclf/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', hp: null, features: f.toJSON(), dataset: 'demo' };
 * writeFileSync(`${dir}/model.json`, JSON.stringify(meta));
 * save(model.stateDict(), `${dir}/model.safetensors`);
 * const written = await exportTextRun(dir, `${dir}/model.onnx`);
 * written.map((p) => p.slice(dir.length)) // ['/model.onnx', '/model.onnx.json']
 * const side: TextOnnxMeta = JSON.parse(readFileSync(`${dir}/model.onnx.json`, 'utf8'));
 * side.input // 'features'
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function exportTextRun(dir: string, path: string, opts: TextOnnxOptions = {}): Promise<string[]> {
  const { meta, module } = loadTextModule(dir, OP);
  if (!module) throw new ChainruleError(`${OP}: ${joinPath(dir, 'model.json')} is the majority baseline (it outputs its class prior for every text); it has no network to export`);
  const maxLength = (meta.features as { maxLength?: number }).maxLength;
  const bytes = await exportTextModel(module, { maxLength, ...opts });
  const side: TextOnnxMeta = {
    format: 'chainrule-textclf-onnx/1',
    model: meta.model,
    labels: meta.labels,
    positive: meta.positive,
    input: module.input === 'seq' ? 'ids' : 'features',
    outputs: ['logits', 'probabilities'],
    features: meta.features,
    dataset: meta.dataset,
  };
  const sidePath = `${path}.json`;
  writeFileAtomic(path, bytes, OP);
  writeFileAtomic(sidePath, JSON.stringify(side), OP);
  return [path, sidePath];
}
