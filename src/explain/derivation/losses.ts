/**
 * A loss written out in its definition, for the forward pass: ½Σ(t − o)² for sse, the mean of
 * (o − t)² for mse, −[y log p + (1 − y) log(1 − p)] for bce, and −(1/N)Σₙ log softmax(z)_{cₙ} for
 * cross-entropy with the probabilities of the true classes (computed by the engine's softmax).
 */
import { noGrad } from '../../autograd/mode.js';
import { type Expr, bin, call, mapChildren, neg, num } from '../../ops/formula.js';
import { softmax, type Tensor } from '../../ops/index.js';
import type { Solution } from './evaluate.js';
import { expandCall, vectorDim } from '../problem/functions.js';

const size = (sol: Solution, e: Expr) => (sol.shapes.get(e) ?? []).reduce((a, b) => a * b, 1);

/** mean(x) and sum(x) of a single number are that number: written without them. */
function dropScalarReductions(e: Expr, one: (x: Expr) => boolean): Expr {
  const m = mapChildren(e, (c) => dropScalarReductions(c, one));
  if (m.kind === 'call' && (m.fn === 'mean' || m.fn === 'sum') && one(m.args[0])) return m.args[0];
  return m;
}

/** The written-out form of a node that is one loss call, or undefined. */
export function lossWritten(e: Expr, sol: Solution): { formula: Expr; numbers: Expr } | undefined {
  if (e.kind !== 'call') return undefined;
  if (e.fn === 'cross_entropy') return crossEntropyWritten(e, sol);
  const ex = expandCall(e);
  if (!ex) return undefined;
  // the expansion's pieces have no recorded shapes: a piece is one number when every argument is
  const scalarArgs = e.args.every((a) => size(sol, a) === 1);
  const formula = dropScalarReductions(ex, () => scalarArgs);
  return { formula, numbers: formula };
}

function crossEntropyWritten(e: Expr & { kind: 'call' }, sol: Solution): { formula: Expr; numbers: Expr } | undefined {
  const [z, c] = e.args;
  if (z.kind !== 'name' || c.kind !== 'name') return undefined;
  const zt = sol.tensors.get(z.name);
  const ct = sol.tensors.get(c.name);
  if (!zt || !ct) return undefined;
  const classes = Array.from(ct.data as ArrayLike<number>, Number);
  const probs = noGrad(() => {
    const dim = zt.ndim === 2 && classes.length > 1 ? (zt.shape[0] === classes.length ? 1 : 0) : vectorDim(zt);
    const s = softmax(zt.detach(), dim) as Tensor;
    const rows = s.ndim === 2 ? (s.toArray() as number[][]) : [Array.from(s.data as ArrayLike<number>, Number)];
    return classes.map((k, n) => (s.ndim !== 2 ? rows[0][k] : dim === 0 ? rows[k][n] : rows[n][k]));
  });
  const logs = probs.map((p) => call('log', num(p)));
  const total = logs.reduce((a, b) => bin('+', a, b));
  const numbers = probs.length === 1 ? neg(total) : neg(bin('/', total, num(probs.length)));
  return { formula: call('ce_def', z, c), numbers };
}
