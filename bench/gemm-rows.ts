// The AVX-512 GEMM's two row tiles, 12 and 8 rows (native/gemm_driver.h, gemm_entry_mr): times float32
// products and a Conv1d with each forced, alternating them rep by rep, and prints GFLOP/s and the median
// of the back-to-back time ratios (8-row / 12-row; below 1: the 8-row tile is faster). Each product
// otherwise takes the tile that pads its m less.
//   node --conditions=source --import tsx bench/gemm-rows.ts [--reps 21]
import { conv1d, matmul, randn, setBackend } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 0) || 21;
if (!nativeAddon) throw new Error('gemm-rows: the native addon is not loaded');
const addon = nativeAddon;
if (addon.info().isa !== 'avx512') {
  console.log(`gemm-rows: the ${addon.info().isa} GEMM has one row tile; nothing to compare`);
  process.exit(0);
}
setBackend('native');
const cases: [string, () => unknown, number][] = [];
const shapes: [number, number, number][] = [
  [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [2048, 2048, 2048], [64, 384, 128], [64, 128, 384], [100, 254, 640], [6400, 384, 128],
];
for (const [m, n, k] of shapes) {
  const a = randn([m, k]);
  const b = randn([k, n]);
  cases.push([`${m}x${n}x${k}`, () => matmul(a, b), 2 * m * n * k]);
}
const x = randn([64, 128, 256]);
const w = randn([100, 128, 5]);
cases.push(['conv1d 64x128x256 * 100x128x5', () => conv1d(x, w), 2 * 64 * 100 * 128 * 5 * 252]);
const med = (v: number[]) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log(`${'product'.padEnd(30)} ${'12-row'.padStart(8)} ${'8-row'.padStart(8)} GFLOP/s   8/12 time`);
for (const [name, f, flop] of cases) {
  const t: Record<number, number[]> = { 12: [], 8: [] };
  for (const mr of [12, 8]) {
    addon.gemmRowTile(mr);
    f();
    f();
  }
  const inner = Math.max(1, Math.round(2e8 / flop));
  for (let r = 0; r < reps; r++) {
    for (const mr of r % 2 ? [12, 8] : [8, 12]) {
      addon.gemmRowTile(mr);
      const t0 = performance.now();
      for (let i = 0; i < inner; i++) f();
      t[mr].push((performance.now() - t0) / inner);
    }
  }
  const ratio = med(t[8].map((v, i) => v / t[12][i]));
  console.log(`${name.padEnd(30)} ${(flop / med(t[12]) / 1e6).toFixed(1).padStart(8)} ${(flop / med(t[8]) / 1e6).toFixed(1).padStart(8)}           ${ratio.toFixed(3)}`);
}
addon.gemmRowTile(0);
