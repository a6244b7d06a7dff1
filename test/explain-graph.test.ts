import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Tensor, tensor } from 'chainrule';
import { toDot, toMermaid, toSvg } from '../src/explain/graph/graph.js';
import { formatNumber } from '../src/explain/graph/graph-labels.js';
import { parseXml, xmlUnescape } from './explain-graph-xml.js';

const p = (v: number | number[][], name: string) => tensor(v, { dtype: 'float64', requiresGrad: true, name });

/** Seed 003's graph a = x*y + z, b = (x + x)*a, w = a*b at x=1, y=2, z=3. */
function seed003() {
  const x = p(1, 'x');
  const y = p(2, 'y');
  const z = p(3, 'z');
  const xy = x.mul(y);
  const a = xy.add(z);
  a.name = 'a';
  const xx = x.add(x);
  const b = xx.mul(a);
  b.name = 'b';
  const w = a.mul(b);
  w.name = 'w';
  return { x, y, z, xy, xx, a, b, w };
}

/** id -> fields of each record node of a DOT text. */
function records(dot: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of dot.matchAll(/^\s*(v\d+) \[shape=record.*label="\{ (.*?) \}"/gm)) {
    out.set(m[1], m[2].split(' | '));
  }
  return out;
}

function edges(dot: string): [string, string][] {
  return [...dot.matchAll(/^\s*(\w+) -> (\w+)/gm)].map((m) => [m[1], m[2]]);
}

function opLabels(dot: string): Map<string, string> {
  return new Map([...dot.matchAll(/^\s*(op\d+) \[.*label="(.*?)"/gm)].map((m) => [m[1], m[2]]));
}

describe('toDot', () => {
  it("seed 003: every node with its value and dw/dnode (x 90, y 20, z 20, a 20, b 5, x+x 25, x*y 20)", () => {
    const dot = toDot(seed003().w, { grads: 'compute' });
    const byName = new Map([...records(dot).values()].map((f) => [f[0], f.slice(1)]));
    // hand-derived: w = 2x·a², a = xy + z = 5, b = 2x·a = 10, w = 50
    // dw/da = b + a·2x = 20, dw/db = a = 5, dw/d(x+x) = a·a = 25, dw/dx = 2·25 + y·20 = 90
    assert.deepEqual(byName.get('x'), ['data 1', 'grad 90']);
    assert.deepEqual(byName.get('y'), ['data 2', 'grad 20']);
    assert.deepEqual(byName.get('z'), ['data 3', 'grad 20']);
    assert.deepEqual(byName.get('a'), ['data 5', 'grad 20']);
    assert.deepEqual(byName.get('b'), ['data 10', 'grad 5']);
    assert.deepEqual(byName.get('w'), ['data 50', 'grad 1']);
    // the two unnamed intermediates get automatic names: x*y (2, grad 20) and x+x (2, grad 25)
    const autos = [...byName.entries()].filter(([n]) => /^t\d+$/.test(n)).map(([, f]) => f.join(' '));
    assert.deepEqual(autos.sort(), ['data 2 grad 20', 'data 2 grad 25']);
    assert.equal(byName.size, 8);
  });

  it('draws one op node per op between its inputs and its output, both edges of x + x', () => {
    const dot = toDot(seed003().w, { grads: 'compute' });
    const recs = records(dot);
    const idOf = (name: string) => [...recs.entries()].find(([, f]) => f[0] === name)![0];
    const ops = opLabels(dot);
    assert.deepEqual([...ops.values()].sort(), ['+', '+', '×', '×', '×']);
    const es = edges(dot);
    const x = idOf('x');
    const xEdges = es.filter(([from]) => from === x);
    // x feeds x*y once and x+x twice
    assert.equal(xEdges.length, 3);
    const plusOfX = xEdges.map(([, to]) => to).find((to, _i, all) => all.filter((t) => t === to).length === 2)!;
    assert.equal(ops.get(plusOfX), '+');
    // w's op has inputs a and b
    const w = idOf('w');
    const wOp = es.find(([, to]) => to === w)![0];
    assert.deepEqual(es.filter(([, to]) => to === wOp).map(([from]) => recs.get(from)![0]).sort(), ['a', 'b']);
  });

  it("'stored' shows .grad after backward (leaves only), 'compute' honours a seed", () => {
    const g = seed003();
    // the 'compute' drawing below runs backward through this graph again
    g.w.backward({ retainGraph: true });
    const stored = new Map([...records(toDot(g.w)).values()].map((f) => [f[0], f.slice(1)]));
    assert.deepEqual(stored.get('x'), ['data 1', 'grad 90']);
    assert.deepEqual(stored.get('a'), ['data 5', 'grad —']);
    const seeded = new Map([...records(toDot(g.w, { grads: 'compute', seed: 3 })).values()].map((f) => [f[0], f.slice(1)]));
    assert.deepEqual(seeded.get('x'), ['data 1', 'grad 270']);
    assert.deepEqual(seeded.get('b'), ['data 10', 'grad 15']);
    // computing did not touch the stored gradients
    assert.equal(g.x.grad?.item(), 90);
    const none = [...records(toDot(g.w, { grads: false })).values()];
    assert.ok(none.every((f) => f.length === 2));
  });

  it('summarizes matrices by shape and largest magnitude, labels operand order of @ and ÷', () => {
    const W = p([[1, -4.2, 2], [0.5, 1, 1]], 'W');
    const v = p([[1], [2], [3]], 'v');
    const h = W.matmul(v);
    const L = h.div(tensor(2, { dtype: 'float64', name: 'two' })).sum();
    L.name = 'L';
    const dot = toDot(L, { grads: 'compute' });
    const byName = new Map([...records(dot).values()].map((f) => [f[0], f.slice(1)]));
    // dL/dW = 1 v^T / 2 -> max 3/2
    assert.deepEqual(byName.get('W'), ['data 2×3, \\|x\\|max 4.2', 'grad 2×3, \\|g\\|max 1.5']);
    // L = (W v).sum()/2 = (-1.4 + 5.5)/2 = 2.05; dL/dv = W^T 1 / 2 -> max |(1+0.5)/2, (-4.2+1)/2, 3/2| = 1.6
    assert.deepEqual(byName.get('L'), ['data 2.05', 'grad 1']);
    assert.deepEqual(byName.get('v'), ['data 3×1, \\|x\\|max 3', 'grad 3×1, \\|g\\|max 1.6']);
    assert.deepEqual(byName.get('two'), ['data 2']);
    assert.match(dot, /label="@"/);
    assert.match(dot, /-> op\d+ \[label="1"\];\n.*-> op\d+ \[label="2"\];/);
    // inline shows small tensors' values
    const small = records(toDot(L, { grads: 'compute', inline: 6 }));
    assert.ok([...small.values()].some((f) => f[0] === 'W' && f[1] === 'data [1 -4.2 2; 0.5 1 1]'));
  });

  it('uses names from a problem record over tensor names, and escapes record syntax', () => {
    const q = tensor(2, { dtype: 'float64', requiresGrad: true });
    const r = q.mul(q);
    const dot = toDot(r, { names: { 'q|{x}': q, r }, grads: 'compute' });
    assert.match(dot, /label="\{ q\\\|\\\{x\\\} \| data 2 \| grad 4 \}"/);
    assert.match(dot, /label="\{ r \| data 4 \| grad 1 \}"/);
  });

  it('rejects what is not a tensor', () => {
    assert.throws(() => toDot([] as Tensor[]), /toDot: expected a tensor/);
  });
});

describe('formatNumber', () => {
  it('prints significant digits without trailing zeros', () => {
    assert.equal(formatNumber(90), '90');
    assert.equal(formatNumber(0.25), '0.25');
    assert.equal(formatNumber(1 / 3), '0.3333');
    assert.equal(formatNumber(-2 / 3, 3), '-0.667');
    assert.equal(formatNumber(1.5e-7), '1.5e-7');
    assert.equal(formatNumber(123456.7), '123457');
    assert.equal(formatNumber(2.5e9), '2.5e+9');
    assert.equal(formatNumber(Number.NaN), 'nan');
  });
});

describe('toMermaid', () => {
  it('seed 003 as a flowchart with every value node and round op nodes', () => {
    const m = toMermaid(seed003().w, { grads: 'compute' });
    assert.match(m, /^flowchart LR\n/);
    for (const [n, v, g] of [['x', 1, 90], ['y', 2, 20], ['z', 3, 20], ['a', 5, 20], ['b', 10, 5], ['w', 50, 1]]) {
      assert.match(m, new RegExp(`v\\d+\\["<b>${n}</b><br/>data ${v}<br/>grad ${g}"\\]`));
    }
    assert.equal(m.match(/op\d+\(\("×"\)\)/g)?.length, 3);
    assert.equal(m.match(/op\d+\(\("\+"\)\)/g)?.length, 2);
    assert.equal(m.match(/-->/g)?.length, 15);
  });
});

describe('toSvg', () => {
  it('lays out seed 003 with Graphviz (wasm) into well-formed SVG holding every label', async () => {
    const svg = await toSvg(seed003().w, { grads: 'compute', title: 'seed 003' });
    const { tags, texts } = parseXml(svg);
    assert.ok(tags.includes('svg'));
    const words = texts.map(xmlUnescape);
    for (const s of ['x', 'y', 'z', 'a', 'b', 'w', 'data 50', 'grad 90', 'grad 25', '+', '×', 'seed 003']) {
      assert.ok(words.includes(s), `missing text ${s}`);
    }
    assert.equal(tags.filter((t) => t === 'g').length > 10, true);
  });
});
