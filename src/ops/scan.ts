// Running reductions along one dimension (cumsum, cumprod, logcumsumexp) and the product, whose
// gradient is built from cumulative products. Each scan runs as one backend kernel; its gradient
// runs the same kernel from the other end (a reverse scan, an op of its own below that is not
// part of the public API), so every backward is made of differentiable ops. Products follow
// PyTorch at zeros: the gradient is the product of the other elements, computed without dividing.
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { ScanOp } from '../backend/types.js';
import { arange, empty, full } from '../tensor/creation.js';
import { floatOf } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, ge, gt, le, logicalAnd, logicalNot, lt, mul, sub, where } from './arith.js';
import { type OpDef, defineOp } from './define.js';
import { along, assertTensor, castData, dimOf, dimsOf, reducedShape, runReduce } from './kernel.js';
import { abs, exp, log } from './math.js';
import { type ReduceOptions, sum } from './reduce.js';
import { concat, narrow, reshape } from './shape.js';

/** The input a scan runs on: bool counts as int32 for sums and products; logsumexp needs floats. */
function scanInput(kind: ScanOp, x: Tensor): Tensor {
  if (kind === 'logsumexp') return x.dtype === floatOf(x.dtype) ? x : castData(x, floatOf(x.dtype));
  return x.dtype === 'bool' ? castData(x, 'int32') : x;
}

function runScan(kind: ScanOp, x: Tensor, d: number, reverse: boolean): Tensor {
  const out = empty(x.shape, x.dtype);
  const { outer, n, inner } = along(x, d);
  kernels().scan(kind, x.data, outer, n, inner, out.data, reverse);
  return out;
}

type Backward = (g: Tensor, x: Tensor, y: Tensor, d: number, reverse: boolean) => Tensor;

const SCANS = new Map<string, (x: Tensor, d: number) => Tensor>();

/** The recorded scan of `kind` along d, forwards or from the end (what backwards call). */
function cum(kind: ScanOp, x: Tensor, d: number, reverse: boolean): Tensor {
  return (SCANS.get(`${kind}${reverse ? '<' : '>'}`) as (x: Tensor, d: number) => Tensor)(x, d);
}

/**
 * Defines the scan of `kind` as an op named `name`, and its run from the last element as the op
 * `${name}Reverse` (not exported: the backward of the one is the other); returns the first.
 */
function scanOp<const N extends string>(kind: ScanOp, name: N, doc: string, backward: Backward) {
  const define = (reverse: boolean) => {
    const opName = reverse ? `${name}Reverse` : name;
    const op = defineOp(
      {
        name: opName as N,
        doc: reverse ? `${name} along dim from the last element (what gradients of scans run).` : doc,
        params: [{ name: 'dim' }],
        fnLatex: `\\operatorname{${name}}`,
        label: reverse ? `${name}←` : name,
      },
      (def: OpDef) =>
        function scan(x: Tensor, dim: number): Tensor {
          assertTensor(x, opName);
          const d = dimOf(x, dim, opName);
          const src = scanInput(kind, x);
          const y = runScan(kind, src, d, reverse);
          return record(def, [src], y, (g) => [backward(g, src, y, d, reverse)], { dim: d });
        },
    );
    SCANS.set(`${kind}${reverse ? '<' : '>'}`, op);
    return op;
  };
  define(true);
  return define(false);
}

/** Ones of x's shape with dim d of size 1. */
function onesAlong(x: Tensor, d: number): Tensor {
  return full(
    x.shape.map((s, i) => (i === d ? 1 : s)),
    1,
    { dtype: x.dtype },
  );
}

const cumsumBackward: Backward = (g, _x, _y, d, reverse) => cum('sum', g, d, !reverse);

/** true where x has an element equal to 0. */
function hasZero(x: Tensor): boolean {
  const a = x.data;
  for (let i = 0; i < a.length; i++) if (a[i] === 0) return true;
  return false;
}

/**
 * dL/dx of y = cumprod(x), PyTorch's formula case by case (so that it agrees with PyTorch where
 * the input has infinities and NaN too). Without zeros it is the reverse cumsum of g·y over x.
 * With zeros, per slice: before the first zero z1 the same formula on g·y cut off at z1; at z1,
 * Σ_{z1 ≤ j < z2} g_j·Π_{z1 < i ≤ j} x_i times y_{z1-1} (z2 the second zero); after it 0. That
 * last 0 is right as a value but not as a function of x_z1, so when the backward itself is being
 * recorded (create_graph) an exact O(n²) form runs instead, as in PyTorch.
 */
const cumprodBackward: Backward = (g, x, y, d, reverse) => {
  const n = x.ndim === 0 ? 1 : x.shape[d];
  if (x.size <= 1 || n === 1) return g;
  const w = mul(y, g);
  if (!hasZero(x)) return div(cum('sum', w, d, !reverse), x);
  if (isGradEnabled()) return cumprodBackwardExact(g, x, d, reverse);
  const zero = eq(x, 0);
  const zerosSoFar = runScan('sum', castData(zero, 'int32'), d, reverse);
  const before = eq(zerosSoFar, 0);
  const run = eq(zerosSoFar, 1);
  const first = logicalAnd(zero, run);
  const beforeFirst = div(cum('sum', where(before, w, 0), d, !reverse), where(before, x, 1));
  // y one step before each position (1 at the start): y_{z1-1} where the first zero is
  const one = onesAlong(x, d);
  const yPrev = reverse ? concat([narrow(y, d, 1, n - 1), one], d) : concat([one, narrow(y, d, 0, n - 1)], d);
  const between = cum('prod', where(logicalAnd(run, logicalNot(first)), x, 1), d, reverse);
  const atFirst = mul(sum(mul(between, where(run, g, 0)), d, { keepdim: true }), yPrev);
  return where(before, beforeFirst, where(first, atFirst, 0));
};

/** dL/dx_k = Σ over i from k on of g_i · Π_{j up to i, j ≠ k} x_j, one k at a time (differentiable everywhere). */
function cumprodBackwardExact(g: Tensor, x: Tensor, d: number, reverse: boolean): Tensor {
  const n = x.shape[d];
  const pos = reshape(
    arange(0, n, 1, { dtype: 'int32' }),
    x.shape.map((s, i) => (i === d ? s : 1)),
  );
  const pieces: Tensor[] = [];
  for (let k = 0; k < n; k++) {
    const others = cum('prod', where(eq(pos, k), 1, x), d, reverse);
    const fromK = reverse ? le(pos, k) : ge(pos, k);
    pieces.push(sum(where(fromK, mul(g, others), 0), d, { keepdim: true }));
  }
  return concat(pieces, d);
}

/**
 * dL/dx of y = logcumsumexp(x): Σ_{i from j on} g_i·e^(x_j - y_i), computed as PyTorch does, in
 * logarithms with the positive and negative parts of g apart, so that large |x| neither
 * overflows nor underflows.
 */
const logcumsumexpBackward: Backward = (g, x, y, d, reverse) => {
  if (x.ndim === 0 || x.size === 0) return g;
  const lowest = x.dtype === 'float32' ? -3.4028234663852886e38 : -Number.MAX_VALUE;
  const logAbs = log(abs(g));
  const part = (mask: Tensor) => exp(add(cum('logsumexp', sub(where(mask, logAbs, lowest), y), d, !reverse), x));
  return sub(part(gt(g, 0)), part(lt(g, 0)));
};

/**
 * Running sum along dim, as torch.cumsum (bool and int32 inputs give int32); the gradient is the
 * running sum of the upstream gradient from the other end.
 * @example cumsum(tensor([1, 2, 3]), 0).toArray() // [1, 3, 6]
 */
export const cumsum = scanOp('sum', 'cumsum', 'Running sum along dim, as torch.cumsum (bool and int32 inputs give int32).', cumsumBackward);

/**
 * Running product along dim, as torch.cumprod; the gradient is exact where the input has zeros
 * (and so is its own gradient).
 * @example cumprod(tensor([1, 2, 3]), 0).toArray() // [1, 2, 6]
 */
export const cumprod = scanOp('prod', 'cumprod', 'Running product along dim, as torch.cumprod; the gradient is exact where the input has zeros.', cumprodBackward);

/**
 * log Σ_{j ≤ i} e^(x_j) along dim, computed stably, as torch.logcumsumexp (integer inputs are
 * promoted to float); -∞ stays -∞ and NaN propagates.
 * @example logcumsumexp(tensor([0, 0]), 0).toArray() // [0, 0.6931472]
 */
export const logcumsumexp = scanOp('logsumexp', 'logcumsumexp', 'log Σ_{j≤i} e^(x_j) along dim, computed stably, as torch.logcumsumexp.', logcumsumexpBackward);

/** Π_{j ≠ i} x_j along d for every i: exclusive running products from both ends (no division). */
function productOfOthers(x: Tensor, d: number): Tensor {
  const n = x.shape[d];
  const one = onesAlong(x, d);
  if (n === 1) return one;
  const before = cum('prod', concat([one, narrow(x, d, 0, n - 1)], d), d, false);
  const after = cum('prod', concat([narrow(x, d, 1, n - 1), one], d), d, true);
  return mul(before, after);
}

/**
 * Product over dim (all elements when omitted), as torch.prod (bool and int32 inputs give int32).
 * The gradient is y/x without zeros in the input and the product of the other elements otherwise
 * (PyTorch's rule), so it is right at zeros and differentiable again. One deliberate difference:
 * over every element with two or more zeros PyTorch's gradient is a constant (its second
 * derivative 0), chainrule's second derivative is the true one.
 * @example prod(tensor([[1, 2], [3, 4]]), 1).toArray() // [2, 12]
 */
export const prod = defineOp(
  {
    name: 'prod',
    doc: 'Product over dim (all elements when omitted), as torch.prod; its gradient is exact where the input has zeros.',
    params: [
      { name: 'dim', default: null },
      { name: 'options', type: 'options', default: null },
    ],
    latex: ([a]) => `\\prod ${a}`,
    fnLatex: '\\prod',
    label: 'Π',
    deviation:
      "The second derivative of prod over every element when two or more are 0: PyTorch's prod_backward returns constant zeros there (the right gradient, but not differentiable further), so its second derivative is 0; chainrule's is the true one, the product of the other elements.",
    onnx: { opType: 'ReduceProd' },
  },
  (def) =>
    function prod(x: Tensor, dim?: number | null, opts: ReduceOptions = {}): Tensor {
      assertTensor(x, 'prod');
      const whole = dim === undefined || dim === null;
      const ds = whole ? dimsOf(x, undefined, 'prod') : dimsOf(x, dimOf(x, dim, 'prod'), 'prod');
      const src = x.dtype === 'bool' ? castData(x, 'int32') : x;
      const r = runReduce('prod', src, ds, 'prod');
      const kept = r.shape;
      const y = reshape(r, reducedShape(x.shape, ds, opts.keepdim ?? false));
      return record(
        def,
        [src],
        y,
        (g) => {
          if (src.ndim === 0) return [reshape(g, src.shape)];
          const gk = reshape(g, kept);
          if (!hasZero(src)) return [mul(gk, div(reshape(y, kept), src))];
          if (!whole) return [mul(gk, productOfOthers(src, ds[0]))];
          return [reshape(mul(reshape(gk, [1]), productOfOthers(reshape(src, [src.size]), 0)), src.shape)];
        },
        { dim: whole ? null : (ds[0] ?? null) },
      );
    },
);
