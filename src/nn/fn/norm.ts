import { noGrad } from '../../autograd/mode.js';
import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import type { Tensor } from '../../ops/index.js';

/**
 * Normalises over the trailing `normalizedShape` dims: (x - mean)/sqrt(var + eps)·weight + bias,
 * with the biased variance, as torch.nn.functional.layer_norm.
 * @example F.layerNorm(tensor([[1, 2, 3]]), [3]).sum().item() // ≈ 0
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const k = normalizedShape.length;
  const tail = x.shape.slice(x.ndim - k);
  if (k === 0 || x.ndim < k || tail.some((n, i) => n !== normalizedShape[i])) {
    throw new ChainruleError(`layerNorm: expected input [*, ${normalizedShape.join(', ')}], got ${showShape(x.shape)}`);
  }
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mu = x.mean(dims, { keepdim: true });
  const xc = x.sub(mu);
  const v = xc.mul(xc).mean(dims, { keepdim: true });
  let y = xc.div(v.add(eps).sqrt());
  if (weight) y = y.mul(weight);
  if (bias) y = y.add(bias);
  return y;
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** use batch statistics and update the running ones (default false: use the running ones) */
  training?: boolean;
  /** running = (1 - momentum)·running + momentum·batch; null: cumulative average (needs numBatchesTracked) */
  momentum?: number | null;
  eps?: number;
  /** batches seen so far including this one, for momentum null */
  numBatchesTracked?: number;
}

/**
 * Batch normalisation over [N, C, ...] inputs ([N, C], [N, C, L], [N, C, H, W], ...), as
 * torch.nn.functional.batch_norm: training normalises with the batch mean and biased variance and
 * moves the running mean and the running (unbiased) variance in place; evaluation normalises with
 * the running statistics.
 * @example F.batchNorm(randn([8, 3]), zeros([3]), ones([3]), { training: true }).shape // [8, 3]
 */
export function batchNorm(x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, opts: BatchNormOptions = {}): Tensor {
  if (x.ndim < 2) throw new ChainruleError(`batchNorm: expected input [N, C, ...], got ${showShape(x.shape)}`);
  const C = x.shape[1];
  const eps = opts.eps ?? 1e-5;
  // every dim but the channels', and the channels broadcast over the dims after them
  const dims = [0, ...Array.from({ length: x.ndim - 2 }, (_, i) => i + 2)];
  const bshape = [C, ...new Array<number>(x.ndim - 2).fill(1)];
  const training = opts.training ?? false;
  let mean: Tensor;
  let v: Tensor;
  if (training) {
    const n = x.size / C;
    if (n <= 1) throw new ChainruleError(`batchNorm: expected more than 1 value per channel when training, got input ${showShape(x.shape)}`);
    mean = x.mean(dims);
    const xc = x.sub(mean.reshape(bshape));
    v = xc.mul(xc).mean(dims);
    if (runningMean && runningVar) {
      const m = opts.momentum === null ? 1 / (opts.numBatchesTracked ?? 1) : (opts.momentum ?? 0.1);
      noGrad(() => {
        const rm = runningMean.data;
        const rv = runningVar.data;
        for (let c = 0; c < C; c++) {
          rm[c] = (1 - m) * rm[c] + m * mean.data[c];
          rv[c] = (1 - m) * rv[c] + m * v.data[c] * (n / (n - 1));
        }
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new ChainruleError('batchNorm: evaluation needs the running mean and variance');
    mean = runningMean;
    v = runningVar;
  }
  let y = x.sub(mean.reshape(bshape)).div(v.add(eps).sqrt().reshape(bshape));
  if (opts.weight) y = y.mul(opts.weight.reshape(bshape));
  if (opts.bias) y = y.add(opts.bias.reshape(bshape));
  return y;
}
