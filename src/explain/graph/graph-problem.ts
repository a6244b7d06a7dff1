import type { Solution } from '../derivation/evaluate.js';
import type { GraphOptions } from './graph-model.js';
import type { Tensor } from '../../ops/index.js';

/** What to draw for a solved problem: the roots and the options that name and differentiate them. */
export interface ProblemGraph {
  roots: Tensor[];
  opts: GraphOptions;
}

/**
 * The graph of a solved problem file: from `backward.from` (gradients computed with the problem's
 * seed) or, without a backward section, from every node no other node uses. Value nodes carry the
 * problem's own names; the unnamed pieces of an expression get automatic ones.
 * @example const { roots, opts } = problemGraph(solveFile('examples/problems/seed-003-graph.yaml')); toDot(roots, opts);
 */
export function problemGraph(sol: Solution, extra: GraphOptions = {}): ProblemGraph {
  const names = new Map<Tensor, string>();
  for (const [n, t] of sol.tensors) if (!names.has(t)) names.set(t, n);
  const title = extra.title ?? (sol.problem.title || undefined);
  if (sol.from) {
    return { roots: [sol.from], opts: { grads: 'compute', seed: sol.seed ?? 1, ...extra, names, title } };
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
  return { roots, opts: { grads: false, ...extra, names, title } };
}
