// The two ways an elementwise op of one tensor is defined: by a kernel of its own (unaryOp), or
// computed from other ops and recorded as one node with its own gradient (compositeOp), so a graph
// shows "hardswish" and the gradient follows PyTorch's convention at the kinks.
import { noGrad } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import type { UnaryKernel } from '../backend/types.js';
import type { Tensor } from '../tensor/tensor.js';
import { type NamedMeta, type Op, type OpDef, type OpMeta, type OpNames, type ParamSpec, defineOp } from './define.js';
import { assertNumber, assertTensor, runUnary } from './kernel.js';

/** The positional numeric parameters of an op, all optional (defaults apply). */
export type ParamArgs<P> = P extends readonly ParamSpec[] ? { -readonly [K in keyof P]?: number } : [];

/** What unaryOp needs besides the op's metadata: its kernel and its gradient. */
export interface UnarySpec extends OpMeta {
  readonly kernel: UnaryKernel;
  /** dL/dx given dL/dy, the input, the output and the parameter values (defaults applied) */
  readonly backward: (g: Tensor, x: Tensor, y: Tensor, p: number[]) => Tensor;
  /** the kernel's p0, p1 from the parameter values (default: the first two) */
  readonly kernelParams?: (p: number[]) => [number, number];
  /** int32 inputs keep their dtype, as PyTorch's abs, relu, sign and roundings (other kernels compute in float32) */
  readonly keepsInt?: boolean;
}

/**
 * Defines an elementwise op of one tensor from its kernel and its gradient.
 * @example
 * const cube = unaryOp({
 *   name: 'cube',
 *   doc: 'x³',
 *   kernel: unaryKernel('cube', (x) => x * x * x),
 *   backward: (g, x) => g.mul(x.square()).mul(3),
 * });
 * const x = tensor([2], { requiresGrad: true });
 * cube(x).backward();
 * x.grad?.item(); // 12
 */
export function unaryOp<
  const N extends string,
  const P extends readonly ParamSpec[] = readonly [],
  const Meth extends string | false | undefined = undefined,
  const Al extends readonly string[] = readonly [],
>(spec: UnarySpec & NamedMeta<N, Meth, Al> & { readonly params?: P }): Op<(x: Tensor, ...p: ParamArgs<P>) => Tensor, OpNames<N, Meth, Al>> {
  return defineOp(spec, (def: OpDef) => {
    if (def.params.length === 0) {
      return function unary(x: Tensor): Tensor {
        assertTensor(x, def.name);
        const y = runUnary(spec.kernel, x, 0, 0, spec.keepsInt === true && x.dtype === 'int32');
        return record(def, [x], y, (g) => [spec.backward(g, x, y, [])]);
      };
    }
    return function unary(x: Tensor, ...given: (number | undefined)[]): Tensor {
      assertTensor(x, def.name);
      const p = readParams(def, given, def.check);
      const [p0, p1] = spec.kernelParams ? spec.kernelParams(p) : [p[0] ?? 0, p[1] ?? 0];
      const y = runUnary(spec.kernel, x, p0, p1, spec.keepsInt === true && x.dtype === 'int32');
      return record(def, [x], y, (g) => [spec.backward(g, x, y, p)], attrsOf(def, p));
    };
  }) as never;
}

/** The numeric parameters as given, defaults filled in, checked (errors name the op and the parameter). */
export function readParams(def: OpDef, given: readonly (number | undefined)[], check?: (p: number[]) => void): number[] {
  // null (a parameter that may be absent, like logit's eps) travels as NaN
  const p = def.params.map((ps, i) => {
    const v = given[i] ?? ps.default;
    return v === null ? Number.NaN : assertNumber(v, def.name, ps.text ?? ps.name, !ps.infinite);
  });
  check?.(p);
  return p;
}

/** The recorded attrs: each parameter by name (none when the op has no parameters). */
function attrsOf(def: OpDef, p: readonly number[]): Record<string, number> | undefined {
  if (def.params.length === 0) return undefined;
  const attrs: Record<string, number> = {};
  def.params.forEach((ps, i) => {
    attrs[ps.name] = p[i];
  });
  return attrs;
}

/** What compositeOp needs besides the op's metadata: the forward from other ops and the gradient. */
export interface CompositeSpec extends OpMeta {
  /** the value, computed from other ops (run without recording) */
  readonly forward: (x: Tensor, p: number[]) => Tensor;
  /** dL/dx, written with ops (so it is differentiable again) */
  readonly backward: (g: Tensor, x: Tensor, y: Tensor, p: number[]) => Tensor;
}

/**
 * An elementwise op computed from other ops but recorded as one node with its own gradient.
 * @example
 * const softRelu = compositeOp({
 *   name: 'softRelu',
 *   doc: 'log(1 + e^x)',
 *   forward: (x) => x.exp().log1p(),
 *   backward: (g, x) => g.mul(x.sigmoid()),
 * });
 * softRelu(tensor([0])).item(); // 0.6931472
 * softRelu(tensor([0])).node === null; // true
 */
export function compositeOp<
  const N extends string,
  const P extends readonly ParamSpec[] = readonly [],
  const Meth extends string | false | undefined = undefined,
  const Al extends readonly string[] = readonly [],
>(spec: CompositeSpec & NamedMeta<N, Meth, Al> & { readonly params?: P }): Op<(x: Tensor, ...p: ParamArgs<P>) => Tensor, OpNames<N, Meth, Al>> {
  return defineOp(spec, (def: OpDef) =>
    function composite(x: Tensor, ...given: (number | undefined)[]): Tensor {
      assertTensor(x, def.name);
      const p = readParams(def, given, def.check);
      const y = noGrad(() => spec.forward(x, p));
      return record(def, [x], y, (g) => [spec.backward(g, x, y, p)], attrsOf(def, p));
    },
  ) as never;
}

