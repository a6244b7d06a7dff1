/** What the benchmark ran on, recorded next to the results. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

function cpuinfo(): { model: string; flags: string[] } {
  try {
    const text = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.*)$/m.exec(text)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
    const flags = (/^flags\s*:\s*(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/);
    return { model, flags };
  } catch {
    return { model: os.cpus()[0]?.model ?? 'unknown', flags: [] };
  }
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  simd: string[];
  memory_gb: number;
  node: string;
  os: string;
  date: string;
  loadavg_start: number[];
  /** the benchmark's scheduling priority (nice value; below 0 when run with `nice -n -N` on a shared machine) */
  nice: number;
  [extra: string]: unknown;
}

export function machineInfo(): MachineInfo {
  const { model, flags } = cpuinfo();
  return {
    cpu: model,
    cores: os.cpus().length,
    simd: ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl'].filter((f) => flags.includes(f)),
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadavg_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
    nice: os.getPriority(),
  };
}
