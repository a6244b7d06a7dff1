import { type GraphModel, type GraphOptions, type ValueNode, graphModel } from './graph-model.js';
import type { Tensor } from '../../ops/index.js';

export type { GraphModel, GraphOptions, OpNode, ValueNode } from './graph-model.js';
export { graphModel } from './graph-model.js';

const FILL: Record<ValueNode['role'], string> = {
  input: '#dcfce7',
  param: '#dbeafe',
  constant: '#f3f4f6',
  computed: '#ffffff',
  root: '#fde68a',
  loss: '#fecaca',
};
/** How each kind of value is drawn: its fill, and its outline (dashed for constants, bold for the loss). */
const STYLE: Record<ValueNode['role'], string> = {
  input: 'rounded,filled',
  param: 'rounded,filled,bold',
  constant: 'rounded,filled,dashed',
  computed: 'rounded,filled',
  root: 'rounded,filled',
  loss: 'rounded,filled,bold',
};
const ROLE_TEXT: Record<ValueNode['role'], string> = {
  input: 'input',
  param: 'parameter (learned)',
  constant: 'constant',
  computed: 'computed',
  root: 'output',
  loss: 'loss',
};

/** Escapes text for a double-quoted DOT string inside a record label. */
function recordEscape(s: string): string {
  return s.replace(/[\\{}|<>"]/g, (c) => `\\${c}`);
}

/** Escapes text for a plain double-quoted DOT string. */
function dotEscape(s: string): string {
  return s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

function valueFields(v: ValueNode): string[] {
  const fields = [v.name, `data ${v.value}`];
  if (v.grad !== null) fields.push(`grad ${v.grad}`);
  return v.name ? fields : fields.slice(1);
}

/** The DOT text of a graph model (see toDot). @example modelToDot(graphModel(tensor([1], { requiresGrad: true, name: 'x' }).exp())).startsWith('digraph chainrule {') // true */
export function modelToDot(m: GraphModel): string {
  const lines = [
    'digraph chainrule {',
    `  graph [rankdir=${m.direction}, fontname="Helvetica", fontsize=12, nodesep=0.25, ranksep=0.35${m.title ? `, label="${dotEscape(m.title)}", labelloc=t` : ''}];`,
    '  node [fontname="Helvetica", fontsize=11, color="#374151"];',
    '  edge [color="#6b7280", arrowsize=0.7, fontname="Helvetica", fontsize=9, fontcolor="#6b7280"];',
  ];
  for (const v of m.values) {
    const label = valueFields(v).map(recordEscape).join(' | ');
    lines.push(`  ${v.id} [shape=record, style="${STYLE[v.role]}", fillcolor="${FILL[v.role]}", label="{ ${label} }", tooltip="${dotEscape(v.shape)}"];`);
  }
  if (m.legend.length) {
    lines.push('  subgraph cluster_legend {', '    label="legend"; fontsize=10; color="#d1d5db"; style="rounded";');
    for (const r of m.legend) lines.push(`    legend_${r} [shape=box, style="${STYLE[r]}", fillcolor="${FILL[r]}", label="${ROLE_TEXT[r]}", fontsize=9, height=0.25];`);
    lines.push('    legend_op [shape=ellipse, style=filled, fillcolor="#ecfdf5", label="op", fontsize=9, height=0.25];');
    lines.push(`    ${[...m.legend.map((r) => `legend_${r}`), 'legend_op'].join(' -> ')} [style=invis];`, '  }');
  }
  for (const op of m.ops) {
    const round = [...op.label].length <= 2 && op.opName !== 'line';
    const shape = round ? 'circle, width=0.4, fixedsize=true' : 'ellipse, height=0.4';
    lines.push(`  ${op.id} [shape=${shape}, style=filled, fillcolor="#ecfdf5", label="${dotEscape(op.label)}", tooltip="${dotEscape(op.opName)}"];`);
    op.inputs.forEach((inp, k) => {
      lines.push(`  ${inp} -> ${op.id}${op.ordered ? ` [label="${k + 1}"]` : ''};`);
    });
    lines.push(`  ${op.id} -> ${op.output};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * The computation graph behind `roots` in Graphviz DOT: record-shaped value nodes showing name,
 * value and gradient, and a small op node (+, ·, @, σ, exp ...) between each op's inputs and its output.
 * Scalars print their value; larger tensors a summary like "2×3, |x|max 4.1".
 *
 * @example
 * ```ts
 * const x = tensor([1], { dtype: 'float64', requiresGrad: true, name: 'x' });
 * const y = tensor([2], { dtype: 'float64', requiresGrad: true, name: 'y' });
 * const w = x.mul(y);
 * w.name = 'w';
 * const graphText = toDot(w, { grads: 'compute' });
 * graphText.includes('label="{ x | data 1 | grad 2 }"') // true
 * ```
 */
export function toDot(roots: Tensor | readonly Tensor[], opts: GraphOptions = {}): string {
  return modelToDot(graphModel(roots, opts));
}

/** Escapes text for a double-quoted Mermaid label. */
function mermaidEscape(s: string): string {
  return s.replace(/&/g, '#amp;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/** The Mermaid flowchart text of a graph model (see toMermaid). @example modelToMermaid(graphModel(tensor([1], { requiresGrad: true, name: 'x' }).exp())).split('\n')[0] // 'flowchart LR' */
export function modelToMermaid(m: GraphModel): string {
  const lines = [`flowchart ${m.direction}`];
  if (m.title) lines.unshift('---', `title: ${m.title.replace(/\n/g, ' ')}`, '---');
  for (const v of m.values) {
    const [head, ...rest] = valueFields(v).map(mermaidEscape);
    const label = v.name ? `<b>${head}</b>${rest.map((f) => `<br/>${f}`).join('')}` : [head, ...rest].join('<br/>');
    lines.push(`  ${v.id}["${label}"]:::${v.role}`);
  }
  for (const op of m.ops) {
    lines.push(`  ${op.id}(("${mermaidEscape(op.label)}")):::op`);
    op.inputs.forEach((inp, k) => {
      lines.push(op.ordered ? `  ${inp} -- "${k + 1}" --> ${op.id}` : `  ${inp} --> ${op.id}`);
    });
    lines.push(`  ${op.id} --> ${op.output}`);
  }
  if (m.legend.length) {
    lines.push('  subgraph legend [legend]');
    for (const r of m.legend) lines.push(`    legend_${r}["${ROLE_TEXT[r]}"]:::${r}`);
    lines.push('  end');
  }
  lines.push(
    '  classDef input fill:#dcfce7,stroke:#374151',
    '  classDef param fill:#dbeafe,stroke:#374151,stroke-width:2px',
    '  classDef constant fill:#f3f4f6,stroke:#374151,stroke-dasharray:4 3',
    '  classDef computed fill:#ffffff,stroke:#374151',
    '  classDef root fill:#fde68a,stroke:#374151',
    '  classDef loss fill:#fecaca,stroke:#374151,stroke-width:2px',
    '  classDef op fill:#ecfdf5,stroke:#374151',
  );
  return `${lines.join('\n')}\n`;
}

/**
 * The computation graph behind `roots` as a Mermaid flowchart (renders on GitHub and in many
 * Markdown viewers): value nodes with name, value and gradient, round op nodes between them.
 *
 * @example
 * ```ts
 * const x = tensor([3], { requiresGrad: true, name: 'x' });
 * const chart = toMermaid(x.sigmoid(), { grads: 'compute' });
 * chart.split('\n')[1] // '  v0["<b>x</b><br/>data 3<br/>grad 0.04518"]:::param'
 * ```
 */
export function toMermaid(roots: Tensor | readonly Tensor[], opts: GraphOptions = {}): string {
  return modelToMermaid(graphModel(roots, opts));
}

/**
 * The computation graph as a standalone SVG document, laid out by Graphviz compiled to
 * WebAssembly (@viz-js/viz, loaded on first use; no system program is run).
 *
 * @example
 * ```ts
 * const x = tensor([3], { requiresGrad: true, name: 'x' });
 * const svg = await toSvg(x.sigmoid(), { grads: 'compute' });
 * svg.trim().endsWith('</svg>') // true
 * ```
 */
export async function toSvg(roots: Tensor | readonly Tensor[], opts: GraphOptions = {}): Promise<string> {
  const dot = toDot(roots, opts);
  return dotToSvg(dot);
}

let vizInstance: Promise<{ renderString(src: string, o: { format: string }): string }> | null = null;

/** Lays out DOT text with Graphviz (WebAssembly) and returns SVG. @example (await dotToSvg('digraph { a -> b }')).startsWith('<?xml') // true */
export async function dotToSvg(dot: string): Promise<string> {
  if (!vizInstance) vizInstance = import('@viz-js/viz').then((m) => m.instance());
  const viz = await vizInstance;
  return viz.renderString(dot, { format: 'svg' });
}
