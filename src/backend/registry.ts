import { nativeSetup } from '#native-loader';
import { ChainruleError } from '../errors.js';
import { useStorageSource } from '../tensor/dtype.js';
import { jsBackend } from './js/index.js';
import type { Backend } from './types.js';
import { wasmBackend } from './wasm/index.js';

// The backends, chosen on first use: 'native' where the addon loads (Node), else 'wasm' wherever
// WebAssembly SIMD runs, else 'js'; CHAINRULE_BACKEND=js|wasm|native overrides.
const backends = new Map<string, Backend>([['js', jsBackend]]);
if (wasmBackend) backends.set('wasm', wasmBackend);
let active: Backend | null = null;

// tensor storage comes from the active backend's pool where it has one
function activate(b: Backend): void {
  active = b;
  useStorageSource(b.storage ?? null);
}

function init(): Backend {
  const n = nativeSetup();
  if (n.backend) backends.set('native', n.backend);
  const want = n.requested;
  // asking for a portable backend keeps it active even where the addon loads (and stays listed)
  const portable = want === 'js' || want === 'wasm';
  let chosen = n.backend ?? wasmBackend ?? jsBackend;
  if (portable) {
    const b = backends.get(want);
    if (b) chosen = b;
    else n.warn(`CHAINRULE_BACKEND=${want}, but WebAssembly SIMD is unavailable; using the ${chosen.name} backend`);
  } else {
    if (!n.backend && !n.skip) {
      const why = want === 'native' ? 'CHAINRULE_BACKEND=native, but the native addon is unavailable' : 'the native addon is unavailable';
      n.warn(`${why} (${n.loadError}); using the ${chosen.name} backend`);
    }
    if (want !== undefined && want !== '' && want !== 'native') {
      n.warn(`unknown CHAINRULE_BACKEND=${JSON.stringify(want)} (expected js, wasm or native); using the ${chosen.name} backend`);
    }
  }
  activate(chosen);
  return chosen;
}

/** Makes a backend available under its name (tests register variants of the built-in ones). */
export function registerBackend(b: Backend): void {
  if (!active) init();
  backends.set(b.name, b);
}

/**
 * Selects the backend that runs every kernel from now on: 'js' (the reference), 'wasm' or
 * 'native' (see listBackends). Results agree across backends to rounding.
 * @example
 * setBackend('js');
 * getBackend(); // 'js'
 */
export function setBackend(name: string): void {
  if (!active) init();
  const b = backends.get(name);
  if (!b) {
    throw new ChainruleError(`setBackend: no backend named ${JSON.stringify(name)} (available: ${[...backends.keys()].join(', ')})`);
  }
  activate(b);
}

/**
 * The name of the backend in use: 'js', 'wasm' or 'native' (the fastest available one until
 * setBackend picks another).
 * @example listBackends().includes(getBackend()) // true
 */
export function getBackend(): string {
  return (active ?? init()).name;
}

/**
 * The names of the registered backends: 'js' always, 'wasm' where WebAssembly SIMD runs, 'native'
 * in Node when the addon is built.
 * @example listBackends().includes('js') // true
 */
export function listBackends(): string[] {
  if (!active) init();
  return [...backends.keys()];
}

/** The active kernel table; only ops call this. */
export function kernels(): Backend {
  return active ?? init();
}
