// Worked attention: examples/problems/attention.yaml (softmax(QKᵀ/√d)V with a causal mask, three
// tokens in two dimensions) reproduces PyTorch's numbers (scripts/fixtures/attention_problem.py),
// shows each step, and its answers file's seeded mistake is found with its cause.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkAnswers, derive, parseAnswers, parseProblem, render, solveFile, solveProblem } from 'chainrule';
import { root, runCli } from './explain-helpers.js';

const problem = join(root, 'examples', 'problems', 'attention.yaml');
const answersFile = join(root, 'examples', 'problems', 'attention.answers.yaml');
const fixture = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'attention-problem.json'), 'utf8'));

type V = number | V[];
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function close(actual: unknown, expected: unknown, what: string, tol = 1e-12): void {
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  a.forEach((x, i) => {
    assert.ok(Math.abs(x - e[i]) <= tol * Math.max(1, Math.abs(e[i])), `${what}[${i}]: got ${x}, expected ${e[i]}`);
  });
}

describe('worked attention: 3 tokens, 2 dimensions, causal mask', () => {
  const dv = derive(solveFile(problem));

  it('forward, every gradient, the update and the values after it equal PyTorch 1.13 (float64)', () => {
    for (const [k, x] of Object.entries(fixture.values)) close(dv.values[k], x, k);
    for (const [k, x] of Object.entries(fixture.grads)) close(dv.grads[k], x, `dL/d${k}`);
    for (const [k, x] of Object.entries(fixture.updated)) close(dv.updated[k], x, `updated ${k}`);
    for (const [k, x] of Object.entries(fixture.after)) close(dv.after[k], x, `after ${k}`);
    assert.ok((dv.loss?.after as number) < (dv.loss?.before as number));
  });

  it('numbers checked by hand: a score, a masked row, the first output row', () => {
    const S = dv.values.S as number[][];
    const A = dv.values.A as number[][];
    // q2 = (0.3, 0.8), k1 = (0.4, 0.1), k2 = (-0.6, 0.7): s21 = 0.2/√2, s22 = 0.38/√2
    close(S[1][0], 0.2 / Math.SQRT2, 's21');
    close(S[1][1], 0.38 / Math.SQRT2, 's22');
    // token 2 sees tokens 1 and 2 only: a21 = 1/(1 + e^(s22 − s21)), a23 = 0
    close(A[1][0], 1 / (1 + Math.exp(0.18 / Math.SQRT2)), 'a21');
    assert.equal(A[1][2], 0);
    // token 1 sees itself only: weight 1, so o1 = v1 = x1 Wv = (1, 0.5)
    assert.deepEqual(A[0], [1, 0, 0]);
    close((dv.values.O as number[][])[0], [1, 0.5], 'o1');
    // no gradient reaches the hidden scores, nor the mask (a constant)
    assert.equal((dv.grads.S as number[][])[0][1], 0);
    assert.equal(dv.grads.M, undefined);
  });

  it('shows the softmax Jacobian row by row in the backward pass, and each step sums to the engine gradient', () => {
    const text = render(dv, 'text');
    assert.match(text, /A = masked_softmax\(S, M\)/);
    assert.match(text, /∂L\/∂S = A ⊙ \(∂L\/∂A - Σ_cols\(∂L\/∂A ⊙ A\)\)/);
    assert.match(text, /∂L\/∂Q = \(\(∂L\/∂S\)\/sqrt\(2\)\) K/);
    assert.match(text, /Σ_cols: the sum over the columns of each row \(over its keys\)/);
    assert.match(text, /it went down/);
    for (const s of dv.backward) {
      if (s.terms.length === 0) continue;
      const sum = s.terms.map((t) => flat(t.contribution)).reduce((a, b) => a.map((x, i) => x + b[i]));
      close(sum, s.value as V, `dL/d${s.name}`);
    }
    const md = render(dv, 'md');
    assert.match(md, /\\operatorname\{masked\\_softmax\}/);
  });

  it('check: the elementwise softmax derivative is found at dL/dS and named, exit 1', () => {
    const r = checkAnswers(dv, parseAnswers(readFileSync(answersFile, 'utf8'), answersFile));
    assert.deepEqual(
      r.wrong.map((x) => x.key),
      ['grads.S', 'grads.K', 'grads.Q', 'grads.Wq', 'grads.Wk', 'updated.Wq'],
    );
    assert.equal(r.firstWrong?.key, 'grads.S');
    for (const w of r.wrong) assert.match(w.cause ?? '', /softmax derivative was taken elementwise/);
    assert.match(r.wrong[0].cause ?? '', /with that mistake grads\.S = \[\[0, 0, 0\], \[0\.0212336/);
    assert.equal(r.results.filter((x) => x.status === 'right').length, 8);
    const { code, out } = runCli(['check', problem, '--answers', answersFile]);
    assert.equal(code, 1);
    assert.match(out, /6 of 14 claims are wrong/);
    assert.match(out, /1\. grads\.S \(the first wrong step\)/);
    assert.match(out, /likely cause: the same mistake as grads\.S/);
  });

  it('bad masks are refused with the problem line and what was wrong', () => {
    const solve = (mask: string, scores = 'Q @ transpose(K)') =>
      solveProblem(parseProblem(`inputs:\n  M: ${mask}\nparams:\n  Q: [[1, 0], [0, 1]]\n  K: [[1, 2], [3, 4]]\nnodes:\n  A: masked_softmax(${scores}, M)\n  L: sum(A)\nbackward:\n  from: L\n`, 'p.yaml'));
    assert.throws(() => solve('[[1, 0], [0.5, 1]]'), /p\.yaml:\d+: A = .*masked_softmax: the mask holds 1 \(attend\) or 0 \(hidden\) only, got 0\.5/);
    assert.throws(() => solve('[[1, 0], [0, 0]]'), /masked_softmax: row 2 of the mask hides every key/);
    assert.throws(() => solve('[[1, 0, 1]]'), /masked_softmax/);
    assert.throws(() => solve('[[1, 1]]', 'sum(Q)'), /masked_softmax: needs a matrix of scores .*got shape \[\]/);
    // a mask row broadcast over every query is fine
    const ok = solve('[[1, 0]]');
    assert.deepEqual(ok.tensors.get('A')?.toArray(), [
      [1, 0],
      [1, 0],
    ]);
  });
});
