// Every seed problem in examples/problems/ reproduces the independently computed numbers in
// test/fixtures/seed-answers.json (and, for seed 004, a PyTorch fixture); md and json output
// match the committed goldens (UPDATE_GOLDEN=1 rewrites them).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { derive, render, solveFile } from 'chainrule';
import katex from 'katex';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const problems = join(root, 'examples', 'problems');
const answers = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'seed-answers.json'), 'utf8'));
const seed004 = JSON.parse(readFileSync(join(root, 'test', 'fixtures', 'seed004.json'), 'utf8'));

type V = number | V[];
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function close(actual: unknown, expected: unknown, what: string, rel = 1e-12): void {
  const a = flat(actual);
  const e = flat(expected);
  assert.equal(a.length, e.length, `${what}: ${a.length} values, expected ${e.length}`);
  a.forEach((x, i) => {
    const tol = rel * Math.max(1, Math.abs(e[i]));
    assert.ok(Math.abs(x - e[i]) <= tol, `${what}[${i}]: got ${x}, expected ${e[i]}`);
  });
}

const solve = (f: string, symbolic = false) => derive(solveFile(join(problems, f)), { symbolic });

describe('seed problems reproduce the fixture numbers', () => {
  it('seed 000: dense forward pass', () => {
    const d = solve('dense-forward.yaml');
    const v = answers.seed000_dense_forward.values;
    close(d.values.Z1, v.Z1, 'Z1');
    close(d.values.A1, v.A1, 'A1');
    close(d.values.Z_out, v.Zout, 'Z_out');
    close(d.values.A_out, v.Aout, 'A_out');
  });

  it('seed 000: Network N values, every gradient and the update', () => {
    const d = solve('network-n.yaml');
    const f = answers.seed000_network_N;
    for (const [k, x] of Object.entries(f.values)) close(d.values[k], x, k);
    for (const [k, x] of Object.entries(f.grads_of_Loss)) close(d.grads[k], x, `dL/d${k}`);
    for (const [k, x] of Object.entries(f.updated)) close(d.updated[k], x, `updated ${k}`);
    assert.equal(d.grads.x8, 3);
    // the loss went down: x8 after the step is below x8 before
    assert.ok((d.loss?.after as number) < (d.loss?.before as number));
  });

  it('seed 001: ReLU hidden layer, sigmoid output, BCE with the natural log', () => {
    const d = solve('seed-001-relu-bce.yaml');
    const f = answers.seed001_relu_hidden_bce;
    close(d.values.s1, f.values.s1, 's1');
    close(d.values.n1, f.values.n1, 'n1');
    close(d.values.s2, f.values.s2, 's2');
    close(d.values.out, f.values.out, 'out');
    close(d.values.BCE, f.values.BCE, 'BCE');
    close(d.grads.s2, f.grads['delta2 = dL/ds2'], 'delta2');
    close(d.grads.s1, f.grads['delta1 = dL/ds1'], 'delta1');
    close(d.grads.W1, Array(6).fill(f.grads['dL/dW1 (each)']), 'dL/dW1');
    close(d.grads.W2, Array(2).fill(f.grads['dL/dW2 (each)']), 'dL/dW2');
    close(d.updated.W1, Array(6).fill(f.updated['W1 (each)']), 'W1 updated');
    close(d.updated.W2, Array(2).fill(f.updated['W2 (each)']), 'W2 updated');
  });

  it('seed 002: sign network updated by the then-rules', () => {
    const d = solve('seed-002-sign-network.yaml');
    const f = answers.seed002_ex4_sign_network;
    for (const [k, x] of Object.entries(f.values)) close(d.values[k], x, k);
    for (const [k, x] of Object.entries(f.deltas)) close(d.after[k], x, k);
    for (const [k, x] of Object.entries(f.updated)) close(d.updated[k], x, `updated ${k}`);
    assert.deepEqual(d.grads, {});
  });

  it('seed 003: a = x*y + z, b = (x + x)*a, w = a*b', () => {
    const d = solve('seed-003-graph.yaml');
    const f = answers.seed003_graph;
    for (const [k, x] of Object.entries(f.values)) close(d.values[k], x, k);
    for (const [k, x] of Object.entries(f.grads)) close(d.grads[k], x, `dw/d${k}`);
  });

  it('seed 004: sigmoid hidden layer, softmax, cross-entropy (PyTorch 1.13 fixture)', () => {
    const d = solve('seed-004-softmax-ce.yaml');
    for (const [k, x] of Object.entries(seed004.values)) close(d.values[k], x, k);
    for (const [k, x] of Object.entries(seed004.grads)) close(d.grads[k], x, `dCE/d${k}`);
    for (const [k, x] of Object.entries(seed004.updated)) close(d.updated[k], x, `updated ${k}`);
    for (const [k, x] of Object.entries(seed004.after)) close(d.after[k], x, `after ${k}`);
  });
});

describe('each backward step sums its consumers\' contributions to the engine\'s gradient', () => {
  for (const f of ['network-n.yaml', 'seed-001-relu-bce.yaml', 'seed-003-graph.yaml', 'seed-004-softmax-ce.yaml']) {
    it(f, () => {
      const d = solve(f);
      for (const s of d.backward) {
        if (s.terms.length === 0) continue;
        const sum = s.terms.map((t) => flat(t.contribution)).reduce((a, b) => a.map((x, i) => x + b[i]));
        close(sum, s.value as V, `dL/d${s.name}`, 1e-12);
        for (const t of s.terms) {
          if (t.local) close(flat(t.contribution), flat(t.upstream).map((u) => u * (t.local?.value as number)), `${s.name} via ${t.consumer}`);
        }
      }
    });
  }
});

function sameJson(a: unknown, b: unknown, path: string): void {
  if (typeof b === 'number') {
    assert.equal(typeof a, 'number', path);
    assert.ok(Math.abs((a as number) - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${path}: ${a} vs ${b}`);
  } else if (Array.isArray(b)) {
    assert.ok(Array.isArray(a) && a.length === b.length, `${path}: length`);
    b.forEach((x, i) => {
      sameJson((a as unknown[])[i], x, `${path}[${i}]`);
    });
  } else if (b && typeof b === 'object') {
    assert.deepEqual(Object.keys(a as object), Object.keys(b), `${path}: keys`);
    for (const [k, v] of Object.entries(b)) sameJson((a as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else assert.equal(a, b, path);
}

const GOLDEN: [string, boolean][] = [
  ['network-n', true],
  ['dense-forward', false],
  ['seed-001-relu-bce', false],
  ['seed-002-sign-network', false],
  ['seed-003-graph', true],
  ['seed-004-softmax-ce', false],
  ['attention', false],
];

describe('md and json output match the goldens', () => {
  for (const [name, symbolic] of GOLDEN) {
    for (const fmt of ['md', 'json'] as const) {
      it(`${name}.${fmt}`, () => {
        const out = render(solve(`${name}.yaml`, symbolic), fmt);
        const file = join(root, 'test', 'golden', `${name}.${fmt}`);
        if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) writeFileSync(file, out);
        const golden = readFileSync(file, 'utf8');
        if (fmt === 'md') assert.equal(out, golden);
        else {
          // full float64 precision: the structure must match exactly, the numbers to 1e-12 relative
          // (backends may differ in the last bit of exp and log)
          sameJson(JSON.parse(out), JSON.parse(golden), name);
        }
      });
    }
  }
});

describe('every formula of the md and tex output is valid LaTeX (KaTeX parses it)', () => {
  for (const [name] of GOLDEN) {
    it(name, () => {
      const dv = solve(`${name}.yaml`, true);
      const md = render(dv, 'md');
      const tex = render(dv, 'tex');
      const pieces = [...md.matchAll(/\$\$([\s\S]+?)\$\$/g), ...tex.matchAll(/\\\[([\s\S]+?)\\\]/g)].map((m) => m[1]);
      const inline = [...md.replace(/\$\$[\s\S]+?\$\$/g, '').matchAll(/\$([^$]+)\$/g)].map((m) => m[1]);
      assert.ok(pieces.length > 3);
      for (const p of [...pieces, ...inline]) assert.doesNotThrow(() => katex.renderToString(p, { throwOnError: true, displayMode: true }), p);
      assert.match(tex, /^% .*\n\n\\section\*\{/);
    });
  }
});

describe('text output', () => {
  it('draws matrices with box characters and keeps scalars on one line', () => {
    const t = render(solve('dense-forward.yaml'), 'text');
    assert.match(t, /Z1 = W1 A_in \+ b1\n {3}= \[\[1, -1, 2, 3, 0\]/);
    assert.match(t, /⎡ 11 {3}5 ⎤\n {5}⎢ 18 {2}10 ⎥/);
    assert.match(t, /Here b1 \(4×1\) is broadcast to 4×2\./);
    const n = render(solve('network-n.yaml'), 'text', { digits: 4 });
    assert.match(n, /∂L\/∂x2 = ∂L\/∂x6·∂x6\/∂x2\n {7}= ∂L\/∂x6·\(a \+ c·x3\)\n {7}= 0\.001002·\(3 \+ 2·\(-1\)\)/);
  });
});
