import { ChainruleError } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { Tensor } from '../ops/index.js';

/**
 * A trainable tensor: a leaf that requires grad. Modules find their Parameters by walking their
 * own fields, so assigning one to a field (`this.w = new Parameter(randn([3]))`) is all it takes.
 * The Parameter shares storage with the tensor it wraps.
 *
 * @example
 * const p = new nn.Parameter(zeros([2, 3]));
 * p.requiresGrad // true
 */
export class Parameter extends Tensor {
  constructor(t: Tensor, requiresGrad = true) {
    if (!(t instanceof Tensor)) throw new ChainruleError('Parameter: expected a Tensor');
    if (!isFloat(t.dtype)) throw new ChainruleError(`Parameter: parameters must be float tensors, got ${t.dtype}`);
    super(t.data, t.shape, t.name);
    this.requiresGrad = requiresGrad;
  }
}
