import { ChainruleError } from '../../errors.js';
import { Module } from '../../nn/module.js';
import type { BatchInput } from '../features.js';
import type { Tensor } from '../../ops/index.js';

/** A classifier over one kind of batch input that returns logits [batch, classes]. */
export abstract class TextModule extends Module {
  abstract readonly input: BatchInput['kind'];
  abstract override forward(x: BatchInput): Tensor;

  /** Narrows the batch to the kind this model takes, with a clear error otherwise. */
  protected expect<K extends BatchInput['kind']>(x: BatchInput, kind: K): Extract<BatchInput, { kind: K }> {
    if (x.kind !== kind) throw new ChainruleError(`${this.describe()}: expected a ${kind} batch, got ${x.kind}`);
    return x as Extract<BatchInput, { kind: K }>;
  }
}

/** Multiplies a parameter's storage in place (used to rescale an initialisation). */
export function scaleInPlace(data: Float32Array | Float64Array | Int32Array | Uint8Array, s: number): void {
  for (let i = 0; i < data.length; i++) data[i] *= s;
}
