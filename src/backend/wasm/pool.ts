import { avgPool2d as jsAvgPool2d, avgPool2dBackward as jsAvgPool2dBackward, maxPool2d as jsMaxPool2d } from '../js/pool.js';
import type { Backend, PoolWindows, TypedArray } from '../types.js';
import { Arena } from './arena.js';
import { decodeBase64 } from './module.js';
import { POOL_WASM_BASE64 } from './pool-bytes.js';

type MaxPool = (x: number, out: number, idx: number, rows: number, cols: number, planes: number, H: number, W: number, OH: number, OW: number, rs: number, cs: number) => void;
type AvgPool = (x: number, out: number, rows: number, cols: number, rd: number, cd: number, planes: number, H: number, W: number, OH: number, OW: number, rs: number, cs: number, back: number) => void;

/** The exports of pool.wat (byte addresses), one function per float type. */
export interface PoolExports {
  memory: WebAssembly.Memory;
  maxPool32: MaxPool;
  maxPool64: MaxPool;
  avgPool32: AvgPool;
  avgPool64: AvgPool;
}

/** Instantiates pool.wat (about 1.5 KB, no SIMD), or null where WebAssembly is unavailable or refuses it. */
export function loadPool(): PoolExports | null {
  const W = (globalThis as { WebAssembly?: typeof WebAssembly }).WebAssembly;
  if (W === undefined) return null;
  try {
    return new W.Instance(new W.Module(decodeBase64(POOL_WASM_BASE64)), {}).exports as unknown as PoolExports;
  } catch {
    return null;
  }
}

/** Inputs of fewer values than this stay on the TypeScript kernels (the copies in and out would dominate). */
export const POOL_MIN = 1024;

/**
 * Values per call into the module: a large pooling is cut into calls over groups of planes, so
 * that the engine's optimizing tier, which it compiles while a function runs, takes over for the
 * later calls (V8 does not replace a function that is already running).
 */
const CHUNK = 1 << 16;

type PoolKernels = Pick<Backend, 'maxPool2d' | 'avgPool2d' | 'avgPool2dBackward'>;

/** Byte offsets of one call's arrays in the module's memory, each on a 16-byte boundary. */
function layout(sizes: number[]): number[] {
  const at: number[] = [];
  let o = 0;
  for (const s of sizes) {
    at.push(o);
    o += Math.ceil(s / 16) * 16;
  }
  at.push(o);
  return at;
}

/**
 * The 2-d pooling kernels of the wasm backend: the input is copied into the module's memory with the
 * window tables, pooled there by pool.wat and the result copied out. Results are bitwise those of
 * the TypeScript kernels, which run instead for small inputs, integer data or when the memory
 * cannot grow.
 */
export function createWasmPool(mod: PoolExports, minLen = POOL_MIN): PoolKernels {
  const arena = new Arena(mod.memory);
  let i32 = new Int32Array(mod.memory.buffer);
  const ints = (): Int32Array => {
    if (i32.buffer !== mod.memory.buffer) i32 = new Int32Array(mod.memory.buffer);
    return i32;
  };
  const floatKind = (a: TypedArray): 0 | 1 | -1 => (a instanceof Float64Array ? 1 : a instanceof Float32Array ? 0 : -1);

  function avg(x: TypedArray, w: PoolWindows, rowDiv: Float64Array, colDiv: Float64Array, out: TypedArray, back: boolean): boolean {
    const f64 = floatKind(x);
    if (f64 < 0 || floatKind(out) !== f64 || x.length + out.length < minLen) return false;
    const es = f64 ? 8 : 4;
    const [xAt, oAt, rAt, cAt, rdAt, cdAt, end] = layout([x.length * es, out.length * es, w.rows.length * 4, w.cols.length * 4, rowDiv.length * 8, colDiv.length * 8]);
    if (!arena.reserve(end)) return false;
    const view = f64 ? arena.f64 : arena.f32;
    // back: x is the gradient being added to (gx), out the incoming gradient (gy)
    view.set(x, xAt / es);
    if (back) view.set(out, oAt / es);
    const mem = ints();
    mem.set(w.rows, rAt / 4);
    mem.set(w.cols, cAt / 4);
    arena.f64.set(rowDiv, rdAt / 8);
    arena.f64.set(colDiv, cdAt / 8);
    const fn = f64 ? mod.avgPool64 : mod.avgPool32;
    const per = Math.max(1, Math.floor(CHUNK / Math.max(1, w.H * w.W)));
    for (let p = 0; p < w.planes; p += per) {
      const q = Math.min(per, w.planes - p);
      fn(xAt + p * w.H * w.W * es, oAt + p * w.OH * w.OW * es, rAt, cAt, rdAt, cdAt, q, w.H, w.W, w.OH, w.OW, w.rowStep, w.colStep, back ? 1 : 0);
    }
    const res = f64 ? arena.f64 : arena.f32;
    if (back) x.set(res.subarray(xAt / es, xAt / es + x.length));
    else out.set(res.subarray(oAt / es, oAt / es + out.length));
    return true;
  }

  return {
    maxPool2d(x, w, out, indices) {
      const f64 = floatKind(x);
      if (f64 >= 0 && floatKind(out) === f64 && x.length >= minLen) {
        const es = f64 ? 8 : 4;
        const [xAt, oAt, iAt, rAt, cAt, end] = layout([x.length * es, out.length * es, indices.length * 4, w.rows.length * 4, w.cols.length * 4]);
        if (arena.reserve(end)) {
          (f64 ? arena.f64 : arena.f32).set(x, xAt / es);
          const mem = ints();
          mem.set(w.rows, rAt / 4);
          mem.set(w.cols, cAt / 4);
          const fn = f64 ? mod.maxPool64 : mod.maxPool32;
          const per = Math.max(1, Math.floor(CHUNK / Math.max(1, w.H * w.W)));
          for (let p = 0; p < w.planes; p += per) {
            const q = Math.min(per, w.planes - p);
            fn(xAt + p * w.H * w.W * es, oAt + p * w.OH * w.OW * es, iAt + p * w.OH * w.OW * 4, rAt, cAt, q, w.H, w.W, w.OH, w.OW, w.rowStep, w.colStep);
          }
          const res = f64 ? arena.f64 : arena.f32;
          out.set(res.subarray(oAt / es, oAt / es + out.length));
          indices.set(ints().subarray(iAt / 4, iAt / 4 + indices.length));
          return;
        }
      }
      jsMaxPool2d(x, w, out, indices);
    },
    avgPool2d(x, w, rowDiv, colDiv, out) {
      if (!avg(x, w, rowDiv, colDiv, out, false)) jsAvgPool2d(x, w, rowDiv, colDiv, out);
    },
    avgPool2dBackward(gy, w, rowDiv, colDiv, gx) {
      if (!avg(gx, w, rowDiv, colDiv, gy, true)) jsAvgPool2dBackward(gy, w, rowDiv, colDiv, gx);
    },
  };
}
