// The storage pool's effect on whole workloads, measured in one process: steps alternate, round by
// round, between storage from the native pool and plain typed arrays (the registry's storage source
// switched off), so both see the same machine load. Prints each mode's median step and the ratio.
//   node --conditions=source --import tsx bench/storage-ab.ts [workload ...] [--rounds 9] [--steps 1]
import { getBackend } from 'chainrule';
import { kernels } from '../src/backend/registry.js';
import { useStorageSource } from '../src/tensor/dtype.js';
import { buildChainrule } from './chainrule-workloads.js';
import { WORKLOADS } from './workloads.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const rounds = opt('--rounds', 9);
const steps = opt('--steps', 1);
const names = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const pool = kernels().storage;
if (getBackend() !== 'native' || !pool) {
  console.error(`the ${getBackend()} backend has no storage pool`);
  process.exit(1);
}
const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
for (const w of WORKLOADS.filter((w) => (names.length ? names.includes(w.name) : w.spec.kind !== 'attention'))) {
  const runner = buildChainrule(w.spec);
  for (let i = 0; i < 2; i++) runner.step();
  // enough steps per round for about 100 ms (at least --steps)
  const t1 = process.hrtime.bigint();
  runner.step();
  const once = Number(process.hrtime.bigint() - t1) / 1e6;
  const reps = Math.max(steps, Math.ceil(100 / once));
  const t: Record<'pool' | 'plain', number[]> = { pool: [], plain: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of r % 2 ? (['plain', 'pool'] as const) : (['pool', 'plain'] as const)) {
      useStorageSource(mode === 'pool' ? pool : null);
      runner.step();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < reps; i++) runner.step();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6 / reps / (runner.opsPerStep ?? 1);
      t[mode].push(w.unit === 'us' ? ms * 1000 : ms);
    }
  }
  useStorageSource(pool);
  const p = med(t.pool);
  const q = med(t.plain);
  console.log(`${w.name.padEnd(14)} pool ${p.toPrecision(4).padStart(8)} ${w.unit}  plain ${q.toPrecision(4).padStart(8)} ${w.unit}  pool/plain ${(p / q).toFixed(3)}`);
}
