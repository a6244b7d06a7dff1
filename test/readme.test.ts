// Every TypeScript block in README.md runs as written (against the library's source).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

describe('README', () => {
  it('has TypeScript examples', () => {
    assert.ok(blocks.length >= 2);
  });
  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, () => {
      const file = new URL(`./.readme-example-${i}.tmp.ts`, import.meta.url);
      writeFileSync(file, code);
      try {
        const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', file.pathname], { encoding: 'utf8', env: { ...process.env, CHAINRULE_BACKEND: 'js' } });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(r.stdout.length > 0, 'prints something');
      } finally {
        rmSync(file, { force: true });
      }
    });
  });
});
