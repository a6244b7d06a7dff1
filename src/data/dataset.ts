import { ChainruleError, fmtShape } from '../errors.js';
import { Tensor } from '../ops/index.js';

/**
 * A map-style dataset: a length and random access to the i-th example (PyTorch's __len__ and
 * __getitem__). Any object with these two members works with DataLoader and the splitters.
 */
export interface Dataset<T = unknown> {
  readonly length: number;
  get(index: number): T;
}

export function checkIndex(i: number, n: number, op: string): number {
  if (!Number.isInteger(i)) throw new ChainruleError(`${op}: index must be an integer, got ${i}`);
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new ChainruleError(`${op}: index ${i} is out of range for a dataset of ${n} examples`);
  return j;
}

/** Row i of t (all dimensions but the first), as a fresh tensor. */
export function rowOf(t: Tensor, i: number): Tensor {
  const size = t.shape.slice(1).reduce((a, d) => a * d, 1);
  return new Tensor(t.data.slice(i * size, (i + 1) * size), t.shape.slice(1));
}

/**
 * Wraps tensors that share their first dimension: example i is [t0[i], t1[i], ...].
 * DataLoader batches it with one gather per tensor instead of stacking rows.
 * @example
 * const ds = new data.TensorDataset(X, y); // X [100, 4], y [100]
 * const [x0, y0] = ds.get(0);         // x0 [4], y0 []
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new ChainruleError('TensorDataset: expected at least one tensor');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ChainruleError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0) throw new ChainruleError(`TensorDataset: tensor ${i} is 0-d; each tensor needs a first (example) dimension`);
    });
    const n = tensors[0].shape[0];
    const bad = tensors.filter((t) => t.shape[0] !== n);
    if (bad.length) {
      throw new ChainruleError(`TensorDataset: all tensors need the same first dimension, got shapes ${tensors.map((t) => fmtShape(t.shape)).join(', ')}`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  get(index: number): Tensor[] {
    const i = checkIndex(index, this.length, 'TensorDataset.get');
    return this.tensors.map((t) => rowOf(t, i));
  }
}

/**
 * The examples of `dataset` at `indices`, in that order (what randomSplit returns).
 * @example new data.Subset(ds, [0, 2, 4]).length // 3
 */
export class Subset<T> implements Dataset<T> {
  constructor(
    readonly dataset: Dataset<T>,
    readonly indices: readonly number[],
  ) {
    indices.forEach((i) => {
      checkIndex(i, dataset.length, 'Subset');
    });
  }

  get length(): number {
    return this.indices.length;
  }

  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex(index, this.indices.length, 'Subset.get')]);
  }
}

/**
 * A dataset over a plain array of examples.
 * @example new data.ArrayDataset([{ x: 1, y: 0 }, { x: 2, y: 1 }]).get(1).x // 2
 */
export class ArrayDataset<T> implements Dataset<T> {
  constructor(readonly items: readonly T[]) {
    if (!Array.isArray(items)) throw new ChainruleError('ArrayDataset: expected an array');
  }
  get length(): number {
    return this.items.length;
  }
  get(index: number): T {
    return this.items[checkIndex(index, this.items.length, 'ArrayDataset.get')];
  }
}
