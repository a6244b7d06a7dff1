/**
 * The catalogue of common backpropagation mistakes. Each entry rewrites the problem so that the
 * engine makes that mistake, solves it, and offers the values the mistake gives for any claim;
 * the checker compares them with the claimed numbers. Every recomputed number comes from the
 * engine's ops and autograd, like the solution's own.
 */
import { noGrad } from '../../autograd/mode.js';
import { type Expr, bin, call, name as nameE, namesIn, num } from '../../ops/formula.js';
import { tensor } from '../../tensor/creation.js';
import type { Tensor } from '../../ops/index.js';
import { type Solution, solveProblem } from '../derivation/evaluate.js';
import { ACTIVATION_NAMES, expandCall } from '../problem/functions.js';
import type { Definition, NestedNumber, Problem } from '../problem/problem.js';
import type { Section } from '../problem/answers.js';
import type { Value } from '../symbolic/notation.js';

/** One catalogued mistake: why, and the values it gives (several candidates for one claim, e.g. a bias gradient per example or averaged). */
export interface Mistake {
  /** a short stable id: 'updated-weights', 'missing-half', ... */
  id: string;
  why: string;
  values(section: Section, name: string): Value[];
}

/** Rewrites every call and product of an expression, bottom up (losses expanded first). */
export function mapExpr(e: Expr, f: (e: Expr) => Expr, expand = true): Expr {
  const go = (x: Expr): Expr => mapExpr(x, f, expand);
  switch (e.kind) {
    case 'call': {
      const ex = expand ? expandCall(e) : null;
      if (ex) return go(ex);
      return f({ kind: 'call', fn: e.fn, args: e.args.map(go) });
    }
    case 'bin':
      return f({ kind: 'bin', op: e.op, left: go(e.left), right: go(e.right) });
    case 'neg':
      return f({ kind: 'neg', arg: go(e.arg) });
    default:
      return f(e);
  }
}

/** The names of the functions an expression calls (losses expanded). */
export function callsIn(e: Expr, out = new Set<string>()): Set<string> {
  mapExpr(e, (x) => {
    if (x.kind === 'call') out.add(x.fn);
    return x;
  });
  return out;
}

const asValue = (t: Tensor | undefined): Value | null => (t ? (t.toArray() as Value) : null);

/** A mistake that is a rewritten problem, solved once on first use. */
function solved(id: string, why: string, make: () => Problem | null, extra?: (s: Solution, section: Section, name: string) => Value[]): Mistake {
  let cached: Solution | null | undefined;
  const solution = () => {
    if (cached === undefined) {
      try {
        const p = make();
        cached = p ? solveProblem(p) : null;
      } catch {
        cached = null;
      }
    }
    return cached;
  };
  return {
    id,
    why,
    values(section, name) {
      const s = solution();
      if (!s) return [];
      const table = section === 'values' ? s.tensors : section === 'grads' ? s.grads : section === 'updated' ? s.updated : s.after;
      const v = asValue(table.get(name));
      return [...(v === null ? [] : [v]), ...(extra?.(s, section, name) ?? [])];
    },
  };
}

const withNodes = (p: Problem, f: (d: Definition) => Expr): Problem => ({ ...p, nodes: p.nodes.map((d) => ({ ...d, expr: f(d) })) });

const substitute = (e: Expr, by: (n: string) => Expr | undefined): Expr =>
  mapExpr(e, (x) => (x.kind === 'name' ? (by(x.name) ?? x) : x), false);

/**
 * Backpropagation that updates each layer as soon as its gradient is known and uses the
 * already-updated weights further back: a node e(P, X) of params P and other names X becomes
 * e(P⁺, X) + e(P, X̄) − e(P⁺, X̄) (X̄ passes no gradient), whose value is e(P, X), whose gradient
 * to P is the usual one and whose gradient to X is taken at the updated params P⁺. P⁺ are the
 * mistake's own updates, found by repeating until they settle (once per layer at most).
 */
function updatedWeights(p: Problem, sol: Solution): Mistake {
  const params = [...p.params.keys()];
  const upd = (n: string) => `$upd_${n}`;
  const isParam = (e: Expr) => e.kind === 'name' && p.params.has(e.name);
  const detach = (x: Expr) => substitute(x, (n) => (!p.params.has(n) && !n.startsWith('$') ? call('$detach', nameE(n)) : undefined));
  // each product of a param with something else: the gradient passed to the something else is taken at the updated param
  const rewrite = (e: Expr): Expr => {
    if (e.kind === 'bin') {
      const l = rewrite(e.left);
      const r = rewrite(e.right);
      const x = { ...e, left: l, right: r };
      if ((e.op === '*' || e.op === '@' || e.op === 'hadamard') && isParam(e.left) !== isParam(e.right) && namesIn(isParam(e.left) ? r : l).length > 0) {
        const atUpdated = isParam(e.left) ? { ...x, left: nameE(upd((e.left as { name: string }).name)) } : { ...x, right: nameE(upd((e.right as { name: string }).name)) };
        return bin('+', atUpdated, bin('-', detach(x), detach(atUpdated)));
      }
      return x;
    }
    if (e.kind === 'neg') return { ...e, arg: rewrite(e.arg) };
    if (e.kind === 'call') {
      const ex = expandCall(e);
      return ex ? rewrite(ex) : { ...e, args: e.args.map(rewrite) };
    }
    return e;
  };
  const nodes = p.nodes.map((d) => ({ ...d, expr: rewrite(d.expr) }));
  const make = (): Problem | null => {
    if (!p.update || params.length < 2) return null;
    let current = new Map(params.map((n) => [n, (sol.updated.get(n) as Tensor).toArray() as NestedNumber]));
    let last: Problem | null = null;
    for (let round = 0; round <= params.length; round++) {
      const inputs = new Map(p.inputs);
      for (const [n, v] of current) inputs.set(upd(n), v);
      last = { ...p, inputs, nodes };
      const s = solveProblem(last);
      const next = new Map(params.map((n) => [n, (s.updated.get(n) as Tensor).toArray() as NestedNumber]));
      if (params.every((n) => JSON.stringify(next.get(n)) === JSON.stringify(current.get(n)))) break;
      current = next;
    }
    return last;
  };
  return solved('updated-weights', 'the already-updated weights were used in the backward pass (each layer was updated before the gradient was passed back through it)', make);
}

const isHalf = (e: Expr) => (e.kind === 'num' && e.value === 0.5) || (e.kind === 'bin' && e.op === '/' && e.left.kind === 'num' && e.left.value === 1 && e.right.kind === 'num' && e.right.value === 2);
const hasSquare = (e: Expr): boolean =>
  (e.kind === 'bin' && e.op === '^' && e.right.kind === 'num' && e.right.value === 2) ||
  (e.kind === 'bin' && (hasSquare(e.left) || hasSquare(e.right))) ||
  (e.kind === 'call' && e.args.some(hasSquare)) ||
  (e.kind === 'neg' && hasSquare(e.arg));

/** The squared error without its ½: sse(o, t) as Σ(t − o)², and ½·(...)² written out without the ½. */
function missingHalf(p: Problem): Mistake {
  const drop = (e: Expr): Expr => {
    if (e.kind === 'call' && e.fn === 'sse') return call('sum', bin('^', bin('-', drop(e.args[1]), drop(e.args[0])), num(2)));
    if (e.kind === 'bin' && e.op === '*' && isHalf(e.left) && hasSquare(e.right)) return drop(e.right);
    if (e.kind === 'bin' && e.op === '*' && isHalf(e.right) && hasSquare(e.left)) return drop(e.left);
    if (e.kind === 'bin' && e.op === '/' && e.right.kind === 'num' && e.right.value === 2 && hasSquare(e.left)) return drop(e.left);
    if (e.kind === 'bin') return { ...e, left: drop(e.left), right: drop(e.right) };
    if (e.kind === 'neg') return { ...e, arg: drop(e.arg) };
    if (e.kind === 'call') return { ...e, args: e.args.map(drop) };
    return e;
  };
  const changed = p.nodes.some((d) => JSON.stringify(drop(d.expr)) !== JSON.stringify(d.expr));
  return solved('missing-half', 'the ½ of the squared error was left out: E = Σ(t − o)² instead of ½Σ(t − o)², which doubles E and every gradient', () =>
    changed ? withNodes(p, (d) => drop(d.expr)) : null,
  );
}

const OUTPUT_FNS = [...ACTIVATION_NAMES, 'softmax'];

/**
 * The activations at the output: calls inside the loss node itself, and nodes that are one
 * activation call and that the loss reads directly. The loss node is `backward.from` when it is
 * not itself an activation.
 */
export function outputActivations(p: Problem): Map<string, string> {
  const from = p.backward?.from;
  const out = new Map<string, string>();
  const def = p.nodes.find((d) => d.name === from);
  if (!def || (def.expr.kind === 'call' && OUTPUT_FNS.includes(def.expr.fn))) return out;
  for (const n of namesIn(def.expr)) {
    const d = p.nodes.find((x) => x.name === n);
    if (d && d.expr.kind === 'call' && OUTPUT_FNS.includes(d.expr.fn)) out.set(d.name, d.expr.fn);
  }
  for (const fn of callsIn(def.expr)) if (OUTPUT_FNS.includes(fn)) out.set(def.name, fn);
  return out;
}

function forgottenOutputDerivative(p: Problem): Mistake {
  const outs = outputActivations(p);
  const fns = [...new Set(outs.values())];
  const sym: Record<string, string> = { sigmoid: "σ'", tanh: "tanh'", relu: "ReLU'", softmax: 'the softmax Jacobian' };
  return solved(
    'output-derivative',
    `the derivative of the output activation (${fns.map((f) => sym[f] ?? f).join(', ')}) was forgotten: ∂L/∂o was passed back as if it were ∂L/∂s`,
    () =>
      outs.size === 0
        ? null
        : withNodes(p, (d) => (outs.has(d.name) ? mapExpr(d.expr, (x) => (x.kind === 'call' && OUTPUT_FNS.includes(x.fn) ? { ...x, fn: `$${x.fn}~id` } : x), false) : d.expr)),
  );
}

function ascent(p: Problem): Mistake {
  return solved('ascent', 'sign error in the update: the step went uphill, p + η·∂L/∂p instead of p − η·∂L/∂p (gradient ascent)', () =>
    p.update ? { ...p, update: { lr: -p.update.lr } } : null,
  );
}

/**
 * The weight matrix not transposed in the backward pass: through A @ B, the gradient to B taken
 * as A·δ instead of Aᵀ·δ (and to A as δ·B instead of δ·Bᵀ), which only fits a square matrix.
 */
function transposedWeights(p: Problem, sol: Solution): Mistake {
  const square = (e: Expr) => {
    const s = sol.shapes.get(e);
    return !!s && s.length === 2 && s[0] === s[1] && s[0] > 1;
  };
  let changed = false;
  const det = (x: Expr) => call('$detach', x);
  const T = (x: Expr) => call('transpose', x);
  const rewrite = (e: Expr): Expr => {
    if (e.kind === 'bin') {
      const l = rewrite(e.left);
      const r = rewrite(e.right);
      if (e.op === '@' && square(e.left) && e.left.kind === 'name') {
        changed = true;
        return bin('+', bin('@', T(det(l)), r), bin('-', bin('@', l, det(r)), bin('@', T(det(l)), det(r))));
      }
      if (e.op === '@' && square(e.right) && e.right.kind === 'name') {
        changed = true;
        return bin('+', bin('@', l, T(det(r))), bin('-', bin('@', det(l), r), bin('@', det(l), T(det(r)))));
      }
      return { ...e, left: l, right: r };
    }
    if (e.kind === 'neg') return { ...e, arg: rewrite(e.arg) };
    if (e.kind === 'call') return { ...e, args: e.args.map(rewrite) };
    return e;
  };
  const nodes = p.nodes.map((d) => ({ ...d, expr: rewrite(d.expr) }));
  return solved('transposed', 'the weight matrix was not transposed in the backward pass: W·δ instead of Wᵀ·δ', () => (changed ? { ...p, nodes } : null));
}

const LOG_SWAPS: [string, string, string][] = [
  ['log', 'log10', 'the base-10 logarithm was used instead of the natural log'],
  ['log', 'log2', 'the base-2 logarithm was used instead of the natural log'],
  ['log10', 'log', 'the natural log was used instead of log10'],
  ['log2', 'log', 'the natural log was used instead of log2'],
];

/** The log swaps that apply to a problem: [from, to, why]. */
export function logSwaps(p: Problem): [string, string, string][] {
  const used = new Set<string>();
  for (const d of p.nodes) callsIn(d.expr, used);
  return LOG_SWAPS.filter(([a]) => used.has(a));
}

function logBase(p: Problem): Mistake[] {
  return logSwaps(p).map(([a, b, why]) =>
    solved(`log-${b}`, why, () => withNodes(p, (d) => mapExpr(d.expr, (x) => (x.kind === 'call' && x.fn === a ? { ...x, fn: b } : x)))),
  );
}

/** A mean over the batch taken as a sum, and a sum as a mean (losses expanded). */
function meanVsSum(p: Problem): Mistake[] {
  // cross_entropy averages over its samples: one class per sample, given as a list
  const batchClasses = (x: Expr & { kind: 'call' }) => {
    const a = x.args[1];
    const v = a?.kind === 'name' ? p.inputs.get(a.name) : undefined;
    return Array.isArray(v) && v.length > 1;
  };
  const make = (from: string, to: string) => {
    let changed = false;
    const nodes = p.nodes.map((d) => ({
      ...d,
      expr: mapExpr(d.expr, (x) => {
        if (x.kind !== 'call') return x;
        if (x.fn === from && x.args.length === 1) {
          changed = true;
          return { ...x, fn: to };
        }
        if (from === 'mean' && x.fn === 'cross_entropy' && batchClasses(x)) {
          changed = true;
          return { ...x, fn: '$cross_entropy_sum' };
        }
        return x;
      }),
    }));
    return changed ? { ...p, nodes } : null;
  };
  return [
    solved('mean-as-sum', 'the loss was summed over the batch where it is the mean (a missing 1/N)', () => make('mean', 'sum')),
    solved('sum-as-mean', 'the loss was averaged over the batch where it is the sum (an extra 1/N)', () => make('sum', 'mean')),
  ];
}

/**
 * A bias broadcast over a batch whose gradient was not summed over it: the per-example gradient
 * (the bias replaced by its broadcast copy, one column per example), its first column, or its mean.
 */
function biasNotSummed(p: Problem, sol: Solution): Mistake {
  const expanded = new Map<string, readonly number[]>();
  const visit = (e: Expr) => {
    if (e.kind === 'bin' && (e.op === '+' || e.op === '-')) {
      const out = sol.shapes.get(e);
      for (const side of [e.left, e.right]) {
        if (side.kind !== 'name' || !p.params.has(side.name)) continue;
        const s = sol.shapes.get(side);
        if (out && s && s.reduce((a, b) => a * b, 1) < out.reduce((a, b) => a * b, 1)) expanded.set(side.name, out);
      }
    }
    if (e.kind === 'bin') {
      visit(e.left);
      visit(e.right);
    } else if (e.kind === 'neg') visit(e.arg);
    else if (e.kind === 'call') e.args.forEach(visit);
  };
  for (const d of p.nodes) visit(d.expr);
  const make = (): Problem | null => {
    if (expanded.size === 0) return null;
    const params = new Map(p.params);
    noGrad(() => {
      for (const [n, shape] of expanded) {
        const t = tensor(p.params.get(n) as number, { dtype: 'float64' });
        params.set(n, t.add(tensor(new Float64Array(shape.reduce((a, b) => a * b, 1)), { dtype: 'float64', shape: [...shape] })).toArray() as NestedNumber);
      }
    });
    return { ...p, params };
  };
  return solved('bias-not-summed', "the bias gradient was not summed over the batch (∂L/∂b is the sum of the per-example gradients' columns)", make, (s, section, n) => {
    if (!expanded.has(n) || (section !== 'grads' && section !== 'updated')) return [];
    const g = s.grads.get(n);
    if (g?.ndim !== 2) return [];
    const rows = g.toArray() as number[][];
    const cols = rows[0].length;
    const old = (p.params.get(n) as number[][]).map((r) => r[0]);
    const lr = p.update?.lr ?? 0;
    const first = rows.map((r) => [r[0]]);
    const mean = rows.map((r) => [r.reduce((a, b) => a + b, 0) / cols]);
    if (section === 'grads') return [first, mean];
    return [first, mean].map((c) => c.map((r, i) => [old[i] - lr * r[0]]));
  });
}

function softmaxElementwise(p: Problem): Mistake {
  let changed = false;
  const nodes = p.nodes.map((d) => ({
    ...d,
    expr: mapExpr(d.expr, (x) => {
      if (x.kind === 'call' && (x.fn === 'softmax' || x.fn === 'masked_softmax' || x.fn === 'cross_entropy')) {
        changed = true;
        return { ...x, fn: `$${x.fn}~diag` };
      }
      return x;
    }),
  }));
  return solved('softmax-elementwise', "the softmax derivative was taken elementwise, s(1 − s), instead of its Jacobian diag(s) − s·sᵀ (for cross-entropy: δ = (ŷ − 1) at the true class and 0 elsewhere, not ŷ − onehot)", () =>
    changed ? { ...p, nodes } : null,
  );
}

const DERIV_NAME: Record<string, string> = { relu: "ReLU'(s) = 1[s > 0]", sigmoid: "σ'(s) = σ(s)(1 - σ(s))", tanh: "tanh'(s) = 1 - tanh(s)²" };

/** One activation's forward with another's derivative, and σ' or tanh' taken at the unit's output. */
function activationMixups(p: Problem): Mistake[] {
  const used = new Set<string>();
  for (const d of p.nodes) callsIn(d.expr, used);
  const out: Mistake[] = [];
  const swap = (id: string, why: string, f: (fn: string) => string) =>
    solved(id, why, () => withNodes(p, (d) => mapExpr(d.expr, (x) => (x.kind === 'call' ? { ...x, fn: f(x.fn) } : x))));
  for (const f of ACTIVATION_NAMES) {
    if (!used.has(f)) continue;
    for (const g of ACTIVATION_NAMES) {
      if (g === f) continue;
      out.push(swap(`${g}-for-${f}`, `a ${g} derivative (${DERIV_NAME[g]}) was used where the forward pass used ${f} (${DERIV_NAME[f]})`, (fn) => (fn === f ? `$${f}~${g}` : fn)));
    }
  }
  for (const f of ['sigmoid', 'tanh']) {
    if (!used.has(f)) continue;
    const sym = f === 'sigmoid' ? 'σ' : 'tanh';
    out.push(swap(`${f}-at-output`, `the ${f} derivative was taken at the unit's output instead of its input: ${sym}'(${sym}(s)) for ${sym}'(s)`, (fn) => (fn === f ? `$${f}@out` : fn)));
  }
  return out;
}

const cache = new WeakMap<Problem, Mistake[]>();

/**
 * The catalogue for one solved problem, likeliest first: already-updated weights, the missing ½,
 * the forgotten output derivative, an uphill step, an untransposed weight matrix, the log base,
 * mean versus sum, an unsummed bias gradient, softmax's derivative taken elementwise; then the
 * mix-ups of activation derivatives. Built once per problem; each mistake is solved on first use.
 */
export function catalogue(sol: Solution): Mistake[] {
  const p = sol.problem;
  let c = cache.get(p);
  if (!c) {
    c = [
      updatedWeights(p, sol),
      missingHalf(p),
      forgottenOutputDerivative(p),
      ascent(p),
      transposedWeights(p, sol),
      ...logBase(p),
      ...meanVsSum(p),
      biasNotSummed(p, sol),
      softmaxElementwise(p),
      ...activationMixups(p),
    ];
    cache.set(p, c);
  }
  return c;
}
