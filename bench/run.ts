/**
 * `npm run bench [-- --json FILE] [--only NAME,...] [--peers NAME,...] [--reps N] [--max-step SECONDS] [--verbose]`
 *
 * Runs each workload of bench/workloads.ts for chainrule (native, js and wasm backends), PyTorch and
 * TensorFlow.js (wasm and cpu backends), each in its own process, interleaving the peers
 * repetition by repetition after a warm-up, and prints median times with ratios to PyTorch.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { machineInfo } from './machine.js';
import { waitQuiet } from './quiet.js';
import { ALL_PEERS, PEER_NAMES, Peer, type PeerName, TORCH_INSTALL_HINT } from './peers.js';
import { type WorkloadResult, gflopsTable, median, memoryTable, timeTable, toJson } from './report.js';
import { WORKLOADS, type Workload, estimatedFlops } from './workloads.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    only: { type: 'string' },
    peers: { type: 'string' },
    reps: { type: 'string', default: '11' },
    'max-step': { type: 'string', default: '60' },
    verbose: { type: 'boolean', default: false },
  },
});

/** A peer is not given a workload whose single step would take longer than this (--max-step seconds). */
const MAX_STEP_MS = 1000 * Number.parseFloat(args['max-step'] ?? '60');
/** Timed work per (workload, peer) beyond which fewer repetitions are taken. */
const BUDGET_MS = 12_000;
/** Shortest repetition: fast steps are repeated inside one repetition to reach it. */
const MIN_REP_MS = 150;
/** Longest wait for one command before the peer is declared hung and stopped (then restarted). */
const TIMEOUT_MS = 240_000;
/** Building a workload and its first step: a peer slower than this is stopped and skipped. */
const PREPARE_TIMEOUT_MS = 1.5 * MAX_STEP_MS;

const maxReps = Math.max(1, Number.parseInt(args.reps ?? '11', 10));
const only = args.only ? new Set(args.only.split(',').map((s) => s.trim())) : null;
const workloads = WORKLOADS.filter((w) => !only || only.has(w.name));
if (only) {
  const unknown = [...only].filter((n) => !WORKLOADS.some((w) => w.name === n));
  if (unknown.length) {
    console.error(`bench: unknown workload(s) ${unknown.join(', ')}; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
    process.exit(2);
  }
}
const peerNames = (args.peers ? args.peers.split(',').map((s) => s.trim()) : [...PEER_NAMES]) as PeerName[];
for (const p of peerNames) {
  if (!ALL_PEERS.includes(p)) {
    console.error(`bench: unknown peer ${p}; known: ${ALL_PEERS.join(', ')}`);
    process.exit(2);
  }
}

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function perPeer<T>(v: T): Record<PeerName, T> {
  return Object.fromEntries(ALL_PEERS.map((p) => [p, v])) as Record<PeerName, T>;
}

/** Per-peer plan for one workload after its warm-up. */
interface Plan {
  peer: Peer;
  iters: number;
  reps: number;
  ops: number;
  samples: number[];
  loss: number | null;
}

/**
 * A step's time from the peer's sgemm results: a larger sgemm scales the largest smaller one by its
 * flops; a training step is assumed to run at half the peer's best sgemm rate.
 */
function predictMs(w: Workload, done: readonly WorkloadResult[], p: PeerName): { ms: number; from: string } | null {
  const sgemms = done.filter((r) => r.flops && r.times[p] !== null);
  if (!sgemms.length) return null;
  if (w.spec.kind === 'sgemm') {
    const prev = sgemms.filter((r) => r.flops! < w.flops!);
    if (!prev.length) return null;
    const last = prev[prev.length - 1];
    return { ms: last.times[p]! * (w.flops! / last.flops!), from: last.name };
  }
  const flops = estimatedFlops(w.spec);
  if (!flops) return null;
  const bestGflops = Math.max(...sgemms.map((r) => r.flops! / r.times[p]! / 1e6));
  return { ms: (2 * flops) / (bestGflops * 1e6), from: `its ${bestGflops.toFixed(2)} GFLOP/s on sgemm and ${(flops / 1e9).toFixed(1)} GFLOP per step` };
}

/** Time spent waiting for the other peers to go idle before timed repetitions (ms). */
const quiet = { total: 0, max: 0 };

async function runWorkload(w: Workload, peers: Peer[], done: readonly WorkloadResult[]): Promise<WorkloadResult> {
  const res: WorkloadResult = { name: w.name, unit: w.unit, flops: w.flops, times: perPeer(null), reps: perPeer(0), loss: perPeer(null), notes: [] };
  if (w.memory) res.peakRss = perPeer(null);
  const plans: Plan[] = [];
  for (const peer of peers) {
    if (!peer.alive) continue;
    const predicted = predictMs(w, done, peer.name);
    if (predicted !== null && predicted.ms > MAX_STEP_MS) {
      res.notes.push(`${peer.name} skipped: one step would take about ${Math.round(predicted.ms / 1000)} s (predicted from ${predicted.from})`);
      continue;
    }
    const prep = await peer.send({ cmd: 'prepare', name: w.name, spec: w.spec }, PREPARE_TIMEOUT_MS);
    if (!prep.ok) {
      const slow = !peer.alive && /no answer within/.test(prep.error ?? '');
      res.notes.push(
        slow ? `${peer.name} skipped: its first step did not finish within ${PREPARE_TIMEOUT_MS / 1000} s` : `${peer.name} failed: ${prep.error}`,
      );
      continue;
    }
    if (res.peakRss && prep.peakRssMiB !== undefined) res.peakRss[peer.name] = prep.peakRssMiB;
    let est = prep.firstMs!;
    if (est > MAX_STEP_MS) {
      res.notes.push(`${peer.name} skipped: the first step took ${Math.round(est / 1000)} s`);
      await peer.send({ cmd: 'release' }, TIMEOUT_MS);
      continue;
    }
    let iters = Math.max(1, Math.ceil(MIN_REP_MS / est));
    if (est * iters <= 3000) {
      // a second warm-up: lets JITs and allocators settle, and measures the step better
      const warm = await peer.send({ cmd: 'run', iters }, TIMEOUT_MS);
      if (!warm.ok) {
        res.notes.push(`${peer.name} failed: ${warm.error}`);
        continue;
      }
      est = warm.ms!;
      iters = Math.max(1, Math.ceil(MIN_REP_MS / est));
    }
    const reps = Math.max(1, Math.min(maxReps, Math.floor(BUDGET_MS / (est * iters))));
    plans.push({ peer, iters, reps, ops: prep.ops ?? 1, samples: [], loss: null });
  }
  // round-robin: repetition r of every peer before repetition r + 1 of any
  const rounds = Math.max(0, ...plans.map((p) => p.reps));
  for (let r = 0; r < rounds; r++) {
    for (const plan of plans) {
      if (plan.samples.length >= plan.reps || !plan.peer.alive) continue;
      const others = peers.filter((p) => p !== plan.peer).map((p) => p.pid).filter((p): p is number => p !== null);
      const waited = await waitQuiet(others);
      quiet.total += waited;
      quiet.max = Math.max(quiet.max, waited);
      const rep = await plan.peer.send({ cmd: 'run', iters: plan.iters }, TIMEOUT_MS);
      if (!rep.ok) {
        res.notes.push(`${plan.peer.name} failed: ${rep.error}`);
        plan.reps = plan.samples.length;
        continue;
      }
      plan.samples.push(rep.ms! / plan.ops);
      plan.loss = rep.loss ?? null;
    }
  }
  for (const plan of plans) {
    if (plan.peer.alive) await plan.peer.send({ cmd: 'release' }, TIMEOUT_MS);
    if (!plan.samples.length) continue;
    const scale = w.unit === 'us' ? 1000 : 1;
    res.times[plan.peer.name] = median(plan.samples) * scale;
    res.reps[plan.peer.name] = plan.samples.length;
    res.loss[plan.peer.name] = plan.loss;
  }
  return res;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const machine = machineInfo();
  log(`bench: ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load average ${machine.loadavg_start.join(' ')}`);
  const peers: Peer[] = [];
  const peerInfo: Record<string, unknown> = {};
  for (const name of peerNames) {
    const peer = new Peer(name);
    const hello = await peer.start(TIMEOUT_MS);
    if (hello.ok) {
      peers.push(peer);
      peerInfo[name] = hello.info;
      log(`bench: ${name}: ${JSON.stringify(hello.info)}`);
      const torch = name === 'pytorch' || name === 'pytorch_1t';
      const blas = torch ? String(hello.info?.blas ?? '') : '';
      if (torch && !blas.includes('openblas')) {
        log(`bench: note: PyTorch uses ${blas || 'an unknown BLAS'}, not OpenBLAS: apt-get install libopenblas0-pthread`);
      }
    } else {
      peer.stop();
      const torch = name === 'pytorch' || name === 'pytorch_1t';
      const why = torch && /not importable|ENOENT|absent/.test(hello.error ?? '') ? TORCH_INSTALL_HINT : hello.error;
      peerInfo[name] = { absent: why };
      log(`bench: ${name} absent: ${why}`);
    }
  }
  const results: WorkloadResult[] = [];
  for (const w of workloads) {
    const t = performance.now();
    for (const [i, p] of peers.entries()) {
      if (p.alive) continue;
      // a peer stopped for a hung or too slow step gets a fresh process for the next workload
      const fresh = new Peer(p.name);
      const hello = await fresh.start(TIMEOUT_MS);
      if (hello.ok) peers[i] = fresh;
      else log(`bench: ${p.name} could not be restarted: ${hello.error}`);
    }
    const r = await runWorkload(w, peers, results);
    results.push(r);
    const cells = peerNames.map((p) => `${p} ${r.times[p] === null ? '-' : r.times[p]!.toPrecision(4)}`).join(', ');
    log(`bench: ${w.name} (${w.unit}): ${cells}  [${((performance.now() - t) / 1000).toFixed(0)} s]`);
    for (const n of r.notes) log(`bench:   ${n}`);
  }
  for (const p of peers) {
    if (args.verbose && p.log.length) log(`--- ${p.name} output ---\n${p.log.join('\n')}`);
    p.stop();
  }
  machine.loadavg_end = os.loadavg().map((x) => Math.round(x * 100) / 100);
  machine.seconds = Math.round((performance.now() - t0) / 1000);
  machine.quiet_wait_s = Math.round(quiet.total) / 1000;
  machine.quiet_wait_max_ms = Math.round(quiet.max);
  console.log('\nMedian time per step (per op for add-16); in parentheses the ratio to PyTorch\'s time (below 1 = faster):\n');
  console.log(timeTable(results, peerNames));
  const g = gflopsTable(results, peerNames);
  if (g) console.log(`\n${g}`);
  const m = memoryTable(results, peerNames);
  if (m) console.log(`\nPeak resident-memory growth during the first step (MiB):\n\n${m}`);
  const notes = results.flatMap((r) => r.notes.map((n) => `${r.name}: ${n}`));
  for (const [name, info] of Object.entries(peerInfo)) {
    const i = info as { absent?: string; note?: string };
    if (i.absent) notes.push(`${name} absent: ${i.absent}`);
    if (i.note) notes.push(`${name}: ${i.note}`);
  }
  if (notes.length) console.log(`\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
  console.log(
    `\n${machine.cores} cores, load average ${machine.loadavg_start.join(' ')} at start and ${(machine.loadavg_end as number[]).join(' ')} at end, nice ${machine.nice}; ${machine.seconds} s; ${machine.quiet_wait_s} s waiting for the other peers to go idle before repetitions (at most ${machine.quiet_wait_max_ms} ms)`,
  );
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify(toJson(machine, results, peerInfo), null, 2)}\n`);
    log(`bench: wrote ${args.json}`);
  }
}

await main();
