import { ChainruleError } from '../errors.js';
import { isGradEnabled, noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { type OpInfo, Tensor } from '../tensor/tensor.js';
import { clone } from './shape.js';

/** What customOp needs: a name, the forward, and the backward (torch.autograd.Function's two methods). */
export interface CustomOpSpec {
  /** the op's name, as graphs and error messages show it */
  name: string;
  /** LaTeX of the op given its arguments' LaTeX (defaults to \operatorname{name}(args)). */
  latex?: OpInfo['latex'];
  /** Computes the output; runs without recording, so any library ops may be used. */
  forward: (...inputs: Tensor[]) => Tensor;
  /**
   * Given dL/d(output), the inputs and the output, returns dL/d(input) for each input (null for
   * none). Written with library ops, it is itself differentiable (double backward).
   */
  backward: (grad: Tensor, inputs: Tensor[], output: Tensor) => (Tensor | null)[];
}

/**
 * Defines an op with its own forward and backward, like torch.autograd.Function.
 * @example
 * const cube = customOp({ name: 'cube', forward: (x) => x.mul(x).mul(x), backward: (g, [x]) => [g.mul(x.square().mul(3))] });
 * const x = tensor([2], { requiresGrad: true }); cube(x).sum().backward(); x.grad?.item() // 12
 */
export function customOp(spec: CustomOpSpec): (...inputs: Tensor[]) => Tensor {
  const info: OpInfo = { name: spec.name, latex: spec.latex ?? ((args) => `\\operatorname{${spec.name}}\\left(${args.join(', ')}\\right)`) };
  return (...inputs: Tensor[]) => {
    inputs.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new ChainruleError(`${spec.name}: input ${i} must be a Tensor`);
    });
    let out = noGrad(() => spec.forward(...inputs));
    if (!(out instanceof Tensor)) throw new ChainruleError(`${spec.name}: forward must return a Tensor`);
    if (inputs.includes(out) || out.node) out = new Tensor(out.data.slice(), out.shape);
    return record(info, inputs, out, (g) => {
      const grads = spec.backward(g, inputs, out);
      if (!Array.isArray(grads) || grads.length !== inputs.length) {
        throw new ChainruleError(`${spec.name}: backward must return one gradient (or null) per input, got ${Array.isArray(grads) ? grads.length : typeof grads}`);
      }
      // a user's backward may return any tensor (a captured constant, an input): the engine gives
      // gradients their own storage only when they are not fresh, so hand it copies
      return isGradEnabled() ? grads : grads.map((gr) => (gr instanceof Tensor ? clone(gr) : gr));
    });
  };
}
