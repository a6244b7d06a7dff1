/**
 * A tiny retained drawing model shared by the SVG writer and the PNG rasterizer: a chart is laid
 * out once into shapes, then either backend draws the same shapes.
 */

export type Color = string;

export interface LineShape {
  kind: 'line';
  /** Points of a polyline; a NaN coordinate breaks it into separate runs. */
  points: [number, number][];
  color: Color;
  width: number;
  /** Dash and gap lengths, e.g. [6, 4]. */
  dash?: number[];
}

export interface RectShape {
  kind: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  fill?: Color;
  stroke?: Color;
  strokeWidth?: number;
  /** Corner radius. */
  r?: number;
}

export interface TextShape {
  kind: 'text';
  x: number;
  /** Baseline position. */
  y: number;
  text: string;
  size: number;
  color: Color;
  anchor: 'start' | 'middle' | 'end';
  bold?: boolean;
}

/** A dot: filled where a function takes the value, open (white inside) at a limit it does not reach. */
export interface CircleShape {
  kind: 'circle';
  cx: number;
  cy: number;
  r: number;
  fill: Color;
  stroke: Color;
  strokeWidth: number;
}

export type Shape = LineShape | RectShape | TextShape | CircleShape;

export interface Scene {
  width: number;
  height: number;
  background: Color;
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
