// GEMM throughput of the native backend through the public API (matmul of two n x n float32 and
// float64 tensors), on 1 thread and on all threads, for every instruction set this CPU runs.
//   node --conditions=source --import tsx bench/native-gemm.ts [sizes...] [--isa avx512|avx2|generic]
// Prints the best of several repetitions after a warm-up, in GFLOP/s (2 n^3 / time).
import { getBackend, matmul, randn } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';

if (!nativeAddon) {
  console.error(`native addon not loaded (backend: ${getBackend()}); build it with npm install`);
  process.exit(1);
}
const addon = nativeAddon;
const args = process.argv.slice(2);
const isaArg = args.indexOf('--isa');
const isas = isaArg >= 0 ? [args[isaArg + 1]] : ['avx512', 'avx2', 'generic'].filter((i) => addon.configure(i, 0));
const sizes = args.filter((a, i) => /^\d+$/.test(a) && (isaArg < 0 || i !== isaArg + 1)).map(Number);
const ns = sizes.length ? sizes : [256, 512, 1024, 2048];
const cores = addon.info().threads;

function gflops(n: number, dtype: 'float32' | 'float64'): number {
  const a = randn([n, n], { dtype });
  const b = randn([n, n], { dtype });
  matmul(a, b);
  const reps = n >= 2048 ? 5 : n >= 1024 ? 15 : 40;
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    matmul(a, b);
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt < best) best = dt;
  }
  return (2 * n ** 3) / best / 1e9;
}

console.log(`backend ${getBackend()}, ${cores} threads available`);
for (const isa of isas) {
  for (const threads of [...new Set([1, cores])]) {
    addon.configure(isa, threads);
    for (const n of ns) {
      const s = gflops(n, 'float32');
      const d = gflops(n, 'float64');
      console.log(`${isa.padEnd(8)} threads=${threads} n=${String(n).padStart(5)}  sgemm ${s.toFixed(1).padStart(6)} GFLOP/s  dgemm ${d.toFixed(1).padStart(6)} GFLOP/s`);
    }
  }
}
