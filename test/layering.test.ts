// The architecture, checked (rules in test/layering.ts, described in ARCHITECTURE.md): layers
// only import downward, siblings never import each other, explain's sub-folders keep the same two
// rules among themselves, type imports count, there are no import cycles, wiring is explicit, code
// below the op layer's entrance never uses a bound Tensor method, and the browser-safe core
// imports no Node-only module. Each rule is also shown to catch a violation planted for it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { boundMethodUses, checkSources, importsOf } from './layering.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const SOURCES = new Map(files(src).map((f) => [relative(src, f).split('\\').join('/'), readFileSync(f, 'utf8')] as const));

const BROWSER_SAFE = ['errors.ts', 'tensor/', 'autograd/', 'ops/', 'backend/js/', 'backend/wasm/', 'backend/registry.ts', 'backend/types.ts', 'backend/no-native.ts', 'nn/', 'optim/', 'data/', 'metrics/'];
const NODE_ONLY = /^(node:|fs$|path$|os$|child_process$|module$|url$|crypto$|zlib$)/;

/** The real tree with one file added or replaced. */
function planted(rel: string, text: string): Map<string, string> {
  return new Map([...SOURCES, [rel, text]]);
}

describe('architecture', () => {
  it('the tree breaks no rule', () => {
    assert.deepEqual(checkSources(SOURCES), []);
  });

  it('an upward import is caught, also a type-only one', () => {
    const bad = checkSources(planted('tensor/planted.ts', "import { relu } from '../ops/index.js';\nimport type { Module } from '../nn/module.js';\nexport const x = relu;\nexport type M = Module;\n"));
    assert.equal(bad.filter((b) => b.startsWith('tensor/planted.ts') && b.includes('a higher layer')).length, 2);
  });

  it('a sideways import between sibling subsystems is caught', () => {
    const bad = checkSources(planted('nn/planted.ts', "import { accuracy } from '../metrics/index.js';\nexport const a = accuracy;\n"));
    assert.ok(bad.some((b) => b.startsWith('nn/planted.ts:1') && b.includes('sibling')), bad.join('\n'));
  });

  it("inside explain/, an import of a higher sub-layer is caught, also a type-only one", () => {
    const bad = checkSources(
      planted('explain/problem/planted.ts', "import { solveProblem } from '../derivation/evaluate.js';\nimport type { Derivation } from '../derivation/derivation.js';\nexport const s = solveProblem;\nexport type D = Derivation;\n"),
    );
    assert.equal(bad.filter((b) => b.startsWith('explain/problem/planted.ts') && b.includes('a higher sub-layer')).length, 2, bad.join('\n'));
    const up = checkSources(planted('explain/plot/planted.ts', "import { render } from '../index.js';\nexport const r = render;\n"));
    assert.ok(up.some((b) => b.startsWith('explain/plot/planted.ts:1') && b.includes('a higher sub-layer')), up.join('\n'));
  });

  it('inside explain/, a sideways import between sibling sub-folders is caught', () => {
    const bad = checkSources(planted('explain/check/planted.ts', "import { render } from '../render/render.js';\nexport const r = render;\n"));
    assert.ok(bad.some((b) => b.startsWith('explain/check/planted.ts:1') && b.includes('sibling sub-folder')), bad.join('\n'));
  });

  it('a file of explain/ outside its sub-layers is refused', () => {
    assert.throws(() => checkSources(planted('explain/planted.ts', 'export const x = 1;\n')), /explain\/planted\.ts belongs to no sub-layer of explain\//);
  });

  it('an import cycle is caught', () => {
    const withCycle = new Map([...SOURCES, ['ops/planted-a.ts', "import { b } from './planted-b.js';\nexport const a = () => b;\n"], ['ops/planted-b.ts', "import { a } from './planted-a.js';\nexport const b = () => a;\n"]]);
    assert.ok(checkSources(withCycle).includes('import cycle: ops/planted-a.ts -> ops/planted-b.ts'));
  });

  it('going around the op layer entrance, or importing for side effects, is caught', () => {
    const bad = checkSources(planted('nn/planted.ts', "import '../ops/index.js';\nimport { relu } from '../ops/activation.js';\nimport { Tensor } from '../tensor/tensor.js';\nexport const r = [relu, Tensor];\n"));
    assert.ok(bad.some((b) => b.startsWith('nn/planted.ts:1') && b.includes('side effects')), bad.join('\n'));
    assert.ok(bad.some((b) => b.startsWith('nn/planted.ts:2') && b.includes('import ops/index.ts')), bad.join('\n'));
    assert.ok(bad.some((b) => b.startsWith('nn/planted.ts:3') && b.includes('take Tensor from ops/index.ts')), bad.join('\n'));
  });

  it('patching a prototype outside ops/methods.ts is caught', () => {
    const bad = checkSources(planted('ops/planted.ts', "import { Tensor } from '../tensor/tensor.js';\n(Tensor.prototype as any).twice = function () { return this; };\n"));
    assert.ok(bad.some((b) => b.startsWith('ops/planted.ts:2') && b.includes('prototype')), bad.join('\n'));
  });

  it('code below the op layer entrance calls op functions, never bound Tensor methods', async () => {
    assert.deepEqual(await boundMethodUses(src), []);
    const bad = await boundMethodUses(
      src,
      new Map([['autograd/planted.ts', "import type { Tensor } from '../tensor/tensor.js';\nexport function twice(t: Tensor): Tensor {\n  return t.add(t).T;\n}\n"]]),
    );
    assert.deepEqual(bad.sort(), [
      'autograd/planted.ts:3: uses the bound Tensor method .T (call the op function)',
      'autograd/planted.ts:3: uses the bound Tensor method .add (call the op function)',
    ]);
  });

  it('commands are listed, not registered on import: only cli/main.ts imports the list', () => {
    const cli = [...SOURCES].filter(([rel]) => rel.startsWith('cli/'));
    for (const [rel, text] of cli) assert.doesNotMatch(text, /\bregister\(/, rel);
    const importers = cli.filter(([, text]) => importsOf(text).some((i) => i.spec === './commands.js')).map(([rel]) => rel);
    assert.deepEqual(importers, ['cli/main.ts']);
  });

  it('only src/io/fs.ts changes the file system (writes, renames, removals, new folders)', () => {
    const MUTATING = /\b(writeFile|writeFileSync|writeSync|write|appendFile|appendFileSync|rename|renameSync|rm|rmSync|rmdir|rmdirSync|unlink|unlinkSync|mkdir|mkdirSync|mkdtemp|mkdtempSync|copyFile|copyFileSync|cp|cpSync|createWriteStream|symlink|symlinkSync|link|linkSync|truncate|truncateSync|chmod|chmodSync|open|openSync)\b/;
    const bad: string[] = [];
    for (const [rel, text] of SOURCES) {
      if (rel === 'io/fs.ts') continue;
      // doc comments' examples are a user's code (they may write a temp file), not the module's
      const code = text.replace(/\/\*[\s\S]*?\*\//g, '');
      for (const m of code.matchAll(/import\s+(?:\*\s+as\s+\w+|\{([^}]*)\}|\w+)\s+from\s+['"](?:node:)?fs(?:\/promises)?['"]/g)) {
        if (m[1] === undefined || MUTATING.test(m[1])) bad.push(`${rel}: ${m[0].replace(/\s+/g, ' ')}`);
      }
      if (/\bimport\(\s*['"](?:node:)?fs/.test(code) || /\brequire\(\s*['"](?:node:)?fs/.test(code)) bad.push(`${rel}: loads fs dynamically`);
    }
    assert.deepEqual(bad, []);
  });

  it('the browser-safe core imports no Node-only module', () => {
    const bad: string[] = [];
    for (const [rel, text] of SOURCES) {
      if (!BROWSER_SAFE.some((p) => rel === p || rel.startsWith(p))) continue;
      for (const imp of importsOf(text)) if (NODE_ONLY.test(imp.spec)) bad.push(`${rel} imports ${imp.spec}`);
    }
    assert.deepEqual(bad.sort(), []);
  });
});
