/**
 * A tiny retained drawing model shared by the SVG writer and the PNG rasterizer: a chart is laid
 * out once into shapes, then either backend draws the same shapes.
 */

/** A CSS colour as SVG writes it: `#rrggbb`, or a name such as 'white'. */
export type Color = string;

/** A polyline (a curve, an axis, a grid line). Coordinates are pixels from the top left. */
export interface LineShape {
  /** a line */
  kind: 'line';
  /** Points of a polyline; a NaN coordinate breaks it into separate runs. */
  points: [number, number][];
  /** stroke colour */
  color: Color;
  /** stroke width in px */
  width: number;
  /** Dash and gap lengths, e.g. [6, 4]. */
  dash?: number[];
}

/** A rectangle (a panel frame, a legend swatch). */
export interface RectShape {
  /** a rectangle */
  kind: 'rect';
  /** left edge in px */
  x: number;
  /** top edge in px */
  y: number;
  /** width in px */
  w: number;
  /** height in px */
  h: number;
  /** fill colour (none when absent) */
  fill?: Color;
  /** outline colour (none when absent) */
  stroke?: Color;
  /** outline width in px (default 1) */
  strokeWidth?: number;
  /** Corner radius. */
  r?: number;
}

/** A line of text (a title, a tick label, a legend entry). */
export interface TextShape {
  /** a text */
  kind: 'text';
  /** horizontal position in px, where `anchor` puts the text */
  x: number;
  /** Baseline position. */
  y: number;
  /** the text drawn */
  text: string;
  /** font size in px */
  size: number;
  /** text colour */
  color: Color;
  /** which end of the text sits at x: its start, middle or end */
  anchor: 'start' | 'middle' | 'end';
  /** bold type (default false) */
  bold?: boolean;
}

/** A dot: filled where a function takes the value, open (white inside) at a limit it does not reach. */
export interface CircleShape {
  /** a circle */
  kind: 'circle';
  /** centre x in px */
  cx: number;
  /** centre y in px */
  cy: number;
  /** radius in px */
  r: number;
  /** fill colour (white, `#ffffff`, for an open dot) */
  fill: Color;
  /** outline colour */
  stroke: Color;
  /** outline width in px */
  strokeWidth: number;
}

/** One drawable piece of a Scene. */
export type Shape = LineShape | RectShape | TextShape | CircleShape;

/**
 * A chart laid out into shapes, which sceneToSvg and rasterizeScene both draw.
 * @example activationScene('relu', { width: 400 }).width // 400
 */
export interface Scene {
  /** width in px */
  width: number;
  /** height in px */
  height: number;
  /** the colour under every shape */
  background: Color;
  /** the shapes in drawing order (later ones on top) */
  shapes: Shape[];
}

/** Width of `text` at font size `size`, a close estimate for the sans-serif fonts both backends use. */
export function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) w += /[il.,:;'|!]/.test(ch) ? 0.3 : /[mwMW]/.test(ch) ? 0.85 : /[A-Z]/.test(ch) ? 0.68 : 0.56;
  return w * size;
}

/**
 * "Nice" tick positions (steps of 1, 2 or 5 times a power of ten) covering [lo, hi], about `target` of them.
 * @example niceTicks(-4, 4, 8) // [-4, -3, -2, -1, 0, 1, 2, 3, 4]
 */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo)) return [lo];
  const mag = 10 ** Math.floor(Math.log10((hi - lo) / Math.max(1, target)));
  let best: number[] = [];
  let bestCost = Number.POSITIVE_INFINITY;
  for (const m of [1, 2, 2.5, 5, 10, 20]) {
    const s = m * mag;
    const first = Math.ceil(lo / s - 1e-9);
    const last = Math.floor(hi / s + 1e-9);
    // closest count to the target; 2.5 steps only when clearly better
    const cost = Math.abs(last - first + 1 - target) + (m === 2.5 ? 0.5 : 0);
    if (cost < bestCost) {
      bestCost = cost;
      best = [];
      for (let k = first; k <= last; k++) best.push(Number((k * s).toPrecision(12)));
    }
  }
  return best;
}

/** Tick label text: as few decimals as the step needs. */
export function tickLabel(v: number, ticks: readonly number[]): string {
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) : 1;
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9) + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0)));
  const s = v.toFixed(decimals);
  return s === `-${(0).toFixed(decimals)}` ? s.slice(1) : s.replace('-', '−');
}
