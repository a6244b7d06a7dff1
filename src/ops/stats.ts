// Reductions beyond the sum: mean, extrema and their indices, logsumexp, variance and standard
// deviation, and the sum and mean that skip NaN. Each gradient is written with ops and follows
// PyTorch's conventions at the edges (ties share, empty reductions, zero deviations, NaN).
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, full } from '../tensor/creation.js';
import { floatOf, isFloat } from '../tensor/dtype.js';
import { sizeOf, stridesOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, mul, ne, sub, where } from './arith.js';
import { defineOp } from './define.js';
import { isGradEnabled, noGrad } from '../autograd/mode.js';
import { along, assertNumber, assertTensor, castData, dimOf, dimsOf, output, reduceDims, reducedShape, runReduce, unaryKernel } from './kernel.js';
import { exp, log } from './math.js';
import { type Dims, type ReduceOptions, sum } from './reduce.js';
import { detach, expand, reshape } from './shape.js';

export type { Dims, ReduceOptions } from './reduce.js';

const DIV_SCALAR = unaryKernel('divScalar', (x: number, p: number) => x / p);

const dimsParams = [
  { name: 'dim', type: 'dims', default: null },
  { name: 'options', type: 'options', default: null },
] as const;

/**
 * Mean over `dims` (all when omitted): the sum divided by the count, as PyTorch computes it.
 * @example
 * tensor([[1, 2], [3, 6]]).mean().item() // 3
 * tensor([[1, 2], [3, 6]]).mean(1) // [1.5, 4.5]
 * tensor([[1, 2], [3, 6]]).mean(0, { keepdim: true }) // [[2, 4]]
 */
export const mean = defineOp(
  {
    name: 'mean',
    doc: 'Mean over dims (all when omitted), computed as the sum divided by the count.',
    params: dimsParams,
    problem: 'mean',
    latex: ([a]) => `\\overline{${a}}`,
    fnLatex: '\\operatorname{mean}',
    label: 'mean',
    kernel: DIV_SCALAR,
    onnx: { opType: 'ReduceMean' },
  },
  (def) =>
    function mean(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
      const ds = reduceDims(x, dims, 'mean');
      const n = ds.reduce((acc, d) => acc * x.shape[d], 1);
      const src = x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
      const r = runReduce('sum', src, ds, 'mean');
      kernels().unary(DIV_SCALAR, r.data, r.data, n);
      const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
      return record(def, [x], out, (g) => [expand(reshape(div(g, n), reducedShape(x.shape, ds, true)), x.shape)], { dims: ds });
    },
);

function extremum<const N extends 'max' | 'min'>(op: N) {
  return defineOp(
    {
      name: op,
      doc: `${op === 'max' ? 'Maximum' : 'Minimum'} over dims (all when omitted; NaN wins); tied extrema share the gradient evenly, as torch.a${op} does.`,
      params: dimsParams,
      problem: op,
      latex: ([a]: string[]) => `\\${op} ${a}`,
      fnLatex: `\\${op}`,
      label: op,
      onnx: { opType: op === 'max' ? 'ReduceMax' : 'ReduceMin' },
    },
    (def) =>
      function extremum(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
        const ds = reduceDims(x, dims, op);
        const r = runReduce(op, x, ds, op);
        const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
        return record(
          def,
          [x],
          out,
          (g) => {
            // a plain sweep takes the one-kernel form; a recorded one (create_graph) the composite,
            // which is differentiable again
            if (!isGradEnabled() && isFloat(x.dtype) && g.dtype === x.dtype) {
              // the kernel writes every element: unzeroed (pooled) storage
              const gx = output(x.shape, x.dtype);
              const rStrides = stridesOf(r.shape).map((s, d) => (ds.includes(d) ? 0 : s));
              kernels().extremumBackward(x.data, r.data, g.data, rStrides, x.shape, gx.data);
              return [gx];
            }
            // r (reduced dims kept as 1s) and the gradient broadcast against x instead of being
            // expanded into copies
            const mask = castData(eq(x, r), g.dtype);
            const count = sum(mask, ds, { keepdim: true });
            return [mul(mask, div(reshape(g, r.shape), count))];
          },
          { dims: ds },
        );
      },
  );
}
/**
 * Maximum over `dims` (all when omitted); ties share the gradient.
 * @example
 * tensor([[1, 5], [7, 2]]).max().item() // 7
 * tensor([[1, 5], [7, 2]]).max(1) // [5, 7]
 */
export const max = extremum('max');
/**
 * Minimum over `dims` (all when omitted); ties share the gradient.
 * @example
 * tensor([[1, 5], [7, 2]]).min().item() // 1
 * tensor([[1, 5], [7, 2]]).min(0) // [1, 2]
 */
export const min = extremum('min');

function argExtremum<const N extends 'argmax' | 'argmin'>(name: N) {
  const op = name === 'argmax' ? 'max' : 'min';
  return defineOp(
    {
      name,
      doc: `Index of the ${op}imum (over the flattened tensor when dim is omitted; the first one on ties); int32, no gradient.`,
      params: [
        { name: 'dim', default: null },
        { name: 'options', type: 'options', default: null },
      ],
      grad: 'none',
      onnx: { opType: name === 'argmax' ? 'ArgMax' : 'ArgMin' },
    },
    () =>
      function argExtremum(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor {
        assertTensor(x, name);
        if (dim === undefined || dim === null) {
          if (x.size === 0) throw new ChainruleError(`${name}: the input is empty (shape ${fmtShape(x.shape)}); give a dim to reduce`);
          const out = empty([], 'int32');
          kernels().argReduce(op, x.data, 1, x.size, 1, out.data as Int32Array);
          return out;
        }
        const d = dimOf(x, dim, name);
        // an empty result where another dim is empty, as PyTorch; the reduced dim itself must not be
        const { outer, n, inner } = along(x, d);
        if (n === 0) throw new ChainruleError(`${name}: cannot reduce over dimension ${d} of size 0 (shape ${fmtShape(x.shape)})`);
        const out = empty(reducedShape(x.shape, x.ndim ? [d] : [], opts.keepdim ?? false), 'int32');
        if (out.size) kernels().argReduce(op, x.data, outer, n, inner, out.data as Int32Array);
        return out;
      },
  );
}
/**
 * Index of the maximum (over the flattened tensor when dim is omitted); int32, no gradient.
 * @example
 * tensor([[1, 5], [7, 2]]).argmax().item() // 2
 * tensor([[1, 5], [7, 2]]).argmax(1) // [1, 0]
 */
export const argmax = argExtremum('argmax');
/**
 * Index of the minimum; int32, no gradient.
 * @example tensor([[1, 5], [7, 2]]).argmin(0) // [0, 1]
 */
export const argmin = argExtremum('argmin');

/**
 * log(sum(exp(x))) over dims, computed stably (the max subtracted first); -inf over an empty
 * dimension. Its gradient is softmax(x), written as exp(x - logsumexp(x)).
 * @example
 * tensor([0, 0]).logsumexp().item() // 0.6931472
 * tensor([[1000, 1000]]).logsumexp(1) // [1000.6931]
 */
export const logsumexp = defineOp(
  {
    name: 'logsumexp',
    doc: 'log Σ e^x over dims, computed stably; -∞ over an empty dimension; the gradient is softmax(x).',
    params: dimsParams,
    problem: 'logsumexp',
    latex: ([a]) => `\\log\\sum e^{${a}}`,
    fnLatex: '\\operatorname{logsumexp}',
    onnx: { opType: 'ReduceLogSumExp' },
  },
  (def) =>
    function logsumexp(x: Tensor, dims?: Dims, opts: ReduceOptions = {}): Tensor {
      const ds = reduceDims(x, dims, 'logsumexp');
      const src = x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
      const kept = reducedShape(x.shape, ds, true);
      let r: Tensor;
      if (ds.some((d) => x.shape[d] === 0)) {
        r = full(kept, Number.NEGATIVE_INFINITY, { dtype: src.dtype });
      } else {
        // the max of each slice, 0 where it is not finite (all -inf, or an inf or NaN present)
        const m = runReduce('max', src, ds, 'logsumexp');
        for (let i = 0; i < m.size; i++) if (!Number.isFinite(m.data[i])) m.data[i] = 0;
        const shifted = runReduce('sum', detach(exp(sub(src, m))), ds, 'logsumexp');
        r = detach(add(log(shifted), m));
      }
      const out = opts.keepdim ? r : reshape(r, reducedShape(x.shape, ds, false));
      return record(def, [src], out, (g) => [mul(reshape(g, kept), exp(sub(src, reshape(out, kept))))], { dims: ds });
    },
);

/** The options of variance and std: keepdim and Bessel's correction (torch's names). */
export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (sample variance, the default as in PyTorch) or 0 (population). */
  correction?: number;
}


/**
 * The variance (the standard deviation with `root`) of src over ds, kept as 1s, as PyTorch's CPU
 * kernels compute it in double precision (the backend's variance kernel), and the mean its
 * gradient subtracts, as PyTorch's mean() gives it.
 */
function moments(src: Tensor, ds: readonly number[], correction: number, root: boolean): [Tensor, Tensor] {
  const keptDims = src.shape.map((_, i) => i).filter((i) => !ds.includes(i));
  const kept = reducedShape(src.shape, ds, true);
  const n = ds.reduce((acc, d) => acc * src.shape[d], 1);
  const outer = sizeOf(kept);
  // one row per output: the reduced dims last, in row-major order
  const order = [...keptDims, ...ds];
  let rows = src.data;
  if (order.some((d, i) => d !== i)) {
    const st = stridesOf(src.shape);
    rows = empty(src.shape, src.dtype).data;
    kernels().stridedCopy(src.data, 0, order.map((d) => st[d]), order.map((d) => src.shape[d]), rows);
  }
  const value = empty(kept, src.dtype);
  const m = empty(kept, src.dtype);
  if (outer > 0) kernels().variance(rows, outer, n, correction, root, value.data, m.data);
  return [value, m];
}

/** mean(src) over ds (kept), differentiable as mean, valued as `want` (PyTorch's mean) wherever both are finite. */
function meanAs(src: Tensor, ds: readonly number[], want: Tensor): Tensor {
  const m = mean(src, ds, { keepdim: true });
  const delta = empty(m.shape, m.dtype);
  for (let i = 0; i < delta.size; i++) {
    const d = want.data[i] - m.data[i];
    delta.data[i] = Number.isFinite(d) ? d : 0;
  }
  return add(m, delta);
}

/**
 * Variance over dims, Σ(x - mean)²/(n - correction) (0/0 = NaN and ±inf where n ≤ correction), as
 * PyTorch computes it: in double precision (float32 results only round at the end), a full
 * reduction in two passes around PyTorch's mean, otherwise Welford's algorithm, so equal values give
 * exactly PyTorch's value. d/dx = 2(x - mean)/(n - correction), as PyTorch's formula, with its mean.
 * @example
 * tensor([1, 2, 3, 4]).var().item() // 1.6666666
 * variance(tensor([1, 2, 3, 4]), 0, { correction: 0 }).item() // 1.25
 */
export const variance = defineOp(
  {
    name: 'variance',
    doc: "Variance over dims with Bessel's correction (default 1, as in PyTorch), Σ(x - mean)²/(n - correction), computed as PyTorch does (double precision; two passes for a full reduction, Welford's algorithm otherwise); d/dx = 2(x - mean)/(n - correction), as in PyTorch also where n ≤ correction.",
    params: [
      { name: 'dim', type: 'dims', default: null },
      { name: 'options', type: 'options', default: null },
    ],
    method: 'var',
    problem: 'var',
    latex: ([a]) => `\\operatorname{Var}\\left(${a}\\right)`,
    fnLatex: '\\operatorname{Var}',
  },
  (def) =>
    function variance(x: Tensor, dims?: Dims, opts: VarOptions = {}): Tensor {
      const [src, ds, c, n, kept] = spreadArgs(x, dims, opts, 'var');
      const [v, m] = moments(src, ds, c, false);
      const out = opts.keepdim ? v : reshape(v, reducedShape(x.shape, ds, false));
      const zeroD = src.ndim === 0 && dims !== undefined && dims !== null;
      return record(def, [src], out, (g) => [varianceGrad(reshape(g, kept), src, ds, n, c, m, zeroD)], { dims: ds, correction: c });
    },
);

/** The checked arguments of var and std: the float input, its reduced dims, the correction, the count and the kept shape. */
function spreadArgs(x: Tensor, dims: Dims | undefined, opts: VarOptions, op: string): [Tensor, number[], number, number, number[]] {
  const ds = reduceDims(x, dims, op);
  const src = x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
  const c = assertNumber(opts.correction ?? 1, op, 'correction');
  const n = ds.reduce((acc, d) => acc * src.shape[d], 1);
  return [src, ds, c, n, reducedShape(x.shape, ds, true)];
}

/**
 * PyTorch's var_backward for the gradient gv of the variance (reduced dims kept): 2(x - mean)/(n -
 * correction)·gv, dividing by n - correction itself, even where that is 0 or negative; PyTorch 1.13
 * gives a 0-d input reduced over its dim with n = correction the gradient inf·gv.
 */
function varianceGrad(gv: Tensor, src: Tensor, ds: readonly number[], n: number, c: number, m: Tensor, zeroD: boolean): Tensor {
  if (zeroD && n === c) return mul(reshape(gv, []), Number.POSITIVE_INFINITY);
  return mul(gv, mul(sub(src, meanAs(src, ds, m)), 2 / (n - c)));
}

/**
 * Standard deviation over dims, computed as PyTorch does (the root taken in double precision, so a
 * float32 result stays finite where its variance would not); its gradient is PyTorch's,
 * var_backward of g/(2·std), and 0 where the std is 0.
 * @example
 * tensor([1, 2, 3, 4]).std().item() // 1.2909944
 * tensor([[1, 3], [2, 2]]).std(1, { correction: 0 }) // [1, 0]
 */
export const std = defineOp(
  {
    name: 'std',
    doc: "Standard deviation over dims (Bessel's correction 1 by default), computed as PyTorch does; the gradient is 0 where it is 0, as in PyTorch.",
    params: [
      { name: 'dim', type: 'dims', default: null },
      { name: 'options', type: 'options', default: null },
    ],
    problem: 'std',
    latex: ([a]) => `\\sigma\\left(${a}\\right)`,
    fnLatex: '\\operatorname{std}',
  },
  (def) =>
    function std(x: Tensor, dims?: Dims, opts: VarOptions = {}): Tensor {
      const [src, ds, c, n, kept] = spreadArgs(x, dims, opts, 'std');
      const [root, m] = moments(src, ds, c, true);
      const out = opts.keepdim ? root : reshape(root, reducedShape(x.shape, ds, false));
      const zeroD = src.ndim === 0 && dims !== undefined && dims !== null;
      return record(
        def,
        [src],
        out,
        (g) => {
          const y = reshape(out, kept);
          const gv = where(eq(y, 0), 0, div(reshape(g, kept), mul(y, 2)));
          return [varianceGrad(gv, src, ds, n, c, m, zeroD)];
        },
        { dims: ds, correction: c },
      );
    },
);

/** 1 where x is not NaN, 0 where it is, in x's dtype (unrecorded: a mask). */
function notNan(x: Tensor): Tensor {
  return castData(eq(x, x), x.dtype);
}

/**
 * Sum over dims (all when omitted) treating NaN as 0, as torch.nansum; bool inputs count as
 * int32. The gradient is the upstream gradient times 1 where x is not NaN and 0 where it is.
 * @example nansum(tensor([1, NaN, 2])).item() // 3
 */
export const nansum = defineOp(
  {
    name: 'nansum',
    doc: 'Sum over dims (all when omitted) treating NaN as 0, as torch.nansum; the gradient is 0 at NaN.',
    params: dimsParams,
    latex: ([a]) => `\\sum_{\\neg\\mathrm{NaN}} ${a}`,
    fnLatex: '\\operatorname{nansum}',
    label: 'Σ (no NaN)',
  },
  (def) =>
    function nansum(x: Tensor, dims?: Dims | null, opts: ReduceOptions = {}): Tensor {
      const ds = dimsOf(assertTensor(x, 'nansum'), dims, 'nansum');
      const src = x.dtype === 'bool' ? castData(x, 'int32') : x;
      const clean = isFloat(src.dtype) ? noGrad(() => where(ne(src, src), 0, src)) : src;
      const r = runReduce('sum', clean, ds, 'nansum');
      const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
      return record(def, [src], out, (g) => [mul(reshape(g, r.shape), notNan(src))], { dims: ds });
    },
);

/**
 * Mean over dims (all when omitted) of the elements that are not NaN, as torch.nanmean: NaN
 * where a slice has none. Integer inputs are promoted to float.
 * @example nanmean(tensor([1, NaN, 2])).item() // 1.5
 */
export const nanmean = defineOp(
  {
    name: 'nanmean',
    doc: 'Mean over dims (all when omitted) of the elements that are not NaN, as torch.nanmean (NaN where there are none).',
    params: dimsParams,
    latex: ([a]) => `\\overline{${a}}_{\\neg\\mathrm{NaN}}`,
    fnLatex: '\\operatorname{nanmean}',
    label: 'mean (no NaN)',
  },
  (def) =>
    function nanmean(x: Tensor, dims?: Dims | null, opts: ReduceOptions = {}): Tensor {
      const ds = dimsOf(assertTensor(x, 'nanmean'), dims, 'nanmean');
      const src = x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
      const mask = notNan(src);
      const count = runReduce('sum', mask, ds, 'nanmean');
      const r = noGrad(() => div(runReduce('sum', where(ne(src, src), 0, src), ds, 'nanmean'), count));
      const out = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
      // PyTorch's gradient of nansum(x) / count, NaN included where a slice has no numbers
      return record(def, [src], out, (g) => [mul(div(reshape(g, r.shape), count), mask)], { dims: ds });
    },
);
