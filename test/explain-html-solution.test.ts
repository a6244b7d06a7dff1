import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derive, htmlPage, render, solveFile } from 'chainrule';

// The real use: a worked solution's Markdown (the solve renderer's md output) turned into one page.

describe('htmlPage of worked solutions', () => {
  for (const name of ['network-n', 'dense-forward', 'seed-004-softmax-ce']) {
    it(`${name}: every formula typeset, nothing external, no KaTeX errors`, () => {
      const dv = derive(solveFile(`examples/problems/${name}.yaml`));
      const md = render(dv, 'md');
      const page = htmlPage({ title: dv.title, bodyMarkdown: md });
      const display = (md.match(/\$\$/g) ?? []).length / 2;
      assert.ok(display >= 5, `${name} has display maths`);
      assert.equal((page.match(/class="katex-display"/g) ?? []).length, display);
      assert.doesNotMatch(page, /class="math-error"[^>]*>\$/);
      assert.doesNotMatch(page, /katex-error/);
      // no $ delimiter left over outside code: every formula was taken out and typeset
      const text = page.slice(page.indexOf('<main>')).replace(/<code>[^<]*<\/code>/g, '').replace(/<annotation[^>]*>[\s\S]*?<\/annotation>/g, '');
      assert.doesNotMatch(text, /\$/);
      const refs = [...page.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);
      assert.deepEqual(refs.filter((r) => /^(https?:)?\/\//i.test(r)), []);
      assert.doesNotMatch(page, /<script|<link/i);
    });
  }
});

describe('the computation graph on a phone', () => {
  it('keeps its natural width (at most 720 px) in its own scroll box instead of shrinking to unreadable text', () => {
    const dv = derive(solveFile('examples/problems/seed-003-graph.yaml'));
    const svg = '<?xml version="1.0"?>\n<svg width="600pt" height="200pt" viewBox="0 0 600 200"><text>x</text></svg>';
    const page = render(dv, 'html', { graph: { svg } });
    // 600 pt = 800 CSS px
    assert.match(page, /<figure class="graph" style="--natural-width: 800px">/);
    const phone = page.slice(page.indexOf('@media (max-width: 600px)'));
    assert.match(phone, /figure\.graph svg, div\.graph svg \{ max-width: none; width: min\(var\(--natural-width, 100%\), 720px\); \}/);
    assert.match(page, /figure\.graph \{[^}]*overflow-x: auto/);
  });
});
