// `chainrule playground`: a static server on 127.0.0.1 that prints its URL on the first line,
// serves the built page and its assets, and nothing outside its folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { playgroundRoot, serveStatic } from '../src/cli/playground.js';
import { root, runCli } from './explain-helpers.js';

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const mainUrl = pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href;

describe('chainrule playground', () => {
  it('serves only the files of its folder, read-only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-serve-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(join(dir, '.secret'), 'no');
    const server = serveStatic(dir);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      assert.equal(await page.text(), '<!doctype html><title>t</title>');
      for (const path of ['/.secret', '/%2e%2e/%2e%2e/etc/passwd', '/../package.json', '/missing.js']) assert.equal((await fetch(`${base}${path}`)).status, 404, path);
      assert.equal((await fetch(`${base}/index.html`, { method: 'POST', body: 'x' })).status, 405);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad --port and stray arguments', () => {
    const r = runCli(['playground', '--port', '70000', '--no-open']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--port must be an integer from 0 to 65535/);
    assert.match(runCli(['playground', 'extra']).stderr, /expected no arguments/);
  });

  it('prints http://127.0.0.1:PORT/ first and serves the built page until stopped', { skip: existsSync(join(playgroundRoot(), 'index.html')) ? false : 'the playground is not built (npm run build)' }, async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', tsx, '-e', `import(${JSON.stringify(mainUrl)}).then((m) => m.main(process.argv.slice(1))).then((c) => process.exit(c))`, '--', 'playground', '--no-open', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.includes('\n')) resolve(buf.split('\n')[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
      });
      assert.match(first, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const html = await (await fetch(first)).text();
      assert.match(html, /<title>chainrule playground<\/title>/);
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(script, 'the page loads its script from ./assets');
      const js = await fetch(`${first}${script}`);
      assert.equal(js.status, 200);
      assert.match(js.headers.get('content-type') ?? '', /javascript/);
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
