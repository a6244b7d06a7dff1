import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { extractMath, htmlPage, markdownToHtml } from '../src/explain/render/html.js';

const sample = String.raw`# Dense layer

## Forward

$$
Z = W A + b = \begin{bmatrix} 1 & -2 \\ 0.5 & 3 \end{bmatrix}\begin{bmatrix} 1 \\ 2 \end{bmatrix} + \begin{bmatrix} 0.1 \\ -0.1 \end{bmatrix} = \begin{bmatrix} -2.9 \\ 6.4 \end{bmatrix}
$$

| node | value | note |
|---|---:|---|
| $z_1$ | $-2.9$ | uses $\lvert x \rvert$ and $a_{i}*b_{j}$ |

- first $\frac{\partial L}{\partial W} = \delta A^\top$
- then \$5 stays a dollar, and so does $5 and $10

${'`$code$`'}`;

describe('extractMath', () => {
  it('takes display and inline maths out, leaves code, escaped and currency dollars', () => {
    const { text, math } = extractMath(sample);
    assert.deepEqual(
      math.map((m) => [m.display, m.tex.slice(0, 12)]),
      [
        [true, 'Z = W A + b '],
        [false, 'z_1'],
        [false, '-2.9'],
        [false, '\\lvert x \\rv'],
        [false, 'a_{i}*b_{j}'],
        [false, '\\frac{\\parti'],
      ],
    );
    assert.match(text, /\\\$5 stays a dollar, and so does \$5 and \$10/);
    assert.match(text, /`\$code\$`/);
    assert.equal(extractMath('```\n$$x$$\n```\n$y$').math.length, 1);
  });
});

describe('markdownToHtml', () => {
  const html = markdownToHtml(sample);

  it('converts headings, tables and lists, with the maths typeset by KaTeX inside them', () => {
    assert.match(html, /<h1>Dense layer<\/h1>/);
    assert.match(html, /<h2>Forward<\/h2>/);
    assert.match(html, /<table>/);
    assert.match(html, /<td align="right"><span class="katex">/);
    // the | inside \lvert ... \rvert and the * inside a_{i}*b_{j} did not split the cell or make emphasis
    assert.equal((html.match(/<td/g) ?? []).length, 3);
    assert.doesNotMatch(html, /<em>/);
    assert.match(html, /<li>first <span class="katex">/);
    assert.match(html, /<code>\$code\$<\/code>/);
    assert.match(html, /\$5 stays a dollar, and so does \$5 and \$10/);
  });

  it('typesets the matrix as display maths with MathML alongside', () => {
    assert.equal((html.match(/class="katex-display"/g) ?? []).length, 1);
    assert.match(html, /<math xmlns="http:\/\/www.w3.org\/1998\/Math\/MathML" display="block">/);
    assert.match(html, /<mtable/);
    // five inline formulas and the one display formula (whose .katex-display wraps a .katex)
    assert.equal((html.match(/<span class="katex">/g) ?? []).length, 6);
  });

  it('marks formulas KaTeX cannot parse, or throws with strictMath', () => {
    assert.match(markdownToHtml('bad $\\frac{1}{$ here'), /<code class="math-error" title="[^"]*">\$\\frac\{1\}\{\$<\/code>/);
    assert.throws(() => markdownToHtml('bad $\\frac{1}{$ here', true), /html: cannot typeset/);
  });
});

describe('htmlPage', () => {
  const page = htmlPage({ title: 'Dense <layer>', bodyMarkdown: sample });

  it('is one self-contained document: no external src/href, every font inlined as woff2', () => {
    assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
    assert.match(page, /<title>Dense &lt;layer&gt;<\/title>/);
    assert.doesNotMatch(page, /<script/i);
    assert.doesNotMatch(page, /<link/i);
    const refs = [...page.matchAll(/\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1]);
    assert.deepEqual(refs.filter((r) => /^(https?:)?\/\//i.test(r)), []);
    const urls = [...page.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]);
    assert.ok(urls.length > 0);
    assert.ok(urls.every((u) => u.startsWith('data:font/woff2;base64,')), 'every CSS url() is an inline woff2');
    // as many inlined fonts as KaTeX ships woff2 files, each byte-identical to the package's file
    const fontsDir = join(dirname(createRequire(import.meta.url).resolve('katex/dist/katex.min.css')), 'fonts');
    assert.equal(urls.length, (page.match(/@font-face/g) ?? []).length);
    const main = readFileSync(join(fontsDir, 'KaTeX_Main-Regular.woff2')).toString('base64');
    assert.ok(page.includes(`url(data:font/woff2;base64,${main})`));
  });

  it('holds the typeset body and accepts ready HTML instead', () => {
    assert.match(page, /<main>\n<h1>Dense layer<\/h1>/);
    assert.match(page, /class="katex-display"/);
    const raw = htmlPage({ title: 't', bodyHtml: '<p>$x$ stays</p>' });
    assert.match(raw, /<p>\$x\$ stays<\/p>/);
    assert.throws(() => htmlPage({ title: 't' }), /exactly one of bodyMarkdown and bodyHtml/);
  });
});
