import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli/main.js';
import { parseXml, xmlUnescape } from './explain-graph-xml.js';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-plot-'));

async function quiet(args: string[]): Promise<{ code: number; err: string }> {
  const log = console.log;
  const error = console.error;
  const err: string[] = [];
  console.log = () => {};
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    return { code: await main(args), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

describe('chainrule plot activations', () => {
  it('writes the SVG of the seed-003 question, --range taking a negative value', async () => {
    const out = join(dir, 'act.svg');
    const r = await quiet(['plot', 'activations', 'relu,leaky_relu:0.01,softplus:1,gelu', '--derivatives', '--range', '-3,3', '-o', out]);
    assert.equal(r.code, 0, r.err);
    const words = parseXml(readFileSync(out, 'utf8')).texts.map(xmlUnescape);
    for (const t of ['ReLU', 'LeakyReLU (slope = 0.01)', 'Softplus (β = 1)', 'GELU', 'f′(x) by autograd', '−3', '3']) assert.ok(words.includes(t), `missing ${t}`);
    assert.ok(!words.includes('−4'));
  });

  it('writes a PNG', async () => {
    const out = join(dir, 'act.png');
    const r = await quiet(['plot', 'activations', 'sigmoid,tanh', '--scale', '1', '-o', out]);
    assert.equal(r.code, 0, r.err);
    const png = readFileSync(out);
    assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
    assert.equal(png.readUInt32BE(16), 960);
  });

  it('rejects bad input with exit code 2 and writes nothing', async () => {
    const out = join(dir, 'bad.svg');
    for (const [args, msg] of [
      [['plot', 'activations', 'relu7', '-o', out], /unknown activation "relu7"/],
      [['plot', 'activations', 'relu', '--range', '4,-4', '-o', out], /--range must be LO,HI/],
      [['plot', 'activations', 'relu', '-o', join(dir, 'x.jpg')], /-o .*x\.jpg: unknown extension \.jpg; use one of \.svg, \.png/],
      [['plot', 'functions', 'relu', '-o', out], /expected "plot activations SPECS"/],
      [['plot', 'activations', 'relu'], /-o FILE.svg or -o FILE.png is required/],
    ] as [string[], RegExp][]) {
      const r = await quiet(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, msg);
    }
    assert.equal(existsSync(out), false);
  });
});
