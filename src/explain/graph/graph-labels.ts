import type { Node, Tensor } from '../../ops/index.js';
import { graphLabelOf } from '../table.js';

/**
 * A number at `digits` significant digits with trailing zeros dropped: 90, 0.25, 0.3333, 1.5e-7.
 * @example formatNumber(1 / 3, 4) // '0.3333'
 */
export function formatNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a >= 10 ** digits && a < 1e9) return String(Math.round(v));
  if (a >= 1e-4 && a < 1e9) {
    const s = v.toPrecision(digits);
    return s.includes('e') ? s : s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  }
  const [m, e] = v.toExponential(digits - 1).split('e');
  return `${m.includes('.') ? m.replace(/\.?0+$/, '') : m}e${e}`;
}

/** Largest absolute value of a tensor's elements (NaN when one is NaN). */
function maxAbs(t: Tensor): number {
  let m = 0;
  for (let i = 0; i < t.data.length; i++) {
    const a = Math.abs(Number(t.data[i]));
    if (Number.isNaN(a)) return Number.NaN;
    if (a > m) m = a;
  }
  return m;
}

/** `2×3` for a shape; `scalar` for shape []. */
export function shapeText(shape: readonly number[]): string {
  return shape.length === 0 ? 'scalar' : shape.join('×');
}

/**
 * A tensor as a short label: its value when it has at most `inline` elements, otherwise a shape
 * summary with its largest magnitude ("2×3, |x|max 4.1"). `sym` names the quantity in the summary.
 * @example summarize(tensor([[1, -4.1, 2]]), 4, 1, 'x') // '1×3, |x|max 4.1'
 */
export function summarize(t: Tensor, digits: number, inline: number, sym: string): string {
  if (t.dtype === 'bool') {
    if (t.size <= inline && t.size > 0) return inlineValues(t, (v) => (v ? 'true' : 'false'));
    return `bool ${shapeText(t.shape)}`;
  }
  if (t.size === 0) return `empty ${shapeText(t.shape)}`;
  if (t.size <= inline) return inlineValues(t, (v) => formatNumber(v, digits));
  return `${shapeText(t.shape)}, |${sym}|max ${formatNumber(maxAbs(t), Math.min(digits, 2))}`;
}

function inlineValues(t: Tensor, f: (v: number) => string): string {
  const vals = Array.from(t.data, (v) => f(Number(v)));
  if (vals.length === 1) return vals[0];
  if (t.ndim === 2) {
    const cols = t.shape[1];
    const rows: string[] = [];
    for (let r = 0; r < t.shape[0]; r++) rows.push(vals.slice(r * cols, (r + 1) * cols).join(' '));
    return `[${rows.join('; ')}]`;
  }
  return `[${vals.join(' ')}]`;
}

/**
 * The label of an op node: its table entry's label (+, ×, @, σ, Σ, ...), with its non-tensor
 * arguments where they matter (LeakyReLU 0.01, x²), else the op name.
 * @example opSymbol(tensor([1], { requiresGrad: true }).mul(2).node!) // '×'
 */
export function opSymbol(node: Node): string {
  return graphLabelOf(node.op, node.attrs ?? {}) ?? node.op.name;
}

/** True for ops whose operand order matters: the graph labels their incoming edges 1, 2, ... */
export function isOrderSensitive(node: Node): boolean {
  if (node.inputs.length < 2) return false;
  return !['add', 'mul', 'maximum', 'minimum'].includes(node.op.name);
}
