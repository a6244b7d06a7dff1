import { Dropout } from '../../nn/dropout.js';
import { EmbeddingBag } from '../../nn/embedding.js';
import { Linear } from '../../nn/linear.js';
import { Parameter } from '../../nn/parameter.js';
import { rand, tensor, zeros } from '../../tensor/creation.js';
import type { BatchInput } from '../features.js';
import { TextModule } from './base.js';
import { sparseMatmul, type Tensor } from '../../ops/index.js';

/** A [rows, cols] weight drawn from U(-bound, bound). */
function uniformWeight(rows: number, cols: number, bound: number): Parameter {
  return new Parameter(rand([rows, cols]).mul(2 * bound).sub(bound));
}

/**
 * Multinomial logistic regression on sparse features: logits = X·W + b with W [features, classes]
 * (the sparse rows are never densified).
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const batch = text.makeBatch(f.encode(docs), [0, 2]);
 * new text.LogisticRegression(f.size, 2).forward(batch).toArray() // [[0, 0], [0, 0]]
 * ```
 */
export class LogisticRegression extends TextModule {
  readonly input = 'rows' as const;
  /** the weights `[features, classes]`, zero-initialised */
  weight: Parameter;
  /** the bias `[classes]`, zero-initialised */
  bias: Parameter;

  constructor(
    /** input width: the number of sparse features (the Featurizer's size) */
    readonly features: number,
    /** number of classes (the logits' width) */
    readonly classes: number,
  ) {
    super();
    this.weight = new Parameter(zeros([features, classes]));
    this.bias = new Parameter(zeros([classes]));
  }

  override describe(): string {
    return `LogisticRegression ${this.features}->${this.classes}`;
  }

  forward(x: BatchInput): Tensor {
    return sparseMatmul(this.expect(x, 'rows').x, this.weight).add(this.bias);
  }

  /** The logits of values [batch, n] of the feature columns `indices` (the same product, dense). */
  classifyFeatures(values: Tensor, indices: Int32Array): Tensor {
    return values.matmul(this.weight.indexSelect(0, tensor(indices, { shape: [indices.length] }))).add(this.bias);
  }
}

/**
 * A one-hidden-layer perceptron on sparse TF-IDF rows: relu(X·W1 + b1) -> dropout -> Linear.
 * The first layer is a sparse-dense product, so 50,000-wide rows cost only their non-zeros.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const batch = text.makeBatch(f.encode(docs), [0, 2]);
 * new text.SparseMLP(f.size, 8, 2).forward(batch).shape // [2, 2]
 * ```
 */
export class SparseMLP extends TextModule {
  readonly input = 'rows' as const;
  /** the first layer's weights `[features, hidden]`, Glorot-uniform (applied as a sparse-dense product) */
  w1: Parameter;
  /** the first layer's bias `[hidden]`, zero-initialised */
  b1: Parameter;
  /** dropout on the hidden activations (p = the constructor's dropout, default 0.5) */
  drop: Dropout;
  /** the output layer, Linear(hidden, classes) */
  out: Linear;

  constructor(
    /** input width: the number of sparse features (the Featurizer's size) */
    readonly features: number,
    /** width of the hidden layer */
    readonly hidden: number,
    /** number of classes (the logits' width) */
    readonly classes: number,
    dropout = 0.5,
  ) {
    super();
    this.w1 = uniformWeight(features, hidden, Math.sqrt(6 / (features + hidden)));
    this.b1 = new Parameter(zeros([hidden]));
    this.drop = new Dropout(dropout);
    this.out = new Linear(hidden, classes);
  }

  override describe(): string {
    return `SparseMLP ${this.features}->${this.hidden}->${this.classes}`;
  }

  forward(x: BatchInput): Tensor {
    const h = sparseMatmul(this.expect(x, 'rows').x, this.w1).add(this.b1).relu();
    return this.out.call(this.drop.call(h));
  }

  /** The logits of values [batch, n] of the feature columns `indices` (the same layers, dense). */
  classifyFeatures(values: Tensor, indices: Int32Array): Tensor {
    const h = values.matmul(this.w1.indexSelect(0, tensor(indices, { shape: [indices.length] }))).add(this.b1).relu();
    return this.out.call(this.drop.call(h));
  }
}

/**
 * fastText-style classifier: an nn.EmbeddingBag over a text's word and bigram ids, each weighted
 * by 1/len (sum mode with per-sample weights, which is the mean of the embeddings, counting
 * repeated n-grams as often as they occur), followed by a linear layer.
 * @example
 * ```ts
 * const docs = [['free', 'prize', 'now'], ['team', 'meeting'], ['free', 'team', 'lunch']];
 * const f = text.Featurizer.fit(docs, { kind: 'bag', ngramRange: [1, 2], minDf: 1, maxFeatures: 100 });
 * const batch = text.makeBatch(f.encode(docs), [0, 2]);
 * new text.FastText(f.size, 4, 2).forward(batch).shape // [2, 2]
 * ```
 */
export class FastText extends TextModule {
  readonly input = 'rows' as const;
  /** the n-gram embeddings, EmbeddingBag(features, dim) in sum mode with the bag weights, U(-1/dim, 1/dim) */
  bag: EmbeddingBag;
  /** dropout on the pooled embedding (p = the constructor's dropout, default 0) */
  drop: Dropout;
  /** the output layer, Linear(dim, classes) */
  out: Linear;

  constructor(
    /** number of n-gram ids (the Featurizer's size) */
    readonly features: number,
    /** embedding width */
    readonly dim: number,
    /** number of classes (the logits' width) */
    readonly classes: number,
    dropout = 0,
  ) {
    super();
    this.bag = new EmbeddingBag(features, dim, { mode: 'sum' });
    // fastText's init: U(-1/dim, 1/dim)
    this.bag.weight.data.set(uniformWeight(features, dim, 1 / dim).data);
    this.drop = new Dropout(dropout);
    this.out = new Linear(dim, classes);
  }

  override describe(): string {
    return `FastText ${this.features}x${this.dim}->${this.classes}`;
  }

  forward(x: BatchInput): Tensor {
    const { indices, indptr, values, rows } = this.expect(x, 'rows').x;
    const ids = tensor(indices, { shape: [indices.length] });
    const w = tensor(values, { shape: [values.length] });
    const pooled = this.bag.call(ids, Array.from(indptr.subarray(0, rows)), w);
    return this.out.call(this.drop.call(pooled));
  }

  /** The logits of bag weights [batch, n] of the n-gram ids `indices` (the weighted sum, dense). */
  classifyFeatures(values: Tensor, indices: Int32Array): Tensor {
    const pooled = values.matmul(this.bag.weight.indexSelect(0, tensor(indices, { shape: [indices.length] })));
    return this.out.call(this.drop.call(pooled));
  }
}
