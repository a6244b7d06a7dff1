// The HTML page of a TextExplanation (Node: the page inlines KaTeX's styles from disk).
import { htmlPage } from '../explain/render/html.js';
import type { TextExplanation } from './explain.js';
import { attentionSvg, completenessLine, explanationSvg, headline, rgba, scaleOf, signed } from './explain-render.js';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * A self-contained HTML page of an explanation: the highlighted text (each token's attribution on
 * hover), the prediction and completeness check, the ranked table, the SVG figure and, for the
 * transformer, the attention heatmaps. No script and nothing fetched.
 * @example
 * ```ts
 * const features = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const module = new text.LogisticRegression(features.size, 2);
 * const page = explanationHtml(text.explainText({ module, features, labels: ['ham', 'spam'] }, 'free prize'));
 * page.includes('<svg') // true
 * ```
 */
export function explanationHtml(e: TextExplanation, top = 25): string {
  const scale = scaleOf(e);
  const spans = e.tokens
    .map((t) => `<span class="tok" style="background:${rgba(t.attribution, scale)}" title="${esc(`${signed(t.attribution)}${t.known ? '' : ' (unknown token)'}`)}">${esc(t.token)}</span>`)
    .join(' ');
  const ranked = e.tokens.map((t, i) => ({ ...t, i })).sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution) || a.i - b.i);
  const rows = ranked
    .slice(0, top)
    .map((t, k) => `<tr><td>${k + 1}</td><td><span class="tok" style="background:${rgba(t.attribution, scale)}">${esc(t.token)}</span></td><td>${t.i + 1}</td><td class="num">${esc(signed(t.attribution))}</td></tr>`)
    .join('\n');
  const attention = attentionSvg(e);
  const body = [
    `<h1>Why ${esc(e.label)}?</h1>`,
    `<p>${esc(headline(e))}.</p>`,
    `<p class="${e.completeness.holds ? '' : 'warn'}">${esc(completenessLine(e))}.</p>`,
    `<p class="text">${spans}</p>`,
    `<p class="legend"><span class="tok" style="background:${rgba(scale, scale)}">red</span> pushes toward ${esc(e.label)}, <span class="tok" style="background:${rgba(-scale, scale)}">blue</span> against it; hover a token for its attribution.</p>`,
    `<h2>Ranked tokens</h2>`,
    `<table><thead><tr><th>rank</th><th>token</th><th>position</th><th>attribution</th></tr></thead><tbody>\n${rows}\n</tbody></table>`,
    ranked.length > top ? `<p>${ranked.length - top} more tokens in explanation.json.</p>` : '',
    `<h2>Figure</h2>`,
    `<figure class="figure">${explanationSvg(e)}</figure>`,
    attention ? `<h2>Attention maps</h2>\n<figure class="figure">${attention}</figure>` : '',
  ].join('\n');
  return htmlPage({
    title: `Why ${e.label}? (${e.tokens.length} tokens)`,
    bodyHtml: body,
    css: '.tok { border-radius: 3px; padding: 1px 3px; } p.text { line-height: 2; font-size: 1.1em; } td.num { text-align: right; font-variant-numeric: tabular-nums; } .warn { color: #b91c1c; } figure.figure { margin: 1em 0; overflow-x: auto; } figure.figure svg { max-width: 100%; height: auto; }',
  });
}
