import { contiguousStrides } from '../../tensor/strides.js';
import type { BinaryKernel, TypedArray, UnaryKernel } from '../types.js';

/**
 * Runs a unary kernel: the hottest few with loops of their own (a call per element through the
 * kernel's reference function costs several times more), every other one through `k.f`.
 */
export function unary(k: UnaryKernel, x: TypedArray, out: TypedArray, p0 = 0, p1 = 0): void {
  const n = x.length;
  switch (k.name) {
    case 'relu':
      // NaN and -0 pass through, as PyTorch's relu
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v < 0 ? 0 : v;
      }
      return;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      return;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i];
      return;
    case 'mulScalar':
      for (let i = 0; i < n; i++) out[i] = x[i] * p0;
      return;
    case 'addScalar':
      for (let i = 0; i < n; i++) out[i] = x[i] + p0;
      return;
    case 'tanh':
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      return;
    case 'sign':
      // the ReLU gradient's mask: on random data a branch per value mispredicts half the time
      if (x instanceof Float32Array && out instanceof Float32Array) signF32(x, out);
      else {
        const f = k.f;
        for (let i = 0; i < n; i++) out[i] = f(x[i], p0, p1);
      }
      return;
    default: {
      const f = k.f;
      for (let i = 0; i < n; i++) out[i] = f(x[i], p0, p1);
    }
  }
}

/**
 * The sign kernel (1 above 0, -1 below, 0 for ±0 and NaN, as PyTorch) over float32 values through
 * their bits, without branches.
 */
function signF32(x: Float32Array, out: Float32Array): void {
  const n = x.length;
  const xi = new Int32Array(x.buffer, x.byteOffset, n);
  const oi = new Int32Array(out.buffer, out.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const b = xi[i];
    const mag = b & 0x7fffffff;
    // all ones for ±0 (mag - 1 < 0) and NaN (mag above the infinity's bits), else 0
    const zero = ((mag - 1) | (0x7f800000 - mag)) >> 31;
    oi[i] = ((b & -0x80000000) | 0x3f800000) & ~zero;
  }
}

/** One strided run of a binary op: out[io + i] = a[ia + i*sa] (op) b[ib + i*sb]. */
type Row = (a: TypedArray, ia: number, sa: number, b: TypedArray, ib: number, sb: number, o: TypedArray, io: number, n: number) => void;

/** Loops of their own for the arithmetic that training spends its time in (see unary). */
const ROWS: Record<string, Row | undefined> = {
  add: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] + b[ib];
  },
  sub: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] - b[ib];
  },
  mul: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] * b[ib];
  },
  div: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] / b[ib];
  },
  reluBackward: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = b[ib] <= 0 ? 0 : a[ia];
  },
};

/**
 * Merges adjacent dimensions that every operand walks contiguously, so that the innermost run
 * is as long as possible. Returns [shape, ...strides per operand].
 */
export function coalesce(shape: readonly number[], strides: (readonly number[])[]): [number[], number[][]] {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, k) => outStrides[k][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, k) => {
        outStrides[k][last] = s[d];
      });
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, k) => {
        outStrides[k].push(s[d]);
      });
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return [outShape, outStrides];
}

/** Calls `run(offsets, n)` for every innermost run of a strided walk over `shape`. */
export function forEachRun(
  shape: readonly number[],
  strides: number[][],
  run: (offsets: number[], n: number) => void,
): void {
  const rank = shape.length;
  const inner = shape[rank - 1];
  const offs = strides.map(() => 0);
  const idx = new Array<number>(rank).fill(0);
  let total = 1;
  for (let d = 0; d < rank - 1; d++) total *= shape[d];
  for (let r = 0; r < total; r++) {
    run(offs, inner);
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (let k = 0; k < offs.length; k++) offs[k] += strides[k][d];
      if (idx[d] < shape[d]) break;
      for (let k = 0; k < offs.length; k++) offs[k] -= strides[k][d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** A strided run through the kernel's reference function. */
function genericRow(f: BinaryKernel['f']): Row {
  return (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = f(a[ia], b[ib]);
  };
}

export function binary(
  k: BinaryKernel,
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
): void {
  if (out.length === 0) return;
  const row = ROWS[k.name] ?? genericRow(k.f);
  // common cases first: equal shapes, or a one-element operand
  const n = out.length;
  if (a.length === n && (b.length === n || b.length === 1)) {
    row(a, 0, 1, b, 0, b.length === n ? 1 : 0, out, 0, n);
    return;
  }
  if (a.length === 1 && b.length === n) {
    row(a, 0, 0, b, 0, 1, out, 0, n);
    return;
  }
  const outStrides = contiguousStrides(outShape);
  const [shape, [sa, sb]] = coalesce(outShape, [aStrides, bStrides, outStrides]);
  const rank = shape.length;
  if (rank === 1) {
    row(a, 0, sa[0], b, 0, sb[0], out, 0, shape[0]);
    return;
  }
  let io = 0;
  forEachRun(shape, [sa, sb], (offs, n) => {
    row(a, offs[0], sa[rank - 1], b, offs[1], sb[rank - 1], out, io, n);
    io += n;
  });
}

export function where(
  cond: Uint8Array,
  cStrides: readonly number[],
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
): void {
  if (out.length === 0) return;
  const [shape, [sc, sa, sb]] = coalesce(outShape, [cStrides, aStrides, bStrides, contiguousStrides(outShape)]);
  const r = shape.length - 1;
  let io = 0;
  forEachRun(shape, [sc, sa, sb], (offs, n) => {
    let ic = offs[0];
    let ia = offs[1];
    let ib = offs[2];
    for (let i = 0; i < n; i++, ic += sc[r], ia += sa[r], ib += sb[r]) out[io + i] = cond[ic] ? a[ia] : b[ib];
    io += n;
  });
}
