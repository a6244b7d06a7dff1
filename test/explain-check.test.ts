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

// The catalogue of common backpropagation mistakes: one planted wrong answer each, its value
// worked out independently (NumPy, float64), the checker naming the mistake and recomputing it.
describe('the catalogue of mistakes names each one', () => {
  const mlp = derive(solveFile(join(root, 'test', 'fixtures', 'problems', 'mlp-2-2-2.yaml')));
  const mazur = dv('mazur-2-2-2.yaml');
  const seed004 = dv('seed-004-softmax-ce.yaml');
  const wrongOne = (d: ReturnType<typeof dv>, claims: Parameters<typeof checkAnswers>[1]) => {
    const r = checkAnswers(d, claims);
    assert.equal(r.wrong.length, 1, JSON.stringify(r.results.map((x) => [x.key, x.status, x.cause])));
    return r.wrong[0].cause ?? '';
  };

  it("the published 2-2-2 figures: exactly one wrong claim, the error after the update, from already-updated weights", () => {
    const r = checkAnswers(mazur, answers('mazur-2-2-2.answers.yaml'));
    assert.deepEqual(
      r.wrong.map((x) => x.key),
      ['after.E_total'],
    );
    assert.equal(r.results.filter((x) => x.status === 'imprecise').length, 0);
    assert.match(r.wrong[0].cause ?? '', /already-updated weights were used in the backward pass.*after\.E_total = 0\.2910279239/);
    const { code, out } = runCli(['check', ex('mazur-2-2-2.yaml'), '--answers', ex('mazur-2-2-2.answers.yaml')]);
    assert.equal(code, 1);
    assert.match(out, /1 of 21 claims are wrong/);
  });
  it('already-updated weights: a hidden-layer gradient taken through the updated output weights', () => {
    assert.match(wrongOne(mlp, { grads: { W1: [[0.000364722878, 0.000729445755], [0.000423629604, 0.000847259209]] } }), /already-updated weights.*grads\.W1 = \[\[0\.000364722877/);
  });
  it('the missing ½ of the squared error: E and its gradients doubled', () => {
    assert.match(wrongOne(mazur, { values: { E_total: 0.596742218 } }), /½ of the squared error was left out/);
    assert.match(wrongOne(mlp, { grads: { W2: [[0.164334081, 0.165335256], [-0.045205081, -0.045480484]] } }), /½ of the squared error was left out/);
  });
  it("the output activation's derivative forgotten (not mistaken for a ReLU derivative)", () => {
    const c = wrongOne(mlp, { grads: { W2: [[0.439829649, 0.442509229], [-0.128782028, -0.129566608]] } });
    assert.match(c, /derivative of the output activation \(σ'\) was forgotten/);
    const s = wrongOne(dv('seed-001-relu-bce.yaml'), { grads: { s2: 404.428793 } });
    assert.match(s, /derivative of the output activation/);
    assert.doesNotMatch(s, /relu/);
  });
  it('a sign error in the update: gradient ascent, and the error after it', () => {
    assert.match(wrongOne(mlp, { updated: { W1: [[0.150219284, 0.200438568], [0.250248856, 0.300497713]] } }), /sign error in the update.*uphill/);
  });
  it('the weight matrix not transposed in the backward pass', () => {
    assert.match(wrongOne(mlp, { grads: { W1: [[0.000461550563, 0.000923101126], [0.000581024266, 0.00116204853]] } }), /not transposed in the backward pass/);
  });
  it('the log base: log10 or log2 for the natural log', () => {
    const s = dv('seed-001-relu-bce.yaml');
    assert.match(wrongOne(s, { values: { BCE: 2.606842068 } }), /base-10 logarithm/);
    assert.match(wrongOne(s, { values: { BCE: 8.659741904 } }), /base-2 logarithm/);
  });
  it('the loss summed over the batch instead of averaged', () => {
    const c = wrongOne(seed004, { grads: { W2: [[0.31379036, 0.298574551, 0.521584771, 0.340227293], [-0.0452219491, -0.295641794, -0.0750828019, -0.0907600326], [-0.268568411, -0.00293275684, -0.446501969, -0.24946726]] } });
    assert.match(c, /summed over the batch where it is the mean/);
  });
  it('a bias gradient not summed over the batch: per example, or averaged', () => {
    const perExample = [
      [0.0609753836, -0.0610825291],
      [-0.0204519477, -0.0331317039],
      [-0.0574096703, 0.0451374035],
      [0.044984681, -0.013944842],
    ];
    assert.match(wrongOne(seed004, { grads: { b1: perExample } }), /bias gradient was not summed over the batch/);
    const mean = perExample.map((r) => [(r[0] + r[1]) / 2]);
    assert.match(wrongOne(seed004, { grads: { b1: mean } }), /bias gradient was not summed over the batch/);
  });
  it('the softmax derivative taken elementwise', () => {
    assert.match(wrongOne(seed004, { grads: { Z2: [['0.000000000', '0.000000000'], ['-0.300380235', '0.000000000'], ['0.000000000', '-0.377250020']] } }), /softmax derivative was taken elementwise/);
  });
  it('imprecise only when rounding the intermediates to the digits written explains it', () => {
    // seed 001's delta2: recomputed with every intermediate at 11 digits, it lands on the claim
    const s = checkAnswers(dv('seed-001-relu-bce.yaml'), { grads: { s2: '0.99752737493' } });
    assert.equal(s.results[0].status, 'imprecise');
    // the same digits off by more than any rounding gives: wrong
    const w = checkAnswers(dv('seed-001-relu-bce.yaml'), { grads: { s2: '0.99752730000' } });
    assert.equal(w.results[0].status, 'wrong');
  });
});
