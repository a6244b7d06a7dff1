// 2-d pooling over the last two dims of [N, C, H, W] (or [C, H, W]): max and average pooling, plain
// (kernel, stride, padding, dilation, ceil mode) and adaptive (windows that tile the input). Each is a
// backend kernel over the windows that PoolWindows describes, computed here as PyTorch's CPU kernels
// compute them, so that values, indices and divisors agree with PyTorch's.
//
// Max pooling returns (values, indices) with indices the position r·W + c in the plane, as
// torch.nn.functional.max_pool2d(return_indices=True); the gradient goes to that one element (the
// first maximum of the window, or the last NaN), a scatter that is differentiable again (its
// gradient is a gather). Average pooling and its adjoint (avgPool2dBackward, as aten's
// avg_pool2d_backward) are each other's gradient.
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { PoolWindows } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, zeros } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Size2d, pair } from './size2d.js';
import { defineOp } from './define.js';
import { scatterAdd } from './indexing.js';
import { assertTensor } from './kernel.js';
import { reshape } from './shape.js';
import type { ValuesAndIndices } from './sort.js';

/** Options of maxPool2d (PyTorch's names; stride defaults to the kernel size). */
export interface MaxPool2dOpOptions {
  /** step between windows, one number or [height, width] (default: the kernel size, so windows do not overlap) */
  stride?: Size2d;
  /** -∞ on both sides of each dim, at most half the kernel */
  padding?: Size2d;
  /** spacing between the elements of a window (default 1) */
  dilation?: Size2d;
  /** round the output size up (the last window may run past the end) */
  ceilMode?: boolean;
}

/** Options of avgPool2d (stride defaults to the kernel size). */
export interface AvgPool2dOpOptions {
  /** step between windows, one number or [height, width] (default: the kernel size) */
  stride?: Size2d;
  /** zeros on both sides of each dim, at most half the kernel */
  padding?: Size2d;
  /** round the output size up (the last window may run past the end; default false) */
  ceilMode?: boolean;
  /** divide by the whole window, padding included (default true), or by its elements inside the input */
  countIncludePad?: boolean;
  /** divide every window's sum by this instead */
  divisorOverride?: number | null;
}

/** An adaptive pool's output size: one number for both dims, or [height, width] where null keeps the input's. */
export type AdaptiveSize = number | readonly [number | null, number | null];

function fail(name: string, msg: string): never {
  throw new ChainruleError(`${name}: ${msg}`);
}

/** [H, W] of a non-negative Size2d (padding). */
function pads(name: string, v: Size2d | undefined): [number, number] {
  const ok = (n: unknown): number => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(name, `padding must be an integer >= 0 or [height, width], got ${JSON.stringify(v)}`);
    return n;
  };
  if (v === undefined) return [0, 0];
  if (typeof v === 'number') return [ok(v), ok(v)];
  if (!Array.isArray(v) || v.length !== 2) fail(name, `padding must be an integer >= 0 or [height, width], got ${JSON.stringify(v)}`);
  return [ok(v[0]), ok(v[1])];
}

/** The input as planes: its float data and [planes, H, W]; rank 3 or 4. */
function planesOf(name: string, x: Tensor, what = 'input'): [number, number, number] {
  assertTensor(x, name, what);
  if (x.ndim !== 3 && x.ndim !== 4) fail(name, `${what} must be [N, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  if (!isFloat(x.dtype)) fail(name, `needs a float ${what}, got ${x.dtype}`);
  const H = x.shape[x.ndim - 2];
  const W = x.shape[x.ndim - 1];
  // the leading dims' product (not size / (H·W), which an empty plane makes 0)
  return [x.shape.slice(0, x.ndim - 2).reduce((a, b) => a * b, 1), H, W];
}

/** PyTorch's pooling_output_shape: windows of a dilated kernel, the last one starting inside the input or left padding. */
function outSize(L: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = L + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  let n = Math.floor(span / s) + 1;
  if (ceil && (n - 1) * s >= L + p) n--;
  return n;
}

interface Plain {
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  ceil: boolean;
  out: [number, number];
}

/** Kernel, stride, padding and dilation of a plain pool over an H x W input, checked as PyTorch checks them. */
function plain(name: string, shape: readonly number[], H: number, W: number, kernelSize: Size2d, o: { stride?: Size2d; padding?: Size2d; dilation?: Size2d; ceilMode?: boolean }): Plain {
  const k = pair(name, 'kernel size', kernelSize, 1);
  const s = o.stride === undefined || o.stride === null ? k : pair(name, 'stride', o.stride, 1);
  const p = pads(name, o.padding);
  const d = pair(name, 'dilation', o.dilation, 1);
  const ceil = o.ceilMode ?? false;
  if (p[0] > k[0] / 2 || p[1] > k[1] / 2) fail(name, `padding ${p[0]}x${p[1]} must be at most half the kernel ${k[0]}x${k[1]}`);
  const out: [number, number] = [outSize(H, k[0], s[0], p[0], d[0], ceil), outSize(W, k[1], s[1], p[1], d[1], ceil)];
  if (out[0] < 1 || out[1] < 1) {
    fail(name, `input ${fmtShape(shape)} is too small for the kernel ${k[0]}x${k[1]} (dilation ${d[0]}x${d[1]}, padding ${p[0]}x${p[1]}): the output would be ${out[0]}x${out[1]}`);
  }
  return { k, s, p, d, ceil, out };
}

/** One dim of a max pool's windows: [start, end) pairs clipped to the input, starts moved onto the dilation grid. */
function maxSpans(n: number, L: number, k: number, s: number, p: number, d: number): Int32Array {
  const t = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    let a = i * s - p;
    const b = Math.min(a + (k - 1) * d + 1, L);
    while (a < 0) a += d;
    t[2 * i] = a;
    t[2 * i + 1] = b;
  }
  return t;
}

/** One dim of an average pool's windows and their divisor factors (the window with or without its padding). */
function avgSpans(n: number, L: number, k: number, s: number, p: number, includePad: boolean): [Int32Array, Float64Array] {
  const t = new Int32Array(2 * n);
  const div = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = i * s - p;
    const b = Math.min(a + k, L + p);
    const a1 = Math.max(a, 0);
    const b1 = Math.min(b, L);
    t[2 * i] = a1;
    t[2 * i + 1] = b1;
    div[i] = includePad ? b - a : b1 - a1;
  }
  return [t, div];
}

/** One dim of an adaptive pool: window i is [floor(i·L/n), ceil((i+1)·L/n)). */
function adaptiveSpans(n: number, L: number): [Int32Array, Float64Array] {
  const t = new Int32Array(2 * n);
  const div = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[2 * i] = Math.floor((i * L) / n);
    t[2 * i + 1] = Math.ceil(((i + 1) * L) / n);
    div[i] = t[2 * i + 1] - t[2 * i];
  }
  return [t, div];
}

function windows(planes: number, H: number, W: number, rows: Int32Array, cols: Int32Array, rowStep = 1, colStep = 1): PoolWindows {
  return { planes, H, W, OH: rows.length / 2, OW: cols.length / 2, rows, cols, rowStep, colStep };
}

const outShape = (x: Tensor, OH: number, OW: number): number[] => [...x.shape.slice(0, x.ndim - 2), OH, OW];

function pairOf(values: Tensor, indices: Tensor): ValuesAndIndices {
  return Object.assign([values, indices] as const, { values, indices });
}

/** The gradient of a max pool: g goes to the element each index names (a scatter over each plane). */
function scatterBack(x: Tensor, idx: Tensor, g: Tensor): Tensor {
  const lead = x.shape.slice(0, x.ndim - 2);
  const H = x.shape[x.ndim - 2];
  const W = x.shape[x.ndim - 1];
  const flat = [...lead, idx.shape[idx.ndim - 2] * idx.shape[idx.ndim - 1]];
  const d = lead.length;
  return reshape(scatterAdd(zeros([...lead, H * W], { dtype: g.dtype }), d, reshape(idx, flat), reshape(g, flat)), x.shape);
}

/** Runs the max kernel over windows and records the values (their gradient scatters to the indices). */
function maxRun(def: Parameters<typeof record>[0], x: Tensor, w: PoolWindows, attrs: Record<string, unknown>): ValuesAndIndices {
  const shape = outShape(x, w.OH, w.OW);
  const values = empty(shape, x.dtype);
  const indices = empty(shape, 'int32');
  kernels().maxPool2d(x.data, w, values.data, indices.data as Int32Array);
  record(def, [x], values, (g) => [scatterBack(x, indices, g)], attrs);
  return pairOf(values, indices);
}

const two = (v: readonly number[]): string => (v[0] === v[1] ? `${v[0]}` : `${v[0]}\\times ${v[1]}`);

/**
 * 2-d max pooling of [N, C, H, W] (or [C, H, W]), as torch.nn.functional.max_pool2d with
 * return_indices: the values and, for each, its position r·W + c in its plane. The gradient goes to
 * that element: the first maximum of the window, or its last NaN (PyTorch's CPU rule).
 * @example maxPool2d(tensor([[[[1, 2], [4, 3]]]]), 2).indices.toArray() // [[[[2]]]]
 */
export const maxPool2d = defineOp(
  {
    name: 'maxPool2d',
    doc: '2-d max pooling (kernel, stride, padding, dilation, ceil mode) returning the values and their positions in each plane; the gradient goes to the first maximum of each window (or its last NaN).',
    params: [{ name: 'kernelSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([a], at) => `\\operatorname{maxpool}_{${two((at?.kernelSize as number[]) ?? [2, 2])}}\\left(${a}\\right)`,
    label: 'maxpool',
    onnx: {
      opType: 'MaxPool',
      attributes: (a) => {
        const p = a.padding as number[];
        return { kernel_shape: a.kernelSize as number[], strides: a.stride as number[], pads: [p[0], p[1], p[0], p[1]], dilations: a.dilation as number[], ceil_mode: a.ceilMode ? 1 : 0 };
      },
    },
  },
  (def) =>
    function maxPool2d(x: Tensor, kernelSize: Size2d, opts: MaxPool2dOpOptions = {}): ValuesAndIndices {
      const [planes, H, W] = planesOf('maxPool2d', x);
      const g = plain('maxPool2d', x.shape, H, W, kernelSize, opts);
      const w = windows(planes, H, W, maxSpans(g.out[0], H, g.k[0], g.s[0], g.p[0], g.d[0]), maxSpans(g.out[1], W, g.k[1], g.s[1], g.p[1], g.d[1]), g.d[0], g.d[1]);
      return maxRun(def, x, w, { kernelSize: g.k, stride: g.s, padding: g.p, dilation: g.d, ceilMode: g.ceil });
    },
);

/**
 * 2-d adaptive max pooling: outputSize windows per dim that tile the input (window i covers
 * [floor(i·L/n), ceil((i+1)·L/n))), as torch.nn.functional.adaptive_max_pool2d with return_indices.
 * @example adaptiveMaxPool2d(tensor([[[[1, 5, 2], [4, 3, 6]]]]), [1, 2]).values.toArray() // [[[[5, 6]]]]
 */
export const adaptiveMaxPool2d = defineOp(
  {
    name: 'adaptiveMaxPool2d',
    doc: '2-d adaptive max pooling to outputSize (windows tiling the input), returning values and positions; the gradient goes to the first maximum (or last NaN).',
    params: [{ name: 'outputSize', type: 'shape' }],
    method: false,
    latex: ([a]) => `\\operatorname{maxpool}\\left(${a}\\right)`,
    label: 'maxpool',
  },
  (def) =>
    function adaptiveMaxPool2d(x: Tensor, outputSize: AdaptiveSize): ValuesAndIndices {
      const [planes, H, W] = planesOf('adaptiveMaxPool2d', x);
      const [OH, OW] = adaptiveOut('adaptiveMaxPool2d', x, H, W, outputSize);
      const w = windows(planes, H, W, adaptiveSpans(OH, H)[0], adaptiveSpans(OW, W)[0]);
      return maxRun(def, x, w, { outputSize: [OH, OW] });
    },
);

function adaptiveOut(name: string, x: Tensor, H: number, W: number, size: AdaptiveSize): [number, number] {
  const arr = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(arr) || arr.length !== 2) fail(name, `outputSize must be a number or [height, width], got ${JSON.stringify(size)}`);
  const out = arr.map((v, i) => {
    const n = v === null || v === undefined ? (i === 0 ? H : W) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(name, `outputSize must hold integers >= 0 (or null), got ${JSON.stringify(size)}`);
    return n;
  }) as [number, number];
  if (H === 0 || W === 0) fail(name, `input ${fmtShape(x.shape)} has an empty plane`);
  return out;
}

interface AvgPlan {
  w: PoolWindows;
  rowDiv: Float64Array;
  colDiv: Float64Array;
  attrs: Record<string, unknown>;
}

function avgPlan(name: string, shape: readonly number[], planes: number, H: number, W: number, kernelSize: Size2d, o: AvgPool2dOpOptions): AvgPlan {
  if ('dilation' in o) fail(name, 'average pooling has no dilation');
  const g = plain(name, shape, H, W, kernelSize, o);
  const include = o.countIncludePad ?? true;
  const dv = o.divisorOverride ?? null;
  if (dv !== null && (typeof dv !== 'number' || !Number.isInteger(dv) || dv === 0)) fail(name, `divisorOverride must be a nonzero integer, got ${String(dv)}`);
  const [rows, rowDiv] = avgSpans(g.out[0], H, g.k[0], g.s[0], g.p[0], include);
  const [cols, colDiv] = avgSpans(g.out[1], W, g.k[1], g.s[1], g.p[1], include);
  if (dv !== null) {
    rowDiv.fill(dv);
    colDiv.fill(1);
  }
  const attrs = { kernelSize: g.k, stride: g.s, padding: g.p, ceilMode: g.ceil, countIncludePad: include, divisorOverride: dv };
  return { w: windows(planes, H, W, rows, cols), rowDiv, colDiv, attrs };
}

/**
 * 2-d average pooling of [N, C, H, W] (or [C, H, W]), as torch.nn.functional.avg_pool2d: each window's
 * sum divided by its size (padding counted unless countIncludePad is false), or by divisorOverride.
 * @example avgPool2d(tensor([[[[1, 2], [4, 5]]]]), 2).toArray() // [[[[3]]]]
 */
export const avgPool2d = defineOp(
  {
    name: 'avgPool2d',
    doc: '2-d average pooling (kernel, stride, padding, ceil mode, countIncludePad, divisorOverride), as torch.nn.functional.avg_pool2d.',
    params: [{ name: 'kernelSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([a], at) => `\\operatorname{avgpool}_{${two((at?.kernelSize as number[]) ?? [2, 2])}}\\left(${a}\\right)`,
    label: 'avgpool',
    // AveragePool, then each window's sum re-divided when divisorOverride replaces the window size
    onnx: {
      build: (g, [x], a) => {
        const k = a.kernelSize as number[];
        const p = a.padding as number[];
        const attrs = { kernel_shape: k, strides: a.stride as number[], pads: [p[0], p[1], p[0], p[1]], ceil_mode: a.ceilMode ? 1 : 0, count_include_pad: a.countIncludePad === false ? 0 : 1 };
        const y = g.node('AveragePool', [x], a.divisorOverride == null ? attrs : { ...attrs, count_include_pad: 1 })[0];
        return a.divisorOverride == null ? y : g.node('Mul', [y, g.float((k[0] * k[1]) / (a.divisorOverride as number))])[0];
      },
    },
  },
  (def) =>
    function avgPool2d(x: Tensor, kernelSize: Size2d, opts: AvgPool2dOpOptions = {}): Tensor {
      const [planes, H, W] = planesOf('avgPool2d', x);
      const plan = avgPlan('avgPool2d', x.shape, planes, H, W, kernelSize, opts);
      const y = empty(outShape(x, plan.w.OH, plan.w.OW), x.dtype);
      kernels().avgPool2d(x.data, plan.w, plan.rowDiv, plan.colDiv, y.data);
      return record(def, [x], y, (g) => [avgPool2dBackward(g, [H, W], kernelSize, opts)], plan.attrs);
    },
);

/**
 * The gradient of avgPool2d (aten's avg_pool2d_backward): gy and the input size [H, W] -> the input's
 * shape, each window receiving its output's gradient divided as avgPool2d divided it.
 * @example avgPool2dBackward(ones([1, 1, 1, 1]), [2, 2], 2).toArray() // [[[[0.25, 0.25], [0.25, 0.25]]]]
 */
export const avgPool2dBackward = defineOp(
  {
    name: 'avgPool2dBackward',
    doc: 'The gradient of avgPool2d with respect to its input (the adjoint of average pooling).',
    inputs: ['gradOutput'],
    params: [{ name: 'inputSize', type: 'shape' }, { name: 'kernelSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([a]) => `\\operatorname{avgpool}^{\\top}\\left(${a}\\right)`,
  },
  (def) =>
    function avgPool2dBackward(gy: Tensor, inputSize: Size2d, kernelSize: Size2d, opts: AvgPool2dOpOptions = {}): Tensor {
      const [planes, OH, OW] = planesOf('avgPool2dBackward', gy, 'gradient');
      const [H, W] = pair('avgPool2dBackward', 'input size', inputSize, 1);
      const xShape = [...gy.shape.slice(0, gy.ndim - 2), H, W];
      const plan = avgPlan('avgPool2dBackward', xShape, planes, H, W, kernelSize, opts);
      if (plan.w.OH !== OH || plan.w.OW !== OW) fail('avgPool2dBackward', `gradient ${fmtShape(gy.shape)} is ${OH}x${OW}, but an input of ${H}x${W} pools to ${plan.w.OH}x${plan.w.OW}`);
      const gx = zeros(xShape, { dtype: gy.dtype });
      kernels().avgPool2dBackward(gy.data, plan.w, plan.rowDiv, plan.colDiv, gx.data);
      return record(def, [gy], gx, (u) => [avgPool2d(u, kernelSize, opts)], plan.attrs);
    },
);

/**
 * 2-d adaptive average pooling to outputSize (windows tiling the input), as
 * torch.nn.functional.adaptive_avg_pool2d; outputSize 1 is global average pooling.
 * @example adaptiveAvgPool2d(tensor([[[[1, 2], [4, 5]]]]), 1).toArray() // [[[[3]]]]
 */
export const adaptiveAvgPool2d = defineOp(
  {
    name: 'adaptiveAvgPool2d',
    doc: '2-d adaptive average pooling to outputSize: windows [floor(i·L/n), ceil((i+1)·L/n)) per dim.',
    params: [{ name: 'outputSize', type: 'shape' }],
    method: false,
    latex: ([a]) => `\\operatorname{avgpool}\\left(${a}\\right)`,
    label: 'avgpool',
  },
  (def) =>
    function adaptiveAvgPool2d(x: Tensor, outputSize: AdaptiveSize): Tensor {
      const [planes, H, W] = planesOf('adaptiveAvgPool2d', x);
      const [OH, OW] = adaptiveOut('adaptiveAvgPool2d', x, H, W, outputSize);
      const [rows, rowDiv] = adaptiveSpans(OH, H);
      const [cols, colDiv] = adaptiveSpans(OW, W);
      const y = empty(outShape(x, OH, OW), x.dtype);
      kernels().avgPool2d(x.data, windows(planes, H, W, rows, cols), rowDiv, colDiv, y.data);
      return record(def, [x], y, (g) => [adaptiveAvgPool2dBackward(g, [H, W])], { outputSize: [OH, OW] });
    },
);

/**
 * The gradient of adaptiveAvgPool2d: gy [..., OH, OW] and the input size [H, W] -> [..., H, W].
 * @example adaptiveAvgPool2dBackward(ones([1, 1, 1, 1]), [1, 2]).toArray() // [[[[0.5, 0.5]]]]
 */
export const adaptiveAvgPool2dBackward = defineOp(
  {
    name: 'adaptiveAvgPool2dBackward',
    doc: 'The gradient of adaptiveAvgPool2d with respect to its input.',
    inputs: ['gradOutput'],
    params: [{ name: 'inputSize', type: 'shape' }],
    method: false,
    latex: ([a]) => `\\operatorname{avgpool}^{\\top}\\left(${a}\\right)`,
  },
  (def) =>
    function adaptiveAvgPool2dBackward(gy: Tensor, inputSize: Size2d): Tensor {
      const [planes, OH, OW] = planesOf('adaptiveAvgPool2dBackward', gy, 'gradient');
      const [H, W] = pair('adaptiveAvgPool2dBackward', 'input size', inputSize, 1);
      const [rows, rowDiv] = adaptiveSpans(OH, H);
      const [cols, colDiv] = adaptiveSpans(OW, W);
      const gx = zeros([...gy.shape.slice(0, gy.ndim - 2), H, W], { dtype: gy.dtype });
      kernels().avgPool2dBackward(gy.data, windows(planes, H, W, rows, cols), rowDiv, colDiv, gx.data);
      return record(def, [gy], gx, (u) => [adaptiveAvgPool2d(u, [OH, OW])], { outputSize: [OH, OW] });
    },
);
