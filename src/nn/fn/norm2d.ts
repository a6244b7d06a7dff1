import { noGrad } from '../../autograd/mode.js';
import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { type Tensor, avgPool2d } from '../../ops/index.js';

/** [C, 1, ..., 1]: a per-channel tensor broadcast over the dims after the channels of x. */
const perChannel = (t: Tensor, x: Tensor): Tensor => t.reshape([x.shape[1], ...new Array<number>(x.ndim - 2).fill(1)]);

/**
 * Group normalisation as torch.nn.functional.group_norm: the channels of x [N, C, ...] split into
 * numGroups groups, each sample's group normalised by its own mean and biased variance, then the
 * per-channel weight and bias.
 * @example F.groupNorm(randn([2, 6, 4, 4]), 3).shape // [2, 6, 4, 4]
 */
export function groupNorm(x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  if (x.ndim < 2) throw new ChainruleError(`groupNorm: expected input [N, C, ...], got ${showShape(x.shape)}`);
  const [N, C] = x.shape;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new ChainruleError(`groupNorm: ${C} channels of input ${showShape(x.shape)} cannot be split into ${numGroups} groups`);
  }
  for (const [t, what] of [
    [weight, 'weight'],
    [bias, 'bias'],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new ChainruleError(`groupNorm: ${what} must be [${C}], got ${showShape(t.shape)}`);
  }
  const g = x.reshape([N, numGroups, -1]);
  const mu = g.mean(2, { keepdim: true });
  const xc = g.sub(mu);
  const v = xc.mul(xc).mean(2, { keepdim: true });
  let y = xc.div(v.add(eps).sqrt()).reshape(x.shape);
  if (weight) y = y.mul(perChannel(weight, x));
  if (bias) y = y.add(perChannel(bias, x));
  return y;
}

export interface InstanceNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** normalise with each instance's statistics (default true) and update the running ones; false: use the running ones */
  useInputStats?: boolean;
  /** running = (1 - momentum)·running + momentum·(the batch mean of the instances' statistics) */
  momentum?: number;
  eps?: number;
}

/**
 * Instance normalisation as torch.nn.functional.instance_norm: each sample's channel of x
 * [N, C, ...] normalised by its own mean and biased variance over the spatial dims. Given running
 * statistics, they move towards the batch average of the instances' means and unbiased
 * variances (in place); with useInputStats false they are used instead.
 * @example F.instanceNorm(randn([2, 3, 5, 5])).shape // [2, 3, 5, 5]
 */
export function instanceNorm(x: Tensor, runningMean: Tensor | null = null, runningVar: Tensor | null = null, opts: InstanceNormOptions = {}): Tensor {
  if (x.ndim < 3) throw new ChainruleError(`instanceNorm: expected input [N, C, ...] with at least one spatial dim, got ${showShape(x.shape)}`);
  const [N, C] = x.shape;
  const eps = opts.eps ?? 1e-5;
  const momentum = opts.momentum ?? 0.1;
  for (const [t, what] of [
    [opts.weight, 'weight'],
    [opts.bias, 'bias'],
    [runningMean, 'running mean'],
    [runningVar, 'running variance'],
  ] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new ChainruleError(`instanceNorm: ${what} must be [${C}], got ${showShape(t.shape)}`);
  }
  if ((runningMean === null) !== (runningVar === null)) throw new ChainruleError('instanceNorm: give both the running mean and the running variance, or neither');
  let y: Tensor;
  if (opts.useInputStats ?? true) {
    const n = x.size / Math.max(1, N * C);
    if (n <= 1) throw new ChainruleError(`instanceNorm: expected more than 1 spatial element per channel, got input ${showShape(x.shape)}`);
    const flat = x.reshape([N, C, -1]);
    const mu = flat.mean(2, { keepdim: true });
    const xc = flat.sub(mu);
    const v = xc.mul(xc).mean(2, { keepdim: true });
    y = xc.div(v.add(eps).sqrt()).reshape(x.shape);
    if (runningMean && runningVar) {
      noGrad(() => {
        const rm = runningMean.data;
        const rv = runningVar.data;
        for (let c = 0; c < C; c++) {
          let m = 0;
          let s = 0;
          for (let b = 0; b < N; b++) {
            m += mu.data[b * C + c];
            s += v.data[b * C + c] * (n / (n - 1));
          }
          rm[c] = (1 - momentum) * rm[c] + (momentum * m) / N;
          rv[c] = (1 - momentum) * rv[c] + (momentum * s) / N;
        }
      });
    }
  } else {
    if (!runningMean || !runningVar) throw new ChainruleError('instanceNorm: useInputStats false needs the running mean and variance');
    y = x.sub(perChannel(runningMean, x)).div(perChannel(runningVar, x).add(eps).sqrt());
  }
  if (opts.weight) y = y.mul(perChannel(opts.weight, x));
  if (opts.bias) y = y.add(perChannel(opts.bias, x));
  return y;
}

/**
 * Local response normalisation across channels as torch.nn.functional.local_response_norm:
 * x / (k + alpha/size · sum of x² over the `size` neighbouring channels)^beta, the window running
 * from size/2 channels before to (size-1)/2 after (zeros past the ends).
 * @example F.localResponseNorm(ones([1, 4, 2, 2]), 3).shape // [1, 4, 2, 2]
 */
export function localResponseNorm(x: Tensor, size: number, alpha = 1e-4, beta = 0.75, k = 1): Tensor {
  if (x.ndim < 3) throw new ChainruleError(`localResponseNorm: expected input [N, C, ...] with at least 3 dims, got ${showShape(x.shape)}`);
  if (!Number.isInteger(size) || size < 1) throw new ChainruleError(`localResponseNorm: size must be an integer >= 1, got ${size}`);
  const [N, C] = x.shape;
  const L = x.size / Math.max(1, N * C);
  // the mean of x² over a window of `size` channels: average pooling of the zero-padded squares
  const sq = x.mul(x).reshape([N, 1, C, L]).pad([0, 0, Math.floor(size / 2), Math.floor((size - 1) / 2)]);
  const div = avgPool2d(sq, [size, 1], { stride: 1 }).reshape(x.shape);
  return x.div(div.mul(alpha).add(k).pow(beta));
}
