// The worked problems of seed 000, reproduced with the public tensor API only and compared with
// the independently computed answers in test/fixtures/seed-answers.json (copied from the seed sheets' fixtures).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type Tensor, noGrad, tensor } from 'chainrule';

const answers = JSON.parse(readFileSync(new URL('./fixtures/seed-answers.json', import.meta.url), 'utf8'));

function near(actual: number, expected: number, what: string, tol = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: got ${actual}, expected ${expected}`);
}

function nearAll(t: Tensor, expected: number[][], what: string): void {
  assert.deepEqual([...t.shape], [expected.length, expected[0].length], `${what} shape`);
  const got = t.toArray() as number[][];
  expected.forEach((row, i) => {
    row.forEach((v, j) => {
      near(got[i][j], v, `${what}[${i}][${j}]`);
    });
  });
}

describe('seed 000: dense network forward pass in matrix form', () => {
  const { inputs, values } = answers.seed000_dense_forward;
  const f64 = { dtype: 'float64' as const };
  it('computes Z1, A1, Zout, Aout with the bias broadcast over the batch', () => {
    const W1 = tensor(inputs.W1, f64);
    const b1 = tensor(inputs.b1, f64);
    const Wout = tensor(inputs.Wout, f64);
    const bout = tensor(inputs.bout, f64);
    const Ain = tensor(inputs.A_in, f64);
    const Z1 = W1.matmul(Ain).add(b1);
    const A1 = Z1.relu();
    const Zout = Wout.matmul(A1).add(bout);
    const Aout = Zout.relu();
    nearAll(Z1, values.Z1, 'Z1');
    nearAll(A1, values.A1, 'A1');
    nearAll(Zout, values.Zout, 'Zout');
    nearAll(Aout, values.Aout, 'Aout');
  });
});

describe('seed 000: Network N with upstream gradient dLoss/dx8 = 3', () => {
  const N = answers.seed000_network_N;
  const leaf = (v: number) => tensor(v, { dtype: 'float64', requiresGrad: true });
  const build = () => {
    const x = Object.fromEntries(Object.entries(N.inputs).map(([k, v]) => [k, leaf(v as number)]));
    const p = Object.fromEntries(Object.entries(N.params).map(([k, v]) => [k, leaf(v as number)]));
    const x5 = x.x1.sigmoid().retainGrad();
    const x6 = p.a.mul(x.x2).add(p.b.mul(x.x3)).add(p.c.mul(x.x2).mul(x.x3)).retainGrad();
    const x7 = x.x4.pow(2).add(p.d).retainGrad();
    const x8 = x6.exp().div(x5.exp().add(x6.exp()).add(x7.exp()));
    return { x, p, nodes: { x5, x6, x7, x8 } };
  };

  it('forward values x5..x8', () => {
    const { nodes } = build();
    for (const [k, v] of Object.entries(N.values)) near(nodes[k as keyof typeof nodes].item(), v as number, k);
  });

  it('every dLoss/dx_i and dLoss/da..dd', () => {
    const { x, p, nodes } = build();
    nodes.x8.backward(tensor(N.upstream_dLoss_dx8, { dtype: 'float64' }));
    const all: Record<string, Tensor> = { ...x, ...p, ...nodes };
    for (const [k, v] of Object.entries(N.grads_of_Loss)) {
      const g = all[k].grad;
      assert.ok(g, `${k} has a gradient`);
      near(g.item(), v as number, `dLoss/d${k}`);
    }
  });

  it('one SGD step with lr 0.1 gives the updated parameters', () => {
    const { p, nodes } = build();
    nodes.x8.backward(N.upstream_dLoss_dx8);
    noGrad(() => {
      for (const t of Object.values(p)) t.data.set(t.sub(t.grad!.mul(N.lr)).dataSync());
    });
    for (const [k, v] of Object.entries(N.updated)) near(p[k].item(), v as number, `updated ${k}`);
  });
});
