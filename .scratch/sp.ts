import { nativeAddon } from '../src/backend/native/load.js';
import { createNativeBackend } from '../src/backend/native/backend.js';
const be = createNativeBackend(nativeAddon!, { smallCutoff: -1 });
const N = 64, Cin = 128, L = 256, Cout = 100;
for (const K of [3, 4, 5]) {
  const Lout = L - K + 1;
  const s = { N, Cin, L, Cout, K, Lout, stride: 1, dilation: 1 };
  const gy = new Float32Array(N * Cout * Lout);
  for (let r = 0; r < N * Cout; r++) gy[r * Lout + ((r * 37) % Lout)] = 1.5;
  const x = new Float32Array(N * Cin * L).map(() => Math.random());
  const w = new Float32Array(Cout * Cin * K).map(() => Math.random());
  const gx = new Float32Array(N * Cin * L);
  const gw = new Float32Array(Cout * Cin * K);
  for (const which of ['input', 'weight'] as const) {
    const reps = 50; be.conv1dSparseGrad(which, gy, which === 'input' ? w : x, which === 'input' ? gx : gw, s, gy.length / 32);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) be.conv1dSparseGrad(which, gy, which === 'input' ? w : x, which === 'input' ? gx : gw, s, gy.length / 32);
    console.log(K, which, (Number(process.hrtime.bigint() - t0) / 1e6 / reps).toFixed(3), 'ms');
  }
}
