import type { ReduceOp, ScatterOp } from '../types.js';

/** Op codes by kernel name, from the names the addon reports in code order. */
export function codeTable(names: readonly string[]): Map<string, number> {
  return new Map(names.map((n, i) => [n, i]));
}

// Reductions are a backend-level notion (no op of the table is one kernel of these): codes by
// position, shared with native/reduce.cc.
export const REDUCE_CODES = codeTable(['sum', 'max', 'min', 'prod'] satisfies ReduceOp[]) as Map<ReduceOp, number>;

// The flat scatter's combining ops, by position, shared with native/indexing.cc.
export const SCATTER_CODES = codeTable(['set', 'sum', 'prod', 'amax', 'amin'] satisfies ScatterOp[]) as Map<ScatterOp, number>;
