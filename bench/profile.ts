/**
 * Profiles one chainrule workload with V8's sampling profiler and prints where the time goes.
 *
 *   [PROFILE_DEPTH=3] node --conditions=source --import tsx bench/profile.ts mlp-step [native|js|wasm] [steps]
 *
 * Runs one warm-up step, then profiles `steps` steps (default 5) through node:inspector and
 * prints the functions with the most self time (the JS side; time inside the native addon shows as
 * the JS function that called it, or as "(program)"), then the same grouped by source file.
 */
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setBackend } from 'chainrule';
import { buildChainrule } from './chainrule-workloads.js';
import { WORKLOADS } from './workloads.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [name = 'mlp-step', backend = 'native', stepsArg = '5'] = process.argv.slice(2);
/** JS callers shown for each entry (PROFILE_DEPTH, default 3) */
const DEPTH = Number.parseInt(process.env.PROFILE_DEPTH ?? '3', 10);
const w = WORKLOADS.find((x) => x.name === name);
if (!w) {
  console.error(`profile: unknown workload ${name}; known: ${WORKLOADS.map((x) => x.name).join(', ')}`);
  process.exit(2);
}
setBackend(backend);
const steps = Number.parseInt(stepsArg, 10);
const runner = buildChainrule(w.spec);
runner.step();

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 200 });
await session.post('Profiler.start');
const t0 = performance.now();
for (let i = 0; i < steps; i++) runner.step();
const ms = (performance.now() - t0) / steps;
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
session.disconnect();

// self time per node: each sample's delta is charged to the node it hit
const self = new Map<number, number>();
profile.samples.forEach((id, i) => {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const root = fileURLToPath(new URL('..', import.meta.url));
const where = (n: ProfileNode): string =>
  n.callFrame.url.startsWith('file://') ? relative(root, fileURLToPath(n.callFrame.url)) : n.callFrame.url;
const parent = new Map<number, ProfileNode>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${where(n)}`.trim();
/** Native code has no URL: name it by the chain of JS callers that led to it. */
const callers = (n: ProfileNode): string => {
  const chain: string[] = [];
  for (let p = parent.get(n.id); p && chain.length < DEPTH; p = parent.get(p.id)) if (where(p)) chain.push(label(p));
  return chain.join(' < ');
};
const byFn = new Map<string, number>();
const byFile = new Map<string, number>();
for (const n of profile.nodes) {
  const t = self.get(n.id) ?? 0;
  // the profiler's own stop call is not part of the workload
  if (!t || callers(n).includes('node:inspector')) continue;
  const fn = n.callFrame.functionName.startsWith('(') ? label(n) : `${where(n) ? '' : '[native] '}${label(n)} < ${callers(n)}`;
  byFn.set(fn, (byFn.get(fn) ?? 0) + t);
  const file = where(n) || n.callFrame.functionName || '[native]';
  byFile.set(file, (byFile.get(file) ?? 0) + t);
}
const total = [...byFile.values()].reduce((a, b) => a + b, 0);
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([f, t]) => `${((100 * t) / total).toFixed(1).padStart(5)}%  ${(t / steps).toFixed(2).padStart(9)} ms/step  ${f}`)
    .join('\n');
console.log(`${name} on ${backend}: ${ms.toFixed(2)} ms per step over ${steps} steps (profiled)\n`);
console.log(`Self time by function:\n${top(byFn, 25)}\n`);
console.log(`Self time by file:\n${top(byFile, 15)}`);
