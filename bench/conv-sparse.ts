// The 1-d convolution's sparse-gradient kernel (Backend.conv1dSparseGrad) on and off, in one
// process: steps alternate, round by round, between the backend as it is and a copy of it whose
// conv1dSparseGrad always declines (so the input and weight gradients are dense GEMMs, as in
// PyTorch), both seeing the same machine load. Prints each mode's median step and the ratio.
//   CHAINRULE_BACKEND=native node --conditions=source --import tsx bench/conv-sparse.ts [workload ...] [--rounds 9]
import { getBackend, setBackend } from 'chainrule';
import { kernels, registerBackend } from '../src/backend/registry.js';
import { buildChainrule } from './chainrule-workloads.js';
import { WORKLOADS } from './workloads.js';

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at >= 0 ? Number(args[at + 1]) : 9;
const names = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const base = getBackend();
registerBackend({ ...kernels(), name: `${base}-dense`, conv1dSparseGrad: () => false });
const med = (v: number[]) => [...v].sort((x, y) => x - y)[v.length >> 1];
for (const w of WORKLOADS.filter((w) => (names.length ? names.includes(w.name) : w.name === 'textcnn-step'))) {
  const runner = buildChainrule(w.spec);
  const t: Record<'sparse' | 'dense', number[]> = { sparse: [], dense: [] };
  for (let r = 0; r < rounds + 1; r++) {
    for (const mode of r % 2 ? (['dense', 'sparse'] as const) : (['sparse', 'dense'] as const)) {
      setBackend(mode === 'sparse' ? base : `${base}-dense`);
      runner.step();
      const t0 = process.hrtime.bigint();
      runner.step();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r > 0) t[mode].push(ms); // round 0 warms both up
    }
  }
  setBackend(base);
  const s = med(t.sparse);
  const d = med(t.dense);
  console.log(`${w.name} on ${base}: sparse ${s.toPrecision(4)} ms, dense ${d.toPrecision(4)} ms, sparse/dense ${(s / d).toFixed(3)} (${rounds} rounds)`);
}
