import type { TypedArray } from '../types.js';

/** The functions exported by build/Release/chainrule_native.node (native/addon.cc). */
export interface NativeAddon {
  /** The names of the elementwise kernels' op codes, in code order (native/generated/ops.h). */
  kernelNames(): { unary: string[]; binary: string[] };
  /**
   * An ArrayBuffer of `bytes` over a block of the storage pool (native/storage.cc), zero-filled when
   * `zero`; the block returns to the pool when the buffer is garbage-collected. Absent where the
   * addon was built without V8's headers.
   */
  storage?(bytes: number, zero: boolean): ArrayBuffer;
  /** The pool's counters: class bytes in use and cached, the cache's cap, takes served from each. */
  storageStats(): { liveBytes: number; cachedBytes: number; capBytes: number; reused: number; fresh: number };
  /** Frees the pool's cached blocks. */
  storageTrim(): void;
  /** false when the addon has no C case for this kernel (the TypeScript one runs instead) */
  unary(op: number, x: TypedArray, out: TypedArray, p0: number, p1: number): boolean;
  /** dims = [rank, shape, aStrides, bStrides]; false as for unary */
  binary(op: number, a: TypedArray, b: TypedArray, out: TypedArray, dims: Float64Array): boolean;
  /** dims = [rank, shape, cStrides, aStrides, bStrides] */
  where(cond: Uint8Array, a: TypedArray, b: TypedArray, out: TypedArray, dims: Float64Array): void;
  cast(x: TypedArray, out: TypedArray): void;
  reduce(op: number, x: TypedArray, outer: number, n: number, inner: number, out: TypedArray): void;
  extremumBackward(x: TypedArray, r: TypedArray, g: TypedArray, out: TypedArray, dims: Float64Array): void;
  argReduce(isMax: boolean, x: TypedArray, outer: number, n: number, inner: number, out: Int32Array): void;
  softmax(x: TypedArray, outer: number, n: number, inner: number, out: TypedArray, log: boolean): void;
  /** spec = [batch, m, n, k, transA, transB, strideA, strideB] */
  matmul(a: TypedArray, b: TypedArray, out: TypedArray, spec: Float64Array): void;
  /**
   * spec = [batch, m, n, k, accumulate, sumBatch, then offset, batchStride, rowStride, colStride of a,
   * b and c]; the tables (or null) replace the row and column strides of a and b.
   */
  gemm(
    a: TypedArray,
    b: TypedArray,
    c: TypedArray,
    spec: Float64Array,
    aRows: Int32Array | null,
    aCols: Int32Array | null,
    bRows: Int32Array | null,
    bCols: Int32Array | null,
  ): void;
  /** dims = [rank, shape, strides] */
  stridedCopy(src: TypedArray, offset: number, out: TypedArray, dims: Float64Array): void;
  stridedAccumulate(src: TypedArray, dst: TypedArray, offset: number, dims: Float64Array): void;
  indexSelect(x: TypedArray, idx: Int32Array, outer: number, n: number, inner: number, out: TypedArray): void;
  indexAdd(g: TypedArray, idx: Int32Array, outer: number, n: number, inner: number, out: TypedArray): void;
  /** shape = [N, Cin, L, Cout, K, Lout, stride, dilation]; false when gy is too dense or other not finite */
  conv1dSparseGrad(input: boolean, gy: TypedArray, other: TypedArray, out: TypedArray, shape: Float64Array, maxNonzeros: number): boolean;
  gather(x: TypedArray, idx: Int32Array, outer: number, n: number, m: number, inner: number, out: TypedArray): void;
  scatterAdd(src: TypedArray, idx: Int32Array, outer: number, n: number, m: number, inner: number, out: TypedArray): void;
  /** op: the code of SCATTER_CODES (set, sum, prod, amax, amin) */
  scatterReduce(op: number, src: TypedArray, idx: Int32Array, out: TypedArray, includeSelf: boolean): void;
  /** o = [lr, momentum, dampening, weightDecay, nesterov, maximize, firstStep] */
  sgdStep(p: TypedArray, g: TypedArray, buf: TypedArray | null, o: Float64Array): void;
  /** o = [lr, beta1, beta2, eps, weightDecay, stepSize, bc2sqrt, decoupled, amsgrad, maximize] */
  adamStep(p: TypedArray, g: TypedArray, m: TypedArray, v: TypedArray, vmax: TypedArray | null, o: Float64Array): void;
  /** spec = [planes, H, W, OH, OW, rowStep, colStep]; rows and cols are the windows' [start, end) pairs */
  maxPool2d(x: TypedArray, out: TypedArray, indices: Int32Array, rows: Int32Array, cols: Int32Array, spec: Float64Array): void;
  avgPool2d(x: TypedArray, out: TypedArray, rows: Int32Array, cols: Int32Array, rowDiv: Float64Array, colDiv: Float64Array, spec: Float64Array): void;
  avgPool2dBackward(gy: TypedArray, gx: TypedArray, rows: Int32Array, cols: Int32Array, rowDiv: Float64Array, colDiv: Float64Array, spec: Float64Array): void;
  /** spec = [kind (0 tanh, 1 relu, 2 gru, 3 lstm), T, B, H, reverse] */
  rnnForward(
    spec: Float64Array,
    gx: TypedArray,
    h0: TypedArray,
    c0: TypedArray | null,
    whh: TypedArray,
    bhh: TypedArray | null,
    mask: Uint8Array | null,
    out: TypedArray,
    hN: TypedArray,
    cN: TypedArray | null,
    hPrev: TypedArray,
    saved: TypedArray,
  ): void;
  rnnBackward(
    spec: Float64Array,
    whh: TypedArray,
    mask: Uint8Array | null,
    hPrev: TypedArray,
    saved: TypedArray,
    dOut: TypedArray | null,
    dhN: TypedArray | null,
    dcN: TypedArray | null,
    dgx: TypedArray,
    dgh: TypedArray | null,
    dh0: TypedArray,
    dc0: TypedArray | null,
  ): void;
  /** spec = [batch, L, S, E, Ev, scale, causal, mask kind (0 none, 1 bool, 2 additive), mask row stride, column stride, dropout p, seed] */
  attention(
    spec: Float64Array,
    q: TypedArray,
    k: TypedArray,
    v: TypedArray,
    mask: TypedArray | null,
    offsets: Int32Array | null,
    out: TypedArray,
    lse: TypedArray,
  ): void;
  attentionBackward(
    spec: Float64Array,
    q: TypedArray,
    k: TypedArray,
    v: TypedArray,
    mask: TypedArray | null,
    offsets: Int32Array | null,
    out: TypedArray,
    lse: TypedArray,
    dOut: TypedArray,
    dq: TypedArray,
    dk: TypedArray,
    dv: TypedArray,
  ): void;
  /** spec = [T, N, C, maxTargetLength, blank, zeroInfinity]; logAlpha is a Float64Array [N, T, 2·maxTargetLength + 1] */
  ctcLoss(logProbs: TypedArray, nll: TypedArray, logAlpha: Float64Array, targets: Int32Array, offsets: Int32Array, inputLengths: Int32Array, targetLengths: Int32Array, spec: Float64Array): void;
  ctcLossBackward(
    logProbs: TypedArray,
    nll: TypedArray,
    logAlpha: Float64Array,
    targets: Int32Array,
    offsets: Int32Array,
    inputLengths: Int32Array,
    targetLengths: Int32Array,
    gradOut: TypedArray,
    grad: TypedArray,
    spec: Float64Array,
  ): void;
  info(): {
    isa: string;
    threads: number;
    /** the GEMM cache blocking in use, [mc, kc, nc], for float32 and float64 products */
    blockingF32: [number, number, number];
    blockingF64: [number, number, number];
    /** data cache bytes per core the blocking was scaled to (l3: this core's share), 0 where unknown */
    caches: { l1: number; l2: number; l3: number };
  };
  /** Selects the GEMM instruction set ('avx512' | 'avx2' | 'generic'; null keeps it) and the thread count (0 keeps it). */
  configure(isa: string | null, threads: number): boolean;
  /** Forces the GEMM micro-tile row count where the ISA has two (AVX-512: 12 or 8; 0: each product chooses), for measuring and tests. */
  gemmRowTile(mr: number): void;
  /** Whether a batched GEMM whose entries share A packs it once per thread (true, the default) or once per product, for measuring. */
  gemmReuseA(on: boolean): void;
}
