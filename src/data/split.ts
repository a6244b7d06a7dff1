import { ChainruleError } from '../errors.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { type Dataset, Subset } from './dataset.js';
import { Tensor } from '../ops/index.js';

/** Turns lengths given as counts or as fractions summing to 1 into counts summing to n. */
function countsFor(lengths: readonly number[], n: number, op: string): number[] {
  if (!Array.isArray(lengths) || lengths.length === 0) throw new ChainruleError(`${op}: lengths must be a non-empty array`);
  if (lengths.some((l) => typeof l !== 'number' || !(l >= 0))) throw new ChainruleError(`${op}: lengths must be non-negative numbers, got [${lengths.join(', ')}]`);
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every(Number.isInteger) && total === n) return [...lengths];
  if (Math.abs(total - 1) < 1e-9 && lengths.every((l) => l <= 1)) {
    // fractions: floor each, then hand the remainder out one by one (as torch.utils.data.random_split)
    const counts = lengths.map((f) => Math.floor(n * f));
    let rest = n - counts.reduce((a, b) => a + b, 0);
    for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
    return counts;
  }
  throw new ChainruleError(`${op}: lengths [${lengths.join(', ')}] must be counts summing to the dataset size ${n} or fractions summing to 1`);
}

/**
 * Splits a dataset into non-overlapping random subsets of the given sizes (counts, or fractions
 * summing to 1), seeded by `generator`.
 * @example const [train, val] = data.randomSplit(ds, [0.8, 0.2], new Generator(42));
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], generator: Generator = defaultGenerator): Subset<T>[] {
  const counts = countsFor(lengths, dataset.length, 'randomSplit');
  const perm = generator.permutation(dataset.length);
  const out: Subset<T>[] = [];
  let start = 0;
  for (const c of counts) {
    out.push(new Subset(dataset, Array.from(perm.subarray(start, start + c))));
    start += c;
  }
  return out;
}

/** The class label of every example: from an array, a 1-D tensor, or a function of the example. */
function labelsOf<T>(dataset: Dataset<T>, labels: readonly (number | string)[] | Tensor | ((example: T) => number | string)): (number | string)[] {
  const n = dataset.length;
  let out: (number | string)[];
  if (labels instanceof Tensor) out = Array.from(labels.data, Number);
  else if (typeof labels === 'function') out = Array.from({ length: n }, (_, i) => labels(dataset.get(i)));
  else out = [...labels];
  if (out.length !== n) throw new ChainruleError(`stratifiedSplit: got ${out.length} labels for ${n} examples`);
  return out;
}

/**
 * Splits a dataset into random subsets with (as nearly as possible) the same class proportions
 * as the whole: each class is shuffled and divided by `fractions` on its own.
 * @example const [train, test] = data.stratifiedSplit(ds, [0.75, 0.25], { labels: y, generator: new Generator(0) });
 */
export function stratifiedSplit<T>(
  dataset: Dataset<T>,
  fractions: readonly number[],
  opts: { labels: readonly (number | string)[] | Tensor | ((example: T) => number | string); generator?: Generator },
): Subset<T>[] {
  const op = 'stratifiedSplit';
  if (!Array.isArray(fractions) || fractions.length === 0 || Math.abs(fractions.reduce((a, b) => a + b, 0) - 1) > 1e-9 || fractions.some((f) => !(f >= 0))) {
    throw new ChainruleError(`${op}: fractions must be non-negative and sum to 1, got [${fractions}]`);
  }
  const g = opts.generator ?? defaultGenerator;
  const labels = labelsOf(dataset, opts.labels);
  const byClass = new Map<number | string, number[]>();
  labels.forEach((l, i) => {
    const list = byClass.get(l);
    if (list) list.push(i);
    else byClass.set(l, [i]);
  });
  const parts: number[][] = fractions.map(() => []);
  const classes = [...byClass.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const c of classes) {
    const idx = byClass.get(c) as number[];
    const perm = g.permutation(idx.length);
    const counts = countsFor(fractions, idx.length, op);
    let start = 0;
    counts.forEach((k, j) => {
      for (let t = start; t < start + k; t++) parts[j].push(idx[perm[t]]);
      start += k;
    });
  }
  // mix the classes inside each part so a sequential pass does not see them in blocks
  return parts.map((p) => {
    const perm = g.permutation(p.length);
    return new Subset(
      dataset,
      Array.from(perm, (i) => p[i]),
    );
  });
}
