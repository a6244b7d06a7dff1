// Registers a suite once per backend (js, wasm where WebAssembly SIMD runs, native where the addon
// loads), with a skipped placeholder where a backend is unavailable.
import { describe, it } from 'node:test';
import { nativeAddon } from '../src/backend/native/load.js';
import { wasmBackend } from '../src/backend/wasm/index.js';

export function onEveryBackend(what: string, register: (backend: 'js' | 'wasm' | 'native') => void): void {
  for (const [backend, available] of [
    ['js', true],
    ['wasm', wasmBackend !== null],
    ['native', nativeAddon !== null],
  ] as const) {
    if (available) register(backend);
    else {
      describe(`${what} on the ${backend} backend`, () => {
        it('skipped: the backend is unavailable here', { skip: true }, () => {});
      });
    }
  }
}
