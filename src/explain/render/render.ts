import { ChainruleError } from '../../errors.js';
import type { Derivation } from '../derivation/derivation.js';
import { type Block, type Inline, layout } from './layout.js';
import { texWidth } from './width.js';
import { type Value, fmtNumber, latex, unicode, unwrapSingle } from '../symbolic/notation.js';

/**
 * The formats render writes: Markdown with LaTeX, a LaTeX document, terminal text, a
 * self-contained HTML page (Node entry), and the numbers as JSON.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const dv = derive(solveProblem(problem));
 * const fmt: Format = 'text';
 * render(dv, fmt).split('\n')[0] // 'TINY'
 * ```
 */
export type Format = 'md' | 'tex' | 'text' | 'html' | 'json';
/** Every Format, in the order the CLI lists them. @example FORMATS // ['md', 'tex', 'text', 'html', 'json'] */
export const FORMATS: Format[] = ['md', 'tex', 'text', 'html', 'json'];

/**
 * Options of render.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const dv = derive(solveProblem(problem));
 * render(dv, 'md', { digits: 3 }).includes('0.998') // true
 * ```
 */
export interface RenderOptions {
  /** significant digits shown (default 6; json always keeps full float64 precision) */
  digits?: number;
  /** the computation graph to embed: Mermaid text for md, SVG documents for html (the collapsed view, and every op) */
  graph?: {
    /** the graph as Mermaid text, embedded by the md format in a ```mermaid block */
    mermaid?: string;
    /** the collapsed graph (one box per problem node) as an SVG document, for html */
    svg?: string;
    /** the full graph (one box per op) as an SVG document, for html's second view */
    svgFull?: string;
  };
}

/** The line width equations are broken to, in em: a TeX page's text width, a Markdown viewer's. */
export const TEX_WIDTH_EM = 31;
export const MD_WIDTH_EM = 40;

/**
 * An equation chain in LaTeX: on one line when it fits `limit` em, else one step per line aligned
 * at "=" (an update at its "←"), and a step still too long broken between its factors or terms.
 */
export function eqLatex(b: Block & { type: 'eq' }, limit = TEX_WIDTH_EM): string {
  const rule = b.tag === 'rule';
  const arrow = b.lhs.indexOf(' \\leftarrow');
  const oneLine = `${b.lhs}${rule ? ' ' : ' = '}${b.parts.join(' = ')}`;
  if (texWidth(oneLine) <= limit) return oneLine;
  // the first line: "lhs &= step" or, for an update, "w &\leftarrow rule"
  const head = arrow > 0 ? `${b.lhs.slice(0, arrow)} &\\leftarrow ${b.lhs.slice(arrow + ' \\leftarrow'.length).trim()}` : null;
  const lhsW = texWidth(arrow > 0 ? b.lhs.slice(0, arrow) : b.lhs) + 1.5;
  const lines: string[] = [];
  const stepLines = (i: number, rel: string): string[] => {
    const pieces = b.pieces?.[i] ?? [b.parts[i]];
    const budget = limit - lhsW;
    if (texWidth(b.parts[i]) <= budget || pieces.length === 1) return [`${rel} ${b.parts[i]}`];
    const out: string[] = [];
    let cur = '';
    for (const p of pieces) {
      if (cur && texWidth(`${cur} ${p}`) > budget) {
        out.push(cur);
        cur = p;
      } else cur = cur ? `${cur} ${p}` : p;
    }
    if (cur) out.push(cur);
    return out.map((l, k) => (k === 0 ? `${rel} ${l}` : `&\\qquad ${l}`));
  };
  if (head && !rule) {
    lines.push(head);
    for (let i = 0; i < b.parts.length; i++) lines.push(...stepLines(i, '&='));
  } else if (rule) {
    const [first, ...rest] = stepLines(0, '&\\leftarrow');
    lines.push(`${b.lhs.replace(/ ?\\leftarrow$/, '')} ${first}`, ...rest);
    for (let i = 1; i < b.parts.length; i++) lines.push(...stepLines(i, '&='));
  } else {
    const [first, ...rest] = stepLines(0, '&=');
    lines.push(`${b.lhs} ${first}`, ...rest);
    for (let i = 1; i < b.parts.length; i++) lines.push(...stepLines(i, '&='));
  }
  return `\\begin{aligned} ${lines.join(' \\\\ ')} \\end{aligned}`;
}

const inlineMd = (parts: Inline[]) => parts.map((p) => ('math' in p ? `$${p.math}$` : mdEscape(p.text))).join('');
/** Markdown's own characters in plain text (a title with `*` is not emphasis). */
const mdEscape = (s: string) => s.replace(/([\\`*_[\]#<>|])/g, '\\$1');

/** Markdown with $$ display maths, in the seeds' style. */
export function renderMarkdown(dv: Derivation, digits = 6, opts: RenderOptions = {}): string {
  const blocks = layout(dv, latex, digits, !!opts.graph?.mermaid);
  const out: string[] = [];
  for (const b of blocks) {
    if (b.type === 'h') out.push(`${'#'.repeat(b.level)} ${mdEscape(b.text)}`);
    else if (b.type === 'p') {
      const body = inlineMd(b.parts);
      out.push(b.role === 'statement' ? `> ${body}` : b.role === 'warning' ? `> **${body.replace(/^Warning: /, 'Warning:** ')}` : body);
    } else if (b.type === 'toc') out.push(`Contents: ${b.items.map((x) => `[${mdEscape(x.text)}](#${x.id})`).join(' · ')}`);
    else if (b.type === 'table') {
      const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
      out.push(
        [row(b.head.map(mdEscape)), row(b.head.map((_, i) => (b.align?.[i] === 'right' ? '---:' : '---'))), ...b.rows.map((r) => row(r.map((c) => inlineMd([c]))))].join('\n'),
      );
    } else if (b.type === 'graph') {
      if (opts.graph?.mermaid) out.push(`\`\`\`mermaid\n${opts.graph.mermaid.trimEnd()}\n\`\`\``);
    } else out.push(`$$${eqLatex(b, MD_WIDTH_EM)}$$`);
  }
  return `${out.join('\n\n')}\n`;
}

const TEX_TEXT: Record<string, string> = {
  σ: '$\\sigma$',
  Σ: '$\\Sigma$',
  '≥': '$\\geq$',
  '≤': '$\\leq$',
  '×': '$\\times$',
  '−': '$-$',
  '′': "$'$",
  '²': '$^2$',
  '⊙': '$\\odot$',
  '∂': '$\\partial$',
  'η': '$\\eta$',
  '’': "'",
  '·': '$\\cdot$',
  '√': '$\\surd$',
  '∞': '$\\infty$',
  '…': '\\ldots{}',
  '^': '\\^{}',
  '~': '\\~{}',
  '\\': '\\textbackslash{}',
};
const texEscape = (s: string) => s.replace(/([#$%&_{}])/g, '\\$1').replace(/[σΣ≥≤×−′²⊙∂η’·√∞…^~]/g, (c) => TEX_TEXT[c] ?? c);

/** A LaTeX fragment (needs amsmath and amssymb): sections, paragraphs, display equations and the summary table. */
export function renderTex(dv: Derivation, digits = 6): string {
  const blocks = layout(dv, latex, digits);
  const out: string[] = [`% ${texEscape(dv.title)}: worked solution written by chainrule`];
  const para = (parts: Inline[]) => parts.map((p) => ('math' in p ? `$${p.math}$` : texEscape(p.text))).join('');
  for (const b of blocks) {
    if (b.type === 'h') out.push(b.level === 1 ? `\\section*{${texEscape(b.text)}}` : `\\subsection*{${texEscape(b.text)}}`);
    else if (b.type === 'p') out.push(b.role === 'statement' ? `\\emph{${para(b.parts)}}` : b.role === 'warning' ? `\\textbf{${para(b.parts)}}` : para(b.parts));
    else if (b.type === 'toc') continue;
    else if (b.type === 'graph') continue;
    else if (b.type === 'table') {
      const cols = b.head.map((_, i) => (b.align?.[i] === 'right' ? 'r' : 'l')).join('');
      const rows = [b.head.map(texEscape).join(' & '), ...b.rows.map((r) => r.map((c) => para([c])).join(' & '))];
      out.push(`\\begin{tabular}{${cols}}\n${rows.join(' \\\\\n')} \\\\\n\\end{tabular}`);
    } else out.push(`\\[ ${eqLatex(b)} \\]`);
  }
  return `${out.join('\n\n')}\n`;
}

/** Draws a matrix with box characters, one string per line. */
export function boxMatrix(v: Value, digits: number): string[] {
  if (!Array.isArray(v)) return [fmtNumber(v, digits)];
  const rows: Value[][] = Array.isArray(v[0]) ? (v as Value[][]) : (v as Value[]).map((x) => [x]);
  const cells = rows.map((r) => r.map((x) => (Array.isArray(x) ? '…' : fmtNumber(x, digits))));
  const widths = cells[0].map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  const body = cells.map((r) => r.map((c, j) => c.padStart(widths[j])).join('  '));
  if (body.length === 1) return [`[ ${body[0]} ]`];
  return body.map((line, i) => {
    const [l, r] = i === 0 ? ['⎡', '⎤'] : i === body.length - 1 ? ['⎣', '⎦'] : ['⎢', '⎥'];
    return `${l} ${line} ${r}`;
  });
}

/** Unicode for a terminal: one equation chain per step, matrices drawn with box characters. */
export function renderText(dv: Derivation, digits = 6): string {
  const blocks = layout(dv, unicode, digits);
  const out: string[] = [];
  blocks.forEach((b, i) => {
    if (b.type === 'toc') {
      out.push(`Contents: ${b.items.map((x) => x.text).join(' · ')}`);
      return;
    }
    if (b.type === 'graph') return;
    if (b.type === 'table') {
      const cells = [b.head, ...b.rows.map((r) => r.map((c) => ('math' in c ? c.math : c.text)))];
      const widths = b.head.map((_, j) => Math.max(...cells.map((r) => [...(r[j] ?? '')].length)));
      const pad = (c: string, j: number) => (b.align?.[j] === 'right' ? c.padStart(widths[j]) : c.padEnd(widths[j]));
      cells.forEach((r, k) => {
        out.push(r.map(pad).join('  ').trimEnd());
        if (k === 0) out.push(widths.map((w) => '─'.repeat(w)).join('  '));
      });
      out.push('');
      return;
    }
    if (b.type === 'h') {
      out.push('', b.level === 1 ? b.text.toUpperCase() : b.text, (b.level === 1 ? '═' : '─').repeat(Math.max(b.text.length, 4)));
    } else if (b.type === 'p') {
      out.push(b.parts.map((p) => ('math' in p ? p.math : p.text)).join(''));
      if (blocks[i + 1]?.type === 'eq') out.push('');
    } else {
      const sep = b.tag === 'rule' ? ' ' : ' = ';
      const lhs = `${b.lhs}${sep}`;
      const pad = ' '.repeat(Math.max(2, b.lhs.length + 1));
      const isMatrix = b.value !== undefined && Array.isArray(unwrapSingle(b.value)) && (b.value as Value[]).length > 1;
      const parts = isMatrix ? b.parts.slice(0, -1) : b.parts;
      const lines = parts.map((p, i) => (i === 0 ? `${lhs}${p}` : `${pad}= ${p}`));
      if (isMatrix) {
        const box = boxMatrix(b.value as Value, digits);
        const first = lines.length === 0 ? lhs : `${pad}= `;
        const indent = ' '.repeat(first.length);
        box.forEach((row, i) => {
          lines.push(i === 0 ? `${first}${row}` : `${indent}${row}`);
        });
      }
      out.push(...lines, '');
    }
  });
  return `${out.join('\n').replace(/^\n+/, '')}\n`;
}

/** The machine-readable answer: `{values, grads, updated, after}`, full float64 precision. */
export function renderJson(dv: Derivation): string {
  return `${JSON.stringify({ values: dv.values, grads: dv.grads, updated: dv.updated, after: dv.after }, null, 2)}\n`;
}

/**
 * Writes a derivation in one format.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const dv = derive(solveProblem(problem));
 * render(dv, 'md').split('\n')[0] // '# Tiny'
 * JSON.parse(render(dv, 'json')).grads.w // 0.0049330...
 * ```
 */
export function render(dv: Derivation, format: Format, opts: RenderOptions = {}): string {
  const digits = opts.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new ChainruleError(`render: digits must be an integer from 1 to 17, got ${digits}`);
  switch (format) {
    case 'md':
      return renderMarkdown(dv, digits, opts);
    case 'tex':
      return renderTex(dv, digits);
    case 'text':
      return renderText(dv, digits);
    case 'json':
      return renderJson(dv);
    // the html page inlines KaTeX's stylesheet and fonts from node_modules: render-html.ts, Node only
    case 'html':
      throw new ChainruleError("render: the html format needs chainrule's Node entry (it inlines KaTeX from node_modules); render 'md' and typeset it in the page instead");
    default:
      throw new ChainruleError(`render: unknown format ${JSON.stringify(format)} (${FORMATS.join(', ')})`);
  }
}
