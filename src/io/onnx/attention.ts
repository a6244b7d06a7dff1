/**
 * ONNX exporters of MultiheadAttention and the transformer layers and stacks. Attention is the
 * op table's scaledDotProductAttention mapping on heads [N, H, L, Dh]; the graph works batch-first
 * inside, with batch and sequence lengths read at run time (Reshape's 0 copies a dimension).
 */
import { MultiheadAttention } from '../../nn/attention.js';
import type { LayerNorm } from '../../nn/norm.js';
import type { Module } from '../../nn/module.js';
import { TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer } from '../../nn/transformer.js';
import { type Tensor, gelu, relu, scaledDotProductAttention } from '../../ops/index.js';
import { fmtShape } from '../../errors.js';
import { at, emitOp, fail, flatTensors, join, linear, run } from './common.js';
import type { OnnxGraph, OnnxValue } from './graph.js';

/** Exports a child module (the dispatcher of modules.ts, passed down so that no import cycles). */
export type ExportChild = (g: OnnxGraph, m: Module, inputs: readonly OnnxValue[], path: string) => OnnxValue[];

/** Masks of one attention call: keys to leave out ([N, S] bool, true: padding) and causality. */
export interface AttentionMasks {
  keyPadding?: string;
  causal?: boolean;
}

function checkPlain(m: MultiheadAttention, path: string): void {
  if (m.bias_k || m.bias_v) fail(m, path, 'addBiasKV: the appended key and value have no ONNX form here');
  if (m.addZeroAttn) fail(m, path, 'addZeroAttn: the appended zero key has no ONNX form here');
}

/**
 * One attention call on batch-first values [N, L, E] (query) and [N, S, kdim|vdim] (key, value):
 * the output [N, L, E] and the weights [N, H, L, S] (softmax), as MultiheadAttention computes them.
 */
export function attentionBlock(g: OnnxGraph, m: MultiheadAttention, q: string, k: string, v: string, path: string, masks: AttentionMasks = {}): { out: string; weights: string } {
  checkPlain(m, path);
  const E = m.embedDim;
  const H = m.numHeads;
  const packed = m.in_proj_weight ? g.weight(join(path, 'in_proj_weight'), m.in_proj_weight) : null;
  const bias = m.in_proj_bias ? g.weight(join(path, 'in_proj_bias'), m.in_proj_bias) : null;
  const rows = (t: string, i: number): string => g.node('Slice', [t, g.int64([i * E]), g.int64([(i + 1) * E]), g.int64([0])])[0];
  const separate = [m.q_proj_weight, m.k_proj_weight, m.v_proj_weight];
  const project = (x: string, i: number): string => {
    const w = packed ? rows(packed, i) : g.weight(join(path, `${['q', 'k', 'v'][i]}_proj_weight`), separate[i] as Tensor);
    const y = g.node('MatMul', [x, g.node('Transpose', [w], { perm: [1, 0] })[0]])[0];
    return bias ? g.node('Add', [y, rows(bias, i)])[0] : y;
  };
  const heads = (t: string): string => g.node('Transpose', [g.node('Reshape', [t, g.int64([0, 0, H, m.headDim])])[0]], { perm: [0, 2, 1, 3] })[0];
  const [qh, kh, vh] = [q, k, v].map((x, i) => heads(project(x, i)));
  // [N, S] padding -> [N, 1, 1, S] "attend"
  const attend = masks.keyPadding ? [g.node('Not', [g.node('Unsqueeze', [masks.keyPadding, g.int64([1, 2])])[0]])[0]] : [];
  const attrs = { scale: 1 / Math.sqrt(m.headDim), isCausal: masks.causal ?? false, maskKind: 'bool', rank: 4, output: 'weights' };
  const weights = emitOp(g, scaledDotProductAttention.def, [qh, kh, vh, ...attend], attrs, at(m, path));
  const o = g.node('Reshape', [g.node('Transpose', [g.node('MatMul', [weights, vh])[0]], { perm: [0, 2, 1, 3] })[0], g.int64([0, 0, E])])[0];
  const ow = g.node('Transpose', [g.weight(join(path, 'out_proj.weight'), m.out_proj.weight)], { perm: [1, 0] })[0];
  const out = g.node('MatMul', [o, ow])[0];
  return { out: m.out_proj.bias ? g.node('Add', [out, g.weight(join(path, 'out_proj.bias'), m.out_proj.bias)])[0] : out, weights };
}

/** [L, N, E] <-> [N, L, E] (its own inverse). */
function swap01(g: OnnxGraph, name: string): string {
  return g.node('Transpose', [name], { perm: [1, 0, 2] })[0];
}

function mha(g: OnnxGraph, m: MultiheadAttention, inputs: readonly OnnxValue[], path: string): OnnxValue[] {
  if (inputs.length !== 3) fail(m, path, `takes query, key and value, got ${inputs.length} inputs`);
  const [q, k, v] = inputs;
  if (q.t.ndim !== 3) fail(m, path, `exports batched inputs (3-d), got query ${fmtShape(q.t.shape)}`);
  checkPlain(m, path);
  const res = run(m, () => flatTensors(m.forward(q.t, k.t, v.t), at(m, path)));
  const bf = (x: OnnxValue): string => (m.batchFirst ? x.name : swap01(g, x.name));
  const { out, weights } = attentionBlock(g, m, bf(q), bf(k), bf(v), path);
  return [
    { name: m.batchFirst ? out : swap01(g, out), t: res[0] },
    { name: g.node('ReduceMean', [weights], { axes: [1], keepdims: 0 })[0], t: res[1] },
  ];
}

function activation(g: OnnxGraph, m: Module, kind: unknown, x: string, path: string): string {
  if (kind === 'relu') return emitOp(g, relu.def, [x], {}, at(m, path));
  if (kind === 'gelu') return emitOp(g, gelu.def, [x], { approximate: 'none' }, at(m, path));
  return fail(m, path, 'a custom activation function has no ONNX form (use relu or gelu)');
}

/** One encoder or decoder layer on batch-first values; `memory` (decoder) is [N, S, E]. */
function layer(
  g: OnnxGraph,
  sub: ExportChild,
  m: TransformerEncoderLayer | TransformerDecoderLayer,
  x: OnnxValue,
  path: string,
  masks: AttentionMasks,
  memory?: OnnxValue,
  memoryMasks: AttentionMasks = {},
): OnnxValue {
  const c = m.config;
  const p = (name: string): string => join(path, name);
  const norm = (n: LayerNorm, name: string, v: OnnxValue): OnnxValue => sub(g, n, [v], p(name))[0];
  const add = (a: OnnxValue, b: string): OnnxValue => ({ name: g.node('Add', [a.name, b])[0], t: a.t });
  const sa = (v: OnnxValue): string => attentionBlock(g, m.self_attn, v.name, v.name, v.name, p('self_attn'), masks).out;
  const ca = (v: OnnxValue): string => {
    const mem = (memory as OnnxValue).name;
    return attentionBlock(g, (m as TransformerDecoderLayer).multihead_attn, v.name, mem, mem, p('multihead_attn'), memoryMasks).out;
  };
  const ff = (v: OnnxValue): string => {
    const h = linear(g, m.linear1, v, p('linear1'));
    return linear(g, m.linear2, { name: activation(g, m, c.activation, h.name, path), t: h.t }, p('linear2')).name;
  };
  const decoder = m instanceof TransformerDecoderLayer;
  const blocks: ((v: OnnxValue) => string)[] = decoder ? [sa, ca, ff] : [sa, ff];
  const norms = decoder ? ['norm1', 'norm2', 'norm3'] : ['norm1', 'norm2'];
  let y = x;
  blocks.forEach((block, i) => {
    const n = (m as unknown as Record<string, LayerNorm>)[norms[i]];
    y = c.normFirst ? add(y, block(norm(n, norms[i], y))) : norm(n, norms[i], add(y, block(y)));
  });
  return y;
}

/** A transformer encoder (stack or single layer) on batch-first [N, L, E]; the stack's norm last. */
export function encoderStack(g: OnnxGraph, sub: ExportChild, m: TransformerEncoder | TransformerEncoderLayer, x: OnnxValue, path: string, masks: AttentionMasks = {}): OnnxValue {
  if (m instanceof TransformerEncoderLayer) return layer(g, sub, m, x, path, masks);
  let y = x;
  m.layers.forEach((l, i) => {
    y = layer(g, sub, l, y, join(path, `layers.${i}`), masks);
  });
  return m.norm ? sub(g, m.norm, [y], join(path, 'norm'))[0] : y;
}

function transformerModule(g: OnnxGraph, sub: ExportChild, m: TransformerEncoder | TransformerEncoderLayer | TransformerDecoder | TransformerDecoderLayer, inputs: readonly OnnxValue[], path: string): OnnxValue[] {
  const decoder = m instanceof TransformerDecoder || m instanceof TransformerDecoderLayer;
  const want = decoder ? 2 : 1;
  if (inputs.length !== want) fail(m, path, `takes ${decoder ? 'tgt and memory' : 'src'}, got ${inputs.length} inputs`);
  if (inputs.some((v) => v.t.ndim !== 3)) fail(m, path, `exports batched inputs (3-d), got ${inputs.map((v) => fmtShape(v.t.shape)).join(' and ')}`);
  const first = m instanceof TransformerEncoder || m instanceof TransformerDecoder ? m.layers[0] : m;
  const batchFirst = first.config.batchFirst;
  const t = run(m, () => (decoder ? (m as TransformerDecoder).forward(inputs[0].t, inputs[1].t) : (m as TransformerEncoder).forward(inputs[0].t)));
  // inside: batch-first values, with example tensors of the batch-first shapes
  const bf = (v: OnnxValue): OnnxValue => (batchFirst ? v : { name: swap01(g, v.name), t: v.t.transpose(0, 1) });
  const [x, mem] = inputs.map(bf);
  let y: OnnxValue;
  if (!decoder) y = encoderStack(g, sub, m as TransformerEncoder | TransformerEncoderLayer, x, path);
  else if (m instanceof TransformerDecoderLayer) y = layer(g, sub, m, x, path, {}, mem);
  else {
    const stack = m as TransformerDecoder;
    y = x;
    stack.layers.forEach((l, i) => {
      y = layer(g, sub, l, y, join(path, `layers.${i}`), {}, mem);
    });
    if (stack.norm) y = sub(g, stack.norm, [y], join(path, 'norm'))[0];
  }
  return [{ name: batchFirst ? y.name : swap01(g, y.name), t }];
}

/** The exporters of this file: a module's outputs, or null when the module is none of them. */
export function exportAttention(g: OnnxGraph, sub: ExportChild, m: Module, inputs: readonly OnnxValue[], path: string): OnnxValue[] | null {
  if (m instanceof MultiheadAttention) return mha(g, m, inputs, path);
  if (m instanceof TransformerEncoder || m instanceof TransformerEncoderLayer || m instanceof TransformerDecoder || m instanceof TransformerDecoderLayer) return transformerModule(g, sub, m, inputs, path);
  return null;
}
