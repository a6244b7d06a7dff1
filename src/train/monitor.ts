import { ChainruleError } from '../errors.js';
import type { EpochLog } from './types.js';

/**
 * Which way a monitored value is better: 'min' (a loss), 'max' (accuracy, F1) or 'auto' (by its name).
 * @example
 * ```ts
 * const better: MonitorMode = 'max';
 * new EarlyStopping({ monitor: 'valLoss', mode: better }).mode // 'max'
 * ```
 */
export type MonitorMode = 'min' | 'max' | 'auto';

/** 'auto' watches losses going down and everything else (accuracy, f1, auc) going up. */
export function resolveMode(monitor: string, mode: MonitorMode): 'min' | 'max' {
  if (mode === 'min' || mode === 'max') return mode;
  if (mode !== 'auto') throw new ChainruleError(`mode must be 'min', 'max' or 'auto', got ${JSON.stringify(mode)}`);
  return /loss|error/i.test(monitor) ? 'min' : 'max';
}

export function readMonitor(logs: EpochLog, monitor: string, who: string): number {
  const v = logs[monitor];
  if (typeof v !== 'number') {
    const known = Object.keys(logs).filter((k) => k !== 'epoch' && k !== 'seconds');
    throw new ChainruleError(`${who}: the monitored value ${JSON.stringify(monitor)} is not in the epoch logs (have: ${known.join(', ')})`);
  }
  return v;
}

/** True when `current` beats `best` by more than minDelta in the given direction. */
export function improves(current: number, best: number | null, mode: 'min' | 'max', minDelta: number): boolean {
  if (best === null) return !Number.isNaN(current);
  return mode === 'min' ? current < best - minDelta : current > best + minDelta;
}
