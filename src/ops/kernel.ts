// What every op's forward needs below the op table: argument checks and the calls that run a
// backend kernel into a fresh tensor.
import { kernels } from '../backend/registry.js';
import type { BinaryKernel, ReduceOp, UnaryKernel } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { type DType, arrayFor, floatOf, isFloat } from '../tensor/dtype.js';
import { type Shape, broadcastShapes, broadcastStrides, sameShape, sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Checks that a JS caller passed a Tensor (or a number where one is allowed). */
export function assertTensor(x: unknown, op: string, what = 'input'): Tensor {
  if (x instanceof Tensor) return x;
  throw new ChainruleError(`${op}: ${what} must be a Tensor, got ${x === null ? 'null' : typeof x}`);
}

export function assertNumber(x: unknown, op: string, what: string, finite = true): number {
  if (typeof x !== 'number' || Number.isNaN(x) || (finite && !Number.isFinite(x))) {
    throw new ChainruleError(`${op}: ${what} must be a ${finite ? 'finite ' : ''}number, got ${String(x)}`);
  }
  return x;
}

/**
 * A unary kernel: its name (the native backend's key) and its reference definition.
 * @example unaryKernel('cube', (x) => x * x * x).f(2, 0, 0) // 8
 */
export function unaryKernel(name: string, f: UnaryKernel['f']): UnaryKernel {
  return { arity: 1, name, f };
}

/**
 * A binary kernel; a comparison writes 0/1 into a bool tensor.
 * @example binaryKernel('absDiff', (a, b) => Math.abs(a - b)).f(1, 4) // 3
 */
export function binaryKernel(name: string, f: BinaryKernel['f'], compare = false): BinaryKernel {
  return compare ? { arity: 2, name, f, compare } : { arity: 2, name, f };
}

/**
 * A fresh tensor for a kernel that writes every element of it: its storage is not zero-filled first
 * (where the backend pools storage, a reused block keeps its old contents until the kernel runs).
 */
export function output(shape: Shape, dtype: DType): Tensor {
  return new Tensor(arrayFor(dtype, sizeOf(shape), false), shape);
}

/** x + p0 and x·p0: kernels that ops use on their own outputs (no op of the table is either). */
export const ADD_SCALAR = unaryKernel('addScalar', (x, p) => x + p);
export const MUL_SCALAR = unaryKernel('mulScalar', (x, p) => x * p);

/** Runs a unary kernel into a fresh tensor (float kernels promote integer inputs to float32). */
export function runUnary(k: UnaryKernel, x: Tensor, p0?: number, p1?: number, keepDtype = false): Tensor {
  const src = keepDtype || isFloat(x.dtype) ? x : castData(x, floatOf(x.dtype));
  const out = output(src.shape, src.dtype);
  kernels().unary(k, src.data, out.data, p0, p1);
  return out;
}

/** Runs a binary kernel over two operands of one dtype, broadcasting; names `op` in errors. */
export function runBinary(k: BinaryKernel, a: Tensor, b: Tensor, op: string, outDtype: DType = a.dtype): Tensor {
  if (sameShape(a.shape, b.shape)) {
    // the common case needs no broadcasting: both operands read with the output's own strides
    const out = output(a.shape, outDtype);
    const strides = stridesOf(a.shape);
    kernels().binary(k, a.data, strides, b.data, strides, out.data, out.shape);
    return out;
  }
  const shape = broadcastShapes(a.shape, b.shape, op);
  const out = output(shape, outDtype);
  kernels().binary(k, a.data, broadcastStrides(a.shape, shape), b.data, broadcastStrides(b.shape, shape), out.data, shape);
  return out;
}

/** out = cond ? a : b with all three broadcast, into a fresh tensor of a's dtype. */
export function runWhere(cond: Tensor, a: Tensor, b: Tensor, op: string): Tensor {
  const shape = broadcastShapes(broadcastShapes(cond.shape, a.shape, op), b.shape, op);
  const out = output(shape, a.dtype);
  kernels().where(
    cond.data as Uint8Array,
    broadcastStrides(cond.shape, shape),
    a.data,
    broadcastStrides(a.shape, shape),
    b.data,
    broadcastStrides(b.shape, shape),
    out.data,
    shape,
  );
  return out;
}

/** The same values in another dtype, unrecorded (the cast op records; this is its kernel). */
export function castData(x: Tensor, dtype: DType): Tensor {
  const out = output(x.shape, dtype);
  kernels().cast(x.data, out.data);
  return out;
}

/**
 * Applies a reduction kernel over each of `dims` in turn, keeping them as 1s; sum and prod of an
 * empty dim give their identities, max and min of one are an error naming `op`.
 */
export function runReduce(kind: ReduceOp, x: Tensor, dims: readonly number[], op: string): Tensor {
  if (kind !== 'sum' && kind !== 'prod') {
    for (const d of dims) {
      if (x.shape[d] === 0) throw new ChainruleError(`${op}: cannot reduce over dimension ${d} of size 0 (shape ${fmtShape(x.shape)})`);
    }
  }
  // consecutive reduced dims are contiguous, so each run of them is one kernel call
  const runs: [number, number][] = [];
  for (const d of dims) {
    const last = runs[runs.length - 1];
    if (last && last[1] === d - 1) last[1] = d;
    else runs.push([d, d]);
  }
  let cur = x;
  let shape = [...x.shape];
  for (let r = runs.length - 1; r >= 0; r--) {
    const [d0, d1] = runs[r];
    const outer = sizeOf(shape.slice(0, d0));
    const inner = sizeOf(shape.slice(d1 + 1));
    const n = sizeOf(shape.slice(d0, d1 + 1));
    shape = [...shape.slice(0, d0), ...shape.slice(d0, d1 + 1).map(() => 1), ...shape.slice(d1 + 1)];
    const out = output(shape, cur.dtype);
    kernels().reduce(kind, cur.data, outer, n, inner, out.data);
    cur = out;
  }
  // no dims to reduce (a 0-d input): still a fresh tensor, so the op records its own tape entry
  if (cur === x) {
    cur = empty(x.shape, x.dtype);
    cur.data.set(x.data);
  }
  return cur;
}

/** Shape after reducing `dims` (kept as 1s when keepdim). */
export function reducedShape(shape: Shape, dims: readonly number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** The sorted dims of a reduction (all when omitted), as dimsOf checks them. */
export function reduceDims(x: Tensor, dims: number | readonly number[] | null | undefined, name: string): number[] {
  return dimsOf(assertTensor(x, name), dims, name);
}

/** The position of one dimension along which an op works: [outer, n, inner] (a 0-d tensor is [1, 1, 1]). */
export function along(x: Tensor, d: number): { outer: number; n: number; inner: number } {
  if (x.ndim === 0) return { outer: 1, n: 1, inner: 1 };
  return { outer: sizeOf(x.shape.slice(0, d)), n: x.shape[d], inner: sizeOf(x.shape.slice(d + 1)) };
}

/** `dim` normalised against x's rank (a 0-d tensor takes 0 and -1); a bad one names the op and x's shape. */
export function dimOf(x: Tensor, dim: unknown, op: string): number {
  const r = Math.max(x.ndim, 1);
  if (typeof dim !== 'number' || !Number.isInteger(dim)) {
    throw new ChainruleError(`${op}: dim must be an integer in ${-r}..${r - 1} for a tensor of shape ${fmtShape(x.shape)}, got ${String(dim)}`);
  }
  if (dim < -r || dim >= r) {
    throw new ChainruleError(`${op}: dim ${dim} is out of range for a tensor of shape ${fmtShape(x.shape)} (expected ${-r}..${r - 1})`);
  }
  return dim < 0 ? dim + r : dim;
}

/**
 * The sorted dims of a reduction (all when omitted), each checked by dimOf; a dim given twice (also
 * as d and d - rank) is an error, as in PyTorch, and a 0-d tensor reduces over none (its dim 0 and
 * -1 leave the value as it is).
 */
export function dimsOf(x: Tensor, dims: number | readonly number[] | null | undefined, op: string): number[] {
  if (dims === undefined || dims === null) return x.shape.map((_, i) => i);
  const given = typeof dims === 'number' ? [dims] : [...dims];
  const list = given.map((d) => dimOf(x, d, op));
  list.forEach((d, i) => {
    if (list.indexOf(d) !== i) throw new ChainruleError(`${op}: dim ${d} appears more than once in dims ${JSON.stringify(given)} (shape ${fmtShape(x.shape)})`);
  });
  return list.filter((d) => d < x.ndim).sort((a, b) => a - b);
}
