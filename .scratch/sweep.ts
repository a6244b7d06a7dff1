import { matmul, randn } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';
const n = Number(process.argv[2] ?? 1024);
const a = randn([n, n]); const b = randn([n, n]);
matmul(a, b); matmul(a, b);
const reps = n >= 2048 ? 9 : n >= 1024 ? 25 : 80;
const ts: number[] = [];
for (let r = 0; r < reps; r++) { const t0 = process.hrtime.bigint(); matmul(a, b); ts.push(Number(process.hrtime.bigint() - t0) / 1e9); }
ts.sort((x, y) => x - y);
console.log(`${process.env.CHAINRULE_GEMM_BLOCKING ?? 'default'} n=${n} med ${(2 * n ** 3 / ts[reps >> 1] / 1e9).toFixed(1)} best ${(2 * n ** 3 / ts[0] / 1e9).toFixed(1)} ${JSON.stringify(nativeAddon!.info().blockingF32)}`);
