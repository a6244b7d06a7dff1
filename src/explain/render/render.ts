import { ChainruleError } from '../../errors.js';
import type { Derivation } from '../derivation/derivation.js';
import { type Block, type Inline, layout } from './layout.js';
import { type Value, fmtNumber, latex, unicode, unwrapSingle } from '../symbolic/notation.js';

export type Format = 'md' | 'tex' | 'text' | 'html' | 'json';
export const FORMATS: Format[] = ['md', 'tex', 'text', 'html', 'json'];

export interface RenderOptions {
  /** significant digits shown (default 6; json always keeps full float64 precision) */
  digits?: number;
}

/** Two steps of an equation share one line unless two matrices or a long formula would overflow a page. */
const fitsOneLine = (b: Block & { type: 'eq' }): boolean =>
  b.parts.length <= 1 || (b.parts.length === 2 && (`${b.lhs}${b.parts.join('')}`.match(/\\begin\{bmatrix\}/g) ?? []).length < 2 && b.parts.join('').length < 160);

function eqLatex(b: Block & { type: 'eq' }): string {
  const sep = b.tag === 'rule' ? ' ' : ' = ';
  if (fitsOneLine(b)) return `${b.lhs}${sep}${b.parts.join(' = ')}`;
  // an update rule (W ← W - η ∂L/∂W) gets a line of its own, the arrow aligned with the = below
  const arrow = b.lhs.indexOf(' \\leftarrow ');
  if (arrow > 0 && b.tag !== 'rule') {
    const steps = b.parts.map((p) => `&= ${p}`).join(' \\\\ ');
    return `\\begin{aligned} ${b.lhs.slice(0, arrow)} &\\leftarrow ${b.lhs.slice(arrow + 12)} \\\\ ${steps} \\end{aligned}`;
  }
  const rest = b.parts.slice(1).map((p) => `&= ${p}`);
  return `\\begin{aligned} ${b.lhs} ${b.tag === 'rule' ? '&\\quad' : '&='} ${b.parts[0]} \\\\ ${rest.join(' \\\\ ')} \\end{aligned}`;
}

const inlineMd = (parts: Inline[]) => parts.map((p) => ('math' in p ? `$${p.math}$` : p.text)).join('');

/** Markdown with $$ display maths, in the seeds' style. */
export function renderMarkdown(dv: Derivation, digits = 6): string {
  const blocks = layout(dv, latex, digits);
  const out: string[] = [];
  for (const b of blocks) {
    if (b.type === 'h') out.push(`${'#'.repeat(b.level)} ${b.text}`);
    else if (b.type === 'p') out.push(inlineMd(b.parts));
    else out.push(`$$${eqLatex(b)}$$`);
  }
  return `${out.join('\n\n')}\n`;
}

const texEscape = (s: string) => s.replace(/([#$%&_{}])/g, '\\$1');

/** A LaTeX fragment (needs amsmath and amssymb): sections, paragraphs and display equations. */
export function renderTex(dv: Derivation, digits = 6): string {
  const blocks = layout(dv, latex, digits);
  const out: string[] = [`% ${texEscape(dv.title)}: worked solution written by chainrule`];
  for (const b of blocks) {
    if (b.type === 'h') out.push(b.level === 1 ? `\\section*{${texEscape(b.text)}}` : `\\subsection*{${texEscape(b.text)}}`);
    else if (b.type === 'p') out.push(b.parts.map((p) => ('math' in p ? `$${p.math}$` : texEscape(p.text))).join(''));
    else out.push(`\\[ ${eqLatex(b)} \\]`);
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
 * @example render(derive(solveFile('examples/problems/network-n.yaml')), 'md').startsWith('# Network N') // true
 */
export function render(dv: Derivation, format: Format, opts: RenderOptions = {}): string {
  const digits = opts.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new ChainruleError(`render: digits must be an integer from 1 to 17, got ${digits}`);
  switch (format) {
    case 'md':
      return renderMarkdown(dv, digits);
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
