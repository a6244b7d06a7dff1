import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Generator, type Tensor, nn, zeros } from 'chainrule';

const { init } = nn;
const f64 = { dtype: 'float64' as const };

function stats(t: Tensor): { mean: number; variance: number; maxAbs: number } {
  const d = Array.from(t.data);
  const mean = d.reduce((a, v) => a + v, 0) / d.length;
  const variance = d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length;
  return { mean, variance, maxAbs: Math.max(...d.map(Math.abs)) };
}

test('gains and fans follow PyTorch', () => {
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('relu'), Math.SQRT2);
  assert.equal(init.calculateGain('leakyRelu', 0.2), Math.sqrt(2 / 1.04));
  assert.equal(init.calculateGain('sigmoid'), 1);
  assert.deepEqual(init.calculateFans(zeros([6, 4, 3])), [12, 18]);
});

test('uniform, normal, constant, zeros, ones fill in place from the generator', () => {
  const t = zeros([20000], f64);
  assert.equal(init.uniform(t, -2, 2, { generator: new Generator(1) }), t);
  const u = stats(t);
  assert.ok(u.maxAbs <= 2 && Math.abs(u.variance - 16 / 12) < 0.05);
  init.normal(t, 1, 0.5, { generator: new Generator(2) });
  const n = stats(t);
  assert.ok(Math.abs(n.mean - 1) < 0.02 && Math.abs(n.variance - 0.25) < 0.01);
  assert.deepEqual(Array.from(init.constant(zeros([2]), 0.5).data), [0.5, 0.5]);
  assert.deepEqual(Array.from(init.ones(zeros([2])).data), [1, 1]);
  const a = init.normal(zeros([5]), 0, 1, { generator: new Generator(9) });
  const b = init.normal(zeros([5]), 0, 1, { generator: new Generator(9) });
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
});

test('xavier and kaiming variances match their formulas', () => {
  const w = zeros([200, 300], f64);
  init.xavierUniform(w, 1, { generator: new Generator(3) });
  assert.ok(stats(w).maxAbs <= Math.sqrt(6 / 500));
  assert.ok(Math.abs(stats(w).variance - 2 / 500) < 0.05 * (2 / 500));
  init.xavierNormal(w, 2, { generator: new Generator(4) });
  assert.ok(Math.abs(stats(w).variance - (4 * 2) / 500) < 0.05 * (8 / 500));
  init.kaimingNormal(w, { mode: 'fanOut', nonlinearity: 'relu', generator: new Generator(5) });
  assert.ok(Math.abs(stats(w).variance - 2 / 200) < 0.05 * (2 / 200));
  init.kaimingUniform(w, { a: Math.sqrt(5), generator: new Generator(6) });
  const bound = 1 / Math.sqrt(300);
  assert.ok(stats(w).maxAbs <= bound && stats(w).maxAbs > 0.99 * bound);
});

test('orthogonal gives orthonormal rows or columns, scaled by gain', () => {
  for (const [r, c] of [
    [4, 4],
    [6, 3],
    [3, 7],
  ]) {
    const w = init.orthogonal(zeros([r, c], f64), 2, { generator: new Generator(r * 10 + c) });
    const m = w.toArray() as number[][];
    // the smaller Gram matrix is 4·I
    const small = Math.min(r, c);
    for (let i = 0; i < small; i++) {
      for (let j = 0; j < small; j++) {
        let s = 0;
        if (r >= c) for (let k = 0; k < r; k++) s += m[k][i] * m[k][j];
        else for (let k = 0; k < c; k++) s += m[i][k] * m[j][k];
        assert.ok(Math.abs(s - (i === j ? 4 : 0)) < 1e-12, `[${r},${c}] gram ${i},${j} = ${s}`);
      }
    }
  }
});
