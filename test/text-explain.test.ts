import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { loadTextModel } from '../src/text/checkpoint.js';
import { compareCommand } from '../src/text/commands.js';
import { explainRun } from '../src/text/explain-command.js';
import { attentionSvg, explanationSvg, explanationText } from '../src/text/explain-render.js';
import { explainText } from '../src/text/explain.js';
import { corpusCsv } from './text-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-text-explain-'));
const csv = join(dir, 'synthetic.csv');
writeFileSync(csv, corpusCsv(600));
const runs = join(dir, 'runs');
const MODELS = ['logreg', 'mlp', 'fasttext', 'cnn', 'bigru', 'bilstm', 'transformer'] as const;
const SPAM_WORDS = new Set(['prize', 'winner', 'free', 'offer', 'click', 'cash', 'bonus', 'deal', 'lottery', 'viagra']);
const SPAM_TEXT = 'click now for a free cash prize winner and the meeting';

before(async () => {
  await compareCommand(['majority', ...MODELS], {
    source: { kind: 'file', file: csv, textCol: 'text', labelCol: 'label' },
    out: runs,
    seed: 1,
    tune: false,
    curve: [],
    hp: { epochs: 4, minDf: 1, hidden: 8, embed: 8, maxLength: 24, lr: 0.01, batchSize: 32 },
    command: 'test',
    log: () => {},
  });
});

/** A loaded run in float64, as `textclf explain` runs it. */
function loaded(model: string) {
  const clf = loadTextModel(join(runs, model));
  clf.module?.double();
  return clf;
}

describe('explainText: integrated gradients on trained tiny models', () => {
  for (const model of MODELS) {
    it(`${model}: completeness holds within 1% and the spam words carry the spam label`, () => {
      const e = explainText(loaded(model), SPAM_TEXT);
      assert.equal(e.label, 'spam');
      assert.equal(e.predicted, 'spam');
      assert.equal(e.input, ['logreg', 'mlp', 'fasttext'].includes(model) ? 'features' : 'embeddings');
      assert.deepEqual(
        e.tokens.map((t) => t.token),
        SPAM_TEXT.split(' '),
      );
      const c = e.completeness;
      assert.ok(c.holds && c.relativeError <= 0.01, `${model}: relative error ${c.relativeError}`);
      const sum = e.tokens.reduce((a, t) => a + t.attribution, 0);
      assert.ok(Math.abs(sum - c.sum) <= 1e-9 * Math.max(1, Math.abs(sum)), 'the token attributions are the ones checked');
      assert.ok(Math.abs(c.difference - (e.score - e.baselineScore)) < 1e-12);
      // the spam words together push toward spam, and more than the rest of the text does
      const spam = e.tokens.filter((t) => SPAM_WORDS.has(t.token)).reduce((a, t) => a + t.attribution, 0);
      assert.ok(spam > 0 && spam > sum - spam, `${model}: spam words ${spam} of ${sum}`);
      assert.ok(Math.abs(e.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    });
  }

  it('logreg: the attribution of a feature is exactly weight x value (a linear score), whatever the steps', () => {
    const clf = loaded('logreg');
    const e = explainText(clf, SPAM_TEXT, { steps: 3 });
    const w = clf.module!.stateDict().weight.toArray() as number[][];
    const names = (clf.features!.state as { vectorizer: { features: string[] } }).vectorizer.features;
    assert.ok(e.features && e.features.length > 5);
    for (const f of e.features) {
      const j = names.indexOf(f.feature);
      assert.ok(Math.abs(f.attribution - w[j][1] * f.value) < 1e-12, f.feature);
    }
    assert.deepEqual(e.completeness.tries.length, 1);
    // a bigram's share is split over its two tokens: the token sums add up to the feature sum
    const byFeature = e.features.reduce((a, f) => a + f.attribution, 0);
    assert.ok(Math.abs(byFeature - e.completeness.sum) < 1e-12);
  });

  it('doubles the steps until completeness holds, and reports every try', () => {
    const e = explainText(loaded('transformer'), SPAM_TEXT, { steps: 1, tolerance: 1e-4, maxSteps: 64 });
    const steps = e.completeness.tries.map((t) => t.steps);
    assert.deepEqual(steps, [1, 2, 4, 8, 16, 32, 64].slice(0, steps.length));
    assert.ok(steps.length >= 2, `tries ${JSON.stringify(e.completeness.tries)}`);
    assert.equal(e.completeness.steps, steps.at(-1));
    const last = e.completeness.tries.at(-1)!;
    assert.equal(e.completeness.holds, last.relativeError <= 1e-4);
    if (!e.completeness.holds) assert.equal(last.steps, 64);
  });

  it("the 'unk' baseline is the text with every token replaced by <unk>, and --label explains another class", () => {
    const clf = loaded('cnn');
    const e = explainText(clf, 'free prize winner', { baseline: 'unk' });
    assert.equal(e.label, 'spam');
    const unknown = explainText(clf, 'qqqx qqqy qqqz', { label: 'spam' });
    assert.ok(unknown.tokens.every((t) => !t.known));
    assert.ok(Math.abs(e.baselineScore - unknown.score) < 1e-9, `${e.baselineScore} vs ${unknown.score}`);
    assert.ok(e.completeness.holds);
    const ham = explainText(clf, 'free prize winner', { label: 'ham' });
    assert.equal(ham.label, 'ham');
    assert.equal(ham.predicted, 'spam');
    assert.ok(ham.tokens.reduce((a, t) => a + t.attribution, 0) < 0, 'spam words push against ham');
    assert.equal(explainText(clf, 'free prize winner', { label: 0 }).label, 'ham');
  });

  it('transformer: attention maps per layer and head over the tokens, rows summing to 1', () => {
    const e = explainText(loaded('transformer'), 'free prize for the team');
    assert.ok(e.attention);
    assert.deepEqual(e.attention.tokens, ['free', 'prize', 'for', 'the', 'team']);
    assert.equal(e.attention.layers.length, 2);
    for (const layer of e.attention.layers) {
      assert.equal(layer.length, 4);
      for (const head of layer) {
        assert.equal(head.length, 5);
        for (const row of head) {
          assert.equal(row.length, 5);
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9);
        }
      }
    }
    const svg = attentionSvg(e);
    assert.equal((svg.match(/<rect x="[\d.]+" y="[\d.]+" width="\d+" height="\d+" fill="rgb/g) ?? []).length, 2 * 4 * 25);
    assert.equal(attentionSvg(explainText(loaded('cnn'), 'free prize')), '');
  });

  it('bad input names the function and what was wrong', () => {
    const clf = loaded('logreg');
    assert.throws(() => explainText(clf, SPAM_TEXT, { label: 'eggs' }), /explainText: unknown label "eggs" \(labels: ham, spam\)/);
    assert.throws(() => explainText(clf, SPAM_TEXT, { label: 2 }), /unknown label 2/);
    assert.throws(() => explainText(clf, SPAM_TEXT, { steps: 0 }), /steps must be a positive integer, got 0/);
    assert.throws(() => explainText(clf, SPAM_TEXT, { steps: 2.5 }), /steps must be a positive integer/);
    assert.throws(() => explainText(clf, SPAM_TEXT, { baseline: 'unk' }), /baseline 'unk' needs a sequence model/);
    assert.throws(() => explainText(clf, '   '), /the text has no tokens/);
    assert.throws(() => explainText(clf, 'qqqx qqqy'), /no n-gram of the text is a feature/);
    assert.throws(() => explainText(loadTextModel(join(runs, 'majority')), SPAM_TEXT), /majority baseline has no inputs/);
  });

  it('the views: a ranked list, a highlighted SVG with every token', () => {
    const e = explainText(loaded('bigru'), SPAM_TEXT);
    const txt = explanationText(e, 5).split('\n');
    assert.match(txt[0], /^predicted spam \(p = 0\.\d{4}\); logit of spam -?\d/);
    assert.match(txt[1], /^completeness: attributions sum to .* \(error \d\.\d{3}%, 50 steps\): holds$/);
    const ranked = txt.slice(4, 9).map((l) => Math.abs(Number(l.trim().split(/\s+/)[3].replace('−', '-'))));
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i] <= ranked[i - 1]);
    assert.match(txt[9], /^\(6 more tokens; \+ toward spam, - against\)$/);
    const svg = explanationSvg(e);
    for (const t of e.tokens) assert.ok(svg.includes(`>${t.token}</text>`), t.token);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="760" height="\d+"/);
  });
});

describe('chainrule textclf explain', () => {
  function capture(): { out: string[]; err: string[]; restore: () => void } {
    const out: string[] = [];
    const err: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (s: string) => out.push(String(s));
    console.error = (s: string) => err.push(String(s));
    return {
      out,
      err,
      restore: () => {
        console.log = log;
        console.error = error;
      },
    };
  }

  it('prints the ranked list and writes the figures into a run folder it may replace later', async () => {
    const out = join(dir, 'why-transformer');
    const c = capture();
    let code: number;
    try {
      code = await main(['textclf', 'explain', join(runs, 'transformer'), SPAM_TEXT, '--out', out, '--top', '4']);
    } finally {
      c.restore();
    }
    assert.equal(code, 0, c.err.join('\n'));
    const text = c.out.join('\n');
    assert.match(text, /completeness: .*: holds/);
    assert.match(text, /\n {3}1 {2}\S+ +\d+ +[+−]\d/);
    for (const f of ['explanation.html', 'explanation.svg', 'explanation.json', 'attention.svg']) assert.ok(existsSync(join(out, f)), f);
    const json = JSON.parse(readFileSync(join(out, 'explanation.json'), 'utf8'));
    assert.equal(json.model, 'transformer');
    assert.equal(json.tokens.length, 11);
    assert.match(readFileSync(join(out, 'explanation.html'), 'utf8'), /<h1>Why spam\?<\/h1>[\s\S]*<svg[\s\S]*Attention weights per layer and head/);
    const c2 = capture();
    try {
      assert.equal(await main(['textclf', 'explain', join(runs, 'logreg'), 'free prize', '--out', out]), 0);
    } finally {
      c2.restore();
    }
    assert.ok(!existsSync(join(out, 'attention.svg')), 'the earlier run file it no longer writes is removed');
  });

  it('bad input: exit 2 and one line naming what was wrong; nothing written', async () => {
    const foreign = join(dir, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const cases: [string[], RegExp][] = [
      [['textclf', 'explain'], /give the run folder and a text/],
      [['textclf', 'explain', join(runs, 'cnn')], /give the text to explain after the run folder/],
      [['textclf', 'explain', join(runs, 'cnn'), 'a', 'b'], /unexpected argument "b"/],
      [['textclf', 'explain', join(dir, 'nope'), 'free'], /textclf explain: .*nope holds no readable model.json/],
      [['textclf', 'explain', join(runs, 'cnn'), 'free', '--steps', '0'], /--steps must be/],
      [['textclf', 'explain', join(runs, 'cnn'), 'free', '--label', 'eggs'], /textclf explain: unknown label "eggs" \(labels: ham, spam\)/],
      [['textclf', 'explain', join(runs, 'cnn'), 'free', '--baseline', 'mean'], /--baseline/],
      [['textclf', 'explain', join(runs, 'logreg'), 'free', '--baseline', 'unk'], /baseline 'unk' needs a sequence model/],
      [['textclf', 'explain', join(runs, 'majority'), 'free'], /majority baseline has no inputs/],
      [['textclf', 'explain', join(runs, 'cnn'), 'free', '--out', foreign], /is a folder chainrule did not write \(it holds notes.txt\)/],
    ];
    for (const [argv, re] of cases) {
      const c = capture();
      let code: number;
      try {
        code = await main(argv);
      } finally {
        c.restore();
      }
      assert.equal(code, 2, `${argv.join(' ')}: exit ${code}`);
      assert.equal(c.err.length, 1, `${argv.join(' ')}: ${c.err.join(' | ')}`);
      assert.equal(c.err[0].split('\n').length, 1);
      assert.match(c.err[0], re);
      assert.deepEqual(c.out, []);
    }
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
  });

  it('explainRun without --out writes nothing', async () => {
    const { explanation, written } = await explainRun(join(runs, 'fasttext'), 'free prize');
    assert.deepEqual(written, []);
    assert.equal(explanation.label, 'spam');
  });
});
