import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import katex from 'katex';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

let css: string | undefined;

/** KaTeX's stylesheet with its woff2 fonts inlined as data URLs, so the page needs no network. */
function katexCss(): string {
  if (css !== undefined) return css;
  const req = createRequire(import.meta.url);
  const file = req.resolve('katex/dist/katex.min.css');
  const dir = dirname(file);
  css = readFileSync(file, 'utf8').replace(/src:([^;}]*)/g, (all, srcs: string) => {
    const m = /url\((fonts\/[^)]+\.woff2)\)/.exec(srcs);
    if (!m) return all;
    const data = readFileSync(join(dir, m[1])).toString('base64');
    return `src:url(data:font/woff2;base64,${data}) format("woff2")`;
  });
  return css;
}

function tex(src: string, display: boolean): string {
  return katex.renderToString(src, { displayMode: display, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
}

function inline(text: string): string {
  return text
    .split(/(\$[^$]+\$)/)
    .map((part) => (part.startsWith('$') && part.endsWith('$') && part.length > 1 ? tex(part.slice(1, -1), false) : esc(part)))
    .join('');
}

/**
 * Turns the Markdown of a worked solution (headings, paragraphs, $$display$$ and $inline$ maths)
 * into one self-contained HTML page, the maths typeset by KaTeX at build time.
 *
 * @example renderHtml('Network N', '# Network N\n\n$$x = 1$$\n').includes('katex') // true
 */
export function renderHtml(title: string, markdown: string): string {
  const body: string[] = [];
  for (const block of markdown.split(/\n{2,}/)) {
    const b = block.trim();
    if (!b) continue;
    const h = /^(#{1,6}) (.*)$/.exec(b);
    if (h) body.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`);
    else if (b.startsWith('$$') && b.endsWith('$$')) body.push(`<div class="eq">${tex(b.slice(2, -2), true)}</div>`);
    else body.push(`<p>${inline(b)}</p>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${katexCss()}</style>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}.eq{overflow-x:auto;margin:0.6rem 0}h1{border-bottom:1px solid #ccc}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}
