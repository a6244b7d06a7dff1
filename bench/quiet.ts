/**
 * Waits until the other peer processes are idle before a peer's timed repetition. OpenBLAS's
 * worker threads busy-wait for a while after each product (about 2^28 cycles, a tenth of a second,
 * by default) and OpenMP's do too: on a 2-core machine the peer timed right after PyTorch would
 * lose a core to them (measured: textcnn-step native 176 ms alone, 200 ms with PyTorch in the
 * round). Linux only: elsewhere it returns at once.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** CPU time in nanoseconds used so far by all threads of these processes (/proc/PID/task/TID/schedstat). */
export function cpuNs(pids: readonly number[]): number | null {
  let sum = 0;
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of tasks) {
      try {
        sum += Number.parseInt(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0], 10);
      } catch {
        // the thread ended between the listing and the read
      }
    }
  }
  return Number.isFinite(sum) ? sum : null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Resolves once `pids` together used under `idleFraction` of one core over a `windowMs` window, or
 * after `maxMs`; returns how long it waited (ms).
 */
export async function waitQuiet(pids: readonly number[], windowMs = 25, idleFraction = 0.04, maxMs = 2000): Promise<number> {
  if (process.platform !== 'linux' || !pids.length || cpuNs(pids) === null) return 0;
  const t0 = performance.now();
  for (;;) {
    const a = cpuNs(pids)!;
    const w0 = performance.now();
    await sleep(windowMs);
    const used = (cpuNs(pids)! - a) / 1e6;
    const waited = performance.now() - t0;
    if (used < idleFraction * (performance.now() - w0) || waited >= maxMs) return waited;
  }
}
