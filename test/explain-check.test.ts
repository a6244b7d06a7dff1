// chainrule check: claims at the precision written, wrong ones in dependency order, recognised causes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ChainruleError, agreesAt, checkAnswers, derive, parseAnswers, solveFile } from 'chainrule';
import fc from 'fast-check';
import { root, runCli } from './explain-helpers.js';

const ex = (f: string) => join(root, 'examples', 'problems', f);
const dv = (f: string) => derive(solveFile(ex(f)));
const answers = (f: string) => parseAnswers(readFileSync(ex(f), 'utf8'), f);

describe('precision of a claim', () => {
  it('takes each number at the digits written, last digit ±1', () => {
    assert.ok(agreesAt(0.002003244712152312, 0.0020032, '.0020032'));
    assert.ok(agreesAt(0.002003244712152312, 0.0020033, '0.0020033'));
    assert.ok(!agreesAt(0.002003244712152312, 0.0020034, '0.0020034'));
    assert.ok(agreesAt(2.999799675528785, 2.9997997, '2.9997997'));
    assert.ok(!agreesAt(2.999799675528785, 2.9997999, '2.9997999'));
    assert.ok(agreesAt(2.999799675528785, 3, '3'));
    assert.ok(!agreesAt(2.999799675528785, 3, '3.0000000'));
    assert.ok(agreesAt(-0.0009975456151476057, -9.97546e-4, '-9.97546e-4'));
  });
});

describe('seed answer files', () => {
  it("seed 000's answers to Network N all pass, exit 0", () => {
    const r = checkAnswers(dv('network-n.yaml'), answers('network-n.answers.yaml'));
    assert.equal(r.results.length, 8);
    assert.ok(r.results.every((x) => x.status === 'right'));
    assert.equal(r.ok, true);
    const { code, out } = runCli(['check', ex('network-n.yaml'), '--answers', ex('network-n.answers.yaml')]);
    assert.equal(code, 0);
    assert.match(out, /All 8 claims are right/);
  });

  it("seed 001's two mistakes are flagged with their causes, first wrong step first, exit 1", () => {
    const r = checkAnswers(dv('seed-001-relu-bce.yaml'), answers('seed-001-relu-bce.answers.yaml'));
    assert.deepEqual(
      r.wrong.map((x) => x.key),
      ['values.BCE', 'grads.s1', 'grads.W1', 'updated.W1'],
    );
    assert.equal(r.firstWrong?.key, 'values.BCE');
    assert.match(r.wrong[0].cause ?? '', /base-10 logarithm.*natural log.*2\.606842/);
    for (const w of r.wrong.slice(1)) assert.match(w.cause ?? '', /sigmoid derivative .* forward pass used relu/);
    assert.match(r.wrong[3].cause ?? '', /0\.9954935045/);
    // the seed's delta2 and dL/dW2 carry rounding from its intermediates: imprecise, not wrong
    assert.deepEqual(
      r.results.filter((x) => x.status === 'imprecise').map((x) => x.key),
      ['grads.s2', 'grads.W2'],
    );
    const { code, out } = runCli(['check', ex('seed-001-relu-bce.yaml'), '--answers', ex('seed-001-relu-bce.answers.yaml')]);
    assert.equal(code, 1);
    assert.match(out, /1\. values\.BCE \(the first wrong step\)/);
    assert.match(out, /likely cause: the same mistake as grads\.s1/);
  });

  it("seed 000's dense forward pass and seed 002's sign network answers all pass", () => {
    for (const [p, a, n] of [
      ['dense-forward.yaml', 'dense-forward.answers.yaml', 4],
      ['seed-002-sign-network.yaml', 'seed-002-sign-network.answers.yaml', 17],
    ] as const) {
      const r = checkAnswers(dv(p), answers(a));
      assert.equal(r.results.length, n);
      assert.ok(r.ok, a);
    }
  });
  it('a wrong then-rule result is caught', () => {
    const r = checkAnswers(dv('seed-002-sign-network.yaml'), { updated: { w36: '-1.2' }, after: { d3: '-2' } });
    assert.deepEqual(
      r.wrong.map((x) => x.key),
      ['after.d3', 'updated.w36'],
    );
    assert.match(r.wrong[0].cause ?? '', /sign error/);
  });
});

describe('recognised causes', () => {
  const n = dv('network-n.yaml');
  const cause = (claims: Parameters<typeof checkAnswers>[1], d = n) => {
    const r = checkAnswers(d, claims);
    assert.equal(r.ok, false);
    return r.wrong[0].cause ?? '';
  };
  it('a sign error', () => assert.match(cause({ grads: { a: '-0.0020032' } }), /sign error/));
  it('the upstream gradient (seed 3) left out', () => assert.match(cause({ grads: { a: '0.00066775' } }), /upstream gradient .* = 3 was left out/));
  it('a factor of 2', () => assert.match(cause({ grads: { x4: '-0.0019951' } }), /factor of 1\/2|factor of 2/));
  it('a step uphill', () => assert.match(cause({ updated: { a: '3.0002003' } }), /uphill/));
  it('no step at all', () => assert.match(cause({ updated: { a: '3.0000000' } }), /unchanged/));
  it("a sigmoid derivative taken at the unit's output", () => {
    // dL/dx1 of Network N with σ'(x5) = σ'(σ(x1)) in place of σ'(x1): recomputed by the engine
    const r = checkAnswers(n, { grads: { x1: '-9.5805e-7' } });
    assert.match(r.wrong[0].cause ?? '', /derivative was taken at the unit's output/);
  });
  it('a forgotten transpose', () => {
    const d = dv('seed-004-softmax-ce.yaml');
    const g = d.grads.W1 as number[][];
    const t = g[0].map((_, j) => g.map((row) => row[j]));
    assert.match(cause({ grads: { W1: t } }, d), /forgotten transpose/);
  });
  it('a right answer among wrong ones does not fail on its own', () => {
    const r = checkAnswers(n, { values: { x6: '-2', x8: '0.00033399' }, grads: { x6: '0.0010016' } });
    assert.equal(r.ok, true);
  });
});

describe('bad answers input', () => {
  it('an unknown name or section is a ChainruleError (exit 2)', () => {
    assert.throws(() => checkAnswers(n0(), { grads: { q: 1 } }), ChainruleError);
    assert.throws(() => parseAnswers('wrong: {a: 1}\n', 'a.yaml'), /unknown section "wrong"/);
    assert.throws(() => parseAnswers('grads:\n  a: [1, x]\n', 'a.yaml'), /a\.yaml:2:.*grads\.a\[1\]/);
    const { code } = runCli(['check', ex('network-n.yaml')]);
    assert.equal(code, 2);
  });
});

function n0() {
  return dv('network-n.yaml');
}

describe('fuzzing the checker', () => {
  it('random claims (numbers, strings, nested lists) give a report or a ChainruleError', () => {
    const d = dv('seed-004-softmax-ce.yaml');
    const names = Object.keys(d.values);
    const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('0.5', '-1e-3', '12', '.0020032', 'x', ''));
    const val = fc.oneof(num, fc.array(num, { maxLength: 4 }), fc.array(fc.array(num, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }));
    const section = fc.constantFrom('values', 'grads', 'updated', 'after');
    fc.assert(
      fc.property(fc.array(fc.tuple(section, fc.constantFrom(...names, 'nope'), val), { maxLength: 4 }), (claims) => {
        const obj: Record<string, Record<string, unknown>> = {};
        for (const [s, n, v] of claims) (obj[s] ??= {})[n] = v;
        try {
          const r = checkAnswers(d, obj);
          assert.equal(r.ok, r.wrong.length === 0);
        } catch (e) {
          if (!(e instanceof ChainruleError)) throw e;
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
