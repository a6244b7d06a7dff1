import { contiguousStrides } from './strides.js';
import { ChainruleError, fmtShape } from '../errors.js';

/**
 * A tensor's shape: its sizes, outermost dimension first (PyTorch's `torch.Size`); `[]` is a scalar.
 * @example
 * ```ts
 * const s: Shape = tensor([[1, 2, 3], [4, 5, 6]]).shape;
 * s // [2, 3]
 * ```
 */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a contiguous tensor of this shape. */
export const stridesOf: (shape: Shape) => number[] = contiguousStrides;

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** NumPy broadcasting of two shapes; throws naming the op when they are incompatible. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ChainruleError(
        `${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dimension ${i} is ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of shape `from` as if it had the broadcast shape `to` (0 on broadcast dims). */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const s = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[i + off] = from[i] === 1 ? 0 : s[i];
  return out;
}

/** Normalises a possibly negative dim; throws a clear error when it is out of range. */
export function normDim(dim: number, rank: number, op: string): number {
  if (!Number.isInteger(dim)) throw new ChainruleError(`${op}: dim must be an integer, got ${dim}`);
  const r = Math.max(rank, 1);
  if (dim < -r || dim >= r) {
    throw new ChainruleError(`${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected ${-r}..${r - 1})`);
  }
  return dim < 0 ? dim + r : dim;
}

export function checkShape(shape: unknown, op: string): number[] {
  if (!Array.isArray(shape)) throw new ChainruleError(`${op}: shape must be an array of non-negative integers`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ChainruleError(`${op}: shape ${JSON.stringify(shape)} must contain non-negative integers`);
    }
  }
  return shape as number[];
}
