// Runs the ```ts blocks of every guide (docs/*.md, and README.md) on the js backend, with every
// export of the package in scope (of the browser entry, for a block that imports
// 'chainrule/browser'; an import of the package is dropped, other imports are made dynamic: see
// test/doc-runner.ts), and fails on an exception or a wrong stated value
// (`// <value>`), naming file:line. The blocks of one file run in order in one temporary folder as
// the working directory (with examples/ linked into it), so a block may read what an earlier one
// wrote. Code that needs what CI does not have (PyTorch, a browser, a network) goes in ```sh,
// ```python or ```js blocks, which are not run. Also checks that every relative link of these
// files names an existing file (and, for a Markdown file, an existing heading), and that the
// problem-file reference names every section, answers section and function the parser knows.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as chainrule from 'chainrule';
import * as browser from 'chainrule/browser';
import { markdownExamples, packageScope, runExample } from './doc-runner.js';
import { root } from './explain-helpers.js';

const guides = [
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join('docs', f)),
  'README.md',
];
const scope = packageScope(chainrule as unknown as Record<string, unknown>);
// a block that imports from 'chainrule/browser' sees that entry's exports only (what a page gets)
const browserScope = packageScope(browser as unknown as Record<string, unknown>);
const scopeOf = (code: string) => (/from ['"]chainrule\/browser['"]/.test(code) ? browserScope : scope);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks), with GitHub's -1, -2 for repeats. */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^```/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const s = slug(m[1]);
    const n = seen.get(s) ?? 0;
    seen.set(s, n + 1);
    out.add(n ? `${s}-${n}` : s);
  }
  return out;
}

/** The relative links of a Markdown file (outside code blocks and code spans), with their lines. */
function relativeLinks(text: string): { line: number; target: string }[] {
  const out: { line: number; target: string }[] = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^```/.test(line)) fenced = !fenced;
    if (fenced) return;
    const plain = line.replace(/`[^`]*`/g, '');
    for (const m of plain.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      out.push({ line: i + 1, target });
    }
  });
  return out;
}

describe('guides: code blocks', () => {
  const cwd = process.cwd();
  let work = '';
  before(() => {
    chainrule.setBackend('js');
  });
  after(() => {
    process.chdir(cwd);
  });

  it('finds the guides', () => {
    for (const g of ['from-pytorch', 'for-teachers', 'text-classification', 'browser', 'backends', 'scale-out', 'onnx', 'problem-format']) {
      assert.ok(guides.includes(join('docs', `${g}.md`)), `docs/${g}.md is missing`);
    }
  });

  for (const file of guides) {
    const blocks = markdownExamples(readFileSync(join(root, file), 'utf8'), file);
    if (!blocks.length) continue;
    describe(file, () => {
      before(() => {
        work = mkdtempSync(join(tmpdir(), 'chainrule-guides-'));
        symlinkSync(join(root, 'examples'), join(work, 'examples'));
        process.chdir(work);
      });
      after(() => {
        process.chdir(cwd);
        rmSync(work, { recursive: true, force: true });
      });
      blocks.forEach((block, i) => {
        it(`${block.file}:${block.line}`, async () => {
          chainrule.manualSeed(2000 + i);
          chainrule.setBackend('js');
          await runExample(block, scopeOf(block.code));
        });
      });
    });
  }
});

describe('guides: links', () => {
  for (const file of guides) {
    it(file, () => {
      const broken: string[] = [];
      for (const { line, target } of relativeLinks(readFileSync(join(root, file), 'utf8'))) {
        const [path, anchor] = target.split('#');
        const to = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file);
        if (!existsSync(to)) {
          broken.push(`${file}:${line}: ${target}: no file ${relative(root, to)}`);
          continue;
        }
        if (anchor && to.endsWith('.md') && !anchors(readFileSync(to, 'utf8')).has(anchor)) {
          broken.push(`${file}:${line}: ${target}: no heading #${anchor} in ${relative(root, to)}`);
        }
      }
      assert.deepEqual(broken, []);
    });
  }

  it('README.md links every guide', () => {
    const linked = new Set(relativeLinks(readFileSync(join(root, 'README.md'), 'utf8')).map((l) => l.target.split('#')[0]));
    assert.deepEqual(
      guides.filter((g) => g.startsWith('docs/') && !linked.has(g)),
      [],
      'guides README.md does not link',
    );
  });

  it('reads links as GitHub does', () => {
    assert.deepEqual(relativeLinks('see [a](a.md), [b](https://x.org) `[c](c.md)`\n```\n[d](d.md)\n```\n[e](e.md#f "t")'), [
      { line: 1, target: 'a.md' },
      { line: 5, target: 'e.md#f' },
    ]);
    assert.deepEqual([...anchors('# ONNX export and import\n## 1. Serving with ONNX Runtime from Node\n## Import\n## Import')], [
      'onnx-export-and-import',
      '1-serving-with-onnx-runtime-from-node',
      'import',
      'import-1',
    ]);
  });
});

describe('guides: the problem-file reference', () => {
  const reference = readFileSync(join(root, 'docs', 'problem-format.md'), 'utf8');
  const teachers = readFileSync(join(root, 'docs', 'for-teachers.md'), 'utf8');
  /** The list a parser error names after `known:` or `sections:`. */
  const listed = (text: string, word: string): string[] => {
    try {
      chainrule.parseProblem(text);
    } catch (e) {
      const m = new RegExp(`\\(${word}: ([^)]*)\\)`).exec((e as Error).message);
      if (m) return m[1].split(', ');
    }
    throw new Error(`parseProblem(${JSON.stringify(text)}) did not list the ${word}`);
  };
  it('names every section of a problem file and of an answers file', () => {
    const sections = listed('bogus: 1\n', 'sections');
    assert.ok(sections.length >= 7 && sections.includes('then'), sections.join(', '));
    for (const k of [...sections, ...chainrule.parseAnswers('values: {}\n').map((c) => c.section), 'values', 'grads', 'updated', 'after']) {
      assert.ok(reference.includes(`\`${k}\``), `docs/problem-format.md does not name \`${k}\``);
      assert.ok(teachers.includes(`| \`${k}\``), `docs/for-teachers.md's key table has no row \`${k}\``);
    }
  });
  it('names every function of the expressions', () => {
    const known = listed('inputs: {x: 1}\nnodes:\n  y: nosuchfunction(x)\n', 'known');
    assert.ok(known.length > 50 && known.includes('masked_softmax'), known.join(', '));
    const missing = known.filter((f) => !new RegExp(`\`${f}(\\(|\`)`).test(reference));
    assert.deepEqual(missing, [], 'functions docs/problem-format.md does not list');
  });
});
