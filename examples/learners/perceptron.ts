/**
 * The perceptron: a Linear unit followed by the sign function, trained with Rosenblatt's rule
 *
 *   y = sign(w·x + b)            (sign(0) = +1, the textbook threshold)
 *   w ← w + η·(t - y)·x,  b ← b + η·(t - y)
 *
 * It converges on linearly separable data, and can never separate XOR or the inside and the
 * outside of a circle: a perceptron draws one straight line. Mapping each point to its
 * distance from the circle's centre makes the circle data separable (one threshold on a line).
 *
 * Run: node --conditions=source --import tsx examples/learners/perceptron.ts
 */
import { type Tensor, noGrad, nn, zeros } from 'chainrule';
import { circle, separable, xor } from './data.js';

/** Linear -> sign. The sign has no useful gradient, so it is trained by the perceptron rule, not by backprop. */
export class Perceptron extends nn.Module {
  linear: nn.Linear;
  act = new nn.Sign({ zero: 1 });

  constructor(inputs: number) {
    super();
    this.linear = new nn.Linear(inputs, 1).to('float64');
    noGrad(() => {
      nn.init.zeros(this.linear.weight);
      nn.init.zeros(this.linear.bias!);
    });
  }

  forward(x: Tensor): Tensor {
    return this.act.call(this.linear.call(x));
  }
}

export interface PerceptronRun {
  /** true when an epoch passed without a single mistake */
  converged: boolean;
  epochs: number;
  /** mistakes in each epoch */
  mistakesPerEpoch: number[];
  /** fewest points misclassified by the weights at the end of any epoch */
  bestErrors: number;
}

/** Number of points the perceptron classifies wrongly. */
export function errors(p: Perceptron, x: Tensor, t: Tensor): number {
  const y = noGrad(() => p.forward(x));
  let n = 0;
  for (let i = 0; i < t.size; i++) if (y.data[i] !== t.data[i]) n++;
  return n;
}

/**
 * Rosenblatt's rule, one example at a time, until an epoch has no mistakes or maxEpochs.
 * @example const p = new Perceptron(2); trainPerceptron(p, d.x, d.sign).converged
 */
export function trainPerceptron(p: Perceptron, x: Tensor, t: Tensor, opts: { lr?: number; maxEpochs?: number } = {}): PerceptronRun {
  const lr = opts.lr ?? 0.1;
  const maxEpochs = opts.maxEpochs ?? 100;
  const n = x.shape[0];
  const w = p.linear.weight.data;
  const b = p.linear.bias!.data;
  const mistakesPerEpoch: number[] = [];
  let bestErrors = n;
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    let mistakes = 0;
    for (let i = 0; i < n; i++) {
      const xi = x.index(i).unsqueeze(0);
      const y = noGrad(() => p.forward(xi)).item();
      const ti = t.data[i];
      if (y === ti) continue;
      mistakes++;
      // w ← w + η·(t - y)·x ; b ← b + η·(t - y)
      for (let j = 0; j < w.length; j++) w[j] += lr * (ti - y) * xi.data[j];
      b[0] += lr * (ti - y);
    }
    mistakesPerEpoch.push(mistakes);
    bestErrors = Math.min(bestErrors, errors(p, x, t));
    if (mistakes === 0) return { converged: true, epochs: epoch, mistakesPerEpoch, bestErrors: 0 };
  }
  return { converged: false, epochs: maxEpochs, mistakesPerEpoch, bestErrors };
}

/**
 * The feature map that makes the circle separable: each point's distance from the centre.
 * @example distanceFromCentre(tensor([[3, 4]], { dtype: 'float64' }), [0, 0]).toArray() // [[5]]
 */
export function distanceFromCentre(x: Tensor, centre: [number, number]): Tensor {
  const c = zeros([1, 2], { dtype: x.dtype });
  c.data.set(centre);
  return x.sub(c).square().sum(1, { keepdim: true }).sqrt();
}

/** The four runs the test checks and the script prints. */
export function demo(): Record<string, PerceptronRun> {
  const sep = separable(60, 1);
  const xo = xor();
  const circ = circle(120, 2);
  const runs: Record<string, PerceptronRun> = {};
  runs.separable = trainPerceptron(new Perceptron(2), sep.x, sep.sign);
  runs.xor = trainPerceptron(new Perceptron(2), xo.x, xo.sign, { maxEpochs: 50 });
  runs.circle = trainPerceptron(new Perceptron(2), circ.x, circ.sign, { maxEpochs: 50 });
  runs.circleByDistance = trainPerceptron(new Perceptron(1), distanceFromCentre(circ.x, [0.5, -0.5]), circ.sign, { maxEpochs: 200 });
  return runs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [name, r] of Object.entries(demo())) {
    console.log(`${name.padEnd(17)} ${r.converged ? `converged after ${r.epochs} epochs` : `no convergence in ${r.epochs} epochs`}; fewest errors ${r.bestErrors}`);
  }
}
