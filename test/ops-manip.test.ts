// The manipulation and indexing table (test/ops-manip-table.ts) against PyTorch on every backend:
// js, wasm (where WebAssembly SIMD runs) and native (where the addon loads).
import { describe, it } from 'node:test';
import { nativeAddon } from '../src/backend/native/load.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';
import { MANIP_TABLE } from './ops-manip-table.js';

for (const [backend, available] of [
  ['js', true],
  ['wasm', wasmBackend !== null],
  ['native', nativeAddon !== null],
] as const) {
  if (!available) {
    describe(`manipulation and indexing ops on the ${backend} backend`, () => {
      it('skipped: the backend is unavailable here', { skip: true }, () => {});
    });
    continue;
  }
  runOpTable(backend, 1e-12, MANIP_TABLE);
  runOpTableFloat32(backend, MANIP_TABLE);
  runDoubleBackward(backend, MANIP_TABLE);
}
