import type { Derivation } from '../derivation/derivation.js';
import { htmlPage, renderMath } from './html.js';
import { type Block, type Inline, layout } from './layout.js';
import type { RenderOptions } from './render.js';
import { latex } from '../symbolic/notation.js';

// Node-side: the page inlines KaTeX's stylesheet and fonts (html.ts).

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const inline = (parts: Inline[]) => parts.map((p) => ('math' in p ? `<span class="m">${renderMath(p.math, false)}</span>` : esc(p.text))).join('');

/** One step of an equation, typeset in display style; its factors or terms each their own box, so a narrow screen wraps between them. */
function step(rel: string, pieces: string[]): string {
  const boxes = pieces.map((p, i) => `<span class="piece">${renderMath(`\\displaystyle ${i === 0 && rel ? `{}${rel} ` : '{}'}${p}`, false)}</span>`);
  return `<span class="step">${boxes.join('')}</span>`;
}

/**
 * An equation chain that reflows: the left-hand side, then each "= step" a box of its own that
 * moves to the next line when the line is full (so long equations break at "="), and a step
 * wider than the screen wraps between its factors; a single factor still too wide scrolls in
 * its own box. Nothing is clipped at any width.
 */
function equation(b: Block & { type: 'eq' }): string {
  const rule = b.tag === 'rule';
  const steps = b.parts.map((p, i) => step(i === 0 && rule ? '' : '=', b.pieces?.[i] ?? [p]));
  return `<div class="eq"><span class="step lhs">${renderMath(`\\displaystyle ${b.lhs}`, false)}</span>${steps.join('')}</div>`;
}

function table(b: Block & { type: 'table' }): string {
  const cls = (i: number) => (b.align?.[i] === 'right' ? ' class="num"' : '');
  const head = `<tr>${b.head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr>`;
  const rows = b.rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${inline([c])}</td>`).join('')}</tr>`).join('\n');
  return `<div class="table"><table>\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
}

/**
 * The drawing's natural width in CSS px (Graphviz writes it in pt), as a style variable: on a phone
 * the graph keeps a legible size (at most 720 px, never above its natural width) and scrolls
 * sideways in its own box instead of shrinking to unreadable text.
 */
function naturalWidth(svg: string): string {
  const m = /<svg\b[^>]*?\swidth="([\d.]+)(pt|px)?"/.exec(svg);
  if (!m) return '';
  const px = Number(m[1]) * (m[2] === 'pt' ? 4 / 3 : 1);
  return ` style="--natural-width: ${Math.round(px)}px"`;
}

function graph(opts: RenderOptions): string {
  const g = opts.graph;
  if (!g?.svg) return '';
  const full = g.svgFull ? `\n<details><summary>Every op of the graph</summary>\n<div class="graph"${naturalWidth(g.svgFull)}>${g.svgFull}</div>\n</details>` : '';
  return `<figure class="graph"${naturalWidth(g.svg)}>${g.svg}<figcaption>The computation graph: values with their gradients, and the op between them.</figcaption></figure>${full}`;
}

const SOLUTION_CSS = `
main { max-width: 1120px; }
h2 { scroll-margin-top: 8px; }
p.statement { font-style: italic; color: #374151; border-left: 4px solid #d1d5db; padding-left: 12px; }
p.note { color: #374151; }
p.warning { background: #fef3c7; border-left: 4px solid #d97706; padding: 6px 12px; }
nav.toc { font-size: 0.95em; margin: 0.8em 0 1.2em; }
nav.toc a { margin-right: 0.9em; white-space: nowrap; }
.m { white-space: nowrap; }
.eq { display: flex; flex-wrap: wrap; align-items: center; column-gap: 0.35em; row-gap: 0.3em; margin: 0.9em 0; padding-left: 2em; text-indent: 0; }
.eq > .step:first-child { margin-left: -2em; }
.step { display: inline-flex; flex-wrap: wrap; align-items: center; max-width: 100%; }
.piece { display: inline-block; max-width: 100%; overflow-x: auto; overflow-y: hidden; padding: 2px 0; white-space: nowrap; }
.piece .katex { font-size: 1.1em; }
.table { overflow-x: auto; }
td.num, th.num { text-align: right; }
figure.graph { margin: 1em 0; overflow-x: auto; }
figure.graph svg, div.graph svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.9em; color: #4b5563; }
@media (max-width: 600px) {
  main { padding: 20px 12px 48px; }
  .eq { padding-left: 1em; }
  .eq > .step:first-child { margin-left: -1em; }
  figure.graph svg, div.graph svg { max-width: none; width: min(var(--natural-width, 100%), 720px); }
  div.graph { overflow-x: auto; }
}
`;

/**
 * The worked solution as one self-contained HTML page, written from the layout's blocks: KaTeX
 * typesets every formula at build time, equations reflow at "=" and between factors, the
 * summary is a table, and the computation graph (when given) is embedded as SVG.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const dv = derive(solveProblem(problem));
 * renderSolutionHtml(dv, 6).includes('class="eq"') // true
 * ```
 */
export function renderSolutionHtml(dv: Derivation, digits = 6, opts: RenderOptions = {}): string {
  const blocks = layout(dv, latex, digits, !!opts.graph?.svg);
  const body: string[] = [];
  for (const b of blocks) {
    if (b.type === 'h') body.push(`<h${b.level}${b.id ? ` id="${esc(b.id)}"` : ''}>${esc(b.text)}</h${b.level}>`);
    else if (b.type === 'p') body.push(`<p${b.role ? ` class="${b.role}"` : ''}>${inline(b.parts)}</p>`);
    else if (b.type === 'toc') body.push(`<nav class="toc">Contents: ${b.items.map((x) => `<a href="#${esc(x.id)}">${esc(x.text)}</a>`).join(' ')}</nav>`);
    else if (b.type === 'table') body.push(table(b));
    else if (b.type === 'graph') {
      body.push(graph(opts));
    } else body.push(equation(b));
  }
  return htmlPage({ title: dv.title, bodyHtml: body.join('\n'), css: SOLUTION_CSS });
}
