// Runs every `@example` of the doc comments under src/ on the js backend, with every export of the
// package in scope by its name (as a user writes `nn.Linear`, `F.relu` after importing them), and
// fails on an exception or a wrong stated value (`// <value>`, see test/doc-runner.ts), naming
// file:line. An example of a helper the package does not export also sees its own file's exports.
// Each runs in a temporary folder as its working directory, from a seed other than 0, so an
// example that states random values must seed itself. `DOC_EXAMPLES=src/nn node scripts/run-tests.mjs
// test/doc-examples.test.ts` runs the examples of the files under one path.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import * as chainrule from 'chainrule';
import { type DocExample, commentExamples, packageScope, publicValues, runExample, sourceExamples } from './doc-runner.js';
import { root } from './explain-helpers.js';

// DOC_EXAMPLES=src/nn (a path prefix) runs only the examples of those files
const only = process.env.DOC_EXAMPLES ?? '';
const examples = sourceExamples(join(root, 'src'), root).filter((ex) => ex.file.startsWith(only));
const pkg = chainrule as unknown as Record<string, unknown>;
const scope = packageScope(pkg);
const reachable = publicValues(pkg);
// Examples known to fail, each as `file | its first line`, until they are mended: the list only
// shrinks (a listed example that passes fails the test, so its line must be removed).
const pending = new Set<string>(JSON.parse(readFileSync(join(root, 'test', 'doc-examples.pending.json'), 'utf8')));
const keyOf = (ex: DocExample): string => `${ex.file} | ${ex.code.split('\n')[0].trim()}`;

/** The package's names, plus the exports of the example's own file that a user cannot reach (its internal helpers). */
async function scopeFor(ex: DocExample): Promise<Record<string, unknown>> {
  const mod = (await import(pathToFileURL(join(root, ex.file)).href)) as Record<string, unknown>;
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(mod)) if (!(k in scope) && !reachable.has(v)) own[k] = v;
  return { ...own, ...scope };
}

describe('doc-comment examples', () => {
  const cwd = process.cwd();
  const work = mkdtempSync(join(tmpdir(), 'chainrule-doc-examples-'));
  before(() => {
    chainrule.setBackend('js');
    // the examples name the package's problem files as a user in a clone does
    symlinkSync(join(root, 'examples'), join(work, 'examples'));
    process.chdir(work);
  });
  after(() => {
    process.chdir(cwd);
    rmSync(work, { recursive: true, force: true });
  });

  it('finds the examples', () => {
    assert.ok(only || examples.length > 300, `${examples.length} examples`);
  });

  examples.forEach((ex, i) => {
    it(`${ex.file}:${ex.line}`, async () => {
      chainrule.manualSeed(1000 + i);
      chainrule.setBackend('js');
      const run = runExample(ex, await scopeFor(ex));
      if (!pending.has(keyOf(ex))) return void (await run);
      await assert.rejects(run, Error, `${ex.file}:${ex.line} passes now: remove '${keyOf(ex)}' from test/doc-examples.pending.json`);
    });
  });
});

describe('the example runner', () => {
  const run = (code: string) => runExample({ file: 'x.ts', line: 1, code }, scope);
  it('reads one-liners and blocks, fenced or not', () => {
    const c = '/**\n * Doc.\n * @example tensor([1]).item() // 1\n * @example\n * const a = 1;\n * a + 1 // 2\n * @returns x\n * @example\n * ```ts\n * 3 // 3\n * ```\n */';
    assert.deepEqual(
      commentExamples(c, 10, 'f.ts').map((e) => [e.line, e.code]),
      [
        [12, 'tensor([1]).item() // 1'],
        [14, 'const a = 1;\na + 1 // 2'],
        [19, '3 // 3'],
      ],
    );
  });
  it('asserts stated values', async () => {
    await run('tensor([1, 2]).sum().item() // 3');
    await run('const t = tensor([[1, 2]]); t.shape // [1, 2]\nt // [[1, 2]]');
    await run("const s = 'a' + 'b'; // 'ab'\nconsole.log(s.length) // 2");
    await run('Math.PI // 3.14159...\ntensor([0.1]).item(); // 0.1\n[Math.PI, 1]; // [3.14..., 1]');
    await assert.rejects(run('tensor([1, 2]).sum().item() // 4'), /x\.ts:1: 3, stated 4/);
    await assert.rejects(run('1 + 1; // 2\n\n[1, 2]; // [1, 3]'), /x\.ts:3:/);
    await assert.rejects(run('Math.PI // 3.15...'), /stated 3\.15\.\.\./);
    await assert.rejects(run("'a' // 'b'"), /stated 'b'/);
  });
  it('fails on exceptions and on comments that read as values but are not', async () => {
    await assert.rejects(run('\nundefinedName.foo()'), /x\.ts:1: throws ReferenceError/);
    await assert.rejects(run('1 + 1 // 2 (two)'), /reads as a stated value/);
    await run('1 + 1 // then more');
  });
  it("resolves a relative import from the example's own file, under the name it imports", async () => {
    const code = "import { render as renderFormula } from './notation.js';\nrenderFormula(parseExpr('x^2'), latexNotation, 6) // '{x}^{2}'";
    await runExample({ file: 'src/explain/symbolic/notation.ts', line: 1, code }, scope);
    await assert.rejects(runExample({ file: 'src/explain/notation.ts', line: 1, code }, scope), /throws .*notation/);
  });
});
