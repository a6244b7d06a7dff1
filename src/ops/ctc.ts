// The connectionist temporal classification loss (F.ctc_loss): the alpha-beta recursion is the
// backend's ctcLoss kernel (PyTorch 1.13's CPU algorithm in log space: src/backend/js/ctc.ts, and
// native/ctc.cc on the native backend; wasm runs the TypeScript one);
// the reductions and zeroInfinity are ops around it, as in PyTorch's at::ctc_loss.
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import type { CtcArgs, CtcSpec } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, tensor } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { div, eq, where } from './arith.js';
import { defineOp } from './define.js';
import { assertTensor } from './kernel.js';
import { clamp } from './math.js';
import { reshape, unsqueeze } from './shape.js';
import { mean } from './stats.js';
import { sum } from './reduce.js';

/**
 * Options of ctcLoss (F.ctc_loss; `zeroInfinity` is PyTorch's `zero_infinity`): the blank label,
 * the reduction and whether impossible alignments give 0 instead of Infinity.
 * @example
 * ```ts
 * const lp = tensor([[[-1, -0.5]], [[-0.5, -1]]]).logSoftmax(2);
 * ctcLoss(lp, tensor([[1, 1]], { dtype: 'int32' }), [2], [2], { zeroInfinity: true }).item() // 0
 * ```
 */
export interface CTCLossOptions {
  /** the blank label (default 0) */
  blank?: number;
  /** 'mean' (default: each loss divided by its target length, then averaged), 'sum' or 'none' */
  reduction?: 'mean' | 'sum' | 'none';
  /** infinite losses (no alignment of the input with its target exists) and their gradients become 0 */
  zeroInfinity?: boolean;
}

/** Lengths given as an int tensor or a list: one per sample, checked. */
function lengthsOf(x: unknown, n: number, what: string, batched: boolean): Int32Array {
  let v: number[];
  if (Array.isArray(x)) v = x as number[];
  else if (typeof x === 'number') v = [x];
  else {
    const t = assertTensor(x, 'ctcLoss', what);
    if (isFloat(t.dtype) || t.dtype === 'bool') throw new ChainruleError(`ctcLoss: ${what} must be integers, got a ${t.dtype} tensor`);
    if (t.ndim !== (batched ? 1 : 0) && !(t.ndim === 1 && t.size === 1 && !batched)) {
      throw new ChainruleError(`ctcLoss: ${what} must be ${batched ? `[${n}], one per sample` : 'a scalar for an unbatched input'}, got ${fmtShape(t.shape)}`);
    }
    v = Array.from(t.data as ArrayLike<number>);
  }
  if (v.length !== n || v.some((k) => !Number.isInteger(k) || k < 0)) {
    throw new ChainruleError(`ctcLoss: ${what} must be ${n} non-negative integers (one per sample), got [${v.join(', ')}]`);
  }
  return Int32Array.from(v);
}

/** The gradient of the per-sample losses, which PyTorch cannot differentiate again either. */
const ctcLossBackward = defineOp(
  { name: 'ctcLossBackward', doc: "The CTC loss's gradient with respect to the log-probabilities (not differentiable, as in PyTorch).", method: false },
  (def) =>
    function ctcLossBackward(spec: CtcSpec, args: CtcArgs, logProbs: Tensor, g: Tensor): Tensor {
      const out = empty(logProbs.shape, logProbs.dtype);
      kernels().ctcLossBackward(spec, args, g.data, out.data);
      if (!isGradEnabled()) return out;
      return record(def, [logProbs, g], out, () => {
        throw new ChainruleError('ctcLoss: its gradient is not differentiable (PyTorch has no double backward for ctc_loss either)');
      });
    },
);

/**
 * The CTC loss of log-probabilities [T, N, C] (or [T, C] unbatched; normally a logSoftmax over C)
 * with int targets, either padded [N, S] or concatenated 1-d, and the input and target length of
 * each sample (int tensors or lists) (F.ctc_loss). The gradient is PyTorch's:
 * e^lp - Σαβ/(p·e^lp) at each step, which is the true gradient when logProbs is a log-softmax
 * (the first term vanishes through it); it is not differentiable again, as in PyTorch.
 * @example
 * ```ts
 * const lp = tensor([[[-1, -0.5]], [[-0.5, -1]]], { dtype: 'float64' }).logSoftmax(2);
 * ctcLoss(lp, tensor([[1]], { dtype: 'int32' }), [2], [1], { reduction: 'sum' }).item() // 0.2678...
 * ```
 */
export const ctcLoss = defineOp(
  {
    name: 'ctcLoss',
    doc: 'Connectionist temporal classification: -log Σ over the alignments of each target with its input of the product of their log-probabilities (F.ctc_loss; blank 0, reduction mean divides by the target lengths, zeroInfinity).',
    inputs: ['logProbs', 'targets', 'inputLengths', 'targetLengths'],
    params: [{ name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([lp, y]) => `-\\ln \\sum_{\\pi \\in \\mathcal{B}^{-1}(${y})} \\prod_{t} e^{{${lp}}_{t, \\pi_t}}`,
    label: 'CTC',
    deviation:
      "where PyTorch 1.13's CPU kernel reads out of bounds (a label outside 0..C-1, an empty input with a non-empty target) chainrule raises for the label and gives ∞ for the empty input; the gradient, as PyTorch's, is not differentiable again (a second backward raises)",
  },
  (def) =>
    function ctcLoss(logProbs: Tensor, targets: Tensor, inputLengths: Tensor | readonly number[] | number, targetLengths: Tensor | readonly number[] | number, opts: CTCLossOptions = {}): Tensor {
      const op = 'ctcLoss';
      const x = assertTensor(logProbs, op, 'logProbs');
      if (!isFloat(x.dtype)) throw new ChainruleError(`${op}: logProbs must be a float tensor, got ${x.dtype} ${fmtShape(x.shape)}`);
      if (x.ndim !== 3 && x.ndim !== 2) throw new ChainruleError(`${op}: logProbs must be [T, N, C] or [T, C], got ${fmtShape(x.shape)}`);
      const batched = x.ndim === 3;
      const lp = batched ? x : unsqueeze(x, 1);
      const [T, N, C] = lp.shape;
      const y = assertTensor(targets, op, 'targets');
      if (isFloat(y.dtype) || y.dtype === 'bool') throw new ChainruleError(`${op}: targets must be integer class labels, got a ${y.dtype} tensor`);
      const blank = opts.blank ?? 0;
      if (!Number.isInteger(blank) || blank < 0 || blank >= C) throw new ChainruleError(`${op}: blank must be a class index in 0..${C - 1}, got ${String(blank)}`);
      const reduction = opts.reduction ?? 'mean';
      if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') throw new ChainruleError(`${op}: reduction must be 'mean', 'sum' or 'none', got ${JSON.stringify(reduction)}`);
      const il = lengthsOf(inputLengths, N, 'inputLengths', batched);
      const tl = lengthsOf(targetLengths, N, 'targetLengths', batched);
      const labels = Int32Array.from(y.data as ArrayLike<number>);
      const offsets = new Int32Array(N);
      const padded = batched ? y.ndim === 2 : false;
      if (batched ? y.ndim !== 1 && y.ndim !== 2 : y.ndim !== 1) {
        throw new ChainruleError(`${op}: targets must be ${batched ? `[${N}, S] or the concatenated 1-d targets` : 'a 1-d target'} for logProbs ${fmtShape(x.shape)}, got ${fmtShape(y.shape)}`);
      }
      if (padded && y.shape[0] !== N) throw new ChainruleError(`${op}: padded targets ${fmtShape(y.shape)} need one row per sample of logProbs ${fmtShape(x.shape)}`);
      let at = 0;
      for (let n = 0; n < N; n++) {
        if (il[n] > T) throw new ChainruleError(`${op}: input length ${il[n]} of sample ${n} is longer than logProbs ${fmtShape(x.shape)} (T = ${T})`);
        offsets[n] = padded ? n * y.shape[1] : at;
        const room = padded ? y.shape[1] : labels.length - at;
        if (tl[n] > room) throw new ChainruleError(`${op}: target length ${tl[n]} of sample ${n} exceeds the targets ${fmtShape(y.shape)}`);
        for (let k = 0; k < tl[n]; k++) {
          const v = labels[offsets[n] + k];
          if (v < 0 || v >= C) throw new ChainruleError(`${op}: target label ${v} of sample ${n} is out of range for ${C} classes`);
        }
        at += tl[n];
      }
      const maxTargetLength = tl.reduce((m, v) => Math.max(m, v), 0);
      const spec: CtcSpec = { T, N, C, maxTargetLength, blank, zeroInfinity: opts.zeroInfinity ?? false };
      const nll = empty([N], lp.dtype);
      const args: CtcArgs = { logProbs: lp.data, targets: labels, offsets, inputLengths: il, targetLengths: tl, logAlpha: new Float64Array(N * T * (2 * maxTargetLength + 1)), nll: nll.data };
      kernels().ctcLoss(spec, args);
      let res = record(def, [lp], nll, (g) => [ctcLossBackward(spec, args, lp, g)], { blank, zeroInfinity: spec.zeroInfinity });
      if (spec.zeroInfinity) res = where(eq(res, Number.POSITIVE_INFINITY), 0, res);
      if (reduction === 'mean') return mean(div(res, clamp(tensor(Float64Array.from(tl), { dtype: lp.dtype }), 1)));
      if (reduction === 'sum') return sum(res);
      return batched ? res : reshape(res, []);
    },
);
