import { ChainruleError } from '../errors.js';
import { type DType, type TypedArray, arrayFor, assertDType, dtypeOfArray } from './dtype.js';
import { type Generator, defaultGenerator } from './random.js';
import { type Shape, checkShape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** The options of the creation functions (torch's dtype and requires_grad, camelCased). */
export interface TensorOptions {
  /** the element type (default 'float32', or the typed array's own) */
  dtype?: DType;
  /** record ops on the new tensor for autograd (default false) */
  requiresGrad?: boolean;
  /** a display name for explanations and graphs */
  name?: string;
}

/** The options of the random creation functions: TensorOptions and the generator to draw from. */
export interface RandomOptions extends TensorOptions {
  /** the generator to draw from (default: the global one, seeded by manualSeed) */
  generator?: Generator;
}

function finish(t: Tensor, o: TensorOptions | undefined): Tensor {
  if (o?.requiresGrad) t.requiresGrad = true;
  return t;
}

/**
 * An uninitialised (zero-filled) tensor of the given dtype and shape; for op implementations
 * (torch.empty, whose contents are arbitrary; here they are zeros).
 * @example empty([2, 2], 'int32').dtype // 'int32'
 */
export function empty(shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(arrayFor(dtype, sizeOf(shape)), shape);
}

function inferShape(x: unknown): number[] {
  const shape: number[] = [];
  let cur = x;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

function fillFlat(x: unknown, shape: number[], out: TypedArray, op: string): void {
  let k = 0;
  const walk = (v: unknown, dim: number, path: number[]): void => {
    if (dim === shape.length) {
      if (typeof v === 'boolean') out[k++] = v ? 1 : 0;
      else if (typeof v === 'number') out[k++] = v;
      else throw new ChainruleError(`${op}: element at [${path.join('][')}] is ${JSON.stringify(v)}, expected a number or boolean`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ChainruleError(
        `${op}: ragged nested array: the list at [${path.join('][')}] has ${Array.isArray(v) ? v.length : 'no'} elements, expected ${shape[dim]}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, [...path, i]);
  };
  walk(x, 0, []);
}

/**
 * Creates a tensor from a number, nested arrays or a typed array (whose dtype it keeps unless told).
 * Numbers default to float32; booleans give a bool tensor.
 * @example tensor([[1, 2], [3, 4]], { dtype: 'float64' }).shape // [2, 2]
 */
export function tensor(data: NestedArray | TypedArray | readonly number[], opts: TensorOptions & { shape?: Shape } = {}): Tensor {
  const op = 'tensor';
  if (ArrayBuffer.isView(data)) {
    const src = data as TypedArray;
    const dtype = opts.dtype ? assertDType(opts.dtype, op) : dtypeOfArray(src);
    const shape = opts.shape ? checkShape([...opts.shape], op) : [src.length];
    if (sizeOf(shape) !== src.length) {
      throw new ChainruleError(`${op}: ${src.length} values cannot fill shape [${shape.join(',')}]`);
    }
    const out = arrayFor(dtype, src.length);
    out.set(src);
    return finish(new Tensor(out, shape, opts.name), opts);
  }
  const shape = inferShape(data);
  let first: unknown = data;
  while (Array.isArray(first)) first = first[0];
  const dtype = opts.dtype ? assertDType(opts.dtype, op) : typeof first === 'boolean' ? 'bool' : 'float32';
  const out = arrayFor(dtype, sizeOf(shape));
  fillFlat(data, shape, out, op);
  const t = new Tensor(out, opts.shape ? checkShape([...opts.shape], op) : shape, opts.name);
  return finish(t, opts);
}

/** A 0-d tensor. @example scalar(3, { dtype: 'float64' }).item() // 3 */
export function scalar(value: number, opts: TensorOptions = {}): Tensor {
  if (typeof value !== 'number') throw new ChainruleError(`scalar: expected a number, got ${typeof value}`);
  const a = arrayFor(opts.dtype ?? 'float32', 1);
  a[0] = value;
  return finish(new Tensor(a, [], opts.name), opts);
}

/** A tensor of the given shape filled with `value` (torch.full). @example full([2, 2], 7).toArray() // [[7, 7], [7, 7]] */
export function full(shape: Shape, value: number, opts: TensorOptions = {}): Tensor {
  const s = checkShape([...shape], 'full');
  // storage comes zero-filled only for +0 (one pass either way: the fill or the zeroing)
  const zero = Object.is(value, 0);
  const a = arrayFor(opts.dtype ? assertDType(opts.dtype, 'full') : 'float32', sizeOf(s), zero);
  if (!zero) a.fill(value);
  return finish(new Tensor(a, s, opts.name), opts);
}

/** A tensor of zeros (torch.zeros). @example zeros([2, 3]).toArray() // [[0, 0, 0], [0, 0, 0]] */
export function zeros(shape: Shape, opts: TensorOptions = {}): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of ones (torch.ones). @example ones([3]).toArray() // [1, 1, 1] */
export function ones(shape: Shape, opts: TensorOptions = {}): Tensor {
  return full(shape, 1, opts);
}

/**
 * Zeros of another tensor's shape and dtype (torch.zeros_like); `opts` may change the dtype.
 * @example zerosLike(tensor([[1, 2]], { dtype: 'float64' })).toArray() // [[0, 0]]
 */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...opts });
}

/**
 * Ones of another tensor's shape and dtype (torch.ones_like).
 * @example onesLike(tensor([5, 6], { dtype: 'int32' })).toArray() // [1, 1]
 */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...opts });
}

/**
 * `value` everywhere, in another tensor's shape and dtype (torch.full_like).
 * @example fullLike(zeros([2]), 3.5).toArray() // [3.5, 3.5]
 */
export function fullLike(t: Tensor, value: number, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...opts });
}

/**
 * Values from start (inclusive) to end (exclusive) by step, like torch.arange.
 * @example arange(0, 5).toArray() // [0, 1, 2, 3, 4]
 */
export function arange(start: number, end?: number, step = 1, opts: TensorOptions = {}): Tensor {
  let lo = start;
  let hi = end;
  if (hi === undefined) {
    hi = lo;
    lo = 0;
  }
  if (step === 0 || !Number.isFinite(step)) throw new ChainruleError(`arange: step must be a non-zero finite number, got ${step}`);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new ChainruleError(`arange: start and end must be finite, got ${lo} and ${hi}`);
  // PyTorch rejects bounds that the step moves away from (equal bounds give an empty range)
  if ((step > 0 && lo > hi) || (step < 0 && lo < hi)) {
    throw new ChainruleError(`arange: start ${lo} and end ${hi} are inconsistent with the step ${step} (it must move from start towards end)`);
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const a = arrayFor(opts.dtype ?? 'float32', n);
  for (let i = 0; i < n; i++) a[i] = lo + i * step;
  return finish(new Tensor(a, [n], opts.name), opts);
}

/** n evenly spaced values from start to end inclusive. @example linspace(0, 1, 3).toArray() // [0, 0.5, 1] */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new ChainruleError(`linspace: steps must be a non-negative integer, got ${steps}`);
  const a = arrayFor(opts.dtype ?? 'float32', steps);
  const h = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) a[i] = i === steps - 1 && steps > 1 ? end : start + i * h;
  return finish(new Tensor(a, [steps], opts.name), opts);
}

/** Identity matrix. @example eye(2).toArray() // [[1, 0], [0, 1]] */
export function eye(n: number, m = n, opts: TensorOptions = {}): Tensor {
  const t = zeros([n, m], opts);
  for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
  return t;
}

function randomFill(shape: Shape, opts: RandomOptions, op: string, f: (g: Generator) => number): Tensor {
  const s = checkShape([...shape], op);
  const g = opts.generator ?? defaultGenerator;
  const a = arrayFor(opts.dtype ?? 'float32', sizeOf(s));
  for (let i = 0; i < a.length; i++) a[i] = f(g);
  return finish(new Tensor(a, s, opts.name), opts);
}

/**
 * Uniform in [0, 1) (torch.rand), from the global generator or `opts.generator`.
 * @example
 * const u = rand([1000], { generator: new Generator(0) });
 * u.min().item() >= 0 && u.max().item() < 1; // true
 */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomFill(shape, opts, 'rand', (g) => g.random());
}

/**
 * Standard normal draws (torch.randn), from the global generator or `opts.generator`.
 * @example
 * manualSeed(0);
 * const a = randn([2, 3]);
 * manualSeed(0);
 * randn([2, 3]).sub(a).abs().max().item(); // 0
 */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  return randomFill(shape, opts, 'randn', (g) => g.normal());
}

/**
 * Uniform integers in [low, high), int32 by default (torch.randint).
 * @example
 * const k = randint(0, 10, [100]);
 * k.dtype; // 'int32'
 * k.min().item() >= 0 && k.max().item() < 10; // true
 */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) {
    throw new ChainruleError(`randint: need integers low < high, got ${low}, ${high}`);
  }
  return randomFill(shape, { dtype: 'int32', ...opts }, 'randint', (g) => g.int(low, high));
}
