import { htmlPage } from './html.js';
import { registerHtmlRenderer } from './render.js';

/**
 * One self-contained HTML page for a worked solution written in Markdown: the page assembly,
 * with KaTeX and its fonts inlined, is html.ts's `htmlPage`.
 * @example renderHtml('Network N', '# Network N\n\n$$x = 1$$\n').includes('katex') // true
 */
export function renderHtml(title: string, markdown: string): string {
  return htmlPage({ title, bodyMarkdown: markdown });
}

registerHtmlRenderer(renderHtml);
