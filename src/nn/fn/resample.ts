import { ChainruleError } from '../../errors.js';
import { tensor } from '../../tensor/creation.js';
import { showShape } from '../module.js';
import { type Tensor, adaptiveAvgPool2d, indexSelect } from '../../ops/index.js';

/** The interpolation modes of interpolate and Upsample. */
export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'area';

const MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'area'];

export interface InterpolateOptions {
  /** the output's spatial size (one number for every spatial dim, or one per dim) */
  size?: number | readonly number[];
  /** the factor each spatial dim grows by (output floor(L·factor)); give size or scaleFactor, not both */
  scaleFactor?: number | readonly number[];
  /** default 'nearest' */
  mode?: InterpolateMode;
  /** linear modes: the corner pixels' centres map onto each other (default false) */
  alignCorners?: boolean;
  /** with scaleFactor: sample at positions given by the computed output size, not by the factor */
  recomputeScaleFactor?: boolean;
}

interface Axis {
  L: number;
  out: number;
  /** the user's scale factor for this dim, when it places the samples */
  factor: number | null;
}

/** Nearest source index as PyTorch's CPU kernel computes it, in single precision. */
function nearest(a: Axis, exact: boolean): Int32Array {
  const { L, out } = a;
  const idx = new Int32Array(out);
  const f = Math.fround;
  const scale = a.factor !== null && a.factor > 0 ? f(1 / a.factor) : f(f(L) / f(out));
  for (let o = 0; o < out; o++) {
    if (!exact && out === L) idx[o] = o;
    else if (!exact && out === 2 * L) idx[o] = o >> 1;
    else idx[o] = Math.min(Math.floor(f((exact ? o + 0.5 : o) * scale)), L - 1);
  }
  return idx;
}

/** The two source indices and weights of linear interpolation (PyTorch's area_pixel_compute_* rules). */
function linear(a: Axis, align: boolean): [Int32Array, Int32Array, Float64Array, Float64Array] {
  const { L, out } = a;
  const scale = align ? (out > 1 ? (L - 1) / (out - 1) : 0) : a.factor !== null && a.factor > 0 ? 1 / a.factor : L / out;
  const i0 = new Int32Array(out);
  const i1 = new Int32Array(out);
  const l0 = new Float64Array(out);
  const l1 = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    const src = align ? scale * o : Math.max(scale * (o + 0.5) - 0.5, 0);
    const k = Math.min(Math.floor(src), L - 1);
    i0[o] = k;
    i1[o] = k + (k < L - 1 ? 1 : 0);
    const lam = Math.min(Math.max(src - k, 0), 1);
    l1[o] = lam;
    l0[o] = 1 - lam;
  }
  return [i0, i1, l0, l1];
}

/** Weights along dim d of x, broadcast over the dims after it. */
function along(w: Float64Array, x: Tensor, d: number): Tensor {
  return tensor(w, { dtype: x.dtype }).reshape([w.length, ...new Array<number>(x.ndim - d - 1).fill(1)]);
}

function sizes(x: Tensor, o: InterpolateOptions, spatial: number): Axis[] {
  const op = 'interpolate';
  const given = (v: unknown) => v !== undefined && v !== null;
  if (given(o.size) === given(o.scaleFactor)) throw new ChainruleError(`${op}: give exactly one of size and scaleFactor`);
  const list = (v: number | readonly number[], what: string): number[] => {
    const arr = typeof v === 'number' ? new Array<number>(spatial).fill(v) : [...v];
    if (arr.length !== spatial) throw new ChainruleError(`${op}: ${what} needs ${spatial} values for input ${showShape(x.shape)}, got ${JSON.stringify(v)}`);
    return arr;
  };
  const L = x.shape.slice(2);
  if (given(o.size)) {
    if (o.recomputeScaleFactor) throw new ChainruleError(`${op}: recomputeScaleFactor is for scaleFactor, not size`);
    const s = list(o.size as number | readonly number[], 'size');
    if (s.some((n) => !Number.isInteger(n) || n < 1)) throw new ChainruleError(`${op}: size must hold integers >= 1, got ${JSON.stringify(o.size)}`);
    return s.map((out, i) => ({ L: L[i], out, factor: null }));
  }
  const f = list(o.scaleFactor as number | readonly number[], 'scaleFactor');
  if (f.some((v) => !(v > 0) || !Number.isFinite(v))) throw new ChainruleError(`${op}: scaleFactor must be positive, got ${JSON.stringify(o.scaleFactor)}`);
  return f.map((factor, i) => {
    const out = Math.floor(L[i] * factor);
    if (out < 1) throw new ChainruleError(`${op}: scaleFactor ${factor} makes dim ${i + 2} of input ${showShape(x.shape)} empty`);
    return { L: L[i], out, factor: o.recomputeScaleFactor ? null : factor };
  });
}

/**
 * Resizes the spatial dims of x [N, C, ...] as torch.nn.functional.interpolate: 'nearest' (PyTorch's
 * legacy rule, floor(o·in/out)), 'nearest-exact' (sample centres), 'linear' ([N, C, L]), 'bilinear'
 * ([N, C, H, W]; alignCorners maps the corner pixels onto each other) and 'area' (adaptive average
 * pooling), to `size` or by `scaleFactor`. Each dim is a gather of source indices (weighted for the
 * linear modes), so the gradient scatters back.
 * @example F.interpolate(ones([1, 1, 2, 2]), { scaleFactor: 2, mode: 'bilinear' }).shape // [1, 1, 4, 4]
 */
export function interpolate(x: Tensor, opts: InterpolateOptions = {}): Tensor {
  const op = 'interpolate';
  const mode = opts.mode ?? 'nearest';
  if (!MODES.includes(mode)) throw new ChainruleError(`${op}: mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const spatial = x.ndim - 2;
  if (spatial < 1) throw new ChainruleError(`${op}: expected input [N, C, ...] with spatial dims, got ${showShape(x.shape)}`);
  const linearMode = mode === 'linear' || mode === 'bilinear';
  if (opts.alignCorners !== undefined && !linearMode) throw new ChainruleError(`${op}: alignCorners is for the modes linear and bilinear, not ${mode}`);
  if (mode === 'linear' && spatial !== 1) throw new ChainruleError(`${op}: mode linear needs input [N, C, L], got ${showShape(x.shape)}`);
  if (mode === 'bilinear' && spatial !== 2) throw new ChainruleError(`${op}: mode bilinear needs input [N, C, H, W], got ${showShape(x.shape)}`);
  if (mode === 'area' && spatial > 2) throw new ChainruleError(`${op}: mode area takes 1 or 2 spatial dims, got input ${showShape(x.shape)}`);
  const axes = sizes(x, opts, spatial);
  if (mode === 'area') {
    const out = axes.map((a) => a.out);
    return spatial === 1 ? adaptiveAvgPool2d(x.unsqueeze(2), [1, out[0]]).squeeze(2) : adaptiveAvgPool2d(x, [out[0], out[1]]);
  }
  let y = x;
  axes.forEach((a, i) => {
    const d = i + 2;
    if (mode === 'nearest' || mode === 'nearest-exact') {
      y = indexSelect(y, d, tensor(nearest(a, mode === 'nearest-exact')));
      return;
    }
    const [i0, i1, l0, l1] = linear(a, opts.alignCorners ?? false);
    y = indexSelect(y, d, tensor(i0)).mul(along(l0, y, d)).add(indexSelect(y, d, tensor(i1)).mul(along(l1, y, d)));
  });
  return y;
}

function factorOf(r: number, op: string): number {
  if (!Number.isInteger(r) || r < 1) throw new ChainruleError(`${op}: the factor must be an integer >= 1, got ${r}`);
  return r;
}

/**
 * Rearranges [*, C·r², H, W] into [*, C, H·r, W·r] (sub-pixel convolution's upsampling), as
 * torch.nn.functional.pixel_shuffle.
 * @example F.pixelShuffle(ones([1, 8, 2, 3]), 2).shape // [1, 2, 4, 6]
 */
export function pixelShuffle(x: Tensor, upscaleFactor: number): Tensor {
  const r = factorOf(upscaleFactor, 'pixelShuffle');
  if (x.ndim < 3) throw new ChainruleError(`pixelShuffle: expected input [*, C, H, W], got ${showShape(x.shape)}`);
  const lead = x.shape.slice(0, x.ndim - 3);
  const [C, H, W] = x.shape.slice(x.ndim - 3);
  if (C % (r * r) !== 0) throw new ChainruleError(`pixelShuffle: ${C} channels of input ${showShape(x.shape)} are not divisible by the factor squared (${r * r})`);
  const c = C / (r * r);
  const k = lead.length;
  return x
    .reshape([...lead, c, r, r, H, W])
    .permute([...lead.map((_, i) => i), k, k + 3, k + 1, k + 4, k + 2])
    .reshape([...lead, c, H * r, W * r]);
}

/**
 * The inverse of pixelShuffle: [*, C, H·r, W·r] into [*, C·r², H, W], as
 * torch.nn.functional.pixel_unshuffle.
 * @example F.pixelUnshuffle(ones([1, 2, 4, 6]), 2).shape // [1, 8, 2, 3]
 */
export function pixelUnshuffle(x: Tensor, downscaleFactor: number): Tensor {
  const r = factorOf(downscaleFactor, 'pixelUnshuffle');
  if (x.ndim < 3) throw new ChainruleError(`pixelUnshuffle: expected input [*, C, H, W], got ${showShape(x.shape)}`);
  const lead = x.shape.slice(0, x.ndim - 3);
  const [C, Hr, Wr] = x.shape.slice(x.ndim - 3);
  if (Hr % r !== 0 || Wr % r !== 0) throw new ChainruleError(`pixelUnshuffle: the height and width of input ${showShape(x.shape)} are not divisible by the factor ${r}`);
  const k = lead.length;
  return x
    .reshape([...lead, C, Hr / r, r, Wr / r, r])
    .permute([...lead.map((_, i) => i), k, k + 2, k + 4, k + 1, k + 3])
    .reshape([...lead, C * r * r, Hr / r, Wr / r]);
}
