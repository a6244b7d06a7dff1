/**
 * Logistic regression versus a sigmoid perceptron (seed 002, question 3). Both compute
 * o = σ(w·x + b), the same formula; they differ in the loss, and so in the update rule:
 *
 *   sigmoid perceptron, squared error E = 1/2·(t - o)²:
 *     w ← w + η·o·(1 - o)·(t - o)·x
 *   logistic regression, cross-entropy L = -(t·ln o + (1 - t)·ln(1 - o)):
 *     w ← w + η·(t - o)·x
 *
 * Same data, same initial weights, same optimizer (plain SGD, one example at a time): the
 * weights come out different. The loop below does not hand-code either rule; autograd derives
 * them from the losses, and the test checks one step of each against the formulas above.
 *
 * Run: node --conditions=source --import tsx examples/learners/logistic-vs-perceptron.ts
 */
import { F, Generator, type Tensor, nn, noGrad, optim, tensor } from 'chainrule';

/** Two overlapping Gaussian blobs: class 1 around (1, 1), class 0 around (-1, -0.5). */
export function blobs(n: number, seed: number): { x: Tensor; t: Tensor } {
  const g = new Generator(seed);
  const pts: number[][] = [];
  const ts: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    pts.push(c ? [1 + g.normal(), 1 + g.normal()] : [-1 + g.normal(), -0.5 + g.normal()]);
    ts.push([c]);
  }
  return { x: tensor(pts, { dtype: 'float64' }), t: tensor(ts, { dtype: 'float64' }) };
}

export type Criterion = 'squaredError' | 'crossEntropy';

/** σ(w·x + b): the model both learners share. */
export function sigmoidUnit(): nn.Sequential {
  const unit = new nn.Sequential(new nn.Linear(2, 1), new nn.Sigmoid()).to('float64');
  noGrad(() => {
    unit.at(0).loadStateDict({ weight: tensor([[0.1, -0.2]], { dtype: 'float64' }), bias: tensor([0.05], { dtype: 'float64' }) });
  });
  return unit;
}

/** The loss of one example for each learner. */
export function lossOf(criterion: Criterion, o: Tensor, t: Tensor): Tensor {
  return criterion === 'squaredError' ? F.sse(o, t) : F.bceLoss(o, t, { reduction: 'sum' });
}

/** Stochastic gradient descent over the examples in order, `epochs` times. Returns the trained unit. */
export function train(criterion: Criterion, x: Tensor, t: Tensor, opts: { lr?: number; epochs?: number } = {}): nn.Sequential {
  const unit = sigmoidUnit();
  const opt = new optim.SGD(unit.parameters(), { lr: opts.lr ?? 0.1 });
  for (let e = 0; e < (opts.epochs ?? 20); e++) {
    for (let i = 0; i < x.shape[0]; i++) {
      const o = unit.forward(x.index([i, i + 1]));
      const loss = lossOf(criterion, o, t.index([i, i + 1]));
      opt.zeroGrad();
      loss.backward();
      opt.step();
    }
  }
  return unit;
}

/** [w1, w2, b] of a trained unit. */
export function weightsOf(unit: nn.Sequential): number[] {
  const lin = unit.at(0) as nn.Linear;
  return [...Array.from(lin.weight.data), lin.bias!.data[0]];
}

/** Accuracy of o > 0.5 against the 0/1 targets. */
export function accuracy(unit: nn.Sequential, x: Tensor, t: Tensor): number {
  const o = noGrad(() => unit.forward(x));
  let ok = 0;
  for (let i = 0; i < t.size; i++) if (o.data[i] > 0.5 === (t.data[i] === 1)) ok++;
  return ok / t.size;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { x, t } = blobs(100, 3);
  for (const c of ['squaredError', 'crossEntropy'] as const) {
    const unit = train(c, x, t);
    console.log(`${c.padEnd(13)} w1, w2, b = ${weightsOf(unit).map((v) => v.toFixed(4)).join(', ')}; accuracy ${accuracy(unit, x, t)}`);
  }
}
