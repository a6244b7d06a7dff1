import { backward as runBackwardFrom } from '../../autograd/functional.js';
import { noGrad } from '../../autograd/mode.js';
import { ChainruleError, fmtShape } from '../../errors.js';
import { onesLike, scalar, tensor, zerosLike } from '../../tensor/creation.js';
import type { Expr } from '../../ops/formula.js';
import { FUNCTIONS, diffNamesIn, expandCall, oneHot } from '../problem/functions.js';
import type { Definition, NestedNumber, Problem } from '../problem/problem.js';
import { add, clone, div, eq, ge, gt, le, lt, matmul, max, mul, neg, pow, reshape, sub, sum, type Tensor, transpose, where } from '../../ops/index.js';

/** Shapes of every sub-expression evaluated (keyed by the Expr object), for matrix-form derivative rules. */
export type ShapeMap = Map<Expr, readonly number[]>;

/**
 * Evaluates an expression with the core engine's ops, reading names from `env`. Numbers become
 * float64 scalars; `^` with a constant exponent uses powScalar; `@` is matmul.
 *
 * @example evalExpr(parseExpr('x*2'), new Map([['x', tensor(3, {dtype: 'float64'})]])).item() // 6
 */
export function evalExpr(e: Expr, env: ReadonlyMap<string, Tensor>, shapes?: ShapeMap, round?: Round): Tensor {
  let out = evalInner(e, env, shapes, round);
  if (round && e.kind !== 'name' && e.kind !== 'num') out = round(out);
  shapes?.set(e, out.shape);
  return out;
}

/** Rounds an intermediate value (the answer checker's recomputation with a student's rounding). */
export type Round = (t: Tensor) => Tensor;

/** Display-only functions of derivative formulas: 1[x > 0] (ReLU') and 1[x = max x]. */
const PSEUDO: Record<string, (args: Tensor[]) => Tensor> = {
  ind_pos: ([x]) => gt(x, 0).to('float64'),
  ind_max: ([x]) => eq(x, max(x)).to('float64'),
  ones_like: ([x]) => onesLike(x),
  onehot: ([c, z]) => oneHot(z, constValue(c, 'the classes of onehot'))[0],
};

function constValue(t: Tensor, what: string): number | number[] {
  if (t.requiresGrad && !t.isLeaf) throw new ChainruleError(`${what} must be a constant, not something computed from inputs or params`);
  const flat = Array.from(t.data as ArrayLike<number>);
  if (t.ndim === 0) return flat[0];
  return flat.length === 1 ? flat[0] : flat;
}

function evalInner(e: Expr, env: ReadonlyMap<string, Tensor>, shapes?: ShapeMap, round?: Round): Tensor {
  switch (e.kind) {
    case 'num':
      return scalar(e.value, { dtype: 'float64' });
    case 'name': {
      const t = env.get(e.name);
      if (!t) throw new ChainruleError(`unknown name ${e.name}`);
      return t;
    }
    case 'neg':
      return neg(evalExpr(e.arg, env, shapes, round));
    case 'bin': {
      const a = evalExpr(e.left, env, shapes, round);
      if (e.op === '^' && e.right.kind === 'num') {
        shapes?.set(e.right, []);
        return pow(a, e.right.value);
      }
      const b = evalExpr(e.right, env, shapes, round);
      switch (e.op) {
        case '+':
          return add(a, b);
        case '-':
          return sub(a, b);
        case '*':
        case 'hadamard':
          return mul(a, b);
        case '/':
          return div(a, b);
        case '^':
          return pow(a, b);
        case '@':
          if (a.ndim === 0 || b.ndim === 0) {
            throw new ChainruleError(`matmul: @ needs matrices or vectors on both sides, got shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} (use * for scalars)`);
          }
          return matmul(a, b);
      }
      break;
    }
    case 'call': {
      const pseudo = PSEUDO[e.fn];
      if (pseudo) return pseudo(e.args.map((a) => evalExpr(a, env, shapes, round)));
      const spec = FUNCTIONS[e.fn];
      if (!spec) throw new ChainruleError(`unknown function ${e.fn}()`);
      const expanded = expandCall(e);
      if (expanded) return evalExpr(expanded, env, shapes, round);
      const args = e.args.map((a) => evalExpr(a, env, shapes, round));
      const consts = args.map((a, i) => (spec.constArgs?.includes(i) ? constValue(a, `argument ${i + 1} of ${e.fn}`) : undefined));
      for (const [i, c] of consts.entries()) {
        if (c !== undefined && !/cross_entropy|masked_softmax/.test(e.fn) && typeof c !== 'number') throw new ChainruleError(`argument ${i + 1} of ${e.fn} must be a number`);
      }
      if (!spec.evaluate) throw new ChainruleError(`${e.fn}() cannot be evaluated`);
      return spec.evaluate(args, consts);
    }
    // the pieces of derivative formulas, so a shown formula can be evaluated and checked
    case 'grad': {
      const t = env.get(`∂${e.of}`);
      if (!t) throw new ChainruleError(`no value for ∂L/∂${e.of}`);
      return t;
    }
    case 'transpose': {
      const x = evalExpr(e.arg, env, shapes, round);
      return x.ndim === 2 ? transpose(x) : x;
    }
    case 'sumdims': {
      const x = evalExpr(e.arg, env, shapes, round);
      const s = sum(x, e.dims, { keepdim: true });
      return e.shape ? reshape(s, e.shape) : s;
    }
    case 'cases': {
      // elementwise: the last branch is the innermost where, so the first true condition wins
      let out = evalExpr(e.otherwise, env, shapes, round);
      for (let i = e.branches.length - 1; i >= 0; i--) {
        const { when, value } = e.branches[i];
        const l = evalExpr(when.left, env, shapes, round);
        const r = evalExpr(when.right, env, shapes, round);
        const c = when.op === '>' ? gt(l, r) : when.op === '>=' ? ge(l, r) : when.op === '<' ? lt(l, r) : le(l, r);
        out = where(c, evalExpr(value, env, shapes, round), out);
      }
      return out;
    }
    default:
      break;
  }
  throw new ChainruleError(`cannot evaluate a ${e.kind} expression`);
}

/**
 * The evaluated problem: every tensor by name, the gradients, the step and what follows it.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const sol = solveProblem(problem);
 * sol.tensors.get('y')?.item() // 0.997527...
 * sol.grads.get('w')?.item() // 0.0049330...
 * sol.deps // ['x', 'w']
 * ```
 */
export interface Solution {
  /** the parsed problem that was solved */
  problem: Problem;
  /** every input, param and node of the forward pass (float64, named, gradients retained) */
  tensors: Map<string, Tensor>;
  /** the node differentiated (`backward.from`), null without a backward section */
  from: Tensor | null;
  /** the upstream gradient d(Loss)/d(from) */
  seed: Tensor | null;
  /** d(from)/d(name) x seed for every input, param and node that `from` depends on */
  grads: Map<string, Tensor>;
  /** names `from` depends on, in definition order */
  deps: string[];
  /** shape of every evaluated sub-expression of the nodes */
  shapes: ShapeMap;
  /** the params after the SGD step and any `then` update rule (only changed params differ) */
  updated: Map<string, Tensor>;
  /** values of the `then` definitions in order (update rules under the param's name) */
  thenValues: {
    /** the `then` line */
    def: Definition;
    /** its value */
    value: Tensor;
    /** the names visible to it: the forward pass's values with the updated params, and earlier `then` names */
    env: Map<string, Tensor>;
  }[];
  /** every node re-evaluated with the updated params */
  after: Map<string, Tensor>;
  /**
   * The consumer's share of dL/d(input), computed from its recorded backward (set for solutions
   * built from a tensor's graph, whose nodes need not be problem-file expressions); upstream null
   * gives the local derivative.
   */
  vjp?: (consumer: string, input: string, upstream: Tensor | null) => Tensor;
}

/** Turns a nested number list into a float64 tensor. */
export function toTensor(v: NestedNumber, name?: string, requiresGrad = false): Tensor {
  return tensor(v as number, { dtype: 'float64', requiresGrad, name });
}

function located(p: Problem, d: Definition, f: () => Tensor): Tensor {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChainruleError) throw new ChainruleError(`${p.file}:${d.line}: ${d.name} = ${d.source}: ${e.message}`);
    throw e;
  }
}

/** Names a definition depends on, transitively (inputs, params and nodes). */
export function dependencies(p: Problem, root: string): string[] {
  const defs = new Map(p.nodes.map((d) => [d.name, d]));
  const seen = new Set<string>();
  const visit = (n: string) => {
    const d = defs.get(n);
    if (!d) return;
    for (const u of diffNamesIn(d.expr)) {
      if (!seen.has(u)) {
        seen.add(u);
        visit(u);
      }
    }
  };
  visit(root);
  const all = [...p.inputs.keys(), ...p.params.keys(), ...p.nodes.map((d) => d.name)];
  return all.filter((n) => seen.has(n));
}

function evalNodes(p: Problem, env: Map<string, Tensor>, shapes?: ShapeMap, named = false): void {
  for (const d of p.nodes) {
    let t = located(p, d, () => evalExpr(d.expr, env, shapes));
    // a node that is just another name (y: x) gets its own tensor so names stay distinct
    if ([...env.values()].includes(t)) t = clone(t);
    if (named) {
      t.name = d.name;
      if (t.requiresGrad) t.retainGrad();
    }
    env.set(d.name, t);
  }
}

function seedTensor(p: Problem, from: Tensor): Tensor {
  const s = p.backward?.seed;
  if (s === undefined) {
    if (from.size !== 1) {
      throw new ChainruleError(`${p.file}: backward.from ${p.backward?.from} has shape ${fmtShape(from.shape)}: give a seed of that shape (dLoss/d${p.backward?.from})`);
    }
    return reshape(scalar(1, { dtype: 'float64' }), from.shape);
  }
  const t = toTensor(s);
  if (t.size === 1 && from.size === 1) return reshape(t, from.shape);
  if (t.shape.length !== from.shape.length || t.shape.some((d, i) => d !== from.shape[i])) {
    throw new ChainruleError(`${p.file}: backward.seed has shape ${fmtShape(t.shape)} but ${p.backward?.from} has shape ${fmtShape(from.shape)}`);
  }
  return t;
}

/**
 * Evaluates a parsed problem with the core engine in float64: the forward pass (every node named
 * and retaining its gradient), backward from `backward.from` with the seed, the SGD step, the
 * `then` definitions and the nodes re-evaluated with the updated params.
 *
 * @example solveProblem(parseProblem('params: {w: 3}\nnodes: {L: w^2}\nbackward: {from: L}')).grads.get('w')?.item() // 6
 */
export function solveProblem(p: Problem): Solution {
  const tensors = new Map<string, Tensor>();
  for (const [n, v] of p.inputs) tensors.set(n, toTensor(v, n, true));
  for (const [n, v] of p.params) tensors.set(n, toTensor(v, n, true));
  const shapes: ShapeMap = new Map();
  evalNodes(p, tensors, shapes, true);

  let from: Tensor | null = null;
  let seed: Tensor | null = null;
  const grads = new Map<string, Tensor>();
  let deps: string[] = [];
  if (p.backward) {
    from = tensors.get(p.backward.from) ?? null;
    if (!from) throw new ChainruleError(`${p.file}: backward.from ${p.backward.from} is not defined`);
    seed = seedTensor(p, from);
    deps = dependencies(p, p.backward.from);
    // the solution keeps its graph: drawings compute its gradients again, derivations read it
    if (from.requiresGrad) runBackwardFrom(from, seed, { retainGraph: true });
    for (const n of deps) {
      const t = tensors.get(n) as Tensor;
      grads.set(n, t.grad ?? zerosLike(t));
    }
    grads.set(p.backward.from, seed);
  }

  const updated = new Map<string, Tensor>();
  noGrad(() => {
    for (const n of p.params.keys()) {
      const t = tensors.get(n) as Tensor;
      const g = grads.get(n);
      // with an SGD step every param is in `updated`: one that from does not depend on keeps its value
      if (p.update) updated.set(n, g ? sub(t.detach(), mul(g, p.update.lr)) : t.detach());
    }
  });
  const thenValues: Solution['thenValues'] = [];
  noGrad(() => {
    const env = new Map<string, Tensor>();
    for (const [n, t] of tensors) env.set(n, t.detach());
    for (const [n, t] of updated) env.set(n, t);
    for (const d of p.thenDefs) {
      const snapshot = new Map(env);
      const v = located(p, d, () => evalExpr(d.expr, env));
      if (p.params.has(d.name)) {
        const old = env.get(d.name) as Tensor;
        if (old.shape.join() !== v.shape.join()) {
          throw new ChainruleError(`${p.file}:${d.line}: the update rule for ${d.name} gives shape ${fmtShape(v.shape)}, but ${d.name} has shape ${fmtShape(old.shape)}`);
        }
        updated.set(d.name, v);
      }
      env.set(d.name, v);
      thenValues.push({ def: d, value: v, env: snapshot });
    }
  });
  const after = new Map<string, Tensor>();
  if (updated.size > 0 || p.thenDefs.length > 0) noGrad(() => {
    const env = new Map<string, Tensor>();
    for (const n of [...p.inputs.keys(), ...p.params.keys()]) env.set(n, (tensors.get(n) as Tensor).detach());
    for (const [n, t] of updated) env.set(n, t);
    evalNodes(p, env);
    for (const d of p.nodes) after.set(d.name, env.get(d.name) as Tensor);
  });
  return { problem: p, tensors, from, seed, grads, deps, shapes, updated, thenValues, after };
}
