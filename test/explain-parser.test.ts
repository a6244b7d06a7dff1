// The expression parser and symbolic differentiation; property-based fuzzing of the parser and
// the problem loader: random bytes and random well-formed expressions never crash with anything
// but a ChainruleError.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChainruleError, type Expr, diff, evalExpr, parseAnswers, parseExpr, parseProblem, solveProblem, tensor } from 'chainrule';
import { render, unicode } from '../src/explain/symbolic/notation.js';

const show = (e: Expr) => render(e, unicode, 6);

describe('parseExpr', () => {
  it('precedence and associativity', () => {
    assert.equal(show(parseExpr('-x^2')), '-x²');
    assert.deepEqual(parseExpr('-x^2').kind, 'neg');
    assert.equal(show(parseExpr('a - b - c')), 'a - b - c');
    assert.equal(show(parseExpr('a - (b - c)')), 'a - (b - c)');
    assert.equal(show(parseExpr('2^3^2')), '2^(3²)');
    assert.equal(show(parseExpr('W1 @ A_in + b1')), 'W1 A_in + b1');
    assert.equal(show(parseExpr('(a + b) * c / d')), '(a + b)·c/d');
    assert.equal(show(parseExpr('leaky_relu(x, 0.01) + 1e-3')), 'leaky_relu(x, 0.01) + 0.001');
    assert.equal(show(parseExpr('x ** 2')), 'x²');
  });
  it('evaluates with the engine: 2^3^2 = 512, -2^2 = -4', () => {
    const env = new Map();
    assert.equal(evalExpr(parseExpr('2^3^2'), env).item(), 512);
    assert.equal(evalExpr(parseExpr('-2^2'), env).item(), -4);
    assert.equal(evalExpr(parseExpr('x*3 - 1'), new Map([['x', tensor(2, { dtype: 'float64' })]])).item(), 5);
  });
  it('reports the offset of syntax errors', () => {
    for (const [src, at] of [['a +', 3], ['(a', 2], ['a b', 2], ['f(a,', 4], ['1..2', 2], ['a # b', 2]] as const) {
      assert.throws(() => parseExpr(src), (e: Error & { offset?: number }) => e instanceof ChainruleError && e.offset === at, src);
    }
  });
});

describe('symbolic differentiation', () => {
  const d = (src: string, v: string) => {
    const r = diff(parseExpr(src), v);
    assert.ok(r, `${src} d/d${v}`);
    return show(r);
  };
  it('the local derivatives of Network N, in the node symbols', () => {
    assert.equal(d('a*x2 + b*x3 + c*x2*x3', 'x2'), 'a + c·x3');
    assert.equal(d('a*x2 + b*x3 + c*x2*x3', 'x3'), 'b + c·x2');
    assert.equal(d('a*x2 + b*x3 + c*x2*x3', 'c'), 'x2·x3');
    assert.equal(d('x4^2 + d', 'x4'), '2·x4');
    assert.equal(d('x4^2 + d', 'd'), '1');
    assert.equal(d('sigmoid(x1)', 'x1'), 'σ(x1)·(1 - σ(x1))');
    assert.equal(d('exp(x6) / (exp(x5) + exp(x6) + exp(x7))', 'x7'), '-(exp(x6)·exp(x7)/(exp(x5) + exp(x6) + exp(x7))²)');
  });
  it('matrix products have no scalar derivative (the matrix-form rules apply)', () => {
    assert.equal(diff(parseExpr('W @ x'), 'W'), null);
  });
});

// well-formed expressions over names a, b, c with every function of the issue
const NAMES = ['a', 'b', 'c'];
const UNARY = ['exp', 'log', 'log2', 'log10', 'sqrt', 'abs', 'sigmoid', 'tanh', 'relu', 'elu', 'gelu', 'sign', 'step', 'softmax', 'log_softmax', 'sum', 'mean', 'max'];
const exprArb: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NAMES),
    fc.double({ min: -5, max: 5, noNaN: true }).map((x) => String(Math.abs(x))),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '^'), tie('e')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
    tie('e').map((x) => `-(${x})`),
    fc.tuple(fc.constantFrom(...UNARY), tie('e')).map(([f, x]) => `${f}(${x})`),
    fc.tuple(tie('e'), tie('e')).map(([x, t]) => `mse(${x}, ${t})`),
    tie('e').map((x) => `leaky_relu(${x}, 0.1)`),
    tie('e').map((x) => `softplus(${x}, 2)`),
  ),
})).e;

function onlyChainruleErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ChainruleError)) throw e;
  }
}

describe('fuzzing', () => {
  it('random strings of expression characters give an Expr or a ChainruleError', () => {
    fc.assert(
      fc.property(fc.stringOf(fc.constantFrom(...'ab1.e+-*/^@(),_ xyz9\t$#'.split('')), { maxLength: 40 }), (s) => onlyChainruleErrors(() => parseExpr(s))),
      { numRuns: 2000, seed: 4 },
    );
  });
  it('random byte strings never crash the parser, the problem loader or the answers loader', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const s = Buffer.from(bytes).toString('latin1');
        onlyChainruleErrors(() => parseExpr(s));
        onlyChainruleErrors(() => solveProblem(parseProblem(`inputs: {a: 1}\nnodes:\n  y: ${JSON.stringify(s)}\n`, 'f.yaml')));
        onlyChainruleErrors(() => solveProblem(parseProblem(s, 'f.yaml')));
        onlyChainruleErrors(() => parseAnswers(s, 'a.yaml'));
        onlyChainruleErrors(() => parseAnswers(`grads:\n  a: ${s}\n`, 'a.yaml'));
      }),
      { numRuns: 1000, seed: 5 },
    );
  });
  it('random well-formed expressions parse, and solve (values and gradients) or fail with a ChainruleError', () => {
    fc.assert(
      fc.property(exprArb, (src) => {
        parseExpr(src);
        onlyChainruleErrors(() => {
          const p = parseProblem(`params: {a: 0.5, b: -1.5, c: 2}\nnodes:\n  y: ${JSON.stringify(src)}\n  L: sum(y)\nbackward: {from: L}\n`, 'f.yaml');
          solveProblem(p);
        });
      }),
      { numRuns: 300, seed: 6 },
    );
  });
  it('deep nesting is a clear error, not a stack overflow', () => {
    assert.throws(() => parseExpr(`${'('.repeat(5000)}a${')'.repeat(5000)}`), /nested more than 200 levels/);
    assert.throws(() => parseExpr(`${'-'.repeat(5000)}a`), /nested more than 200 levels/);
  });
});
