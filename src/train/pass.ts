import { noGrad } from '../autograd/mode.js';
import { ChainruleError } from '../errors.js';
import type { TrainableModel } from './types.js';
import { concat, Tensor } from '../ops/index.js';

/** A metric over a whole pass: (targets, outputs) → number. */
export type MetricFn = (target: Tensor, output: Tensor) => number;

/**
 * The loss fit and evaluate minimise or report: a function (output, target) → scalar tensor, like
 * `F.crossEntropy`, or a loss module with `forward`, like `new nn.MSELoss()`.
 * @example
 * ```ts
 * const lossFn: LossFn = (o, t) => F.mseLoss(o, t);
 * lossFn(tensor([1, 3]), tensor([1, 1])).item() // 2
 * ```
 */
export type LossFn = ((output: Tensor, target: Tensor) => Tensor) | {
      /** Returns the loss of `output` against `target`, a scalar tensor. */
      forward(output: Tensor, target: Tensor): Tensor;
    };

/**
 * Splits one batch into the model's inputs and the target; the default takes a `[inputs..., target]`
 * array (what a TensorDataset's DataLoader yields), the last element being the target.
 * @example
 * ```ts
 * const unpack: Unpack<{ x: Tensor; y: Tensor }> = (b) => ({ inputs: [b.x], target: b.y });
 * unpack({ x: tensor([1, 2]), y: tensor([0]) }).inputs.length // 1
 * ```
 */
export type Unpack<B> = (batch: B) => {
  /** the arguments of `model.forward`, in order */
  inputs: unknown[];
  /** what the loss compares the output with */
  target: Tensor;
};

export function defaultUnpack(batch: unknown): { inputs: unknown[]; target: Tensor } {
  if (!Array.isArray(batch) || batch.length < 2 || !(batch[batch.length - 1] instanceof Tensor)) {
    throw new ChainruleError('fit: a batch must be [...inputs, target] (e.g. from a TensorDataset(X, y)); pass unpack for other layouts');
  }
  return { inputs: batch.slice(0, -1), target: batch[batch.length - 1] as Tensor };
}

export function lossFunction(lossFn: LossFn, who: string): (output: Tensor, target: Tensor) => Tensor {
  if (typeof lossFn === 'function') return lossFn;
  if (lossFn && typeof lossFn.forward === 'function') return lossFn.forward.bind(lossFn);
  throw new ChainruleError(`${who}: lossFn must be a function (output, target) => Tensor or a loss module`);
}

export function rowsOf(t: Tensor): number {
  return t.ndim === 0 ? 1 : t.shape[0];
}

/** One forward pass and loss on a batch. */
export function forwardLoss<B>(
  model: TrainableModel,
  batch: B,
  unpack: Unpack<B>,
  loss: (o: Tensor, t: Tensor) => Tensor,
): { loss: Tensor; output: Tensor; target: Tensor } {
  const { inputs, target } = unpack(batch);
  const output = (model.forward as (...a: unknown[]) => unknown)(...inputs);
  if (!(output instanceof Tensor)) throw new ChainruleError('fit: model.forward must return a Tensor (use unpack/lossFn for other outputs)');
  const l = loss(output, target);
  if (!(l instanceof Tensor) || l.size !== 1) throw new ChainruleError('fit: lossFn must return a one-element Tensor');
  return { loss: l, output, target };
}

/** Metrics over all outputs and targets of a pass. */
export function passMetrics(metricFns: [string, MetricFn][], outputs: Tensor[], targets: Tensor[]): Record<string, number> {
  if (!metricFns.length || !outputs.length) return {};
  const o = outputs.length === 1 ? outputs[0] : concat(outputs, 0);
  const t = targets.length === 1 ? targets[0] : concat(targets, 0);
  return Object.fromEntries(metricFns.map(([name, f]) => [name, f(t, o)]));
}

/**
 * The options of evaluate: the loss, the metrics by name and how to unpack a batch.
 * @example
 * ```ts
 * const opts: EvaluateOptions<Tensor[]> = { lossFn: new nn.MSELoss(), metrics: {} };
 * Object.keys(opts) // ['lossFn', 'metrics']
 * ```
 */
export interface EvaluateOptions<B> {
  /** the loss averaged over all examples (weighted by batch size) */
  lossFn: LossFn;
  /** metrics over all outputs of the pass, by name: each (target, output) → number (default none) */
  metrics?: Record<string, MetricFn>;
  /** splits a batch into inputs and target (default: `[inputs..., target]`) */
  unpack?: Unpack<B>;
}

/**
 * Evaluates a model on batches in eval mode without gradients: the mean loss (weighted by batch
 * size) and each metric over all outputs. The model is left in eval mode.
 * @example
 * const model = new nn.Linear(2, 2);
 * const X = tensor([[1, 0], [0, 1], [2, 0], [0, 2]]);
 * const y = tensor([0, 1, 0, 1], { dtype: 'int32' });
 * model.loadStateDict({ weight: eye(2), bias: zeros([2]) }); // class = the larger input
 * const testLoader = new data.DataLoader(new data.TensorDataset(X, y), { batchSize: 2 });
 * const { loss, accuracy } = evaluate(model, testLoader, { lossFn: new nn.CrossEntropyLoss(), metrics: { accuracy: (t, o) => metrics.accuracy(t, o) } });
 * accuracy; // 1
 * loss > 0; // true
 */
export function evaluate<B = unknown>(model: TrainableModel, data: Iterable<B>, opts: EvaluateOptions<B>): {
  /** the mean loss over all examples */
  loss: number;
  [metric: string]: number;
} {
  if (!data || typeof (data as Iterable<B>)[Symbol.iterator] !== 'function') throw new ChainruleError('evaluate: data must be an iterable of batches (a DataLoader)');
  const loss = lossFunction(opts.lossFn, 'evaluate');
  const unpack = opts.unpack ?? (defaultUnpack as Unpack<B>);
  const metricFns = Object.entries(opts.metrics ?? {});
  model.eval();
  return noGrad(() => {
    let sum = 0;
    let count = 0;
    const outputs: Tensor[] = [];
    const targets: Tensor[] = [];
    for (const batch of data) {
      const r = forwardLoss(model, batch, unpack, loss);
      const n = rowsOf(r.target);
      sum += r.loss.item() * n;
      count += n;
      if (metricFns.length) {
        outputs.push(r.output);
        targets.push(r.target);
      }
    }
    if (count === 0) throw new ChainruleError('evaluate: the data yielded no batches');
    return { ...passMetrics(metricFns, outputs, targets), loss: sum / count };
  });
}
