// The current network and one example as a problem file (docs/problem-format.md): the same text
// feeds step mode (parseProblem, solveProblem, derive in the page) and the export, so
// `chainrule solve` on the exported file gives exactly the numbers the page showed.
import { FEATURE_LABELS } from './features.js';
import type { State } from './state.js';

export interface ProblemInput {
  state: State;
  /** parameters by name (fc.0.weight [out, in], fc.0.bias [out], ...) */
  weights: { name: string; shape: number[]; data: ArrayLike<number> }[];
  /** the example's feature values, one per chosen feature */
  features: number[];
  /** its target: a number for MSE and BCE, a class index for CE */
  target: number;
  /** which training example (for the title) */
  index: number;
  /** dropout masks of the hidden layers (already scaled by 1/(1 − p)), when dropout is on */
  masks?: number[][];
  dataset: string;
}

/** A float64 as YAML: the shortest text that reads back as the same double. */
const n = (v: number): string => (Object.is(v, -0) ? '0' : String(v));

const column = (xs: ArrayLike<number>) => `[${Array.from(xs, (v) => `[${n(v)}]`).join(', ')}]`;

function matrix(data: ArrayLike<number>, rows: number, cols: number): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) out.push(`[${Array.from({ length: cols }, (_, c) => n(data[r * cols + c])).join(', ')}]`);
  return `[${out.join(', ')}]`;
}

const ACT_CALL: Record<string, (z: string) => string> = {
  tanh: (z) => `tanh(${z})`,
  relu: (z) => `relu(${z})`,
  sigmoid: (z) => `sigmoid(${z})`,
  sign: (z) => `sign(${z})`,
  step: (z) => `step(${z})`,
  linear: (z) => z,
};

/** The names the problem file gives the parameters: fc.0.weight is W1, fc.0.bias is b1, ... */
export function problemName(param: string): string {
  const m = /^fc\.(\d+)\.(weight|bias)$/.exec(param);
  if (!m) throw new Error(`problem: unexpected parameter ${param}`);
  return `${m[2] === 'weight' ? 'W' : 'b'}${Number(m[1]) + 1}`;
}

/**
 * The problem file of one training step on one example: inputs x (the feature column) and t,
 * params W1, b1, ... (column convention: z1 = W1 @ x + b1), one node per pre-activation and
 * activation, the loss L with the regularisation term, `backward: {from: L}`, one SGD step (or
 * the perceptron rule in `then`).
 */
export function problemYaml(p: ProblemInput): string {
  const s = p.state;
  const layers = p.weights.filter((w) => w.name.endsWith('.weight')).length;
  const lines: string[] = [];
  const arch = [s.features.length, ...s.layers, s.loss === 'ce' ? p.weights[p.weights.length - 1].shape[0] : 1].join('-');
  lines.push(`title: "Playground: ${p.dataset}, ${arch} network, training example ${p.index}"`);
  lines.push('# Written by the chainrule playground; `chainrule solve FILE` reproduces the step it showed.');
  lines.push(`# x holds the features of the example, top to bottom: ${s.features.map((f) => FEATURE_LABELS[f].label).join(', ')}.`);
  lines.push('# W<k> is the weight [out, in] of layer k (fc.<k-1>.weight in the safetensors export), b<k> its bias as a column.');
  if (s.optimizer === 'momentum' || s.optimizer === 'adam') {
    lines.push(`# The page trains with ${s.optimizer === 'adam' ? 'Adam' : 'SGD with momentum 0.9'}; a problem file's update is one plain SGD step, which is what follows.`);
  }
  lines.push('inputs:');
  lines.push(`  x: ${column(p.features)}`);
  lines.push(`  t: ${n(p.target)}`);
  const reg = s.reg !== 'none' && s.regRate > 0;
  if (reg) lines.push(`  lambda: ${n(s.regRate)}`);
  p.masks?.forEach((m, i) => {
    lines.push(`  m${i + 1}: ${column(m)}`);
  });
  lines.push('params:');
  for (const w of p.weights) {
    const name = problemName(w.name);
    lines.push(`  ${name}: ${w.shape.length === 2 ? matrix(w.data, w.shape[0], w.shape[1]) : column(w.data)}`);
  }
  lines.push('nodes:');
  let h = 'x';
  for (let k = 1; k <= layers; k++) {
    lines.push(`  z${k}: W${k} @ ${h} + b${k}`);
    const last = k === layers;
    if (last && s.loss !== 'mse') {
      h = `z${k}`;
      break;
    }
    const act = s.activations[k - 1];
    if (act === 'linear' && !(p.masks && !last)) {
      h = `z${k}`;
      continue;
    }
    const a = last ? 'yhat' : `a${k}`;
    const value = ACT_CALL[act](`z${k}`);
    lines.push(`  ${a}: ${p.masks && !last ? `${value} * m${k}` : value}`);
    h = a;
  }
  const dataLoss = s.loss === 'bce' ? `bce_logits(${h}, t)` : s.loss === 'ce' ? `cross_entropy(${h}, t)` : `mse(${h}, t)`;
  const terms = Array.from({ length: layers }, (_, i) => (s.reg === 'l2' ? `sum(W${i + 1}^2)` : `sum(abs(W${i + 1}))`));
  lines.push(`  L: ${reg ? `${dataLoss} + lambda*(${terms.join(' + ')})` : dataLoss}`);
  lines.push('backward:');
  lines.push('  from: L');
  if (s.optimizer === 'perceptron') {
    lines.push('then:');
    lines.push(`  d: t - ${h}`);
    lines.push(`  W1: W1 + ${n(s.lr)}*d @ transpose(x)`);
    lines.push(`  b1: b1 + ${n(s.lr)}*d`);
  } else {
    lines.push('update:');
    lines.push(`  sgd: {lr: ${n(s.lr)}}`);
  }
  return `${lines.join('\n')}\n`;
}
