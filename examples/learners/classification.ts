/**
 * Classification with one hidden layer (seed 003, part 1.3): Linear -> f -> Linear -> σ on
 * three concentric rings with one-hot targets, first with f = tanh and the mean squared error,
 * then with binary cross-entropy, then with ReLU hidden units.
 *
 *   MSE:  ∂ℓ/∂ŷ = 2(ŷ - y)/N and ∂ŷ/∂z3 = σ(z3)(1 - σ(z3)): the gradient fades when σ saturates
 *   BCE:  the σ' factor cancels, ∂ℓ/∂z3 = (ŷ - y)/N, so wrong confident outputs still learn fast
 *
 * Run: node --conditions=source --import tsx examples/learners/classification.ts
 */
import { type Tensor, manualSeed, nn, noGrad, optim } from 'chainrule';
import { rings } from './data.js';

export type Hidden = 'tanh' | 'relu';
export type Loss = 'mse' | 'bce';

export function classifier(hidden: Hidden, width = 16): nn.Sequential {
  const act = hidden === 'tanh' ? new nn.Tanh() : new nn.ReLU();
  return new nn.Sequential(new nn.Linear(2, width), act, new nn.Linear(width, 3), new nn.Sigmoid()).to('float64');
}

export interface ClassificationRun {
  hidden: Hidden;
  loss: Loss;
  losses: number[];
  trainAccuracy: number;
  testAccuracy: number;
}

/** Fraction of points whose largest output is their ring. */
export function accuracy(model: nn.Sequential, x: Tensor, labels: number[]): number {
  const pred = noGrad(() => model.forward(x)).argmax(1);
  let ok = 0;
  labels.forEach((k, i) => {
    if (pred.data[i] === k) ok++;
  });
  return ok / labels.length;
}

/** Trains one configuration with full-batch SGD (momentum 0.9) from the same seed. */
export function fitClassifier(hidden: Hidden, loss: Loss, opts: { seed?: number; epochs?: number; lr?: number } = {}): ClassificationRun {
  manualSeed(opts.seed ?? 0);
  const train = rings(150, 11);
  const test = rings(150, 12);
  const model = classifier(hidden);
  const lossFn = loss === 'mse' ? new nn.MSELoss() : new nn.BCELoss();
  const opt = new optim.SGD(model.parameters(), { lr: opts.lr ?? (loss === 'mse' ? 2 : 0.5), momentum: 0.9 });
  const losses: number[] = [];
  for (let e = 0; e < (opts.epochs ?? 400); e++) {
    const l = lossFn.forward(model.forward(train.x), train.onehot);
    opt.zeroGrad();
    l.backward();
    opt.step();
    losses.push(l.item());
  }
  return { hidden, loss, losses, trainAccuracy: accuracy(model, train.x, train.labels), testAccuracy: accuracy(model, test.x, test.labels) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [h, l] of [
    ['tanh', 'mse'],
    ['tanh', 'bce'],
    ['relu', 'bce'],
  ] as const) {
    const r = fitClassifier(h, l);
    console.log(
      `${h} + ${l}: loss ${r.losses[0].toFixed(4)} -> ${r.losses[r.losses.length - 1].toFixed(4)}, train accuracy ${r.trainAccuracy.toFixed(3)}, test accuracy ${r.testAccuracy.toFixed(3)}`,
    );
  }
}
