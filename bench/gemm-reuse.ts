// Packing a shared A once per thread across a batch (GemmArgs::a_reuse in native/gemm.h) against
// packing it for every product: times the Conv1d ops of the text CNN (the weight is A of the forward
// and input-gradient GEMMs, one product per batch entry) and a batched product with one shared matrix,
// alternating the two rep by rep, and prints the medians and the median of the back-to-back ratios.
//   node --conditions=source --import tsx bench/gemm-reuse.ts [--reps 21]
import { conv1d, conv1dInputGrad, conv1dWeightGrad, matmul, randn, setBackend } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 0) || 21;
if (!nativeAddon) throw new Error('gemm-reuse: the native addon is not loaded');
const addon = nativeAddon;
setBackend('native');
const x = randn([64, 128, 256]);
const cases: [string, () => unknown][] = [];
for (const K of [3, 4, 5]) {
  const w = randn([100, 128, K]);
  const gy = randn([64, 100, 257 - K]);
  cases.push([`conv1d K=${K}`, () => conv1d(x, w)]);
  cases.push([`conv1dInputGrad K=${K}`, () => conv1dInputGrad(gy, w, 256)]);
  cases.push([`conv1dWeightGrad K=${K} (no shared A)`, () => conv1dWeightGrad(x, gy, K)]);
}
const a = randn([96, 256]);
const b = randn([32, 256, 192]);
cases.push(['[96,256] x [32,256,192]', () => matmul(a, b)]);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`${'op'.padEnd(36)} ${'reuse'.padStart(9)} ${'repack'.padStart(9)}   reuse/repack`);
for (const [name, f] of cases) {
  for (const on of [true, false]) {
    addon.gemmReuseA(on);
    f();
    f();
  }
  const t = { on: [] as number[], off: [] as number[] };
  for (let r = 0; r < reps; r++) {
    for (const on of r % 2 ? [true, false] : [false, true]) {
      addon.gemmReuseA(on);
      const t0 = performance.now();
      f();
      (on ? t.on : t.off).push(performance.now() - t0);
    }
  }
  const ratio = med(t.on.map((v, i) => v / t.off[i]));
  console.log(`${name.padEnd(36)} ${med(t.on).toFixed(2).padStart(6)} ms ${med(t.off).toFixed(2).padStart(6)} ms   ${ratio.toFixed(3)}`);
}
addon.gemmReuseA(true);
