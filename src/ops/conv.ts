import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { Conv1dShape, GemmOperand } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { promote } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { assertTensor, output } from './kernel.js';
import { cast } from './shape.js';

// The three ops of a 1-d convolution. With x [N, Cin, L], weight [Cout, Cin, K] and y [N, Cout, Lout]
// they are the three partial derivatives of one trilinear form
//   T(x, W, y) = sum_{n,o,c,t,k} x[n, c, t·s + k·d] W[o, c, k] y[n, o, t]
// (conv1d = dT/dy, conv1dInputGrad = dT/dx, conv1dWeightGrad = dT/dW), so the backward of each is
// made of the other two and derivatives of any order work. Each is one strided GEMM over the batch
// that reads x in place (no im2col buffer): the depth (or column) index of the product runs over
// (channel, tap) pairs through an offset table. Only the input gradient with stride > 1 (and the edge
// columns with stride 1) is K GEMMs, one per tap, each adding into the strided positions it reaches.

/** Stride and dilation of the conv ops (no padding: pad the input first). */
export interface ConvOpOptions {
  /** step between output positions along the length (default 1) */
  stride?: number;
  /** spacing between kernel taps (default 1: adjacent) */
  dilation?: number;
}

/** The sizes of one convolution (the backend's Conv1dShape). */
type Geometry = Conv1dShape;

const op = (offset: number, batchStride: number, rowStride: number, colStride: number): GemmOperand => ({ offset, batchStride, rowStride, colStride });

function fail(name: string, msg: string): never {
  throw new ChainruleError(`${name}: ${msg}`);
}

function posInt(name: string, what: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) fail(name, `${what} must be an integer >= 1, got ${v}`);
  return v;
}

/** Output length of a window sweep without padding: floor((L - d(K-1) - 1) / s) + 1. */
function outLength(L: number, K: number, s: number, d: number): number {
  const span = L - d * (K - 1) - 1;
  return span < 0 ? 0 : Math.floor(span / s) + 1;
}

function rank3(name: string, what: string, t: Tensor): readonly number[] {
  assertTensor(t, name, what);
  if (t.ndim !== 3) fail(name, `${what} must have 3 dimensions, got ${fmtShape(t.shape)}`);
  return t.shape;
}

/** Casts both operands to their promoted float dtype. */
function floats(name: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const dtype = promote(a.dtype, b.dtype);
  if (dtype !== 'float32' && dtype !== 'float64') fail(name, `needs float tensors, got ${a.dtype} and ${b.dtype}`);
  return [a.dtype === dtype ? a : cast(a, dtype), b.dtype === dtype ? b : cast(b, dtype)];
}

function geometry(name: string, o: ConvOpOptions, N: number, Cin: number, L: number, Cout: number, K: number): Geometry {
  const s = posInt(name, 'stride', o.stride ?? 1);
  const d = posInt(name, 'dilation', o.dilation ?? 1);
  if (K < 1) fail(name, `kernel size must be at least 1, got ${K}`);
  const Lout = outLength(L, K, s, d);
  if (Lout < 1) fail(name, `input length ${L} is shorter than the dilated kernel ${d * (K - 1) + 1}`);
  // offset tables are Int32Arrays of positions inside one batch entry
  if (Math.max(Cin * L, Cout * (Lout + 2 * d * (K - 1)), Cout * Cin * K) >= 2 ** 31) {
    fail(name, `input [${N},${Cin},${L}] with weight [${Cout},${Cin},${K}]: a batch entry or the weight has 2^31 or more elements`);
  }
  return { stride: s, dilation: d, N, Cin, L, Cout, K, Lout };
}

/** t[i·inner + j] = base + i·outerStride + j·innerStride: two nested dimensions read as one. */
function table(outer: number, outerStride: number, inner: number, innerStride: number, base = 0): Int32Array {
  const t = new Int32Array(outer * inner);
  for (let i = 0; i < outer; i++) for (let j = 0; j < inner; j++) t[i * inner + j] = base + i * outerStride + j * innerStride;
  return t;
}

/** y[n] = W x̂[n], x̂[n][(c, k), t] = x[n, c, t·s + k·d]: depth Cin·K through a row table of x. */
function forward(x: Tensor, w: Tensor, g: Geometry): Tensor {
  const { stride: s, dilation: d, N, Cin, L, Cout, K, Lout } = g;
  const y = output([N, Cout, Lout], x.dtype);
  kernels().gemm(w.data, x.data, y.data, {
    batch: N,
    m: Cout,
    n: Lout,
    k: Cin * K,
    accumulate: false,
    sumBatch: false,
    a: op(0, 0, Cin * K, 1),
    b: { ...op(0, Cin * L, 0, s), rowOffsets: table(Cin, L, K, d) },
    c: op(0, Cout * Lout, Lout, 1),
  });
  return y;
}

/**
 * An output gradient with at most this share of nonzero entries takes the sparse kernel
 * (Backend.conv1dSparseGrad), which visits the nonzeros only. Max over time after the convolution,
 * as in a text CNN, leaves 1/Lout of them; ReLU alone about half. A nonzero costs Cin·K scalar
 * multiply-adds there, the dense product one SIMD lane's share of them per entry of gy.
 */
const SPARSE_SHARE = 1 / 32;

/** The gradient `which` from the nonzeros of gy, or null where gy is too dense (or `other` not finite). */
function sparseGrad(which: 'input' | 'weight', gy: Tensor, other: Tensor, g: Geometry): Tensor | null {
  const out = output(which === 'input' ? [g.N, g.Cin, g.L] : [g.Cout, g.Cin, g.K], gy.dtype);
  return kernels().conv1dSparseGrad(which, gy.data, other.data, out.data, g, gy.size * SPARSE_SHARE) ? out : null;
}

/** gx[n, :, t·s + k·d] += W_kᵀ gy[n, :, t] for every t: what tap k sends back, through C's column stride. */
function tapGrad(gy: Tensor, w: Tensor, gx: Tensor, g: Geometry, k: number): void {
  const { stride: s, dilation: d, N, Cin, L, Cout, K, Lout } = g;
  kernels().gemm(w.data, gy.data, gx.data, {
    batch: N,
    m: Cin,
    n: Lout,
    k: Cout,
    accumulate: true,
    sumBatch: false,
    a: op(k, 0, K, Cin * K),
    b: op(0, Cout * Lout, Lout, 1),
    c: op(k * d, Cin * L, L, s),
  });
}

/**
 * The same for the few positions t in [t0, t1) only (edge columns): one GEMM per position t, over the
 * batch as its columns, gx[:, :, t·s + k·d] [Cin, N] += W_kᵀ gy[:, :, t] [Cout, N].
 */
function edgeGrad(gy: Tensor, w: Tensor, gx: Tensor, g: Geometry, k: number, t0: number, t1: number): void {
  const { stride: s, dilation: d, N, Cin, L, Cout, K, Lout } = g;
  if (t1 <= t0) return;
  kernels().gemm(w.data, gy.data, gx.data, {
    batch: t1 - t0,
    m: Cin,
    n: N,
    k: Cout,
    accumulate: true,
    sumBatch: false,
    a: op(k, 0, K, Cin * K),
    b: op(t0, 1, Lout, Cout * Lout),
    c: op(t0 * s + k * d, s, L, Cin * L),
  });
}

/**
 * gx[n, c, l] = sum_{o,k} W[o, c, k] gy[n, o, (l - k·d) / s]. With stride 1 every tap reaches the
 * columns l in [P, Lout), P = d·(K-1): those are one GEMM of depth Cout·K (row table over (o, k)),
 * and the few edge columns get their taps one by one. With a larger stride each tap is one GEMM.
 */
function inputGrad(gy: Tensor, w: Tensor, g: Geometry): Tensor {
  const { stride: s, dilation: d, N, Cin, L, Cout, K, Lout } = g;
  const sparse = sparseGrad('input', gy, w, g);
  if (sparse) return sparse;
  const gx = zeros([N, Cin, L], { dtype: gy.dtype });
  if (s !== 1) {
    for (let k = 0; k < K; k++) tapGrad(gy, w, gx, g, k);
    return gx;
  }
  const P = d * (K - 1);
  const end = Math.max(P, Lout);
  if (Lout > P) {
    kernels().gemm(w.data, gy.data, gx.data, {
      batch: N,
      m: Cin,
      n: Lout - P,
      k: Cout * K,
      accumulate: false,
      sumBatch: false,
      a: { ...op(0, 0, K, 0), colOffsets: table(Cout, Cin * K, K, 1) },
      b: { ...op(P, Cout * Lout, 0, 1), rowOffsets: table(Cout, Lout, K, -d) },
      c: op(P, Cin * L, L, 1),
    });
  }
  for (let k = 0; k < K; k++) {
    edgeGrad(gy, w, gx, g, k, 0, Math.min(Lout, P - k * d));
    edgeGrad(gy, w, gx, g, k, Math.max(0, end - k * d), Lout);
  }
  return gx;
}

/** gW[o, (c, k)] = sum_n gy[n] x̂[n]ᵀ: one batch-summed GEMM whose columns run over (c, k) through a table. */
function weightGrad(x: Tensor, gy: Tensor, g: Geometry): Tensor {
  const { stride: s, dilation: d, N, Cin, L, Cout, K, Lout } = g;
  const sparse = sparseGrad('weight', gy, x, g);
  if (sparse) return sparse;
  const gw = output([Cout, Cin, K], x.dtype);
  kernels().gemm(gy.data, x.data, gw.data, {
    batch: N,
    m: Cout,
    n: Cin * K,
    k: Lout,
    accumulate: false,
    sumBatch: true,
    a: op(0, Cout * Lout, Lout, 1),
    b: { ...op(0, Cin * L, s, 0), colOffsets: table(Cin, L, K, d) },
    c: op(0, 0, Cin * K, 1),
  });
  return gw;
}

const sub = (o: ConvOpOptions): string => {
  const parts = [o.stride && o.stride !== 1 ? `s=${o.stride}` : '', o.dilation && o.dilation !== 1 ? `d=${o.dilation}` : ''].filter(Boolean);
  return parts.length ? `_{${parts.join(',')}}` : '';
};

/**
 * 1-d cross-correlation without padding or bias (the core of nn.functional's conv1d, groups 1):
 * x [N, Cin, L], weight [Cout, Cin, K] -> [N, Cout, Lout] with
 * y[n, o, t] = sum_{c,k} x[n, c, t·stride + k·dilation] · weight[o, c, k].
 * @example conv1d(ones([1, 2, 5]), ones([3, 2, 3])).shape // [1, 3, 3]
 */
export const conv1d = defineOp(
  { name: 'conv1d', latex: ([x, w], at) => `${x} \\star${sub(at ?? {})} ${w}`, doc: '1-d cross-correlation without padding or bias: x [N, Cin, L], weight [Cout, Cin, K] -> [N, Cout, Lout].', inputs: ['input', 'weight'], params: [{ name: 'options', type: 'options', default: null }], method: false, onnx: { opType: 'Conv' } },
  (def) =>
    function conv1d(x: Tensor, weight: Tensor, opts: ConvOpOptions = {}): Tensor {
    const [N, Cin, L] = rank3('conv1d', 'input', x);
    const [Cout, Cw, K] = rank3('conv1d', 'weight', weight);
    if (Cw !== Cin) fail('conv1d', `weight ${fmtShape(weight.shape)} expects ${Cw} input channels, got input ${fmtShape(x.shape)}`);
    const g = geometry('conv1d', opts, N, Cin, L, Cout, K);
    const [a, w] = floats('conv1d', x, weight);
    const y = forward(a, w, g);
    const o = { stride: g.stride, dilation: g.dilation };
    return record(def, [a, w], y, (gy) => [a.requiresGrad ? conv1dInputGrad(gy, w, L, o) : null, w.requiresGrad ? conv1dWeightGrad(a, gy, K, o) : null], o);
  },
);

/**
 * The gradient of conv1d with respect to its input (a transposed convolution): gy [N, Cout, Lout],
 * weight [Cout, Cin, K] and the input length L -> [N, Cin, L] with
 * gx[n, c, t·stride + k·dilation] += sum_o gy[n, o, t] · weight[o, c, k].
 * @example conv1dInputGrad(ones([1, 3, 3]), ones([3, 2, 3]), 5).toArray()[0][0] // [3, 6, 9, 6, 3]
 */
export const conv1dInputGrad = defineOp(
  { name: 'conv1dInputGrad',
  latex: ([gy, w], at) => `\\operatorname{conv1d}^{\\top}${sub(at ?? {})}\\left(${gy}, ${w}\\right)`, doc: 'The gradient of conv1d with respect to its input (a transposed convolution).', inputs: ['gradOutput', 'weight'], params: [{ name: 'inputLength' }, { name: 'options', type: 'options', default: null }], method: false },
  (def) =>
    function conv1dInputGrad(gy: Tensor, weight: Tensor, L: number, opts: ConvOpOptions = {}): Tensor {
    const [N, Cout, Lout] = rank3('conv1dInputGrad', 'gradient', gy);
    const [Cw, Cin, K] = rank3('conv1dInputGrad', 'weight', weight);
    if (Cw !== Cout) fail('conv1dInputGrad', `gradient ${fmtShape(gy.shape)} has ${Cout} channels, weight ${fmtShape(weight.shape)} has ${Cw} outputs`);
    posInt('conv1dInputGrad', 'input length', L);
    const g = geometry('conv1dInputGrad', opts, N, Cin, L, Cout, K);
    if (g.Lout !== Lout) fail('conv1dInputGrad', `gradient ${fmtShape(gy.shape)} has length ${Lout}, but an input of length ${L} gives ${g.Lout}`);
    const [b, w] = floats('conv1dInputGrad', gy, weight);
    const gx = inputGrad(b, w, g);
    const o = { stride: g.stride, dilation: g.dilation };
    return record(def, [b, w], gx, (u) => [b.requiresGrad ? conv1d(u, w, o) : null, w.requiresGrad ? conv1dWeightGrad(u, b, K, o) : null], o);
  },
);

/**
 * The gradient of conv1d with respect to its weight: x [N, Cin, L], gy [N, Cout, Lout] and the kernel
 * size K -> [Cout, Cin, K] with gW[o, c, k] = sum_{n,t} gy[n, o, t] · x[n, c, t·stride + k·dilation].
 * @example conv1dWeightGrad(ones([1, 2, 5]), ones([1, 3, 3]), 3).toArray()[0][0] // [3, 3, 3]
 */
export const conv1dWeightGrad = defineOp(
  { name: 'conv1dWeightGrad',
  latex: ([x, gy], at) => `\\operatorname{conv1d}^{W}${sub(at ?? {})}\\left(${x}, ${gy}\\right)`, doc: 'The gradient of conv1d with respect to its weight.', inputs: ['input', 'gradOutput'], params: [{ name: 'kernelSize' }, { name: 'options', type: 'options', default: null }], method: false },
  (def) =>
    function conv1dWeightGrad(x: Tensor, gy: Tensor, K: number, opts: ConvOpOptions = {}): Tensor {
    const [N, Cin, L] = rank3('conv1dWeightGrad', 'input', x);
    const [Ng, Cout, Lout] = rank3('conv1dWeightGrad', 'gradient', gy);
    if (Ng !== N) fail('conv1dWeightGrad', `input ${fmtShape(x.shape)} and gradient ${fmtShape(gy.shape)} have different batch sizes`);
    posInt('conv1dWeightGrad', 'kernel size', K);
    const g = geometry('conv1dWeightGrad', opts, N, Cin, L, Cout, K);
    if (g.Lout !== Lout) fail('conv1dWeightGrad', `gradient ${fmtShape(gy.shape)} has length ${Lout}, but input ${fmtShape(x.shape)} gives ${g.Lout}`);
    const [a, b] = floats('conv1dWeightGrad', x, gy);
    const gw = weightGrad(a, b, g);
    const o = { stride: g.stride, dilation: g.dilation };
    return record(def, [a, b], gw, (u) => [a.requiresGrad ? conv1dInputGrad(b, u, L, o) : null, b.requiresGrad ? conv1d(a, u, o) : null], o);
  },
);
