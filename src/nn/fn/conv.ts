import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';
import { asStrided, conv1d as conv1dOp, type Tensor } from '../../ops/index.js';

/**
 * Options of F.conv1d (defaults stride 1, padding 0, dilation 1, groups 1).
 * @example F.conv1d(ones([1, 1, 5]), ones([1, 1, 3]), null, { padding: 'same' }).toArray() // [[[2, 3, 3, 3, 2]]]
 */
export interface Conv1dOptions {
  /** step between windows (default 1) */
  stride?: number;
  /** zeros added on both sides of the sequence; 'valid' is 0, 'same' keeps the length (stride 1) */
  padding?: number | 'valid' | 'same';
  /** spacing between kernel taps (default 1) */
  dilation?: number;
  /** split channels into this many independent groups (default 1) */
  groups?: number;
}

function posInt(v: number, what: string, min = 1): number {
  if (!Number.isInteger(v) || v < min) throw new ChainruleError(`conv1d: ${what} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * Output length of a 1-d convolution or pooling window sweep (PyTorch's formula):
 * floor((L + 2·padding - dilation·(kernel - 1) - 1)/stride) + 1, or rounded up with ceilMode.
 * @example F.convOutLength(10, 3, 2, 1, 1) // 5
 */
export function convOutLength(L: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode = false): number {
  const span = L + 2 * padding - dilation * (kernel - 1) - 1;
  if (span < 0) return 0;
  let n = (ceilMode ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  // with ceil mode the last window must start inside the input or the left padding
  if (ceilMode && (n - 1) * stride >= L + padding) n--;
  return n;
}

/** [left, right] zero padding: symmetric for a number; for 'same' the extra zero goes right, as PyTorch. */
function paddingOf(padding: number | 'valid' | 'same', span: number, stride: number): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'same') {
    if (stride !== 1) throw new ChainruleError(`conv1d: padding 'same' needs stride 1, got stride ${stride}`);
    const left = Math.floor(span / 2);
    return [left, span - left];
  }
  const p = posInt(padding, 'padding', 0);
  return [p, p];
}

/**
 * 1-d cross-correlation as torch.nn.functional.conv1d: x [N, Cin, L] (or [Cin, L]), weight
 * [Cout, Cin/groups, K]. With groups 1 this is the conv1d op (strided GEMMs that read the padded
 * input in place); grouped convolutions are im2col (an asStrided window view) times the weight.
 * @example F.conv1d(ones([1, 2, 5]), ones([3, 2, 3])).shape // [1, 3, 3]
 */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  const stride = posInt(opts.stride ?? 1, 'stride');
  const dilation = posInt(opts.dilation ?? 1, 'dilation');
  const groups = posInt(opts.groups ?? 1, 'groups');
  if (weight.ndim !== 3) throw new ChainruleError(`conv1d: weight must be [outChannels, inChannels/groups, kernel], got ${showShape(weight.shape)}`);
  const unbatched = x.ndim === 2;
  if (!unbatched && x.ndim !== 3) throw new ChainruleError(`conv1d: expected input [N, C, L] or [C, L], got ${showShape(x.shape)}`);
  const xb = unbatched ? x.unsqueeze(0) : x;
  const [N, Cin, L] = xb.shape;
  const [Cout, Cg, K] = weight.shape;
  if (Cin % groups !== 0 || Cout % groups !== 0) {
    throw new ChainruleError(`conv1d: ${Cin} input and ${Cout} output channels must both be divisible by groups=${groups}`);
  }
  if (Cg * groups !== Cin) {
    throw new ChainruleError(`conv1d: weight ${showShape(weight.shape)} expects ${Cg * groups} input channels, got input ${showShape(x.shape)}`);
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== Cout)) throw new ChainruleError(`conv1d: bias must be [${Cout}], got ${showShape(bias.shape)}`);
  const [left, right] = paddingOf(opts.padding ?? 0, dilation * (K - 1), stride);
  const Lp = L + left + right;
  const Lout = Lp >= dilation * (K - 1) + 1 ? Math.floor((Lp - dilation * (K - 1) - 1) / stride) + 1 : 0;
  if (Lout <= 0) {
    throw new ChainruleError(`conv1d: input length ${L} (padded ${Lp}) is shorter than the dilated kernel ${dilation * (K - 1) + 1}`);
  }
  const xp = left || right ? xb.pad([left, right]) : xb;
  let y: Tensor;
  if (groups === 1) {
    y = conv1dOp(xp, weight, { stride, dilation });
  } else {
    // cols[n, g, c, k, t] = xp[n, g·Cg + c, t·stride + k·dilation]
    const cols = asStrided(xp, [N, groups, Cg, K, Lout], [Cin * Lp, Cg * Lp, Lp, dilation, stride]).reshape([N, groups, Cg * K, Lout]);
    const w = weight.reshape([groups, Cout / groups, Cg * K]);
    y = w.matmul(cols).reshape([N, Cout, Lout]);
  }
  if (bias) y = y.add(bias.reshape([Cout, 1]));
  return unbatched ? y.squeeze(0) : y;
}
