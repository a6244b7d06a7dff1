import { ChainruleError } from '../errors.js';
import type { Generator } from '../tensor/random.js';
import { dropout } from './fn/dropout.js';
import { Module } from './module.js';
import type { Tensor } from '../ops/index.js';

/**
 * During training zeroes each element with probability p (from the seeded Generator, or the one
 * given) and scales the rest by 1/(1-p); in eval mode it is the identity.
 * @example const d = new nn.Dropout(0.5).eval(); d.forward(ones([3])).toArray() // [1, 1, 1]
 */
export class Dropout extends Module {
  private _generator: Generator | undefined;

  constructor(
    /** probability of zeroing each element in training mode (default 0.5); survivors are scaled by 1/(1-p) */
    readonly p = 0.5,
    opts: { generator?: Generator } = {},
  ) {
    super();
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ChainruleError(`Dropout: p must be in [0, 1], got ${p}`);
    this._generator = opts.generator;
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }

  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this._generator });
  }
}
