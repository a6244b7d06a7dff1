import { ChainruleError } from '../../errors.js';
import { tensor, zeros } from '../../tensor/creation.js';
import { showShape } from '../module.js';
import { renormOptions, renormRows } from './renorm.js';
import { concat, scatterAdd, Tensor, windowMax } from '../../ops/index.js';

function ids(input: Tensor, num: number, op: string): Int32Array {
  if (!(input instanceof Tensor)) throw new ChainruleError(`${op}: indices must be a Tensor`);
  if (input.dtype !== 'int32') throw new ChainruleError(`${op}: indices must be an int32 tensor, got ${input.dtype}`);
  const d = input.data as Int32Array;
  for (let i = 0; i < d.length; i++) {
    if (d[i] < 0 || d[i] >= num) throw new ChainruleError(`${op}: index ${d[i]} at position ${i} is out of range for ${num} embeddings`);
  }
  return d;
}

/** paddingIdx in [-num, num), negative counting from the end as PyTorch's; null for none. */
function paddingOf(paddingIdx: number | null | undefined, num: number, op: string): number | null {
  if (paddingIdx == null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx < -num || paddingIdx >= num) {
    throw new ChainruleError(`${op}: paddingIdx must be an integer in [${-num}, ${num - 1}] for ${num} embeddings, got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + num : paddingIdx;
}

/**
 * Options of F.embedding: paddingIdx (PyTorch's `padding_idx`), maxNorm and normType (`max_norm`, `norm_type`).
 * @example F.embedding(tensor([0], { dtype: 'int32' }), tensor([[3, 4]]), { paddingIdx: 0 }).toArray() // [[3, 4]]
 */
export interface EmbeddingOptions {
  /** the row that gets no gradient (negative counts from the end) */
  paddingIdx?: number | null;
  /** rows looked up whose normType-norm exceeds this are rescaled to it, in place in weight, first */
  maxNorm?: number | null;
  /** the p of maxNorm's p-norm (default 2) */
  normType?: number;
}

/**
 * Looks up rows of weight [num, dim] for int32 indices of any shape: out is [...input.shape, dim].
 * The row at paddingIdx (negative counts from the end) gets no gradient (it stays as
 * initialised, zero by default). With maxNorm, the rows looked up are first renormalised in
 * place as torch.nn.functional.embedding does. The third argument is the options, or paddingIdx.
 * @example F.embedding(tensor([1, 0], { dtype: 'int32' }), tensor([[0, 0], [1, 2]])).toArray() // [[1, 2], [0, 0]]
 */
export function embedding(input: Tensor, weight: Tensor, opts?: number | null | EmbeddingOptions): Tensor {
  if (weight.ndim !== 2) throw new ChainruleError(`embedding: weight must be [numEmbeddings, dim], got ${showShape(weight.shape)}`);
  const o: EmbeddingOptions = opts !== null && typeof opts === 'object' ? opts : { paddingIdx: opts };
  const [num, dim] = weight.shape;
  const d = ids(input, num, 'embedding');
  const pad = paddingOf(o.paddingIdx, num, 'embedding');
  const renorm = renormOptions(o.maxNorm, o.normType, 'embedding');
  if (renorm) renormRows(weight, d, renorm[0], renorm[1]);
  const flat = tensor(d);
  let rows = weight.indexSelect(0, flat);
  if (pad !== null) {
    const keep = tensor(Uint8Array.from(d, (v) => (v === pad ? 0 : 1)), { dtype: 'bool', shape: [d.length, 1] });
    rows = rows.where(keep, rows.detach());
  }
  return rows.reshape([...input.shape, dim]);
}

/**
 * Options of F.embeddingBag: how bags are cut from the input and reduced.
 * @example F.embeddingBag(tensor([[0, 1], [1, 1]], { dtype: 'int32' }), eye(2), { mode: 'mean' }).toArray() // [[0.5, 0.5], [0, 1]]
 */
export interface EmbeddingBagOptions {
  /** starts of the bags in a 1-d input (required for 1-d input, not allowed for 2-d) */
  offsets?: Tensor | readonly number[] | null;
  /** how a bag's rows are reduced (default 'mean', as PyTorch) */
  mode?: 'sum' | 'mean' | 'max';
  /** weights of each index (mode 'sum' only) */
  perSampleWeights?: Tensor | null;
  /** entries equal to this index are left out of their bag (and of the mean's count) */
  paddingIdx?: number | null;
  /** offsets has one more entry, the end of the last bag (it must equal the number of indices) */
  includeLastOffset?: boolean;
  /** rows looked up whose normType-norm exceeds this are rescaled to it, in place in weight, first */
  maxNorm?: number | null;
  /** the p of maxNorm's p-norm (default 2) */
  normType?: number;
}

/**
 * Sums, averages or maxes the embeddings of each bag without building the [bag, len, dim]
 * tensor: a 2-d input is one bag per row; a 1-d input is cut into bags at `offsets`.
 * Empty bags give zeros (that still carry a gradient, of 0), as PyTorch. 'max' takes, per
 * feature, the element PyTorch's kernel picks (the first of tied maxima; a NaN only as a bag's
 * first entry), and the gradient goes to that one alone.
 * @example F.embeddingBag(tensor([0, 1, 1], { dtype: 'int32' }), eye(2), { offsets: [0, 1], mode: 'sum' }).toArray() // [[1, 0], [0, 2]]
 */
export function embeddingBag(input: Tensor, weight: Tensor, opts: EmbeddingBagOptions = {}): Tensor {
  const op = 'embeddingBag';
  const mode = opts.mode ?? 'mean';
  if (mode !== 'sum' && mode !== 'mean' && mode !== 'max') throw new ChainruleError(`${op}: mode must be 'sum', 'mean' or 'max', got ${JSON.stringify(mode)}`);
  if (weight.ndim !== 2) throw new ChainruleError(`${op}: weight must be [numEmbeddings, dim], got ${showShape(weight.shape)}`);
  const d = ids(input, weight.shape[0], op);
  let starts: number[];
  if (input.ndim === 2) {
    if (opts.offsets != null) throw new ChainruleError(`${op}: offsets are only allowed with a 1-d input (a 2-d input has one bag per row)`);
    // PyTorch then drops the last row's bag: refused rather than done silently
    if (opts.includeLastOffset) throw new ChainruleError(`${op}: includeLastOffset applies to a 1-d input with offsets, got a 2-d input ${showShape(input.shape)}`);
    const [B, len] = input.shape;
    starts = Array.from({ length: B }, (_, b) => b * len);
  } else if (input.ndim === 1) {
    if (opts.offsets == null) throw new ChainruleError(`${op}: a 1-d input needs offsets marking where each bag starts`);
    starts = opts.offsets instanceof Tensor ? Array.from(opts.offsets.data) : [...opts.offsets];
    if (opts.includeLastOffset) {
      // PyTorch reads the last offset as the end of the last bag; other ends than the input's give results that disagree between its modes
      if (starts.length === 0 || starts[starts.length - 1] !== d.length) {
        throw new ChainruleError(`${op}: with includeLastOffset the last offset must be the number of indices (${d.length}), got ${JSON.stringify(starts)}`);
      }
    }
    starts.forEach((s, i) => {
      if (!Number.isInteger(s) || s < 0 || s > d.length || (i > 0 && s < starts[i - 1])) {
        throw new ChainruleError(`${op}: offsets must be non-decreasing integers in [0, ${d.length}], got ${JSON.stringify(starts)}`);
      }
    });
    if (starts.length && starts[0] !== 0) throw new ChainruleError(`${op}: the first offset must be 0, got ${starts[0]}`);
    if (opts.includeLastOffset) starts.pop();
  } else {
    throw new ChainruleError(`${op}: expected a 1-d input with offsets or a 2-d input [bags, len], got ${showShape(input.shape)}`);
  }
  const psw = opts.perSampleWeights ?? null;
  if (psw) {
    if (mode !== 'sum') throw new ChainruleError(`${op}: perSampleWeights need mode 'sum', got '${mode}'`);
    if (psw.size !== d.length) throw new ChainruleError(`${op}: perSampleWeights ${showShape(psw.shape)} must match the input ${showShape(input.shape)}`);
  }
  const B = starts.length;
  const n = d.length;
  const bagOf = (b: number): [number, number] => [starts[b], b + 1 < B ? starts[b + 1] : n];
  const pad = paddingOf(opts.paddingIdx, weight.shape[0], op);
  const dim = weight.shape[1];
  const renorm = renormOptions(opts.maxNorm, opts.normType, op);
  if (renorm) renormRows(weight, d, renorm[0], renorm[1]);
  if (mode === 'max') {
    // the kept entries (padding left out) in bag order, and each non-empty bag's run of them; the
    // max of a run is the element PyTorch's kernel picks: the first, then only strictly greater ones
    const kept: number[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    const row = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const [s, e] = bagOf(b);
      const from = kept.length;
      for (let i = s; i < e; i++) if (d[i] !== pad) kept.push(d[i]);
      row[b] = kept.length > from ? starts.length : -1;
      if (kept.length > from) {
        starts.push(from);
        ends.push(kept.length);
      }
    }
    const rows = weight.indexSelect(0, tensor(Int32Array.from(kept)));
    const maxes = windowMax(rows, 0, { starts, ends }, 'bag', op);
    if (starts.length === B) return maxes;
    // empty bags are zeros, still in the graph (their gradient is 0), picked (not multiplied) so a NaN row cannot leak
    const withZero = concat([maxes, zeros([1, dim], { dtype: weight.dtype })], 0);
    return withZero.indexSelect(0, tensor(Int32Array.from(row, (r) => (r < 0 ? starts.length : r))));
  }
  // each kept entry's row (times 1/count for the mean, times its per-sample weight) is added into
  // its bag's row: only the entries of a bag touch it, so a NaN elsewhere stays elsewhere
  const kept: number[] = [];
  const bag: number[] = [];
  const coef: number[] = [];
  for (let b = 0; b < B; b++) {
    const [s, e] = bagOf(b);
    let count = 0;
    for (let i = s; i < e; i++) if (d[i] !== pad) count++;
    for (let i = s; i < e; i++) {
      if (d[i] === pad) continue;
      kept.push(i);
      bag.push(b);
      coef.push(mode === 'mean' ? 1 / count : 1);
    }
  }
  const K = kept.length;
  let src = weight.indexSelect(0, tensor(Int32Array.from(kept, (i) => d[i])));
  if (mode === 'mean') src = src.mul(tensor(Float64Array.from(coef), { dtype: weight.dtype, shape: [K, 1] }));
  if (psw) src = src.mul(psw.reshape([n]).indexSelect(0, tensor(Int32Array.from(kept))).unsqueeze(1));
  const into = Int32Array.from({ length: K * dim }, (_, k) => bag[Math.floor(k / dim)]);
  return scatterAdd(zeros([B, dim], { dtype: weight.dtype }), 0, tensor(into, { shape: [K, dim] }), src);
}

export { oneHot } from '../../ops/index.js';
