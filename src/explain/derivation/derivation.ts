import { backward } from '../../autograd/functional.js';
import { noGrad } from '../../autograd/mode.js';
import { onesLike, zerosLike } from '../../tensor/creation.js';
import { type Expr, bin, call, name, namesIn, num } from '../../ops/formula.js';
import { type Solution, evalExpr } from './evaluate.js';
import { diffNamesIn } from '../problem/functions.js';
import type { Value } from '../symbolic/notation.js';
import type { Definition } from '../problem/problem.js';
import { adjoint, diff, simplify, substituteGrads } from '../symbolic/symbolic.js';
import { type NodeDef, inTermsOf, textbookLocal } from './textbook.js';
import { lossWritten } from './losses.js';
import type { Tensor } from '../../ops/index.js';

/**
 * One line of the forward pass: a definition, the values it reads, its result.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * dv.forward.map((s) => `${s.name} (${s.kind})`) // ['x (input)', 'w (param)', 'y (node)']
 * dv.forward[2].value // 0.997527...
 * ```
 */
export interface ForwardStep {
  /** the name defined */
  name: string;
  /** which section defines it */
  kind: 'input' | 'param' | 'node';
  /** the definition (nodes only) */
  expr?: Expr;
  /** the definition as written (nodes only) */
  source?: string;
  /** its value */
  value: Value;
  /** its shape ([] for a scalar) */
  shape: number[];
  /** intermediate lines for scalar definitions: function arguments evaluated, then the functions */
  partial?: Expr[];
  /** a loss written out: its definition, and the definition with the numbers it reads */
  written?: {
    /** the loss's textbook definition (e.g. the mean of squared differences) */
    formula: Expr;
    /** the same definition with the values it reads in place of the names */
    numbers: Expr;
  };
}

/**
 * One consumer's share of dL/d(node): dL/d(consumer) times the local derivative.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * const [term] = dv.backward[2].terms; // dy/dw through y
 * term.consumer // 'y'
 * term.contribution // 0.0049330...
 * ```
 */
export interface BackwardTerm {
  /** the node that reads this one */
  consumer: string;
  /** the contribution as a formula in dL/d(consumer) (a `grad` symbol) and the problem's symbols */
  formula: Expr;
  /** true when the formula is in matrix form (δ A^T, W^T δ, ⊙ f'(Z), Σ over the batch) */
  matrixForm: boolean;
  /** d(consumer)/d(node) as a formula and its value, for scalar steps */
  local?: {
    /** d(consumer)/d(node) in the problem language (the op's derivative entry, applied) */
    formula: Expr;
    /** its value at the forward pass's numbers */
    value: Value;
  };
  /** dL/d(consumer) */
  upstream: Value;
  /** this consumer's share of dL/d(node), computed by the engine */
  contribution: Value;
}

/**
 * dL/d(name) = sum over the consumers of name.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * dv.backward.map((s) => s.name) // ['y', 'x', 'w']
 * dv.backward[2].value // 0.0049330...
 * ```
 */
export interface BackwardStep {
  /** the name whose gradient this is */
  name: string;
  /** which section defines it */
  kind: 'input' | 'param' | 'node';
  /** empty for `from` itself (its gradient is the seed) */
  terms: BackwardTerm[];
  /** dL/d(name) */
  value: Value;
  /** its shape ([] for a scalar) */
  shape: number[];
}

/**
 * One parameter's SGD step: new = old - lr·grad.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * const [s] = dv.update?.steps ?? [];
 * [s.name, s.old] // ['w', 3]
 * s.value // 2.9995066981...
 * ```
 */
export interface UpdateStep {
  /** the parameter */
  name: string;
  /** its value before the step */
  old: Value;
  /** its gradient */
  grad: Value;
  /** its value after the step */
  value: Value;
}

/**
 * One line of the `then` section, evaluated after the update: a definition, or an update rule `w <- expression`.
 * @example
 * ```ts
 * const problem = parseProblem('params: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\nupdate:\n  sgd: { lr: 0.1 }\nthen:\n  L2: w^2\n');
 * const dv = derive(solveProblem(problem));
 * dv.thenSteps[0].name // 'L2'
 * dv.thenSteps[0].value // 5.76
 * ```
 */
export interface ThenStep {
  /** the name defined or updated */
  name: string;
  /** true for an update rule w <- expression of a param */
  rule: boolean;
  /** the expression */
  expr: Expr;
  /** the expression as written */
  source: string;
  /** the values of the names it reads */
  reads: Record<string, Value>;
  /** the result */
  value: Value;
  /** an updated param's value before the rule */
  old?: Value;
}

/**
 * A worked solution: everything `render` writes and `checkAnswers` checks. Every number in it was
 * computed by the core engine in float64.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * dv.title // 'Tiny'
 * dv.grads.w // 0.0049330...
 * dv.values.y // 0.997527...
 * ```
 */
export interface Derivation {
  /** the problem's title (its `title` line) */
  title: string;
  /** the problem's own statement: the comments of its file */
  statement?: string;
  /** inputs that are only targets of the loss: their gradients are neither needed nor shown */
  targets: string[];
  /** values or gradients that came out NaN or infinite, and where they first appear */
  warnings: string[];
  /** why --symbolic gave no formulas, or what it could not simplify */
  symbolicNote?: string;
  /** the differentiated node (the problem's `backward: { from }`), null without a backward section */
  from: string | null;
  /** the upstream gradient dL/d(from) the sweep starts with (default 1, or ones of from's shape) */
  seed: Value | null;
  /** the forward pass, one step per input, param and node in definition order */
  forward: ForwardStep[];
  /** the backward pass from `from` down, one step per name it depends on */
  backward: BackwardStep[];
  /** the SGD step of the problem's `update: { sgd: { lr } }`, null without one */
  update: {
    /** the learning rate */
    lr: number;
    /** one step per parameter */
    steps: UpdateStep[];
  } | null;
  /** the `then` section, step by step */
  thenSteps: ThenStep[];
  /** the loss (from) before and after the step */
  loss: {
    /** from's value at the given params */
    before: Value;
    /** from's value re-evaluated at the updated params */
    after: Value;
  } | null;
  /** every input, param and node */
  values: Record<string, Value>;
  /** d(from)/d(name) x seed for every name from depends on (and from itself) */
  grads: Record<string, Value>;
  /** params after the step (SGD and `then` rules) */
  updated: Record<string, Value>;
  /** nodes re-evaluated with the updated params, and the `then` definitions */
  after: Record<string, Value>;
  /** the gradient of from w.r.t. every name it depends on, as one formula (with --symbolic) */
  symbolic:
    | {
        /** the name differentiated with respect to */
        name: string;
        /** d(from)/d(name) as one simplified formula */
        formula: Expr;
      }[]
    | null;
  /** names in definition order and their kinds, for dependency ordering */
  order: {
    /** the name */
    name: string;
    /** the section that defines it */
    kind: 'input' | 'param' | 'node' | 'then';
  }[];
  /** the evaluated problem behind it (absent for derivations of plain tensors) */
  solution?: Solution;
}

/** A tensor's values as a number or nested lists. */
export function toValue(t: Tensor): Value {
  return t.toArray() as Value;
}

const isScalar = (t: Tensor) => t.size === 1;

/** The consumer's vector-Jacobian product for one of its arguments, computed by the engine on a fresh copy of the consumer. */
function localVjp(sol: Solution, def: Definition, n: string, upstream: Tensor | null): Tensor {
  if (sol.vjp) return sol.vjp(def.name, n, upstream);
  const env = new Map<string, Tensor>();
  for (const u of namesIn(def.expr)) {
    const t = (sol.tensors.get(u) as Tensor).detach();
    if (u === n) t.requiresGrad = true;
    env.set(u, t);
  }
  const out = evalExpr(def.expr, env);
  const target = env.get(n) as Tensor;
  if (!out.requiresGrad) return zerosLike(target);
  backward(out, upstream ?? onesLike(out));
  return target.grad ?? zerosLike(target);
}

/**
 * The lines between "values substituted" and the result, for scalar definitions: first every
 * function's argument evaluated (σ(1·1 + (-2)·1) becomes σ(-1)), then every function evaluated.
 * Each value comes from the engine.
 */
export function partialSteps(e: Expr, tensors: ReadonlyMap<string, Tensor>): Expr[] {
  const env = new Map<string, Tensor>();
  for (const [n, t] of tensors) env.set(n, t.detach());
  const value = (x: Expr): Expr => num(noGrad(() => evalExpr(x, env)).item());
  const atomic = (x: Expr) => x.kind === 'num' || x.kind === 'name';
  let hasCall = false;
  const args = (x: Expr): Expr => {
    switch (x.kind) {
      case 'call':
        hasCall = true;
        return { ...x, args: x.args.map((a) => (atomic(a) ? a : value(a))) };
      case 'bin':
        return { ...x, left: args(x.left), right: args(x.right) };
      case 'neg':
        return { ...x, arg: args(x.arg) };
      default:
        return x;
    }
  };
  const calls = (x: Expr): Expr => {
    switch (x.kind) {
      case 'call':
        return value(x);
      case 'bin':
        return { ...x, left: calls(x.left), right: calls(x.right) };
      case 'neg':
        return { ...x, arg: calls(x.arg) };
      default:
        return x;
    }
  };
  try {
    const a = args(e);
    if (!hasCall || e.kind === 'call') return e.kind === 'call' && !e.args.every(atomic) ? [a] : [];
    return [a, calls(e)];
  } catch {
    return [];
  }
}

function allScalar(e: Expr, shapeOf: (e: Expr) => readonly number[] | undefined): boolean {
  const sh = shapeOf(e);
  if (sh?.some((d) => d !== 1)) return false;
  switch (e.kind) {
    case 'bin':
      return allScalar(e.left, shapeOf) && allScalar(e.right, shapeOf);
    case 'neg':
      return allScalar(e.arg, shapeOf);
    case 'call':
    case 'op':
      return e.args.every((a) => allScalar(a, shapeOf));
    default:
      return true;
  }
}

/**
 * Options of derive.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem), { symbolic: true });
 * dv.symbolicNote // undefined
 * ```
 */
export interface DeriveOptions {
  /** also build the closed-form gradient formulas */
  symbolic?: boolean;
}

/**
 * Builds the worked solution of an evaluated problem: forward steps, backward steps in reverse
 * topological order with each consumer's local derivative, the update, and what follows it.
 *
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * dv.grads.w // 0.0049330...
 * render(dv, 'text').split('\n')[0] // 'TINY'
 * ```
 */
export function derive(sol: Solution, opts: DeriveOptions = {}): Derivation {
  const p = sol.problem;
  const defs: NodeDef[] = p.nodes.map((d) => ({ name: d.name, expr: d.expr }));
  const targets = p.backward ? targetsOf(p.nodes, p.backward.from, [...p.inputs.keys()]) : [];
  const kindOf = (n: string): 'input' | 'param' | 'node' => (p.inputs.has(n) ? 'input' : p.params.has(n) ? 'param' : 'node');
  const values: Record<string, Value> = {};
  const forward: ForwardStep[] = [];
  for (const [n, t] of sol.tensors) {
    values[n] = toValue(t);
    const def = p.nodes.find((d) => d.name === n);
    const partial = def && !sol.vjp && allScalar(def.expr, (e) => sol.shapes.get(e)) ? partialSteps(def.expr, sol.tensors) : undefined;
    const written = def && !sol.vjp ? lossWritten(def.expr, sol) : undefined;
    forward.push({ name: n, kind: kindOf(n), expr: def?.expr, source: def?.source, value: values[n], shape: [...t.shape], partial, written });
  }
  const grads: Record<string, Value> = {};
  const backwardSteps: BackwardStep[] = [];
  const shapeOf = (e: Expr) => sol.shapes.get(e);
  const from = p.backward?.from ?? null;
  if (from && sol.seed) {
    const involved = new Set([...sol.deps, from]);
    const consumers = (n: string) => p.nodes.filter((d) => involved.has(d.name) && diffNamesIn(d.expr).includes(n));
    const nodesRev = p.nodes.filter((d) => involved.has(d.name)).map((d) => d.name).reverse();
    const leaves = [...p.inputs.keys(), ...p.params.keys()].filter((n) => involved.has(n) && !targets.includes(n));
    for (const n of [...nodesRev, ...leaves]) {
      const t = sol.tensors.get(n) as Tensor;
      const g = sol.grads.get(n) as Tensor;
      grads[n] = toValue(g);
      if (targets.includes(n)) continue;
      const terms: BackwardTerm[] = [];
      if (n !== from) {
        for (const c of consumers(n)) {
          const ct = sol.tensors.get(c.name) as Tensor;
          const up = sol.grads.get(c.name) as Tensor;
          // the rules of scalar calculus apply when every piece of the consumer is a number
          const scalarCase = isScalar(t) && isScalar(ct) && allScalar(c.expr, shapeOf);
          const contribution = toValue(localVjp(sol, c, n, up));
          const U: Expr = { kind: 'grad', of: c.name };
          let local: BackwardTerm['local'];
          let formula: Expr | null = null;
          if (scalarCase) {
            const d = diff(c.expr, n);
            if (d) {
              const shown = sol.vjp ? d : simplify(textbookLocal(d, c, defs));
              local = { formula: shown, value: toValue(localVjp(sol, c, n, null)) };
              formula = simplify(bin('*', U, shown));
            }
          }
          const matrixForm = !formula;
          if (!formula) {
            const adj = adjoint(c.expr, n, U, shapeOf);
            // an op with no symbolic rule (explain() of an arbitrary tensor): the chain-rule notation, numbers from the engine
            formula = adj ? (sol.vjp ? adj : simplify(inTermsOf(adj, defs))) : bin(scalarCase ? '*' : 'hadamard', U, call('dlocal', name(c.name), name(n)));
          }
          terms.push({ consumer: c.name, formula, matrixForm, local, upstream: toValue(up), contribution });
        }
      }
      backwardSteps.push({ name: n, kind: kindOf(n), terms, value: grads[n], shape: [...t.shape] });
    }
  }

  const updated: Record<string, Value> = {};
  for (const [n, t] of sol.updated) updated[n] = toValue(t);
  const update = p.update
    ? {
        lr: p.update.lr,
        steps: [...p.params.keys()]
          .filter((n) => grads[n] !== undefined)
          .map((n) => ({ name: n, old: values[n], grad: grads[n], value: toValue(sol.updated.get(n) as Tensor) })),
      }
    : null;
  // `then` steps: an update rule shows the param's value before the rule as `old`
  const thenSteps: ThenStep[] = sol.thenValues.map(({ def, value, env }) => {
    const reads: Record<string, Value> = {};
    for (const u of namesIn(def.expr)) reads[u] = toValue(env.get(u) as Tensor);
    const rule = p.params.has(def.name);
    return { name: def.name, rule, expr: def.expr, source: def.source, reads, value: toValue(value), old: rule ? toValue(env.get(def.name) as Tensor) : undefined };
  });
  const after: Record<string, Value> = {};
  for (const [n, t] of sol.after) after[n] = toValue(t);
  for (const s of thenSteps) if (!s.rule) after[s.name] = s.value;
  const loss = from && (p.update || p.thenDefs.some((d) => p.params.has(d.name))) ? { before: values[from], after: after[from] } : null;

  let symbolic: Derivation['symbolic'] = null;
  let symbolicNote: string | undefined;
  if (opts.symbolic && !(from && sol.seed)) {
    symbolicNote = 'This problem has no backward section, so there is no gradient to write as a formula (add backward: {from: NODE} to differentiate NODE).';
  }
  if (opts.symbolic && from && sol.seed) {
    const seedV = toValue(sol.seed);
    const G = new Map<string, Expr>();
    G.set(from, typeof seedV === 'number' ? num(seedV) : { kind: 'grad', of: from });
    symbolic = [];
    for (const step of backwardSteps) {
      if (step.name === from) continue;
      let f: Expr | null = null;
      for (const term of step.terms) {
        const s = substituteGrads(term.formula, (of) => G.get(of));
        f = f ? bin('+', f, s) : s;
      }
      const formula = simplify(f ?? num(0));
      G.set(step.name, formula);
      symbolic.push({ name: step.name, formula });
    }
    const opaque = symbolic.filter((x) => hasOpaque(x.formula)).map((x) => x.name);
    if (opaque.length) {
      symbolicNote = `Some steps go through ops with no symbolic rule (shown as ∂c/∂x, their numbers from the engine's backward), so the formulas of ${opaque.join(', ')} keep those factors.`;
    }
  }
  const order: Derivation['order'] = [
    ...[...p.inputs.keys()].map((name) => ({ name, kind: 'input' as const })),
    ...[...p.params.keys()].map((name) => ({ name, kind: 'param' as const })),
    ...p.nodes.map((d) => ({ name: d.name, kind: 'node' as const })),
    ...p.thenDefs.filter((d) => !p.params.has(d.name)).map((d) => ({ name: d.name, kind: 'then' as const })),
  ];
  for (const n of targets) delete grads[n];
  const dv: Derivation = {
    title: p.title,
    statement: p.statement,
    targets,
    warnings: nonFinite(forward, backwardSteps),
    symbolicNote,
    from,
    seed: sol.seed ? toValue(sol.seed) : null,
    forward,
    backward: backwardSteps,
    update,
    thenSteps,
    loss,
    values,
    grads,
    updated,
    after,
    symbolic,
    order,
  };
  if (!dv.symbolicNote) delete dv.symbolicNote;
  if (dv.statement === undefined) delete dv.statement;
  // kept out of JSON.stringify and deep equality: it holds the tensors
  Object.defineProperty(dv, 'solution', { value: sol, enumerable: false });
  return dv;
}

const LOSSES = new Set(['mse', 'sse', 'bce', 'bce_logits', 'cross_entropy']);

/**
 * The inputs that are targets of the loss: read only by `from`, as a loss function's target or in
 * a squared difference (t − o)². Their gradients exist but mean nothing (a target is not learned).
 */
export function targetsOf(nodes: readonly Definition[], from: string, inputs: readonly string[]): string[] {
  const def = nodes.find((d) => d.name === from);
  if (!def) return [];
  const asTarget = new Set<string>();
  const visit = (e: Expr) => {
    if (e.kind === 'call' && LOSSES.has(e.fn) && e.args[1]?.kind === 'name') asTarget.add(e.args[1].name);
    if (e.kind === 'bin' && e.op === '^' && e.left.kind === 'bin' && e.left.op === '-') {
      for (const side of [e.left.left, e.left.right]) if (side.kind === 'name') asTarget.add(side.name);
    }
    if (e.kind === 'bin') {
      visit(e.left);
      visit(e.right);
    } else if (e.kind === 'neg') visit(e.arg);
    else if (e.kind === 'call') e.args.forEach(visit);
  };
  visit(def.expr);
  return inputs.filter((n) => asTarget.has(n) && nodes.every((d) => d.name === from || !namesIn(d.expr).includes(n)));
}

function hasOpaque(e: Expr): boolean {
  if (e.kind === 'op' || (e.kind === 'call' && e.fn === 'dlocal')) return true;
  if (e.kind === 'bin') return hasOpaque(e.left) || hasOpaque(e.right);
  if (e.kind === 'neg' || e.kind === 'transpose' || e.kind === 'sumdims') return hasOpaque(e.arg);
  if (e.kind === 'call') return e.args.some(hasOpaque);
  return false;
}

const flatValue = (v: Value): number[] => (Array.isArray(v) ? v.flatMap(flatValue) : [v]);
const finite = (v: Value): boolean => (Array.isArray(v) ? v.every(finite) : Number.isFinite(v));

/** Where a NaN or an infinity first appears, forward then backward: a warning each. */
function nonFinite(forward: readonly ForwardStep[], backward: readonly BackwardStep[]): string[] {
  const out: string[] = [];
  const f = forward.find((s) => !finite(s.value));
  if (f) {
    const what = flatValue(f.value).some(Number.isNaN) ? 'NaN' : 'infinite';
    out.push(`${f.name} is ${what} in the forward pass${f.source ? ` (${f.name} = ${f.source})` : ''}; every value computed from it is suspect (a log of 0, 0/0, or an overflow of exp?)`);
  }
  const b = [...backward].find((s) => !finite(s.value));
  if (b) out.push(`the gradient ∂L/∂${b.name} is NaN or infinite; every gradient passed back through it is too`);
  return out;
}
