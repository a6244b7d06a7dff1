// Where a second thread starts to pay for one GEMM: times float32 products of several shapes on one
// thread and on all threads (CHAINRULE_GEMM_THREAD_WORK=0 makes the addon thread every product),
// alternating the two rep by rep, and prints the medians, the ratio and the product's work (m·n·k).
//   node --conditions=source --import tsx bench/gemm-threads.ts [--reps 41]
// The threshold in native/gemm.cc (kThreadWork) is the smallest work from which all threads win.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const shapes: [number, number, number][] = [
  [32, 32, 32], [48, 48, 48], [64, 64, 64], [80, 80, 80], [96, 96, 96], [112, 112, 112], [128, 128, 128],
  [160, 160, 160], [192, 192, 192], [256, 256, 256], [64, 256, 128], [64, 128, 512], [128, 64, 256], [32, 512, 256],
];
const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1] ?? 0) || 41;

if (process.env.GEMM_THREADS_CHILD) {
  const { randn, matmul } = await import('chainrule');
  const { nativeAddon } = await import('../src/backend/native/load.js');
  if (!nativeAddon) throw new Error('native addon not loaded');
  const addon = nativeAddon;
  const all = addon.info().threads;
  const rows: string[] = [];
  for (const [m, n, k] of shapes) {
    const a = randn([m, k]);
    const b = randn([k, n]);
    const inner = Math.max(3, Math.round(2e6 / (m * n * k)));
    const t: Record<number, number[]> = { 1: [], [all]: [] };
    for (let r = 0; r < reps; r++) {
      for (const th of [1, all]) {
        addon.configure(null, th);
        matmul(a, b); // untimed: resizing the pool starts or stops its threads
        const t0 = process.hrtime.bigint();
        for (let i = 0; i < inner; i++) matmul(a, b);
        t[th].push(Number(process.hrtime.bigint() - t0) / 1e3 / inner);
      }
    }
    const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
    const one = med(t[1]);
    const many = med(t[all]);
    rows.push(`${`${m}x${n}x${k}`.padEnd(12)} ${String(m * n * k).padStart(9)}  ${one.toFixed(1).padStart(8)} us  ${many.toFixed(1).padStart(8)} us  ${(one / many).toFixed(2)}x`);
  }
  console.log(`shape        work (m·n·k)   1 thread   ${all} threads  speed-up`);
  console.log(rows.join('\n'));
} else {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(import.meta.url), ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, GEMM_THREADS_CHILD: '1', CHAINRULE_GEMM_THREAD_WORK: '0' },
  });
  process.exit(r.status ?? 1);
}
