// Scaled dot-product attention (test/ops-attention-table.ts) against PyTorch on every backend:
// js, wasm (where WebAssembly SIMD runs) and native (where the addon loads).
import { describe, it } from 'node:test';
import { nativeAddon } from '../src/backend/native/load.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import { runDoubleBackward, runOpTable, runOpTableFloat32 } from './op-table.js';
import { ATTENTION_TABLE } from './ops-attention-table.js';

for (const [backend, available] of [
  ['js', true],
  ['wasm', wasmBackend !== null],
  ['native', nativeAddon !== null],
] as const) {
  if (!available) {
    describe(`attention on the ${backend} backend`, () => {
      it('skipped: the backend is unavailable here', { skip: true }, () => {});
    });
    continue;
  }
  runOpTable(backend, 1e-12, ATTENTION_TABLE);
  runOpTableFloat32(backend, ATTENTION_TABLE);
  runDoubleBackward(backend, ATTENTION_TABLE);
}
