// The views of a TextExplanation: a ranked list for the terminal, the text highlighted by its
// attributions (SVG and an HTML page) and the transformer's attention maps as heatmaps (SVG).
import { xmlEscape } from '../explain/plot/plot-svg.js';
import { textWidth } from '../explain/plot/plot-scene.js';
import type { TextExplanation } from './explain.js';

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
/** toward the label, against it */
const TOWARD = [220, 38, 38];
const AGAINST = [37, 99, 235];

const r4 = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2));
/** A number with its sign, − for negatives. */
export const signed = (v: number) => (v >= 0 ? `+${r4(v)}` : `−${r4(-v)}`);

/** The largest |attribution| (1 when all are 0): full colour in the figures. */
export function scaleOf(e: TextExplanation): number {
  let m = 0;
  for (const t of e.tokens) m = Math.max(m, Math.abs(t.attribution));
  return m > 0 ? m : 1;
}

/** The highlight of an attribution: its colour and opacity (|a| / the largest |a|). */
function shade(a: number, scale: number): { rgb: number[]; alpha: number } {
  return { rgb: a >= 0 ? TOWARD : AGAINST, alpha: Math.min(1, Math.abs(a) / scale) };
}

/** The CSS background of an attribution. */
export function rgba(a: number, scale: number): string {
  const { rgb, alpha } = shade(a, scale);
  return `rgba(${rgb.join(', ')}, ${(alpha * 0.85).toFixed(3)})`;
}

/** One sentence on the completeness check. */
export function completenessLine(e: TextExplanation): string {
  const c = e.completeness;
  const verdict = c.holds ? 'holds' : `does not hold within ${(c.tolerance * 100).toFixed(1)}% even at ${c.steps} steps`;
  return `completeness: attributions sum to ${r4(c.sum)}, score difference ${r4(c.difference)} (error ${(c.relativeError * 100).toFixed(3)}%, ${c.steps} steps): ${verdict}`;
}

/** One sentence on the prediction and the scores. */
export function headline(e: TextExplanation): string {
  const p = e.probabilities[e.labelIndex];
  const pred = e.predicted === e.label ? `predicted ${e.label} (p = ${p.toFixed(4)})` : `predicted ${e.predicted}; explaining ${e.label} (p = ${p.toFixed(4)})`;
  return `${pred}; logit of ${e.label} ${r4(e.score)} at the text, ${r4(e.baselineScore)} at the ${e.baseline} baseline (${e.input === 'embeddings' ? 'integrated gradients over the token embeddings' : 'integrated gradients over the feature values'})`;
}

/**
 * The ranked list `chainrule textclf explain` prints: the prediction, the completeness check, then
 * the `top` tokens by |attribution| (each position once), with a bar of their size.
 * @example
 * ```ts
 * manualSeed(0);
 * const features = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const e = text.explainText({ module: new text.LogisticRegression(features.size, 2), features, labels: ['ham', 'spam'] }, 'free prize');
 * text.explanationText(e).split('\n')[1].startsWith('completeness: attributions sum to') // true
 * ```
 */
export function explanationText(e: TextExplanation, top = 15): string {
  const scale = scaleOf(e);
  const ranked = e.tokens.map((t, i) => ({ ...t, i })).sort((a, b) => Math.abs(b.attribution) - Math.abs(a.attribution) || a.i - b.i);
  const shown = ranked.slice(0, top);
  const w = Math.max(5, ...shown.map((t) => t.token.length));
  const lines = [headline(e), completenessLine(e), '', `rank  ${'token'.padEnd(w)}  position  attribution`];
  shown.forEach((t, k) => {
    const bar = (t.attribution >= 0 ? '+' : '-').repeat(Math.max(1, Math.round((Math.abs(t.attribution) / scale) * 20)));
    lines.push(`${String(k + 1).padStart(4)}  ${t.token.padEnd(w)}  ${String(t.i + 1).padStart(8)}  ${signed(t.attribution).padStart(11)}  ${bar}${t.known ? '' : '  (unknown)'}`);
  });
  if (ranked.length > top) lines.push(`(${ranked.length - top} more tokens; + toward ${e.label}, - against)`);
  else lines.push(`(+ toward ${e.label}, - against)`);
  return lines.join('\n');
}

interface Placed {
  x: number;
  y: number;
  w: number;
  token: string;
  attribution: number;
}

/** Tokens laid out in lines of at most `width` pixels. */
function flow(e: TextExplanation, width: number, size: number, top: number): { placed: Placed[]; bottom: number } {
  const placed: Placed[] = [];
  const lineH = size * 1.9;
  let x = 0;
  let y = top;
  for (const t of e.tokens) {
    const w = textWidth(t.token, size) + size * 0.6;
    if (x > 0 && x + w > width) {
      x = 0;
      y += lineH;
    }
    placed.push({ x, y, w, token: t.token, attribution: t.attribution });
    x += w + size * 0.3;
  }
  return { placed, bottom: y + lineH };
}

/**
 * The text highlighted by its attributions as an SVG figure: each token on a background of red
 * (toward the label) or blue (against it), as strong as its share of the largest |attribution|,
 * with the prediction, the completeness check and a colour legend.
 * @example
 * ```ts
 * manualSeed(0);
 * const features = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const e = text.explainText({ module: new text.LogisticRegression(features.size, 2), features, labels: ['ham', 'spam'] }, 'free prize');
 * text.explanationSvg(e).startsWith('<svg') // true
 * ```
 */
export function explanationSvg(e: TextExplanation, width = 760): string {
  const size = 15;
  const pad = 16;
  const scale = scaleOf(e);
  const title = `Why ${e.label}? Token attributions (integrated gradients)`;
  const { placed, bottom } = flow(e, width - 2 * pad, size, pad + 62 + size * 1.15);
  const legendY = bottom + 12;
  const height = legendY + 44;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${Math.ceil(height)}" viewBox="0 0 ${width} ${Math.ceil(height)}" font-family="${FONT}">`,
    `<title>${xmlEscape(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${pad}" y="${pad + 14}" font-size="16" font-weight="bold" fill="#111827">${xmlEscape(title)}</text>`,
    `<text x="${pad}" y="${pad + 34}" font-size="12" fill="#374151">${xmlEscape(`predicted ${e.predicted} (p = ${e.probabilities[argmaxIndex(e.probabilities)].toFixed(4)}); logit of ${e.label}: ${r4(e.score)} at the text, ${r4(e.baselineScore)} at the ${e.baseline} baseline`)}</text>`,
    `<text x="${pad}" y="${pad + 50}" font-size="12" fill="${e.completeness.holds ? '#374151' : '#b91c1c'}">${xmlEscape(completenessLine(e))}</text>`,
  ];
  for (const p of placed) {
    const { rgb, alpha } = shade(p.attribution, scale);
    out.push(
      `<g><title>${xmlEscape(`${p.token}: ${signed(p.attribution)}`)}</title><rect x="${(pad + p.x).toFixed(1)}" y="${(p.y - size * 1.15).toFixed(1)}" width="${p.w.toFixed(1)}" height="${(size * 1.55).toFixed(1)}" rx="3" fill="rgb(${rgb.join(',')})" fill-opacity="${(alpha * 0.85).toFixed(3)}"/>` +
        `<text x="${(pad + p.x + size * 0.3).toFixed(1)}" y="${p.y.toFixed(1)}" font-size="${size}" fill="${alpha > 0.6 ? '#ffffff' : '#111827'}">${xmlEscape(p.token)}</text></g>`,
    );
  }
  const steps = 11;
  const cell = 22;
  out.push(`<text x="${pad}" y="${legendY + 14}" font-size="12" fill="#374151">against ${xmlEscape(e.label)}</text>`);
  const x0 = pad + textWidth(`against ${e.label}`, 12) + 8;
  for (let i = 0; i < steps; i++) {
    const a = ((i - (steps - 1) / 2) / ((steps - 1) / 2)) * scale;
    out.push(`<rect x="${(x0 + i * cell).toFixed(1)}" y="${legendY}" width="${cell}" height="18" fill="${rgba(a, scale)}" stroke="#e5e7eb"/>`);
  }
  const x1 = x0 + steps * cell + 8;
  out.push(`<text x="${x1.toFixed(1)}" y="${legendY + 14}" font-size="12" fill="#374151">toward ${xmlEscape(e.label)}   (full colour: |attribution| ${r4(scale)})</text>`);
  out.push('</svg>', '');
  return out.join('\n');
}

function argmaxIndex(xs: readonly number[]): number {
  let k = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[k]) k = i;
  return k;
}

/** The most tokens an attention heatmap shows (the first ones of the text). */
export const ATTENTION_TOKENS = 40;

/**
 * The transformer's attention weights as heatmaps, one per layer (rows) and head (columns): the
 * query token down the side, the key token along the top, darker for more weight (each row sums
 * to 1; black is the largest weight of all the maps, and each map's own largest is in its title). Long texts show their first 40 tokens. Empty without attention.
 * @example
 * ```ts
 * manualSeed(0);
 * const features = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'seq', minCount: 1, maxSize: 100, maxLength: 8 });
 * const module = new text.TransformerClassifier(features.size, 2, { embed: 8, heads: 2, layers: 1 });
 * const e = text.explainText({ module, features, labels: ['ham', 'spam'] }, 'free prize');
 * e.attention?.layers[0].length // 2
 * text.attentionSvg(e).includes('layer 1, head 2') // true
 * ```
 */
export function attentionSvg(e: TextExplanation): string {
  if (!e.attention) return '';
  const { tokens, layers } = e.attention;
  const n = Math.min(tokens.length, ATTENTION_TOKENS);
  const cell = n <= 12 ? 22 : n <= 24 ? 14 : 9;
  const size = Math.min(11, cell * 0.8 + 2);
  const label = Math.max(...tokens.slice(0, n).map((t) => textWidth(t, size))) + 8;
  const heads = layers[0]?.length ?? 0;
  const map = n * cell;
  const gap = 24;
  const boxW = Math.max(label + map, textWidth('layer 9, head 9 (max 0.00)', 12) * 1.1) + gap;
  const boxH = label + map + 28;
  const top = 48;
  const width = Math.ceil(16 + heads * boxW);
  const height = Math.ceil(top + layers.length * boxH + 8);
  let black = 0;
  for (const layer of layers) for (const w of layer) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) black = Math.max(black, w[i][j]);
  if (!(black > 0)) black = 1;
  const title = `Attention weights per layer and head${tokens.length > n ? ` (first ${n} of ${tokens.length} tokens)` : ''}`;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<title>${xmlEscape(title)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="22" font-size="15" font-weight="bold" fill="#111827">${xmlEscape(title)}</text>`,
    `<text x="16" y="38" font-size="11" fill="#374151">rows: the query token; columns: the key token it attends to; each row sums to 1; white 0, black ${black.toFixed(2)} (the largest weight shown)</text>`,
  ];
  layers.forEach((layer, l) => {
    layer.forEach((w, h) => {
      const ox = 16 + h * boxW;
      const oy = top + l * boxH;
      const gx = ox + label;
      const gy = oy + 16 + label;
      let peak = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) peak = Math.max(peak, w[i][j]);
      out.push(`<text x="${ox}" y="${oy + 12}" font-size="12" font-weight="bold" fill="#111827">layer ${l + 1}, head ${h + 1} (max ${peak.toFixed(2)})</text>`);
      for (let i = 0; i < n; i++) {
        const ty = gy + i * cell + cell / 2 + size * 0.35;
        out.push(`<text x="${(gx - 4).toFixed(1)}" y="${ty.toFixed(1)}" font-size="${size.toFixed(1)}" fill="#374151" text-anchor="end">${xmlEscape(tokens[i])}</text>`);
        const tx = gx + i * cell + cell / 2 + size * 0.35;
        out.push(`<text x="${tx.toFixed(1)}" y="${(gy - 4).toFixed(1)}" font-size="${size.toFixed(1)}" fill="#374151" transform="rotate(-90 ${tx.toFixed(1)} ${(gy - 4).toFixed(1)})">${xmlEscape(tokens[i])}</text>`);
        for (let j = 0; j < n; j++) {
          const v = Math.max(0, Math.min(1, w[i][j] / black));
          const g = Math.round(255 * (1 - v));
          out.push(`<rect x="${gx + j * cell}" y="${gy + i * cell}" width="${cell}" height="${cell}" fill="rgb(${g},${g},${g})"><title>${xmlEscape(`${tokens[i]} → ${tokens[j]}: ${w[i][j].toFixed(4)}`)}</title></rect>`);
        }
      }
      out.push(`<rect x="${gx}" y="${gy}" width="${map}" height="${map}" fill="none" stroke="#9ca3af"/>`);
    });
  });
  out.push('</svg>', '');
  return out.join('\n');
}
