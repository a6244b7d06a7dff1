// The hover formulas: a neuron's or a link's definition in LaTeX with the numbers of the selected
// example, as the worker computed them with the library (weights, z, a and the last batch's gradients).
import { FEATURE_LABELS } from '../core/features.js';
import type { State } from '../core/state.js';
import type { Snapshot } from '../protocol.js';

const f = (v: number) => {
  if (!Number.isFinite(v)) return String(v);
  const s = Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(4)).toString() : v.toExponential(2);
  return s.replace(/e([+-]\d+)$/, (_, e) => `\\times 10^{${Number(e)}}`);
};
const p = (v: number) => (v < 0 ? `(${f(v)})` : f(v));

const ACT_TEX: Record<string, (z: string) => string> = {
  tanh: (z) => `\\tanh(${z})`,
  relu: (z) => `\\max(0, ${z})`,
  sigmoid: (z) => `\\sigma(${z})`,
  sign: (z) => `\\operatorname{sign}(${z})`,
  step: (z) => `\\operatorname{step}(${z})`,
  linear: (z) => z,
};

/** The weight [out, in] and bias of layer l (1-based) from a snapshot. */
function layer(snap: Snapshot, l: number) {
  const w = snap.weights.find((x) => x.name === `fc.${l - 1}.weight`);
  const b = snap.weights.find((x) => x.name === `fc.${l - 1}.bias`);
  return { w, b };
}

const aName = (l: number, k: number, state: State) => (l === 0 ? FEATURE_LABELS[state.features[k]].latex : `a^{[${l}]}_{${k + 1}}`);

/** A feature node: its definition and value for the example. */
export function featureTex(state: State, snap: Snapshot, k: number): string {
  const info = FEATURE_LABELS[state.features[k]];
  return `\\text{feature ${k + 1}: } ${info.latex} = ${f(snap.example.features[k])} \\quad \\text{(example ${snap.example.index})}`;
}

/** A neuron of layer l (1-based; the last layer is the output): z = Σ w·a + b, then its activation. */
export function neuronTex(state: State, snap: Snapshot, l: number, j: number): string {
  const { w, b } = layer(snap, l);
  if (!w || !b) return '';
  const inputs = w.shape[1];
  const prev = l === 1 ? snap.example.features : snap.example.a[l - 2];
  const terms = Array.from({ length: inputs }, (_, k) => `w^{[${l}]}_{${j + 1}${k + 1}} ${aName(l - 1, k, state)}`);
  const nums = Array.from({ length: inputs }, (_, k) => `${p(w.data[j * inputs + k])} \\cdot ${p(prev[k])}`);
  const z = snap.example.z[l - 1][j];
  const a = snap.example.a[l - 1][j];
  const layers = snap.weights.length / 2;
  const last = l === layers;
  const act = state.activations[l - 1];
  const lines = [
    `z^{[${l}]}_{${j + 1}} = ${terms.join(' + ')} + b^{[${l}]}_{${j + 1}}`,
    `= ${nums.join(' + ')} + ${p(b.data[j])} = ${f(z)}`,
  ];
  if (last && state.loss === 'bce') lines.push(`\\hat p = \\sigma(z^{[${l}]}) \\quad L = \\text{BCE}(z^{[${l}]}, t),\\ t = ${f(snap.example.target)}`);
  else if (last && state.loss === 'ce') lines.push(`\\hat{y} = \\operatorname{softmax}(z^{[${l}]}) \\quad L = \\text{CE}(z^{[${l}]}, t),\\ t = ${f(snap.example.target)}`);
  else {
    const name = last ? '\\hat y' : `a^{[${l}]}_{${j + 1}}`;
    lines.push(`${name} = ${ACT_TEX[act](`z^{[${l}]}_{${j + 1}}`)} = ${f(a)}${last ? ` \\quad L = (\\hat y - t)^2,\\ t = ${f(snap.example.target)}` : ''}`);
  }
  const gb = snap.grads[`fc.${l - 1}.bias`];
  if (gb) lines.push(`\\overline{\\partial L / \\partial b^{[${l}]}_{${j + 1}}} = ${f(gb[j])} \\ \\text{(mean over the last batch)}`);
  return `\\begin{aligned} ${lines.map((x) => (x.startsWith('=') ? `&${x}` : `&${x}`)).join(' \\\\ ')} \\end{aligned}`;
}

/** A link from unit k of layer l − 1 to unit j of layer l: its weight, gradient and the SGD step. */
export function linkTex(state: State, snap: Snapshot, l: number, j: number, k: number): string {
  const { w } = layer(snap, l);
  if (!w) return '';
  const inputs = w.shape[1];
  const v = w.data[j * inputs + k];
  const g = snap.grads[`fc.${l - 1}.weight`]?.[j * inputs + k];
  const name = `w^{[${l}]}_{${j + 1}${k + 1}}`;
  const lines = [`${name} = ${f(v)} \\quad \\text{(from } ${aName(l - 1, k, state)} \\text{ to } ${l === snap.weights.length / 2 ? '\\text{the output}' : `a^{[${l}]}_{${j + 1}}`})`];
  if (g !== undefined) {
    lines.push(`\\overline{\\partial L / \\partial ${name}} = ${f(g)} \\ \\text{(mean over the last batch)}`);
    const rule = state.optimizer === 'sgd' ? 'SGD step' : `an SGD step (the run uses ${state.optimizer})`;
    lines.push(`${name} - \\eta \\cdot \\partial L/\\partial ${name} = ${f(v)} - ${f(state.lr)} \\cdot ${p(g)} = ${f(v - state.lr * g)} \\ \\text{(${rule})}`);
  }
  return `\\begin{aligned} ${lines.map((x) => `&${x}`).join(' \\\\ ')} \\end{aligned}`;
}
