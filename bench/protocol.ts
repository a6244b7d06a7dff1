/**
 * The line protocol between the orchestrator (bench/run.ts) and a peer process (bench/peer.ts for
 * chainrule and TensorFlow.js, bench/torch_bench.py --serve for PyTorch). The orchestrator writes
 * one JSON command per line to the peer's stdin; the peer answers each with one line on stdout
 * that starts with REPLY_PREFIX (anything else a peer prints is passed through as a log line).
 *
 * Commands:
 * - {cmd: 'hello'} -> {ok, info: {...}}: what the peer is (versions, backend).
 * - {cmd: 'prepare', name, spec} -> {ok, firstMs, ops, peakRssMiB?}: builds the workload and times its
 *   first step; ops is how many timed ops one step performs (1000 adds for the small-op workload,
 *   else 1); peakRssMiB is how far the resident set's peak rose above its size before that step
 *   (Linux: VmHWM after resetting it through /proc/self/clear_refs; absent elsewhere).
 * - {cmd: 'run', iters} -> {ok, ms, loss?}: runs `iters` steps; ms is the mean time of one step and
 *   loss the training loss after the last one.
 * - {cmd: 'release'} -> {ok}: drops the workload.
 * - {cmd: 'quit'}: the peer exits.
 * A failure answers {ok: false, error}.
 */
import type { WorkloadSpec } from './workloads.js';

export const REPLY_PREFIX = '@@bench ';

export type Command =
  | { cmd: 'hello' }
  | { cmd: 'prepare'; name: string; spec: WorkloadSpec }
  | { cmd: 'run'; iters: number }
  | { cmd: 'release' }
  | { cmd: 'quit' };

export interface Reply {
  ok: boolean;
  error?: string;
  info?: Record<string, unknown>;
  firstMs?: number;
  ops?: number;
  peakRssMiB?: number;
  ms?: number;
  loss?: number | null;
}
