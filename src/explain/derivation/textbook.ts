/**
 * Derivatives in the forms textbooks write them: in terms of the problem's own nodes. A piece of
 * a formula that is some node's definition is written as that node (σ(s)(1 − σ(s)) becomes
 * o(1 − o) where o = σ(s); softmax(Z) − onehot becomes Ŷ − onehot where Ŷ = softmax(Z)), and a
 * scalar local derivative that equals o(1 − o), 1 − o² or o for its consumer's output o is written
 * so (∂x₈/∂x₆ of x₈ = e^{x₆}/Σe^{x_i} is x₈(1 − x₈)). The identity is tested by evaluating both
 * forms at several points with the engine, never assumed.
 */
import { noGrad } from '../../autograd/mode.js';
import { type Expr, bin, mapChildren, name, namesIn, num, sameExpr } from '../../ops/formula.js';
import { scalar } from '../../tensor/creation.js';
import type { Tensor } from '../../ops/index.js';
import { evalExpr } from './evaluate.js';

/** A node of the problem: its name and definition. */
export interface NodeDef {
  name: string;
  expr: Expr;
}

/**
 * Replaces every sub-formula that is a node's definition by the node's name, largest first.
 * @example inTermsOf(parseExpr('sigmoid(s)*(1 - sigmoid(s))'), [{ name: 'o', expr: parseExpr('sigmoid(s)') }]) // o·(1 − o)
 */
export function inTermsOf(e: Expr, defs: readonly NodeDef[]): Expr {
  const hit = defs.find((d) => d.expr.kind !== 'name' && d.expr.kind !== 'num' && sameExpr(d.expr, e));
  if (hit) return name(hit.name);
  return mapChildren(e, (c) => inTermsOf(c, defs));
}

/** The textbook forms of a local derivative in its consumer's output y. */
const FORMS: ((y: Expr) => Expr)[] = [
  (y) => bin('*', y, bin('-', num(1), y)),
  (y) => bin('-', num(1), bin('^', y, num(2))),
  (y) => y,
  (y) => bin('*', num(-1), bin('*', y, bin('-', num(1), y))),
];

const POINTS = [0.37, -0.81, 1.23, -0.29, 0.66];

/** Evaluates a scalar formula at a point (each name its own value), or null when it cannot be. */
function at(e: Expr, point: number, names: readonly string[]): number | null {
  try {
    const env = new Map<string, Tensor>(names.map((n, i) => [n, scalar(point + 0.173 * i, { dtype: 'float64' })]));
    const v = noGrad(() => evalExpr(e, env)).item();
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * d(consumer)/d(input) as a textbook form in the consumer's own name, when one of them is the
 * same function of the consumer's arguments (checked at several points); else the formula with
 * node definitions replaced by names.
 */
export function textbookLocal(d: Expr, consumer: NodeDef, defs: readonly NodeDef[]): Expr {
  const names = namesIn(consumer.expr);
  for (const form of FORMS) {
    const candidate = form(consumer.expr);
    let same = true;
    for (const p of POINTS) {
      const a = at(d, p, names);
      const b = at(candidate, p, names);
      if (a === null || b === null || Math.abs(a - b) > 1e-10 * Math.max(1, Math.abs(a))) {
        same = false;
        break;
      }
    }
    if (same && namesIn(d).every((n) => names.includes(n))) return form(name(consumer.name));
  }
  return inTermsOf(d, defs);
}
