import { jsBackend } from '../js/index.js';
import type { Backend } from '../types.js';
import { createWasmMatmul } from './matmul.js';
import { type GemmVariant, loadGemm } from './module.js';

const loaded = loadGemm();

/**
 * The WebAssembly backend: the TypeScript kernels, with matrix products of float32 and float64
 * tensors run by a SIMD GEMM (src/backend/wasm/gemm.wat) — about ten times the TypeScript
 * kernel's speed. Null where WebAssembly or its SIMD extension is unavailable.
 * @example import { setBackend, getBackend } from 'chainrule'; setBackend('wasm'); getBackend() // 'wasm'
 */
export const wasmBackend: Backend | null = loaded && { ...jsBackend, name: 'wasm', matmul: createWasmMatmul(loaded.exports) };

/** Which build of the GEMM the wasm backend runs: relaxed SIMD (fused multiply-add) where the engine has it. */
export const wasmGemmVariant: GemmVariant | null = loaded?.variant ?? null;
