import { jsBackend } from '../js/index.js';
import { rnnBackward, rnnForward } from '../js/rnn.js';
import type { Backend } from '../types.js';
import { createWasmAttention, loadAttention } from './attention.js';
import { createWasmElementwise } from './elementwise.js';
import { createWasmMatmul, createWasmStridedGemm } from './matmul.js';
import { type GemmVariant, loadGemm } from './module.js';
import { createWasmPool, loadPool } from './pool.js';
import { type WasmThreadPool, wasmThreadPool } from './threads.js';

const loaded = loadGemm();
const pool = loaded && loadPool();
const attention = loaded && loadAttention();

/**
 * Multiply-adds per product (m·n·k) from which a running thread pool takes it: below, waking the
 * workers costs more than sharing saves.
 */
const THREAD_MIN_WORK = 1 << 21;

function createWasmBackend(exports: NonNullable<typeof loaded>['exports']): Backend {
  const single = { matmul: createWasmMatmul(exports), gemm: createWasmStridedGemm(exports) };
  // the products on the thread pool's shared memory, made when a pool first runs
  let threaded: { pool: WasmThreadPool; matmul: typeof single.matmul; gemm: typeof single.gemm } | null = null;
  const pick = (work: number): typeof single => {
    const p = work >= THREAD_MIN_WORK ? wasmThreadPool() : null;
    if (!p) return single;
    if (threaded?.pool !== p) {
      threaded = { pool: p, matmul: createWasmMatmul(p.exports, undefined, p.gemm), gemm: createWasmStridedGemm(p.exports, undefined, p.gemm) };
    }
    return threaded;
  };
  const matmul: typeof single.matmul = (a, b, out, s) => pick(s.m * s.n * s.k).matmul(a, b, out, s);
  return {
    ...jsBackend,
    name: 'wasm',
    ...createWasmElementwise(exports),
    // 2-d max and average pooling (pool.wat)
    ...(pool ? createWasmPool(pool) : {}),
    // fused scaled dot-product attention (attention.wat)
    ...(attention ? createWasmAttention(attention) : {}),
    matmul,
    // the convolutions' strided products
    gemm: (a, b, c, s) => pick(s.m * s.n * s.k).gemm(a, b, c, s),
    // the fused recurrences' per-step products h·W_hhᵀ and dgh·W_hh, too
    rnnForward: (s, a) => rnnForward(s, a, matmul),
    rnnBackward: (s, a) => rnnBackward(s, a, matmul),
  };
}

/**
 * The WebAssembly backend: the TypeScript kernels, with matrix products of float32 and float64
 * tensors (matmul and the recurrent layers' steps) run by a SIMD GEMM (src/backend/wasm/gemm.wat),
 * about ten times the TypeScript kernel's speed, large float add, sub, mul, div and relu by
 * SIMD loops, 2-d pooling by a second module (src/backend/wasm/pool.wat) and scaled dot-product attention
 * by a third (src/backend/wasm/attention.wat: tiled, online softmax). Null where WebAssembly or its SIMD extension is unavailable.
 * @example import { setBackend, getBackend } from 'chainrule'; setBackend('wasm'); getBackend() // 'wasm'
 */
export const wasmBackend: Backend | null = loaded && createWasmBackend(loaded.exports);

/** Which build of the GEMM the wasm backend runs: relaxed SIMD (fused multiply-add) where the engine has it. */
export const wasmGemmVariant: GemmVariant | null = loaded?.variant ?? null;
