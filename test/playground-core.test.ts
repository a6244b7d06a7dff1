// The playground's model layer, in Node: the URL hash, the data sets and CSV input, the trainings
// the browser tests run, the problem file of step mode against the library's own gradient, and
// safetensors import that leaves the network alone when the file does not fit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derive, encodeSafetensors, indexSelect, parseProblem, solveProblem, tensor } from 'chainrule/browser';
import { CsvError, makeDataset, parseCsv, split } from '../playground/src/core/data.js';
import { Trainer } from '../playground/src/core/network.js';
import { problemName, problemYaml } from '../playground/src/core/problem.js';
import { DEFAULT_STATE, HashError, type State, fromHash, normalize, toHash } from '../playground/src/core/state.js';

function trainer(patch: Partial<State>): Trainer {
  const base = { ...DEFAULT_STATE, ...patch };
  const d = makeDataset(base.dataset as Exclude<State['dataset'], 'csv'>, base.noise, base.seed, base.classes);
  const st = normalize(base, d.classes, d.classes === 0).state;
  const sp = split(d.points, st.ratio, st.seed);
  return new Trainer(st, sp.train, sp.test, Math.max(2, d.classes), d.classes === 0);
}

function trainUntil(t: Trainer, done: (t: Trainer) => boolean, max: number): number {
  for (let e = 0; e < max; e++) {
    if (done(t)) return e;
    t.trainEpoch();
  }
  return done(t) ? max : -1;
}

describe('playground state in the URL hash', () => {
  it('round-trips every key', () => {
    const s: State = { ...DEFAULT_STATE, dataset: 'spiral', features: ['x1', 'x2', 'dist'], layers: [8, 8, 3], activations: ['relu', 'tanh', 'sigmoid', 'linear'], loss: 'ce', optimizer: 'adam', lr: 0.003, reg: 'l2', regRate: 0.01, noise: 15, ratio: 70, batch: 5, seed: 42, dropout: 0.2, classes: 3 };
    assert.deepEqual(fromHash(toHash(s), DEFAULT_STATE), s);
  });

  it('names an unknown key or an out-of-range value', () => {
    assert.throws(() => fromHash('dataset=xor&colour=red', DEFAULT_STATE), (e: Error) => e instanceof HashError && /unknown key "colour"/.test(e.message));
    assert.throws(() => fromHash('lr=100', DEFAULT_STATE), /lr=100 is out of range/);
    assert.throws(() => fromHash('layers=4,9', DEFAULT_STATE), /layers=9 is out of range \(an integer from 1 to 8\)/);
    assert.throws(() => fromHash('layers=1,1,1,1,1,1,1', DEFAULT_STATE), /7 hidden layers \(at most 6\)/);
    assert.throws(() => fromHash('dataset=moons', DEFAULT_STATE), /dataset=moons is not one of circle, xor/);
    assert.throws(() => fromHash('activation=tanh,relu&layers=4,4', DEFAULT_STATE), /lists 2 activations; give one, or one per hidden layer plus the output \(3\)/);
  });
});

describe('playground data', () => {
  it('the same seed gives the same points', () => {
    assert.deepEqual(makeDataset('spiral', 10, 3, 2), makeDataset('spiral', 10, 3, 2));
    assert.notDeepEqual(makeDataset('spiral', 10, 3, 2).points, makeDataset('spiral', 10, 4, 2).points);
  });

  it('reads a CSV of x, y, label, with or without a header', () => {
    const d = parseCsv('x,y,label\n1,2,3\n-1,0.5,7\n2,2,3\n');
    assert.equal(d.classes, 2);
    assert.deepEqual(d.classNames, [3, 7]);
    assert.deepEqual(
      d.points.map((p) => p.label),
      [0, 1, 0],
    );
    assert.equal(parseCsv('1,2,0.5\n3,4,0.25').classes, 0, 'real labels: regression');
  });

  it('names the row and column of a bad CSV', () => {
    const bad: [string, RegExp][] = [
      ['x,y,label\n1,2,0\n3,,1\n', /row 3, column 2 \(y\) is missing/],
      ['x,y,label\n1,2,0\n3,abc,1\n', /row 3, column 2 \(y\) is not a number: "abc"/],
      ['x,y,label\n1,2,0\n3,4\n', /row 3, column 3 \(label\) is missing/],
      ['a,b,c,label\n1,2,3,0\n4,5,6,1\n', /row 1 has 4 columns; the playground takes two feature columns and a label/],
      ['x,y,label\n1,2,1\n3,4,1\n', /every row has label 1; a classifier needs at least two classes/],
    ];
    for (const [text, re] of bad) assert.throws(() => parseCsv(text), (e: Error) => e instanceof CsvError && re.test(e.message), text);
  });
});

describe('playground trainings (the browser tests run the same)', () => {
  it('XOR with a 2-2-1 tanh network reaches 100% train accuracy', () => {
    const t = trainer({ dataset: 'xor', layers: [2], activations: ['tanh', 'tanh'], seed: 2, lr: 0.1 });
    assert.ok(trainUntil(t, (x) => x.accuracy(x.train) === 1, 100) >= 0);
  });

  it('circle: one linear unit on X1, X2 stays near 50%; with the distance feature it passes 95%', () => {
    const flat = trainer({ dataset: 'circle', layers: [], activations: ['linear'] });
    for (let e = 0; e < 100; e++) flat.trainEpoch();
    const acc = flat.accuracy(flat.train);
    assert.ok(acc > 0.3 && acc < 0.75, `accuracy ${acc}`);
    const dist = trainer({ dataset: 'circle', layers: [], activations: ['linear'], features: ['x1', 'x2', 'dist'] });
    assert.ok(trainUntil(dist, (x) => x.accuracy(x.train) > 0.95, 300) >= 0);
  });
});

describe('playground step mode: the problem file', () => {
  const cases: Partial<State>[] = [
    { dataset: 'xor', layers: [2], activations: ['tanh', 'tanh'], reg: 'l2', regRate: 0.01 },
    { dataset: 'circle', layers: [3, 2], activations: ['relu', 'sigmoid', 'linear'], features: ['x1', 'x2', 'x1sq', 'sinx2', 'dist'], reg: 'l1', regRate: 0.003 },
    { dataset: 'gauss', layers: [4], activations: ['tanh', 'tanh'], loss: 'bce' },
    { dataset: 'spiral', classes: 3, layers: [5], activations: ['tanh', 'tanh'], loss: 'ce' },
  ];
  for (const c of cases) {
    it(`solves to the library's gradients (${c.dataset}, ${c.loss ?? 'mse'}, ${c.layers?.join('-')})`, () => {
      const t = trainer(c);
      t.trainEpoch();
      const i = 5;
      const ex = t.exampleTrace(i);
      const yaml = problemYaml({ state: t.state, weights: t.weights(), features: ex.features, target: ex.target, index: i, dataset: String(c.dataset) });
      const dv = derive(solveProblem(parseProblem(yaml, 'playground.yaml')));
      // the library itself: the same modules, loss and penalty on the same example
      const idx = tensor([i], { dtype: 'int32' });
      t.net.eval();
      const loss = t.objective(indexSelect(t.train.x, 0, idx), indexSelect(t.train.t, 0, idx));
      for (const p of t.net.parameters()) p.grad = null;
      loss.backward();
      assert.ok(Math.abs((dv.values.L as number) - loss.item()) < 1e-12, `loss ${dv.values.L} vs ${loss.item()}`);
      for (const [name, p] of t.net.namedParameters()) {
        const mine = (dv.grads[problemName(name)] as number[][]).flat(2) as number[];
        const lib = Array.from(p.grad?.data as Float64Array);
        assert.equal(mine.length, lib.length, name);
        for (const [k, v] of mine.entries()) assert.ok(Math.abs(v - lib[k]) < 1e-12, `${name}[${k}]: ${v} vs ${lib[k]}`);
      }
    });
  }
});

describe('playground safetensors', () => {
  it('round-trips the weights, and refuses another architecture or a corrupt file with the network unchanged', () => {
    const a = trainer({ layers: [3] , activations: ['tanh', 'tanh'] });
    a.trainEpoch();
    const bytes = a.exportSafetensors();
    const b = trainer({ layers: [3], activations: ['tanh', 'tanh'], seed: 9 });
    b.importSafetensors(bytes);
    assert.deepEqual(b.weights(), a.weights());
    const before = b.weights();
    const other = trainer({ layers: [4], activations: ['tanh', 'tanh'] }).exportSafetensors();
    assert.throws(() => b.importSafetensors(other), /tensor fc\.0\.weight has shape \[4, 2\] in the file, the network's is \[3, 2\]/);
    assert.throws(() => b.importSafetensors(bytes.slice(0, 20)), /safetensors/);
    assert.throws(() => b.importSafetensors(encodeSafetensors({ w: tensor([1]) })), /no tensor fc\.0\.weight/);
    assert.deepEqual(b.weights(), before);
  });
});
