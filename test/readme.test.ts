// Every code block of README.md runs as written:
//  - ts blocks run against the library's source (tsx);
//  - js blocks run as CommonJS in the installed user's project below, and a `// value` comment
//    after a console.log is the line it must print;
//  - sh blocks run line by line with bash, each command must exit 0 (or the status its comment
//    names: `# exit status 1: ...`), and print something, or leave the non-empty FILE of its `-o FILE`.
// Where they run: the block that starts with `npm install chainrule` (and every block using
// `npx chainrule`) in a fresh empty project, where `npm install chainrule` installs this clone
// (`npm install --ignore-scripts <clone>`: npm's folder install, the clone being built already);
// the other sh blocks in the clone, where `npm install` is checked as `npm ls` (the installed tree
// is complete: these tests run after the install) and `npm test` runs as `npm run lint` (its
// type-check and test run are the ones running this file).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { root } from './explain-helpers.js';

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = (lang: string) => [...readme.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]);

const project = mkdtempSync(join(tmpdir(), 'chainrule-readme-'));
writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'readme-user', version: '1.0.0', private: true })}\n`);

function bash(command: string, cwd: string): { status: number; out: string } {
  const r = spawnSync('bash', ['-c', command], { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** What a README command runs as here (see the top of this file). */
function asRun(command: string, installed: boolean): string {
  if (installed && command === 'npm install chainrule') return `npm install --ignore-scripts ${JSON.stringify(root)}`;
  if (!installed && command === 'npm install') return 'npm ls';
  if (!installed && command === 'npm test') return 'npm run lint';
  return command;
}

const shBlocks = blocks('sh').map((code) => {
  const lines = code
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [command, comment = ''] = l.split(/\s+#\s+/, 2);
      const status = /exit status (\d+)/.exec(comment);
      return { command: command.trim(), status: status ? Number(status[1]) : 0 };
    });
  const installed = lines[0]?.command === 'npm install chainrule' || lines.some((l) => l.command.startsWith('npx chainrule'));
  return { lines, installed };
});

describe('README', () => {
  it('has TypeScript, CommonJS and shell examples; the installed user’s first block installs chainrule', () => {
    assert.equal(shBlocks.find((b) => b.installed)?.lines[0].command, 'npm install chainrule');
    assert.ok(blocks('ts').length >= 2);
    assert.ok(blocks('js').length >= 1);
    assert.ok(shBlocks.filter((b) => b.installed).length >= 2);
    assert.ok(shBlocks.filter((b) => !b.installed).length >= 1);
  });

  blocks('ts').forEach((code, i) => {
    it(`TypeScript example ${i + 1} runs`, () => {
      const file = join(root, 'test', `.readme-example-${i}.tmp.ts`);
      writeFileSync(file, code);
      try {
        const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: root, encoding: 'utf8', env: { ...process.env, CHAINRULE_BACKEND: 'js' } });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.stdout.length > 0, 'prints something');
      } finally {
        rmSync(file, { force: true });
      }
    });
  });

  shBlocks.forEach((block, i) => {
    it(`shell block ${i + 1} runs (${block.installed ? 'installed package' : 'clone'}): ${block.lines.map((l) => l.command).join('; ')}`, () => {
      const cwd = block.installed ? project : root;
      for (const { command, status } of block.lines) {
        const r = bash(asRun(command, block.installed), cwd);
        assert.equal(r.status, status, `${command}\n${r.out}`);
        const outputs = [...command.matchAll(/(?:^|\s)-o\s+(\S+)/g)].map((m) => m[1]);
        for (const o of outputs) assert.ok(existsSync(join(cwd, o)) && statSync(join(cwd, o)).size > 0, `${command} wrote ${o}`);
        if (/\bchainrule\b/.test(command) && !command.startsWith('npm install') && !outputs.length) assert.ok(r.out.trim().length > 0, `${command} prints something`);
      }
    });
  });

  blocks('js').forEach((code, i) => {
    it(`CommonJS example ${i + 1} runs in the installed user's project`, () => {
      const file = join(project, `example-${i}.cjs`);
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, [file], { cwd: project, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/\s*(.+)$/gm)].map((m) => m[1].trim());
      assert.ok(expected.length > 0, 'the example says what it prints');
      assert.deepEqual(r.stdout.trim().split('\n'), expected);
    });
  });
});
