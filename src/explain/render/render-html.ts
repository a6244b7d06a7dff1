import { htmlPage } from './html.js';
import type { Derivation } from '../derivation/derivation.js';
import { type Format, type RenderOptions, render as renderPortable } from './render.js';
import { renderSolutionHtml } from './html-solution.js';

/**
 * One self-contained HTML page for a worked solution written in Markdown: the page assembly,
 * with KaTeX and its fonts inlined, is html.ts's `htmlPage`.
 * @example renderHtml('Network N', '# Network N\n\n$$x = 1$$\n').includes('katex') // true
 */
export function renderHtml(title: string, markdown: string): string {
  return htmlPage({ title, bodyMarkdown: markdown });
}

/**
 * Writes a derivation in one format, html included (the Node entry's render; the browser entry's
 * has every format but html, whose page inlines KaTeX's fonts from node_modules).
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\n');
 * const dv = derive(solveProblem(problem));
 * render(dv, 'html').startsWith('<!DOCTYPE html>') // true
 * ```
 */
export function render(dv: Derivation, format: Format, opts: RenderOptions = {}): string {
  if (format !== 'html') return renderPortable(dv, format, opts);
  const digits = opts.digits ?? 6;
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) return renderPortable(dv, format, opts);
  return renderSolutionHtml(dv, digits, opts);
}
