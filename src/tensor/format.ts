import type { TypedArray, DType } from './dtype.js';

/** What printing reads of a tensor. */
export interface Printable {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
}

/** Shortest fixed formatting that shows every element at a common precision, like PyTorch. */
function formatter(t: Printable): (v: number) => string {
  if (t.dtype === 'bool') return (v) => (v ? 'true' : 'false');
  if (t.dtype === 'int32') return (v) => String(v);
  const vals = Array.from(t.data).filter((v) => Number.isFinite(v));
  const allInt = vals.every((v) => Number.isInteger(v));
  const maxAbs = vals.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = vals.filter((v) => v !== 0).reduce((m, v) => Math.min(m, Math.abs(v)), Number.POSITIVE_INFINITY);
  const sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs !== Number.POSITIVE_INFINITY) || maxAbs / minAbs > 1e6;
  const fmt = (v: number): string => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (sci) return v.toExponential(4);
    if (allInt) return `${v.toFixed(0)}.`;
    return v.toFixed(4);
  };
  const width = vals.length ? Math.max(...Array.from(t.data).map((v) => fmt(v).length)) : 0;
  return (v) => fmt(v).padStart(width);
}

const MAX_SHOWN = 1000;
const EDGE = 3;

/** PyTorch-like text of a tensor's values, followed by `extras` (shape=..., dtype=...). */
export function formatTensor(t: Printable, extras: readonly string[]): string {
  const f = formatter(t);
  const summarize = t.size > MAX_SHOWN;
  const rec = (dim: number, off: number, indent: string): string => {
    if (t.shape.length === 0) return f(t.data[0]);
    const n = t.shape[dim];
    let stride = 1;
    for (let d = dim + 1; d < t.shape.length; d++) stride *= t.shape[d];
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    if (dim === t.shape.length - 1) {
      return `[${idx.map((i) => (i < 0 ? '...' : f(t.data[off + i]))).join(', ')}]`;
    }
    const sep = `,${'\n'.repeat(t.shape.length - dim - 1)}${indent} `;
    return `[${idx.map((i) => (i < 0 ? '...' : rec(dim + 1, off + i * stride, `${indent} `))).join(sep)}]`;
  };
  return `tensor(${rec(0, 0, '       ')}, ${extras.join(', ')})`;
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a }, (_, i) => a + i);
}
