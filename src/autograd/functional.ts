// The functional transforms (JAX's grad, valueAndGrad, vjp, jacobian) and gradcheck: built on the
// engine's sweep and on ops, so they sit above the op layer (see ARCHITECTURE.md).
import { ChainruleError, fmtShape } from '../errors.js';
import { GRAD_OPS, Tensor, cast, detach, seedFor } from '../ops/index.js';
import { onesLike, zeros, zerosLike } from '../tensor/creation.js';
import { isFloat } from '../tensor/dtype.js';
import { type BackwardOptions, runBackward } from './engine.js';
import { isGradEnabled } from './mode.js';

export { backward } from '../ops/index.js';

/**
 * The tensors a functional transform differentiates: an argument that already requires grad (and
 * is being recorded) is used as it is, so transforms nest (grad of grad); any other argument is
 * wrapped in a fresh leaf sharing its values.
 */
function leaves(args: readonly Tensor[], op: string): Tensor[] {
  return args.map((a, i) => {
    if (!(a instanceof Tensor)) throw new ChainruleError(`${op}: argument ${i} must be a Tensor`);
    if (!isFloat(a.dtype)) throw new ChainruleError(`${op}: argument ${i} must be a float tensor to differentiate (it is ${a.dtype})`);
    if (a.requiresGrad && isGradEnabled()) return a;
    const t = new Tensor(a.data, a.shape, a.name);
    t.requiresGrad = true;
    return t;
  });
}

function gradsOf(out: Tensor, inputs: Tensor[], seed: Tensor, opts: BackwardOptions): Tensor[] {
  if (!out.requiresGrad) return inputs.map((x) => zerosLike(x));
  const g = runBackward([out], [seed], { ...opts, inputs, accumulate: false, ops: GRAD_OPS });
  return inputs.map((x) => g.get(x) ?? zerosLike(x));
}

/**
 * Options of grad() and valueAndGrad(): `createGraph` records the gradient computation so it can
 * be differentiated again (PyTorch's `create_graph=`); `retainGraph` (default: `createGraph`)
 * keeps the graph of f's value for another backward.
 * @example
 * ```ts
 * const opts: GradOptions = { createGraph: true };
 * opts.createGraph // true
 * ```
 */
export interface GradOptions extends BackwardOptions {}

/**
 * Returns [value, gradients] of a scalar function with respect to all its tensor arguments.
 * The value is detached unless `createGraph` is set (torch.func.grad_and_value, JAX's value_and_grad).
 * @example
 * const [v, [g]] = valueAndGrad((x) => x.mul(x).sum())(tensor([3]));
 * v.item(); // 9
 * g.item(); // 6
 */
export function valueAndGrad(f: (...xs: Tensor[]) => Tensor, opts: GradOptions = {}) {
  return (...args: Tensor[]): [Tensor, Tensor[]] => {
    const xs = leaves(args, 'valueAndGrad');
    const out = f(...xs);
    if (!(out instanceof Tensor) || out.size !== 1) {
      throw new ChainruleError(`valueAndGrad: the function must return a one-element tensor, got ${out instanceof Tensor ? fmtShape(out.shape) : typeof out}`);
    }
    return [opts.createGraph ? out : detach(out), gradsOf(out, xs, onesLike(out), opts)];
  };
}

/**
 * The gradients of a scalar function with respect to all its tensor arguments (JAX's grad): one
 * gradient per argument, each of that argument's shape.
 * @example
 * const f = grad((x, y) => x.mul(y).sum());
 * const [dx, dy] = f(tensor([1, 2]), tensor([3, 4]));
 * dx; // [3, 4]
 * dy; // [1, 2]
 */
export function grad(f: (...xs: Tensor[]) => Tensor, opts: GradOptions = {}) {
  const vg = valueAndGrad(f, opts);
  return (...args: Tensor[]): Tensor[] => vg(...args)[1];
}

/**
 * Vector-Jacobian product: returns [f(xs), (v) => vᵀ·J for each input]. The pullback keeps f's
 * graph, so it can be called any number of times (torch.func.vjp's vjp_fn).
 * @example const [y, pull] = vjp((x) => x.mul(2), tensor([1, 2])); pull(tensor([1, 1]))[0].toArray() // [2, 2]
 */
export function vjp(f: (...xs: Tensor[]) => Tensor, ...args: Tensor[]): [Tensor, (v: Tensor) => Tensor[]] {
  const xs = leaves(args, 'vjp');
  const out = f(...xs);
  return [detach(out), (v: Tensor) => gradsOf(out, xs, seedFor(out, v, 'vjp'), { retainGraph: true })];
}

/**
 * The full Jacobian of f at x, shaped [...out.shape, ...x.shape] (one backward pass per output).
 * @example jacobian((x) => x.sigmoid(), tensor([0, 0])).toArray() // [[0.25, 0], [0, 0.25]]
 */
export function jacobian(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  const [xl] = leaves([x], 'jacobian');
  const out = f(xl);
  const J = zeros([...out.shape, ...x.shape], { dtype: out.dtype });
  const n = x.size;
  for (let i = 0; i < out.size; i++) {
    const seed = zerosLike(out);
    seed.data[i] = 1;
    // every row but the last runs through the graph again
    const [g] = gradsOf(out, [xl], seed, { retainGraph: i < out.size - 1 });
    J.data.set(g.data, i * n);
  }
  return J;
}

/** The tolerances of gradcheck (torch.autograd.gradcheck's): an element passes when |numerical - analytical| <= atol + rtol·|numerical|. */
export interface GradcheckOptions {
  /** the central-difference step (default 1e-6) */
  eps?: number;
  /** absolute tolerance (default 1e-5) */
  atol?: number;
  /** relative tolerance (default 1e-3) */
  rtol?: number;
  /** throw on failure (default) or return the report */
  raise?: boolean;
}

/** What gradcheck found: whether every element agreed, and the worst one. */
export interface GradcheckReport {
  /** every element within tolerance */
  ok: boolean;
  /** worst mismatch: which input, which element, analytical vs numerical */
  worst: {
    /** position of the input in `inputs` */
    input: number;
    /** flat (row-major) index of the element in that input */
    index: number;
    /** the gradient autograd computed there */
    analytical: number;
    /** the central-difference estimate there */
    numerical: number;
    /** |analytical − numerical|, the amount compared with atol + rtol·|numerical| */
    error: number;
  } | null;
}

/**
 * Compares autograd's gradients with central differences in float64 for a function of float64
 * tensors, element by element, through a random projection of the output (so non-scalar
 * outputs are covered). Throws (or reports) the worst element when they disagree.
 * @example
 * gradcheck((x) => x.tanh(), [randn([3], { dtype: 'float64' })]).ok // true
 * @example
 * // a wrong backward is caught (raise: false returns the report instead of throwing)
 * const bad = customOp({ name: 'bad', forward: (x) => x.square(), backward: (g, [x]) => [g.mul(x)] });
 * const report = gradcheck(bad, [tensor([1, 2], { dtype: 'float64' })], { raise: false });
 * report.ok; // false
 * report.worst?.index; // 1
 * // the backward is half the true derivative 2x
 * (report.worst?.numerical ?? 0) / (report.worst?.analytical ?? 1); // 2
 */
export function gradcheck(f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): GradcheckReport {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-3;
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float64') throw new ChainruleError(`gradcheck: input ${i} is ${t.dtype}; gradcheck needs float64 inputs`);
  });
  // plain evaluations (not under noGrad): f may itself take gradients, as a second-order check does
  const probe = f(...inputs);
  // a fixed, irregular weighting of the outputs makes one scalar that touches every element
  const w = Float64Array.from({ length: probe.size }, (_, i) => 1 + ((i * 7919) % 13) / 13);
  const weight = new Tensor(w, probe.shape);
  const scalarOf = (out: Tensor): number => {
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i] * w[i];
    return s;
  };
  const xs = leaves(inputs, 'gradcheck');
  const out = f(...xs);
  const analytical = gradsOf(out, xs, cast(weight, out.dtype), {});
  let worst: GradcheckReport['worst'] = null;
  let ok = true;
  inputs.forEach((inp, k) => {
    const data = inp.data;
    for (let i = 0; i < data.length; i++) {
      const orig = data[i];
      data[i] = orig + eps;
      const fp = scalarOf(f(...inputs));
      data[i] = orig - eps;
      const fm = scalarOf(f(...inputs));
      data[i] = orig;
      const num = (fp - fm) / (2 * eps);
      const ana = analytical[k].data[i];
      const err = Math.abs(num - ana);
      const bad = !(err <= atol + rtol * Math.abs(num));
      if (bad) ok = false;
      if (!worst || err > worst.error || (bad && Number.isNaN(err))) worst = { input: k, index: i, analytical: ana, numerical: num, error: err };
    }
  });
  if (!ok && (opts.raise ?? true)) {
    const w0 = worst as unknown as NonNullable<GradcheckReport['worst']>;
    throw new ChainruleError(
      `gradcheck: input ${w0.input}, element ${w0.index}: analytical ${w0.analytical} vs numerical ${w0.numerical} (error ${w0.error})`,
    );
  }
  return { ok, worst };
}

