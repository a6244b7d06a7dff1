// Builds the docs site (scripts/docs.mjs, as `npm run docs` does) into a temporary folder and
// checks it: every relative href/src of every page resolves to a file of the site (and its
// #anchor to an id there), nothing is loaded from the network, the op table page and the op
// pages carry the KaTeX of the op table's formulas, the entry modules are grouped by layer, the
// guides and the playground are in, and the search index knows ops and guides. Also: the build
// refuses to replace a folder it did not make.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { OPS } from 'chainrule';
import { root } from './explain-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'chainrule-docs-site-'));
const site = join(work, 'site');

function docs(out: string) {
  return spawnSync(process.execPath, [join(root, 'scripts', 'docs.mjs'), '--out', out], { cwd: root, encoding: 'utf8' });
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const decode = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'");
const page = (p: string) => readFileSync(join(site, p), 'utf8');

describe('docs site (npm run docs)', () => {
  let build: ReturnType<typeof docs>;
  before(() => {
    build = docs(site);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('builds, with the marker that lets the next build replace it', () => {
    assert.equal(build.status, 0, `${build.stdout}\n${build.stderr}`);
    assert.ok(existsSync(join(site, '.chainrule-docs-site')));
    assert.deepEqual(
      readdirSync(work).filter((n) => n.startsWith('.tmp-docs-site-')),
      [],
      'the staging folder is removed',
    );
  });

  it('has no broken internal links and loads nothing from the network', () => {
    const all = files(site);
    const pages = all.filter((f) => f.endsWith('.html'));
    assert.ok(pages.length > 500, `${pages.length} pages`);
    const ids = new Map<string, Set<string>>();
    const idsOf = (file: string) => {
      if (!ids.has(file)) ids.set(file, new Set([...readFileSync(file, 'utf8').matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => decode(m[1]))));
      return ids.get(file)!;
    };
    const broken: string[] = [];
    const remote: string[] = [];
    let checked = 0;
    for (const file of pages) {
      const html = readFileSync(file, 'utf8');
      const where = relative(site, file);
      for (const m of html.matchAll(/<(\w+)\b[^>]*?\s(href|src)="([^"]*)"/g)) {
        const [, tag, , raw] = m;
        const url = decode(raw);
        if (/^(https?:)?\/\//.test(url)) {
          // a reader may follow a link out; the page itself must load nothing from the network
          if (tag !== 'a') remote.push(`${where}: <${tag}> ${url}`);
          continue;
        }
        if (/^[a-z][a-z0-9+.-]*:/i.test(url)) continue; // mailto:, data:, javascript:
        const [pathPart, anchor] = url.split('#', 2);
        const path = pathPart.split('?')[0];
        const target = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        checked++;
        if (!(target === site || target.startsWith(site + sep))) broken.push(`${where}: ${url} (outside the site)`);
        else if (!existsSync(target) || statSync(target).isDirectory()) broken.push(`${where}: ${url}`);
        else if (anchor && !idsOf(target).has(decodeURIComponent(anchor))) broken.push(`${where}: ${url} (no #${anchor})`);
      }
    }
    assert.ok(checked > 10000, `${checked} links checked`);
    assert.deepEqual(broken.slice(0, 20), [], `${broken.length} broken links`);
    assert.deepEqual(remote, []);
    // KaTeX's stylesheet is in the site, and so is every font it names
    const css = readFileSync(join(site, 'assets', 'katex', 'katex.min.css'), 'utf8');
    const fonts = [...css.matchAll(/url\(([^)]+)\)/g)].map((m) => m[1]);
    assert.ok(fonts.length > 20);
    for (const f of fonts) assert.ok(existsSync(join(site, 'assets', 'katex', f)), f);
    for (const f of all.filter((x) => x.endsWith('.css'))) assert.doesNotMatch(readFileSync(f, 'utf8'), /url\(\s*["']?(https?:)?\/\//, relative(site, f));
  });

  it('renders every op of the table with KaTeX on the op table page, from the entries', () => {
    const html = page('documents/op-table.html');
    const rows = [...html.matchAll(/<tr id="op-([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(rows, OPS.map((op) => op.def.name));
    const row = (name: string) => {
      const at = html.indexOf(`<tr id="op-${name}">`);
      return html.slice(at, html.indexOf('</tr>', at));
    };
    const tex = (r: string) => [...r.matchAll(/<annotation encoding="application\/x-tex">([^<]*)<\/annotation>/g)].map((m) => decode(m[1]).replace(/^\\displaystyle /, ''));
    assert.deepEqual(tex(row('tanh')), ['\\tanh\\left(x\\right)', '\\frac{\\partial f}{\\partial x} = 1 - {\\tanh\\left(x\\right)}^{2}']);
    assert.deepEqual(tex(row('sigmoid')), ['\\sigma\\left(x\\right)', '\\frac{\\partial f}{\\partial x} = \\sigma\\left(x\\right) \\cdot \\left(1 - \\sigma\\left(x\\right)\\right)']);
    assert.deepEqual(tex(row('leakyRelu')), [
      '\\mathrm{LeakyReLU}_{\\alpha}\\left(x\\right)',
      '\\frac{\\partial f}{\\partial x} = \\begin{cases} 1 & x > 0 \\\\ \\alpha & \\text{otherwise} \\end{cases}',
    ]);
    // a binary op has one local derivative per input
    assert.equal(tex(row('atan2')).length, 3);
    // rendered at build time: KaTeX's HTML and MathML (1 − tanh²), no script needed
    assert.match(row('tanh'), /class="katex-html"/);
    assert.match(row('tanh'), /<mn>1<\/mn><mo>−<\/mo><msup><mrow><mi>tanh<\/mi>/);
    assert.match(row('relu'), /<code>F\.relu<\/code>/);
    assert.match(row('relu'), /<code>nn\.ReLU<\/code>/);
    assert.doesNotMatch(html, /KaTeX cannot render|katex-error/);
  });

  it("shows an op's formula and local derivative on its own page", () => {
    const html = page('functions/chainrule.tanh.html');
    assert.match(html, /id="formula"/);
    assert.match(html, /<annotation encoding="application\/x-tex">\\frac\{\\partial f\}\{\\partial x\} = 1 - \{\\tanh\\left\(x\\right\)\}\^\{2\}<\/annotation>/);
    const relu = page('functions/chainrule.relu.html');
    assert.match(relu, /\\mathbb\{1\}\\left\[x &gt; 0\\right\]|\\mathbb\{1\}\\left\[x > 0\\right\]/);
  });

  it('groups each entry by layer', () => {
    const html = page('modules/chainrule.html');
    const groups = [...html.matchAll(/<h2 class="tsd-anchor-link" id="[^"]*">([^<]*?)(?: - [^<]*)?<a/g)].map((m) => m[1].trim());
    const layers = [...new Set(groups)];
    for (const layer of ['tensor', 'ops', 'autograd', 'nn', 'optim', 'data', 'metrics', 'io', 'explain', 'text', 'backends']) assert.ok(layers.includes(layer), `${layer} in ${layers}`);
    // the source path decides: Tensor under tensor, tanh under ops (math), nn under nn
    const section = (id: string) => {
      const at = html.indexOf(`id="${id}"`);
      assert.ok(at > 0, id);
      return html.slice(at, html.indexOf('</section>', at));
    };
    assert.match(section('tensor-classes'), /chainrule\.Tensor\.html/);
    assert.match(section('ops-math'), /chainrule\.tanh\.html/);
    assert.match(section('nn-namespaces'), /chainrule\.nn\.html/);
    assert.match(section('backends-functions'), /chainrule\.setBackend\.html/);
  });

  it('has the guides, the playground and search data', () => {
    // each guide of docs/ has its page, titled by its first heading
    const titles = new Set<string>();
    for (const md of readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md'))) {
      const h1 = /^# (.+)$/m.exec(readFileSync(join(root, 'docs', md), 'utf8'))![1].trim();
      titles.add(h1);
      assert.match(page(`documents/${md.replace(/\.md$/, '.html')}`), new RegExp(`<title>${h1.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\| chainrule</title>`), md);
    }
    assert.ok(existsSync(join(site, 'playground', 'index.html')));
    assert.match(page('index.html'), /<a href="playground\/index.html" title="[^"]*">Playground<\/a>/);
    assert.match(page('classes/chainrule.Tensor.html'), /<a href="..\/playground\/index.html" title="[^"]*">Playground<\/a>/);
    const js = page('assets/search.js');
    const data = JSON.parse(inflateSync(Buffer.from(/window\.searchData = "([^"]+)"/.exec(js)![1], 'base64')).toString('utf8'));
    const names = new Set((data.rows as { name: string }[]).map((r) => r.name));
    for (const n of ['tanh', 'Tensor', 'Linear', 'Op table', ...titles]) assert.ok(names.has(n), n);
  });

  it('refuses to replace a folder it did not build', () => {
    const foreign = join(work, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    const r = docs(foreign);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /was not built by npm run docs/);
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
    assert.deepEqual(readdirSync(foreign), ['notes.txt']);
  });
});
