/**
 * Module-level ONNX exporters: each nn module writes its own subgraph, the activations through
 * their op-table entries' `onnx` mappings. Every exporter also runs the module on the example
 * tensors (in eval mode), so shapes are checked as the forward checks them and each value of the
 * graph carries the tensor chainrule computes there.
 */
import { fmtShape } from '../../errors.js';
import { Sign, Scale } from '../../nn/activation.js';
import { Sequential } from '../../nn/container.js';
import { Conv1d } from '../../nn/conv.js';
import { Dropout } from '../../nn/dropout.js';
import { Embedding, EmbeddingBag } from '../../nn/embedding.js';
import { Flatten, Identity, Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { BatchNorm1d, LayerNorm } from '../../nn/norm.js';
import { AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, MaxPool1d } from '../../nn/pool.js';
import { GRU, LSTM, RNN } from '../../nn/rnn.js';
import { tensor } from '../../tensor/creation.js';
import type { Tensor } from '../../ops/index.js';
import { exportAttention } from './attention.js';
import { activationDef, at, batched, emitOp, fail, flatTensors, join, linear, one, run } from './common.js';
import type { OnnxGraph, OnnxValue } from './graph.js';
import { exportLayer } from './layers.js';

/** Exports one module applied to the given values; returns its outputs (flattened). */
export function exportModule(g: OnnxGraph, m: Module, inputs: readonly OnnxValue[], path: string): OnnxValue[] {
  const saved = g.path;
  g.path = path;
  try {
    return write(g, m, inputs, path);
  } finally {
    g.path = saved;
  }
}

function write(g: OnnxGraph, m: Module, inputs: readonly OnnxValue[], path: string): OnnxValue[] {
  if (m instanceof Sequential) {
    let vals = inputs;
    let i = 0;
    for (const child of m) {
      vals = exportModule(g, child, vals, join(path, String(i++)));
    }
    return [...vals];
  }
  const def = activationDef(m);
  if (def) {
    const x = one(m, path, inputs);
    const t = run(m, () => (m as unknown as { forward(x: Tensor): Tensor }).forward(x.t));
    return [{ name: emitOp(g, def, [x.name], (m as unknown as { params: Record<string, unknown> }).params, at(m, path)), t }];
  }
  const more = exportLayer(g, m, inputs, path) ?? exportAttention(g, exportModule, m, inputs, path);
  if (more) return more;
  const x = one(m, path, inputs);
  if (m instanceof Linear) return [linear(g, m, x, path)];
  if (m instanceof Dropout || m instanceof Identity) return [{ name: x.name, t: x.t }];
  if (m instanceof Flatten) return [flatten(g, m, x)];
  if (m instanceof Sign) {
    const t = run(m, () => m.forward(x.t));
    // ONNX's Sign keeps NaN; PyTorch's sign and chainrule's give 0
    const s = g.node('Where', [g.node('IsNaN', [x.name])[0], g.float(0), g.node('Sign', [x.name])[0]])[0];
    if (m.zero === 0) return [{ name: s, t }];
    return [{ name: g.node('Where', [g.node('Equal', [x.name, g.float(0)])[0], g.float(m.zero), s])[0], t }];
  }
  if (m instanceof Scale) {
    const [inner] = exportModule(g, m.inner, [x], join(path, 'inner'));
    return [{ name: g.node('Mul', [inner.name, g.float(m.factor)])[0], t: run(m, () => m.forward(x.t)) }];
  }
  if ((m instanceof Embedding || m instanceof EmbeddingBag) && m.maxNorm !== null) {
    fail(m, path, 'maxNorm rescales the weight in place as it runs; an ONNX graph has no such step');
  }
  if (m instanceof Embedding) {
    const t = run(m, () => m.forward(x.t));
    return [{ name: g.node('Gather', [g.weight(join(path, 'weight'), m.weight), x.name], { axis: 0 })[0], t }];
  }
  if (m instanceof EmbeddingBag) return [embeddingBag(g, m, x, path)];
  if (m instanceof LayerNorm) return [layerNorm(g, m, x, path)];
  if (m instanceof BatchNorm1d) return [batchNorm(g, m, x, path)];
  if (m instanceof Conv1d) return [conv1d(g, m, x, path)];
  if (m instanceof MaxPool1d || m instanceof AvgPool1d || m instanceof AdaptiveMaxPool1d || m instanceof AdaptiveAvgPool1d) return [pool(g, m, x, path)];
  if (m instanceof RNN || m instanceof GRU || m instanceof LSTM) return recurrent(g, m, x, path);
  return fail(m, path, 'has no ONNX exporter');
}

/** Reshape to [...shape[:start], -1, ...shape[end+1:]], the dims read from the input at run time. */
function flatten(g: OnnxGraph, m: Flatten, x: OnnxValue): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  const r = x.t.ndim;
  const s = m.startDim < 0 ? m.startDim + r : m.startDim;
  const e = m.endDim < 0 ? m.endDim + r : m.endDim;
  const shape = g.node('Shape', [x.name])[0];
  const parts: string[] = [];
  if (s > 0) parts.push(g.node('Slice', [shape, g.int64([0]), g.int64([s])])[0]);
  parts.push(g.int64([-1]));
  if (e < r - 1) parts.push(g.node('Slice', [shape, g.int64([e + 1]), g.int64([r])])[0]);
  const target = parts.length === 1 ? parts[0] : g.node('Concat', parts, { axis: 0 })[0];
  return { name: g.node('Reshape', [x.name, target])[0], t };
}

/** Gather the bag's rows, then reduce over the bag (padding rows left out, as PyTorch). */
function embeddingBag(g: OnnxGraph, m: EmbeddingBag, x: OnnxValue, path: string): OnnxValue {
  if (x.t.ndim !== 2) fail(m, path, `exports bags as rows of a 2-d input [bags, size], got ${fmtShape(x.t.shape)} (a 1-d input cut at offsets has no ONNX form here)`);
  const t = run(m, () => m.forward(x.t));
  const rows = g.node('Gather', [g.weight(join(path, 'weight'), m.weight), x.name], { axis: 0 })[0];
  const axes = g.int64([1]);
  if (m.paddingIdx === null) {
    if (m.mode === 'sum') return { name: g.node('ReduceSum', [rows, axes], { keepdims: 0 })[0], t };
    return { name: g.node(m.mode === 'mean' ? 'ReduceMean' : 'ReduceMax', [rows], { axes: [1], keepdims: 0 })[0], t };
  }
  const pad = g.node('Cast', [g.int64(m.paddingIdx)], { to: onnxIndexType(x.t.dtype) })[0];
  const keep = g.node('Unsqueeze', [g.node('Not', [g.node('Equal', [x.name, pad])[0]])[0], g.int64([2])])[0];
  const count = g.node('ReduceSum', [g.node('Where', [keep, g.float(1), g.float(0)])[0], axes], { keepdims: 0 })[0];
  if (m.mode === 'max') {
    const best = g.node('ReduceMax', [g.node('Where', [keep, rows, g.float(Number.NEGATIVE_INFINITY)])[0]], { axes: [1], keepdims: 0 })[0];
    // a bag of padding only is zeros, as PyTorch
    return { name: g.node('Where', [g.node('Greater', [count, g.float(0)])[0], best, g.float(0)])[0], t };
  }
  const sum = g.node('ReduceSum', [g.node('Where', [keep, rows, g.float(0)])[0], axes], { keepdims: 0 })[0];
  if (m.mode === 'sum') return { name: sum, t };
  return { name: g.node('Div', [sum, g.node('Max', [count, g.float(1)])[0]])[0], t };
}

function onnxIndexType(dtype: string): number {
  return dtype === 'int32' ? 6 : 7;
}

function layerNorm(g: OnnxGraph, m: LayerNorm, x: OnnxValue, path: string): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  const k = m.normalizedShape.length;
  const w = m.weight ? g.weight(join(path, 'weight'), m.weight) : null;
  const b = m.bias ? g.weight(join(path, 'bias'), m.bias) : null;
  if (g.opset >= 17) {
    const scale = w ?? g.float(new Array(m.normalizedShape.reduce((p, q) => p * q, 1)).fill(1), m.normalizedShape);
    return { name: g.node('LayerNormalization', b ? [x.name, scale, b] : [x.name, scale], { axis: -k, epsilon: m.eps })[0], t };
  }
  // below opset 17: (x - mean)/sqrt(var + eps)·w + b, the biased variance, as the forward
  const axes = Array.from({ length: k }, (_, i) => i - k);
  const mean = g.node('ReduceMean', [x.name], { axes, keepdims: 1 })[0];
  const d = g.node('Sub', [x.name, mean])[0];
  const v = g.node('ReduceMean', [g.node('Mul', [d, d])[0]], { axes, keepdims: 1 })[0];
  let y = g.node('Div', [d, g.node('Sqrt', [g.node('Add', [v, g.float(m.eps)])[0]])[0]])[0];
  if (w) y = g.node('Mul', [y, w])[0];
  if (b) y = g.node('Add', [y, b])[0];
  return { name: y, t };
}

function batchNorm(g: OnnxGraph, m: BatchNorm1d, x: OnnxValue, path: string): OnnxValue {
  if (!m.running_mean || !m.running_var) fail(m, path, 'has no running statistics (trackRunningStats: false), so it normalises by each batch; the ONNX graph needs them');
  const t = run(m, () => m.forward(x.t));
  const C = m.numFeatures;
  const scale = m.weight ? g.weight(join(path, 'weight'), m.weight) : g.float(new Array(C).fill(1), [C]);
  const bias = m.bias ? g.weight(join(path, 'bias'), m.bias) : g.float(new Array(C).fill(0), [C]);
  const mean = g.weight(join(path, 'running_mean'), m.running_mean);
  const v = g.weight(join(path, 'running_var'), m.running_var);
  return { name: g.node('BatchNormalization', [x.name, scale, bias, mean, v], { epsilon: m.eps })[0], t };
}

function conv1d(g: OnnxGraph, m: Conv1d, x: OnnxValue, path: string): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  const span = m.dilation * (m.kernelSize - 1);
  // 'same' puts the odd zero on the right, as PyTorch
  const pads = m.padding === 'same' ? [Math.floor(span / 2), span - Math.floor(span / 2)] : m.padding === 'valid' ? [0, 0] : [m.padding, m.padding];
  const w = g.weight(join(path, 'weight'), m.weight);
  const b = m.bias ? [g.weight(join(path, 'bias'), m.bias)] : [];
  const attrs = { kernel_shape: [m.kernelSize], strides: [m.stride], pads, dilations: [m.dilation], group: m.groups };
  return { name: batched(g, x, (n) => g.node('Conv', [n, w, ...b], attrs)[0]), t };
}

function pool(g: OnnxGraph, m: MaxPool1d | AvgPool1d | AdaptiveMaxPool1d | AdaptiveAvgPool1d, x: OnnxValue, path: string): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  if (m instanceof AdaptiveMaxPool1d || m instanceof AdaptiveAvgPool1d) {
    if (m.outputSize !== 1) fail(m, path, `outputSize ${m.outputSize}: only 1 (global pooling) has an ONNX operator whatever the input length`);
    return { name: batched(g, x, (n) => g.node(m instanceof AdaptiveMaxPool1d ? 'GlobalMaxPool' : 'GlobalAveragePool', [n])[0]), t };
  }
  const k = m.kernelSize;
  const stride = m.opts.stride ?? k;
  const p = m.opts.padding ?? 0;
  if (m instanceof MaxPool1d) {
    const attrs = { kernel_shape: [k], strides: [stride], pads: [p, p], dilations: [m.opts.dilation ?? 1], ceil_mode: m.opts.ceilMode ? 1 : 0 };
    return { name: batched(g, x, (n) => g.node('MaxPool', [n], attrs)[0]), t };
  }
  // zero padding counts toward the mean, as PyTorch's default count_include_pad
  const attrs = { kernel_shape: [k], strides: [stride], pads: [p, p], count_include_pad: 1 };
  return { name: batched(g, x, (n) => g.node('AveragePool', [n], attrs)[0]), t };
}

/** PyTorch's gate blocks in ONNX's order: GRU (r, z, n) -> (z, r, h); LSTM (i, f, g, o) -> (i, o, f, c). */
const GATE_ORDER = { rnn: [0], gru: [1, 0, 2], lstm: [0, 3, 1, 2] } as const;

/** [D, G·H, cols] from each direction's [G·H, cols] weight with its gate blocks reordered. */
function stackGates(ws: readonly Tensor[], order: readonly number[], H: number): Tensor {
  const cols = ws[0].ndim === 2 ? ws[0].shape[1] : 1;
  const block = H * cols;
  const out = new Float64Array(ws.length * order.length * block);
  ws.forEach((w, d) => {
    const src = w.dataSync();
    order.forEach((gate, j) => {
      for (let e = 0; e < block; e++) out[(d * order.length + j) * block + e] = src[gate * block + e];
    });
  });
  const shape = ws[0].ndim === 2 ? [ws.length, order.length * H, cols] : [ws.length, order.length * H];
  return tensor(out, { shape, dtype: 'float64' });
}

export interface RecurrentOptions {
  /** [B] int32 value name: each sequence's length (ONNX sequence_lens) */
  sequenceLens?: string;
}

/**
 * A stack of ONNX RNN/GRU/LSTM operators, one per layer (both directions in one operator), on
 * x [T, B, I] (time first). Returns the output [T, B, D·H] and the final states [L·D, B, H].
 */
export function recurrentLayers(g: OnnxGraph, m: RNN | GRU | LSTM, x: string, path: string, opts: RecurrentOptions = {}): { out: string; h: string; c: string | null } {
  const kind = m instanceof GRU ? 'gru' : m instanceof LSTM ? 'lstm' : 'rnn';
  if (m.projSize) fail(m, path, `ONNX's LSTM has no projection (projSize ${m.projSize})`);
  const order = GATE_ORDER[kind];
  const D = m.numDirections;
  const H = m.hiddenSize;
  const params = m as unknown as Record<string, Tensor | null | undefined>;
  const opType = kind === 'gru' ? 'GRU' : kind === 'lstm' ? 'LSTM' : 'RNN';
  const attrs: Record<string, number | string | string[]> = { hidden_size: H, direction: D === 2 ? 'bidirectional' : 'forward' };
  if (kind === 'gru') attrs.linear_before_reset = 1;
  if (m instanceof RNN) attrs.activations = new Array(D).fill(m.nonlinearity === 'relu' ? 'Relu' : 'Tanh');
  let input = x;
  const hs: string[] = [];
  const cs: string[] = [];
  for (let l = 0; l < m.numLayers; l++) {
    const sfx = (d: number) => `_l${l}${d ? '_reverse' : ''}`;
    const dirs = Array.from({ length: D }, (_, d) => d);
    const W = stackGates(dirs.map((d) => params[`weight_ih${sfx(d)}`] as Tensor), order, H);
    const R = stackGates(dirs.map((d) => params[`weight_hh${sfx(d)}`] as Tensor), order, H);
    const names = [g.weight(join(path, `W_l${l}`), W), g.weight(join(path, `R_l${l}`), R)];
    if (m.hasBias) {
      const wb = stackGates(dirs.map((d) => params[`bias_ih${sfx(d)}`] as Tensor), order, H);
      const rb = stackGates(dirs.map((d) => params[`bias_hh${sfx(d)}`] as Tensor), order, H);
      const both = new Float64Array(D * 2 * order.length * H);
      const G = order.length * H;
      const a = wb.dataSync();
      const b = rb.dataSync();
      for (let d = 0; d < D; d++) {
        both.set(a.subarray(d * G, (d + 1) * G), d * 2 * G);
        both.set(b.subarray(d * G, (d + 1) * G), d * 2 * G + G);
      }
      names.push(g.weight(join(path, `B_l${l}`), tensor(both, { shape: [D, 2 * G], dtype: 'float64' })));
    } else names.push('');
    names.push(opts.sequenceLens ?? '');
    while (names[names.length - 1] === '') names.pop();
    const outs = g.node(opType, [input, ...names], attrs, kind === 'lstm' ? 3 : 2);
    hs.push(outs[1]);
    if (kind === 'lstm') cs.push(outs[2]);
    // Y [T, D, B, H] -> [T, B, D·H], the next layer's input
    const y = g.node('Transpose', [outs[0]], { perm: [0, 2, 1, 3] })[0];
    input = g.node('Reshape', [y, g.int64([0, 0, -1])])[0];
  }
  const cat = (v: string[]) => (v.length === 1 ? v[0] : g.node('Concat', v, { axis: 0 })[0]);
  return { out: input, h: cat(hs), c: kind === 'lstm' ? cat(cs) : null };
}

function recurrent(g: OnnxGraph, m: RNN | GRU | LSTM, x: OnnxValue, path: string): OnnxValue[] {
  if (x.t.ndim !== 3) fail(m, path, `exports a batched input (3-d), got ${fmtShape(x.t.shape)}`);
  const res = run(m, () => flatTensors(m.forward(x.t), at(m, path)));
  const timeFirst = m.batchFirst ? g.node('Transpose', [x.name], { perm: [1, 0, 2] })[0] : x.name;
  const { out, h, c } = recurrentLayers(g, m, timeFirst, path);
  const y = m.batchFirst ? g.node('Transpose', [out], { perm: [1, 0, 2] })[0] : out;
  const vals = [y, h, ...(c ? [c] : [])];
  return vals.map((name, i) => ({ name, t: res[i] }));
}
