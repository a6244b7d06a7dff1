// im2col and col2im (torch.nn.functional.unfold and fold): the sliding blocks of a batched image as
// columns, and their sum back into the image. Each is the other's gradient. im2col is one strided
// copy of the zero-padded input (window rows and columns are strides of the padded plane); col2im
// is its adjoint, a strided accumulate into a zero-padded plane (overlapping windows add up), then
// the padding cropped.
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, zeros } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { defineOp } from './define.js';
import { assertTensor } from './kernel.js';
import { narrow, pad } from './shape.js';
import { type Size2d, pair } from './size2d.js';

/** Kernel geometry of im2col and col2im (PyTorch's names; stride 1, padding 0 and dilation 1 by default). */
export interface FoldOptions {
  /** spacing between the elements of a block, one number or [height, width] (default 1) */
  dilation?: Size2d;
  /** zeros on both sides of each dim */
  padding?: Size2d;
  /** step between blocks, one number or [height, width] (default 1) */
  stride?: Size2d;
}

interface Blocks {
  k: [number, number];
  d: [number, number];
  p: [number, number];
  s: [number, number];
  /** blocks along each dim */
  n: [number, number];
}

function fail(name: string, msg: string): never {
  throw new ChainruleError(`${name}: ${msg}`);
}

function blocks(name: string, H: number, W: number, kernelSize: Size2d, o: FoldOptions): Blocks {
  const k = pair(name, 'kernel size', kernelSize, 1);
  const d = pair(name, 'dilation', o.dilation, 1);
  const s = pair(name, 'stride', o.stride, 1);
  const p = ((v) => {
    const ok = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
    if (v === undefined) return [0, 0] as [number, number];
    if (ok(v)) return [v, v] as [number, number];
    if (Array.isArray(v) && v.length === 2 && ok(v[0]) && ok(v[1])) return [v[0], v[1]] as [number, number];
    fail(name, `padding must be an integer >= 0 or [height, width], got ${JSON.stringify(v)}`);
  })(o.padding);
  const n = [0, 1].map((i) => Math.floor(([H, W][i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) / s[i]) + 1) as [number, number];
  if (n[0] < 1 || n[1] < 1) {
    fail(name, `a ${H}x${W} input (padding ${p[0]}x${p[1]}) holds no ${d[0] * (k[0] - 1) + 1}x${d[1] * (k[1] - 1) + 1} block (kernel ${k[0]}x${k[1]}, dilation ${d[0]}x${d[1]})`);
  }
  return { k, d, p, s, n };
}

/** The strides of the blocks [N, C, kh, kw, i, j] in the padded planes Hp x Wp. */
function windowStrides(C: number, Hp: number, Wp: number, b: Blocks): number[] {
  return [C * Hp * Wp, Hp * Wp, b.d[0] * Wp, b.d[1], b.s[0] * Wp, b.s[1]];
}

const attrsOf = (b: Blocks): Record<string, unknown> => ({ kernelSize: b.k, dilation: b.d, padding: b.p, stride: b.s });

/**
 * The sliding blocks of x [N, C, H, W] as columns, as torch.nn.functional.unfold: [N, C·kh·kw, L]
 * with L the number of blocks, row (c, i, j) holding element (i, j) of each block of channel c.
 * @example im2col(ones([1, 2, 3, 3]), 2).shape // [1, 8, 4]
 */
export const im2col = defineOp(
  {
    name: 'im2col',
    doc: 'The sliding blocks of [N, C, H, W] as columns [N, C·kh·kw, L] (torch.nn.functional.unfold).',
    params: [{ name: 'kernelSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([a]) => `\\operatorname{unfold}\\left(${a}\\right)`,
    label: 'unfold',
  },
  (def) =>
    function im2col(x: Tensor, kernelSize: Size2d, opts: FoldOptions = {}): Tensor {
      assertTensor(x, 'im2col');
      if (x.ndim !== 4) fail('im2col', `input must be [N, C, H, W], got ${fmtShape(x.shape)}`);
      if (!isFloat(x.dtype)) fail('im2col', `needs a float input, got ${x.dtype}`);
      const [N, C, H, W] = x.shape;
      const b = blocks('im2col', H, W, kernelSize, opts);
      const [ph, pw] = b.p;
      const xp = ph || pw ? noGrad(() => pad(x, [pw, pw, ph, ph])) : x;
      const Hp = H + 2 * ph;
      const Wp = W + 2 * pw;
      const out = empty([N, C * b.k[0] * b.k[1], b.n[0] * b.n[1]], x.dtype);
      kernels().stridedCopy(xp.data, 0, windowStrides(C, Hp, Wp, b), [N, C, b.k[0], b.k[1], b.n[0], b.n[1]], out.data);
      const o = { dilation: b.d, padding: b.p, stride: b.s };
      return record(def, [x], out, (g) => [col2im(g, [H, W], b.k, o)], attrsOf(b));
    },
);

/**
 * Sums columns [N, C·kh·kw, L] back into images [N, C, H, W] of outputSize [H, W], as
 * torch.nn.functional.fold (overlapping blocks add up): the adjoint of im2col.
 * @example col2im(ones([1, 4, 4]), [3, 3], 2).toArray()[0][0] // [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
 */
export const col2im = defineOp(
  {
    name: 'col2im',
    doc: 'Sums columns [N, C·kh·kw, L] of sliding blocks back into images [N, C, H, W] (torch.nn.functional.fold).',
    params: [{ name: 'outputSize', type: 'shape' }, { name: 'kernelSize', type: 'shape' }, { name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([a]) => `\\operatorname{fold}\\left(${a}\\right)`,
    label: 'fold',
  },
  (def) =>
    function col2im(cols: Tensor, outputSize: Size2d, kernelSize: Size2d, opts: FoldOptions = {}): Tensor {
      assertTensor(cols, 'col2im');
      if (cols.ndim !== 3) fail('col2im', `input must be [N, C·kh·kw, L], got ${fmtShape(cols.shape)}`);
      if (!isFloat(cols.dtype)) fail('col2im', `needs a float input, got ${cols.dtype}`);
      const [H, W] = pair('col2im', 'output size', outputSize, 1);
      const b = blocks('col2im', H, W, kernelSize, opts);
      const [N, CK, L] = cols.shape;
      const kk = b.k[0] * b.k[1];
      if (CK % kk !== 0) fail('col2im', `input ${fmtShape(cols.shape)}: dim 1 must be a multiple of the kernel's ${kk} elements`);
      if (L !== b.n[0] * b.n[1]) fail('col2im', `input ${fmtShape(cols.shape)} has ${L} blocks, but a ${H}x${W} output holds ${b.n[0]}x${b.n[1]} = ${b.n[0] * b.n[1]}`);
      const C = CK / kk;
      const [ph, pw] = b.p;
      const Hp = H + 2 * ph;
      const Wp = W + 2 * pw;
      const full = zeros([N, C, Hp, Wp], { dtype: cols.dtype });
      kernels().stridedAccumulate(cols.data, [N, C, b.k[0], b.k[1], b.n[0], b.n[1]], full.data, 0, windowStrides(C, Hp, Wp, b));
      const out = ph || pw ? noGrad(() => narrow(narrow(full, 2, ph, H), 3, pw, W)) : full;
      const o = { dilation: b.d, padding: b.p, stride: b.s };
      return record(def, [cols], out, (g) => [im2col(g, b.k, o)], attrsOf(b));
    },
);
