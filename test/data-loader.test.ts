import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChainruleError, Generator, type Tensor, arange, data, tensor } from 'chainrule';

const X = arange(0, 20, 1, { dtype: 'float64' }).reshape([10, 2]); // row i = [2i, 2i+1]
const y = arange(0, 10, 1, { dtype: 'int32' });

describe('TensorDataset and DataLoader', () => {
  it('TensorDataset gives rows of every tensor and checks first dimensions', () => {
    const ds = new data.TensorDataset(X, y);
    assert.equal(ds.length, 10);
    const [x3, y3] = ds.get(3);
    assert.deepEqual(x3.toArray(), [6, 7]);
    assert.deepEqual(y3.shape, []);
    assert.equal(y3.item(), 3);
    assert.deepEqual(ds.get(-1)[1].item(), 9);
    assert.throws(() => ds.get(10), /TensorDataset.get: index 10 is out of range for a dataset of 10 examples/);
    assert.throws(() => new data.TensorDataset(X, arange(0, 3)), /same first dimension, got shapes \[10,2\], \[3\]/);
  });

  it('batches in order, with a smaller last batch unless dropLast', () => {
    const ds = new data.TensorDataset(X, y);
    const loader = new data.DataLoader<Tensor[], Tensor[]>(ds, { batchSize: 4 });
    assert.equal(loader.length, 3);
    const batches = [...loader];
    assert.deepEqual(
      batches.map(([, yb]) => yb.toArray()),
      [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]],
    );
    assert.deepEqual(batches[0][0].shape, [4, 2]);
    assert.deepEqual(batches[2][0].toArray(), [[16, 17], [18, 19]]);
    const dropped = new data.DataLoader<Tensor[], Tensor[]>(ds, { batchSize: 4, dropLast: true });
    assert.equal(dropped.length, 2);
    assert.equal([...dropped].length, 2);
  });

  it('seeded shuffle: every pass is a permutation, passes differ, the same seed repeats', () => {
    const ds = new data.TensorDataset(X, y);
    const run = (seed: number) => {
      const loader = new data.DataLoader<Tensor[], Tensor[]>(ds, { batchSize: 3, shuffle: true, generator: new Generator(seed) });
      return [0, 1].map(() => [...loader].flatMap(([, yb]) => Array.from(yb.data)));
    };
    const [e1, e2] = run(5);
    assert.deepEqual([...e1].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.notDeepEqual(e1, e2);
    assert.notDeepEqual(e1, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(run(5), [e1, e2]);
    assert.notDeepEqual(run(6)[0], e1);
    // x and y stay paired after shuffling
    const loader = new data.DataLoader<Tensor[], Tensor[]>(ds, { batchSize: 4, shuffle: true, generator: new Generator(1) });
    for (const [xb, yb] of loader) {
      Array.from(yb.data).forEach((label, r) => {
        assert.equal(xb.data[2 * r], 2 * label);
      });
    }
  });

  it('default collate stacks tensors and numbers in arrays and objects; custom collate is used as given', () => {
    const items = new data.ArrayDataset([
      { x: tensor([1, 2]), label: 0, w: 0.5 },
      { x: tensor([3, 4]), label: 1, w: 1.5 },
      { x: tensor([5, 6]), label: 2, w: 2 },
    ]);
    const [b] = [...new data.DataLoader(items, { batchSize: 3 })] as { x: Tensor; label: Tensor; w: Tensor }[];
    assert.deepEqual(b.x.toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.equal(b.label.dtype, 'int32');
    assert.equal(b.w.dtype, 'float32');
    assert.deepEqual(b.w.toArray(), [0.5, 1.5, 2]);
    const sums = [...new data.DataLoader(items, { batchSize: 2, collate: (ex) => ex.reduce((a, e) => a + e.label, 0) })];
    assert.deepEqual(sums, [1, 2]);
    const pairs = [...new data.DataLoader(new data.ArrayDataset([[tensor([1]), 7], [tensor([2]), 8]]), { batchSize: 2 })] as [Tensor, Tensor][];
    assert.deepEqual(pairs[0][0].toArray(), [[1], [2]]);
    assert.deepEqual(pairs[0][1].toArray(), [7, 8]);
    assert.throws(() => data.defaultCollate([tensor([1]), tensor([1, 2])]), /example 1 is float32 \[2\] but example 0 is float32 \[1\]; pass a custom collate/);
  });

  it('validates options', () => {
    const ds = new data.TensorDataset(X);
    assert.throws(() => new data.DataLoader(ds, { batchSize: 0 }), /DataLoader: batchSize must be a positive integer, got 0/);
    assert.throws(() => new data.DataLoader({} as data.Dataset), ChainruleError);
  });
});

describe('randomSplit and stratifiedSplit', () => {
  it('randomSplit: disjoint subsets covering everything, sizes from counts or fractions, seeded', () => {
    const ds = new data.TensorDataset(X, y);
    const [a, b] = data.randomSplit(ds, [7, 3], new Generator(3));
    assert.equal(a.length, 7);
    assert.equal(b.length, 3);
    assert.deepEqual([...a.indices, ...b.indices].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const again = data.randomSplit(ds, [7, 3], new Generator(3));
    assert.deepEqual(again[0].indices, a.indices);
    assert.deepEqual(
      data.randomSplit(ds, [0.5, 0.3, 0.2], new Generator(0)).map((s) => s.length),
      [5, 3, 2],
    );
    // 10 * [0.33, 0.33, 0.34] floors to [3, 3, 3]; the remainder goes to the first subset
    assert.deepEqual(
      data.randomSplit(ds, [0.33, 0.33, 0.34], new Generator(0)).map((s) => s.length),
      [4, 3, 3],
    );
    assert.equal(a.get(0)[1].item(), a.indices[0]);
    assert.throws(() => data.randomSplit(ds, [4, 4]), /must be counts summing to the dataset size 10 or fractions summing to 1/);
  });

  it('stratifiedSplit keeps each class in proportion', () => {
    // 12 of class 0, 8 of class 1, 4 of class 2
    const labels = [...Array(12).fill(0), ...Array(8).fill(1), ...Array(4).fill(2)];
    const ds = new data.ArrayDataset(labels);
    const [train, test] = data.stratifiedSplit(ds, [0.75, 0.25], { labels, generator: new Generator(9) });
    const count = (s: data.Subset<number>, c: number) => s.indices.filter((i) => labels[i] === c).length;
    assert.deepEqual([0, 1, 2].map((c) => count(train, c)), [9, 6, 3]);
    assert.deepEqual([0, 1, 2].map((c) => count(test, c)), [3, 2, 1]);
    assert.deepEqual([...train.indices, ...test.indices].sort((a, b) => a - b), labels.map((_, i) => i));
    const viaFn = data.stratifiedSplit(ds, [0.75, 0.25], { labels: (l) => l, generator: new Generator(9) });
    assert.deepEqual(viaFn[0].indices, train.indices);
    assert.throws(() => data.stratifiedSplit(ds, [0.5, 0.2], { labels }), /fractions must be non-negative and sum to 1/);
  });
});
