import { ChainruleError, fmtShape } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, isGradEnabled } from './mode.js';
import type { Node, OpInfo } from '../tensor/tensor.js';

function hasNonFinite(t: Tensor): boolean {
  if (!isFloat(t.dtype)) return false;
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return true;
  return false;
}

let inBackwardOf: string | null = null;

/** Runs `fn` (an op's backward function) so that anomalies inside it are attributed to that op. */
export function attributeTo<T>(op: string, fn: () => T): T {
  const prev = inBackwardOf;
  inBackwardOf = op;
  try {
    return fn();
  } finally {
    inBackwardOf = prev;
  }
}

/** Throws when an op turned finite inputs into NaN/Infinity (anomaly mode only). */
export function checkAnomaly(op: string, phase: 'forward' | 'backward', inputs: readonly Tensor[], outputs: readonly (Tensor | null)[]): void {
  if (!isAnomalyEnabled()) return;
  if (inputs.some(hasNonFinite)) return;
  for (const o of outputs) {
    if (o && hasNonFinite(o)) {
      const what = Array.from(o.data).find((v) => !Number.isFinite(v));
      const where =
        phase === 'forward' && inBackwardOf !== null
          ? `the backward pass of ${inBackwardOf} produced ${what} (in its ${op} step)`
          : `${phase === 'backward' ? `the backward pass of ${op}` : op} produced ${what}${phase === 'forward' ? ' in its forward pass' : ''}`;
      throw new ChainruleError(`detectAnomaly: ${where} from finite inputs (shapes ${inputs.map((t) => fmtShape(t.shape)).join(', ')})`);
    }
  }
}

/**
 * Attaches the tape entry for `out = op(inputs)` when gradients are being recorded and any
 * input requires them. Every differentiable op calls this once, right after its forward kernel.
 * `backward` maps dL/d(out) to dL/d(input) for each input (null where none flows).
 * @example
 * const x = tensor([3], { requiresGrad: true });
 * const y = record({ name: 'triple', latex: ([a]) => `3${a}` }, [x], noGrad(() => x.mul(3)), (g) => [g.mul(3)]);
 * y.backward();
 * x.grad?.item(); // 3
 */
export function record(
  op: OpInfo,
  inputs: Tensor[],
  out: Tensor,
  backward: Node['backward'],
  attrs?: Record<string, unknown>,
): Tensor {
  checkAnomaly(op.name, 'forward', inputs, [out]);
  if (isGradEnabled() && isFloat(out.dtype) && inputs.some((t) => t.requiresGrad)) {
    out.node = { op, inputs, backward, attrs };
    out.requiresGrad = true;
  }
  return out;
}
