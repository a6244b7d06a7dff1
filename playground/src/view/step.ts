// Step mode: the current network and one training example as a problem file, solved in the page
// by chainrule's own problem engine (parseProblem, solveProblem, derive: the derivation objects of
// `chainrule solve`), walked line by line. The graph is the one `chainrule graph` draws
// (problemGraph, graphModel, toSvg), with the current node highlighted; lines are typeset by KaTeX.
import { type Block, F, Generator, type Value, derive, graphModel, latexNotation, layout, ones, parseProblem, problemGraph, solveProblem, toSvg } from 'chainrule/browser';
import katex from 'katex';
import { problemYaml } from '../core/problem.js';
import type { State } from '../core/state.js';
import type { Snapshot } from '../protocol.js';

type Eq = Extract<Block, { type: 'eq' }>;

/** One stop of the walk: an equation of the solution (with the paragraph before it, if any). */
export interface Stop {
  block: Eq;
  note?: string;
}

export interface StepRun {
  yaml: string;
  stops: Stop[];
  svg: string;
  /** value-node id in the graph per problem name */
  ids: Map<string, string>;
}

const WALKED = new Set(['forward', 'backward', 'update', 'then', 'after']);

/** Dropout masks for the example (scaled by 1/(1 − p)), drawn by chainrule's dropout from a seeded generator. */
export function masksFor(state: State, index: number): number[][] | undefined {
  if (state.dropout <= 0 || state.layers.length === 0) return undefined;
  const g = new Generator(state.seed * 7919 + index + 13);
  return state.layers.map((n) => Array.from(F.dropout(ones([n, 1], { dtype: 'float64' }), state.dropout, { training: true, generator: g }).data as Float64Array));
}

/** The problem file of the current network and example. */
export function currentYaml(state: State, snap: Snapshot, dataset: string): string {
  return problemYaml({
    state,
    weights: snap.weights,
    features: snap.example.features,
    target: snap.example.target,
    index: snap.example.index,
    masks: masksFor(state, snap.example.index),
    dataset,
  });
}

/** Solves the problem file and lays out its worked solution as stops. */
export async function buildRun(yaml: string): Promise<StepRun> {
  const sol = solveProblem(parseProblem(yaml, 'playground.yaml'));
  const dv = derive(sol);
  const blocks = layout(dv, latexNotation, 6);
  const stops: Stop[] = [];
  let note: string | undefined;
  for (const b of blocks) {
    if (b.type === 'p') {
      note = b.parts.map((p) => ('math' in p ? katex.renderToString(p.math, { throwOnError: false }) : escapeHtml(p.text))).join('');
      continue;
    }
    if (b.type === 'h') {
      note = undefined;
      continue;
    }
    if (b.type === 'eq' && b.phase && WALKED.has(b.phase)) {
      stops.push({ block: b, note });
      note = undefined;
    }
  }
  const { roots, opts } = problemGraph(sol, { digits: 4, inline: 4 });
  const model = graphModel(roots, opts);
  const ids = new Map(model.values.filter((v) => v.name).map((v) => [v.name, v.id]));
  const svg = await toSvg(roots, opts);
  return { yaml, stops, svg, ids };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** The LaTeX of one equation chain (an update rule keeps its arrow). */
export function eqLatex(b: Eq): string {
  return `${b.lhs}${b.tag === 'rule' ? ' ' : ' = '}${b.parts.join(' = ')}`;
}

const PHASE_TEXT = new Map([
  ['forward', 'forward'],
  ['backward', 'backward'],
  ['update', 'update'],
  ['then', 'rule'],
  ['after', 'after the update'],
]);

/** The list item of a stop: its phase, the typeset line, and data-node / data-value (full precision). */
export function stopItem(s: Stop, current: boolean): HTMLLIElement {
  const li = document.createElement('li');
  const b = s.block;
  li.dataset.node = b.node ?? '';
  li.dataset.phase = b.phase ?? '';
  li.dataset.value = JSON.stringify(b.value as Value);
  if (current) li.classList.add('current');
  const phase = document.createElement('span');
  phase.className = 'phase';
  phase.textContent = `${PHASE_TEXT.get(b.phase ?? '') ?? b.phase} · ${b.node}`;
  li.append(phase);
  if (s.note) {
    const p = document.createElement('div');
    p.className = 'note';
    p.innerHTML = s.note;
    li.append(p);
  }
  const math = document.createElement('div');
  math.innerHTML = katex.renderToString(eqLatex(b), { displayMode: true, throwOnError: false });
  li.append(math);
  return li;
}

/** Marks the current node in the graph's SVG (Graphviz writes each node's id as its <title>). */
export function highlight(container: HTMLElement, run: StepRun, stop: Stop | undefined): void {
  for (const g of container.querySelectorAll('g.node.current')) g.classList.remove('current', 'back');
  if (!stop?.block.node) return;
  const id = run.ids.get(stop.block.node);
  if (!id) return;
  for (const g of container.querySelectorAll('g.node')) {
    if (g.querySelector('title')?.textContent === id) {
      g.classList.add('current');
      if (stop.block.phase !== 'forward' && stop.block.phase !== 'after') g.classList.add('back');
      (g as SVGGElement).scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
    }
  }
}
