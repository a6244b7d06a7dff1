import { ChainruleError } from '../../errors.js';
import { jsBackend } from '../js/index.js';
import {
  type AdamOptions,
  type AttentionBackwardArgs,
  type AttentionForwardArgs,
  type AttentionMask,
  type AttentionSpec,
  type Backend,
  type Conv1dShape,
  type CtcArgs,
  type CtcSpec,
  type GemmOperand,
  type GemmSpec,
  type PoolWindows,
  RNN_GATES,
  RNN_SAVED,
  type RnnBackwardArgs,
  type RnnForwardArgs,
  type RnnSpec,
  type TypedArray,
} from '../types.js';
import type { NativeAddon } from './addon.js';
import { REDUCE_CODES, SCATTER_CODES, codeTable } from './codes.js';

// The native backend is one table (createNativeBackend below): an entry per Backend method with a
// C kernel, saying when the TypeScript kernel runs instead, what to check before C may touch the
// arrays, and how to call the addon. One compiler, `compile`, turns every entry into its method.

const MAX_RANK = 32;
/**
 * Below this many elements a call into C costs more than the work (~0.3 us per call), so
 * elementwise kernels, copies and reductions run on the TypeScript reference kernels.
 */
const SMALL_DEFAULT = 64;

// Scratch arrays that carry shapes, strides and options into C without allocating per call.
const dims = new Float64Array(1 + 5 * MAX_RANK);
const gemmSpec = new Float64Array(18);
const opts = new Float64Array(10);
const rnnSpec = new Float64Array(5);
const poolSpec = new Float64Array(7);
const RNN_KIND_CODES = { tanh: 0, relu: 1, gru: 2, lstm: 3 } as const;
const attnSpec = new Float64Array(12);
const ATTN_MASK_CODES = { none: 0, bool: 1, add: 2 } as const;

type Method = Exclude<keyof Backend, 'name' | 'storage'>;
type Args<K extends Method> = Parameters<NonNullable<Backend[K]>>;

/**
 * One Backend method with a C kernel. Its arguments are named in `args` (a name ending in ? may be
 * null, and the rules skip it then). The TypeScript kernel runs instead of C when `small` has at
 * most SMALL elements, `rank` has more than MAX_RANK dimensions, the arrays of `same` are not all of
 * the first one's type (with `float`, a float type), an array of `is` is not of its type, or `use`
 * says no. Otherwise the checks run in this order, each throwing a ChainruleError that names the
 * method (and `what`): `len`, `span`, `indices`, `check`; then `call`, and when that returns false
 * the TypeScript kernel runs after all.
 */
interface Kernel<P extends unknown[]> {
  args: string;
  small?: string;
  rank?: string;
  same?: string;
  float?: true;
  is?: Record<string, typeof Uint8Array | typeof Int32Array>;
  use?: (...a: P) => boolean;
  /** array: [its length, what], the length a product like 'outer*n*inner' of numbers, array lengths and shape sizes, or a function */
  len?: Record<string, readonly [string | ((...a: P) => number), string]>;
  /** array: [shape, strides, what, offset]: every element read through the strides from the offset (0 if none) lies in the array */
  span?: Record<string, readonly [string, string, string, string?]>;
  /** [indices, bound]: an Int32Array of values in [0, bound) */
  indices?: readonly [string, string];
  check?: (...a: P) => void;
  /** the addon call; by default the addon function of the method's name with the same arguments */
  call?: (...a: P) => unknown;
  /** the method's result is the call's (false then is an answer, not a request for the TypeScript kernel) */
  returns?: true;
}

/**
 * Compiles a table entry into its method: the rules become one straight-line function per method
 * (its toString() shows it), as a hand-written method would be, so that V8 keeps each method's
 * type feedback apart and inlines the entry's closures. One generic wrapper interpreting the rules
 * at every call, which all methods' argument types meet in, made calls into C 1.3-1.6x slower.
 * The source is made of argument names checked against /^[A-Za-z_]\w*$/ and quoted labels only.
 */
function compile(name: Method, k: Kernel<unknown[]>, addon: NativeAddon, SMALL: number): unknown {
  const params = k.args.split(' ');
  const names = params.map((n) => n.replace(/\?$/, ''));
  const nullable = new Set(params.filter((n) => n.endsWith('?')).map((n) => n.slice(0, -1)));
  const arg = (n: string): string => {
    if (!names.includes(n) || !/^[A-Za-z_]\w*$/.test(n)) throw new Error(`native backend table: ${name} has no argument ${JSON.stringify(n)}`);
    return n;
  };
  const label = (what: string): string => JSON.stringify(what ? `${name} (${what})` : name);
  const same = k.same ? k.same.split(' ').map(arg) : [];
  const len = Object.entries(k.len ?? {});
  const span = Object.entries(k.span ?? {});
  const arrays = new Set([...same, k.small, ...Object.keys(k.is ?? {}), ...len.map((l) => l[0]), ...span.map((s) => s[0]), k.indices?.[0]]);
  const shapes = new Set([k.rank, ...span.flatMap(([, [shape, strides]]) => [shape, strides])]);
  const factor = (n: string): string => (arrays.has(arg(n)) ? `${n}.length` : shapes.has(n) ? `sizeOf(${n})` : n);
  const a = names.join(', ');
  const env: Record<string, unknown> = { SMALL, addon, jsBackend, sameKind, isFloatArray, sizeOf, checkLen, checkSpan, checkIndices, use: k.use, check: k.check, call: k.call };

  const fallback: string[] = [];
  if (k.small) fallback.push(`${arg(k.small)}.length <= SMALL`);
  if (k.rank) fallback.push(`${arg(k.rank)}.length > ${MAX_RANK}`);
  if (k.float) fallback.push(`!isFloatArray(${same[0]})`);
  for (const n of same.slice(1)) fallback.push(nullable.has(n) ? `(${n} && !sameKind(${same[0]}, ${n}))` : `!sameKind(${same[0]}, ${n})`);
  for (const [n, type] of Object.entries(k.is ?? {})) fallback.push(`!(${arg(n)} instanceof ${type.name})`);
  if (k.use) fallback.push(`!use(${a})`);
  const body: string[] = [];
  if (fallback.length) body.push(`if (${fallback.join(' || ')}) return jsBackend.${name}(${a});`);
  len.forEach(([n, [size, what]], i) => {
    let expr = `size${i}(${a})`;
    if (typeof size === 'string') expr = size.split('*').map(factor).join(' * ');
    else env[`size${i}`] = size;
    body.push(`${nullable.has(n) ? `if (${n}) ` : ''}checkLen(${label(what)}, ${arg(n)}, ${expr});`);
  });
  for (const [n, [shape, strides, what, offset]] of span) {
    body.push(`checkSpan(${label(what)}, ${arg(n)}.length, ${offset ? arg(offset) : 0}, ${arg(shape)}, ${arg(strides)});`);
  }
  if (k.indices) body.push(`checkIndices(${label('')}, ${arg(k.indices[0])}, ${arg(k.indices[1])});`);
  if (k.check) body.push(`check(${a});`);
  const invoke = `${k.call ? 'call' : `addon.${name}`}(${a})`;
  body.push(k.returns ? `return ${invoke};` : `if (${invoke} === false) jsBackend.${name}(${a});`);
  const source = `return function ${name}(${a}) {\n  ${body.join('\n  ')}\n};`;
  return new Function(...Object.keys(env), source)(...Object.values(env));
}

const sameKind = (a: TypedArray, b: TypedArray): boolean => a.constructor === b.constructor;
const isFloatArray = (a: TypedArray): boolean => a instanceof Float32Array || a instanceof Float64Array;

function fail(what: string): never {
  throw new ChainruleError(`native backend: ${what}`);
}

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkLen(what: string, a: TypedArray, n: number): void {
  if (a.length !== n) fail(`${what}: array of ${a.length} elements where ${n} are needed`);
}

/** Throws unless every element read through `strides` over `shape` from `offset` lies in [0, length). */
function checkSpan(what: string, length: number, offset: number, shape: readonly number[], strides: readonly number[]): void {
  if (strides.length !== shape.length) fail(`${what}: ${strides.length} strides for rank ${shape.length}`);
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d];
    if (n === 0) return;
    const s = strides[d];
    if (!Number.isInteger(s) || !Number.isInteger(n) || n < 0) fail(`${what}: bad shape or strides`);
    if (s > 0) hi += (n - 1) * s;
    else lo += (n - 1) * s;
  }
  if (lo < 0 || hi >= length) fail(`${what}: strided access [${lo}, ${hi}] outside an array of ${length}`);
}

/** The sizes of a conv1d are positive integers and Lout is the length the window sweep gives (so every window lies in x). */
function checkConv1dShape(s: Conv1dShape): void {
  const { N, Cin, L, Cout, K, Lout, stride, dilation } = s;
  for (const v of [N, Cin, L, Cout, K, Lout, stride, dilation]) if (!Number.isInteger(v) || v < 0) fail(`conv1dSparseGrad: bad shape ${JSON.stringify(s)}`);
  if (stride < 1 || dilation < 1 || (Lout > 0 && (Lout - 1) * stride + (K - 1) * dilation >= L)) fail(`conv1dSparseGrad: windows outside the input in ${JSON.stringify(s)}`);
}

function checkIndices(what: string, idx: Int32Array, n: number): void {
  if (!(idx instanceof Int32Array)) fail(`${what}: indices must be an Int32Array`);
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= n) fail(`${what}: index ${v} out of range for size ${n}`);
  }
}

/** Writes rank, the shape and then each vector into the shared dims buffer. */
function packDims(shape: readonly number[], v0: readonly number[], v1?: readonly number[], v2?: readonly number[]): Float64Array {
  const r = shape.length;
  dims[0] = r;
  for (let d = 0; d < r; d++) dims[1 + d] = shape[d];
  for (let d = 0; d < r; d++) dims[1 + r + d] = v0[d];
  if (v1) for (let d = 0; d < r; d++) dims[1 + 2 * r + d] = v1[d];
  if (v2) for (let d = 0; d < r; d++) dims[1 + 3 * r + d] = v2[d];
  return dims;
}

/** [lo, hi] of i·stride over i < n (n >= 1), or of the first n entries of a table replacing the stride. */
function dimRange(what: string, n: number, stride: number, table: Int32Array | undefined): [number, number] {
  if (table) {
    if (!(table instanceof Int32Array) || table.length < n) fail(`${what}: an offset table needs ${n} Int32Array entries`);
    let lo = table[0];
    let hi = table[0];
    for (let i = 1; i < n; i++) {
      lo = Math.min(lo, table[i]);
      hi = Math.max(hi, table[i]);
    }
    return [lo, hi];
  }
  if (!Number.isInteger(stride)) fail(`${what}: stride ${stride} is not an integer`);
  return stride >= 0 ? [0, (n - 1) * stride] : [(n - 1) * stride, 0];
}

/** Checks that every element of one strided GEMM operand ([batch, rows, cols] matrices) lies inside its array. */
function checkOperand(what: string, arr: TypedArray, o: GemmOperand, batch: number, rows: number, cols: number): void {
  const w = `gemm (${what})`;
  if (!Number.isInteger(o.offset)) fail(`${w}: offset ${o.offset} is not an integer`);
  if (batch > 0 && rows > 0 && cols > 0) {
    const [b0, b1] = dimRange(w, batch, o.batchStride, undefined);
    const [r0, r1] = dimRange(w, rows, o.rowStride, o.rowOffsets);
    const [c0, c1] = dimRange(w, cols, o.colStride, o.colOffsets);
    const lo = o.offset + b0 + r0 + c0;
    const hi = o.offset + b1 + r1 + c1;
    if (lo < 0 || hi >= arr.length) fail(`${w}: strided access [${lo}, ${hi}] outside an array of ${arr.length}`);
  }
}

function checkGemm(a: TypedArray, b: TypedArray, c: TypedArray, s: GemmSpec): void {
  const { batch, m, n, k } = s;
  for (const v of [batch, m, n, k]) if (!Number.isInteger(v) || v < 0) fail(`gemm: bad sizes ${batch}, ${m}, ${n}, ${k}`);
  if (s.c.rowOffsets || s.c.colOffsets) fail('gemm (output): offset tables are for the operands A and B only');
  checkOperand('left operand', a, s.a, batch, m, k);
  checkOperand('right operand', b, s.b, batch, k, n);
  checkOperand('output', c, s.c, s.sumBatch ? 1 : batch, m, n);
}

/** Writes up to ten numbers into the options scratch array (fixed parameters: no array per call). */
function pack(v0: number, v1: number, v2: number, v3: number, v4: number, v5: number, v6: number, v7 = 0, v8 = 0, v9 = 0): Float64Array {
  opts[0] = v0;
  opts[1] = v1;
  opts[2] = v2;
  opts[3] = v3;
  opts[4] = v4;
  opts[5] = v5;
  opts[6] = v6;
  opts[7] = v7;
  opts[8] = v8;
  opts[9] = v9;
  return opts;
}

function packAdam(o: AdamOptions): Float64Array {
  // bias corrections are computed here with JS's ** so that both backends agree bit for bit
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  return pack(o.lr, o.beta1, o.beta2, o.eps, o.weightDecay, o.lr / bc1, Math.sqrt(bc2), o.decoupled ? 1 : 0, o.amsgrad ? 1 : 0, o.maximize ? 1 : 0);
}

function packGemm(s: GemmSpec): Float64Array {
  gemmSpec[0] = s.batch;
  gemmSpec[1] = s.m;
  gemmSpec[2] = s.n;
  gemmSpec[3] = s.k;
  gemmSpec[4] = s.accumulate ? 1 : 0;
  gemmSpec[5] = s.sumBatch ? 1 : 0;
  packOperand(s.a, s.batch, 6);
  packOperand(s.b, s.batch, 10);
  packOperand(s.c, s.sumBatch ? 1 : s.batch, 14);
  return gemmSpec;
}

function packOperand(o: GemmOperand, batch: number, at: number): void {
  gemmSpec[at] = o.offset;
  gemmSpec[at + 1] = batch > 1 ? o.batchStride : 0;
  gemmSpec[at + 2] = o.rowOffsets ? 0 : o.rowStride;
  gemmSpec[at + 3] = o.colOffsets ? 0 : o.colStride;
}

/**
 * Checks a pooling call's windows (every window inside its plane, steps >= 1) and the lengths of
 * its arrays, and fills poolSpec.
 */
function checkPool(what: string, w: PoolWindows, input: TypedArray, output: TypedArray, divs?: [Float64Array, Float64Array]): Float64Array {
  const { planes, H, W, OH, OW, rows, cols, rowStep, colStep } = w;
  for (const v of [planes, H, W, OH, OW]) if (!Number.isInteger(v) || v < 0) fail(`${what}: bad sizes`);
  if (!Number.isInteger(rowStep) || !Number.isInteger(colStep) || rowStep < 1 || colStep < 1) fail(`${what}: window steps must be integers >= 1`);
  const spans = (t: Int32Array, n: number, L: number, dim: string): void => {
    if (!(t instanceof Int32Array) || t.length !== 2 * n) fail(`${what}: the ${dim} windows must be an Int32Array of ${2 * n} entries`);
    for (let i = 0; i < 2 * n; i += 2) if (t[i] < 0 || t[i + 1] > L) fail(`${what}: ${dim} window ${i / 2} [${t[i]}, ${t[i + 1]}) lies outside 0..${L}`);
  };
  spans(rows, OH, H, 'row');
  spans(cols, OW, W, 'column');
  checkLen(`${what} (input)`, input, planes * H * W);
  checkLen(`${what} (output)`, output, planes * OH * OW);
  if (divs) {
    if (!(divs[0] instanceof Float64Array) || !(divs[1] instanceof Float64Array)) fail(`${what}: divisors must be Float64Arrays`);
    checkLen(`${what} (row divisors)`, divs[0], OH);
    checkLen(`${what} (column divisors)`, divs[1], OW);
  }
  poolSpec[0] = planes;
  poolSpec[1] = H;
  poolSpec[2] = W;
  poolSpec[3] = OH;
  poolSpec[4] = OW;
  poolSpec[5] = rowStep;
  poolSpec[6] = colStep;
  return poolSpec;
}

/**
 * Checks every array of a fused recurrent call (length, and one float type for all) and fills
 * rnnSpec; false when the arrays are of mixed types (the TypeScript kernel runs instead).
 */
function rnnArrays(s: RnnSpec, arrays: [string, TypedArray | null, number][], mask: Uint8Array | null): boolean {
  const { T, B, H } = s;
  for (const v of [T, B, H]) if (!Number.isInteger(v) || v < 0) fail(`rnn: bad sizes T=${T} B=${B} H=${H}`);
  const first = arrays[0][1] as TypedArray;
  if (!isFloatArray(first)) return false;
  for (const [what, arr, n] of arrays) {
    if (!arr) continue;
    if (!sameKind(first, arr)) return false;
    checkLen(`rnn (${what})`, arr, n);
  }
  if (mask) {
    if (!(mask instanceof Uint8Array)) fail('rnn: the mask must be a Uint8Array');
    checkLen('rnn (mask)', mask, T * B);
  }
  rnnSpec[0] = RNN_KIND_CODES[s.kind];
  rnnSpec[1] = T;
  rnnSpec[2] = B;
  rnnSpec[3] = H;
  rnnSpec[4] = s.reverse ? 1 : 0;
  return true;
}

function rnnForwardArrays(s: RnnSpec, a: RnnForwardArgs): boolean {
  const { T, B, H } = s;
  const G = RNN_GATES[s.kind] * H;
  const lstm = s.kind === 'lstm';
  if (lstm !== (a.c0 !== null) || lstm !== (a.cN !== null)) fail('rnnForward: the cell state is needed for (and only for) LSTM');
  return rnnArrays(
    s,
    [
      ['gates of the input', a.gx, T * B * G],
      ['initial state', a.h0, B * H],
      ['initial cell state', a.c0, B * H],
      ['hidden weights', a.whh, G * H],
      ['hidden bias', a.bhh, G],
      ['output', a.out, T * B * H],
      ['final state', a.hN, B * H],
      ['final cell state', a.cN, B * H],
      ['saved states', a.hPrev, T * B * H],
      ['saved gates', a.saved, T * B * RNN_SAVED[s.kind] * H],
    ],
    a.mask,
  );
}

function rnnBackwardArrays(s: RnnSpec, a: RnnBackwardArgs): boolean {
  const { T, B, H } = s;
  const G = RNN_GATES[s.kind] * H;
  const lstm = s.kind === 'lstm';
  if (lstm !== (a.dc0 !== null)) fail('rnnBackward: the cell state gradient is needed for (and only for) LSTM');
  if ((s.kind === 'gru') !== (a.dgh !== null)) fail('rnnBackward: the hidden gate gradient is needed for (and only for) GRU');
  return rnnArrays(
    s,
    [
      ['hidden weights', a.whh, G * H],
      ['saved states', a.hPrev, T * B * H],
      ['saved gates', a.saved, T * B * RNN_SAVED[s.kind] * H],
      ['output gradient', a.dOut, T * B * H],
      ['final state gradient', a.dhN, B * H],
      ['final cell state gradient', lstm ? a.dcN : null, B * H],
      ['input gate gradient', a.dgx, T * B * G],
      ['hidden gate gradient', a.dgh, T * B * G],
      ['initial state gradient', a.dh0, B * H],
      ['initial cell state gradient', a.dc0, B * H],
    ],
    a.mask,
  );
}

const ctcSpec = new Float64Array(6);

/**
 * Checks every array of a CTC call (lengths, one float type, every target, offset and length in
 * bounds, so C reads nothing outside them) and fills ctcSpec; false for mixed float types (the
 * TypeScript kernel runs instead).
 */
function ctcArrays(s: CtcSpec, a: CtcArgs, more: [string, TypedArray, number][]): boolean {
  const { T, N, C, maxTargetLength: L, blank } = s;
  for (const v of [T, N, C, L]) if (!Number.isInteger(v) || v < 0) fail(`ctcLoss: bad sizes T=${T} N=${N} C=${C} maxTargetLength=${L}`);
  if (!Number.isInteger(blank) || blank < 0 || blank >= C) fail(`ctcLoss: blank ${blank} is not a class of ${C}`);
  if (!isFloatArray(a.logProbs)) return false;
  for (const [, arr] of more) if (!sameKind(a.logProbs, arr)) return false;
  if (!sameKind(a.logProbs, a.nll)) return false;
  checkLen('ctcLoss (log-probabilities)', a.logProbs, T * N * C);
  checkLen('ctcLoss (losses)', a.nll, N);
  if (!(a.logAlpha instanceof Float64Array)) fail('ctcLoss: logAlpha must be a Float64Array');
  checkLen('ctcLoss (log-alphas)', a.logAlpha, N * T * (2 * L + 1));
  for (const [what, arr, n] of more) checkLen(`ctcLoss (${what})`, arr, n);
  for (const [what, arr] of [['targets', a.targets], ['offsets', a.offsets], ['input lengths', a.inputLengths], ['target lengths', a.targetLengths]] as const) {
    if (!(arr instanceof Int32Array)) fail(`ctcLoss: ${what} must be an Int32Array`);
  }
  checkLen('ctcLoss (offsets)', a.offsets, N);
  checkLen('ctcLoss (input lengths)', a.inputLengths, N);
  checkLen('ctcLoss (target lengths)', a.targetLengths, N);
  for (let n = 0; n < N; n++) {
    const il = a.inputLengths[n];
    const tl = a.targetLengths[n];
    const off = a.offsets[n];
    if (il < 0 || il > T || tl < 0 || tl > L || off < 0 || off + tl > a.targets.length) fail(`ctcLoss: sample ${n} (input length ${il}, target length ${tl}, offset ${off}) is out of bounds`);
    for (let k = 0; k < tl; k++) if (a.targets[off + k] < 0 || a.targets[off + k] >= C) fail(`ctcLoss: target ${a.targets[off + k]} of sample ${n} is not a class of ${C}`);
  }
  ctcSpec[0] = T;
  ctcSpec[1] = N;
  ctcSpec[2] = C;
  ctcSpec[3] = L;
  ctcSpec[4] = blank;
  ctcSpec[5] = s.zeroInfinity ? 1 : 0;
  return true;
}

/**
 * Checks every array of an attention call (lengths, one float type, the mask read in bounds) and
 * fills attnSpec; false when the arrays are of mixed types or the problem is tiny (the TypeScript
 * kernel runs instead).
 */
function attentionArrays(s: AttentionSpec, arrays: [string, TypedArray, number][], mask: AttentionMask | null, small: number): boolean {
  const { batch, L, S, E, Ev } = s;
  for (const v of [batch, L, S, E, Ev]) if (!Number.isInteger(v) || v < 0) fail(`attention: bad sizes batch=${batch} L=${L} S=${S} E=${E} Ev=${Ev}`);
  if (!Number.isFinite(s.scale)) fail(`attention: scale ${s.scale} is not finite`);
  if (!(s.dropoutP >= 0 && s.dropoutP < 1) || !Number.isInteger(s.seed) || s.seed < 0 || s.seed >= 2 ** 32) fail(`attention: bad dropout ${s.dropoutP} or seed ${s.seed}`);
  if (!(s.mask in ATTN_MASK_CODES) || (s.mask === 'none') !== (mask === null)) fail(`attention: mask kind ${s.mask} with ${mask ? 'a' : 'no'} mask`);
  if (batch * L * S <= small) return false;
  const first = arrays[0][1];
  if (!isFloatArray(first)) return false;
  for (const [what, arr, n] of arrays) {
    if (!sameKind(first, arr)) return false;
    checkLen(`attention (${what})`, arr, n);
  }
  if (mask) {
    if (s.mask === 'bool' ? !(mask.data instanceof Uint8Array) : !sameKind(first, mask.data)) return false;
    if (!(mask.offsets instanceof Int32Array)) fail('attention: mask offsets must be an Int32Array');
    checkLen('attention (mask offsets)', mask.offsets, batch);
    if (L > 0 && S > 0) for (let b = 0; b < batch; b++) checkSpan('attention (mask)', mask.data.length, mask.offsets[b], [L, S], [mask.rowStride, mask.colStride]);
  }
  attnSpec[0] = batch;
  attnSpec[1] = L;
  attnSpec[2] = S;
  attnSpec[3] = E;
  attnSpec[4] = Ev;
  attnSpec[5] = s.scale;
  attnSpec[6] = s.causal ? 1 : 0;
  attnSpec[7] = ATTN_MASK_CODES[s.mask];
  attnSpec[8] = mask ? mask.rowStride : 0;
  attnSpec[9] = mask ? mask.colStride : 0;
  attnSpec[10] = s.dropoutP;
  attnSpec[11] = s.seed;
  return true;
}

function attentionForwardArrays(s: AttentionSpec, a: AttentionForwardArgs, small: number): boolean {
  const { batch, L, S, E, Ev } = s;
  return attentionArrays(
    s,
    [
      ['query', a.q, batch * L * E],
      ['key', a.k, batch * S * E],
      ['value', a.v, batch * S * Ev],
      ['output', a.out, batch * L * Ev],
      ['log-sum-exp', a.lse, batch * L],
    ],
    a.mask,
    small,
  );
}

function attentionBackwardArrays(s: AttentionSpec, a: AttentionBackwardArgs, small: number): boolean {
  const { batch, L, S, E, Ev } = s;
  return attentionArrays(
    s,
    [
      ['query', a.q, batch * L * E],
      ['key', a.k, batch * S * E],
      ['value', a.v, batch * S * Ev],
      ['output', a.out, batch * L * Ev],
      ['log-sum-exp', a.lse, batch * L],
      ['output gradient', a.dOut, batch * L * Ev],
      ['query gradient', a.dq, batch * L * E],
      ['key gradient', a.dk, batch * S * E],
      ['value gradient', a.dv, batch * S * Ev],
    ],
    a.mask,
    small,
  );
}

/**
 * Wraps the addon as a Backend. Arguments are checked here (lengths, strides, indices) so that C
 * never reads or writes out of bounds; dtype combinations the addon does not implement (mixed
 * operand types) run on the TypeScript kernels instead, as do arrays of at most `smallCutoff`
 * elements (64 by default; tests pass -1 to send everything to C).
 */
export function createNativeBackend(addon: NativeAddon, options: { smallCutoff?: number } = {}): Backend {
  const SMALL = options.smallCutoff ?? SMALL_DEFAULT;
  const names = addon.kernelNames();
  const UNARY = codeTable(names.unary);
  const BINARY = codeTable(names.binary);
  // a method without an entry has no C kernel: the TypeScript one runs
  const table: { [K in Method]?: Kernel<Args<K>> } = {
    unary: {
      args: 'k x out p0 p1',
      small: 'x',
      same: 'x out',
      use: (k) => UNARY.has(k.name),
      len: { out: ['x', ''] },
      call: (k, x, out, p0 = 0, p1 = 0) => addon.unary(UNARY.get(k.name)!, x, out, p0, p1),
    },
    binary: {
      args: 'k a aStrides b bStrides out outShape',
      small: 'out',
      rank: 'outShape',
      same: 'a b',
      use: (k, a, _aStrides, _b, _bStrides, out) => BINARY.has(k.name) && (k.compare ? out instanceof Uint8Array : sameKind(a, out)),
      len: { out: ['outShape', ''] },
      span: { a: ['outShape', 'aStrides', 'left operand'], b: ['outShape', 'bStrides', 'right operand'] },
      call: (k, a, aStrides, b, bStrides, out, outShape) => addon.binary(BINARY.get(k.name)!, a, b, out, packDims(outShape, aStrides, bStrides)),
    },
    where: {
      args: 'cond cStrides a aStrides b bStrides out outShape',
      small: 'out',
      rank: 'outShape',
      same: 'a b out',
      is: { cond: Uint8Array },
      len: { out: ['outShape', ''] },
      span: { cond: ['outShape', 'cStrides', 'condition'], a: ['outShape', 'aStrides', 'first branch'], b: ['outShape', 'bStrides', 'second branch'] },
      call: (cond, cStrides, a, aStrides, b, bStrides, out, outShape) => addon.where(cond, a, b, out, packDims(outShape, cStrides, aStrides, bStrides)),
    },
    reduce: {
      args: 'op x outer n inner out',
      small: 'x',
      same: 'x out',
      use: (op) => REDUCE_CODES.has(op),
      len: { x: ['outer*n*inner', 'input'], out: ['outer*inner', 'output'] },
      call: (op, x, outer, n, inner, out) => addon.reduce(REDUCE_CODES.get(op)!, x, outer, n, inner, out),
    },
    extremumBackward: {
      args: 'x r g rStrides shape out',
      small: 'x',
      rank: 'shape',
      same: 'x r g out',
      float: true,
      len: { x: ['shape', 'input'], out: ['shape', 'output'], g: ['r', 'gradient'] },
      span: { r: ['shape', 'rStrides', 'extrema'] },
      call: (x, r, g, rStrides, shape, out) => addon.extremumBackward(x, r, g, out, packDims(shape, rStrides)),
    },
    argReduce: {
      args: 'op x outer n inner out',
      is: { out: Int32Array },
      len: { x: ['outer*n*inner', 'input'], out: ['outer*inner', 'output'] },
      call: (op, x, outer, n, inner, out) => addon.argReduce(op === 'max', x, outer, n, inner, out),
    },
    softmax: { args: 'x outer n inner out log', small: 'x', same: 'x out', len: { x: ['outer*n*inner', 'input'], out: ['outer*n*inner', 'output'] } },
    matmul: {
      args: 'a b out s',
      same: 'a b out',
      float: true,
      len: { out: [(_a, _b, _out, s) => s.batch * s.m * s.n, 'output'] },
      check: (a, b, _out, { batch, m, n, k, strideA, strideB }) => {
        if (batch > 0 && m * k > 0 && (batch - 1) * strideA + m * k > a.length) fail('matmul: left operand too short');
        if (batch > 0 && k * n > 0 && (batch - 1) * strideB + k * n > b.length) fail('matmul: right operand too short');
      },
      call: (a, b, out, s) => addon.matmul(a, b, out, pack(s.batch, s.m, s.n, s.k, s.transA ? 1 : 0, s.transB ? 1 : 0, s.strideA, s.strideB)),
    },
    gemm: {
      args: 'a b c s',
      same: 'c a b',
      float: true,
      check: checkGemm,
      call: (a, b, c, s) => addon.gemm(a, b, c, packGemm(s), s.a.rowOffsets ?? null, s.a.colOffsets ?? null, s.b.rowOffsets ?? null, s.b.colOffsets ?? null),
    },
    conv1dSparseGrad: {
      args: 'which gy other out s maxNonzeros',
      same: 'gy other out',
      float: true,
      returns: true,
      len: {
        gy: [(_w, _g, _o, _out, s) => s.N * s.Cout * s.Lout, 'gradient'],
        other: [(w, _g, _o, _out, s) => (w === 'input' ? s.Cout * s.Cin * s.K : s.N * s.Cin * s.L), 'weight or input'],
        out: [(w, _g, _o, _out, s) => (w === 'input' ? s.N * s.Cin * s.L : s.Cout * s.Cin * s.K), 'output'],
      },
      check: (_w, _g, _o, _out, s) => checkConv1dShape(s),
      call: (w, gy, other, out, s, maxNonzeros) =>
        addon.conv1dSparseGrad(w === 'input', gy, other, out, pack(s.N, s.Cin, s.L, s.Cout, s.K, s.Lout, s.stride, s.dilation), Math.floor(maxNonzeros)),
    },
    stridedCopy: {
      args: 'src offset strides shape out',
      small: 'out',
      rank: 'shape',
      same: 'src out',
      len: { out: ['shape', ''] },
      span: { src: ['shape', 'strides', '', 'offset'] },
      call: (src, offset, strides, shape, out) => addon.stridedCopy(src, offset, out, packDims(shape, strides)),
    },
    stridedAccumulate: {
      args: 'src shape dst offset strides',
      small: 'src',
      rank: 'shape',
      same: 'src dst',
      len: { src: ['shape', ''] },
      span: { dst: ['shape', 'strides', '', 'offset'] },
      call: (src, shape, dst, offset, strides) => addon.stridedAccumulate(src, dst, offset, packDims(shape, strides)),
    },
    indexSelect: { args: 'x idx outer n inner out', same: 'x out', len: { x: ['outer*n*inner', 'input'], out: ['outer*idx*inner', 'output'] }, indices: ['idx', 'n'] },
    indexAdd: { args: 'g idx outer n inner out', same: 'g out', len: { g: ['outer*idx*inner', 'gradient'], out: ['outer*n*inner', 'output'] }, indices: ['idx', 'n'] },
    gather: {
      args: 'x idx outer n m inner out',
      same: 'x out',
      len: { x: ['outer*n*inner', 'input'], idx: ['outer*m*inner', 'index'], out: ['outer*m*inner', 'output'] },
      indices: ['idx', 'n'],
    },
    scatterAdd: {
      args: 'src idx outer n m inner out',
      same: 'src out',
      len: { src: ['outer*m*inner', 'source'], idx: ['outer*m*inner', 'index'], out: ['outer*n*inner', 'output'] },
      indices: ['idx', 'n'],
    },
    scatterReduce: {
      args: 'op src idx out includeSelf',
      small: 'idx',
      same: 'src out',
      use: (op) => SCATTER_CODES.has(op),
      len: { src: ['idx', 'source'] },
      check: (_op, _src, idx, out) => checkIndices('scatterReduce', idx, out.length),
      call: (op, src, idx, out, includeSelf) => addon.scatterReduce(SCATTER_CODES.get(op)!, src, idx, out, includeSelf),
    },
    cast: { args: 'x out', small: 'x', len: { out: ['x', ''] } },
    maxPool2d: {
      args: 'x w out indices',
      same: 'x out',
      float: true,
      is: { indices: Int32Array },
      len: { indices: ['out', 'indices'] },
      call: (x, w, out, indices) => addon.maxPool2d(x, out, indices, w.rows, w.cols, checkPool('maxPool2d', w, x, out)),
    },
    avgPool2d: {
      args: 'x w rowDiv colDiv out',
      same: 'x out',
      float: true,
      call: (x, w, rowDiv, colDiv, out) => addon.avgPool2d(x, out, w.rows, w.cols, rowDiv, colDiv, checkPool('avgPool2d', w, x, out, [rowDiv, colDiv])),
    },
    avgPool2dBackward: {
      args: 'gy w rowDiv colDiv gx',
      same: 'gy gx',
      float: true,
      call: (gy, w, rowDiv, colDiv, gx) => addon.avgPool2dBackward(gy, gx, w.rows, w.cols, rowDiv, colDiv, checkPool('avgPool2dBackward', w, gx, gy, [rowDiv, colDiv])),
    },
    rnnForward: {
      args: 's a',
      use: rnnForwardArrays,
      call: (_s, a) => addon.rnnForward(rnnSpec, a.gx, a.h0, a.c0, a.whh, a.bhh, a.mask, a.out, a.hN, a.cN, a.hPrev, a.saved),
    },
    rnnBackward: {
      args: 's a',
      use: rnnBackwardArrays,
      call: (s, a) =>
        addon.rnnBackward(rnnSpec, a.whh, a.mask, a.hPrev, a.saved, a.dOut, a.dhN, s.kind === 'lstm' ? a.dcN : null, a.dgx, a.dgh, a.dh0, a.dc0),
    },
    attention: {
      args: 's a',
      use: (s, a) => attentionForwardArrays(s, a, SMALL),
      call: (_s, a) => addon.attention(attnSpec, a.q, a.k, a.v, a.mask?.data ?? null, a.mask?.offsets ?? null, a.out, a.lse),
    },
    attentionBackward: {
      args: 's a',
      use: (s, a) => attentionBackwardArrays(s, a, SMALL),
      call: (_s, a) => addon.attentionBackward(attnSpec, a.q, a.k, a.v, a.mask?.data ?? null, a.mask?.offsets ?? null, a.out, a.lse, a.dOut, a.dq, a.dk, a.dv),
    },
    ctcLoss: {
      args: 's a',
      use: (s, a) => ctcArrays(s, a, []),
      call: (_s, a) => addon.ctcLoss(a.logProbs, a.nll, a.logAlpha, a.targets, a.offsets, a.inputLengths, a.targetLengths, ctcSpec),
    },
    ctcLossBackward: {
      args: 's a gradOut grad',
      use: (s, a, gradOut, grad) =>
        ctcArrays(s, a, [
          ['output gradient', gradOut, s.N],
          ['gradient', grad, s.T * s.N * s.C],
        ]),
      call: (_s, a, gradOut, grad) => addon.ctcLossBackward(a.logProbs, a.nll, a.logAlpha, a.targets, a.offsets, a.inputLengths, a.targetLengths, gradOut, grad, ctcSpec),
    },
    sgdStep: {
      args: 'p g buf? o',
      same: 'p g buf',
      float: true,
      len: { g: ['p', 'gradient'], buf: ['p', 'momentum buffer'] },
      call: (p, g, buf, o) =>
        addon.sgdStep(p, g, buf, pack(o.lr, o.momentum, o.dampening, o.weightDecay, o.nesterov ? 1 : 0, o.maximize ? 1 : 0, o.firstStep ? 1 : 0)),
    },
    adamStep: {
      args: 'p g m v vmax? o',
      same: 'p g m v vmax',
      float: true,
      len: { g: ['p', 'gradient'], m: ['p', 'first moment'], v: ['p', 'second moment'], vmax: ['p', 'max second moment'] },
      call: (p, g, m, v, vmax, o) => addon.adamStep(p, g, m, v, vmax, packAdam(o)),
    },
  };
  const backend: Record<string, unknown> = { ...jsBackend, name: 'native' };
  const storage = addon.storage;
  if (storage) backend.storage = (bytes: number, zero: boolean) => storage(bytes, zero);
  for (const name of Object.keys(table) as Method[]) backend[name] = compile(name, table[name] as Kernel<unknown[]>, addon, SMALL);
  return backend as unknown as Backend;
}
