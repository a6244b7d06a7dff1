import type { StorageSource } from '../tensor/dtype.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { CsrMatrix } from '../tensor/sparse.js';

/**
 * The kernel contract every backend implements. Storage is a plain typed array owned by the
 * garbage collector; tensors are contiguous row-major. Shapes and indices are checked by the ops
 * before a kernel runs, so kernels may assume valid input.
 */

/**
 * An elementwise kernel of one input, as the op table declares it: a name, by which a backend
 * finds its own implementation (the native addon keys its C kernels by it), and the reference
 * definition in double precision, which the TypeScript backend runs and every other backend
 * must reproduce. p0 and p1 are the op's numeric parameters (a slope, an exponent, bounds).
 */
export interface UnaryKernel {
  /** always 1: one input */
  readonly arity: 1;
  /** the kernel's name, by which each backend finds its implementation */
  readonly name: string;
  /** the reference definition in double precision, with the op's numeric parameters p0 and p1 */
  readonly f: (x: number, p0: number, p1: number) => number;
}

/** An elementwise kernel of two inputs; comparisons write 0/1 into a Uint8Array. */
export interface BinaryKernel {
  /** always 2: two inputs */
  readonly arity: 2;
  /** the kernel's name, by which each backend finds its implementation */
  readonly name: string;
  /** the reference definition in double precision */
  readonly f: (a: number, b: number) => number;
  /** a comparison: the output is a bool tensor of 0/1 (default false) */
  readonly compare?: boolean;
}

export type ReduceOp = 'sum' | 'max' | 'min' | 'prod';

/** How scatterReduce combines: overwrite (the last write wins), or reduce with what is there. */
export type ScatterOp = 'set' | 'sum' | 'prod' | 'amax' | 'amin';

/** The running reductions of `scan`: cumsum, cumprod and logcumsumexp. */
export type ScanOp = 'sum' | 'prod' | 'logsumexp';

/** Batched GEMM: out[b] = op(A[b]) @ op(B[b]), op = transpose when the flag is set. */
export interface MatmulSpec {
  batch: number;
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  /** elements between consecutive batch matrices; 0 broadcasts one matrix over the batch */
  strideA: number;
  strideB: number;
}

/** The recurrent cells of the fused sequence kernels (PyTorch's gate layouts). */
export type RnnKind = 'tanh' | 'relu' | 'gru' | 'lstm';

/**
 * One layer and direction of a recurrent network over a whole sequence. G = gates·H with 1 gate
 * (tanh, relu), 3 (gru: r, z, n) or 4 (lstm: i, f, g, o). Steps run t = 0..T-1, or T-1..0 when
 * `reverse`.
 */
export interface RnnSpec {
  kind: RnnKind;
  T: number;
  B: number;
  H: number;
  reverse: boolean;
}

/** Values per (t, b) the forward saves for the backward, besides the state before the step (H). */
export const RNN_SAVED: Record<RnnKind, number> = { tanh: 1, relu: 1, gru: 4, lstm: 6 };
/** Gate blocks per hidden unit. */
export const RNN_GATES: Record<RnnKind, number> = { tanh: 1, relu: 1, gru: 3, lstm: 4 };

/** Arrays of the fused recurrent forward. */
export interface RnnForwardArgs {
  /** [T, B, G]: x·W_ihᵀ + b_ih for every step */
  gx: TypedArray;
  /** [B, H] initial state (and cell state for LSTM) */
  h0: TypedArray;
  c0: TypedArray | null;
  /** [G, H] and [G] (bias may be absent) */
  whh: TypedArray;
  bhh: TypedArray | null;
  /** [T, B], nonzero where the step is real; a masked step keeps the state and outputs 0 */
  mask: Uint8Array | null;
  /** outputs: [T, B, H], the final state [B, H] (and cell state) */
  out: TypedArray;
  hN: TypedArray;
  cN: TypedArray | null;
  /** saved for the backward: the state before each step [T, B, H], and [T, B, RNN_SAVED·H] */
  hPrev: TypedArray;
  saved: TypedArray;
}

/** Arrays of the fused recurrent backward (upstream gradients may be absent: zero). */
export interface RnnBackwardArgs {
  whh: TypedArray;
  mask: Uint8Array | null;
  hPrev: TypedArray;
  saved: TypedArray;
  dOut: TypedArray | null;
  dhN: TypedArray | null;
  dcN: TypedArray | null;
  /** outputs: d(gx) [T, B, G]; for GRU also d(h·W_hhᵀ + b_hh) [T, B, G] (other kinds: equal to dgx, pass null) */
  dgx: TypedArray;
  dgh: TypedArray | null;
  /** d(h0), d(c0) [B, H] */
  dh0: TypedArray;
  dc0: TypedArray | null;
}

/**
 * Where the matrices of one strided GEMM operand live: element (i, j) of matrix t is at
 * offset + t·batchStride + i·rowStride + j·colStride (any integer strides, 0 broadcasts). On A and B
 * (not C) an offset table may replace a stride: rowOffsets[i] in place of i·rowStride, colOffsets[j]
 * in place of j·colStride, so that two nested dimensions (a channel and a kernel tap) act as one.
 */
export interface GemmOperand {
  offset: number;
  batchStride: number;
  rowStride: number;
  colStride: number;
  rowOffsets?: Int32Array;
  colOffsets?: Int32Array;
}

/** The sizes of a 1-d convolution: y[n, o, t] = sum_{c,k} x[n, c, t·stride + k·dilation] W[o, c, k]. */
export interface Conv1dShape {
  N: number;
  Cin: number;
  L: number;
  Cout: number;
  K: number;
  Lout: number;
  stride: number;
  dilation: number;
}

/**
 * Strided batched GEMM: C_t (+)= A_t B_t for t < batch, with A_t m x k, B_t k x n, C_t m x n read
 * and written in place through their strides (a transpose is a swap of row and column strides).
 * With sumBatch there is one C (its batchStride is unused) receiving sum_t A_t B_t. accumulate
 * adds to C instead of overwriting it. Distinct elements of C must not share an address.
 */
export interface GemmSpec {
  batch: number;
  m: number;
  n: number;
  k: number;
  accumulate: boolean;
  sumBatch: boolean;
  a: GemmOperand;
  b: GemmOperand;
  c: GemmOperand;
}

/** How windowArgmax picks among tied maxima and NaN (see there). */
export type WindowRule = 'pool' | 'bag';
/**
 * Scaled dot-product attention over `batch` independent blocks (the batch and head dims of the op,
 * flattened): q [batch, L, E], k [batch, S, E], v [batch, S, Ev], out [batch, L, Ev], all
 * contiguous. Row i of block b scores key j as s = scale·(q_i·k_j) (+ the additive mask, or -∞
 * where a boolean mask is 0, or -∞ for j > i when causal), and its output is Σ_j softmax(s)_j v_j.
 * A row whose keys are all masked out gives NaN, as softmax over nothing but -∞ does in PyTorch.
 * q, k, v and an additive mask hold no NaN or +∞ (the op computes those cases with its composite
 * form, where they spread through the products as in PyTorch), and -∞ only in the mask.
 */
export interface AttentionSpec {
  batch: number;
  L: number;
  S: number;
  E: number;
  Ev: number;
  scale: number;
  /** query i attends to keys j <= i only (the top-left aligned lower triangle, as PyTorch) */
  causal: boolean;
  /** no mask, a boolean one (nonzero: attend) or an additive one (added to the scaled scores) */
  mask: 'none' | 'bool' | 'add';
  /** dropout on the attention weights: weight (i, j) is kept (and scaled by 1/(1 − p)) where attentionKeep says so */
  dropoutP: number;
  /** the dropout mask's seed (a 32-bit unsigned integer) */
  seed: number;
}

function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The dropout mask of attention: weight (i, j) of block b is kept when the hash of its index
 * (b·L + i)·S + j under the call's seed is at least ⌊p·2³²⌋. A counter-based hash (murmur3's
 * finaliser, twice), so the forward, the backward and every backend draw the same mask without
 * storing it.
 * @example attentionKeep(7, 12345, 0) // true
 * @example attentionKeep(7, 12345, 2 ** 32) // false
 */
export function attentionKeep(seed: number, index: number, threshold: number): boolean {
  const hi = Math.floor(index / 4294967296);
  return fmix32((index >>> 0) ^ fmix32((hi ^ seed) >>> 0)) >= threshold;
}

/** ⌊p·2³²⌋: the threshold attentionKeep compares with (exact in double precision). */
export function attentionThreshold(p: number): number {
  return Math.floor(p * 4294967296);
}

/**
 * A mask read in place through strides: element (i, j) of block b is
 * data[offsets[b] + i·rowStride + j·colStride] (0 strides broadcast). A Uint8Array for a boolean
 * mask, the operands' float type for an additive one.
 */
export interface AttentionMask {
  data: TypedArray;
  offsets: Int32Array;
  rowStride: number;
  colStride: number;
}

/** Arrays of the attention forward: the output and, per row, the log-sum-exp of its scores [batch, L]. */
export interface AttentionForwardArgs {
  q: TypedArray;
  k: TypedArray;
  v: TypedArray;
  mask: AttentionMask | null;
  out: TypedArray;
  lse: TypedArray;
}

/** Arrays of the attention backward: the forward's inputs, output and log-sum-exp, dOut, and the three gradients (overwritten). */
export interface AttentionBackwardArgs {
  q: TypedArray;
  k: TypedArray;
  v: TypedArray;
  mask: AttentionMask | null;
  out: TypedArray;
  lse: TypedArray;
  dOut: TypedArray;
  dq: TypedArray;
  dk: TypedArray;
  dv: TypedArray;
}

/**
 * The windows of a 2-d pooling over `planes` contiguous planes of H x W values (the batch and channel
 * dims of [N, C, H, W] taken together), giving planes of OH x OW: output (i, j) covers the input rows
 * rows[2i], rows[2i] + rowStep, ... below rows[2i+1] and the columns cols[2j], cols[2j] + colStep, ...
 * below cols[2j+1], already clipped to the plane (a window may be empty). Plain, dilated, padded,
 * ceil-mode and adaptive pools all have windows of this kind.
 */
export interface PoolWindows {
  planes: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  rows: Int32Array;
  cols: Int32Array;
  rowStep: number;
  colStep: number;
}

/**
 * The shapes and options of a CTC loss (connectionist temporal classification) over log-probabilities
 * [T, N, C] (contiguous): sample n has targets[offsets[n] .. offsets[n] + targetLengths[n]] and
 * inputLengths[n] ≤ T steps; logAlpha is [N, T, 2·maxTargetLength + 1] (double precision).
 */
export interface CtcSpec {
  T: number;
  N: number;
  C: number;
  maxTargetLength: number;
  blank: number;
  zeroInfinity: boolean;
}

/** The arrays of a CTC loss: int32 targets, lengths and per-sample target offsets. */
export interface CtcArgs {
  logProbs: TypedArray;
  targets: Int32Array;
  offsets: Int32Array;
  inputLengths: Int32Array;
  targetLengths: Int32Array;
  /** [N, T, 2·maxTargetLength + 1], written by ctcLoss and read by ctcLossBackward */
  logAlpha: Float64Array;
  /** [N] negative log-likelihoods, written by ctcLoss (∞ where no alignment exists) */
  nll: TypedArray;
}

export interface Backend {
  readonly name: string;
  /**
   * Memory for tensor storage, `bytes` long (zero-filled unless asked not to be), from a pool that
   * takes blocks back when the garbage collector frees their buffer (the native backend); absent:
   * storage is a plain typed array.
   */
  readonly storage?: StorageSource;
  /** Elementwise unary op; x and out have equal length (out may be x for in-place). */
  unary(k: UnaryKernel, x: TypedArray, out: TypedArray, p0?: number, p1?: number): void;
  /**
   * Elementwise binary op with broadcasting. aStrides/bStrides are per-dimension strides of
   * the inputs read at the output's shape (0 on broadcast dimensions).
   * Comparison ops write 0/1 into a Uint8Array out.
   */
  binary(
    k: BinaryKernel,
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    out: TypedArray,
    outShape: readonly number[],
  ): void;
  /** out[i] = cond[i] ? a[i] : b[i], all read through broadcast strides at outShape. */
  where(
    cond: Uint8Array,
    cStrides: readonly number[],
    a: TypedArray,
    aStrides: readonly number[],
    b: TypedArray,
    bStrides: readonly number[],
    out: TypedArray,
    outShape: readonly number[],
  ): void;
  /** Reduces the middle axis of x viewed as [outer, n, inner] into out [outer, inner]. */
  reduce(op: ReduceOp, x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  /**
   * The gradient of a max or min over dims, as torch.amax's backward: x and out are contiguous at
   * `shape`; r (the extrema, reduced dims kept as 1s) and g (their upstream gradient) share one
   * layout, read at `shape` through rStrides (0 on the reduced dims). out[i] = (x[i] == r[j] ? 1 :
   * 0)·(g[j] / count[j]), where j is the extremum i reduces into and count[j] how many elements of
   * its slice equal it: tied extrema share g evenly, and a NaN extremum (equal to nothing) gives its
   * whole slice 0·(g / 0), NaN, as the mask·(g / count) composite does.
   */
  extremumBackward(x: TypedArray, r: TypedArray, g: TypedArray, rStrides: readonly number[], shape: readonly number[], out: TypedArray): void;
  /** Index of the max (or min) along the middle axis; first occurrence wins. */
  argReduce(op: 'max' | 'min', x: TypedArray, outer: number, n: number, inner: number, out: Int32Array): void;
  /**
   * For windows along the middle axis of x [outer, n, inner] (window w: starts[w], starts[w] + step,
   * ... below ends[w], never empty), the position along the axis of the element a max reduction
   * picks, into out [outer, windows, inner], as PyTorch's CPU kernels pick it: rule 'pool' (max
   * pooling) takes the first of tied maxima and the last NaN; rule 'bag' (embedding_bag's max) takes
   * the first element, then only strictly greater ones.
   */
  windowArgmax(x: TypedArray, outer: number, n: number, inner: number, starts: Int32Array, ends: Int32Array, step: number, rule: WindowRule, out: Int32Array): void;
  /**
   * Variance (standard deviation when sqrt) of each row of x [outer, n] with Bessel's correction,
   * as PyTorch's CPU kernels compute it in double precision: one row (a full reduction) in two
   * passes around the mean summed in PyTorch's order, several rows by Welford's algorithm; divided
   * by n - correction, or by 0 where that is not positive; NaN for an empty row. `mean` receives each
   * row's mean as PyTorch's mean() computes it (its summation order, in x's precision).
   */
  variance(x: TypedArray, outer: number, n: number, correction: number, sqrt: boolean, out: TypedArray, mean: TypedArray): void;
  /**
   * Inclusive running sum, product or log-sum-exp along the middle axis of [outer, n, inner] into
   * out of the same shape, accumulated in double precision; from the last element when reverse.
   * logsumexp combines as PyTorch's logcumsumexp does (NaN propagates, ±∞ handled exactly).
   */
  scan(op: ScanOp, x: TypedArray, outer: number, n: number, inner: number, out: TypedArray, reverse: boolean): void;
  /**
   * Sorts along the middle axis of [outer, n, inner] into values (x's type) and indices (positions
   * along the axis). NaN sorts as the largest value. stable keeps tied elements in input order;
   * otherwise ties come out in the order of PyTorch's CPU kernel (libstdc++'s std::sort).
   */
  sort(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array, descending: boolean, stable: boolean): void;
  /**
   * The k largest (or smallest) along the middle axis into [outer, k, inner], NaN largest; sorted,
   * or (sorted false) in selection order; ties in the order PyTorch's CPU kernel picks them.
   */
  topk(x: TypedArray, outer: number, n: number, inner: number, k: number, largest: boolean, sorted: boolean, values: TypedArray, indices: Int32Array): void;
  /** The k-th smallest (k from 1, NaN largest) along the middle axis into [outer, inner], ties as PyTorch's quickselect. */
  kthvalue(x: TypedArray, outer: number, n: number, inner: number, k: number, values: TypedArray, indices: Int32Array): void;
  /** The lower median along the middle axis into [outer, inner]: the first NaN if any, else the element of rank ⌊(n-1)/2⌋ (ties by position). */
  median(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array): void;
  /**
   * The most frequent value along the middle axis (the smallest of equally frequent ones; values
   * compared with <, as PyTorch's CPU kernel does) and the position that kernel reports (its last
   * occurrence in slices of up to 16 elements).
   */
  mode(x: TypedArray, outer: number, n: number, inner: number, values: TypedArray, indices: Int32Array): void;
  /** Softmax (or log-softmax when log is true) along the middle axis of [outer, n, inner]. */
  softmax(x: TypedArray, outer: number, n: number, inner: number, out: TypedArray, log: boolean): void;
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: MatmulSpec): void;
  /** Strided batched GEMM (see GemmSpec); a, b and c are float arrays of one dtype. */
  gemm(a: TypedArray, b: TypedArray, c: TypedArray, spec: GemmSpec): void;
  /**
   * One gradient of a 1-d convolution (x [N, Cin, L], weight [Cout, Cin, K], y [N, Cout, Lout], see
   * Conv1dShape) from a sparse output gradient gy, visiting its nonzero entries only: `which` 'input'
   * writes gx [N, Cin, L] from other = weight, 'weight' writes gW [Cout, Cin, K] from other = x, every
   * element of out (the same values a dense product gives, summed in another order). Returns false,
   * out unspecified, when gy has more than maxNonzeros entries that are not zero (NaN counts) or
   * `other` holds ±inf or NaN (a dense product gives 0·inf = NaN where this would skip the term).
   */
  conv1dSparseGrad(which: 'input' | 'weight', gy: TypedArray, other: TypedArray, out: TypedArray, shape: Conv1dShape, maxNonzeros: number): boolean;
  /** out[i] = src[offset + sum_d idx_d * strides[d]] over the index space `shape` (row-major). */
  stridedCopy(src: TypedArray, offset: number, strides: readonly number[], shape: readonly number[], out: TypedArray): void;
  /** dst[offset + sum_d idx_d * strides[d]] += src[i]: the adjoint of stridedCopy (overlaps accumulate). */
  stridedAccumulate(
    src: TypedArray,
    shape: readonly number[],
    dst: TypedArray,
    offset: number,
    strides: readonly number[],
  ): void;
  /** x viewed as [outer, n, inner]; out [outer, idx.length, inner] with out[o, j, i] = x[o, idx[j], i]. */
  indexSelect(x: TypedArray, idx: Int32Array, outer: number, n: number, inner: number, out: TypedArray): void;
  /** Adjoint of indexSelect: out[o, idx[j], i] += g[o, j, i]; out is [outer, n, inner]. */
  indexAdd(g: TypedArray, idx: Int32Array, outer: number, n: number, inner: number, out: TypedArray): void;
  /** torch.gather along the middle axis: x [outer, n, inner], idx/out [outer, m, inner]. */
  gather(x: TypedArray, idx: Int32Array, outer: number, n: number, m: number, inner: number, out: TypedArray): void;
  /** Adjoint of gather: out [outer, n, inner] += src [outer, m, inner] at idx. */
  scatterAdd(src: TypedArray, idx: Int32Array, outer: number, n: number, m: number, inner: number, out: TypedArray): void;
  /**
   * Flat scatter: for j in order, out[idx[j]] = op(out[idx[j]], src[j]) (set: out[idx[j]] = src[j],
   * so the last write wins). amax and amin propagate NaN from either side, as PyTorch's CPU
   * scatter_reduce does. With includeSelf false, each position idx names starts from its first
   * src value instead of what out held. src and out share a type; idx holds valid positions.
   */
  scatterReduce(op: ScatterOp, src: TypedArray, idx: Int32Array, out: TypedArray, includeSelf: boolean): void;
  /**
   * CSR sparse × dense: out = A·B with B [a.cols, n] and out [a.rows, n], or with `transpose`
   * out = Aᵀ·B with B [a.rows, n] and out [a.cols, n]. out is overwritten; b and out are float
   * arrays of one dtype.
   */
  csrMatmul(a: CsrMatrix, b: TypedArray, n: number, out: TypedArray, transpose: boolean): void;
  /**
   * Max pooling: out[p, i, j] = the largest value of window (i, j) of plane p and indices[p, i, j] its
   * position r·W + c in the plane, as PyTorch's CPU kernel picks it: scanning the window row by row,
   * a value replaces the current one when it is larger or NaN (so the first maximum, or the last NaN,
   * wins); a window of -∞ gives -∞ at its first position. Windows are never empty here.
   */
  maxPool2d(x: TypedArray, w: PoolWindows, out: TypedArray, indices: Int32Array): void;
  /**
   * Average pooling: out[p, i, j] = (the sum of window (i, j), in double precision) / (rowDiv[i]·colDiv[j]),
   * 0 for an empty window.
   */
  avgPool2d(x: TypedArray, w: PoolWindows, rowDiv: Float64Array, colDiv: Float64Array, out: TypedArray): void;
  /** The adjoint of avgPool2d: gx[p, window (i, j)] += gy[p, i, j] / (rowDiv[i]·colDiv[j]) (gx is added to). */
  avgPool2dBackward(gy: TypedArray, w: PoolWindows, rowDiv: Float64Array, colDiv: Float64Array, gx: TypedArray): void;
  /**
   * CTC forward: PyTorch's CPU recursion over log-alphas in log space (ctc_loss_cpu_template), each
   * sample's negative log-likelihood into a.nll (an empty input gives 0 for an empty target and ∞
   * otherwise).
   */
  ctcLoss(spec: CtcSpec, a: CtcArgs): void;
  /**
   * CTC backward as PyTorch's CPU kernel: from the log-betas, grad[t, n, c] = (e^lp - e^(log Σ αβ
   * + nll - lp))·gradOut[n] for t below the input length, 0 after it (and 0 for the whole sample with
   * zeroInfinity when its nll is infinite). grad is [T, N, C] and overwritten.
   */
  ctcLossBackward(spec: CtcSpec, a: CtcArgs, gradOut: TypedArray, grad: TypedArray): void;
  /** Converts between dtypes (bool out: x != 0). */
  cast(x: TypedArray, out: TypedArray): void;
  /** A recurrent layer over a whole sequence (see RnnForwardArgs); all float arrays share one dtype. */
  rnnForward(spec: RnnSpec, a: RnnForwardArgs): void;
  /** Backpropagation through time of rnnForward, from its saved values. */
  rnnBackward(spec: RnnSpec, a: RnnBackwardArgs): void;
  /** Scaled dot-product attention (see AttentionSpec); all float arrays share one dtype. */
  attention(spec: AttentionSpec, a: AttentionForwardArgs): void;
  /** The gradients of attention with respect to q, k and v, recomputing the scores from the saved log-sum-exp. */
  attentionBackward(spec: AttentionSpec, a: AttentionBackwardArgs): void;
  /**
   * Optional fused optimizer steps over flat parameter arrays; ops fall back to composed
   * updates when absent. Both update params (and state) in place.
   */
  sgdStep?(p: TypedArray, g: TypedArray, buf: TypedArray | null, o: SgdOptions): void;
  adamStep?(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, o: AdamOptions): void;
}

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** true on the first step, when the momentum buffer is initialised to the gradient */
  firstStep: boolean;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** AdamW: decoupled weight decay */
  decoupled: boolean;
  amsgrad: boolean;
  maximize: boolean;
  step: number;
}

export type { DType, TypedArray };
