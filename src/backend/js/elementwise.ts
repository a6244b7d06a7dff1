import { contiguousStrides } from '../strides.js';
import type { BinaryOp, TypedArray, UnaryOp } from '../types.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT2 = Math.SQRT1_2;

/** Abramowitz–Stegun 7.1.26 is too coarse for float64 gradchecks; this is W. J. Cody's rational erf. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.46875) {
    const t = x * x;
    const num = (((0.1857777061846031526730 * t + 3.161123743870565596947) * t + 113.8641541510501556495) * t + 377.4852376853020208137) * t + 3209.377589138469472562;
    const den = (((t + 23.60129095234412093499) * t + 244.0246379344441733056) * t + 1282.616526077372275645) * t + 2844.236833439170622273;
    return (x * num) / den;
  }
  return x < 0 ? -1 + erfcPos(ax) : 1 - erfcPos(ax);
}

function erfcPos(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 0; // the split below would compute 0 * exp(NaN)
  let r: number;
  if (x < 4) {
    const num =
      ((((((((2.15311535474403846e-8 * x + 0.564188496988670089) * x + 8.88314979438837594) * x + 66.1191906371416295) * x + 298.635138197400131) * x + 881.95222124176909) * x + 1712.04761263407058) * x + 2051.07837782607147) * x + 1230.33935479799725);
    const den =
      (((((((x + 15.7449261107098347) * x + 117.693950891312499) * x + 537.181101862009858) * x + 1621.38957456669019) * x + 3290.79923573345963) * x + 4362.61909014324716) * x + 3439.36767414372164) * x + 1230.33935480374942;
    r = num / den;
  } else {
    const z = 1 / (x * x);
    const num = ((((0.01631538713730704 * z + 0.3053266349612323) * z + 0.3603448999498044) * z + 0.1257817261112292) * z + 0.01608378514874228) * z + 0.0006587491615298378;
    const den = ((((z + 2.568520192289822) * z + 1.872952849923460) * z + 0.5279051029514284) * z + 0.06051834131244132) * z + 0.002335204976268692;
    r = (1 / Math.sqrt(Math.PI) - (z * num) / den) / x;
  }
  // exp(-x^2) split as exp(-xs^2) * exp(-(x-xs)(x+xs)) keeps full precision for large x
  const xs = Math.trunc(x * 16) / 16;
  return Math.exp(-xs * xs) * Math.exp(-(x - xs) * (x + xs)) * r;
}

type Unary1 = (x: number) => number;

function unaryFn(op: UnaryOp, p0: number, p1: number): Unary1 {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'exp':
      return Math.exp;
    case 'log':
      return Math.log;
    case 'sqrt':
      return Math.sqrt;
    case 'abs':
      return Math.abs;
    case 'sin':
      return Math.sin;
    case 'cos':
      return Math.cos;
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'relu':
      return (x) => (x > 0 ? x : 0);
    case 'sign':
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : Number.NaN);
    case 'step':
      return (x) => (x >= 0 ? 1 : x < 0 ? 0 : Number.NaN);
    case 'erf':
      return erf;
    case 'gelu':
      return (x) => 0.5 * x * (1 + erf(x * INV_SQRT2));
    case 'geluTanh':
      return (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    case 'leakyRelu':
      return (x) => (x > 0 ? x : p0 * x);
    case 'elu':
      return (x) => (x > 0 ? x : p0 * Math.expm1(x));
    case 'softplus':
      return (x) => (x * p0 > p1 ? x : Math.log1p(Math.exp(p0 * x)) / p0);
    case 'powScalar':
      return p0 === 2 ? (x) => x * x : (x) => x ** p0;
    case 'addScalar':
      return (x) => x + p0;
    case 'mulScalar':
      return (x) => x * p0;
    case 'clamp':
      return (x) => {
        let y = x;
        if (!Number.isNaN(p0) && y < p0) y = p0;
        if (!Number.isNaN(p1) && y > p1) y = p1;
        return y;
      };
    case 'reciprocal':
      return (x) => 1 / x;
    case 'square':
      return (x) => x * x;
    case 'floor':
      return Math.floor;
  }
}

export function unary(op: UnaryOp, x: TypedArray, out: TypedArray, p0 = 0, p1 = 0): void {
  const n = x.length;
  // the hottest few get their own loops; the rest go through one function call per element
  switch (op) {
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v : 0;
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
    default: {
      const f = unaryFn(op, p0, p1);
      for (let i = 0; i < n; i++) out[i] = f(x[i]);
    }
  }
}

/** One strided run of a binary op: out[io + i] = a[ia + i*sa] (op) b[ib + i*sb]. */
type Row = (a: TypedArray, ia: number, sa: number, b: TypedArray, ib: number, sb: number, o: TypedArray, io: number, n: number) => void;

const ROWS: Record<BinaryOp, Row> = {
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
  pow: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] ** b[ib];
  },
  maximum: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) {
      const x = a[ia];
      const y = b[ib];
      o[io + i] = x !== x || y !== y ? Number.NaN : x > y ? x : y;
    }
  },
  minimum: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) {
      const x = a[ia];
      const y = b[ib];
      o[io + i] = x !== x || y !== y ? Number.NaN : x < y ? x : y;
    }
  },
  eq: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] === b[ib] ? 1 : 0;
  },
  ne: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] !== b[ib] ? 1 : 0;
  },
  lt: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] < b[ib] ? 1 : 0;
  },
  le: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] <= b[ib] ? 1 : 0;
  },
  gt: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] > b[ib] ? 1 : 0;
  },
  ge: (a, ia, sa, b, ib, sb, o, io, n) => {
    for (let i = 0; i < n; i++, ia += sa, ib += sb) o[io + i] = a[ia] >= b[ib] ? 1 : 0;
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

export function binary(
  op: BinaryOp,
  a: TypedArray,
  aStrides: readonly number[],
  b: TypedArray,
  bStrides: readonly number[],
  out: TypedArray,
  outShape: readonly number[],
): void {
  if (out.length === 0) return;
  const row = ROWS[op];
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
