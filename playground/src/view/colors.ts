// Colours that survive colour blindness: the Okabe–Ito palette. Two classes and signed values
// use its blue and orange (a diverging pair through white); more classes use its other hues,
// and data points also differ by marker shape.

export const BLUE = [0, 114, 178] as const;
export const ORANGE = [230, 159, 0] as const;
/** class colours, class 0 first (orange, blue, bluish green, reddish purple, vermillion) */
export const CLASS_COLORS: readonly (readonly [number, number, number])[] = [ORANGE, BLUE, [0, 158, 115], [204, 121, 167], [213, 94, 0]];
export const CLASS_HEX = CLASS_COLORS.map(([r, g, b]) => `rgb(${r}, ${g}, ${b})`);

const WHITE = [255, 255, 255];

/** A value in [-1, 1] to RGB: orange (−1) through white (0) to blue (+1). */
export function diverging(v: number, out: Uint8ClampedArray, at: number): void {
  const t = Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0));
  const c = t >= 0 ? BLUE : ORANGE;
  const k = Math.abs(t);
  out[at] = WHITE[0] + (c[0] - WHITE[0]) * k;
  out[at + 1] = WHITE[1] + (c[1] - WHITE[1]) * k;
  out[at + 2] = WHITE[2] + (c[2] - WHITE[2]) * k;
  out[at + 3] = 255;
}

/** Class probabilities to RGB: the probability-weighted class colours, paler where the model is unsure. */
export function categorical(probs: ArrayLike<number>, offset: number, k: number, out: Uint8ClampedArray, at: number): void {
  let r = 0;
  let g = 0;
  let b = 0;
  let best = 0;
  for (let c = 0; c < k; c++) {
    const p = probs[offset + c];
    r += p * CLASS_COLORS[c][0];
    g += p * CLASS_COLORS[c][1];
    b += p * CLASS_COLORS[c][2];
    if (p > best) best = p;
  }
  const sure = Math.max(0, (best - 1 / k) / (1 - 1 / k));
  out[at] = 255 + (r - 255) * sure;
  out[at + 1] = 255 + (g - 255) * sure;
  out[at + 2] = 255 + (b - 255) * sure;
  out[at + 3] = 255;
}

/** A signed weight's stroke colour. */
export const weightColor = (w: number) => (w >= 0 ? 'rgb(0, 114, 178)' : 'rgb(230, 159, 0)');
