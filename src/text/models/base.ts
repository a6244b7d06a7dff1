import { ChainruleError } from '../../errors.js';
import { Module } from '../../nn/module.js';
import type { BatchInput } from '../features.js';
import type { PaddedBatch } from '../sequences.js';
import type { Tensor } from '../../ops/index.js';

/**
 * A classifier over one kind of batch input that returns logits [batch, classes]: the base of
 * the text models, which trainClassifier, predictProba and the exporters take.
 * @example
 * ```ts
 * const model: text.TextModule = new text.LogisticRegression(100, 2);
 * model.input // 'rows'
 * ```
 */
export abstract class TextModule extends Module {
  /** the batch kind the model takes: 'rows' (sparse features) or 'seq' (token ids) */
  abstract readonly input: BatchInput['kind'];
  /** the logits [batch, classes] of a batch of the model's input kind */
  abstract override forward(x: BatchInput): Tensor;

  /**
   * Narrows the batch to the kind this model takes (for a subclass's forward); a ChainruleError
   * naming the module otherwise.
   */
  protected expect<K extends BatchInput['kind']>(x: BatchInput, kind: K): BatchOf<K> {
    if (x.kind !== kind) throw new ChainruleError(`${this.describe()}: expected a ${kind} batch, got ${x.kind}`);
    return x as BatchOf<K>;
  }
}

/**
 * The member of BatchInput whose kind is K: `BatchOf<'seq'>` has the padded batch `pad`,
 * `BatchOf<'rows'>` the CSR rows `x`. What TextModule's `expect` narrows a batch to.
 */
export type BatchOf<K extends BatchInput['kind']> = Extract<
  BatchInput,
  {
    /** the batch kind a model takes */
    kind: K;
  }
>;

/** Multiplies a parameter's storage in place (used to rescale an initialisation). */
export function scaleInPlace(data: Float32Array | Float64Array | Int32Array | Uint8Array, s: number): void {
  for (let i = 0; i < data.length; i++) data[i] *= s;
}

/** A sequence model split at its token embeddings: what integrated gradients attribute to. */
export interface EmbeddingClassifier {
  /** the token embeddings of a padded batch [batch, length, embed] */
  embedTokens(pad: PaddedBatch): Tensor;
  /** the logits [batch, classes] computed from token embeddings of that batch */
  classifyEmbedded(e: Tensor, pad: PaddedBatch): Tensor;
}

/** A sparse-feature model as a function of the feature values of texts that share their features. */
export interface FeatureClassifier {
  /** the logits [batch, classes] of values [batch, n] of the feature columns `indices` [n] */
  classifyFeatures(values: Tensor, indices: Int32Array): Tensor;
}

/** True for models that explanations can differentiate at their token embeddings. */
export function isEmbeddingClassifier(m: TextModule): m is TextModule & EmbeddingClassifier {
  return typeof (m as Partial<EmbeddingClassifier>).classifyEmbedded === 'function';
}

/** True for sparse-feature models that explanations can differentiate at their feature values. */
export function isFeatureClassifier(m: TextModule): m is TextModule & FeatureClassifier {
  return typeof (m as Partial<FeatureClassifier>).classifyFeatures === 'function';
}
