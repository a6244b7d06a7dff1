// The formulas a derivation shows are checked against the numbers it shows: every backward term's
// formula (local derivative or matrix-form rule), evaluated with the engine on the problem's values
// and the consumer's gradient, equals the contribution the engine computed; the same for random
// expressions (property-based).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChainruleError, type Derivation, type Tensor, derive, evalExpr, parseProblem, solveFile, solveProblem, tensor } from 'chainrule';
import { root } from './explain-helpers.js';

type V = number | V[];
const flat = (v: V): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

function same(a: number, b: number): boolean {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.isNaN(a) ? Number.isNaN(b) : a === b || Number.isNaN(b);
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Evaluates every shown formula; returns how many were checked. */
function checkFormulas(dv: Derivation): number {
  const sol = dv.solution;
  assert.ok(sol);
  let checked = 0;
  for (const step of dv.backward) {
    for (const t of step.terms) {
      const env = new Map<string, Tensor>();
      for (const [n, x] of sol.tensors) env.set(n, x.detach());
      env.set(`∂${t.consumer}`, tensor(t.upstream as number, { dtype: 'float64' }));
      let got: number[];
      try {
        got = flat(evalExpr(t.formula, env).toArray() as V);
      } catch (e) {
        // display-only derivatives (onehot, f') cannot be evaluated; anything else is a bug
        assert.ok(e instanceof ChainruleError && /^$/.test(e.message), String(e));
        continue;
      }
      const want = flat(t.contribution as V);
      const g = got.length === 1 && want.length > 1 ? want.map(() => got[0]) : got;
      assert.equal(g.length, want.length, `${step.name} via ${t.consumer}: shape`);
      for (const [i, x] of g.entries()) assert.ok(same(x, want[i]), `${step.name} via ${t.consumer}[${i}]: formula gives ${x}, engine ${want[i]}`);
      if (t.local) {
        const lv = flat(evalExpr(t.local.formula, env).toArray() as V)[0];
        const want1 = flat(t.local.value as V)[0];
        assert.ok(same(lv, want1), `d${t.consumer}/d${step.name}: ${lv} vs ${want1}`);
      }
      checked++;
    }
  }
  return checked;
}

describe('the shown formulas evaluate to the shown numbers', () => {
  for (const [f, min] of [
    ['network-n', 11],
    ['seed-001-relu-bce', 7],
    ['seed-003-graph', 7],
    ['seed-004-softmax-ce', 7],
    ['attention', 9],
  ] as const) {
    it(f, () => {
      const n = checkFormulas(derive(solveFile(join(root, 'examples/problems', `${f}.yaml`))));
      assert.ok(n >= min, `${n} formulas checked`);
    });
  }
});

describe('the --symbolic formulas evaluate to the gradients', () => {
  for (const f of ['network-n', 'seed-001-relu-bce', 'seed-003-graph', 'seed-004-softmax-ce', 'attention']) {
    it(f, () => {
      const dv = derive(solveFile(join(root, 'examples/problems', `${f}.yaml`)), { symbolic: true });
      const env = new Map<string, Tensor>();
      for (const [n, x] of dv.solution?.tensors ?? []) env.set(n, x.detach());
      let checked = 0;
      for (const { name, formula } of dv.symbolic ?? []) {
        let got: number[];
        try {
          got = flat(evalExpr(formula, env).toArray() as V);
        } catch (e) {
          assert.ok(e instanceof ChainruleError && /^$/.test(e.message), String(e));
          continue;
        }
        const want = flat(dv.grads[name] as V);
        const g = got.length === 1 && want.length > 1 ? want.map(() => got[0]) : got;
        for (const [i, x] of g.entries()) assert.ok(same(x, want[i]), `${name}[${i}]: ${x} vs ${want[i]}`);
        checked++;
      }
      assert.ok(checked >= 3, `${checked} checked`);
    });
  }
});

const NAMES = ['a', 'b', 'c', 'M'];
const FNS = ['exp', 'log', 'sqrt', 'abs', 'sigmoid', 'tanh', 'relu', 'sum', 'mean', 'max', 'log_softmax', 'softmax'];
const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NAMES),
    fc.integer({ min: 1, max: 4 }).map(String),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/'), tie('e')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
    fc.tuple(tie('e'), fc.integer({ min: 2, max: 3 })).map(([x, n]) => `(${x})^${n}`),
    tie('e').map((x) => `-(${x})`),
    fc.tuple(fc.constantFrom(...FNS), tie('e')).map(([f, x]) => `${f}(${x})`),
    tie('e').map((x) => `softplus(${x}, 2)`),
    tie('e').map((x) => `leaky_relu(${x}, 0.1)`),
    tie('e').map((x) => `elu(${x}, 0.5)`),
    tie('e').map((x) => `gelu(${x})`),
    tie('e').map((x) => `W @ (${x})`),
  ),
})).e;

describe('property: for random expressions every backward formula matches the engine', () => {
  it('scalars, a column vector M and a matrix product W @ (...)', () => {
    fc.assert(
      fc.property(exprArb, exprArb, fc.integer({ min: -20, max: 20 }).map((k) => k / 10), (e1, e2, av) => {
        const text = `params: {a: ${av}, b: 0.7, c: -1.3, W: [[0.5, -1], [2, 0.25]]}\ninputs: {M: [[0.3], [-0.8]]}\nnodes:\n  u: ${JSON.stringify(e1)}\n  v: ${JSON.stringify(e2)}\n  L: sum(u * v + u)\nbackward: {from: L}\n`;
        let dv: Derivation;
        try {
          dv = derive(solveProblem(parseProblem(text, 'p.yaml')));
        } catch (e) {
          if (e instanceof ChainruleError) return; // e.g. W @ scalar: a shape error, reported clearly
          throw e;
        }
        checkFormulas(dv);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});

describe('core regression found by these formulas', () => {
  it('sum, mean and max of a 0-d tensor keep the graph behind it (they used to cut it)', () => {
    for (const op of ['sum', 'mean', 'max'] as const) {
      const u = tensor(2, { dtype: 'float64', requiresGrad: true });
      const v = tensor(3, { dtype: 'float64', requiresGrad: true });
      u.mul(v).add(u)[op]().backward();
      assert.equal(u.grad?.item(), 4, op);
      assert.equal(v.grad?.item(), 2, op);
    }
  });
});
