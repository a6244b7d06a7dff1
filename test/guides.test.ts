// Runs the ```ts blocks of every guide (docs/*.md; test/readme.test.ts runs README.md's) on the
// js backend, with every export of the package in scope (of the browser entry, for a block that imports
// 'chainrule/browser'; an import of the package is dropped, other imports are made dynamic: see
// test/doc-runner.ts), and fails on an exception or a wrong stated value
// (`// <value>`), naming file:line. The blocks of one file run in order in one temporary folder as
// the working directory (with examples/ linked into it), so a block may read what an earlier one
// wrote. Code that needs what CI does not have (PyTorch, a browser, a network) goes in ```sh,
// ```python or ```js blocks, which are not run. Also checks that every relative link of these
// files names an existing file (and, for a Markdown file, an existing heading), and that the
// problem-file reference names every section, answers section and function the parser knows.
// A ```sh block after the line `<!-- output checked by test/guides.test.ts -->` holds one
// `npx chainrule ...` command (after optional `mkdir DIR` lines), and the ```text block right after
// it what the command prints on standard output: the test runs it on the js backend and compares
// line by line, a line `...` standing for any number of lines. A file's ts blocks and checked
// commands run in document order in one temporary folder, which also holds the blocks marked
// `<!-- file: NAME -->` (written as NAME before the first runs).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as chainrule from 'chainrule';
import * as browser from 'chainrule/browser';
import { markdownExamples, packageScope, runExample } from './doc-runner.js';
import { root, runCli } from './explain-helpers.js';

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

const CHECKED = '<!-- output checked by test/guides.test.ts -->';

/** A fenced block of a Markdown file: its info string, body, the line of its fence (1-based), and the line before it. */
interface Fence {
  info: string;
  body: string;
  line: number;
  before: string;
}

function fences(text: string): Fence[] {
  const lines = text.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\S*)/.exec(lines[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j])) j++;
    out.push({ info: m[1], body: lines.slice(i + 1, j).join('\n'), line: i + 1, before: lines[i - 1]?.trim() ?? '' });
    i = j;
  }
  return out;
}

/** A command line's words: double or single quotes group, a trailing `# comment` is dropped. */
function shellWords(line: string): string[] {
  const words: string[] = [];
  for (const m of line.replace(/\s+#.*$/, '').matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]);
  return words;
}

/** The mismatch between printed output and the lines a guide shows (`...` for any lines), or null. */
function outputMismatch(actual: string, shown: string): string | null {
  const got = actual
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => l.trimEnd());
  const want = shown.split('\n').map((l) => l.trimEnd());
  const memo = new Map<string, boolean>();
  const fits = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (j === want.length) r = i === got.length;
    else if (want[j].trim() === '...') r = fits(i, j + 1) || (i < got.length && fits(i + 1, j));
    else r = i < got.length && got[i] === want[j] && fits(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  if (fits(0, 0)) return null;
  const first = want.find((l) => l.trim() !== '...' && !got.includes(l));
  return first !== undefined ? `the line '${first}' is not printed` : 'the lines are printed in another order, or more lines are printed than shown';
}

/** Runs a checked command block (`mkdir DIR` lines, then one `npx chainrule ...`) in `dir` and compares its standard output with the text block after it. */
function checkCommand(file: string, block: Fence, next: Fence | undefined, dir: string): void {
  const lines = block.body.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  const words = lines.map(shellWords);
  for (const w of words.slice(0, -1)) {
    assert.ok(w[0] === 'mkdir' && w.length >= 2, `${file}:${block.line}: a checked block holds mkdir lines, then one chainrule command`);
    for (const d of w.slice(1).filter((x) => x !== '-p')) mkdirSync(join(dir, d), { recursive: true });
  }
  const command = words[words.length - 1] ?? [];
  assert.deepEqual(command.slice(0, 2), ['npx', 'chainrule'], `${file}:${block.line}: a checked block ends with an npx chainrule command`);
  assert.ok(next && next.info === 'text' && next.line === block.line + block.body.split('\n').length + 3, `${file}:${block.line}: a \`\`\`text block of the output must follow the command`);
  const r = runCli(command.slice(2), { cwd: dir, env: { CHAINRULE_BACKEND: 'js' } });
  const mismatch = outputMismatch(r.stdout, next.body);
  assert.equal(mismatch, null, `${file}:${next.line}: ${mismatch}\n--- printed (exit ${r.code}):\n${r.out}`);
}

// Each guide's ts blocks and checked commands run in document order in one temporary folder.
describe('guides: code blocks and command outputs', () => {
  const cwd = process.cwd();
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

  for (const file of guides.filter((g) => g.startsWith('docs/'))) {
    const text = readFileSync(join(root, file), 'utf8');
    const examples = markdownExamples(text, file);
    const blocks = fences(text);
    const checked = blocks.filter((b) => b.before === CHECKED);
    if (!examples.length && !checked.length) continue;
    // ts examples (by the line of their first code line) and checked commands, in document order
    const steps = [...examples.map((ex) => ({ line: ex.line - 1, ex })), ...checked.map((b) => ({ line: b.line, b }))].sort((x, y) => x.line - y.line);
    describe(file, () => {
      let work = '';
      before(() => {
        work = mkdtempSync(join(tmpdir(), 'chainrule-guides-'));
        symlinkSync(join(root, 'examples'), join(work, 'examples'));
        for (const b of blocks) {
          const m = /^<!-- file: (\S+) -->$/.exec(b.before);
          if (m) writeFileSync(join(work, m[1]), `${b.body}\n`);
        }
        process.chdir(work);
      });
      after(() => {
        process.chdir(cwd);
        rmSync(work, { recursive: true, force: true });
      });
      steps.forEach((step, i) => {
        if ('ex' in step && step.ex) {
          const ex = step.ex;
          it(`${file}:${ex.line}`, async () => {
            chainrule.manualSeed(2000 + i);
            chainrule.setBackend('js');
            await runExample(ex, scopeOf(ex.code));
          });
        } else if ('b' in step && step.b) {
          const b = step.b;
          it(`${file}:${b.line} (command)`, () => checkCommand(file, b, blocks[blocks.indexOf(b) + 1], work));
        }
      });
    });
  }

  it('compares outputs line by line', () => {
    assert.equal(outputMismatch('a\nb\nc\n', 'a\n...\nc'), null);
    assert.equal(outputMismatch('a\nb\nc\n', '...\nb\n...'), null);
    assert.equal(outputMismatch('a\nb\nc\n', 'a\nb'), 'the lines are printed in another order, or more lines are printed than shown');
    assert.equal(outputMismatch('a\nb\n', 'a\nx'), "the line 'x' is not printed");
    assert.deepEqual(shellWords('npx chainrule predict runs/cnn "a b" \'c\'   # note'), ['npx', 'chainrule', 'predict', 'runs/cnn', 'a b', 'c']);
  });
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
