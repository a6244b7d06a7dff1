import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import katex from 'katex';
import { Marked } from 'marked';
import { ChainruleError } from '../../errors.js';

// Node-side (reads KaTeX's stylesheet and fonts from its npm package once, to inline them).

/**
 * Options of htmlPage: the title, and the body as Markdown or as HTML.
 * @example htmlPage({ title: 'T', bodyHtml: '<p>x</p>', css: 'p { color: red }' }).includes('p { color: red }') // true
 */
export interface HtmlPageOptions {
  /** The page title (also the <title>). */
  title: string;
  /** Markdown body with $$display$$ and $inline$ LaTeX (the renderer's md output). */
  bodyMarkdown?: string;
  /** A ready HTML body; $...$ in it is not touched. Exactly one of bodyMarkdown and bodyHtml. */
  bodyHtml?: string;
  /** Extra CSS appended after the page's own. */
  css?: string;
  /** Throw on LaTeX that KaTeX cannot parse, instead of showing it marked in red (default false). */
  strictMath?: boolean;
  /** The page language (default "en"). */
  lang?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

interface MathPiece {
  tex: string;
  display: boolean;
}

const PLACEHOLDER = (i: number) => `KATEXMATH${i}X`;

/**
 * Takes the maths out of Markdown before it is parsed (so `|`, `_` and `*` inside formulas cannot
 * break tables or turn into emphasis): $$...$$ (may span lines) and $...$ outside code, each
 * replaced by a placeholder. `\$` stays a literal dollar.
 */
export function extractMath(md: string): { text: string; math: MathPiece[] } {
  const math: MathPiece[] = [];
  let out = '';
  let i = 0;
  const atLineStart = (k: number) => k === 0 || md[k - 1] === '\n';
  while (i < md.length) {
    const fence = atLineStart(i) ? /^ {0,3}(`{3,}|~{3,})/.exec(md.slice(i, i + 40)) : null;
    if (fence) {
      const marker = fence[1];
      const close = new RegExp(`\\n {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*(?=\\n|$)`, 'g');
      close.lastIndex = i + fence[0].length;
      const m = close.exec(md);
      const end = m ? m.index + m[0].length : md.length;
      out += md.slice(i, end);
      i = end;
      continue;
    }
    const c = md[i];
    if (c === '\\' && i + 1 < md.length) {
      out += md.slice(i, i + 2);
      i += 2;
    } else if (c === '`') {
      const run = /^`+/.exec(md.slice(i))![0];
      const end = md.indexOf(run, i + run.length);
      const stop = end < 0 ? i + run.length : end + run.length;
      out += md.slice(i, stop);
      i = stop;
    } else if (c === '$' && md[i + 1] === '$') {
      const end = md.indexOf('$$', i + 2);
      if (end < 0) {
        out += '$$';
        i += 2;
        continue;
      }
      math.push({ tex: md.slice(i + 2, end).trim(), display: true });
      out += PLACEHOLDER(math.length - 1);
      i = end + 2;
    } else if (c === '$') {
      // inline: no space just inside the dollars, on one line, closing $ not followed by a digit
      const m = /^\$([^\s$](?:[^$\n\\]|\\.)*?(?<=[^\s\\]))\$(?!\d)/.exec(md.slice(i)) ?? /^\$([^\s$\\])\$(?!\d)/.exec(md.slice(i));
      if (m) {
        math.push({ tex: m[1], display: false });
        out += PLACEHOLDER(math.length - 1);
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return { text: out, math };
}

/**
 * Typesets one formula with KaTeX (HTML plus MathML for screen readers).
 * @example renderMath('\\frac{\\partial w}{\\partial x} = 90', true).startsWith('<span class="katex-display">') // true
 */
export function renderMath(tex: string, display: boolean, strict = false): string {
  try {
    return katex.renderToString(tex, { displayMode: display, throwOnError: true, output: 'htmlAndMathml', strict: 'ignore', trust: false });
  } catch (e) {
    if (strict) throw new ChainruleError(`html: cannot typeset ${JSON.stringify(tex)}: ${(e as Error).message}`);
    return `<code class="math-error" title="${escapeHtml((e as Error).message)}">${escapeHtml(display ? `$$${tex}$$` : `$${tex}$`)}</code>`;
  }
}

const marked = new Marked({ gfm: true, breaks: false });

/**
 * Markdown with LaTeX maths to HTML: headings, paragraphs, lists, tables, code (marked, GFM) and
 * every formula typeset server-side by KaTeX.
 * @example markdownToHtml('# Forward\n$$x_5 = \\sigma(x_1) = 0.5$$').startsWith('<h1>Forward</h1>\n<p><span class="katex-display">') // true
 */
export function markdownToHtml(md: string, strictMath = false): string {
  const { text, math } = extractMath(md);
  const html = marked.parse(text, { async: false });
  return html.replace(/KATEXMATH(\d+)X/g, (_, k: string) => {
    const m = math[Number(k)];
    return m ? renderMath(m.tex, m.display, strictMath) : _;
  });
}

let katexCss: string | null = null;

/** KaTeX's stylesheet with each font as an inline woff2 data URL (the woff/ttf fallbacks dropped). @example inlineKatexCss().includes('data:font/woff2;base64,') // true */
export function inlineKatexCss(): string {
  if (katexCss) return katexCss;
  const req = createRequire(import.meta.url);
  const cssPath = req.resolve('katex/dist/katex.min.css');
  const css = readFileSync(cssPath, 'utf8');
  const fonts = join(dirname(cssPath), 'fonts');
  katexCss = css.replace(/src:url\(fonts\/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[\w]+"\))*/g, (_, name: string) => {
    const b64 = readFileSync(join(fonts, `${name}.woff2`)).toString('base64');
    return `src:url(data:font/woff2;base64,${b64}) format("woff2")`;
  });
  if (/url\((?!data:)/.test(katexCss)) throw new ChainruleError('html: a KaTeX font reference could not be inlined (unexpected katex.min.css layout)');
  return katexCss;
}

const PAGE_CSS = `
:root { color-scheme: light; }
body { margin: 0; background: #f9fafb; color: #111827; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 920px; margin: 0 auto; padding: 32px 28px 64px; background: #fff; min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1.8em; margin: 0 0 0.6em; border-bottom: 2px solid #e5e7eb; padding-bottom: 0.3em; }
h2 { font-size: 1.35em; margin: 1.6em 0 0.5em; border-bottom: 1px solid #e5e7eb; padding-bottom: 0.2em; }
h3 { font-size: 1.12em; margin: 1.3em 0 0.4em; }
p, ul, ol { margin: 0.6em 0; }
li { margin: 0.2em 0; }
code { font: 0.9em/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f3f4f6; padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: #f3f4f6; padding: 12px 14px; border-radius: 6px; overflow-x: auto; }
pre code { background: none; padding: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.95em; }
th, td { border: 1px solid #d1d5db; padding: 4px 10px; text-align: left; vertical-align: middle; }
th { background: #f3f4f6; }
td[align="right"], th[align="right"] { text-align: right; }
blockquote { margin: 0.8em 0; padding: 0.2em 1em; border-left: 4px solid #93c5fd; background: #eff6ff; }
.katex-display { overflow-x: auto; overflow-y: hidden; padding: 2px 0; }
.math-error { color: #b91c1c; background: #fef2f2; }
img, svg { max-width: 100%; }
`;

/**
 * One self-contained HTML page: the body (Markdown converted, or HTML as given) with every
 * formula typeset by KaTeX at build time, KaTeX's CSS and fonts inlined (woff2 data URLs) — no
 * script and no network access when the page is viewed.
 *
 * @example
 * ```ts
 * const page = htmlPage({ title: 'Network N', bodyMarkdown: '## Forward\n$$x_5 = \\sigma(x_1) = 0.5$$' });
 * [page.startsWith('<!DOCTYPE html>'), page.includes('<script')] // [true, false]
 * ```
 */
export function htmlPage(opts: HtmlPageOptions): string {
  if ((opts.bodyMarkdown === undefined) === (opts.bodyHtml === undefined)) {
    throw new ChainruleError('htmlPage: give exactly one of bodyMarkdown and bodyHtml');
  }
  const body = opts.bodyHtml ?? markdownToHtml(opts.bodyMarkdown!, opts.strictMath ?? false);
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(opts.lang ?? 'en')}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="chainrule">',
    `<title>${escapeHtml(opts.title)}</title>`,
    `<style>${inlineKatexCss()}</style>`,
    `<style>${PAGE_CSS}${opts.css ?? ''}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
