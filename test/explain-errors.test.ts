// Bad problem files: syntax errors point at file:line:col with a caret; everything else is one
// clear line; the CLI exits 2 and writes nothing.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ChainruleError, parseProblem, solveProblem } from 'chainrule';
import { root, runCli } from './explain-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'chainrule-explain-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fails(text: string): string {
  try {
    solveProblem(parseProblem(text, 'p.yaml'));
  } catch (e) {
    assert.ok(e instanceof ChainruleError, `not a ChainruleError: ${e}`);
    return (e as Error).message;
  }
  assert.fail('expected an error');
}

describe('problem file errors', () => {
  it('a syntax error names file:line:col, shows the line and a caret under the spot', () => {
    const msg = fails('inputs: {x2: 1}\nnodes:\n  x6: a*x2 + )\n');
    assert.equal(msg, 'p.yaml:3:14: syntax error in x6: unexpected \')\'\n    x6: a*x2 + )\n               ^');
  });
  it('the caret maps into quoted and multi-line scalars', () => {
    assert.match(fails('inputs: {x: 1}\nnodes:\n  y: "sigmoid(x) * (2 + $)"\n'), /^p\.yaml:3:25: syntax error in y: unexpected '\$'/);
    const msg = fails('inputs: {x: 1}\nnodes:\n  y: >\n    x +\n    * 2\n');
    assert.match(msg, /^p\.yaml:5:5: syntax error in y: unexpected '\*'\n {6}\* 2\n {6}\^$/);
  });
  it('a YAML error is located too', () => assert.match(fails('inputs: {x: 1\nnodes: {}\n'), /^p\.yaml:\d+:\d+: YAML error/));
  it('an unknown name', () => assert.equal(fails('inputs: {x: 1}\nnodes:\n  y: x + z\n'), 'p.yaml:3: y = x + z: unknown name z'));
  it('an unknown function', () => assert.match(fails('inputs: {x: 1}\nnodes:\n  y: foo(x)\n'), /^p\.yaml:3: y = foo\(x\): unknown function foo\(\) \(known: exp, log/));
  it('a wrong number of arguments', () => assert.match(fails('inputs: {x: 1}\nnodes:\n  y: leaky_relu(x, 1, 2)\n'), /leaky_relu takes 1 or 2 arguments \(leaky_relu\(x, slope\)\), got 3/));
  it('a name defined twice', () => assert.equal(fails('inputs: {x: 1}\nparams: {w: 1}\nnodes:\n  w: x\n'), 'p.yaml:4: w is defined twice: as a param (line 2) and as a node (line 4)'));
  it('a duplicate key in one section', () => assert.match(fails('inputs:\n  x: 1\n  x: 2\n'), /^p\.yaml:3:3: YAML error: Map keys must be unique/));
  it('a cycle', () => assert.equal(fails('inputs: {x: 1}\nnodes:\n  y: z + x\n  z: y * 2\n'), 'p.yaml:3: cycle: y -> z -> y'));
  it('a use before the definition', () => assert.match(fails('inputs: {x: 1}\nnodes:\n  y: z + x\n  z: x * 2\n'), /y uses z, which is defined below it \(line 4\)/));
  it('a shape mismatch names the definition and both shapes', () => {
    assert.equal(
      fails('inputs: {x: [[1, 2], [3, 4]], v: [[1], [2], [3]]}\nnodes:\n  y: x @ v\n'),
      'p.yaml:3: y = x @ v: matmul: cannot multiply [2,2] by [3,1] (inner dimensions 2 and 3 differ)',
    );
    assert.match(fails('inputs: {x: [[1, 2, 3]], v: [[1, 2]]}\nnodes:\n  y: x + v\n'), /^p\.yaml:3: y = x \+ v: .*\[1,3\].*\[1,2\]/);
  });
  it('a non-scalar from without a seed of its shape', () => {
    assert.equal(fails('inputs: {x: [[1, 2]]}\nnodes:\n  y: x * 2\nbackward: {from: y}\n'), 'p.yaml: backward.from y has shape [1,2]: give a seed of that shape (dLoss/dy)');
    assert.equal(fails('inputs: {x: [[1, 2]]}\nnodes:\n  y: x * 2\nbackward: {from: y, seed: [1, 2, 3]}\n'), 'p.yaml: backward.seed has shape [3] but y has shape [1,2]');
  });
  it('ragged matrices, unknown sections, bad lr', () => {
    assert.match(fails('inputs: {x: [[1, 2], [3]]}\n'), /ragged/);
    assert.match(fails('input: {x: 1}\n'), /unknown section "input"/);
    assert.match(fails('params: {w: 1}\nnodes: {y: w}\nbackward: {from: y}\nupdate: {sgd: {lr: fast}}\n'), /update: expected sgd: \{ lr: number \}/);
  });
});

describe('solve CLI', () => {
  it('exits 2 and writes nothing on bad input', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'inputs: {x: 1}\nnodes:\n  y: x +\n');
    const out = join(dir, 'out.md');
    const r = runCli(['solve', bad, '-o', out]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:3:9: syntax error in y: unexpected end of expression/);
    assert.equal(existsSync(out), false);
  });
  it('-o writes the file atomically, with the format from the extension', () => {
    const out = join(dir, 'n.json');
    const r = runCli(['solve', join(root, 'examples/problems/network-n.yaml'), '-o', out]);
    assert.equal(r.code, 0, r.out);
    const got = JSON.parse(readFileSync(out, 'utf8'));
    const want = JSON.parse(readFileSync(join(root, 'test/golden/network-n.json'), 'utf8'));
    assert.deepEqual(Object.keys(got), ['values', 'grads', 'updated', 'after']);
    for (const k of Object.keys(want)) assert.deepEqual(Object.keys(got[k]), Object.keys(want[k]));
    assert.ok(Math.abs(got.updated.a - 2.999799675528785) < 1e-12);
  });
  it('prints text with the requested digits', () => {
    const r = runCli(['solve', join(root, 'examples/problems/seed-003-graph.yaml'), '--format', 'text', '--digits', '3']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /∂L\/∂x = .*\n/);
    assert.match(r.stdout, /= 90\n/);
  });
  it('rejects a bad --format', () => {
    const r = runCli(['solve', join(root, 'examples/problems/seed-003-graph.yaml'), '--format', 'pdf']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format must be md, tex, text, html or json \(got "pdf"\)/);
  });
});
