/**
 * A benchmark peer: one process that runs workloads for one library/backend on command from the
 * orchestrator (see bench/protocol.ts). Usage:
 *   node --conditions=source --import tsx bench/peer.ts chainrule native|js|wasm
 *   node --conditions=source --import tsx bench/peer.ts tfjs cpu|wasm
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Command, REPLY_PREFIX, type Reply } from './protocol.js';
import type { Runner, WorkloadSpec } from './workloads.js';

interface Driver {
  info: Record<string, unknown>;
  build(spec: WorkloadSpec): Runner;
}

async function chainruleDriver(backend: string): Promise<Driver> {
  const cr = await import('chainrule');
  cr.setBackend(backend);
  const { buildChainrule } = await import('./chainrule-workloads.js');
  const info: Record<string, unknown> = { library: 'chainrule', backend: cr.getBackend() };
  if (backend === 'wasm') {
    // which build of the GEMM runs: relaxed SIMD (fused multiply-add) or baseline SIMD128
    const { wasmGemmVariant } = await import('../src/backend/wasm/index.js');
    info.gemm = wasmGemmVariant;
  }
  return { info, build: buildChainrule };
}

async function tfjsDriver(backend: string): Promise<Driver> {
  const { initTfjs, buildTfjs } = await import('./tfjs-workloads.js');
  const info = await initTfjs(backend);
  return { info, build: buildTfjs };
}

function statusKiB(field: string): number {
  const m = readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]);
}

/** Runs fn; returns how far the resident set's peak rose above its size before (MiB), when Linux says. */
function peakRssGrowth(fn: () => void): number | undefined {
  let before: number | undefined;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    before = statusKiB('VmRSS');
  } catch {
    before = undefined;
  }
  fn();
  return before === undefined ? undefined : (statusKiB('VmHWM') - before) / 1024;
}

function send(r: Reply): void {
  process.stdout.write(`${REPLY_PREFIX}${JSON.stringify(r)}\n`);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function main(): Promise<void> {
  const [lib, backend] = process.argv.slice(2);
  let driver: Driver | null = null;
  let startError = '';
  try {
    if (lib === 'chainrule') driver = await chainruleDriver(backend);
    else if (lib === 'tfjs') driver = await tfjsDriver(backend);
    else startError = `peer: unknown library ${JSON.stringify(lib)} (chainrule or tfjs)`;
  } catch (e) {
    startError = message(e);
  }
  let runner: Runner | null = null;
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const c = JSON.parse(line) as Command;
    if (c.cmd === 'quit') break;
    if (!driver) {
      send({ ok: false, error: startError });
      continue;
    }
    try {
      if (c.cmd === 'hello') {
        send({ ok: true, info: driver.info });
      } else if (c.cmd === 'prepare') {
        runner?.release?.();
        runner = null;
        const r = driver.build(c.spec);
        let firstMs = 0;
        const peakRssMiB = peakRssGrowth(() => {
          const t0 = performance.now();
          r.step();
          firstMs = performance.now() - t0;
        });
        runner = r;
        send({ ok: true, firstMs, ops: r.opsPerStep ?? 1, peakRssMiB });
      } else if (c.cmd === 'run') {
        if (!runner) throw new Error('peer: run before prepare');
        const t0 = performance.now();
        for (let i = 0; i < c.iters; i++) runner.step();
        const ms = (performance.now() - t0) / c.iters;
        send({ ok: true, ms, loss: runner.lastLoss ? runner.lastLoss() : null });
      } else if (c.cmd === 'release') {
        runner?.release?.();
        runner = null;
        send({ ok: true });
      }
    } catch (e) {
      runner = null;
      send({ ok: false, error: message(e) });
    }
  }
  process.exit(0);
}

await main();
