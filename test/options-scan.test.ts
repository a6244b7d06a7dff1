// No layer, functional or optimizer option is accepted and ignored: every declared option key of
// src/nn and src/optim is read by the library (test/options-scan.ts), and the scan catches a
// planted one.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unreadOptions } from './options-scan.js';

function sources(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) Object.assign(out, sources(p));
    else if (name.endsWith('.ts')) out[p] = readFileSync(p, 'utf8');
  }
  return out;
}

describe('options scan', () => {
  it('every option of src/nn and src/optim is read somewhere in src', () => {
    const declaring = { ...sources('src/nn'), ...sources('src/optim') };
    const all = sources('src');
    assert.deepEqual(unreadOptions(declaring, all), []);
  });
  it('finds a planted option nobody reads, in an interface and in a parameter type', () => {
    const planted = {
      'planted.ts': [
        'export interface FooOptions { used?: number; ignoredFlag?: boolean }',
        'export class Foo { constructor(opts: { size?: number; droppedMode?: string } = {}) { this.n = opts.size; } }',
        'export function foo(o: FooOptions) { return o.used; }',
      ].join('\n'),
    };
    assert.deepEqual(
      unreadOptions(planted, planted).map((u) => `${u.owner}.${u.key}`),
      ['FooOptions.ignoredFlag', 'Foo(opts).droppedMode'],
    );
  });
});
