import type { Backend, ReduceOp, ScatterOp, TypedArray } from '../types.js';
import { contiguousStrides } from '../../tensor/strides.js';
import { attention, attentionBackward } from './attention.js';
import { conv1dSparseGrad } from './conv.js';
import { ctcLoss, ctcLossBackward } from './ctc.js';
import { binary, coalesce, forEachRun, unary, where } from './elementwise.js';
import { extremumBackward } from './extremum.js';
import { matmul, stridedGemm } from './matmul.js';
import { adamStep, sgdStep } from './optim.js';
import { avgPool2d, avgPool2dBackward, maxPool2d } from './pool.js';
import { rnnBackward, rnnForward } from './rnn.js';
import { csrMatmul } from './sparse.js';
import { scan } from './scan.js';
import { kthvalue, median, mode, sort, topk } from './sort.js';
import { variance } from './stats.js';
import { windowArgmax } from './window.js';

function reduce(op: ReduceOp, x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void {
  const init = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'max' ? -Infinity : Infinity;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      let acc = init;
      const base = o * n;
      switch (op) {
        case 'sum':
          for (let j = 0; j < n; j++) acc += x[base + j];
          break;
        case 'prod':
          for (let j = 0; j < n; j++) acc *= x[base + j];
          break;
        case 'max':
          for (let j = 0; j < n; j++) {
            const v = x[base + j];
            if (v > acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
          break;
        case 'min':
          for (let j = 0; j < n; j++) {
            const v = x[base + j];
            if (v < acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
          break;
      }
      out[o] = acc;
    }
    return;
  }
  // accumulate whole inner rows in float64 so float32 sums do not lose digits
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(init);
    for (let j = 0; j < n; j++) {
      const base = (o * n + j) * inner;
      switch (op) {
        case 'sum':
          for (let i = 0; i < inner; i++) acc[i] += x[base + i];
          break;
        case 'prod':
          for (let i = 0; i < inner; i++) acc[i] *= x[base + i];
          break;
        case 'max':
          for (let i = 0; i < inner; i++) {
            const v = x[base + i];
            if (v > acc[i] || v !== v) acc[i] = v;
          }
          break;
        case 'min':
          for (let i = 0; i < inner; i++) {
            const v = x[base + i];
            if (v < acc[i] || v !== v) acc[i] = v;
          }
          break;
      }
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
}

function argReduce(op: 'max' | 'min', x: TypedArray, outer: number, n: number, inner: number, out: Int32Array): void {
  const better = op === 'max' ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bv = x[o * n * inner + i];
      for (let j = 1; j < n && bv === bv; j++) {
        const v = x[(o * n + j) * inner + i];
        if (better(v, bv) || v !== v) {
          bv = v;
          best = j;
        }
      }
      out[o * inner + i] = best;
    }
  }
}

function softmax(x: TypedArray, outer: number, n: number, inner: number, out: TypedArray, log: boolean): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let mx = -Infinity;
      for (let j = 0; j < n; j++) {
        const v = x[base + j * inner];
        if (v > mx) mx = v;
      }
      if (mx === -Infinity) mx = 0;
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[base + j * inner] - mx);
      if (log) {
        // (x - max) - log Σ, as PyTorch: x - (max + log Σ) loses the digits of large logits
        const ls = Math.log(s);
        for (let j = 0; j < n; j++) out[base + j * inner] = x[base + j * inner] - mx - ls;
      } else {
        const inv = 1 / s;
        for (let j = 0; j < n; j++) out[base + j * inner] = Math.exp(x[base + j * inner] - mx) * inv;
      }
    }
  }
}

function stridedCopy(src: TypedArray, offset: number, strides: readonly number[], shape: readonly number[], out: TypedArray): void {
  if (out.length === 0) return;
  const [cs, [ss]] = coalesce(shape, [strides, contiguousStrides(shape)]);
  const r = cs.length - 1;
  const step = ss[r];
  let io = 0;
  forEachRun(cs, [ss], (offs, n) => {
    let is = offset + offs[0];
    if (step === 1) out.set(src.subarray(is, is + n), io);
    else for (let i = 0; i < n; i++, is += step) out[io + i] = src[is];
    io += n;
  });
}

function stridedAccumulate(src: TypedArray, shape: readonly number[], dst: TypedArray, offset: number, strides: readonly number[]): void {
  if (src.length === 0) return;
  const [cs, [ds]] = coalesce(shape, [strides, contiguousStrides(shape)]);
  const r = cs.length - 1;
  const step = ds[r];
  let io = 0;
  forEachRun(cs, [ds], (offs, n) => {
    let id = offset + offs[0];
    for (let i = 0; i < n; i++, id += step) dst[id] += src[io + i];
    io += n;
  });
}

function indexSelect(x: TypedArray, idx: Int32Array, outer: number, n: number, inner: number, out: TypedArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const s = (o * n + idx[j]) * inner;
      out.set(x.subarray(s, s + inner), (o * m + j) * inner);
    }
  }
}

function indexAdd(g: TypedArray, idx: Int32Array, outer: number, n: number, inner: number, out: TypedArray): void {
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const d = (o * n + idx[j]) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[d + i] += g[s + i];
    }
  }
}

function gather(x: TypedArray, idx: Int32Array, outer: number, n: number, m: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const r = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[r + i] = x[(o * n + idx[r + i]) * inner + i];
    }
  }
}

function scatterAdd(src: TypedArray, idx: Int32Array, outer: number, n: number, m: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const r = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[(o * n + idx[r + i]) * inner + i] += src[r + i];
    }
  }
}

function scatterReduce(op: ScatterOp, src: TypedArray, idx: Int32Array, out: TypedArray, includeSelf: boolean): void {
  const m = idx.length;
  // positions not yet written when the old value must not take part
  const fresh = includeSelf || op === 'set' ? null : new Uint8Array(out.length).fill(1);
  for (let j = 0; j < m; j++) {
    const k = idx[j];
    const v = src[j];
    if (fresh?.[k]) {
      fresh[k] = 0;
      out[k] = v;
      continue;
    }
    switch (op) {
      case 'set':
        out[k] = v;
        break;
      case 'sum':
        out[k] += v;
        break;
      case 'prod':
        // int32 products wrap modulo 2^32 (exactly, where a double product would round first)
        out[k] = out instanceof Int32Array ? Math.imul(out[k], v) : out[k] * v;
        break;
      case 'amax': {
        const a = out[k];
        out[k] = a !== a || v !== v ? Number.NaN : a > v ? a : v;
        break;
      }
      case 'amin': {
        const a = out[k];
        out[k] = a !== a || v !== v ? Number.NaN : a < v ? a : v;
        break;
      }
    }
  }
}

function cast(x: TypedArray, out: TypedArray): void {
  if (out instanceof Uint8Array) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
  } else if (out instanceof Int32Array) {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  } else {
    out.set(x);
  }
}

/** The reference backend: plain TypeScript over typed arrays; runs everywhere. */
export const jsBackend: Backend = {
  name: 'js',
  unary,
  binary,
  where,
  reduce,
  extremumBackward,
  argReduce,
  windowArgmax,
  variance,
  scan,
  sort,
  topk,
  kthvalue,
  median,
  mode,
  softmax,
  matmul,
  gemm: stridedGemm,
  conv1dSparseGrad,
  stridedCopy,
  stridedAccumulate,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  scatterReduce,
  csrMatmul,
  maxPool2d,
  avgPool2d,
  avgPool2dBackward,
  cast,
  rnnForward,
  rnnBackward,
  attention,
  attentionBackward,
  ctcLoss,
  ctcLossBackward,
  sgdStep,
  adamStep,
};
