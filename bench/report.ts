/** Formats benchmark results as plain-text tables and as the JSON file layout. */
import type { MachineInfo } from './machine.js';
import { ALL_PEERS, PEER_NAMES, type PeerName } from './peers.js';

export interface WorkloadResult {
  name: string;
  unit: 'ms' | 'us';
  /** floating-point operations per iteration (sgemm) */
  flops?: number;
  /** median time per iteration (per op for small-op workloads) in `unit`; null when absent or skipped */
  times: Record<PeerName, number | null>;
  /** timed repetitions behind each median */
  reps: Record<PeerName, number>;
  /** training workloads: loss after the last timed step, a sanity check that all peers train */
  loss: Record<PeerName, number | null>;
  /** memory workloads: the peak resident-memory growth of the first step, MiB */
  peakRss?: Record<PeerName, number | null>;
  notes: string[];
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function fmtNum(x: number): string {
  if (x >= 1000) return x.toFixed(0);
  if (x >= 100) return x.toFixed(1);
  if (x >= 10) return x.toFixed(2);
  return x.toPrecision(3);
}

function gflops(r: WorkloadResult, p: PeerName): number | null {
  const t = r.times[p];
  if (t === null || !r.flops) return null;
  return r.flops / (t * (r.unit === 'us' ? 1e-6 : 1e-3)) / 1e9;
}

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  return cells.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

/** Times with the ratio to PyTorch's time in parentheses (below 1 means faster than PyTorch). */
export function timeTable(results: readonly WorkloadResult[], peers: readonly PeerName[]): string {
  const rows = [['workload', 'unit', ...peers]];
  for (const r of results) {
    const base = r.times.pytorch;
    rows.push([
      r.name,
      r.unit,
      ...peers.map((p) => {
        const t = r.times[p];
        if (t === null) return '-';
        return base !== null && p !== 'pytorch' ? `${fmtNum(t)} (${fmtNum(t / base)}x)` : fmtNum(t);
      }),
    ]);
  }
  return pad(rows);
}

/** GFLOP/s of the workloads that have a flop count. */
export function gflopsTable(results: readonly WorkloadResult[], peers: readonly PeerName[]): string {
  const rows = [['workload', ...peers.map((p) => `${p} GFLOP/s`)]];
  for (const r of results) {
    if (!r.flops) continue;
    rows.push([
      r.name,
      ...peers.map((p) => {
        const g = gflops(r, p);
        return g === null ? '-' : fmtNum(g);
      }),
    ]);
  }
  return rows.length > 1 ? pad(rows) : '';
}

/** Peak resident-memory growth of the first step, for the workloads that report it. */
export function memoryTable(results: readonly WorkloadResult[], peers: readonly PeerName[]): string {
  const rows = [['workload', ...peers.map((p) => `${p} MiB`)]];
  for (const r of results) {
    if (!r.peakRss) continue;
    rows.push([r.name, ...peers.map((p) => (r.peakRss?.[p] == null ? '-' : fmtNum(r.peakRss[p] as number)))]);
  }
  return rows.length > 1 ? pad(rows) : '';
}

/** The layout of `--json FILE`. */
export function toJson(machine: MachineInfo, results: readonly WorkloadResult[], peerInfo: Record<string, unknown>): unknown {
  // the default peers always (null when absent), extra peers when they were asked for
  const peers = ALL_PEERS.filter((p) => (PEER_NAMES as readonly string[]).includes(p) || p in peerInfo);
  return {
    machine,
    peers: peerInfo,
    results: results.map((r) => {
      const row: Record<string, unknown> = { name: r.name, unit: r.unit };
      for (const p of peers) row[p] = r.times[p] === null ? null : Number(r.times[p]!.toPrecision(5));
      if (r.flops) {
        row.gflops = Object.fromEntries(peers.map((p) => [p, gflops(r, p) === null ? null : Number(gflops(r, p)!.toFixed(2))]));
      }
      row.reps = Object.fromEntries(peers.map((p) => [p, r.reps[p]]));
      if (peers.some((p) => r.loss[p] !== null)) row.loss = Object.fromEntries(peers.map((p) => [p, r.loss[p]]));
      if (r.peakRss) row.peakRssMiB = Object.fromEntries(peers.map((p) => [p, r.peakRss?.[p] == null ? null : Number((r.peakRss[p] as number).toFixed(1))]));
      if (r.notes.length) row.notes = r.notes;
      return row;
    }),
  };
}
