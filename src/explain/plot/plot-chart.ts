import { ChainruleError } from '../../errors.js';
import { type Scene, type Shape, niceTicks, textWidth, tickLabel } from './plot-scene.js';

/** One curve of a panel. */
export interface Series {
  /** the curve's name in the legend */
  label: string;
  /** the sample points' x values, increasing */
  x: readonly number[];
  /** the values at them (a non-finite one leaves a gap) */
  y: readonly number[];
  /** stroke colour, e.g. `#2563eb` */
  color: string;
  /** stroke width in px (default 2.2) */
  width?: number;
  /** dash and gap lengths in px (solid when absent), e.g. `[6, 4]` for a derivative */
  dash?: number[];
  /** dots at the jumps of a discontinuous function: filled where it takes the value, open at the other side's limit */
  marks?: {
    /** the jump's x */
    x: number;
    /** the value the dot marks */
    y: number;
    /** true for an open dot (a limit not taken), false for a filled one */
    open: boolean;
  }[];
}

/** One plot: a title, its curves and the x range shown. */
export interface Panel {
  /** the title above the panel */
  title: string;
  /** the curves drawn, in legend order */
  series: Series[];
  /** the x interval shown, `[min, max]`; the y range fits the curves */
  xRange: readonly [number, number];
  /** Label under the x axis (default "x"). */
  xLabel?: string;
  /** Label of the y axis, written above it. */
  yLabel?: string;
  /** Straight reference lines (a chance baseline, a marked epoch): drawn thin and dashed under the curves. */
  guides?: {
    /** the line's label, written at its end */
    label: string;
    /** a vertical line at this x */
    x?: number;
    /** a horizontal line at this y (when x is absent; default 0) */
    y?: number;
    /** line and label colour */
    color: string;
  }[];
}

/** The layout of a chart of panels. @example chartScene([{ title: 'f', series: [{ label: 'x²', x: [0, 1], y: [0, 1], color: '#2563eb' }], xRange: [0, 1] }], { width: 500 }).width // 500 */
export interface ChartOptions {
  /** Overall width in px (default 960). */
  width?: number;
  /** Height of each panel in px (default 300). */
  panelHeight?: number;
  /** Panels per row (default: 1 for one panel, 2 up to four, else 3). */
  columns?: number;
  /** Title above all panels. */
  title?: string;
  /** One legend for every panel, under the title, when all panels show the same curves (default: when they do). */
  sharedLegend?: boolean;
}

const INK = '#111827';
const MUTED = '#4b5563';
const GRID = '#e5e7eb';
const AXIS = '#9ca3af';
const FRAME = '#d1d5db';

/**
 * Splits a curve where it jumps (sign, step, the derivative of ReLU): a change larger than 12% of
 * the panel's y span between neighbouring samples becomes a gap instead of a vertical segment.
 */
function breakJumps(pts: [number, number][], ySpanPx: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < pts.length; i++) {
    if (i > 0 && Math.abs(pts[i][1] - pts[i - 1][1]) > 0.12 * ySpanPx) out.push([Number.NaN, Number.NaN]);
    out.push(pts[i]);
  }
  return out;
}

function yExtent(series: readonly Series[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (const v of s.y) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return [-1, 1];
  if (hi - lo < 1e-9) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.08;
  return [lo - pad, hi + pad];
}

/** Many curves: the legend goes beside the plot instead of over it. */
const outsideLegend = (p: Panel) => p.series.length > 3;

function drawPanel(p: Panel, x0: number, y0: number, w: number, h: number, shapes: Shape[], legendSpace: number, ownLegend = true): void {
  const outside = ownLegend && outsideLegend(p) ? legendSpace + 14 : 0;
  const m = { left: 46, right: 12 + outside, top: p.yLabel ? 44 : 30, bottom: 36 };
  const left = x0 + m.left;
  const top = y0 + m.top;
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  const [xa, xb] = p.xRange;
  const [ya, yb] = yExtent(p.series);
  const X = (v: number) => left + ((v - xa) / (xb - xa)) * pw;
  const Y = (v: number) => top + (1 - (v - ya) / (yb - ya)) * ph;
  shapes.push({ kind: 'text', x: left, y: y0 + 19, text: p.title, size: 14, color: INK, anchor: 'start', bold: true });
  shapes.push({ kind: 'rect', x: left, y: top, w: pw, h: ph, fill: '#ffffff' });
  const xt = niceTicks(xa, xb, Math.max(3, Math.round(pw / 60)));
  const yt = niceTicks(ya, yb, Math.max(3, Math.round(ph / 45)));
  for (const t of xt) {
    shapes.push({ kind: 'line', points: [[X(t), top], [X(t), top + ph]], color: GRID, width: 1 });
    shapes.push({ kind: 'text', x: X(t), y: top + ph + 15, text: tickLabel(t, xt), size: 11, color: MUTED, anchor: 'middle' });
  }
  for (const t of yt) {
    shapes.push({ kind: 'line', points: [[left, Y(t)], [left + pw, Y(t)]], color: GRID, width: 1 });
    shapes.push({ kind: 'text', x: left - 6, y: Y(t) + 4, text: tickLabel(t, yt), size: 11, color: MUTED, anchor: 'end' });
  }
  if (xa < 0 && xb > 0) shapes.push({ kind: 'line', points: [[X(0), top], [X(0), top + ph]], color: AXIS, width: 1.2 });
  if (ya < 0 && yb > 0) shapes.push({ kind: 'line', points: [[left, Y(0)], [left + pw, Y(0)]], color: AXIS, width: 1.2 });
  shapes.push({ kind: 'rect', x: left, y: top, w: pw, h: ph, stroke: FRAME, strokeWidth: 1 });
  shapes.push({ kind: 'text', x: left + pw / 2, y: top + ph + 31, text: p.xLabel ?? 'x', size: 12, color: MUTED, anchor: 'middle' });
  if (p.yLabel) shapes.push({ kind: 'text', x: left - 6, y: top - 7, text: p.yLabel, size: 12, color: MUTED, anchor: 'start' });
  for (const g of p.guides ?? []) {
    const pts: [number, number][] = g.x !== undefined ? [[X(g.x), top], [X(g.x), top + ph]] : [[left, Y(g.y ?? 0)], [left + pw, Y(g.y ?? 0)]];
    shapes.push({ kind: 'line', points: pts, color: g.color, width: 1.4, dash: [5, 4] });
    const [tx, ty] = g.x !== undefined ? [X(g.x) + 4, top + 12] : [left + pw - 4, Y(g.y ?? 0) - 5];
    shapes.push({ kind: 'text', x: tx, y: ty, text: g.label, size: 11, color: g.color, anchor: g.x !== undefined ? 'start' : 'end' });
  }
  const curves = p.series.map((s) => {
    const pts = s.x.map((xv, i): [number, number] => (Number.isFinite(s.y[i]) ? [X(xv), Y(s.y[i])] : [Number.NaN, Number.NaN]));
    return { s, pts: breakJumps(pts, ph) };
  });
  for (const { s, pts } of curves) shapes.push({ kind: 'line', points: pts, color: s.color, width: s.width ?? 2.2, dash: s.dash });
  for (const { s } of curves) {
    for (const mk of s.marks ?? []) {
      if (mk.x < xa || mk.x > xb || mk.y < ya || mk.y > yb) continue;
      shapes.push({ kind: 'circle', cx: X(mk.x), cy: Y(mk.y), r: 3.6, fill: mk.open ? '#ffffff' : s.color, stroke: s.color, strokeWidth: 1.6 });
    }
  }
  if (ownLegend) legend(curves, left, top, pw, ph, shapes, outside > 0);
}

/** A legend on one row (every panel's curves the same): a sample and a label each, centred. */
function legendRow(series: readonly Series[], y: number, width: number, shapes: Shape[]): void {
  const items = series.map((s) => ({ s, w: 30 + textWidth(s.label, LEGEND_SIZE) + 18 }));
  let x = (width - items.reduce((a, b) => a + b.w, 0)) / 2;
  for (const { s, w } of items) {
    shapes.push({ kind: 'line', points: [[x, y - 4], [x + 24, y - 4]], color: s.color, width: s.width ?? 2.2, dash: s.dash });
    shapes.push({ kind: 'text', x: x + 30, y, text: s.label, size: LEGEND_SIZE, color: INK, anchor: 'start' });
    x += w;
  }
}

const LEGEND_SIZE = 11;
const LEGEND_ROW = 16;

function legendWidth(series: readonly Series[]): number {
  return 26 + Math.max(...series.map((s) => textWidth(s.label, LEGEND_SIZE))) + 14;
}

/** Draws the legend beside the plot (`outside`), or in whichever inner corner of the plot area the curves cross least. */
function legend(curves: { s: Series; pts: [number, number][] }[], left: number, top: number, pw: number, ph: number, shapes: Shape[], outside: boolean): void {
  if (curves.length === 0) return;
  const size = LEGEND_SIZE;
  const rowH = LEGEND_ROW;
  const lw = legendWidth(curves.map((c) => c.s));
  const lh = curves.length * rowH + 8;
  const pad = 8;
  const corners: [number, number][] = outside ? [[left + pw + 14, top]] : [
    [left + pad, top + pad],
    [left + pw - pad - lw, top + pad],
    [left + pad, top + ph - pad - lh],
    [left + pw - pad - lw, top + ph - pad - lh],
  ];
  const hits = corners.map(([cx, cy]) => {
    let n = 0;
    for (const c of curves) for (const [px, py] of c.pts) if (px >= cx - 4 && px <= cx + lw + 4 && py >= cy - 4 && py <= cy + lh + 4) n++;
    return n;
  });
  const best = hits.indexOf(Math.min(...hits));
  const [lx, ly] = corners[best];
  shapes.push({ kind: 'rect', x: lx, y: ly, w: lw, h: lh, fill: '#ffffff', stroke: FRAME, strokeWidth: 1, r: 3 });
  curves.forEach(({ s }, i) => {
    const cy = ly + 4 + i * rowH + rowH / 2;
    shapes.push({ kind: 'line', points: [[lx + 7, cy], [lx + 29, cy]], color: s.color, width: s.width ?? 2.2, dash: s.dash });
    shapes.push({ kind: 'text', x: lx + 35, y: cy + 4, text: s.label, size, color: INK, anchor: 'start' });
  });
}

/**
 * Lays out panels in a grid with axes, ticks, grid lines and a legend each.
 * @example chartScene([{ title: 'x²', xRange: [-1, 1], series: [{ label: 'f', x: [-1, 0, 1], y: [1, 0, 1], color: '#2563eb' }] }]).shapes.length > 0 // true
 */
export function chartScene(panels: readonly Panel[], opts: ChartOptions = {}): Scene {
  if (panels.length === 0) throw new ChainruleError('plot: nothing to draw');
  const width = opts.width ?? 960;
  const panelH = opts.panelHeight ?? 300;
  const cols = Math.max(1, Math.min(panels.length, opts.columns ?? (panels.length === 1 ? 1 : panels.length <= 4 ? 2 : 3)));
  const rows = Math.ceil(panels.length / cols);
  const outer = 16;
  const gap = 18;
  const labels = (p: Panel) => p.series.map((s) => `${s.label}|${s.color}|${s.dash ?? ''}`).join(';');
  const shared = opts.sharedLegend ?? (panels.length > 1 && panels.every((p) => labels(p) === labels(panels[0])));
  const titleH = (opts.title ? 34 : 0) + (shared ? 24 : 0);
  const pw = (width - 2 * outer - (cols - 1) * gap) / cols;
  if (pw < 160) throw new ChainruleError(`plot: ${width}px is too narrow for ${cols} panels per row`);
  const height = Math.round(outer + titleH + rows * panelH + (rows - 1) * gap + outer);
  // one legend column width for every panel with an outside legend, so their x axes line up
  const outsideW = Math.max(0, ...panels.filter(outsideLegend).map((p) => legendWidth(p.series)));
  const shapes: Shape[] = [];
  if (opts.title) shapes.push({ kind: 'text', x: width / 2, y: outer + 20, text: opts.title, size: 18, color: INK, anchor: 'middle', bold: true });
  if (shared) legendRow(panels[0].series, outer + (opts.title ? 34 : 0) + 14, width, shapes);
  panels.forEach((p, i) => {
    const c = i % cols;
    const r = Math.floor(i / cols);
    drawPanel(p, outer + c * (pw + gap), outer + titleH + r * (panelH + gap), pw, panelH, shapes, outsideW, !shared);
  });
  return { width, height, background: '#f9fafb', shapes };
}
