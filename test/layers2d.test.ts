// The 2-d layers against PyTorch (scripts/fixtures/layers2d.py) on every backend: js, wasm (where
// WebAssembly SIMD runs) and native (where the addon loads): values, indices, gradients, float64
// gradcheck, double backward and float32 forward of the op table's cases.
import { describe, it } from 'node:test';
import { nativeAddon } from '../src/backend/native/load.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { LAYERS2D_TABLE } from './layers2d-table.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';

for (const [backend, available] of [
  ['js', true],
  ['wasm', wasmBackend !== null],
  ['native', nativeAddon !== null],
] as const) {
  if (!available) {
    describe(`2-d layers on the ${backend} backend`, () => {
      it('skipped: the backend is unavailable here', { skip: true }, () => {});
    });
    continue;
  }
  runOpTable(backend, 1e-12, LAYERS2D_TABLE);
  runOpTableFloat32(backend, LAYERS2D_TABLE);
  runDoubleBackward(backend, LAYERS2D_TABLE);
}
