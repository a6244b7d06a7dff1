import { noGrad } from '../autograd/mode.js';
import { ChainruleError } from '../errors.js';
import { Tensor } from '../ops/index.js';

function gradsOf(params: Iterable<Tensor> | Tensor, op: string): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new ChainruleError(`${op}: parameter ${i} is not a Tensor`);
  });
  return list.filter((p) => p.grad !== null).map((p) => p.grad as Tensor);
}

/**
 * Rescales the gradients of `params` in place so that their combined norm (the norm of all
 * gradient entries taken as one vector) is at most `maxNorm`, as torch.nn.utils.clip_grad_norm_:
 * every gradient is multiplied by min(1, maxNorm / (total + 1e-6)). Returns the total norm
 * before clipping. `normType` is any p > 0 or Infinity (max |g|). As in PyTorch, the norms are
 * computed in the gradients' own precision: float32 gradients whose norm overflows float32 give an
 * infinite total, and are zeroed.
 * @example
 * const w = tensor([3, 4], { requiresGrad: true });
 * w.mul(w).sum().mul(0.5).backward(); // w.grad is [3, 4], of norm 5
 * const total = optim.clipGradNorm([w], 1.0); // then opt.step()
 * total.item() // 5
 * w.grad?.toArray() // [0.6, 0.8]
 */
export function clipGradNorm(
  params: Iterable<Tensor> | Tensor,
  maxNorm: number,
  normType = 2,
  opts: { errorIfNonfinite?: boolean } = {},
): number {
  const op = 'clipGradNorm';
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) throw new ChainruleError(`${op}: maxNorm must be a number >= 0, got ${maxNorm}`);
  if (typeof normType !== 'number' || !(normType > 0)) throw new ChainruleError(`${op}: normType must be a positive number or Infinity, got ${normType}`);
  const grads = gradsOf(params, op);
  if (grads.length === 0) return 0;
  // each tensor's norm in its dtype, the norm of those norms in the widest one (torch.stack promotes)
  const rounding = (t: Tensor): ((v: number) => number) => (t.dtype === 'float32' ? Math.fround : (v) => v);
  const wide = grads.some((g) => g.dtype !== 'float32') ? (v: number) => v : Math.fround;
  let total: number;
  if (normType === Number.POSITIVE_INFINITY) {
    total = 0;
    for (const g of grads) for (let i = 0; i < g.size; i++) total = Math.max(total, Math.abs(g.data[i]));
  } else {
    // per-tensor norms, then the norm of the norms (PyTorch's order of summation)
    let acc = 0;
    for (const g of grads) {
      const r = rounding(g);
      let s = 0;
      for (let i = 0; i < g.size; i++) s = r(s + r(Math.abs(g.data[i]) ** normType));
      acc = wide(acc + wide(r(s ** (1 / normType)) ** normType));
    }
    total = wide(acc ** (1 / normType));
  }
  if (!Number.isFinite(total) && opts.errorIfNonfinite) {
    throw new ChainruleError(`${op}: the total norm of order ${normType} of the gradients is ${total}; clipping cannot fix that`);
  }
  const coef = Math.min(1, wide(maxNorm / wide(total + 1e-6)));
  noGrad(() => {
    for (const g of grads) for (let i = 0; i < g.size; i++) g.data[i] *= coef;
  });
  return total;
}

/**
 * Clamps every gradient entry of `params` into [-clipValue, clipValue] in place
 * (torch.nn.utils.clip_grad_value_).
 * @example const w = tensor([3, -4], { requiresGrad: true }); w.mul(w).sum().mul(0.5).backward(); optim.clipGradValue([w], 0.5); w.grad?.toArray() // [0.5, -0.5]
 */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const op = 'clipGradValue';
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) throw new ChainruleError(`${op}: clipValue must be a number >= 0, got ${clipValue}`);
  for (const g of gradsOf(params, op)) {
    for (let i = 0; i < g.size; i++) g.data[i] = Math.min(clipValue, Math.max(-clipValue, g.data[i]));
  }
}
