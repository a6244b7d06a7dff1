/**
 * Regression with Linear -> 5·ReLU -> Linear and the mean squared error (seed 003, part 1.2),
 * trained with the five PyTorch steps: forward, loss, zeroGrad, backward, step.
 *
 *   z1 = W1 x + b1,  z2 = 5·ReLU(z1),  ŷ = W2 z2 + b2,  ℓ = mean((ŷ - y)²)
 *
 * Run: node --conditions=source --import tsx examples/learners/regression.ts
 */
import { Generator, type Tensor, manualSeed, nn, noGrad, optim, tensor } from 'chainrule';

/** y = sin(x) + small noise on [-3, 3]: [n, 1] inputs and targets. */
export function wave(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const xs = Array.from({ length: n }, (_, i) => -3 + (6 * i) / (n - 1));
  return {
    x: tensor(
      xs.map((v) => [v]),
      { dtype: 'float64' },
    ),
    y: tensor(
      xs.map((v) => [Math.sin(v) + 0.05 * g.normal()]),
      { dtype: 'float64' },
    ),
  };
}

export function regressionModel(hidden = 32): nn.Sequential {
  return new nn.Sequential(new nn.Linear(1, hidden), new nn.Scale(5, new nn.ReLU()), new nn.Linear(hidden, 1)).to('float64');
}

/** Full-batch SGD with momentum; returns the model and the loss of every epoch. */
export function fitRegression(seed = 0, epochs = 600): { model: nn.Sequential; losses: number[]; x: Tensor; y: Tensor } {
  manualSeed(seed);
  const { x, y } = wave(64, seed);
  const model = regressionModel();
  const lossFn = new nn.MSELoss();
  const opt = new optim.SGD(model.parameters(), { lr: 0.005, momentum: 0.9 });
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const out = model.forward(x); // 1. forward
    const loss = lossFn.forward(out, y); // 2. loss
    opt.zeroGrad(); // 3. zero the gradients
    loss.backward(); // 4. backward
    opt.step(); // 5. update
    losses.push(loss.item());
  }
  return { model, losses, x, y };
}

/** Mean squared error of a model on (x, y). */
export function mse(model: nn.Sequential, x: Tensor, y: Tensor): number {
  return noGrad(() => model.forward(x).sub(y).square().mean().item());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { model, losses } = fitRegression();
  console.log(model.toString());
  console.log(`MSE ${losses[0].toFixed(4)} -> ${losses[losses.length - 1].toFixed(4)} after ${losses.length} epochs`);
}
