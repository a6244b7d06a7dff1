import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { GemmOperand, GemmSpec } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, zeros } from '../tensor/creation.js';
import { promote } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { assertTensor } from './kernel.js';
import { col2im } from './fold.js';
import { matmul } from './matmul.js';
import { cast, concat, narrow, pad, reshape, transpose } from './shape.js';
import { type Size2d, pair, posInt } from './size2d.js';

// The three ops of a 2-d convolution, as conv.ts has them for 1-d. With x [N, Cin, H, W], weight
// [Cout, Cin/G, KH, KW] and y [N, Cout, OH, OW] they are the partial derivatives of one trilinear form
//   T(x, W, y) = sum x[n, g·Cg + c, i·sh + kh·dh, j·sw + kw·dw] W[g·Og + o, c, kh, kw] y[n, g·Og + o, i, j]
// (conv2d = dT/dy, conv2dInputGrad = dT/dx, conv2dWeightGrad = dT/dW), so each one's backward is made
// of the other two and derivatives of any order work. Each is a strided GEMM per group that reads its
// operands in place: a GEMM dimension that is two or three nested ones (channel and taps, or output
// row and column) runs through an offset table, and the GEMM packs those elements straight into its
// own panels (no im2col buffer). The input gradient is a correlation of the zero-padded output
// gradient with the flipped kernel, one GEMM per stride phase (output positions i·s + r): with stride
// 1 there is one phase written in place; with a larger stride each phase is computed contiguously and
// added into its strided positions.

export type { Size2d };

/** Stride, dilation and groups of the conv2d ops (no padding: pad the input first). */
export interface Conv2dOpOptions {
  /** step between output positions, one number or [height, width] (default 1) */
  stride?: Size2d;
  /** spacing between kernel taps, one number or [height, width] (default 1) */
  dilation?: Size2d;
  /** input and output channels split into this many independent groups (depthwise: groups = Cin) */
  groups?: number;
}

interface Geometry {
  N: number;
  Cin: number;
  H: number;
  W: number;
  Cout: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  G: number;
  /** input and output channels of one group */
  Cg: number;
  Og: number;
}

function fail(name: string, msg: string): never {
  throw new ChainruleError(`${name}: ${msg}`);
}


function rank4(name: string, what: string, t: Tensor): readonly number[] {
  assertTensor(t, name, what);
  if (t.ndim !== 4) fail(name, `${what} must have 4 dimensions, got ${fmtShape(t.shape)}`);
  return t.shape;
}

/** Casts both operands to their promoted float dtype. */
function floats(name: string, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const dtype = promote(a.dtype, b.dtype);
  if (dtype !== 'float32' && dtype !== 'float64') fail(name, `needs float tensors, got ${a.dtype} and ${b.dtype}`);
  return [a.dtype === dtype ? a : cast(a, dtype), b.dtype === dtype ? b : cast(b, dtype)];
}

/** Output size of a window sweep without padding: floor((L - d(K-1) - 1) / s) + 1, or 0. */
function outSize(L: number, K: number, s: number, d: number): number {
  const span = L - d * (K - 1) - 1;
  return span < 0 ? 0 : Math.floor(span / s) + 1;
}

function geometry(name: string, o: Conv2dOpOptions, N: number, Cin: number, H: number, W: number, Cout: number, Cg: number, KH: number, KW: number, shapes: string): Geometry {
  const [sh, sw] = pair(name, 'stride', o.stride, 1);
  const [dh, dw] = pair(name, 'dilation', o.dilation, 1);
  const G = posInt(name, 'groups', o.groups ?? 1);
  if (Cin % G !== 0 || Cout % G !== 0) fail(name, `${shapes}: ${Cin} input and ${Cout} output channels must both be divisible by groups=${G}`);
  if (Cg * G !== Cin) fail(name, `${shapes}: the weight expects ${Cg * G} input channels (${Cg} per group, groups=${G}), the input has ${Cin}`);
  if (KH < 1 || KW < 1) fail(name, `${shapes}: kernel size must be at least 1`);
  const OH = outSize(H, KH, sh, dh);
  const OW = outSize(W, KW, sw, dw);
  if (OH < 1 || OW < 1) fail(name, `${shapes}: the input ${H}x${W} is smaller than the dilated kernel ${dh * (KH - 1) + 1}x${dw * (KW - 1) + 1}`);
  // offset tables are Int32Arrays of positions inside one batch entry
  const Hq = OH + 2 * dh * (KH - 1);
  const Wq = OW + 2 * dw * (KW - 1);
  if (Math.max(Cin * H * W, Cout * Hq * Wq, Cout * Cg * KH * KW) >= 2 ** 31) fail(name, `${shapes}: a batch entry or the weight has 2^31 or more elements`);
  return { N, Cin, H, W, Cout, KH, KW, OH, OW, sh, sw, dh, dw, G, Cg, Og: Cout / G };
}

/** t[(i·n1 + j)·n2 + k] = base + i·s0 + j·s1 + k·s2: up to three nested dimensions read as one. */
function table(n0: number, s0: number, n1: number, s1: number, n2 = 1, s2 = 0, base = 0): Int32Array {
  const t = new Int32Array(n0 * n1 * n2);
  let q = 0;
  for (let i = 0; i < n0; i++) for (let j = 0; j < n1; j++) for (let k = 0; k < n2; k++) t[q++] = base + i * s0 + j * s1 + k * s2;
  return t;
}

const op = (offset: number, batchStride: number, rowStride: number, colStride: number, tables: Partial<Pick<GemmOperand, 'rowOffsets' | 'colOffsets'>> = {}): GemmOperand => ({
  offset,
  batchStride,
  rowStride,
  colStride,
  ...tables,
});

/** Per-batch-entry (n) and per-group (g) offsets of the three operands of one grouped GEMM. */
interface Steps {
  a: [number, number];
  b: [number, number];
  c: [number, number];
}

/**
 * Runs spec once per group with the batch as the GEMM's batch, or (more groups than batch entries)
 * once per batch entry with the groups as the GEMM's batch. With sumBatch (the batch is summed) the
 * second form accumulates over the calls instead.
 */
function grouped(a: Tensor, b: Tensor, c: Tensor, N: number, G: number, st: Steps, spec: Omit<GemmSpec, 'batch'>): void {
  const K = kernels();
  const at = (o: GemmOperand, off: number, batchStride: number): GemmOperand => ({ ...o, offset: o.offset + off, batchStride });
  if (G <= N || N === 0) {
    for (let g = 0; g < G; g++) {
      K.gemm(a.data, b.data, c.data, { ...spec, batch: N, a: at(spec.a, g * st.a[1], st.a[0]), b: at(spec.b, g * st.b[1], st.b[0]), c: at(spec.c, g * st.c[1], st.c[0]) });
    }
    return;
  }
  for (let n = 0; n < N; n++) {
    const sum = spec.sumBatch;
    K.gemm(a.data, b.data, c.data, {
      ...spec,
      batch: G,
      sumBatch: false,
      accumulate: spec.accumulate || (sum && n > 0),
      a: at(spec.a, n * st.a[0], st.a[1]),
      b: at(spec.b, n * st.b[0], st.b[1]),
      c: at(spec.c, sum ? 0 : n * st.c[0], st.c[1]),
    });
  }
}

/** y[n, o, i, j] = sum_{c,kh,kw} W[o, c, kh, kw] x[n, c, i·sh + kh·dh, j·sw + kw·dw]: depth Cg·KH·KW through tables of x. */
function forward(x: Tensor, w: Tensor, g: Geometry): Tensor {
  const { N, Cin, H, W, Cout, KH, KW, OH, OW, sh, sw, dh, dw, G, Cg, Og } = g;
  const y = empty([N, Cout, OH, OW], x.dtype);
  const depth = Cg * KH * KW;
  grouped(w, x, y, N, G, { a: [0, Og * depth], b: [Cin * H * W, Cg * H * W], c: [Cout * OH * OW, Og * OH * OW] }, {
    m: Og,
    n: OH * OW,
    k: depth,
    accumulate: false,
    sumBatch: false,
    a: op(0, 0, depth, 1),
    b: op(0, 0, 0, 0, { rowOffsets: table(Cg, H * W, KH, dh * W, KW, dw), colOffsets: table(OH, sh * W, OW, sw) }),
    c: op(0, 0, OH * OW, 1),
  });
  return y;
}

/** gW[o, (c, kh, kw)] = sum_{n,i,j} gy[n, o, i, j] x[n, c, i·sh + kh·dh, j·sw + kw·dw]: a batch-summed GEMM. */
function weightGrad(x: Tensor, gy: Tensor, g: Geometry): Tensor {
  const { N, Cin, H, W, Cout, KH, KW, OH, OW, sh, sw, dh, dw, G, Cg, Og } = g;
  const depth = Cg * KH * KW;
  const gw = empty([Cout, Cg, KH, KW], x.dtype);
  grouped(gy, x, gw, N, G, { a: [Cout * OH * OW, Og * OH * OW], b: [Cin * H * W, Cg * H * W], c: [0, Og * depth] }, {
    m: Og,
    n: depth,
    k: OH * OW,
    accumulate: false,
    sumBatch: true,
    a: op(0, 0, OH * OW, 1),
    b: op(0, 0, 0, 0, { rowOffsets: table(OH, sh * W, OW, sw), colOffsets: table(Cg, H * W, KH, dh * W, KW, dw) }),
    c: op(0, 0, depth, 1),
  });
  return gw;
}

/** The taps k of one stride phase r (k·d ≡ r mod s) and their output offsets q = (r - k·d) / s. */
function phaseTaps(r: number, K: number, s: number, d: number): { k: number; q: number }[] {
  const out: { k: number; q: number }[] = [];
  for (let k = 0; k < K; k++) if ((((r - k * d) % s) + s) % s === 0) out.push({ k, q: (r - k * d) / s });
  return out;
}

/**
 * gx[n, c, h, w] = sum_{o,kh,kw} W[o, c, kh, kw] gy[n, o, (h - kh·dh) / sh, (w - kw·dw) / sw] over the
 * terms whose divisions are exact and inside gy. Positions h = r + sh·i of phase r take taps with
 * kh·dh ≡ r (mod sh), at gy row i + (r - kh·dh) / sh: a correlation of the padded gy per phase.
 */
/**
 * The input gradient as the columns Wᵀ·gy of each group summed into place by col2im (PyTorch's
 * way), for a weight that is not finite: the phase GEMMs below also multiply every tap by the zero
 * padding of gy, and 0·inf or 0·NaN would reach input positions that the tap never reads.
 */
function inputGradByColumns(gy: Tensor, w: Tensor, g: Geometry): Tensor {
  const { N, H, W, KH, KW, OH, OW, sh, sw, dh, dw, G, Cg, Og } = g;
  const cols: Tensor[] = [];
  for (let k = 0; k < G; k++) {
    const wk = reshape(narrow(w, 0, k * Og, Og), [Og, Cg * KH * KW]);
    cols.push(matmul(transpose(wk, 0, 1), reshape(narrow(gy, 1, k * Og, Og), [N, Og, OH * OW])));
  }
  return col2im(G === 1 ? cols[0] : concat(cols, 1), [H, W], [KH, KW], { stride: [sh, sw], dilation: [dh, dw] });
}

function inputGrad(gy: Tensor, w: Tensor, g: Geometry): Tensor {
  if (!w.data.every(Number.isFinite) && g.N > 0 && g.OH > 0 && g.OW > 0) return noGrad(() => inputGradByColumns(gy, w, g));
  const { N, Cin, H, W, Cout, KH, KW, OH, OW, sh, sw, dh, dw, G, Cg, Og } = g;
  const gx = zeros([N, Cin, H, W], { dtype: gy.dtype });
  const rowPhases = Array.from({ length: sh }, (_, r) => ({ r, n: Math.ceil((H - r) / sh), taps: phaseTaps(r, KH, sh, dh) })).filter((p) => p.n > 0 && p.taps.length > 0);
  const colPhases = Array.from({ length: sw }, (_, r) => ({ r, n: Math.ceil((W - r) / sw), taps: phaseTaps(r, KW, sw, dw) })).filter((p) => p.n > 0 && p.taps.length > 0);
  if (!rowPhases.length || !colPhases.length) return gx;
  // zero padding of gy that every phase's reads stay inside: rows i + q with i < n
  const top = Math.max(0, ...rowPhases.flatMap((p) => p.taps.map((t) => -t.q)));
  const bottom = Math.max(0, ...rowPhases.flatMap((p) => p.taps.map((t) => p.n - 1 + t.q - (OH - 1))));
  const left = Math.max(0, ...colPhases.flatMap((p) => p.taps.map((t) => -t.q)));
  const right = Math.max(0, ...colPhases.flatMap((p) => p.taps.map((t) => p.n - 1 + t.q - (OW - 1))));
  const gyp = top || bottom || left || right ? noGrad(() => pad(gy, [left, right, top, bottom])) : gy;
  const Hq = OH + top + bottom;
  const Wq = OW + left + right;
  const direct = sh === 1 && sw === 1;
  for (const rp of rowPhases) {
    for (const cp of colPhases) {
      const taps = rp.taps.length * cp.taps.length;
      // A[c, (o, kh, kw)] = W[o, c, kh, kw] over this phase's taps; B[(o, kh, kw), (i, j)] = gyp[n, o, i + qh + top, j + qw + left]
      const aCols = new Int32Array(Og * taps);
      const bRows = new Int32Array(Og * taps);
      let q = 0;
      for (let o = 0; o < Og; o++) {
        for (const th of rp.taps) {
          for (const tw of cp.taps) {
            aCols[q] = o * Cg * KH * KW + th.k * KW + tw.k;
            bRows[q++] = o * Hq * Wq + (th.q + top) * Wq + (tw.q + left);
          }
        }
      }
      const ni = rp.n;
      const nj = cp.n;
      const out = direct ? gx : empty([N, Cin, ni, nj], gy.dtype);
      grouped(w, gyp, out, N, G, { a: [0, Og * Cg * KH * KW], b: [Cout * Hq * Wq, Og * Hq * Wq], c: [Cin * ni * nj, Cg * ni * nj] }, {
        m: Cg,
        n: ni * nj,
        k: Og * taps,
        accumulate: false,
        sumBatch: false,
        a: op(0, 0, KH * KW, 0, { colOffsets: aCols }),
        b: op(0, 0, 0, 0, { rowOffsets: bRows, colOffsets: table(ni, Wq, nj, 1) }),
        c: op(0, 0, ni * nj, 1),
      });
      if (!direct) kernels().stridedAccumulate(out.data, [N, Cin, ni, nj], gx.data, rp.r * W + cp.r, [Cin * H * W, H * W, sh * W, sw]);
    }
  }
  return gx;
}

const sub = (o: { stride: [number, number]; dilation: [number, number]; groups: number }): string => {
  const two = (v: [number, number]) => (v[0] === v[1] ? `${v[0]}` : `(${v[0]},${v[1]})`);
  const parts = [o.stride[0] !== 1 || o.stride[1] !== 1 ? `s=${two(o.stride)}` : '', o.dilation[0] !== 1 || o.dilation[1] !== 1 ? `d=${two(o.dilation)}` : '', o.groups !== 1 ? `g=${o.groups}` : ''].filter(Boolean);
  return parts.length ? `_{${parts.join(',')}}` : '';
};

type Attrs = {
  stride: [number, number];
  dilation: [number, number];
  groups: number;
};

const attrsOf = (g: Geometry): Attrs => ({ stride: [g.sh, g.sw], dilation: [g.dh, g.dw], groups: g.G });
const latexSub = (at: Record<string, unknown> | undefined): string => (at && Array.isArray(at.stride) ? sub(at as unknown as Attrs) : '');

/**
 * 2-d cross-correlation without padding or bias (the core of nn.functional's conv2d): x [N, Cin, H, W],
 * weight [Cout, Cin/groups, KH, KW] -> [N, Cout, OH, OW] with
 * y[n, o, i, j] = sum_{c,kh,kw} x[n, g·Cin/groups + c, i·sh + kh·dh, j·sw + kw·dw] · weight[o, c, kh, kw]
 * (g the group of o).
 * @example conv2d(ones([1, 2, 5, 5]), ones([3, 2, 3, 3])).shape // [1, 3, 3, 3]
 */
export const conv2d = defineOp(
  {
    name: 'conv2d',
    latex: ([x, w], at) => `${x} \\star${latexSub(at)} ${w}`,
    doc: '2-d cross-correlation without padding or bias: x [N, Cin, H, W], weight [Cout, Cin/groups, KH, KW] -> [N, Cout, OH, OW].',
    inputs: ['input', 'weight'],
    params: [{ name: 'options', type: 'options', default: null }],
    method: false,
    // the op pads nothing itself: nn's Conv2d passes its zero padding [left, right, top, bottom] along
    onnx: {
      opType: 'Conv',
      attributes: (a) => {
        const p = (a.padding as number[] | undefined) ?? [0, 0, 0, 0];
        return { strides: a.stride as number[], dilations: a.dilation as number[], group: a.groups as number, pads: [p[2], p[0], p[3], p[1]] };
      },
    },
  },
  (def) =>
    function conv2d(x: Tensor, weight: Tensor, opts: Conv2dOpOptions = {}): Tensor {
      const [N, Cin, H, W] = rank4('conv2d', 'input', x);
      const [Cout, Cg, KH, KW] = rank4('conv2d', 'weight', weight);
      const g = geometry('conv2d', opts, N, Cin, H, W, Cout, Cg, KH, KW, `input ${fmtShape(x.shape)}, weight ${fmtShape(weight.shape)}`);
      const [a, w] = floats('conv2d', x, weight);
      const y = forward(a, w, g);
      const o = attrsOf(g);
      return record(def, [a, w], y, (gy) => [a.requiresGrad ? conv2dInputGrad(gy, w, [H, W], o) : null, w.requiresGrad ? conv2dWeightGrad(a, gy, [KH, KW], o) : null], o);
    },
);

function sizeArg(name: string, what: string, v: Size2d): [number, number] {
  return pair(name, what, v, 1);
}

/**
 * The gradient of conv2d with respect to its input (a transposed convolution): gy [N, Cout, OH, OW],
 * weight [Cout, Cin/groups, KH, KW] and the input size [H, W] -> [N, Cin, H, W] with
 * gx[n, c, i·sh + kh·dh, j·sw + kw·dw] += sum_o gy[n, o, i, j] · weight[o, c, kh, kw].
 * @example conv2dInputGrad(ones([1, 1, 2, 2]), ones([1, 1, 2, 2]), [3, 3]).toArray()[0][0] // [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
 */
export const conv2dInputGrad = defineOp(
  {
    name: 'conv2dInputGrad',
    latex: ([gy, w], at) => `\\operatorname{conv2d}^{\\top}${latexSub(at)}\\left(${gy}, ${w}\\right)`,
    doc: 'The gradient of conv2d with respect to its input (a transposed convolution).',
    inputs: ['gradOutput', 'weight'],
    params: [{ name: 'inputSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
  },
  (def) =>
    function conv2dInputGrad(gy: Tensor, weight: Tensor, inputSize: Size2d, opts: Conv2dOpOptions = {}): Tensor {
      const [N, Cout, OH, OW] = rank4('conv2dInputGrad', 'gradient', gy);
      const [Cw, Cg, KH, KW] = rank4('conv2dInputGrad', 'weight', weight);
      const shapes = `gradient ${fmtShape(gy.shape)}, weight ${fmtShape(weight.shape)}`;
      if (Cw !== Cout) fail('conv2dInputGrad', `${shapes}: the gradient has ${Cout} channels, the weight ${Cw} outputs`);
      const [H, W] = sizeArg('conv2dInputGrad', 'input size', inputSize);
      const G = posInt('conv2dInputGrad', 'groups', opts.groups ?? 1);
      const g = geometry('conv2dInputGrad', opts, N, Cg * G, H, W, Cout, Cg, KH, KW, shapes);
      if (g.OH !== OH || g.OW !== OW) fail('conv2dInputGrad', `${shapes}: the gradient is ${OH}x${OW}, but an input of ${H}x${W} gives ${g.OH}x${g.OW}`);
      const [b, w] = floats('conv2dInputGrad', gy, weight);
      const gx = inputGrad(b, w, g);
      const o = attrsOf(g);
      return record(def, [b, w], gx, (u) => [b.requiresGrad ? conv2d(u, w, o) : null, w.requiresGrad ? conv2dWeightGrad(u, b, [KH, KW], o) : null], o);
    },
);

/**
 * The gradient of conv2d with respect to its weight: x [N, Cin, H, W], gy [N, Cout, OH, OW] and the
 * kernel size [KH, KW] -> [Cout, Cin/groups, KH, KW] with
 * gW[o, c, kh, kw] = sum_{n,i,j} gy[n, o, i, j] · x[n, g·Cin/groups + c, i·sh + kh·dh, j·sw + kw·dw].
 * @example conv2dWeightGrad(ones([1, 1, 3, 3]), ones([1, 1, 2, 2]), 2).toArray() // [[[[4, 4], [4, 4]]]]
 */
export const conv2dWeightGrad = defineOp(
  {
    name: 'conv2dWeightGrad',
    latex: ([x, gy], at) => `\\operatorname{conv2d}^{W}${latexSub(at)}\\left(${x}, ${gy}\\right)`,
    doc: 'The gradient of conv2d with respect to its weight.',
    inputs: ['input', 'gradOutput'],
    params: [{ name: 'kernelSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
  },
  (def) =>
    function conv2dWeightGrad(x: Tensor, gy: Tensor, kernelSize: Size2d, opts: Conv2dOpOptions = {}): Tensor {
      const [N, Cin, H, W] = rank4('conv2dWeightGrad', 'input', x);
      const [Ng, Cout, OH, OW] = rank4('conv2dWeightGrad', 'gradient', gy);
      const shapes = `input ${fmtShape(x.shape)}, gradient ${fmtShape(gy.shape)}`;
      if (Ng !== N) fail('conv2dWeightGrad', `${shapes}: different batch sizes`);
      const [KH, KW] = sizeArg('conv2dWeightGrad', 'kernel size', kernelSize);
      const G = posInt('conv2dWeightGrad', 'groups', opts.groups ?? 1);
      if (Cin % G !== 0) fail('conv2dWeightGrad', `${shapes}: ${Cin} input channels are not divisible by groups=${G}`);
      const g = geometry('conv2dWeightGrad', opts, N, Cin, H, W, Cout, Cin / G, KH, KW, shapes);
      if (g.OH !== OH || g.OW !== OW) fail('conv2dWeightGrad', `${shapes}: the gradient is ${OH}x${OW}, but the input gives ${g.OH}x${g.OW}`);
      const [a, b] = floats('conv2dWeightGrad', x, gy);
      const gw = weightGrad(a, b, g);
      const o = attrsOf(g);
      return record(def, [a, b], gw, (u) => [a.requiresGrad ? conv2dInputGrad(b, u, [H, W], o) : null, b.requiresGrad ? conv2d(a, u, o) : null], o);
    },
);
