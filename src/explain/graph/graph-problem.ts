import type { Solution } from '../derivation/evaluate.js';
import type { GraphOptions, ValueNode } from './graph-model.js';
import type { Tensor } from '../../ops/index.js';

/**
 * What to draw for a solved problem: the roots and the options that name and differentiate them.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const { roots, opts } = problemGraph(solveProblem(problem));
 * opts.title // 'Tiny'
 * ```
 */
export interface ProblemGraph {
  /** the tensors the graph is drawn back from */
  roots: Tensor[];
  /** the problem's names, its seed and title, for toDot, toMermaid and toSvg */
  opts: GraphOptions;
}

/**
 * The graph of a solved problem file: from `backward.from` (gradients computed with the problem's
 * seed) or, without a backward section, from every node no other node uses. Value nodes carry the
 * problem's own names; the unnamed pieces of an expression get automatic ones.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const { roots, opts } = problemGraph(solveProblem(problem));
 * roots.map((t) => t.name) // ['y']
 * toDot(roots, opts).startsWith('digraph chainrule {') // true
 * ```
 */
export function problemGraph(sol: Solution, extra: GraphOptions & { view?: 'auto' | 'lines' | 'ops' } = {}): ProblemGraph {
  const names = new Map<Tensor, string>();
  for (const [n, t] of sol.tensors) if (!names.has(t)) names.set(t, n);
  const title = extra.title ?? (sol.problem.title || undefined);
  const p = sol.problem;
  const roles = new Map<Tensor, ValueNode['role']>();
  for (const n of p.inputs.keys()) roles.set(sol.tensors.get(n) as Tensor, 'input');
  for (const n of p.params.keys()) roles.set(sol.tensors.get(n) as Tensor, 'param');
  if (sol.from && p.backward) roles.set(sol.from, 'loss');
  // one node per problem line when the graph is large (more than LARGE ops) or when asked for
  const lines = new Map<Tensor, string>();
  for (const d of p.nodes) {
    const t = sol.tensors.get(d.name);
    if (t?.node) lines.set(t, d.source);
  }
  const view = extra.view ?? 'auto';
  const { view: _v, ...rest } = extra;
  void _v;
  const collapse = view === 'lines' || (view === 'auto' && opCount(sol) > LARGE) ? { lines } : undefined;
  const base: GraphOptions = { ...rest, names, title, roles, collapse };
  if (sol.from) {
    return { roots: [sol.from], opts: { grads: 'compute', seed: sol.seed ?? 1, ...base } };
  }
  const nodes = sol.problem.nodes.map((d) => sol.tensors.get(d.name)).filter((t): t is Tensor => t !== undefined);
  const used = new Set<Tensor>();
  const stack = nodes.flatMap((t) => t.node?.inputs ?? []);
  while (stack.length) {
    const t = stack.pop()!;
    if (used.has(t)) continue;
    used.add(t);
    if (t.node) stack.push(...t.node.inputs);
  }
  const roots = nodes.filter((t) => !used.has(t));
  return { roots, opts: { grads: false, ...base } };
}

/** A graph with more ops than this is drawn one node per problem line by default. */
export const LARGE = 12;

/** How many recorded ops the problem's graph has. */
export function opCount(sol: Solution): number {
  const seen = new Set<Tensor>();
  const stack = [...sol.tensors.values()];
  let n = 0;
  while (stack.length) {
    const t = stack.pop() as Tensor;
    if (seen.has(t)) continue;
    seen.add(t);
    if (t.node) {
      n++;
      stack.push(...t.node.inputs);
    }
  }
  return n;
}
