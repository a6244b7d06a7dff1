import { attentionBackward as jsAttentionBackward, attention as jsAttention } from '../js/attention.js';
import { type AttentionMask, type AttentionSpec, type Backend, type TypedArray, attentionThreshold } from '../types.js';
import { Arena } from './arena.js';
import { ATTENTION_WASM_BASE64 } from './attention-bytes.js';
import { decodeBase64 } from './module.js';

/**
 * The arguments forward and backward share, one block of the batch: q, k, v and the mask (address,
 * row and column strides in bytes, kind 0 none / 1 bool / 2 additive), causal, the sizes, the
 * scale, dropout's 1/(1 − p) and threshold, the seed and the dropout index of the block's first score.
 */
type Head = [
  q: number,
  k: number,
  v: number,
  mask: number,
  mrs: number,
  mcs: number,
  kind: number,
  causal: number,
  L: number,
  S: number,
  E: number,
  Ev: number,
  scale: number,
  inv: number,
  thr: number,
  seed: number,
  idx0: bigint,
];
type Forward = (...args: [...Head, out: number, ml: number, kt: number, acc: number, tile: number]) => void;
type Backward = (
  ...args: [
    ...Head,
    dO: number,
    lse: number,
    D: number,
    dq: number,
    dk: number,
    dv: number,
    kt: number,
    vt: number,
    dqa: number,
    dka: number,
    dva: number,
    p: number,
    pf: number,
    ds: number,
  ]
) => void;

/** The exports of attention.wat (byte addresses; one block of the batch per call). */
export interface AttentionExports {
  memory: WebAssembly.Memory;
  forward32: Forward;
  forward64: Forward;
  backward32: Backward;
  backward64: Backward;
}

/**
 * Instantiates attention.wat (SIMD, bulk memory), or null where WebAssembly or those extensions are
 * unavailable, or where the engine refuses to compile it synchronously (the module is about 10 KB:
 * over the 4 KB that Chrome allowed on the main thread before version 114); then the reference runs.
 */
export function loadAttention(): AttentionExports | null {
  const W = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (W === undefined || typeof W.validate !== 'function') return null;
  try {
    const bytes = decodeBase64(ATTENTION_WASM_BASE64);
    if (!W.validate(bytes)) return null;
    return new W.Instance(new W.Module(bytes), {}).exports as unknown as AttentionExports;
  } catch {
    return null;
  }
}

/**
 * Work (batch·L·S·max(E, Ev) multiply-adds) below which the TypeScript reference runs: staging
 * the arrays and entering the module costs more than it saves. Measured on x64 in Node 20 (forward
 * and backward, float32): 120 runs in 8.5 µs on the reference and 11 µs here, 256 in 10 µs on
 * both, 1024 in 33 against 18 µs, 2¹⁸ in 4.6 ms against 0.33 ms.
 */
export const ATTENTION_MIN_WORK = 256;

/** Queries of a block and keys of a tile in attention.wat. */
const TILE = 64;
/** Bytes the module may read past the end of an operand (a product's last 32-byte chunk). */
const SLACK = 32;

/** Byte offsets of arrays of the given byte sizes, each on a 16-byte boundary with SLACK after it, and the end. */
function layout(sizes: number[]): number[] {
  const at: number[] = [];
  let o = 0;
  for (const s of sizes) {
    at.push(o);
    o += Math.ceil((s + SLACK) / 16) * 16;
  }
  at.push(o);
  return at;
}

/** 0 for float32 arrays, 1 for float64, -1 otherwise. */
const kindOf = (a: TypedArray): 0 | 1 | -1 => (a instanceof Float64Array ? 1 : a instanceof Float32Array ? 0 : -1);

/**
 * Whether every block's mask reads stay inside its array (else the reference runs, which reads
 * what it reads).
 */
function maskInBounds(s: AttentionSpec, m: AttentionMask): boolean {
  if (m.offsets.length < s.batch) return false;
  const last = (s.L - 1) * m.rowStride + (s.S - 1) * m.colStride;
  if (m.rowStride < 0 || m.colStride < 0) return false;
  for (let b = 0; b < s.batch; b++) if (m.offsets[b] < 0 || m.offsets[b] + last >= m.data.length) return false;
  return true;
}

type AttentionKernels = Pick<Backend, 'attention' | 'attentionBackward'>;

/**
 * The attention kernels of the wasm backend: the operands (and the mask) are copied into the
 * module's memory, attention.wat runs each block of the batch, and the results are copied out;
 * the rows' log-sum-exp is formed here from the module's running maximum and sum. Small problems,
 * mixed float types, masks of another type and memory that cannot grow run on the TypeScript
 * reference instead. Results equal the reference's within float rounding; the dropout mask is the
 * same bit for bit.
 */
export function createWasmAttention(mod: AttentionExports, minWork = ATTENTION_MIN_WORK): AttentionKernels {
  const arena = new Arena(mod.memory);
  let u8 = new Uint8Array(mod.memory.buffer);
  const bytes = (): Uint8Array => {
    if (u8.buffer !== mod.memory.buffer) u8 = new Uint8Array(mod.memory.buffer);
    return u8;
  };

  /** The float type of the call (0 f32, 1 f64), or -1 when the reference must run. */
  function usable(s: AttentionSpec, arrays: TypedArray[], mask: AttentionMask | null): 0 | 1 | -1 {
    const { batch, L, S, E, Ev } = s;
    if (batch * L * S * E * Ev === 0 || batch * L * S * Math.max(E, Ev) < minWork) return -1;
    const f = kindOf(arrays[0]);
    if (f < 0 || arrays.some((a) => kindOf(a) !== f)) return -1;
    if (mask) {
      if (s.mask === 'bool' ? !(mask.data instanceof Uint8Array) : kindOf(mask.data) !== f) return -1;
      if (!maskInBounds(s, mask)) return -1;
    }
    if ((s.mask === 'none') !== (mask === null)) return -1;
    return f;
  }

  /** Copies the mask's data to byte address at; returns its byte size per element. */
  function stageMask(mask: AttentionMask | null, at: number, es: number): number {
    if (!mask) return 1;
    if (mask.data instanceof Uint8Array) {
      bytes().set(mask.data, at);
      return 1;
    }
    (es === 8 ? arena.f64 : arena.f32).set(mask.data, at / es);
    return es;
  }

  /**
   * The shared leading arguments of block b, for q, k, v and the mask staged at qAt, kAt, vAt, mAt
   * (mes: the mask's element size).
   */
  function head(s: AttentionSpec, mask: AttentionMask | null, b: number, qAt: number, kAt: number, vAt: number, mAt: number, mes: number, es: number): Head {
    const { L, S, E, Ev } = s;
    const kind = s.mask === 'bool' ? 1 : s.mask === 'add' ? 2 : 0;
    const inv = s.dropoutP > 0 ? 1 / (1 - s.dropoutP) : 1;
    const thr = s.dropoutP > 0 ? attentionThreshold(s.dropoutP) | 0 : 0;
    return [
      qAt + b * L * E * es,
      kAt + b * S * E * es,
      vAt + b * S * Ev * es,
      mask ? mAt + mask.offsets[b] * mes : 0,
      mask ? mask.rowStride * mes : 0,
      mask ? mask.colStride * mes : 0,
      kind,
      s.causal ? 1 : 0,
      L,
      S,
      E,
      Ev,
      s.scale,
      inv,
      thr,
      s.seed | 0,
      BigInt(b * L * S),
    ];
  }

  return {
    attention(s, a) {
      const f = usable(s, [a.q, a.k, a.v, a.out, a.lse], a.mask);
      const { batch, L, S, E, Ev } = s;
      const es = f === 1 ? 8 : 4;
      const tiles = Math.ceil(S / TILE);
      const ldAcc = Math.ceil((Ev * es) / 32) * 32;
      const at =
        f < 0
          ? []
          : layout([
              a.q.length * es,
              a.k.length * es,
              a.v.length * es,
              a.mask ? a.mask.data.length * (a.mask.data instanceof Uint8Array ? 1 : es) : 0,
              a.out.length * es,
              batch * 2 * L * 8,
              tiles * TILE * E * es,
              TILE * ldAcc,
              TILE * TILE * es,
            ]);
      if (f < 0 || !arena.reserve(at[at.length - 1])) {
        jsAttention(s, a);
        return;
      }
      const [qAt, kAt, vAt, mAt, oAt, mlAt, ktAt, accAt, tileAt] = at;
      const view = f === 1 ? arena.f64 : arena.f32;
      view.set(a.q, qAt / es);
      view.set(a.k, kAt / es);
      view.set(a.v, vAt / es);
      const mes = stageMask(a.mask, mAt, es);
      const run = f === 1 ? mod.forward64 : mod.forward32;
      for (let b = 0; b < batch; b++) {
        run(
          ...head(s, a.mask, b, qAt, kAt, vAt, mAt, mes, es),
          oAt + b * L * Ev * es,
          mlAt + b * 2 * L * 8,
          ktAt,
          accAt,
          tileAt,
        );
      }
      const res = f === 1 ? arena.f64 : arena.f32;
      a.out.set(res.subarray(oAt / es, oAt / es + a.out.length));
      const ml = arena.f64;
      for (let b = 0; b < batch; b++) {
        const base = mlAt / 8 + b * 2 * L;
        for (let i = 0; i < L; i++) {
          const l = ml[base + L + i];
          if (l > 0) {
            a.lse[b * L + i] = ml[base + i] + Math.log(l);
          } else {
            // no key left: NaN, as the reference's 0/0
            a.lse[b * L + i] = Number.NaN;
            a.out.fill(Number.NaN, (b * L + i) * Ev, (b * L + i + 1) * Ev);
          }
        }
      }
    },

    attentionBackward(s, a) {
      const f = usable(s, [a.q, a.k, a.v, a.out, a.lse, a.dOut, a.dq, a.dk, a.dv], a.mask);
      const { batch, L, S, E, Ev } = s;
      const es = f === 1 ? 8 : 4;
      const tiles = Math.ceil(S / TILE);
      const ldE = Math.ceil((E * es) / 32) * 32;
      const ldV = Math.ceil((Ev * es) / 32) * 32;
      const tile = TILE * TILE * es;
      const at =
        f < 0
          ? []
          : layout([
              a.q.length * es,
              a.k.length * es,
              a.v.length * es,
              a.mask ? a.mask.data.length * (a.mask.data instanceof Uint8Array ? 1 : es) : 0,
              a.dOut.length * es,
              batch * L * 8,
              batch * L * 8,
              a.dq.length * es,
              a.dk.length * es,
              a.dv.length * es,
              tiles * TILE * E * es,
              tiles * TILE * Ev * es,
              L * ldE,
              TILE * ldE,
              TILE * ldV,
              tile,
              tile,
              tile,
            ]);
      if (f < 0 || !arena.reserve(at[at.length - 1])) {
        jsAttentionBackward(s, a);
        return;
      }
      const [qAt, kAt, vAt, mAt, dOAt, lseAt, dAt, dqAt, dkAt, dvAt, ktAt, vtAt, dqaAt, dkaAt, dvaAt, pAt, pfAt, dsAt] = at;
      const view = f === 1 ? arena.f64 : arena.f32;
      view.set(a.q, qAt / es);
      view.set(a.k, kAt / es);
      view.set(a.v, vAt / es);
      view.set(a.dOut, dOAt / es);
      const mes = stageMask(a.mask, mAt, es);
      const f64 = arena.f64;
      f64.set(a.lse, lseAt / 8);
      // D_i = dO_i · out_i in double precision
      for (let r = 0, o = 0; r < batch * L; r++) {
        let d = 0;
        for (let e = 0; e < Ev; e++, o++) d += a.dOut[o] * a.out[o];
        f64[dAt / 8 + r] = d;
      }
      const run = f === 1 ? mod.backward64 : mod.backward32;
      for (let b = 0; b < batch; b++) {
        run(
          ...head(s, a.mask, b, qAt, kAt, vAt, mAt, mes, es),
          dOAt + b * L * Ev * es,
          lseAt + b * L * 8,
          dAt + b * L * 8,
          dqAt + b * L * E * es,
          dkAt + b * S * E * es,
          dvAt + b * S * Ev * es,
          ktAt,
          vtAt,
          dqaAt,
          dkaAt,
          dvaAt,
          pAt,
          pfAt,
          dsAt,
        );
      }
      const res = f === 1 ? arena.f64 : arena.f32;
      a.dq.set(res.subarray(dqAt / es, dqAt / es + a.dq.length));
      a.dk.set(res.subarray(dkAt / es, dkAt / es + a.dk.length));
      a.dv.set(res.subarray(dvAt / es, dvAt / es + a.dv.length));
    },
  };
}
