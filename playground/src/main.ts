// The page: controls, the network diagram, heat maps and curves over the worker's snapshots, step
// mode, export and import. It holds no model: the worker trains chainrule's, and step mode asks
// chainrule's problem engine.
import 'katex/dist/katex.min.css';
import './style.css';
import katex from 'katex';
import { type Dataset, type Point, BOUNDARIES, CsvError, makeDataset, parseCsv, split } from './core/data.js';
import { FEATURE_LABELS } from './core/features.js';
import {
  ACTIVATIONS,
  type Activation,
  DEFAULT_STATE,
  FEATURES,
  type FeatureName,
  HashError,
  LEARNING_RATES,
  LOSSES,
  MAX_LAYERS,
  MAX_NEURONS,
  OPTIMIZERS,
  REGULARIZERS,
  REG_RATES,
  type State,
  fromHash,
  normalize,
  perceptronApplies,
  toHash,
} from './core/state.js';
import type { FromWorker, Snapshot, ToWorker } from './protocol.js';
import { weightColor } from './view/colors.js';
import { type Scale, drawChart, drawClasses, drawHeat, drawOutput, drawPreview } from './view/draw.js';
import { featureTex, linkTex, neuronTex } from './view/formulas.js';
import { type StepRun, buildRun, currentYaml, highlight, stopItem } from './view/step.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

const DATASET_LABELS: Record<string, string> = {
  circle: 'Circle',
  xor: 'XOR',
  gauss: 'Gaussian',
  spiral: 'Spiral',
  plane: 'Plane (regr.)',
  gaussreg: 'Bumps (regr.)',
  sin: BOUNDARIES.sin.label,
  cubic: 'y = x³ − x',
  abs: BOUNDARIES.abs.label,
  csv: 'Your CSV',
};
const LOSS_LABELS: Record<string, string> = { mse: 'MSE', bce: 'Binary cross-entropy', ce: 'Softmax cross-entropy' };
const OPT_LABELS: Record<string, string> = { sgd: 'SGD', momentum: 'SGD + momentum', adam: 'Adam', perceptron: 'Perceptron rule' };
const ACT_LABELS: Record<string, string> = { tanh: 'Tanh', relu: 'ReLU', sigmoid: 'Sigmoid', linear: 'Linear', sign: 'Sign', step: 'Step' };
const REG_LABELS: Record<string, string> = { none: 'None', l1: 'L1', l2: 'L2' };

// ---- state ------------------------------------------------------------------------------------
let state: State = DEFAULT_STATE;
let csv: (Dataset & { name: string }) | null = null;
let data: Dataset = makeDataset('circle', 0, 1, 2);
let parts: { train: Point[]; test: Point[] } = { train: [], test: [] };
let snap: Snapshot | null = null;
let dirty = false;
let configId = 0;
let playing = false;
let hashWritten = '';

const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker, transfer: Transferable[] = []) => worker.postMessage(m, transfer);

/** Read-outs for tests and measurements (frames drawn, snapshots received). */
const probe = { ready: false, frames: 0, snapshots: 0, lastSnapshot: null as Snapshot | null, state: () => state };
(window as unknown as { __playground: typeof probe }).__playground = probe;

function showMessage(text: string, kind: 'error' | 'note' = 'error'): void {
  const m = $('message');
  m.textContent = text;
  m.className = kind === 'note' ? 'note' : '';
  m.hidden = false;
}
const clearMessage = () => {
  $('message').hidden = true;
};

function datasetFor(s: State): Dataset {
  if (s.dataset === 'csv') {
    if (!csv) throw new Error('no CSV loaded');
    return csv;
  }
  return makeDataset(s.dataset, s.noise, s.seed, s.classes);
}

/** Applies a new state: normalises it, rebuilds the data and the run, redraws the controls, writes the hash. */
function apply(next: State, notes: string[] = []): void {
  const d = datasetFor(next);
  const classes = d.classes;
  const regression = classes === 0;
  const { state: st, notes: more } = normalize(next, classes, regression);
  state = st;
  data = d;
  parts = split(d.points, st.ratio, st.seed);
  configId++;
  playing = false;
  snap = null;
  send({ type: 'config', id: configId, state: st, train: parts.train, test: parts.test, classes: Math.max(classes, 2), regression });
  const all = [...notes, ...more];
  if (all.length) showMessage(all.join('; '), 'note');
  syncControls();
  buildNetwork();
  writeHash();
  if (stepOn) void enterStep();
}

function writeHash(): void {
  hashWritten = toHash(state);
  history.replaceState(null, '', `#${hashWritten}`);
}

window.addEventListener('hashchange', () => {
  const h = location.hash.replace(/^#/, '');
  if (h === hashWritten) return;
  try {
    const next = fromHash(h, state);
    if (next.dataset === 'csv' && !csv) throw new HashError('URL hash: dataset=csv needs a CSV file dropped on the page first');
    clearMessage();
    apply(next);
  } catch (e) {
    showMessage(`${e instanceof Error ? e.message : String(e)}. Nothing was changed.`);
    writeHash();
  }
});

// ---- controls ---------------------------------------------------------------------------------
function fillSelect(el: HTMLSelectElement, values: readonly (string | number)[], label: (v: string) => string): void {
  el.innerHTML = '';
  for (const v of values) {
    const o = document.createElement('option');
    o.value = String(v);
    o.textContent = label(String(v));
    el.append(o);
  }
}

const lrSel = $<HTMLSelectElement>('learning-rate');
const actSel = $<HTMLSelectElement>('activation');
const lossSel = $<HTMLSelectElement>('loss');
const optSel = $<HTMLSelectElement>('optimizer');
const regSel = $<HTMLSelectElement>('regularization');
const regRateSel = $<HTMLSelectElement>('reg-rate');
fillSelect(lrSel, LEARNING_RATES, (v) => v);
fillSelect(actSel, ACTIVATIONS, (v) => ACT_LABELS[v]);
fillSelect(lossSel, LOSSES, (v) => LOSS_LABELS[v]);
fillSelect(optSel, OPTIMIZERS, (v) => OPT_LABELS[v]);
fillSelect(regSel, REGULARIZERS, (v) => REG_LABELS[v]);
fillSelect(regRateSel, REG_RATES, (v) => v);

const change = (patch: Partial<State>) => {
  clearMessage();
  apply({ ...state, ...patch });
};
lrSel.onchange = () => change({ lr: Number(lrSel.value) });
actSel.onchange = () => change({ activations: state.activations.map((a, i) => (i < state.layers.length || !['bce', 'ce'].includes(state.loss) ? (actSel.value as Activation) : a)) });
lossSel.onchange = () => change({ loss: lossSel.value as State['loss'] });
optSel.onchange = () => change({ optimizer: optSel.value as State['optimizer'] });
regSel.onchange = () => change({ reg: regSel.value as State['reg'] });
regRateSel.onchange = () => change({ regRate: Number(regRateSel.value) });

const sliders: [string, keyof State, (v: number) => string][] = [
  ['ratio', 'ratio', (v) => `${v}%`],
  ['noise', 'noise', (v) => String(v)],
  ['batch', 'batch', (v) => String(v)],
  ['dropout', 'dropout', (v) => v.toFixed(1)],
  ['classes', 'classes', (v) => String(v)],
];
for (const [id, key, fmt] of sliders) {
  const el = $<HTMLInputElement>(id);
  el.oninput = () => {
    $(`${id}-out`).textContent = fmt(Number(el.value));
  };
  el.onchange = () => change({ [key]: Number(el.value) } as Partial<State>);
}
const seedIn = $<HTMLInputElement>('seed');
seedIn.onchange = () => {
  const v = Number(seedIn.value);
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 31 - 1) {
    showMessage(`Seed ${seedIn.value} is not an integer from 0 to ${2 ** 31 - 1}. Nothing was changed.`);
    seedIn.value = String(state.seed);
    return;
  }
  change({ seed: v });
};
$('regenerate').onclick = () => change({ seed: (state.seed * 48271 + 11) % 2147483647 });

const dsBox = $('datasets');
const DS_ORDER = ['circle', 'xor', 'gauss', 'spiral', 'plane', 'gaussreg', 'sin', 'cubic', 'abs', 'csv'] as const;
for (const name of DS_ORDER) {
  const b = document.createElement('button');
  b.type = 'button';
  b.dataset.testid = `dataset-${name}`;
  b.dataset.name = name;
  b.title = DATASET_LABELS[name];
  b.setAttribute('aria-label', `Data set: ${DATASET_LABELS[name]}`);
  const c = document.createElement('canvas');
  b.append(c);
  const s = document.createElement('span');
  s.textContent = DATASET_LABELS[name];
  b.append(s);
  if (name !== 'csv') {
    const d = makeDataset(name, 0, 1, 2);
    drawPreview(c, d.points, d.classes);
  }
  b.onclick = () => {
    if (name === 'csv' && !csv) {
      showMessage('Drop a CSV file of x, y, label rows on the drop zone (or choose one) to use your own data.', 'note');
      $('csv-input').focus();
      return;
    }
    change({ dataset: name });
  };
  dsBox.append(b);
}

function syncControls(): void {
  lrSel.value = String(state.lr);
  if (lrSel.value !== String(state.lr)) {
    const o = document.createElement('option');
    o.value = String(state.lr);
    o.textContent = String(state.lr);
    lrSel.append(o);
    lrSel.value = String(state.lr);
  }
  actSel.value = state.activations[0];
  lossSel.value = state.loss;
  optSel.value = state.optimizer;
  (optSel.querySelector('option[value="perceptron"]') as HTMLOptionElement).disabled = !perceptronApplies({ ...state, optimizer: 'perceptron' });
  regSel.value = state.reg;
  regRateSel.value = String(state.regRate);
  if (regRateSel.value !== String(state.regRate)) regRateSel.selectedIndex = -1;
  for (const [id, key, fmt] of sliders) {
    ($<HTMLInputElement>(id)).value = String(state[key]);
    $(`${id}-out`).textContent = fmt(state[key] as number);
  }
  $('classes-row').hidden = !(state.dataset === 'gauss' || state.dataset === 'spiral');
  seedIn.value = String(state.seed);
  for (const b of dsBox.querySelectorAll('button')) b.setAttribute('aria-pressed', String(b.dataset.name === state.dataset));
  $('layer-count').textContent = `${state.layers.length} hidden layer${state.layers.length === 1 ? '' : 's'}`;
  ($<HTMLButtonElement>('add-layer')).disabled = state.layers.length >= MAX_LAYERS;
  ($<HTMLButtonElement>('remove-layer')).disabled = state.layers.length === 0;
  syncTransport();
}

function syncTransport(): void {
  ($<HTMLButtonElement>('play')).disabled = playing;
  ($<HTMLButtonElement>('pause')).disabled = !playing;
}

$('add-layer').onclick = () => {
  if (state.layers.length >= MAX_LAYERS) return;
  const acts = [...state.activations];
  acts.splice(state.layers.length, 0, acts[Math.max(0, state.layers.length - 1)] ?? 'tanh');
  change({ layers: [...state.layers, state.layers[state.layers.length - 1] ?? 2], activations: acts });
};
$('remove-layer').onclick = () => {
  if (state.layers.length === 0) return;
  const acts = [...state.activations];
  acts.splice(state.layers.length - 1, 1);
  change({ layers: state.layers.slice(0, -1), activations: acts });
};

const play = () => {
  if (stepOn) toggleStep(false);
  playing = true;
  syncTransport();
  send({ type: 'play' });
};
const pause = () => {
  playing = false;
  syncTransport();
  send({ type: 'pause' });
};
$('play').onclick = play;
$('pause').onclick = pause;
$('step-once').onclick = () => {
  playing = false;
  syncTransport();
  send({ type: 'step' });
};
$('reset').onclick = () => {
  clearMessage();
  apply(state);
};
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.tagName === 'BUTTON')) return;
  if (e.key === ' ') {
    e.preventDefault();
    if (playing) pause();
    else play();
  } else if (e.key === '.') send({ type: 'step' });
  else if (e.key === 'Escape') hideTip();
});

$<HTMLInputElement>('heat-on').onchange = (e) => send({ type: 'heatmaps', on: (e.target as HTMLInputElement).checked });
$<HTMLInputElement>('show-test').onchange = () => {
  dirty = true;
  lastHeavy = 0;
};

// ---- CSV ------------------------------------------------------------------------------------
async function loadCsv(file: File): Promise<void> {
  try {
    const text = await file.text();
    const d = parseCsv(text);
    csv = { ...d, name: file.name };
    clearMessage();
    const b = dsBox.querySelector('button[data-name="csv"] canvas') as HTMLCanvasElement;
    drawPreview(b, d.points, d.classes);
    apply({ ...state, dataset: 'csv' }, [`${file.name}: ${d.points.length} points, ${d.classes === 0 ? 'a regression target' : `${d.classes} classes`}`]);
  } catch (e) {
    const msg = e instanceof CsvError ? e.message : `CSV: ${e instanceof Error ? e.message : String(e)}`;
    showMessage(`${file.name}: ${msg}. The current data and network are unchanged.`);
  }
}
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  const f = e.dataTransfer?.files[0];
  if (f) void loadCsv(f);
});
drop.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    $('csv-input').click();
  }
});
$<HTMLInputElement>('csv-input').onchange = (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  if (f) void loadCsv(f);
  input.value = '';
};

// ---- network diagram ------------------------------------------------------------------------
interface NodeRef {
  el: HTMLElement;
  canvas: HTMLCanvasElement;
}
let columns: NodeRef[][] = [];
let featureNodes = new Map<FeatureName, NodeRef>();
let linkPaths: SVGPathElement[][][] = [];
const net = $('network');
const linksSvg = $('links') as unknown as SVGSVGElement;

function scaleOf(act: Activation): Scale {
  return act === 'sigmoid' || act === 'step' ? 'unit' : act === 'tanh' || act === 'sign' ? 'signed' : 'auto';
}

function buildNetwork(): void {
  for (const c of [...net.querySelectorAll('.column')]) c.remove();
  columns = [];
  featureNodes = new Map();
  // features: every one, with a checkbox; the chosen ones feed the first layer
  const fcol = document.createElement('div');
  fcol.className = 'column features';
  const head = document.createElement('div');
  head.className = 'head';
  head.textContent = 'Features';
  fcol.append(head);
  const chosen: NodeRef[] = [];
  for (const f of FEATURES) {
    const row = document.createElement('div');
    row.className = 'feature-row';
    const id = `feature-${f}`;
    const cb = document.createElement('input');
    cb.type = 'checkbox';
    cb.id = id;
    cb.dataset.testid = id;
    cb.checked = state.features.includes(f);
    cb.onchange = () => {
      const next = FEATURES.filter((x) => (x === f ? cb.checked : state.features.includes(x)));
      if (next.length === 0) {
        cb.checked = true;
        showMessage('At least one feature must stay on.');
        return;
      }
      change({ features: next });
    };
    const lab = document.createElement('label');
    lab.htmlFor = id;
    lab.textContent = FEATURE_LABELS[f].label;
    const node = document.createElement('div');
    node.className = `neuron feature${cb.checked ? '' : ' off'}`;
    const canvas = document.createElement('canvas');
    node.append(canvas);
    featureNodes.set(f, { el: node, canvas });
    if (cb.checked) {
      const k = state.features.indexOf(f);
      node.tabIndex = 0;
      node.setAttribute('aria-label', `Feature ${FEATURE_LABELS[f].label}`);
      hoverable(node, { kind: 'feature', k });
      chosen[k] = featureNodes.get(f) as NodeRef;
    }
    row.append(lab, cb, node);
    fcol.append(row);
  }
  net.append(fcol);
  columns.push(chosen);
  const outputs = state.loss === 'ce' ? Math.max(data.classes, 2) : 1;
  const sizes = [...state.layers, outputs];
  sizes.forEach((n, li) => {
    const last = li === sizes.length - 1;
    const col = document.createElement('div');
    col.className = 'column';
    const h = document.createElement('div');
    h.className = 'head';
    if (!last) {
      const l = li + 1;
      const pm = document.createElement('div');
      pm.className = 'pm';
      const plus = document.createElement('button');
      plus.type = 'button';
      plus.textContent = '+';
      plus.dataset.testid = `neurons-${l}-plus`;
      plus.setAttribute('aria-label', `Add a neuron to layer ${l}`);
      plus.disabled = n >= MAX_NEURONS;
      plus.onclick = () => change({ layers: state.layers.map((x, i) => (i === li ? Math.min(MAX_NEURONS, x + 1) : x)) });
      const minus = document.createElement('button');
      minus.type = 'button';
      minus.textContent = '−';
      minus.dataset.testid = `neurons-${l}-minus`;
      minus.setAttribute('aria-label', `Remove a neuron from layer ${l}`);
      minus.disabled = n <= 1;
      minus.onclick = () => change({ layers: state.layers.map((x, i) => (i === li ? Math.max(1, x - 1) : x)) });
      pm.append(plus, minus);
      const sel = document.createElement('select');
      sel.dataset.testid = `activation-${l}`;
      sel.setAttribute('aria-label', `Activation of layer ${l}`);
      fillSelect(sel, ACTIVATIONS, (v) => ACT_LABELS[v]);
      sel.value = state.activations[li];
      sel.onchange = () => change({ activations: state.activations.map((a, i) => (i === li ? (sel.value as Activation) : a)) });
      const label = document.createElement('span');
      label.textContent = `${n} neuron${n === 1 ? '' : 's'}`;
      h.append(pm, label, sel);
    } else {
      const label = document.createElement('span');
      label.textContent = state.loss === 'ce' ? `Output: ${outputs} logits, softmax` : state.loss === 'bce' ? 'Output: logit, σ' : 'Output';
      h.append(label);
      if (state.loss === 'mse') {
        const sel = document.createElement('select');
        sel.dataset.testid = 'activation-out';
        sel.setAttribute('aria-label', 'Activation of the output');
        fillSelect(sel, ACTIVATIONS, (v) => ACT_LABELS[v]);
        sel.value = state.activations[li];
        sel.onchange = () => change({ activations: state.activations.map((a, i) => (i === li ? (sel.value as Activation) : a)) });
        h.append(sel);
      }
    }
    col.append(h);
    const refs: NodeRef[] = [];
    for (let j = 0; j < n; j++) {
      const node = document.createElement('div');
      node.className = 'neuron';
      node.tabIndex = 0;
      node.dataset.testid = `neuron-${li + 1}-${j + 1}`;
      node.setAttribute('aria-label', last ? `Output ${j + 1}` : `Layer ${li + 1}, neuron ${j + 1}`);
      const canvas = document.createElement('canvas');
      node.append(canvas);
      hoverable(node, { kind: 'neuron', l: li + 1, j });
      col.append(node);
      refs.push({ el: node, canvas });
    }
    net.append(col);
    columns.push(refs);
  });
  layoutLinks();
}

function layoutLinks(): void {
  linksSvg.innerHTML = '';
  linkPaths = [];
  const box = net.getBoundingClientRect();
  const w = net.scrollWidth;
  const h = net.scrollHeight;
  linksSvg.setAttribute('width', String(w));
  linksSvg.setAttribute('height', String(h));
  linksSvg.style.width = `${w}px`;
  linksSvg.style.height = `${h}px`;
  const at = (el: HTMLElement, side: 'l' | 'r') => {
    const r = el.getBoundingClientRect();
    return { x: (side === 'r' ? r.right : r.left) - box.left + net.scrollLeft, y: r.top + r.height / 2 - box.top + net.scrollTop };
  };
  for (let l = 1; l < columns.length; l++) {
    const layer: SVGPathElement[][] = [];
    columns[l].forEach((dst, j) => {
      const row: SVGPathElement[] = [];
      columns[l - 1].forEach((src, k) => {
        if (!src) return;
        const a = at(src.el, 'r');
        const b = at(dst.el, 'l');
        const mx = (a.x + b.x) / 2;
        const p = document.createElementNS('http://www.w3.org/2000/svg', 'path');
        p.setAttribute('d', `M${a.x},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.x},${b.y}`);
        p.setAttribute('stroke', '#9ca3af');
        p.setAttribute('stroke-width', '1');
        p.dataset.testid = `link-${l}-${j + 1}-${k + 1}`;
        hoverable(p as unknown as HTMLElement, { kind: 'link', l, j, k });
        linksSvg.append(p);
        row[k] = p;
      });
      layer[j] = row;
    });
    linkPaths.push(layer);
  }
}
new ResizeObserver(() => layoutLinks()).observe(net);

// ---- hover formulas ---------------------------------------------------------------------------
type Target = { kind: 'feature'; k: number } | { kind: 'neuron'; l: number; j: number } | { kind: 'link'; l: number; j: number; k: number };
let hovered: { target: Target; el: Element } | null = null;
const tip = $('tip');

function hoverable(el: HTMLElement, target: Target): void {
  const show = () => {
    hovered = { target, el };
    el.classList.add('hot');
    renderTip();
  };
  const hide = () => {
    el.classList.remove('hot');
    if (hovered?.el === el) hideTip();
  };
  el.addEventListener('pointerenter', show);
  el.addEventListener('pointerleave', hide);
  el.addEventListener('focus', show);
  el.addEventListener('blur', hide);
}

function hideTip(): void {
  hovered = null;
  tip.hidden = true;
}

let tipAt = 0;
function renderTip(): void {
  if (!hovered || !snap) return;
  const t = hovered.target;
  const tex = t.kind === 'feature' ? featureTex(state, snap, t.k) : t.kind === 'neuron' ? neuronTex(state, snap, t.l, t.j) : linkTex(state, snap, t.l, t.j, t.k);
  tip.innerHTML = katex.renderToString(tex, { displayMode: true, throwOnError: false });
  tip.hidden = false;
  const r = hovered.el.getBoundingClientRect();
  const tw = tip.offsetWidth;
  const x = Math.max(4, Math.min(window.innerWidth - tw - 4, r.left + r.width / 2 - tw / 2));
  const below = r.bottom + 8 + tip.offsetHeight < window.innerHeight;
  tip.style.left = `${x}px`;
  tip.style.top = `${below ? r.bottom + 8 : Math.max(4, r.top - tip.offsetHeight - 8)}px`;
  tipAt = performance.now();
}

// ---- drawing ----------------------------------------------------------------------------------
const outCanvas = $<HTMLCanvasElement>('output-map');
const outSmall = document.createElement('canvas');
const fmtNum = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

let lastHeavy = 0;
let chartLength = -1;
const linkWidths = new WeakMap<SVGPathElement, string>();

/** Read-outs every frame; heat maps, links and the chart at most every 33 ms (the rest of the frame stays free for input). */
function draw(now: number): boolean {
  if (!snap) return false;
  const s = snap;
  const heavy = now - lastHeavy >= 33;
  $('epoch').textContent = String(s.epoch).padStart(3, '0');
  $('train-loss').textContent = fmtNum(s.trainLoss);
  $('test-loss').textContent = fmtNum(s.testLoss);
  $('train-accuracy').textContent = Number.isFinite(s.trainAccuracy) ? `${(s.trainAccuracy * 100).toFixed(1)}%` : '–';
  $('test-accuracy').textContent = Number.isFinite(s.testAccuracy) ? `${(s.testAccuracy * 100).toFixed(1)}%` : '–';
  for (const [id, v] of [
    ['train-loss', s.trainLoss],
    ['test-loss', s.testLoss],
    ['train-accuracy', s.trainAccuracy],
    ['test-accuracy', s.testAccuracy],
  ] as const) $(id).dataset.value = String(v);
  $('hover-example').textContent = String(s.example.index);
  if (!heavy) return true;
  lastHeavy = now;
  if (s.history.length !== chartLength || !s.playing) {
    chartLength = s.history.length;
    drawChart($('chart') as unknown as SVGSVGElement, s.history);
  }
  if (s.heat) {
    const size = s.heat.size;
    FEATURES.forEach((f, k) => {
      const ref = featureNodes.get(f);
      if (ref) drawHeat(ref.canvas, s.heat!.inputs, FEATURES.length, k, size, 'auto');
    });
    const L = s.heat.layers.length;
    for (let l = 1; l < columns.length; l++) {
      const vals = s.heat.layers[l - 1];
      const n = columns[l].length;
      const last = l === L;
      columns[l].forEach((ref, j) => {
        if (last && state.loss === 'ce') drawHeat(ref.canvas, vals, n, j, size, 'unit');
        else drawHeat(ref.canvas, vals, n, j, size, last ? 'signed' : scaleOf(state.activations[l - 1]));
      });
    }
    const out = s.heat.layers[L - 1];
    if (state.loss === 'ce') drawClasses(outSmall, out, columns[columns.length - 1].length, size);
    else drawHeat(outSmall, out, 1, 0, size, 'signed');
  }
  const showTest = ($<HTMLInputElement>('show-test')).checked;
  drawOutput(outCanvas, outSmall, parts.train, showTest ? parts.test : null, data.classes);
  // links: width |w|, colour the sign
  s.weights.forEach((w, i) => {
    if (i % 2 === 1) return;
    const layer = linkPaths[i / 2];
    if (!layer) return;
    const [out, inn] = w.shape;
    for (let j = 0; j < out; j++) {
      for (let k = 0; k < inn; k++) {
        const p = layer[j]?.[k];
        if (!p) continue;
        const v = w.data[j * inn + k];
        const width = `${v >= 0 ? '+' : '-'}${Math.min(5, 0.4 + 1.6 * Math.abs(v)).toFixed(1)}`;
        if (linkWidths.get(p) === width) continue;
        linkWidths.set(p, width);
        p.setAttribute('stroke', weightColor(v));
        p.setAttribute('stroke-width', width.slice(1));
      }
    }
  });
  if (hovered && performance.now() - tipAt > 100) renderTip();
  return false;
}

function frame(now: number): void {
  probe.frames++;
  if (dirty) dirty = draw(now);
  requestAnimationFrame(frame);
}

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === 'snapshot') {
    if (m.id !== configId) return;
    snap = m;
    probe.snapshots++;
    probe.lastSnapshot = m;
    probe.ready = true;
    dirty = true;
    if (!m.playing) lastHeavy = 0;
    for (const w of waiting.splice(0)) w(m);
  } else if (m.type === 'error') {
    showMessage(m.message);
    playing = false;
    syncTransport();
  } else if (m.type === 'exported') {
    download(m.bytes, `playground-${state.dataset}.safetensors`, 'application/octet-stream');
  } else if (m.type === 'imported') {
    if (m.error) showMessage(`${m.error}. The network is unchanged.`);
    else showMessage('Weights imported.', 'note');
  }
};

/** Resolves with the next snapshot of the current run. */
const waiting: ((s: Snapshot) => void)[] = [];
const nextSnapshot = () => new Promise<Snapshot>((r) => waiting.push(r));

function download(data: Uint8Array | string, name: string, type: string): void {
  const blob = new Blob([data as BlobPart], { type });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---- export / import --------------------------------------------------------------------------
$('export-safetensors').onclick = () => send({ type: 'export-safetensors', id: configId });
$<HTMLInputElement>('import-safetensors').onchange = async (e) => {
  const input = e.target as HTMLInputElement;
  const f = input.files?.[0];
  input.value = '';
  if (!f) return;
  const bytes = new Uint8Array(await f.arrayBuffer());
  send({ type: 'import-safetensors', id: configId, bytes }, [bytes.buffer]);
};
$('export-yaml').onclick = async () => {
  const s = await exampleSnapshot();
  download(currentYaml(state, s, datasetName()), `playground-${state.dataset}-example-${s.example.index}.yaml`, 'text/yaml');
};
const datasetName = () => (state.dataset === 'csv' && csv ? csv.name : DATASET_LABELS[state.dataset]);

/** A snapshot whose example is the step-mode example. */
async function exampleSnapshot(): Promise<Snapshot> {
  const want = Math.max(0, Math.min(parts.train.length - 1, Number(($<HTMLInputElement>('step-example')).value) || 0));
  if (snap && snap.example.index === want && !playing) return snap;
  if (playing) pause();
  const p = nextSnapshot();
  send({ type: 'select', index: want });
  return p;
}

// ---- step mode --------------------------------------------------------------------------------
let stepOn = false;
let run: StepRun | null = null;
let cursor = -1;
const stepBtn = $('step-mode');
const panel = $('step-panel');
const graph = $('step-graph');

function toggleStep(on: boolean): void {
  stepOn = on;
  stepBtn.setAttribute('aria-pressed', String(on));
  $('step').hidden = !on;
  if (on) void enterStep();
}
stepBtn.onclick = () => toggleStep(!stepOn);

let building = 0;
async function enterStep(): Promise<void> {
  const my = ++building;
  if (playing) pause();
  panel.innerHTML = '';
  delete panel.dataset.example;
  const s = await exampleSnapshot();
  try {
    const r = await buildRun(currentYaml(state, s, datasetName()));
    if (my !== building) return;
    run = r;
    cursor = 0;
    graph.innerHTML = r.svg;
    renderStops();
    panel.dataset.example = String(s.example.index);
    $('step').scrollIntoView?.({ block: 'nearest' });
  } catch (e) {
    showMessage(`Step mode: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function renderStops(): void {
  if (!run) return;
  panel.innerHTML = '';
  run.stops.slice(0, cursor + 1).forEach((s, i) => {
    panel.append(stopItem(s, i === cursor));
  });
  const cur = run.stops[cursor];
  highlight(graph, run, cur);
  const phase = cur?.block.phase;
  $('step-where').textContent = cur ? `${cursor + 1} / ${run.stops.length}: ${phase} ${cur.block.node}` : '';
  ($<HTMLButtonElement>('step-prev')).disabled = cursor <= 0;
  ($<HTMLButtonElement>('step-next')).disabled = cursor >= run.stops.length - 1;
  panel.lastElementChild?.scrollIntoView?.({ block: 'nearest' });
}
$('step-next').onclick = () => {
  if (run && cursor < run.stops.length - 1) {
    cursor++;
    renderStops();
  }
};
$('step-prev').onclick = () => {
  if (run && cursor > 0) {
    cursor--;
    renderStops();
  }
};
$<HTMLInputElement>('step-example').oninput = () => {
  if (stepOn) void enterStep();
};

// ---- start ------------------------------------------------------------------------------------
(function start() {
  let initial = DEFAULT_STATE;
  const h = location.hash.replace(/^#/, '');
  if (h) {
    try {
      initial = fromHash(h, DEFAULT_STATE);
      if (initial.dataset === 'csv') throw new HashError('URL hash: dataset=csv needs a CSV file dropped on the page first');
    } catch (e) {
      initial = DEFAULT_STATE;
      showMessage(`${e instanceof Error ? e.message : String(e)}. The playground started with its defaults.`);
    }
  }
  apply(initial);
  requestAnimationFrame(frame);
})();

