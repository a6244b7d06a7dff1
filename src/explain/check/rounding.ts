/**
 * The solution recomputed the way a student computes by hand: every intermediate value written
 * down rounded (each sub-expression of the forward pass, each local derivative, each upstream
 * gradient, each sum, each update). The checker calls a claim imprecise only when this
 * recomputation, rounded to the claim's own digits, explains its difference from the exact value.
 */
import { backward } from '../../autograd/functional.js';
import { noGrad } from '../../autograd/mode.js';
import { namesIn } from '../../ops/formula.js';
import { onesLike, tensor, zerosLike } from '../../tensor/creation.js';
import { add, mul, sub, type Tensor } from '../../ops/index.js';
import { type Round, type Solution, evalExpr } from '../derivation/evaluate.js';
import { dependencies } from '../derivation/evaluate.js';
import { diffNamesIn } from '../problem/functions.js';
import type { Definition } from '../problem/problem.js';
import type { Section } from '../problem/answers.js';
import type { Value } from '../symbolic/notation.js';

const mapData = (t: Tensor, f: (v: number) => number): Tensor =>
  tensor(Float64Array.from(t.data as ArrayLike<number>, (v) => f(Number(v))), { dtype: 'float64', shape: [...t.shape] });

/** Rounding to `digits` significant digits. */
export const toSignificant =
  (digits: number): Round =>
  (t) =>
    mapData(t, (v) => (Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(digits)) : v));

/** Rounding to a multiple of `unit` (a number of decimal places). */
export const toUnit =
  (unit: number): Round =>
  (t) =>
    mapData(t, (v) => (Number.isFinite(v) ? Number((Math.round(v / unit) * unit).toPrecision(15)) : v));

export type Tables = Record<Section, Map<string, Value>>;

const value = (t: Tensor): Value => t.toArray() as Value;

/** d(consumer)/d(input) applied to `upstream` (or the local derivative), at the given values. */
function vjp(def: Definition, input: string, values: ReadonlyMap<string, Tensor>, upstream: Tensor | null): Tensor {
  const env = new Map<string, Tensor>();
  for (const u of namesIn(def.expr)) {
    const t = (values.get(u) as Tensor).detach();
    if (u === input) t.requiresGrad = true;
    env.set(u, t);
  }
  const out = evalExpr(def.expr, env);
  const target = env.get(input) as Tensor;
  if (!out.requiresGrad) return zerosLike(target);
  backward(out, upstream ?? onesLike(out));
  return target.grad ?? zerosLike(target);
}

/**
 * Every value, gradient, update and value after the update of a problem, recomputed with each
 * intermediate rounded. Null for solutions that are not problem files (explain() of a tensor).
 */
export function roundedTables(sol: Solution, round: Round): Tables | null {
  if (sol.vjp) return null;
  const p = sol.problem;
  const values = new Map<string, Tensor>();
  for (const n of [...p.inputs.keys(), ...p.params.keys()]) values.set(n, (sol.tensors.get(n) as Tensor).detach());
  const forward = (env: Map<string, Tensor>) => {
    for (const d of p.nodes) env.set(d.name, round(evalExpr(d.expr, env, undefined, round)));
  };
  const grads = new Map<string, Tensor>();
  const updated = new Map<string, Tensor>();
  const after = new Map<string, Tensor>();
  noGrad(() => forward(values));
  const from = p.backward?.from;
  if (from && sol.seed) {
    const involved = new Set([...dependencies(p, from), from]);
    const consumers = (n: string) => p.nodes.filter((d) => involved.has(d.name) && diffNamesIn(d.expr).includes(n));
    const order = [...p.nodes.filter((d) => involved.has(d.name)).map((d) => d.name).reverse(), ...[...p.inputs.keys(), ...p.params.keys()].filter((n) => involved.has(n))];
    for (const n of order) {
      if (n === from) {
        grads.set(n, sol.seed);
        continue;
      }
      let total: Tensor | null = null;
      for (const c of consumers(n)) {
        const up = grads.get(c.name) as Tensor;
        const x = values.get(n) as Tensor;
        // a scalar step is written as upstream · (local derivative), each rounded
        const scalarStep = x.size === 1 && up.size === 1;
        const local = scalarStep ? round(vjp(c, n, values, null)) : null;
        const part = local ? round(noGrad(() => mul(up, local))) : round(vjp(c, n, values, up));
        total = total ? noGrad(() => add(total as Tensor, part)) : part;
      }
      grads.set(n, round(total ?? zerosLike(values.get(n) as Tensor)));
    }
  }
  noGrad(() => {
    if (p.update) {
      for (const n of p.params.keys()) {
        const g = grads.get(n);
        const t = values.get(n) as Tensor;
        updated.set(n, g ? round(sub(t, round(mul(g, p.update.lr)))) : t);
      }
    }
    const env = new Map(values);
    for (const [n, t] of updated) env.set(n, t);
    for (const d of p.thenDefs) {
      const v = round(evalExpr(d.expr, env, undefined, round));
      if (p.params.has(d.name)) updated.set(d.name, v);
      else after.set(d.name, v);
      env.set(d.name, v);
    }
    if (updated.size > 0 || p.thenDefs.length > 0) {
      const again = new Map<string, Tensor>();
      for (const n of [...p.inputs.keys(), ...p.params.keys()]) again.set(n, values.get(n) as Tensor);
      for (const [n, t] of updated) again.set(n, t);
      forward(again);
      for (const d of p.nodes) if (!after.has(d.name)) after.set(d.name, again.get(d.name) as Tensor);
    }
  });
  const tab = (m: Map<string, Tensor>) => new Map([...m].map(([k, t]) => [k, value(t)]));
  return { values: tab(values), grads: tab(grads), updated: tab(updated), after: tab(after) };
}
