import { runBackward, topoSort } from '../../autograd/engine.js';
import { noGrad } from '../../autograd/mode.js';
import { ChainruleError, fmtShape } from '../../errors.js';
import { onesLike, scalar, tensor, zerosLike } from '../../tensor/creation.js';
import { type Expr, bin, call, name as nameE, neg, num } from '../../ops/formula.js';
import { type Derivation, derive } from './derivation.js';
import type { ShapeMap, Solution } from './evaluate.js';
import { vectorDim } from '../problem/functions.js';
import type { Definition, NestedNumber, Problem } from '../problem/problem.js';
import { add, defOf, GRAD_OPS, type Node, reshape, Tensor } from '../../ops/index.js';

/**
 * Options of explain.
 * @example
 * ```ts
 * const x = tensor([2], { dtype: 'float64', requiresGrad: true, name: 'x' });
 * const dv = explain(x.mul(x), { seed: 2, title: 'square' });
 * [dv.title, dv.grads.x] // ['square', [8]]
 * ```
 */
export interface ExplainOptions {
  /** dL/d(output): a number, nested lists or a tensor of the output's shape (default 1 for a one-element output) */
  seed?: number | NestedNumber | Tensor;
  /** the heading (default: explain(<output name>)) */
  title?: string;
  /** also build closed-form gradient formulas */
  symbolic?: boolean;
  /** an nn module (or anything with namedParameters()) whose parameters are named by their state-dict paths: `0.weight`, `fc1.bias` */
  model?: {
    /** the parameters with their dotted state-dict paths, as nn.Module's namedParameters() */
    namedParameters(): [string, Tensor][];
  };
}


/** The problem-file spelling of a recorded op, when it has one (then the symbolic rules apply). */
function exprOf(node: Node, args: Expr[], out: Tensor): Expr {
  const { op, attrs, inputs } = node;
  const allDims = (dims: unknown) => Array.isArray(dims) && dims.length === inputs[0].ndim && out.ndim === 0;
  switch (op.name) {
    case 'add':
      return bin('+', args[0], args[1]);
    case 'sub':
      return bin('-', args[0], args[1]);
    case 'mul':
      return bin(inputs[0].size > 1 && inputs[1].size > 1 ? 'hadamard' : '*', args[0], args[1]);
    case 'div':
      return bin('/', args[0], args[1]);
    case 'matmul':
      return matmulExpr(inputs[0], inputs[1], out, args, node);
    case 'neg':
      return neg(args[0]);
    case 'pow':
      if (args.length === 2) return bin('^', args[0], args[1]);
      if (typeof attrs?.exponent === 'number') return bin('^', args[0], num(attrs.exponent));
      break;
    case 'softmax':
    case 'logSoftmax':
      if (attrs?.dim === vectorDim(inputs[0])) return call(op.name === 'softmax' ? 'softmax' : 'log_softmax', args[0]);
      break;
    case 'sum':
    case 'mean':
    case 'max':
      if (allDims(attrs?.dims)) return call(op.name, args[0]);
      break;
    case 'transpose':
      if (inputs[0].ndim === 2) return call('transpose', args[0]);
      break;
    default: {
      const c = tableCall(node, args);
      if (c) return c;
    }
  }
  return { kind: 'op', op, args, attrs };
}

/**
 * A recorded elementwise op as a problem-file call, read off its table entry: its problem name,
 * its tensor arguments and its numeric parameters (trailing defaults left out). Null when the
 * op has no problem name or a recorded setting a problem file cannot write (GELU's tanh form).
 */
function tableCall(node: Node, args: Expr[]): Expr | null {
  const def = defOf(node.op);
  if (!def?.problem || !def.derivative || args.length !== def.inputs.length) return null;
  const attrs = node.attrs ?? {};
  const numeric: Expr[] = [];
  let keep = 0;
  for (const p of def.params) {
    const v = attrs[p.name] ?? p.default;
    if ((p.type ?? 'number') !== 'number') {
      if (v !== p.default) return null;
      continue;
    }
    if (typeof v !== 'number' || Number.isNaN(v)) return null;
    numeric.push(num(v));
    if (v !== p.default) keep = numeric.length;
  }
  return call(def.problem, ...args, ...numeric.slice(0, keep));
}

const OPAQUE_MATMUL = { name: 'matmul', latex: (a: string[]) => `\\operatorname{matmul}\\left(${a.join(', ')}\\right)` };

/**
 * The engine records x @ y and x @ yᵀ (matmulT, inside the GEMM kernel) with one OpInfo and no
 * attributes, so the transposition is read off the shapes; when they cannot tell (a square right
 * operand) the product is shown as matmul(x, y), its numbers still from the recorded backward.
 */
function matmulExpr(a: Tensor, b: Tensor, out: Tensor, args: Expr[], node: Node): Expr {
  if (a.ndim < 2 || b.ndim < 2) return bin('@', args[0], args[1]);
  const [am, ak] = a.shape.slice(-2);
  const [bk, bn] = b.shape.slice(-2);
  const [om, on] = out.shape.slice(-2);
  const plain = ak === bk && om === am && on === bn;
  const tB = ak === bn && om === am && on === bk;
  const tA = am === bk && om === ak && on === bn;
  // x @ yᵀ comes from matmulT (layers); xᵀ @ y only from backward passes, so it loses ties with x @ y
  if (plain && !tB) return bin('@', args[0], args[1]);
  if (tB && !plain) return bin('@', args[0], call('transpose', args[1]));
  if (tA && !plain && !tB) return bin('@', call('transpose', args[0]), args[1]);
  return { kind: 'op', op: { ...node.op, ...OPAQUE_MATMUL }, args };
}

/** Tensors reachable from the output through recorded ops, inputs first: every input, constants included. */
function topo(out: Tensor): Tensor[] {
  return topoSort([out], () => true);
}

/**
 * The worked solution of any tensor computed with the library: walks the autograd graph, names
 * every tensor (its `name`, else x1, x2, ... for leaves and t1, t2, ... for intermediates) and
 * derives the forward and backward steps; every number comes from the recorded ops' forward values
 * and backward functions. Leaves that require grad play the params, other leaves the inputs.
 *
 * @example
 * ```ts
 * const w = tensor(3, { dtype: 'float64', requiresGrad: true, name: 'w' });
 * const L = w.mul(w).add(1); L.name = 'L';
 * const dv = explain(L);
 * dv.grads.w // 6
 * render(dv, 'md').split('\n')[0] // '# explain(L)'
 * ```
 */
export function explain(output: Tensor, opts: ExplainOptions = {}): Derivation {
  if (!(output instanceof Tensor)) throw new ChainruleError('explain: expected a Tensor');
  const order = topo(output);
  const names = new Map<Tensor, string>();
  const taken = new Set<string>();
  for (const [path, p] of opts.model?.namedParameters() ?? []) {
    if (order.includes(p) && !names.has(p) && !taken.has(path)) {
      names.set(p, path);
      taken.add(path);
    }
  }
  for (const t of order) if (!names.has(t) && t.name && !taken.has(t.name) && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.name)) {
    names.set(t, t.name);
    taken.add(t.name);
  }
  const fresh = (prefix: string) => {
    let i = 1;
    while (taken.has(`${prefix}${i}`)) i++;
    taken.add(`${prefix}${i}`);
    return `${prefix}${i}`;
  };
  const inline = (t: Tensor) => t.isLeaf && !t.requiresGrad && t.ndim === 0 && !names.has(t);
  for (const t of order) {
    if (names.has(t) || inline(t)) continue;
    if (t === output && !taken.has('y')) {
      taken.add('y');
      names.set(t, 'y');
    } else names.set(t, fresh(t.isLeaf ? 'x' : 't'));
  }
  const argExpr = (t: Tensor): Expr => (inline(t) ? num(Number(t.data[0])) : nameE(names.get(t) as string));

  const tensors = new Map<string, Tensor>();
  const inputs = new Map<string, NestedNumber>();
  const params = new Map<string, NestedNumber>();
  const nodes: Definition[] = [];
  const shapes: ShapeMap = new Map();
  const lines = new Map<string, number>();
  for (const t of order) {
    if (inline(t)) continue;
    const n = names.get(t) as string;
    lines.set(n, 0);
    if (t.isLeaf) {
      (t.requiresGrad ? params : inputs).set(n, t.toArray() as NestedNumber);
      tensors.set(n, t);
      continue;
    }
    const node = t.node as Node;
    const args = node.inputs.map((x) => {
      const e = argExpr(x);
      shapes.set(e, x.shape);
      return e;
    });
    const expr = exprOf(node, args, t);
    shapes.set(expr, t.shape);
    nodes.push({ name: n, expr, source: '', section: 'nodes', line: 0 });
    tensors.set(n, t);
  }
  const outName = names.get(output) as string;
  const problem: Problem = {
    file: '<tensor>',
    title: opts.title ?? `explain(${outName})`,
    inputs,
    params,
    nodes,
    backward: output.requiresGrad ? { from: outName } : null,
    update: null,
    thenDefs: [],
    lines,
  };

  let seed: Tensor | null = null;
  const grads = new Map<string, Tensor>();
  const deps: string[] = [];
  if (output.requiresGrad) {
    const s = opts.seed;
    if (s instanceof Tensor) seed = s.to(output.dtype);
    else if (s === undefined) {
      if (output.size !== 1) throw new ChainruleError(`explain: the output has shape ${fmtShape(output.shape)}; give a seed of that shape`);
      seed = onesLike(output);
    } else seed = typeof s === 'number' && output.size === 1 ? reshape(scalar(s, { dtype: output.dtype }), output.shape) : tensor(s as number, { dtype: output.dtype });
    if (seed.shape.join() !== output.shape.join()) throw new ChainruleError(`explain: seed of shape ${fmtShape(seed.shape)} for an output of shape ${fmtShape(output.shape)}`);
    // explaining reads the graph and leaves it to the caller: its vjps run the nodes' backwards again
    const all = runBackward([output], [seed], { accumulate: false, retainGraph: true, keepAll: true, ops: GRAD_OPS });
    for (const [n, t] of tensors) {
      const g = all.get(t);
      if (g && t !== output) {
        grads.set(n, g);
        deps.push(n);
      }
    }
    grads.set(outName, seed);
  }
  const vjp = (consumer: string, input: string, upstream: Tensor | null): Tensor => {
    const ct = tensors.get(consumer) as Tensor;
    const it = tensors.get(input) as Tensor;
    return noGrad(() => {
      const gs = (ct.node as Node).backward(upstream ?? onesLike(ct));
      let acc: Tensor | null = null;
      (ct.node as Node).inputs.forEach((x, i) => {
        const g = gs[i];
        if (x === it && g) acc = acc ? add(acc, g) : g;
      });
      return acc ?? zerosLike(it);
    });
  };
  const sol: Solution = { problem, tensors, from: output.requiresGrad ? output : null, seed, grads, deps, shapes, updated: new Map(), thenValues: [], after: new Map(), vjp };
  return derive(sol, { symbolic: opts.symbolic });
}
