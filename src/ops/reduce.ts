import type { OpInfo } from '../autograd/node.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { ReduceOp } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty } from '../tensor/creation.js';
import { floatOf } from '../tensor/dtype.js';
import { type Shape, normDim, normDims, sameShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, mul, sub } from './binary.js';
import { expand, reshape } from './shape.js';
import { exp, log } from './unary.js';
import { assertTensor } from './util.js';

export type Dims = number | readonly number[];

export interface ReduceOptions {
  keepdim?: boolean;
}

/** Shape after reducing `dims` (kept as 1s when keepdim). */
function reducedShape(shape: Shape, dims: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!dims.includes(i)) out.push(d);
    else if (keepdim) out.push(1);
  });
  return out;
}

/** Applies a kernel reduction over each of `dims` in turn (highest first). */
function reduceKernel(op: ReduceOp, x: Tensor, dims: number[], name: string): Tensor {
  if (op !== 'sum' && op !== 'prod') {
    for (const d of dims) {
      if (x.shape[d] === 0) throw new ChainruleError(`${name}: cannot reduce over dimension ${d} of size 0 (shape ${fmtShape(x.shape)})`);
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
    const out = empty(shape, cur.dtype);
    kernels().reduce(op, cur.data, outer, n, inner, out.data);
    cur = out;
  }
  // no dims to reduce (a 0-d input): still a fresh tensor, so the op records its own tape entry
  if (cur === x) {
    cur = empty(x.shape, x.dtype);
    cur.data.set(x.data);
  }
  return cur;
}

function prep(x: Tensor, dims: Dims | undefined, name: string): number[] {
  assertTensor(x, name);
  return normDims(dims, x.ndim, name);
}

const SUM: OpInfo = { name: 'sum', latex: ([a]) => `\\sum ${a}` };

/**
 * Sum over `dims` (all when omitted). @example sum(tensor([[1, 2], [3, 4]]), 0).toArray() // [4, 6]
 */
export function sum(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
  const ds = prep(x, dims, 'sum');
  const src = x.dtype === 'bool' ? x.to('int32') : x;
  const r = reduceKernel('sum', src, ds, 'sum');
  const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
  return record(SUM, [x], out, (g) => [expand(reshape(g, reducedShape(x.shape, ds, true)), x.shape)], { dims: ds });
}

const MEAN: OpInfo = { name: 'mean', latex: ([a]) => `\\overline{${a}}` };

/** Mean over `dims` (all when omitted). */
export function mean(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
  const ds = prep(x, dims, 'mean');
  const n = ds.reduce((acc, d) => acc * x.shape[d], 1);
  const src = x.dtype === floatOf(x.dtype) ? x : x.to(floatOf(x.dtype));
  const r = reduceKernel('sum', src, ds, 'mean');
  kernels().unary('mulScalar', r.data, r.data, 1 / n);
  const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
  return record(MEAN, [x], out, (g) => [expand(reshape(div(g, n), reducedShape(x.shape, ds, true)), x.shape)], { dims: ds });
}

function extremum(op: 'max' | 'min') {
  const info: OpInfo = { name: op, latex: ([a]) => `\\${op} ${a}` };
  return (x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor => {
    const ds = prep(x, dims, op);
    const r = reduceKernel(op, x, ds, op);
    const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
      return record(info, [x], out, (g) => {
      // the gradient is shared evenly among tied extrema, as torch.amax does; r (reduced dims kept
      // as 1s) and the gradient broadcast against x instead of being expanded into copies
      const mask = eq(x, r).to(g.dtype);
      const count = sum(mask, ds, { keepdim: true });
      return [mul(mask, div(reshape(g, r.shape), count))];
    }, { dims: ds });
  };
}
/** Maximum over `dims` (all when omitted); ties share the gradient. */
export const max = extremum('max');
/** Minimum over `dims` (all when omitted); ties share the gradient. */
export const min = extremum('min');

function argExtremum(op: 'max' | 'min') {
  const name = op === 'max' ? 'argmax' : 'argmin';
  return (x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor => {
    assertTensor(x, name);
    if (x.size === 0) throw new ChainruleError(`${name}: the input is empty (shape ${fmtShape(x.shape)})`);
    if (dim === undefined) {
      const out = empty([], 'int32');
      kernels().argReduce(op, x.data, 1, x.size, 1, out.data as Int32Array);
      return out;
    }
    const d = normDim(dim, x.ndim, name);
    const out = empty(reducedShape(x.shape, [d], opts.keepdim ?? false), 'int32');
    kernels().argReduce(op, x.data, sizeOf(x.shape.slice(0, d)), x.shape[d], sizeOf(x.shape.slice(d + 1)), out.data as Int32Array);
    return out;
  };
}
/** Index of the maximum (over the flattened tensor when dim is omitted); int32, no gradient. */
export const argmax = argExtremum('max');
/** Index of the minimum; int32, no gradient. */
export const argmin = argExtremum('min');

/** log(sum(exp(x))) over dims, computed stably. */
export function logsumexp(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
  const ds = prep(x, dims, 'logsumexp');
  const m = max(x, ds, { keepdim: true }).detach();
  const finiteM = m.data.map((v) => (Number.isFinite(v) ? v : 0));
  m.data.set(finiteM);
  const r = add(log(sum(exp(sub(x, m)), ds, { keepdim: true })), m);
  return opts.keepdim ? r : reshape(r, reducedShape(x.shape, ds, false));
}

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (sample variance, the default as in PyTorch) or 0 (population). */
  correction?: number;
}

/** Variance over dims. */
export function variance(x: Tensor, dims?: Dims, opts: VarOptions = {}): Tensor {
  const ds = prep(x, dims, 'var');
  const n = ds.reduce((acc, d) => acc * x.shape[d], 1);
  const c = opts.correction ?? 1;
  const mu = mean(x, ds, { keepdim: true });
  const dev = sub(x, mu);
  return div(sum(mul(dev, dev), ds, { keepdim: opts.keepdim }), Math.max(0, n - c));
}

/** Standard deviation over dims. */
export function std(x: Tensor, dims?: Dims, opts: VarOptions = {}): Tensor {
  return variance(x, dims, opts).sqrt();
}

/** Sums a broadcast gradient back down to `shape` (the adjoint of broadcasting). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  }
  const s = dims.length ? sum(g, dims, { keepdim: true }) : g;
  return reshape(s, shape);
}
