import { ChainruleError } from '../../errors.js';
import { empty } from '../../tensor/creation.js';
import { type Generator, defaultGenerator } from '../../tensor/random.js';
import type { Tensor } from '../../ops/index.js';

export interface DropoutOptions {
  /** apply dropout (default true); false returns the input unchanged */
  training?: boolean;
  generator?: Generator;
}

/**
 * Zeroes each element with probability p and scales the survivors by 1/(1-p), so the expected
 * value is unchanged; the identity when not training. The mask comes from the seeded Generator.
 * @example F.dropout(ones([4]), 0.5, { training: false }).toArray() // [1, 1, 1, 1]
 */
export function dropout(x: Tensor, p = 0.5, opts: DropoutOptions = {}): Tensor {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ChainruleError(`dropout: p must be in [0, 1], got ${p}`);
  if (!(opts.training ?? true) || p === 0) return x;
  const g = opts.generator ?? defaultGenerator;
  const mask = empty(x.shape, x.dtype);
  const scale = p === 1 ? 0 : 1 / (1 - p);
  for (let i = 0; i < mask.size; i++) mask.data[i] = g.random() < p ? 0 : scale;
  return x.mul(mask);
}
