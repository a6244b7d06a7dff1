import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { parseXml, xmlUnescape } from './explain-graph-xml.js';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-graph-'));
const seed003 = join(dir, 'seed-003.yaml');
writeFileSync(
  seed003,
  ['title: Seed 003', 'inputs:', '  x: 1', '  y: 2', '  z: 3', 'nodes:', '  a: x*y + z', '  b: (x + x)*a', '  w: a*b', 'backward:', '  from: w', '  seed: 2', ''].join('\n'),
);

/** Runs the CLI, capturing its error messages (output goes to files: the test runner owns stdout). */
async function run(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  try {
    return { code: await main(args), err: err.join('') };
  } finally {
    console.error = error;
  }
}

describe('chainrule graph', () => {
  it('prints DOT for a problem file with its names, values and seeded gradients', async () => {
    const dotPath = join(dir, 'g.dot');
    const r = await run(['graph', seed003, '-o', dotPath]);
    assert.equal(r.code, 0, r.err);
    const dot = readFileSync(dotPath, 'utf8');
    // seed 2 doubles every gradient of the seed-1 case (x 90, y 20, z 20, a 20, b 5)
    for (const [n, v, g] of [['x', 1, 180], ['y', 2, 40], ['z', 3, 40], ['a', 5, 40], ['b', 10, 10], ['w', 50, 2]]) {
      assert.match(dot, new RegExp(`label="\\{ ${n} \\| data ${v} \\| grad ${g} \\}"`));
    }
    assert.match(dot, /label="Seed 003"/);
  });

  it('writes SVG (format from the extension) and Mermaid files', async () => {
    const svgPath = join(dir, 'g.svg');
    const r = await run(['graph', seed003, '-o', svgPath]);
    assert.equal(r.code, 0, r.err);
    const words = parseXml(readFileSync(svgPath, 'utf8')).texts.map(xmlUnescape);
    for (const s of ['x', 'w', 'data 50', 'grad 180', '×', '+']) assert.ok(words.includes(s), `missing ${s}`);
    const mmd = join(dir, 'g.txt');
    assert.equal((await run(['graph', seed003, '--format', 'mermaid', '--output', mmd])).code, 0);
    assert.match(readFileSync(mmd, 'utf8'), /^---\ntitle: Seed 003\n---\nflowchart LR\n/);
  });

  it('exits 2 with a clear message on bad options and bad files, writing nothing', async () => {
    const out = join(dir, 'never.svg');
    const bad = await run(['graph', seed003, '--format', 'png', '-o', out]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--format must be dot, svg or mermaid/);
    const missing = await run(['graph', join(dir, 'nope.yaml'), '-o', out]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /cannot read/);
    assert.equal((await run(['graph', seed003, '--bogus'])).code, 2);
    assert.equal(existsSync(out), false);
  });
});
