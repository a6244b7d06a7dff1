import { noGrad } from '../autograd/mode.js';
import { ChainruleError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { defaultCollate } from './collate.js';
import { type Dataset, TensorDataset } from './dataset.js';
import { indexSelect, type Tensor } from '../ops/index.js';

/** The options of a DataLoader (PyTorch's names, camelCased): batch size, shuffling, its generator, dropLast, collate. */
export interface DataLoaderOptions<T, B> {
  /** examples per batch (default 1) */
  batchSize?: number;
  /** draw a new random order at the start of every pass (default false) */
  shuffle?: boolean;
  /** the generator that shuffles (default: the global one, seeded by manualSeed) */
  generator?: Generator;
  /** drop the last batch when it is smaller than batchSize (default false) */
  dropLast?: boolean;
  /** turns a list of examples into a batch (default: defaultCollate) */
  collate?: (examples: T[]) => B;
}

/**
 * Iterates over a dataset in batches, optionally in a seeded random order, like PyTorch's
 * DataLoader. Each `for..of` pass is one epoch; with `shuffle` each pass draws a new order.
 *
 * @example
 * const X = arange(10).reshape([5, 2]);
 * const y = arange(5);
 * const loader = new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 2, shuffle: true, generator: new Generator(0) });
 * const sizes: number[] = [];
 * for (const [xb, yb] of loader as Iterable<Tensor[]>) sizes.push(xb.shape[0], yb.shape[0]);
 * sizes; // [2, 2, 2, 2, 1, 1]
 * [...loader].length; // 3
 */
export class DataLoader<T = unknown, B = unknown> implements Iterable<B> {
  /**
   * The dataset batches are drawn from.
   * @example const ds = new data.ArrayDataset([1, 2]); new data.DataLoader(ds).dataset === ds // true
   */
  readonly dataset: Dataset<T>;
  /**
   * Examples per batch (the last batch may be smaller unless dropLast).
   * @example new data.DataLoader(new data.ArrayDataset([1, 2, 3]), { batchSize: 2 }).batchSize // 2
   */
  readonly batchSize: number;
  /**
   * Whether each pass draws a new random order.
   * @example new data.DataLoader(new data.ArrayDataset([1])).shuffle // false
   */
  readonly shuffle: boolean;
  /**
   * Whether a last batch smaller than batchSize is dropped.
   * @example new data.DataLoader(new data.ArrayDataset([1, 2, 3]), { batchSize: 2, dropLast: true }).length // 1
   */
  readonly dropLast: boolean;
  /**
   * The generator that shuffles (the global one unless given).
   * @example new data.DataLoader(new data.ArrayDataset([1])).generator === defaultGenerator // true
   */
  readonly generator: Generator;
  private readonly collate: ((examples: T[]) => B) | null;

  constructor(dataset: Dataset<T>, opts: DataLoaderOptions<T, B> = {}) {
    if (!dataset || typeof dataset.get !== 'function' || typeof dataset.length !== 'number') {
      throw new ChainruleError('DataLoader: the dataset needs a numeric length and a get(index) method');
    }
    const bs = opts.batchSize ?? 1;
    if (!Number.isInteger(bs) || bs <= 0) throw new ChainruleError(`DataLoader: batchSize must be a positive integer, got ${bs}`);
    if (opts.collate !== undefined && typeof opts.collate !== 'function') throw new ChainruleError('DataLoader: collate must be a function');
    this.dataset = dataset;
    this.batchSize = bs;
    this.shuffle = opts.shuffle ?? false;
    this.dropLast = opts.dropLast ?? false;
    this.generator = opts.generator ?? defaultGenerator;
    this.collate = opts.collate ?? null;
  }

  /**
   * Number of batches per pass.
   * @example new data.DataLoader(new data.ArrayDataset([1, 2, 3, 4, 5]), { batchSize: 2 }).length // 3
   */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The order of one pass: a fresh permutation when shuffling, else 0..n-1. */
  private order(): Int32Array {
    const n = this.dataset.length;
    if (this.shuffle) return this.generator.permutation(n);
    return Int32Array.from({ length: n }, (_, i) => i);
  }

  private batchOf(idx: Int32Array): B {
    if (!this.collate && this.dataset instanceof TensorDataset) {
      const ix = tensor(idx, { dtype: 'int32' });
      const ds = this.dataset as unknown as TensorDataset;
      return noGrad(() => ds.tensors.map((t: Tensor) => indexSelect(t, 0, ix))) as B;
    }
    const examples = Array.from(idx, (i) => this.dataset.get(i));
    return this.collate ? this.collate(examples) : (defaultCollate(examples) as B);
  }

  /** Yields one collated batch per `batchSize` examples (reshuffled each pass when `shuffle`), like iterating a torch DataLoader. */
  *[Symbol.iterator](): Iterator<B> {
    const order = this.order();
    const n = order.length;
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(start + this.batchSize, n);
      if (this.dropLast && end - start < this.batchSize) break;
      yield this.batchOf(order.subarray(start, end));
    }
  }
}
