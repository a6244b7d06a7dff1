// Runs ARCHITECTURE.md's "Adding an op" walkthrough: its entry, defined from the package's
// public API outside the library, must work as the table's ops do (values, gradient, gradcheck,
// double backward, and a local-derivative formula equal to the backward).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as chainrule from 'chainrule';
import ts from 'typescript';

const doc = readFileSync(new URL('../ARCHITECTURE.md', import.meta.url), 'utf8');

/** The first TypeScript block of the "Adding an op" section, compiled and run against the package. */
function walkthroughOp(): chainrule.Op {
  const section = doc.slice(doc.indexOf('## Adding an op'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(block, 'ARCHITECTURE.md has a ts block under "Adding an op"');
  const names = /^import \{([^}]*)\} from 'chainrule';$/m.exec(block);
  assert.ok(names, "the block imports from 'chainrule' only");
  const body = block.replace(names[0], '').replace(/^export const (\w+) =/m, 'const $1 =');
  const exported = /^export const (\w+) =/m.exec(block)?.[1] as string;
  const imported = names[1]
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n && !n.startsWith('type '));
  const js = ts.transpileModule(`${body}\nreturn ${exported};`, { compilerOptions: { target: ts.ScriptTarget.ES2022 } }).outputText;
  const lib = chainrule as unknown as Record<string, unknown>;
  return new Function(...imported, js)(...imported.map((n) => lib[n])) as chainrule.Op;
}

describe("ARCHITECTURE.md's walkthrough", () => {
  const cbrt = walkthroughOp() as chainrule.Op<(x: chainrule.Tensor) => chainrule.Tensor>;
  const { tensor, gradcheck, grad, evalExpr, parseExpr } = chainrule;

  it('defines a working op with its entry', () => {
    assert.equal(cbrt.def.name, 'cbrt');
    const x = tensor([-8, -0.125, 0.5, 27], { dtype: 'float64' });
    assert.deepEqual([...cbrt(x).dataSync()], [-2, -0.5, Math.cbrt(0.5), 3]);
    const xs = [tensor([-2.3, -0.7, 0.4, 1.9], { dtype: 'float64' })];
    assert.ok(gradcheck(cbrt, xs).ok);
    // double backward: the gradient is built from ops, so it has a gradient too
    assert.ok(gradcheck((t) => grad((u) => cbrt(u).sum(), { createGraph: true })(t)[0], xs).ok);
  });

  it('states a local derivative equal to its backward', () => {
    const x = tensor([-2.3, -0.7, 0.4, 1.9], { dtype: 'float64' });
    const [engine] = grad((t) => cbrt(t).sum())(x);
    const formula = cbrt.def.derivative?.([parseExpr('x')], [])[0];
    assert.ok(formula);
    // the walkthrough's op is not in the package's table, so its calls in the formula are bound as a name
    const bind = (e: chainrule.Expr): chainrule.Expr => (e.kind === 'call' && e.fn === 'cbrt' ? { kind: 'name', name: 'c' } : chainrule.formula.mapChildren(e, bind));
    const own = bind(formula);
    const shown = evalExpr(own, new Map([['x', x], ['c', cbrt(x)]]));
    [...engine.dataSync()].forEach((g, i) => {
      assert.ok(Math.abs(shown.dataSync()[i] - g) < 1e-12, `at ${x.dataSync()[i]}: formula ${shown.dataSync()[i]}, backward ${g}`);
    });
  });
});
