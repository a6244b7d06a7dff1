import { jsBackend } from '../js/index.js';
import type { Backend } from '../types.js';
import { createWasmMatmul } from './matmul.js';
import { loadGemm } from './module.js';

/**
 * The WebAssembly backend: the TypeScript kernels, with matrix products of float32 and float64
 * tensors run by a SIMD128 GEMM (src/backend/wasm/gemm.wat) — about ten times the TypeScript
 * kernel's speed. Null where WebAssembly or its SIMD extension is unavailable.
 * @example import { setBackend, getBackend } from 'chainrule'; setBackend('wasm'); getBackend() // 'wasm'
 */
export const wasmBackend: Backend | null = createWasmBackend();

function createWasmBackend(): Backend | null {
  const mod = loadGemm();
  if (mod === null) return null;
  return { ...jsBackend, name: 'wasm', matmul: createWasmMatmul(mod) };
}
