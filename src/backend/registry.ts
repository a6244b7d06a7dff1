import { ChainruleError } from '../errors.js';
import { jsBackend } from './js/index.js';
import type { Backend } from './types.js';
import { wasmBackend } from './wasm/index.js';

// 'wasm' (the TypeScript kernels with a SIMD GEMM) is the default wherever WebAssembly SIMD runs;
// in Node the native loader then makes 'native' the default when the addon is built.
const backends = new Map<string, Backend>([['js', jsBackend]]);
if (wasmBackend) backends.set('wasm', wasmBackend);
let active: Backend = wasmBackend ?? jsBackend;

/** Makes a backend available under its name (the native loader calls this). */
export function registerBackend(b: Backend): void {
  backends.set(b.name, b);
}

/**
 * Selects the backend that runs every kernel from now on.
 * @example setBackend('js'); getBackend() // 'js'
 */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) {
    throw new ChainruleError(`setBackend: no backend named ${JSON.stringify(name)} (available: ${[...backends.keys()].join(', ')})`);
  }
  active = b;
}

/** The name of the backend in use. */
export function getBackend(): string {
  return active.name;
}

/**
 * The names of the registered backends: 'js' always, 'wasm' where WebAssembly SIMD runs, 'native'
 * in Node when the addon is built.
 * @example listBackends().includes('js') // true
 */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The active kernel table; only ops call this. */
export function kernels(): Backend {
  return active;
}
