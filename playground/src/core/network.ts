// The playground's model, built from chainrule's own modules, losses and optimizers: Linear
// layers with an activation module each, Dropout, F's losses, optim.SGD/Adam, and for threshold
// units the perceptron rule written with tensor ops. The worker trains it; the tests run it in Node.
import { F, Generator, type Tensor, cat, decodeSafetensors, encodeSafetensors, indexSelect, manualSeed, nn, noGrad, optim, tensor } from 'chainrule/browser';
import { EXTENT, type Point } from './data.js';
import { type Activation, FEATURES, type FeatureName, type State } from './state.js';

/** How each feature is computed from x1, x2 (columns [N, 1]). */
export const FEATURE_OPS: Record<FeatureName, (x1: Tensor, x2: Tensor) => Tensor> = {
  x1: (a) => a,
  x2: (_, b) => b,
  x1sq: (a) => a.square(),
  x2sq: (_, b) => b.square(),
  x1x2: (a, b) => a.mul(b),
  sinx1: (a) => a.sin(),
  sinx2: (_, b) => b.sin(),
  dist: (a, b) => a.square().add(b.square()).sqrt(),
};

/**
 * The feature matrix [N, F] (float64) of points, one column per chosen feature.
 * @example featureMatrix([{ x: 3, y: 4, label: 0 }], ['dist']).toArray() // [[5]]
 */
export function featureMatrix(xy: readonly { x: number; y: number }[], features: readonly FeatureName[]): Tensor {
  const x1 = tensor(
    xy.map((p) => [p.x]),
    { dtype: 'float64' },
  );
  const x2 = tensor(
    xy.map((p) => [p.y]),
    { dtype: 'float64' },
  );
  return noGrad(() => cat(
    features.map((f) => FEATURE_OPS[f](x1, x2)),
    1,
  ));
}

/** Targets of the MSE read-out: 0/1 for sigmoid and step outputs, else -1/+1. */
export const zeroOne = (act: Activation) => act === 'sigmoid' || act === 'step';

/** The target a point's label gives, as the loss reads it. */
export function targetOf(s: State, label: number, regression: boolean): number {
  if (regression || s.loss !== 'mse') return label;
  return zeroOne(s.activations[s.activations.length - 1]) ? label : label === 1 ? 1 : -1;
}

/** An activation module of the library: one Tensor in, one out. */
type ActivationModule = nn.Module & { forward(x: Tensor): Tensor };

function activationModule(a: Activation): ActivationModule | null {
  switch (a) {
    case 'tanh':
      return new nn.Tanh();
    case 'relu':
      return new nn.ReLU();
    case 'sigmoid':
      return new nn.Sigmoid();
    case 'sign':
      return new nn.Sign({ zero: 1 });
    case 'step':
      return new nn.Step();
    case 'linear':
      return null;
  }
}

/** What one forward pass computed, layer by layer: pre-activations and activations. */
export interface Trace {
  z: Tensor[];
  a: Tensor[];
  /** the network's output: the read-out for MSE, the logits for BCE and CE */
  out: Tensor;
}

/** Linear layers fc.0 … fc.L (weight [out, in] as PyTorch), each followed by its activation and, in hidden layers, dropout. */
export class PlaygroundNet extends nn.Module {
  fc: nn.Linear[];
  acts: (ActivationModule | null)[];
  drops: nn.Dropout[];

  constructor(inputs: number, hidden: readonly number[], outputs: number, activations: readonly Activation[], readonly readOut: boolean, dropout: number, generator: Generator) {
    super();
    const sizes = [inputs, ...hidden, outputs];
    this.fc = sizes.slice(1).map((n, i) => new nn.Linear(sizes[i], n).to('float64'));
    this.acts = activations.map(activationModule);
    this.drops = hidden.map(() => new nn.Dropout(dropout, { generator }));
  }

  /** Every layer's z and a (a is the identity for linear units and for logits). */
  trace(x: Tensor): Trace {
    const z: Tensor[] = [];
    const a: Tensor[] = [];
    let h = x;
    const last = this.fc.length - 1;
    this.fc.forEach((fc, i) => {
      const zi = fc.forward(h);
      z.push(zi);
      const act = this.acts[i];
      let ai = i === last && !this.readOut ? zi : act ? act.forward(zi) : zi;
      a.push(ai);
      if (i < last) ai = this.drops[i].forward(ai);
      h = ai;
    });
    return { z, a, out: a[last] };
  }

  forward(x: Tensor): Tensor {
    return this.trace(x).out;
  }
}

export interface Encoded {
  x: Tensor;
  /** [N, 1] float64 targets (MSE, BCE) or [N] int32 classes (CE) */
  t: Tensor;
  labels: number[];
}

export interface Metrics {
  trainLoss: number;
  testLoss: number;
  /** fraction of points classified right (NaN for regression) */
  trainAccuracy: number;
  testAccuracy: number;
}

/** The per-neuron outputs on a grid over the square, for the heat maps. */
export interface HeatMaps {
  size: number;
  /** every feature's values over the grid (the chosen ones and the others), [size*size, 8] in FEATURES order */
  inputs: Float32Array;
  /** per layer, [size*size, neurons] row-major (layer L is the output: a value in [-1, 1] or class probabilities) */
  layers: Float32Array[];
}

export const GRID = 32;

/**
 * One run: the data split, the network and its optimizer. The same state and seed give the same
 * run: weights from manualSeed(seed), batches from a Generator of their own.
 */
export class Trainer {
  readonly net: PlaygroundNet;
  readonly train: Encoded;
  readonly test: Encoded;
  readonly outputs: number;
  private opt: optim.Optimizer | null;
  private readonly batchGen: Generator;
  epoch = 0;
  steps = 0;
  readonly history: { train: number; test: number }[] = [];
  /** the mean gradient of the last batch, per parameter name */
  lastGrads: Map<string, Float64Array> = new Map();

  constructor(
    readonly state: State,
    readonly trainPoints: readonly Point[],
    readonly testPoints: readonly Point[],
    readonly classes: number,
    readonly regression: boolean,
  ) {
    manualSeed(state.seed);
    this.outputs = state.loss === 'ce' ? classes : 1;
    this.net = new PlaygroundNet(state.features.length, state.layers, this.outputs, state.activations, state.loss === 'mse', state.dropout, new Generator(state.seed + 2));
    this.batchGen = new Generator(state.seed + 1);
    this.train = this.encode(trainPoints);
    this.test = this.encode(testPoints);
    const params = this.net.parameters();
    this.opt =
      state.optimizer === 'perceptron'
        ? null
        : state.optimizer === 'adam'
          ? new optim.Adam(params, { lr: state.lr })
          : new optim.SGD(params, { lr: state.lr, momentum: state.optimizer === 'momentum' ? 0.9 : 0 });
    this.history.push(this.currentLosses());
  }

  encode(points: readonly Point[]): Encoded {
    const labels = points.map((p) => p.label);
    const x = featureMatrix(points, this.state.features);
    const t =
      this.state.loss === 'ce'
        ? tensor(Int32Array.from(labels), { dtype: 'int32' })
        : tensor(
            labels.map((l) => [targetOf(this.state, l, this.regression)]),
            { dtype: 'float64' },
          );
    return { x, t, labels };
  }

  /** The data loss of outputs against targets: MSE of the read-out, BCE of the logit, or softmax cross-entropy. */
  dataLoss(out: Tensor, t: Tensor): Tensor {
    if (this.state.loss === 'bce') return F.bceWithLogitsLoss(out, t);
    if (this.state.loss === 'ce') return F.crossEntropy(out, t);
    return F.mseLoss(out, t);
  }

  /** λ·Σ‖W‖² (L2) or λ·Σ‖W‖₁ (L1) over the weights, biases excluded; null without regularisation. */
  penalty(): Tensor | null {
    const { reg, regRate } = this.state;
    if (reg === 'none' || regRate === 0) return null;
    let total: Tensor | null = null;
    for (const fc of this.net.fc) {
      const term = reg === 'l2' ? fc.weight.square().sum() : fc.weight.abs().sum();
      total = total ? total.add(term) : term;
    }
    return (total as Tensor).mul(regRate);
  }

  /** The training objective of a batch: data loss plus the penalty. */
  objective(x: Tensor, t: Tensor): Tensor {
    const loss = this.dataLoss(this.net.forward(x), t);
    const p = this.penalty();
    return p ? loss.add(p) : loss;
  }

  private batch(e: Encoded, idx: Int32Array): { x: Tensor; t: Tensor } {
    const i = tensor(idx, { dtype: 'int32' });
    return { x: indexSelect(e.x, 0, i), t: indexSelect(e.t, 0, i) };
  }

  /** One pass over the training set in shuffled mini-batches. */
  trainEpoch(): void {
    const n = this.train.labels.length;
    const perm = this.batchGen.permutation(n);
    const bs = this.state.batch;
    this.net.train();
    for (let s = 0; s < n; s += bs) {
      const { x, t } = this.batch(this.train, perm.subarray(s, Math.min(n, s + bs)));
      if (this.opt) {
        const loss = this.objective(x, t);
        this.opt.zeroGrad();
        loss.backward();
        this.opt.step();
      } else this.perceptronStep(x, t);
      this.steps++;
    }
    this.epoch++;
    this.lastGrads = new Map(this.net.namedParameters().map(([name, p]) => [name, Float64Array.from(p.grad?.data ?? new Float64Array(p.size))]));
    this.history.push(this.currentLosses());
  }

  /** Rosenblatt's rule for a single layer of threshold units, on a batch: W ← W + η·(t − y)ᵀx, b ← b + η·Σ(t − y). */
  perceptronStep(x: Tensor, t: Tensor): void {
    const fc = this.net.fc[0];
    noGrad(() => {
      const y = this.net.forward(x);
      const d = t.sub(y).mul(this.state.lr);
      fc.weight.data.set(fc.weight.add(d.T.matmul(x)).data);
      if (fc.bias) fc.bias.data.set(fc.bias.add(d.sum(0)).data);
    });
  }

  /** Data losses (without the penalty) on the train and test sets, in eval mode. */
  currentLosses(): { train: number; test: number } {
    this.net.eval();
    const lossOf = (e: Encoded) => (e.labels.length ? noGrad(() => this.dataLoss(this.net.forward(e.x), e.t)).item() : Number.NaN);
    const out = { train: lossOf(this.train), test: lossOf(this.test) };
    this.net.train();
    return out;
  }

  /** The class each point of a set is given (argmax, or the side of the threshold). */
  predictClasses(x: Tensor): number[] {
    this.net.eval();
    const out = noGrad(() => this.net.forward(x));
    this.net.train();
    const n = out.shape[0];
    const d = out.data;
    if (this.state.loss === 'ce') {
      const k = out.shape[1];
      return Array.from({ length: n }, (_, i) => {
        let best = 0;
        for (let c = 1; c < k; c++) if (d[i * k + c] > d[i * k + best]) best = c;
        return best;
      });
    }
    const threshold = this.state.loss === 'bce' ? 0 : zeroOne(this.state.activations[this.state.activations.length - 1]) ? 0.5 : 0;
    return Array.from(d, (v) => (v > threshold ? 1 : 0));
  }

  accuracy(e: Encoded): number {
    if (this.regression || e.labels.length === 0) return Number.NaN;
    const p = this.predictClasses(e.x);
    return p.filter((c, i) => c === e.labels[i]).length / p.length;
  }

  metrics(): Metrics {
    const last = this.history[this.history.length - 1];
    return { trainLoss: last.train, testLoss: last.test, trainAccuracy: this.accuracy(this.train), testAccuracy: this.accuracy(this.test) };
  }

  /** Every neuron's output over a size × size grid of the square (for the heat maps). */
  heatMaps(size = GRID): HeatMaps {
    const pts: { x: number; y: number }[] = [];
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) pts.push({ x: -EXTENT + ((c + 0.5) / size) * 2 * EXTENT, y: EXTENT - ((r + 0.5) / size) * 2 * EXTENT });
    }
    this.net.eval();
    const x = featureMatrix(pts, this.state.features);
    const tr = noGrad(() => this.net.trace(x));
    this.net.train();
    const layers = tr.a.map((a, i) => {
      if (i < tr.a.length - 1) return Float32Array.from(a.data as Float64Array);
      return Float32Array.from(noGrad(() => this.readOutOf(a)).data as Float64Array);
    });
    return { size, inputs: Float32Array.from(featureMatrix(pts, FEATURES).data as Float64Array), layers };
  }

  /** The output as the heat map shows it: a value in [-1, 1] (2p − 1 for BCE), or the softmax for CE. */
  readOutOf(out: Tensor): Tensor {
    if (this.state.loss === 'ce') return out.softmax(1);
    if (this.state.loss === 'bce') return out.sigmoid().mul(2).sub(1);
    if (zeroOne(this.state.activations[this.state.activations.length - 1])) return out.mul(2).sub(1);
    return out;
  }

  /** One example's forward pass, for the hover formulas: its features and each layer's z and a. */
  exampleTrace(index: number): { features: number[]; z: number[][]; a: number[][]; target: number } {
    const i = Math.max(0, Math.min(this.train.labels.length - 1, index));
    const x = indexSelect(this.train.x, 0, tensor([i], { dtype: 'int32' }));
    this.net.eval();
    const tr = noGrad(() => this.net.trace(x));
    this.net.train();
    const t = this.train.t.data[i] as number;
    return { features: Array.from(x.data as Float64Array), z: tr.z.map((z) => Array.from(z.data as Float64Array)), a: tr.a.map((a) => Array.from(a.data as Float64Array)), target: t };
  }

  /** The parameters by name (fc.0.weight ...), as plain arrays. */
  weights(): { name: string; shape: number[]; data: Float64Array }[] {
    return this.net.namedParameters().map(([name, p]) => ({ name, shape: [...p.shape], data: Float64Array.from(p.data as Float64Array) }));
  }

  /** The weights as a safetensors file (names fc.0.weight, fc.0.bias, ...; float64). */
  exportSafetensors(): Uint8Array {
    const sd: Record<string, Tensor> = {};
    for (const [name, p] of this.net.namedParameters()) sd[name] = p.detach();
    return encodeSafetensors(sd, { format: 'chainrule-playground', features: this.state.features.join(','), layers: this.state.layers.join(','), activations: this.state.activations.join(',') });
  }

  /**
   * Loads weights from safetensors bytes of the same architecture. Every tensor is checked before
   * any is copied, so a bad file leaves the network as it was; the error names the tensor and both shapes.
   */
  importSafetensors(bytes: Uint8Array): void {
    const { tensors } = decodeSafetensors(bytes, 'safetensors');
    const params = this.net.namedParameters();
    const names = new Set(params.map(([n]) => n));
    for (const [name, p] of params) {
      const t = tensors[name];
      if (!t) throw new Error(`safetensors: the file has no tensor ${name} (it has ${Object.keys(tensors).join(', ') || 'none'}); the network needs ${[...names].join(', ')}`);
      if (t.shape.join() !== p.shape.join()) throw new Error(`safetensors: tensor ${name} has shape [${t.shape.join(', ')}] in the file, the network's is [${p.shape.join(', ')}]`);
      if (t.dtype !== 'float64' && t.dtype !== 'float32') throw new Error(`safetensors: tensor ${name} is ${t.dtype}; expected float32 or float64`);
      for (const v of t.data as Float64Array) if (!Number.isFinite(v)) throw new Error(`safetensors: tensor ${name} holds a non-finite value (${v})`);
    }
    const extra = Object.keys(tensors).filter((k) => !names.has(k));
    if (extra.length) throw new Error(`safetensors: the file has tensors the network does not (${extra.join(', ')}); it needs ${[...names].join(', ')}`);
    for (const [name, p] of params) p.data.set(tensors[name].to('float64').data as Float64Array);
    this.history.push(this.currentLosses());
  }
}
