import { ChainruleError } from '../../errors.js';
import { jsBackend } from '../js/index.js';
import {
  type AdamOptions,
  type Backend,
  type BinaryKernel,
  type GemmOperand,
  type GemmSpec,
  type MatmulSpec,
  RNN_GATES,
  RNN_SAVED,
  type ReduceOp,
  type RnnBackwardArgs,
  type RnnForwardArgs,
  type RnnSpec,
  type SgdOptions,
  type TypedArray,
  type UnaryKernel,
} from '../types.js';
import type { NativeAddon } from './addon.js';
import { REDUCE_CODES, codeTable } from './codes.js';

const MAX_RANK = 32;
/**
 * Below this many elements a call into C costs more than the work (~0.3 us per call), so
 * elementwise kernels, copies and reductions run on the TypeScript reference kernels.
 */
const SMALL_DEFAULT = 64;

// Scratch arrays that carry shapes, strides and options into C without allocating per call.
const dims = new Float64Array(1 + 5 * MAX_RANK);
const spec = new Float64Array(8);
const gemmSpec = new Float64Array(18);
const opts = new Float64Array(10);
const rnnSpec = new Float64Array(5);
const RNN_KIND_CODES = { tanh: 0, relu: 1, gru: 2, lstm: 3 } as const;

/**
 * Checks every array of a fused recurrent call (length, and one float type for all) and fills
 * rnnSpec; false when the arrays are of mixed types (the TypeScript kernel runs instead).
 */
function rnnArrays(s: RnnSpec, arrays: [string, TypedArray | null, number][], mask: Uint8Array | null): boolean {
  const { T, B, H } = s;
  for (const v of [T, B, H]) if (!Number.isInteger(v) || v < 0) fail(`rnn: bad sizes T=${T} B=${B} H=${H}`);
  const first = arrays[0][1] as TypedArray;
  if (!isFloatArray(first)) return false;
  for (const [what, arr, n] of arrays) {
    if (!arr) continue;
    if (!sameKind(first, arr)) return false;
    checkLen(`rnn (${what})`, arr, n);
  }
  if (mask) {
    if (!(mask instanceof Uint8Array)) fail('rnn: the mask must be a Uint8Array');
    checkLen('rnn (mask)', mask, T * B);
  }
  rnnSpec[0] = RNN_KIND_CODES[s.kind];
  rnnSpec[1] = T;
  rnnSpec[2] = B;
  rnnSpec[3] = H;
  rnnSpec[4] = s.reverse ? 1 : 0;
  return true;
}

const sameKind = (a: TypedArray, b: TypedArray): boolean => a.constructor === b.constructor;
const isFloatArray = (a: TypedArray): boolean => a instanceof Float32Array || a instanceof Float64Array;

function fail(what: string): never {
  throw new ChainruleError(`native backend: ${what}`);
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless every element read through `strides` over `shape` from `offset` lies in [0, length). */
function checkSpan(what: string, length: number, offset: number, shape: readonly number[], strides: readonly number[]): void {
  if (strides.length !== shape.length) fail(`${what}: ${strides.length} strides for rank ${shape.length}`);
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 0) return;
    const s = strides[d];
    if (!Number.isInteger(s) || !Number.isInteger(n) || n < 0) fail(`${what}: bad shape or strides`);
    if (s > 0) hi += (n - 1) * s;
    else lo += (n - 1) * s;
  }
  if (lo < 0 || hi >= length) fail(`${what}: strided access [${lo}, ${hi}] outside an array of ${length}`);
}

/** Writes rank and then each vector into the shared dims buffer. */
function packDims(shape: readonly number[], ...vectors: (readonly number[])[]): Float64Array {
  const r = shape.length;
  dims[0] = r;
  for (let d = 0; d < r; d++) dims[1 + d] = shape[d];
  vectors.forEach((v, k) => {
    const base = 1 + (k + 1) * r;
    for (let d = 0; d < r; d++) dims[base + d] = v[d];
  });
  return dims;
}

/** [lo, hi] of i·stride over i < n (n >= 1), or of the first n entries of a table replacing the stride. */
function dimRange(what: string, n: number, stride: number, table: Int32Array | undefined): [number, number] {
  if (table) {
    if (!(table instanceof Int32Array) || table.length < n) fail(`${what}: an offset table needs ${n} Int32Array entries`);
    let lo = table[0];
    let hi = table[0];
    for (let i = 1; i < n; i++) {
      lo = Math.min(lo, table[i]);
      hi = Math.max(hi, table[i]);
    }
    return [lo, hi];
  }
  if (!Number.isInteger(stride)) fail(`${what}: stride ${stride} is not an integer`);
  return stride >= 0 ? [0, (n - 1) * stride] : [(n - 1) * stride, 0];
}

/**
 * Checks that every element of one strided GEMM operand ([batch, rows, cols] matrices, through its
 * strides or offset tables) lies inside its array, and writes it into gemmSpec at `at`.
 */
function gemmOperand(what: string, arr: TypedArray, o: GemmOperand, batch: number, rows: number, cols: number, at: number): void {
  const w = `gemm (${what})`;
  if (!Number.isInteger(o.offset)) fail(`${w}: offset ${o.offset} is not an integer`);
  if (batch > 0 && rows > 0 && cols > 0) {
    const [b0, b1] = dimRange(w, batch, o.batchStride, undefined);
    const [r0, r1] = dimRange(w, rows, o.rowStride, o.rowOffsets);
    const [c0, c1] = dimRange(w, cols, o.colStride, o.colOffsets);
    const lo = o.offset + b0 + r0 + c0;
    const hi = o.offset + b1 + r1 + c1;
    if (lo < 0 || hi >= arr.length) fail(`${w}: strided access [${lo}, ${hi}] outside an array of ${arr.length}`);
  }
  gemmSpec[at] = o.offset;
  gemmSpec[at + 1] = batch > 1 ? o.batchStride : 0;
  gemmSpec[at + 2] = o.rowOffsets ? 0 : o.rowStride;
  gemmSpec[at + 3] = o.colOffsets ? 0 : o.colStride;
}

function checkIndices(what: string, idx: Int32Array, n: number): void {
  if (!(idx instanceof Int32Array)) fail(`${what}: indices must be an Int32Array`);
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= n) fail(`${what}: index ${v} out of range for size ${n}`);
  }
}

function checkLen(what: string, a: TypedArray, n: number): void {
  if (a.length !== n) fail(`${what}: array of ${a.length} elements where ${n} are needed`);
}

/**
 * Wraps the addon as a Backend. Arguments are checked here (lengths, strides, indices) so that C
 * never reads or writes out of bounds; dtype combinations the addon does not implement (mixed
 * operand types) run on the TypeScript kernels instead, as do arrays of at most `smallCutoff`
 * elements (64 by default; tests pass -1 to send everything to C).
 */
export function createNativeBackend(addon: NativeAddon, options: { smallCutoff?: number } = {}): Backend {
  const SMALL = options.smallCutoff ?? SMALL_DEFAULT;
  const names = addon.kernelNames();
  const UNARY = codeTable(names.unary);
  const BINARY = codeTable(names.binary);
  return {
    name: 'native',

    unary(k: UnaryKernel, x: TypedArray, out: TypedArray, p0 = 0, p1 = 0): void {
      const code = UNARY.get(k.name);
      if (code === undefined || !sameKind(x, out) || x.length <= SMALL) {
        jsBackend.unary(k, x, out, p0, p1);
        return;
      }
      checkLen('unary', out, x.length);
      if (!addon.unary(code, x, out, p0, p1)) jsBackend.unary(k, x, out, p0, p1);
    },

    binary(k: BinaryKernel, a, aStrides, b, bStrides, out, outShape): void {
      const code = BINARY.get(k.name);
      const outOk = k.compare ? out instanceof Uint8Array : sameKind(a, out);
      if (code === undefined || !sameKind(a, b) || !outOk || outShape.length > MAX_RANK || out.length <= SMALL) {
        jsBackend.binary(k, a, aStrides, b, bStrides, out, outShape);
        return;
      }
      checkLen('binary', out, sizeOf(outShape));
      checkSpan('binary (left operand)', a.length, 0, outShape, aStrides);
      checkSpan('binary (right operand)', b.length, 0, outShape, bStrides);
      if (!addon.binary(code, a, b, out, packDims(outShape, aStrides, bStrides))) jsBackend.binary(k, a, aStrides, b, bStrides, out, outShape);
    },

    where(cond, cStrides, a, aStrides, b, bStrides, out, outShape): void {
      if (!(cond instanceof Uint8Array) || !sameKind(a, b) || !sameKind(a, out) || outShape.length > MAX_RANK || out.length <= SMALL) {
        jsBackend.where(cond, cStrides, a, aStrides, b, bStrides, out, outShape);
        return;
      }
      checkLen('where', out, sizeOf(outShape));
      checkSpan('where (condition)', cond.length, 0, outShape, cStrides);
      checkSpan('where (first branch)', a.length, 0, outShape, aStrides);
      checkSpan('where (second branch)', b.length, 0, outShape, bStrides);
      addon.where(cond, a, b, out, packDims(outShape, cStrides, aStrides, bStrides));
    },

    reduce(op: ReduceOp, x, outer, n, inner, out): void {
      const code = REDUCE_CODES.get(op);
      if (code === undefined || !sameKind(x, out) || x.length <= SMALL) {
        jsBackend.reduce(op, x, outer, n, inner, out);
        return;
      }
      checkLen('reduce (input)', x, outer * n * inner);
      checkLen('reduce (output)', out, outer * inner);
      addon.reduce(code, x, outer, n, inner, out);
    },

    argReduce(op, x, outer, n, inner, out): void {
      if (!(out instanceof Int32Array)) {
        jsBackend.argReduce(op, x, outer, n, inner, out);
        return;
      }
      checkLen('argReduce (input)', x, outer * n * inner);
      checkLen('argReduce (output)', out, outer * inner);
      addon.argReduce(op === 'max', x, outer, n, inner, out);
    },

    scan: jsBackend.scan,
    sort: jsBackend.sort,
    topk: jsBackend.topk,
    kthvalue: jsBackend.kthvalue,
    median: jsBackend.median,
    mode: jsBackend.mode,
    softmax(x, outer, n, inner, out, log): void {
      if (!sameKind(x, out) || x.length <= SMALL) {
        jsBackend.softmax(x, outer, n, inner, out, log);
        return;
      }
      checkLen('softmax (input)', x, outer * n * inner);
      checkLen('softmax (output)', out, outer * n * inner);
      addon.softmax(x, outer, n, inner, out, log);
    },

    matmul(a, b, out, s: MatmulSpec): void {
      if (!isFloatArray(a) || !sameKind(a, b) || !sameKind(a, out)) {
        jsBackend.matmul(a, b, out, s);
        return;
      }
      const { batch, m, n, k, strideA, strideB } = s;
      checkLen('matmul (output)', out, batch * m * n);
      if (batch > 0 && m * k > 0 && (batch - 1) * strideA + m * k > a.length) fail('matmul: left operand too short');
      if (batch > 0 && k * n > 0 && (batch - 1) * strideB + k * n > b.length) fail('matmul: right operand too short');
      spec[0] = batch;
      spec[1] = m;
      spec[2] = n;
      spec[3] = k;
      spec[4] = s.transA ? 1 : 0;
      spec[5] = s.transB ? 1 : 0;
      spec[6] = strideA;
      spec[7] = strideB;
      addon.matmul(a, b, out, spec);
    },

    gemm(a, b, c, s: GemmSpec): void {
      if (!isFloatArray(c) || !sameKind(a, c) || !sameKind(b, c)) {
        jsBackend.gemm(a, b, c, s);
        return;
      }
      const { batch, m, n, k } = s;
      for (const v of [batch, m, n, k]) if (!Number.isInteger(v) || v < 0) fail(`gemm: bad sizes ${batch}, ${m}, ${n}, ${k}`);
      if (s.c.rowOffsets || s.c.colOffsets) fail('gemm (output): offset tables are for the operands A and B only');
      gemmOperand('left operand', a, s.a, batch, m, k, 6);
      gemmOperand('right operand', b, s.b, batch, k, n, 10);
      gemmOperand('output', c, s.c, s.sumBatch ? 1 : batch, m, n, 14);
      gemmSpec[0] = batch;
      gemmSpec[1] = m;
      gemmSpec[2] = n;
      gemmSpec[3] = k;
      gemmSpec[4] = s.accumulate ? 1 : 0;
      gemmSpec[5] = s.sumBatch ? 1 : 0;
      addon.gemm(a, b, c, gemmSpec, s.a.rowOffsets ?? null, s.a.colOffsets ?? null, s.b.rowOffsets ?? null, s.b.colOffsets ?? null);
    },

    stridedCopy(src, offset, strides, shape, out): void {
      if (!sameKind(src, out) || shape.length > MAX_RANK || out.length <= SMALL) {
        jsBackend.stridedCopy(src, offset, strides, shape, out);
        return;
      }
      checkLen('stridedCopy', out, sizeOf(shape));
      checkSpan('stridedCopy', src.length, offset, shape, strides);
      addon.stridedCopy(src, offset, out, packDims(shape, strides));
    },

    stridedAccumulate(src, shape, dst, offset, strides): void {
      if (!sameKind(src, dst) || shape.length > MAX_RANK || src.length <= SMALL) {
        jsBackend.stridedAccumulate(src, shape, dst, offset, strides);
        return;
      }
      checkLen('stridedAccumulate', src, sizeOf(shape));
      checkSpan('stridedAccumulate', dst.length, offset, shape, strides);
      addon.stridedAccumulate(src, dst, offset, packDims(shape, strides));
    },

    indexSelect(x, idx, outer, n, inner, out): void {
      if (!sameKind(x, out)) {
        jsBackend.indexSelect(x, idx, outer, n, inner, out);
        return;
      }
      checkLen('indexSelect (input)', x, outer * n * inner);
      checkLen('indexSelect (output)', out, outer * idx.length * inner);
      checkIndices('indexSelect', idx, n);
      addon.indexSelect(x, idx, outer, n, inner, out);
    },

    indexAdd(g, idx, outer, n, inner, out): void {
      if (!sameKind(g, out)) {
        jsBackend.indexAdd(g, idx, outer, n, inner, out);
        return;
      }
      checkLen('indexAdd (gradient)', g, outer * idx.length * inner);
      checkLen('indexAdd (output)', out, outer * n * inner);
      checkIndices('indexAdd', idx, n);
      addon.indexAdd(g, idx, outer, n, inner, out);
    },

    gather(x, idx, outer, n, m, inner, out): void {
      if (!sameKind(x, out)) {
        jsBackend.gather(x, idx, outer, n, m, inner, out);
        return;
      }
      checkLen('gather (input)', x, outer * n * inner);
      checkLen('gather (index)', idx, outer * m * inner);
      checkLen('gather (output)', out, outer * m * inner);
      checkIndices('gather', idx, n);
      addon.gather(x, idx, outer, n, m, inner, out);
    },

    scatterAdd(src, idx, outer, n, m, inner, out): void {
      if (!sameKind(src, out)) {
        jsBackend.scatterAdd(src, idx, outer, n, m, inner, out);
        return;
      }
      checkLen('scatterAdd (source)', src, outer * m * inner);
      checkLen('scatterAdd (index)', idx, outer * m * inner);
      checkLen('scatterAdd (output)', out, outer * n * inner);
      checkIndices('scatterAdd', idx, n);
      addon.scatterAdd(src, idx, outer, n, m, inner, out);
    },

    cast(x, out): void {
      if (x.length <= SMALL) {
        jsBackend.cast(x, out);
        return;
      }
      checkLen('cast', out, x.length);
      addon.cast(x, out);
    },

    rnnForward(s: RnnSpec, a: RnnForwardArgs): void {
      const { T, B, H } = s;
      const G = RNN_GATES[s.kind] * H;
      const lstm = s.kind === 'lstm';
      if (lstm !== (a.c0 !== null) || lstm !== (a.cN !== null)) fail('rnnForward: the cell state is needed for (and only for) LSTM');
      const ok = rnnArrays(
        s,
        [
          ['gates of the input', a.gx, T * B * G],
          ['initial state', a.h0, B * H],
          ['initial cell state', a.c0, B * H],
          ['hidden weights', a.whh, G * H],
          ['hidden bias', a.bhh, G],
          ['output', a.out, T * B * H],
          ['final state', a.hN, B * H],
          ['final cell state', a.cN, B * H],
          ['saved states', a.hPrev, T * B * H],
          ['saved gates', a.saved, T * B * RNN_SAVED[s.kind] * H],
        ],
        a.mask,
      );
      if (!ok) {
        jsBackend.rnnForward(s, a);
        return;
      }
      addon.rnnForward(rnnSpec, a.gx, a.h0, a.c0, a.whh, a.bhh, a.mask, a.out, a.hN, a.cN, a.hPrev, a.saved);
    },

    rnnBackward(s: RnnSpec, a: RnnBackwardArgs): void {
      const { T, B, H } = s;
      const G = RNN_GATES[s.kind] * H;
      const lstm = s.kind === 'lstm';
      if (lstm !== (a.dc0 !== null)) fail('rnnBackward: the cell state gradient is needed for (and only for) LSTM');
      if ((s.kind === 'gru') !== (a.dgh !== null)) fail('rnnBackward: the hidden gate gradient is needed for (and only for) GRU');
      const ok = rnnArrays(
        s,
        [
          ['hidden weights', a.whh, G * H],
          ['saved states', a.hPrev, T * B * H],
          ['saved gates', a.saved, T * B * RNN_SAVED[s.kind] * H],
          ['output gradient', a.dOut, T * B * H],
          ['final state gradient', a.dhN, B * H],
          ['final cell state gradient', lstm ? a.dcN : null, B * H],
          ['input gate gradient', a.dgx, T * B * G],
          ['hidden gate gradient', a.dgh, T * B * G],
          ['initial state gradient', a.dh0, B * H],
          ['initial cell state gradient', a.dc0, B * H],
        ],
        a.mask,
      );
      if (!ok) {
        jsBackend.rnnBackward(s, a);
        return;
      }
      addon.rnnBackward(rnnSpec, a.whh, a.mask, a.hPrev, a.saved, a.dOut, a.dhN, lstm ? a.dcN : null, a.dgx, a.dgh, a.dh0, a.dc0);
    },

    sgdStep(p, g, buf, o: SgdOptions): void {
      if (!isFloatArray(p) || !sameKind(p, g) || (buf && !sameKind(p, buf))) {
        jsBackend.sgdStep!(p, g, buf, o);
        return;
      }
      checkLen('sgdStep (gradient)', g, p.length);
      if (buf) checkLen('sgdStep (momentum buffer)', buf, p.length);
      opts[0] = o.lr;
      opts[1] = o.momentum;
      opts[2] = o.dampening;
      opts[3] = o.weightDecay;
      opts[4] = o.nesterov ? 1 : 0;
      opts[5] = o.maximize ? 1 : 0;
      opts[6] = o.firstStep ? 1 : 0;
      addon.sgdStep(p, g, buf, opts);
    },

    adamStep(p, g, m, v, vmax, o: AdamOptions): void {
      if (!isFloatArray(p) || !sameKind(p, g) || !sameKind(p, m) || !sameKind(p, v) || (vmax && !sameKind(p, vmax))) {
        jsBackend.adamStep!(p, g, m, v, vmax, o);
        return;
      }
      for (const [what, arr] of [
        ['gradient', g],
        ['first moment', m],
        ['second moment', v],
      ] as const) {
        checkLen(`adamStep (${what})`, arr, p.length);
      }
      if (vmax) checkLen('adamStep (max second moment)', vmax, p.length);
      // bias corrections are computed here with JS's ** so that both backends agree bit for bit
      const bc1 = 1 - o.beta1 ** o.step;
      const bc2 = 1 - o.beta2 ** o.step;
      opts[0] = o.lr;
      opts[1] = o.beta1;
      opts[2] = o.beta2;
      opts[3] = o.eps;
      opts[4] = o.weightDecay;
      opts[5] = o.lr / bc1;
      opts[6] = Math.sqrt(bc2);
      opts[7] = o.decoupled ? 1 : 0;
      opts[8] = o.amsgrad ? 1 : 0;
      opts[9] = o.maximize ? 1 : 0;
      addon.adamStep(p, g, m, v, vmax, opts);
    },
  };
}
