// The architecture, checked: layers only import downward, and the browser-safe core imports no
// Node-only module (file system, child processes, native addons).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Value imports (type-only imports carry no runtime dependency). */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^\s*(?:import|export)\s+(?!type\b)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]);
  const dyn = /import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = dyn.exec(text); m; m = dyn.exec(text)) out.push(m[1]);
  return out;
}

const LAYER: [string, number][] = [
  ['errors.ts', 0],
  ['backend/', 0],
  ['tensor/', 1],
  ['autograd/', 1],
  ['ops/', 1],
  ['nn/', 2],
  ['optim/', 2],
  ['data/', 2],
  ['metrics/', 2],
  ['io/', 2],
  ['train/', 2],
  ['explain/', 3],
  ['text/', 3],
  ['cli/', 4],
  ['index.ts', 5],
  ['browser.ts', 5],
];

function layerOf(rel: string): number {
  const hit = LAYER.find(([prefix]) => rel === prefix || rel.startsWith(prefix));
  return hit ? hit[1] : 5;
}

const BROWSER_SAFE = ['errors.ts', 'tensor/', 'autograd/', 'ops/', 'backend/js/', 'backend/wasm/', 'backend/registry.ts', 'backend/types.ts', 'nn/', 'optim/', 'data/', 'metrics/'];
const NODE_ONLY = /^(node:|fs$|path$|os$|child_process$|module$|url$|crypto$|zlib$)/;

describe('architecture', () => {
  const all = files(src).map((f) => [relative(src, f).split('\\').join('/'), f] as const);

  it('layers only import downward (cli -> explain/text -> nn/optim -> ops/autograd -> backend)', () => {
    const bad: string[] = [];
    for (const [rel, file] of all) {
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(src, resolve(dirname(file), spec)).split('\\').join('/').replace(/\.js$/, '.ts');
        // the backend registry may load its own native module; the core may load the backend
        if (layerOf(target) > layerOf(rel)) bad.push(`${rel} imports ${target}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  it('the CLI, its commands and the io and text layers have no import cycle (commands are listed, not registered on import)', () => {
    const deps = new Map<string, string[]>();
    for (const [rel, file] of all) {
      deps.set(
        rel,
        imports(file)
          .filter((s) => s.startsWith('.'))
          .map((s) => relative(src, resolve(dirname(file), s)).split('\\').join('/').replace(/\.js$/, '.ts')),
      );
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, stack: string[]) => {
      state.set(f, 'open');
      stack.push(f);
      for (const d of deps.get(f) ?? []) {
        if (state.get(d) === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].join(' -> '));
        else if (!state.has(d)) visit(d, stack);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of deps.keys()) if (!state.has(f)) visit(f, []);
    const ours = cycles.filter((c) => c.split(' -> ').some((f) => /^(cli|io|text)\//.test(f)));
    assert.deepEqual(ours, []);
    // the command modules export their command; only src/cli/commands.ts lists them, and main imports that list
    const cli = all.filter(([rel]) => rel.startsWith('cli/'));
    for (const [rel, file] of cli) assert.doesNotMatch(readFileSync(file, 'utf8'), /\bregister\(/, rel);
    const importers = cli.filter(([, file]) => imports(file).some((s) => s === './commands.js')).map(([rel]) => rel);
    assert.deepEqual(importers, ['cli/main.ts']);
  });

  it('only src/io/fs.ts changes the file system (writes, renames, removals, new folders)', () => {
    const MUTATING = /\b(writeFile|writeFileSync|writeSync|write|appendFile|appendFileSync|rename|renameSync|rm|rmSync|rmdir|rmdirSync|unlink|unlinkSync|mkdir|mkdirSync|mkdtemp|mkdtempSync|copyFile|copyFileSync|cp|cpSync|createWriteStream|symlink|symlinkSync|link|linkSync|truncate|truncateSync|chmod|chmodSync|open|openSync)\b/;
    const bad: string[] = [];
    for (const [rel, file] of all) {
      if (rel === 'io/fs.ts') continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/import\s+(?:\*\s+as\s+\w+|\{([^}]*)\}|\w+)\s+from\s+['"](?:node:)?fs(?:\/promises)?['"]/g)) {
        if (m[1] === undefined || MUTATING.test(m[1])) bad.push(`${rel}: ${m[0].replace(/\s+/g, ' ')}`);
      }
      if (/\bimport\(\s*['"](?:node:)?fs/.test(text) || /\brequire\(\s*['"](?:node:)?fs/.test(text)) bad.push(`${rel}: loads fs dynamically`);
    }
    assert.deepEqual(bad, []);
  });

  it('the browser-safe core imports no Node-only module', () => {
    const bad: string[] = [];
    for (const [rel, file] of all) {
      if (!BROWSER_SAFE.some((p) => rel === p || rel.startsWith(p))) continue;
      for (const spec of imports(file)) if (NODE_ONLY.test(spec)) bad.push(`${rel} imports ${spec}`);
    }
    assert.deepEqual(bad, []);
  });
});
