// The reductions and scans table (test/ops-reduce-table.ts) against PyTorch on every backend:
// js, wasm (where WebAssembly SIMD runs) and native (where the addon loads).
import { describe, it } from 'node:test';
import { nativeAddon } from '../src/backend/native/load.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';
import { REDUCE_TABLE } from './ops-reduce-table.js';

for (const [backend, available] of [
  ['js', true],
  ['wasm', wasmBackend !== null],
  ['native', nativeAddon !== null],
] as const) {
  if (!available) {
    describe(`reductions and scans on the ${backend} backend`, () => {
      it('skipped: the backend is unavailable here', { skip: true }, () => {});
    });
    continue;
  }
  runOpTable(backend, 1e-12, REDUCE_TABLE);
  runOpTableFloat32(backend, REDUCE_TABLE);
  runDoubleBackward(backend, REDUCE_TABLE);
}
