/**
 * Tensor methods, derived from the op table: every op whose entry does not say `method: false`
 * is a method named after it (or its `method` name, and each of its `methodAliases`) that passes
 * the tensor as the op's first argument. The types come from the ops' own signatures; nothing
 * here lists ops. The few methods that are not "op with this tensor first" (backward, T, where,
 * the dtype shorthands) are written out below.
 *
 * The methods are bound onto the core Tensor class in exactly one place, `bindTensorMethods`,
 * which ops/index.ts (the only way into the op layer from above) calls once. Code in tensor/,
 * backend/, autograd/ and ops/ never calls a Tensor op method (test/layering.test.ts checks it),
 * so nothing below the binding depends on it.
 */
import { type BackwardOptions, runBackward } from '../autograd/engine.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { onesLike } from '../tensor/creation.js';
import type { DType } from '../tensor/dtype.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import { add, where } from './arith.js';
import type { Op } from './define.js';
import { permute } from './shape.js';
import { cast } from './shape.js';
import { OPS, type OpExports } from './table.js';

type MethodNames<M> = M extends { readonly method: false }
  ? never
  : (M extends { readonly method: infer N extends string } ? N : M extends { readonly name: infer N extends string } ? N : never) |
      (M extends { readonly methodAliases: readonly (infer A extends string)[] } ? A : never);

type NamesOf<T> = T extends { readonly __names?: infer M } ? M : never;

/** The method form of an op: its first argument becomes `this`. */
type MethodOf<F> = F extends (self: never, ...rest: infer R) => infer O ? (...rest: R) => O : never;

type MethodType<F> = F extends (...args: infer A) => infer O ? MethodOf<(...args: A) => O> : never;

/**
 * The methods named as their op's export. Written as a filter on the export's own key (`K` or
 * never), so TypeScript links each method to the op's declaration and it shows the op's doc comment.
 */
type SameNamed<T> = {
  [K in keyof T as T[K] extends Op ? (K extends MethodNames<NamesOf<T[K]>> ? K : never) : never]: MethodType<T[K]>;
};

/** The methods named otherwise (an entry's `method` name or a `methodAliases` entry). */
type Renamed<T> = {
  [K in keyof T as T[K] extends Op ? Exclude<MethodNames<NamesOf<T[K]>>, K> : never]: MethodType<T[K]>;
};

/** The Tensor methods named like their op (`x.exp()` for exp). */
export type SameNamedMethods = SameNamed<OpExports>;
/** The Tensor methods named otherwise than their op (an entry's `method` name or an alias). */
export type RenamedMethods = Renamed<OpExports>;

/** Every Tensor method that comes from the op table. */
export type OpMethods = SameNamedMethods & RenamedMethods;

/** The methods that are not an op applied to this tensor as its first argument. */
export interface ExtraMethods {
  /**
   * Backpropagates from this tensor: `y.backward()` for a scalar, `y.backward(upstream)` with
   * dL/dy of y's shape, `y.backward({ createGraph: true })` to differentiate the gradients again,
   * `y.backward({ retainGraph: true })` to keep the graph for another backward (a backward frees
   * it otherwise). Gradients add up in the leaves' `.grad` (torch.Tensor.backward).
   * @example
   * const x = tensor([1, 2], { requiresGrad: true });
   * x.mul(x).backward(tensor([1, 10]));
   * x.grad // [2, 40]
   */
  backward(upstream?: Tensor | number | BackwardOptions, opts?: BackwardOptions): void;
  /**
   * This tensor where cond holds, other elsewhere (torch.Tensor.where).
   * @example tensor([1, 2, 3]).where(tensor([1, 0, 1]).gt(0), 0) // [1, 0, 3]
   */
  where(cond: Tensor, other: TensorLike): Tensor;
  /**
   * The dimensions reversed (the transpose of a matrix; torch's .T).
   * @example tensor([[1, 2, 3]]).T // [[1], [2], [3]]
   */
  readonly T: Tensor;
  /**
   * Every chainrule tensor is contiguous: returns itself (torch.Tensor.contiguous).
   * @example const t = tensor([1]); t.contiguous() === t // true
   */
  contiguous(): Tensor;
  /**
   * A float32 copy (torch.Tensor.float).
   * @example tensor([1, 2], { dtype: 'int32' }).float().dtype // 'float32'
   */
  float(): Tensor;
  /**
   * A float64 copy (torch.Tensor.double).
   * @example tensor([0.5]).double().dtype // 'float64'
   */
  double(): Tensor;
  /**
   * An int32 copy, rounding toward zero (torch.Tensor.int).
   * @example tensor([1.7, -1.7]).int() // [1, -1]
   */
  int(): Tensor;
}

declare module '../tensor/tensor.js' {
  // the two halves of OpMethods extended one by one: an intersection here would make TypeScript
  // resolve every method's type while it is still resolving Tensor's bases
  interface Tensor extends SameNamedMethods, RenamedMethods, ExtraMethods {}
}

/**
 * The upstream gradient of a backward pass: ones for a one-element output, else the given tensor
 * (or number) of the output's shape.
 */
export function seedFor(out: Tensor, upstream: Tensor | number | undefined, op: string): Tensor {
  if (!(out instanceof Tensor)) throw new ChainruleError(`${op}: expected a Tensor`);
  if (!out.requiresGrad) {
    throw new ChainruleError(`${op}: this tensor does not require gradients (no input had requiresGrad, or it was computed under noGrad)`);
  }
  if (upstream === undefined) {
    if (out.size !== 1) {
      throw new ChainruleError(
        `${op}: an upstream gradient is needed for a non-scalar output of shape ${fmtShape(out.shape)} (pass one of the same shape)`,
      );
    }
    return onesLike(out);
  }
  if (typeof upstream === 'number') {
    if (!Number.isFinite(upstream)) throw new ChainruleError(`${op}: the upstream gradient must be finite, got ${upstream}`);
    const s = onesLike(out);
    s.data.fill(upstream);
    return s;
  }
  if (!(upstream instanceof Tensor)) throw new ChainruleError(`${op}: the upstream gradient must be a Tensor or a number`);
  if (!sameShape(upstream.shape, out.shape)) {
    throw new ChainruleError(`${op}: upstream gradient shape ${fmtShape(upstream.shape)} does not match output shape ${fmtShape(out.shape)}`);
  }
  return upstream.dtype === out.dtype ? upstream : cast(upstream, out.dtype);
}

/** What the engine needs from the op layer to add and cast gradients (it cannot import ops). */
export const GRAD_OPS = { add, cast };

/**
 * Backpropagates from `out`. A scalar needs no upstream gradient; any other shape needs one of
 * its own shape (for example dLoss/dx8 = 3 given by a worked problem).
 * @example const x = tensor([2], { requiresGrad: true }); x.mul(x).sum().backward(); x.grad?.item() // 4
 */
export function backward(out: Tensor, upstream?: Tensor | number, opts: BackwardOptions = {}): void {
  runBackward([out], [seedFor(out, upstream, 'backward')], { ...opts, accumulate: true, ops: GRAD_OPS });
}

type Method = (this: Tensor, ...args: never[]) => unknown;

const EXTRA: Record<string, Method> = {
  backward(upstream?: Tensor | number | BackwardOptions, opts?: BackwardOptions) {
    if (upstream !== undefined && typeof upstream === 'object' && !(upstream instanceof Tensor)) backward(this, undefined, upstream);
    else backward(this, upstream as Tensor | number | undefined, opts);
  },
  where(cond: Tensor, other: TensorLike) {
    return where(cond, this, other);
  },
  contiguous() {
    return this;
  },
  float() {
    return cast(this, 'float32');
  },
  double() {
    return cast(this, 'float64');
  },
  int() {
    return cast(this, 'int32');
  },
};

/** The method names each op of the table gives Tensor. */
export function methodNamesOf(def: Op['def']): string[] {
  if (def.method === false) return [];
  return [def.method ?? def.name, ...(def.methodAliases ?? [])];
}

let bound = false;

/** Binds the table's methods onto Tensor.prototype; idempotent. Called once by ops/index.ts. */
export function bindTensorMethods(): void {
  if (bound) return;
  bound = true;
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  for (const op of OPS) {
    const f = op as unknown as (self: Tensor, ...rest: unknown[]) => unknown;
    for (const name of methodNamesOf(op.def)) {
      if (name in EXTRA) throw new Error(`op table: ${op.def.name}'s method ${name} is also an extra method`);
      Object.defineProperty(proto, name, {
        value: function (this: Tensor, ...rest: unknown[]) {
          return f(this, ...rest);
        },
        writable: true,
        configurable: true,
      });
    }
  }
  for (const [name, fn] of Object.entries(EXTRA)) Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  Object.defineProperty(proto, 'T', {
    get(this: Tensor) {
      return permute(
        this,
        this.shape.map((_, i) => this.ndim - 1 - i),
      );
    },
    configurable: true,
  });
}

export type { DType };
