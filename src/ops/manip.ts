// Rearranging elements: repeat, tile, repeatInterleave, roll, flip, rot90, tril, triu, diag,
// unbind, movedim and meshgrid. Each forward is a strided copy, an index select or a mask; ops
// that PyTorch defines as primitives are recorded as one node whose gradient is the adjoint
// rearrangement (flip's is flip, roll's the opposite roll, repeat's a sum over the copies), built
// from ops so that it is differentiable again.
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { arange, empty, zeros } from '../tensor/creation.js';
import { checkShape, normDim, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { ge, le, sub, where } from './arith.js';
import { defineOp } from './define.js';
import { indexAdd, indexSelect } from './indexing.js';
import { assertTensor, dimOf } from './kernel.js';
import { sum } from './reduce.js';
import { expand, flatten, index, permute, reshape, transpose } from './shape.js';

/** y, or a new tensor over x's storage when y is x itself (an op's output needs its own tape entry). */
const own = (y: Tensor, x: Tensor): Tensor => (y === x ? new Tensor(x.data, x.shape) : y);

/** An int32 index tensor. */
const int32 = (v: Int32Array) => new Tensor(v, [v.length]);

/** A list of non-negative integers (one number is a list of one). */
function sizesOf(v: number | readonly number[], op: string, what: string): number[] {
  const list = typeof v === 'number' ? [v] : Array.isArray(v) ? [...v] : null;
  if (!list || list.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new ChainruleError(`${op}: ${what} must be non-negative integers, got ${JSON.stringify(v) ?? String(v)}`);
  }
  return list;
}

/** Distinct dims normalised against rank; repeats are an error naming the op and the shape. */
function distinctDims(x: Tensor, dims: number | readonly number[], op: string): number[] {
  const list = typeof dims === 'number' ? [dims] : [...dims];
  const ds = list.map((d) => dimOf(x, d, op));
  if (new Set(ds).size !== ds.length) throw new ChainruleError(`${op}: dims ${JSON.stringify(list)} repeat a dimension (shape ${fmtShape(x.shape)})`);
  return ds;
}

/**
 * x copied along each dimension as often as `sizes` says, as torch.Tensor.repeat: sizes has at
 * least x's rank, and extra leading sizes add dimensions.
 * @example repeat(tensor([1, 2]), [2, 2]).toArray() // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export const repeat = defineOp(
  {
    name: 'repeat',
    doc: 'Copies of the input along each dimension, as torch.Tensor.repeat (sizes at least the rank; extra leading sizes add dimensions).',
    params: [{ name: 'sizes', type: 'shape' }],
    label: 'repeat',
  },
  (def) =>
    function repeat(x: Tensor, sizes: readonly number[]): Tensor {
      assertTensor(x, 'repeat');
      const reps = sizesOf(sizes, 'repeat', 'sizes');
      if (reps.length < x.ndim) {
        throw new ChainruleError(`repeat: ${reps.length} sizes for a tensor of rank ${x.ndim} (shape ${fmtShape(x.shape)}); give at least one per dimension`);
      }
      const padded = [...reps.slice(0, reps.length - x.ndim).map(() => 1), ...x.shape];
      const split = padded.flatMap((n) => [1, n]);
      const copies = padded.flatMap((n, i) => [reps[i], n]);
      const out = padded.map((n, i) => n * reps[i]);
      const y = noGrad(() => reshape(expand(reshape(x, split), copies), out));
      const copyDims = padded.map((_, i) => 2 * i);
      return record(def, [x], own(y, x), (g) => [reshape(sum(reshape(g, copies), copyDims), x.shape)], { sizes: reps });
    },
);

/**
 * torch.tile: repeat, with dims padded with leading 1s when shorter than x's rank.
 * @example tile(tensor([[1, 2]]), [2]).toArray() // [[1, 2, 1, 2]]
 */
export const tile = defineOp(
  { name: 'tile', doc: 'Copies of the input along each dimension, as torch.tile (dims shorter than the rank are padded with leading 1s).', params: [{ name: 'dims', type: 'shape' }] },
  () =>
    function tile(x: Tensor, dims: readonly number[]): Tensor {
      assertTensor(x, 'tile');
      const reps = sizesOf(dims, 'tile', 'dims');
      return repeat(x, [...Array.from({ length: Math.max(0, x.ndim - reps.length) }, () => 1), ...reps]);
    },
);

/**
 * Each element (or slice along dim) repeated in place, as torch.repeat_interleave: repeats is one
 * count, or an int32 tensor of one count per slice; without dim, x is flattened first.
 * @example repeatInterleave(tensor([1, 2]), 2).toArray() // [1, 1, 2, 2]
 * @example repeatInterleave(tensor([[1, 2], [3, 4]]), tensor([1, 2], { dtype: 'int32' }), 0).toArray() // [[1, 2], [3, 4], [3, 4]]
 */
export const repeatInterleave = defineOp(
  {
    name: 'repeatInterleave',
    doc: 'Each element (or slice along dim) repeated in place, repeats one count or an int32 tensor of counts (torch.repeat_interleave); without dim, of the flattened input.',
    params: [{ name: 'repeats', type: 'shape' }, { name: 'dim', default: null }],
    label: 'repeatInterleave',
  },
  (def) =>
    function repeatInterleave(x: Tensor, repeats: number | Tensor, dim?: number | null): Tensor {
      assertTensor(x, 'repeatInterleave');
      const flat = dim === undefined || dim === null;
      const src = flat ? flatten(x) : x;
      const d = flat ? 0 : dimOf(x, dim, 'repeatInterleave');
      const n = src.ndim === 0 ? 1 : src.shape[d];
      let counts: number[];
      if (repeats instanceof Tensor) {
        if (repeats.dtype !== 'int32' || repeats.ndim > 1) {
          throw new ChainruleError(`repeatInterleave: repeats must be a number or a 0-d or 1-D int32 tensor, got ${repeats.dtype} of shape ${fmtShape(repeats.shape)}`);
        }
        counts = Array.from(repeats.data);
        if (counts.length === 1) counts = Array.from({ length: n }, () => counts[0]);
        if (counts.length !== n) {
          throw new ChainruleError(`repeatInterleave: ${counts.length} repeats for dimension ${d} of size ${n} (shape ${fmtShape(x.shape)})`);
        }
      } else {
        if (typeof repeats !== 'number' || !Number.isInteger(repeats)) throw new ChainruleError(`repeatInterleave: repeats must be an integer or an int32 tensor, got ${String(repeats)}`);
        counts = Array.from({ length: n }, () => repeats);
      }
      if (counts.some((c) => c < 0)) throw new ChainruleError(`repeatInterleave: repeats must be non-negative, got ${counts.find((c) => c < 0)}`);
      const at = new Int32Array(counts.reduce((a, b) => a + b, 0));
      let k = 0;
      counts.forEach((c, i) => {
        at.fill(i, k, k + c);
        k += c;
      });
      const idx = int32(at);
      const base = src.ndim === 0 ? reshape(src, [1]) : src;
      const y = noGrad(() => indexSelect(base, d, idx));
      return record(def, [x], y, (g) => [reshape(indexAdd(zeros(base.shape, { dtype: g.dtype }), d, idx, g), x.shape)], { dim: flat ? null : d });
    },
);

/**
 * Elements shifted along dims with wrap-around, as torch.roll: element i moves to i + shift;
 * without dims, the flattened tensor is rolled and reshaped back.
 * @example roll(tensor([1, 2, 3, 4]), 1).toArray() // [4, 1, 2, 3]
 */
export const roll = defineOp(
  {
    name: 'roll',
    doc: 'Elements shifted along dims with wrap-around (element i moves to i + shift), as torch.roll; without dims, of the flattened input.',
    params: [{ name: 'shifts', type: 'shape' }, { name: 'dims', type: 'dims', default: null }],
    label: 'roll',
  },
  (def) =>
    function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor {
      assertTensor(x, 'roll');
      const sh = typeof shifts === 'number' ? [shifts] : Array.isArray(shifts) ? [...shifts] : [];
      if (sh.length === 0 || sh.some((s) => !Number.isInteger(s))) throw new ChainruleError(`roll: shifts must be integers, got ${JSON.stringify(shifts) ?? String(shifts)}`);
      if (dims === undefined || dims === null) {
        if (sh.length !== 1) throw new ChainruleError(`roll: ${sh.length} shifts without dims (give one shift, or one dim per shift)`);
        const y = noGrad(() => reshape(shiftAlong(flatten(x), sh[0], 0), x.shape));
        return record(def, [x], own(y, x), (g) => [roll(g, -sh[0])], { shifts: sh, dims: null });
      }
      const ds = (typeof dims === 'number' ? [dims] : [...dims]).map((d) => dimOf(x, d, 'roll'));
      if (ds.length !== sh.length) throw new ChainruleError(`roll: ${sh.length} shifts for ${ds.length} dims (shape ${fmtShape(x.shape)})`);
      const y = noGrad(() => ds.reduce((t, d, i) => shiftAlong(t, sh[i], d), x));
      return record(def, [x], own(y, x), (g) => [roll(g, sh.map((s) => -s), ds)], { shifts: sh, dims: ds });
    },
);

/** x rolled by s along d (unrecorded helper of roll). */
function shiftAlong(x: Tensor, s: number, d: number): Tensor {
  if (x.ndim === 0) return x;
  const n = x.shape[d];
  if (n === 0 || s % n === 0) return x;
  const at = new Int32Array(n);
  for (let i = 0; i < n; i++) at[i] = (((i - s) % n) + n) % n;
  return indexSelect(x, d, int32(at));
}

/**
 * The order of elements reversed along dims, as torch.flip (a strided copy).
 * @example flip(tensor([[1, 2], [3, 4]]), [1]).toArray() // [[2, 1], [4, 3]]
 */
export const flip = defineOp(
  { name: 'flip', doc: 'The order of elements reversed along dims, as torch.flip.', params: [{ name: 'dims', type: 'dims' }], label: 'flip' },
  (def) =>
    function flip(x: Tensor, dims: number | readonly number[]): Tensor {
      assertTensor(x, 'flip');
      const ds = distinctDims(x, dims, 'flip').filter((d) => d < x.ndim);
      const st = stridesOf(x.shape);
      let offset = 0;
      const strides = st.map((s, i) => {
        if (!ds.includes(i)) return s;
        offset += (x.shape[i] - 1) * s;
        return -s;
      });
      const out = empty(x.shape, x.dtype);
      if (x.size > 0) kernels().stridedCopy(x.data, offset, strides, x.shape, out.data);
      return record(def, [x], out, (g) => [flip(g, ds)], { dims: ds });
    },
);

/**
 * Rotated by 90° k times in the plane of dims (from the first towards the second), as torch.rot90.
 * @example rot90(tensor([[1, 2], [3, 4]])).toArray() // [[2, 4], [1, 3]]
 */
export const rot90 = defineOp(
  { name: 'rot90', doc: 'Rotated by 90° k times in the plane of dims, from the first towards the second (torch.rot90).', params: [{ name: 'k', default: 1 }, { name: 'dims', type: 'dims' }], label: 'rot90' },
  (def) =>
    function rot90(x: Tensor, k: number = 1, dims: readonly number[] = [0, 1]): Tensor {
      assertTensor(x, 'rot90');
      if (!Number.isInteger(k)) throw new ChainruleError(`rot90: k must be an integer, got ${k}`);
      if (!Array.isArray(dims) || dims.length !== 2) throw new ChainruleError(`rot90: dims must be two dims, got ${JSON.stringify(dims)} (shape ${fmtShape(x.shape)})`);
      if (x.ndim < 2) throw new ChainruleError(`rot90: the input needs at least 2 dims, got shape ${fmtShape(x.shape)}`);
      const [a, b] = dims.map((d) => normDim(d, x.ndim, 'rot90'));
      if (a === b) throw new ChainruleError(`rot90: the two dims must differ, got ${JSON.stringify(dims)} (shape ${fmtShape(x.shape)})`);
      const q = ((k % 4) + 4) % 4;
      const y = noGrad(() => {
        if (q === 1) return transpose(flip(x, [b]), a, b);
        if (q === 2) return flip(x, [a, b]);
        if (q === 3) return transpose(flip(x, [a]), a, b);
        return x;
      });
      return record(def, [x], own(y, x), (g) => [rot90(g, -q, [a, b])], { k: q, dims: [a, b] });
    },
);

/** Where column - row of the last two dims is ≤ k (lower) or ≥ k (upper), as a bool [rows, cols]. */
function triangle(rows: number, cols: number, k: number, lower: boolean): Tensor {
  const offset = sub(reshape(arange(0, cols, 1, { dtype: 'int32' }), [1, cols]), reshape(arange(0, rows, 1, { dtype: 'int32' }), [rows, 1]));
  return lower ? le(offset, k) : ge(offset, k);
}

function triOp<const N extends 'tril' | 'triu'>(name: N) {
  const lower = name === 'tril';
  return defineOp(
    {
      name,
      doc: `The ${lower ? 'lower' : 'upper'} triangle of the last two dims (the elements with column - row ${lower ? '≤' : '≥'} diagonal), the rest 0, as torch.${name}.`,
      params: [{ name: 'diagonal', default: 0 }],
      label: name,
    },
    (def) =>
      function tri(x: Tensor, diagonal: number = 0): Tensor {
        assertTensor(x, name);
        if (x.ndim < 2) throw new ChainruleError(`${name}: the input needs at least 2 dims, got shape ${fmtShape(x.shape)}`);
        if (!Number.isInteger(diagonal)) throw new ChainruleError(`${name}: diagonal must be an integer, got ${diagonal}`);
        const mask = triangle(x.shape[x.ndim - 2], x.shape[x.ndim - 1], diagonal, lower);
        const y = noGrad(() => where(mask, x, 0));
        return record(def, [x], y, (g) => [tri(g, diagonal)], { diagonal });
      },
  );
}

/**
 * The lower triangle of the last two dims (column - row ≤ diagonal), zeros above, as torch.tril.
 * @example tril(tensor([[1, 2], [3, 4]])).toArray() // [[1, 0], [3, 4]]
 */
export const tril = triOp('tril');
/**
 * The upper triangle of the last two dims (column - row ≥ diagonal), zeros below, as torch.triu.
 * @example triu(tensor([[1, 2], [3, 4]]), 1).toArray() // [[0, 2], [0, 0]]
 */
export const triu = triOp('triu');

/** Where diagonal k of an r x c matrix starts, and how long it is. */
function diagonalOf(r: number, c: number, k: number): { offset: number; length: number } {
  const length = Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));
  return { offset: length === 0 ? 0 : k >= 0 ? k : -k * c, length };
}

/**
 * torch.diag: of a vector, the square matrix with it on diagonal k (0 the main one, > 0 above, < 0
 * below); of a matrix, its diagonal k as a vector.
 * @example diag(tensor([1, 2])).toArray() // [[1, 0], [0, 2]]
 * @example diag(tensor([[1, 2], [3, 4]]), 1).toArray() // [2]
 */
export const diag = defineOp(
  { name: 'diag', doc: 'Of a vector, the square matrix with it on diagonal k; of a matrix, its diagonal k (torch.diag).', params: [{ name: 'diagonal', default: 0 }], label: 'diag' },
  (def) => {
    const extract = (x: Tensor, k: number): Tensor => {
      const [r, c] = x.shape;
      const { offset, length } = diagonalOf(r, c, k);
      const out = empty([length], x.dtype);
      if (length > 0) kernels().stridedCopy(x.data, offset, [c + 1], [length], out.data);
      return record(def, [x], out, (g) => [embed(g, k, r, c)], { diagonal: k });
    };
    const embed = (v: Tensor, k: number, r: number, c: number): Tensor => {
      const out = zeros([r, c], { dtype: v.dtype });
      const { offset, length } = diagonalOf(r, c, k);
      if (length > 0) kernels().stridedAccumulate(v.data, [length], out.data, offset, [c + 1]);
      return record(def, [v], out, (g) => [extract(g, k)], { diagonal: k });
    };
    return function diag(x: Tensor, diagonal: number = 0): Tensor {
      assertTensor(x, 'diag');
      if (!Number.isInteger(diagonal)) throw new ChainruleError(`diag: diagonal must be an integer, got ${diagonal}`);
      if (x.ndim === 1) {
        const m = x.shape[0] + Math.abs(diagonal);
        return embed(x, diagonal, m, m);
      }
      if (x.ndim === 2) return extract(x, diagonal);
      throw new ChainruleError(`diag: expected a 1-D or 2-D tensor, got shape ${fmtShape(x.shape)}`);
    };
  },
);

/**
 * The slices along dim, as a list (torch.unbind): each without that dim.
 * @example unbind(tensor([[1, 2], [3, 4]]), 1).map((t) => t.toArray()) // [[1, 3], [2, 4]]
 */
export const unbind = defineOp(
  { name: 'unbind', doc: 'The slices along dim as a list, each without that dim (torch.unbind).', params: [{ name: 'dim', default: 0 }] },
  () =>
    function unbind(x: Tensor, dim: number = 0): Tensor[] {
      assertTensor(x, 'unbind');
      if (x.ndim === 0) throw new ChainruleError('unbind: a 0-d tensor has no dimension to unbind');
      const d = dimOf(x, dim, 'unbind');
      return Array.from({ length: x.shape[d] }, (_, i) => index(x, ...x.shape.map((_, j) => (j === d ? i : null))));
    },
);

/**
 * Moves dims from their positions in source to those in destination, the others keeping their
 * order, as torch.movedim.
 * @example movedim(zeros([2, 3, 4]), 0, -1).shape // [3, 4, 2]
 */
export const movedim = defineOp(
  { name: 'movedim', doc: 'Moves dims from source to destination positions, the others keeping their order (torch.movedim).', params: [{ name: 'source', type: 'dims' }, { name: 'destination', type: 'dims' }] },
  () =>
    function movedim(x: Tensor, source: number | readonly number[], destination: number | readonly number[]): Tensor {
      assertTensor(x, 'movedim');
      const src = distinctDims(x, source, 'movedim');
      const dst = distinctDims(x, destination, 'movedim');
      if (src.length !== dst.length) {
        throw new ChainruleError(`movedim: ${src.length} source dims for ${dst.length} destination dims (shape ${fmtShape(x.shape)})`);
      }
      if (x.ndim === 0) return x;
      const perm = new Array<number>(x.ndim).fill(-1);
      dst.forEach((d, i) => {
        perm[d] = src[i];
      });
      const rest = x.shape.map((_, i) => i).filter((i) => !src.includes(i));
      let r = 0;
      for (let i = 0; i < perm.length; i++) if (perm[i] === -1) perm[i] = rest[r++];
      return permute(x, perm);
    },
);

/** The options of meshgrid (torch.meshgrid's indexing). */
export interface MeshgridOptions {
  /** 'ij' (matrix indexing, the default) or 'xy' (Cartesian: the first two output dims swapped) */
  indexing?: 'ij' | 'xy';
}

/**
 * Coordinate grids from 0-d or 1-D tensors, as torch.meshgrid: output i holds input i's values
 * along its own dim of the grid, copied along the others.
 * @example meshgrid([tensor([1, 2]), tensor([3, 4, 5])])[1].toArray() // [[3, 4, 5], [3, 4, 5]]
 */
export const meshgrid = defineOp(
  { name: 'meshgrid', doc: "Coordinate grids from 0-d or 1-D tensors (torch.meshgrid), 'ij' or 'xy' indexing.", inputs: ['tensors'], params: [{ name: 'options', type: 'options', default: null }], method: false },
  () =>
    function meshgrid(xs: readonly Tensor[], opts: MeshgridOptions = {}): Tensor[] {
      if (!Array.isArray(xs) || xs.length === 0) throw new ChainruleError('meshgrid: expected a non-empty array of tensors');
      const indexing = opts.indexing ?? 'ij';
      if (indexing !== 'ij' && indexing !== 'xy') throw new ChainruleError(`meshgrid: indexing must be 'ij' or 'xy', got ${JSON.stringify(indexing)}`);
      xs.forEach((t, i) => {
        assertTensor(t, 'meshgrid', `tensor ${i}`);
        if (t.ndim > 1) throw new ChainruleError(`meshgrid: tensor ${i} must be 0-d or 1-D, got shape ${fmtShape(t.shape)}`);
        if (t.dtype !== xs[0].dtype) throw new ChainruleError(`meshgrid: all tensors need one dtype, got ${xs[0].dtype} and ${t.dtype}`);
      });
      const pos = xs.map((_, i) => (indexing === 'xy' && xs.length > 1 && i < 2 ? 1 - i : i));
      const shape = xs.map(() => 0);
      xs.forEach((t, i) => {
        shape[pos[i]] = t.size;
      });
      checkShape(shape, 'meshgrid');
      return xs.map((t, i) => {
        const at = shape.map((n, j) => (j === pos[i] ? n : 1));
        return expand(reshape(t, at), shape);
      });
    },
);
