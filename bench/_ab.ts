import { randn } from 'chainrule';
import { kernels } from '../src/backend/registry.js';
import { useStorageSource } from '../src/tensor/dtype.js';
const n = Number(process.argv[2]), per = Number(process.argv[3] ?? 100);
const a = randn([n, n]), b = randn([n, n]);
const pool = kernels().storage!;
const med = (t: number[]) => t.sort((x, y) => x - y)[t.length >> 1];
const res: Record<string, number[]> = { pool: [], plain: [] };
for (let round = 0; round < 10; round++) {
  for (const mode of ['pool', 'plain'] as const) {
    useStorageSource(mode === 'pool' ? pool : null);
    const t: number[] = [];
    for (let i = 0; i < per; i++) { const t0 = process.hrtime.bigint(); a.matmul(b); t.push(Number(process.hrtime.bigint() - t0) / 1e6); }
    res[mode].push(med(t));
  }
}
const p = med(res.pool), q = med(res.plain);
console.log(n, 'pool', p.toFixed(3), 'plain', q.toFixed(3), 'ratio', (p / q).toFixed(3), 'per-round ratios', res.pool.map((x, i) => (x / res.plain[i]).toFixed(2)).join(' '));
