/**
 * ONNX exporters of the 2-d layers (Conv2d, the 2-d pools), GroupNorm, Bilinear and the recurrent
 * cells. Conv2d and the pools write their op-table entries' mappings (conv2d, maxPool2d,
 * avgPool2d); the others are subgraphs of MatMul, the elementwise ops and reductions.
 */
import { conv2dPadding, size2 } from '../../nn/fn/conv2d.js';
import { Conv2d } from '../../nn/conv2d.js';
import { Bilinear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import { GroupNorm } from '../../nn/norm2d.js';
import { AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool2d, MaxPool2d } from '../../nn/pool2d.js';
import { GRUCell, LSTMCell, RNNCell } from '../../nn/rnn.js';
import { type Tensor, avgPool2d, conv2d, maxPool2d } from '../../ops/index.js';
import { fmtShape } from '../../errors.js';
import { at, emitOp, fail, flatTensors, join, run } from './common.js';
import type { OnnxGraph, OnnxValue } from './graph.js';

/** Runs a 2-d channels-first operator on a [C, H, W] input by adding the batch dim around it. */
function batched4(g: OnnxGraph, x: OnnxValue, f: (name: string) => string): string {
  if (x.t.ndim === 4) return f(x.name);
  const y = f(g.node('Unsqueeze', [x.name, g.int64([0])])[0]);
  return g.node('Squeeze', [y, g.int64([0])])[0];
}

/** ONNX Pad's modes for Conv2d's paddingMode (circular has no ONNX mode before opset 19). */
const PAD_MODES: Readonly<Record<string, string>> = { reflect: 'reflect', replicate: 'edge' };

function conv(g: OnnxGraph, m: Conv2d, x: OnnxValue, path: string): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  const [l, r, top, b] = conv2dPadding(m.padding, m.kernelSize, m.dilation, m.stride, 'Conv2d');
  const w = g.weight(join(path, 'weight'), m.weight);
  const bias = m.bias ? [g.weight(join(path, 'bias'), m.bias)] : [];
  const attrs = { stride: m.stride, dilation: m.dilation, groups: m.groups, kernelSize: m.kernelSize };
  const padded = m.paddingMode !== 'zeros' && (l || r || top || b);
  if (padded && !PAD_MODES[m.paddingMode]) fail(m, path, `paddingMode ${m.paddingMode} has no ONNX Pad mode in opsets 13 to 17`);
  return {
    name: batched4(g, x, (n) => {
      // other padding modes: Pad first (pads [N, C, top, left] then [N, C, bottom, right]), then an unpadded Conv
      const input = padded ? g.node('Pad', [n, g.int64([0, 0, top, l, 0, 0, b, r])], { mode: PAD_MODES[m.paddingMode] })[0] : n;
      return emitOp(g, conv2d.def, [input, w, ...bias], { ...attrs, padding: padded ? [0, 0, 0, 0] : [l, r, top, b] }, at(m, path));
    }),
    t,
  };
}

function pool(g: OnnxGraph, m: MaxPool2d<boolean> | AvgPool2d | AdaptiveMaxPool2d<boolean> | AdaptiveAvgPool2d, x: OnnxValue, path: string): OnnxValue {
  const where = at(m, path);
  if ((m instanceof MaxPool2d || m instanceof AdaptiveMaxPool2d) && m.opts.returnIndices) fail(m, path, 'returnIndices: the positions have no ONNX form here (MaxPool numbers them over the whole tensor)');
  const t = run(m, () => m.forward(x.t) as Tensor);
  if (m instanceof AdaptiveMaxPool2d || m instanceof AdaptiveAvgPool2d) {
    const o = typeof m.outputSize === 'number' ? [m.outputSize, m.outputSize] : m.outputSize;
    if (o[0] !== 1 || o[1] !== 1) fail(m, path, `outputSize ${JSON.stringify(m.outputSize)}: only 1 (global pooling) has an ONNX operator whatever the input size`);
    return { name: batched4(g, x, (n) => g.node(m instanceof AdaptiveMaxPool2d ? 'GlobalMaxPool' : 'GlobalAveragePool', [n])[0]), t };
  }
  const kernelSize = size2(m.kernelSize, 1, 'kernelSize', m.constructor.name);
  const stride = size2(m.opts.stride ?? kernelSize, 1, 'stride', m.constructor.name);
  const padding = size2(m.opts.padding, 0, 'padding', m.constructor.name, 0);
  const base = { kernelSize, stride, padding, ceilMode: m.opts.ceilMode ?? false };
  if (base.ceilMode) ceilCheck(m, path, x.t, base);
  if (m instanceof MaxPool2d) {
    const dilation = size2(m.opts.dilation, 1, 'dilation', 'MaxPool2d');
    return { name: batched4(g, x, (n) => emitOp(g, maxPool2d.def, [n], { ...base, dilation }, where)), t };
  }
  const attrs = { ...base, countIncludePad: m.opts.countIncludePad ?? true, divisorOverride: m.opts.divisorOverride ?? null };
  return { name: batched4(g, x, (n) => emitOp(g, avgPool2d.def, [n], attrs, where)), t };
}

/**
 * ceilMode: PyTorch drops a last window that would start in the right padding, ONNX keeps it; the
 * two agree when no window can start there (padding < the part of a stride left over).
 */
function ceilCheck(m: Module, path: string, x: Tensor, o: { kernelSize: number[]; stride: number[]; padding: number[] }): void {
  if (o.padding.some((p) => p > 0)) fail(m, path, `ceilMode with padding ${o.padding.join('x')}: PyTorch and ONNX count the last window differently there (input ${fmtShape(x.shape)})`);
}

/** GroupNorm: [N, G, -1] statistics (the biased variance, as the forward), then the per-channel affine. */
function groupNorm(g: OnnxGraph, m: GroupNorm, x: OnnxValue, path: string): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  const grouped = g.node('Reshape', [x.name, g.int64([0, m.numGroups, -1])])[0];
  const mean = g.node('ReduceMean', [grouped], { axes: [2], keepdims: 1 })[0];
  const d = g.node('Sub', [grouped, mean])[0];
  const v = g.node('ReduceMean', [g.node('Mul', [d, d])[0]], { axes: [2], keepdims: 1 })[0];
  const normed = g.node('Div', [d, g.node('Sqrt', [g.node('Add', [v, g.float(m.eps)])[0]])[0]])[0];
  let y = g.node('Reshape', [normed, g.node('Shape', [x.name])[0]])[0];
  // [C] -> [C, 1, ...] to broadcast over the spatial dims
  const perChannel = g.int64([m.numChannels, ...new Array(x.t.ndim - 2).fill(1)]);
  if (m.weight) y = g.node('Mul', [y, g.node('Reshape', [g.weight(join(path, 'weight'), m.weight), perChannel])[0]])[0];
  if (m.bias) y = g.node('Add', [y, g.node('Reshape', [g.weight(join(path, 'bias'), m.bias), perChannel])[0]])[0];
  return { name: y, t };
}

/** y[..., o] = x1 · W[o] · x2 + b[o]: x1 times W as [in1, out·in2], then a product with x2 summed over in2. */
function bilinear(g: OnnxGraph, m: Bilinear, inputs: readonly OnnxValue[], path: string): OnnxValue {
  if (inputs.length !== 2) fail(m, path, `takes two inputs (x1, x2), got ${inputs.length}`);
  const [x1, x2] = inputs;
  const t = run(m, () => m.forward(x1.t, x2.t));
  const { in1Features: I, in2Features: J, outFeatures: O } = m;
  const w = g.node('Reshape', [g.node('Transpose', [g.weight(join(path, 'weight'), m.weight)], { perm: [1, 0, 2] })[0], g.int64([I, O * J])])[0];
  const r = x1.t.ndim;
  // [..., O·J] -> [..., O, J], keeping the leading dims read at run time
  const lead = g.node('Slice', [g.node('Shape', [x1.name])[0], g.int64([0]), g.int64([r - 1])])[0];
  const xw = g.node('Reshape', [g.node('MatMul', [x1.name, w])[0], g.node('Concat', [lead, g.int64([O, J])], { axis: 0 })[0]])[0];
  const y = g.node('ReduceSum', [g.node('Mul', [xw, g.node('Unsqueeze', [x2.name, g.int64([r - 1])])[0]])[0], g.int64([r])], { keepdims: 0 })[0];
  return { name: m.bias ? g.node('Add', [y, g.weight(join(path, 'bias'), m.bias)])[0] : y, t };
}

type Cell = RNNCell | GRUCell | LSTMCell;

/**
 * One step of a cell as MatMul and the gate functions (PyTorch's gate order kept: the weights are
 * written as they are). Inputs: x, and h (RNNCell, GRUCell) or h and c (LSTMCell) when given;
 * a state left out is zeros. Outputs: h' (and c').
 */
function cell(g: OnnxGraph, m: Cell, inputs: readonly OnnxValue[], path: string): OnnxValue[] {
  const lstm = m instanceof LSTMCell;
  const most = lstm ? 3 : 2;
  if (inputs.length < 1 || inputs.length > most || inputs.length === 2 && lstm) {
    fail(m, path, lstm ? `takes x, or x, h and c, got ${inputs.length} inputs` : `takes x, or x and h, got ${inputs.length} inputs`);
  }
  const [x, h, c] = inputs;
  if (x.t.ndim !== 2) fail(m, path, `exports a batched input [batch, ${m.inputSize}], got ${fmtShape(x.t.shape)}`);
  const res = run(m, () => flatTensors(lstm ? (m as LSTMCell).forward(x.t, h ? [h.t, c.t] : undefined) : (m as RNNCell).forward(x.t, h?.t), at(m, path)));
  const H = m.hiddenSize;
  const affine = (v: string, w: Tensor, b: Tensor | null, name: string): string => {
    const y = g.node('MatMul', [v, g.node('Transpose', [g.weight(join(path, `weight_${name}`), w)], { perm: [1, 0] })[0]])[0];
    return b ? g.node('Add', [y, g.weight(join(path, `bias_${name}`), b)])[0] : y;
  };
  const gx = affine(x.name, m.weight_ih, m.bias_ih, 'ih');
  // no state given: h = 0, so h·W_hhᵀ + b_hh is b_hh
  const gh = h ? affine(h.name, m.weight_hh, m.bias_hh, 'hh') : m.bias_hh ? g.weight(join(path, 'bias_hh'), m.bias_hh) : null;
  const gate = (v: string, i: number): string => g.node('Slice', [v, g.int64([i * H]), g.int64([(i + 1) * H]), g.int64([-1])])[0];
  const plus = (a: string, b: string | null): string => (b ? g.node('Add', [a, b])[0] : a);
  if (m instanceof RNNCell) {
    return [{ name: g.node(m.nonlinearity === 'relu' ? 'Relu' : 'Tanh', [plus(gx, gh)])[0], t: res[0] }];
  }
  if (m instanceof GRUCell) {
    const r = g.node('Sigmoid', [plus(gate(gx, 0), gh && gate(gh, 0))])[0];
    const z = g.node('Sigmoid', [plus(gate(gx, 1), gh && gate(gh, 1))])[0];
    const n = g.node('Tanh', [plus(gate(gx, 2), gh && g.node('Mul', [r, gate(gh, 2)])[0])])[0];
    // h' = (1 - z)·n + z·h = n + z·(h - n)
    const hn = g.node('Add', [n, g.node('Mul', [z, g.node('Sub', [h ? h.name : g.float(0), n])[0]])[0]])[0];
    return [{ name: hn, t: res[0] }];
  }
  const all = plus(gx, gh);
  const [i, f, gg, o] = [0, 1, 2, 3].map((k) => gate(all, k));
  const c2 = g.node('Add', [
    g.node('Mul', [g.node('Sigmoid', [i])[0], g.node('Tanh', [gg])[0]])[0],
    ...(c ? [g.node('Mul', [g.node('Sigmoid', [f])[0], c.name])[0]] : [g.float(0)]),
  ])[0];
  const h2 = g.node('Mul', [g.node('Sigmoid', [o])[0], g.node('Tanh', [c2])[0]])[0];
  return [
    { name: h2, t: res[0] },
    { name: c2, t: res[1] },
  ];
}

/** The exporters of this file: a module's outputs, or null when the module is none of them. */
export function exportLayer(g: OnnxGraph, m: Module, inputs: readonly OnnxValue[], path: string): OnnxValue[] | null {
  if (m instanceof Bilinear) return [bilinear(g, m, inputs, path)];
  if (m instanceof RNNCell || m instanceof GRUCell || m instanceof LSTMCell) return cell(g, m, inputs, path);
  const single = m instanceof Conv2d || m instanceof MaxPool2d || m instanceof AvgPool2d || m instanceof AdaptiveMaxPool2d || m instanceof AdaptiveAvgPool2d || m instanceof GroupNorm;
  if (!single) return null;
  if (inputs.length !== 1) fail(m, path, `takes one input, got ${inputs.length}`);
  const x = inputs[0];
  if (m instanceof Conv2d) return [conv(g, m, x, path)];
  if (m instanceof GroupNorm) return [groupNorm(g, m, x, path)];
  return [pool(g, m, x, path)];
}
