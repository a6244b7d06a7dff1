// The sizes of the 2-d ops (kernel, stride, dilation): one number for both dims or [height, width].
import { ChainruleError } from '../errors.js';

/** A size of a 2-d op: one number for both dims, or [height, width]. */
export type Size2d = number | readonly [number, number];

export function posInt(name: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ChainruleError(`${name}: ${what} must be an integer >= 1, got ${String(v)}`);
  return v;
}

/** [height, width] of a Size2d option, each an integer >= 1. */
export function pair(name: string, what: string, v: Size2d | undefined, dflt: number): [number, number] {
  if (v === undefined) return [dflt, dflt];
  if (typeof v === 'number') return [posInt(name, what, v), posInt(name, what, v)];
  if (!Array.isArray(v) || v.length !== 2) throw new ChainruleError(`${name}: ${what} must be a number or [height, width], got ${JSON.stringify(v)}`);
  return [posInt(name, what, v[0]), posInt(name, what, v[1])];
}
