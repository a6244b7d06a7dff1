import { ChainruleError } from '../../errors.js';
import { CAP_ROWS, GLYPH_GAP, glyph, textCells } from './plot-font.js';
import type { CircleShape, LineShape, RectShape, Scene, TextShape } from './plot-scene.js';
import { runs } from './plot-svg.js';

/**
 * An RGBA image, 8 bits per channel, rows top to bottom.
 * @example const r = rasterizeScene(activationScene('relu')); r.data.length === r.width * r.height * 4 // true
 */
export interface Raster {
  /** pixels per row */
  width: number;
  /** rows */
  height: number;
  /** width·height·4 bytes: red, green, blue, alpha of each pixel */
  data: Uint8ClampedArray;
}

type RGB = [number, number, number];

/** Parses #rgb or #rrggbb. @example parseColor('#2563eb') // [37, 99, 235] */
export function parseColor(c: string): RGB {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(c);
  if (!m) throw new ChainruleError(`plot: unsupported colour ${JSON.stringify(c)} (use #rgb or #rrggbb)`);
  const h = m[1].length === 3 ? [...m[1]].map((d) => d + d).join('') : m[1];
  return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16)) as RGB;
}

const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

class Canvas {
  readonly data: Uint8ClampedArray;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8ClampedArray(width * height * 4);
  }

  /** Blends an opaque colour over pixel (x, y) with coverage a. */
  blend(x: number, y: number, c: RGB, a: number): void {
    if (a <= 0 || x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    const d = this.data;
    const k = a > 1 ? 1 : a;
    d[i] += (c[0] - d[i]) * k;
    d[i + 1] += (c[1] - d[i + 1]) * k;
    d[i + 2] += (c[2] - d[i + 2]) * k;
    d[i + 3] = 255;
  }

  fill(c: RGB): void {
    for (let i = 0; i < this.data.length; i += 4) {
      this.data[i] = c[0];
      this.data[i + 1] = c[1];
      this.data[i + 2] = c[2];
      this.data[i + 3] = 255;
    }
  }
}

/** Signed distance from (px, py) to a rounded rectangle (negative inside). */
function roundedRectDistance(px: number, py: number, x: number, y: number, w: number, h: number, r: number): number {
  const hx = w / 2;
  const hy = h / 2;
  const qx = Math.abs(px - (x + hx)) - (hx - r);
  const qy = Math.abs(py - (y + hy)) - (hy - r);
  const ox = Math.max(qx, 0);
  const oy = Math.max(qy, 0);
  return Math.hypot(ox, oy) + Math.min(Math.max(qx, qy), 0) - r;
}

function drawRect(cv: Canvas, s: RectShape, k: number): void {
  const x = s.x * k;
  const y = s.y * k;
  const w = s.w * k;
  const h = s.h * k;
  const r = Math.min((s.r ?? 0) * k, w / 2, h / 2);
  const sw = (s.strokeWidth ?? 1) * k;
  const fill = s.fill ? parseColor(s.fill) : null;
  const stroke = s.stroke ? parseColor(s.stroke) : null;
  const m = stroke ? sw / 2 + 1 : 1;
  const x0 = Math.max(0, Math.floor(x - m));
  const x1 = Math.min(cv.width, Math.ceil(x + w + m));
  const y0 = Math.max(0, Math.floor(y - m));
  const y1 = Math.min(cv.height, Math.ceil(y + h + m));
  for (let py = y0; py < y1; py++) {
    for (let px = x0; px < x1; px++) {
      const d = roundedRectDistance(px + 0.5, py + 0.5, x, y, w, h, r);
      if (fill) cv.blend(px, py, fill, clamp01(0.5 - d));
      if (stroke) cv.blend(px, py, stroke, clamp01(sw / 2 + 0.5 - Math.abs(d)));
    }
  }
}

/**
 * Strokes a polyline: each pixel's coverage is its distance to the nearest segment against the
 * half width (antialiased), taken as a maximum over segments so joints are not painted twice.
 */
function drawLine(cv: Canvas, s: LineShape, k: number): void {
  const color = parseColor(s.color);
  const hw = (s.width * k) / 2;
  const dash = s.dash?.map((v) => v * k);
  const period = dash ? dash.reduce((a, b) => a + b, 0) : 0;
  for (const run of runs(s.points)) {
    if (run.length < 2) continue;
    const pts = run.map(([x, y]) => [x * k, y * k] as const);
    let bx0 = Number.POSITIVE_INFINITY;
    let by0 = Number.POSITIVE_INFINITY;
    let bx1 = Number.NEGATIVE_INFINITY;
    let by1 = Number.NEGATIVE_INFINITY;
    for (const [x, y] of pts) {
      bx0 = Math.min(bx0, x);
      by0 = Math.min(by0, y);
      bx1 = Math.max(bx1, x);
      by1 = Math.max(by1, y);
    }
    const ox = Math.max(0, Math.floor(bx0 - hw - 1));
    const oy = Math.max(0, Math.floor(by0 - hw - 1));
    const mw = Math.min(cv.width, Math.ceil(bx1 + hw + 1)) - ox;
    const mh = Math.min(cv.height, Math.ceil(by1 + hw + 1)) - oy;
    if (mw <= 0 || mh <= 0) continue;
    const mask = new Float32Array(mw * mh);
    let along = 0;
    for (let i = 0; i + 1 < pts.length; i++) {
      const [ax, ay] = pts[i];
      const [bx, by] = pts[i + 1];
      const dx = bx - ax;
      const dy = by - ay;
      const len2 = dx * dx + dy * dy;
      const len = Math.sqrt(len2);
      const sx0 = Math.max(ox, Math.floor(Math.min(ax, bx) - hw - 1));
      const sx1 = Math.min(ox + mw, Math.ceil(Math.max(ax, bx) + hw + 1));
      const sy0 = Math.max(oy, Math.floor(Math.min(ay, by) - hw - 1));
      const sy1 = Math.min(oy + mh, Math.ceil(Math.max(ay, by) + hw + 1));
      for (let py = sy0; py < sy1; py++) {
        for (let px = sx0; px < sx1; px++) {
          const cx = px + 0.5;
          const cy = py + 0.5;
          let t = len2 > 0 ? ((cx - ax) * dx + (cy - ay) * dy) / len2 : 0;
          t = t < 0 ? 0 : t > 1 ? 1 : t;
          const ex = ax + t * dx - cx;
          const ey = ay + t * dy - cy;
          let cov = clamp01(hw + 0.5 - Math.sqrt(ex * ex + ey * ey));
          if (cov > 0 && dash && period > 0) {
            const pos = (along + t * len) % period;
            let acc = 0;
            for (let j = 0; j < dash.length; j++) {
              if (pos < acc + dash[j]) {
                if (j % 2 === 1) cov = 0;
                break;
              }
              acc += dash[j];
            }
          }
          const mi = (py - oy) * mw + (px - ox);
          if (cov > mask[mi]) mask[mi] = cov;
        }
      }
      along += len;
    }
    for (let y = 0; y < mh; y++) for (let x = 0; x < mw; x++) cv.blend(ox + x, oy + y, color, mask[y * mw + x]);
  }
}

/** A disc with a ring, antialiased by its distance to the edge. */
function drawCircle(cv: Canvas, s: CircleShape, k: number): void {
  const [cx, cy, r, w] = [s.cx * k, s.cy * k, s.r * k, s.strokeWidth * k];
  const fill = parseColor(s.fill);
  const stroke = parseColor(s.stroke);
  for (let y = Math.floor(cy - r - w); y <= Math.ceil(cy + r + w); y++) {
    for (let x = Math.floor(cx - r - w); x <= Math.ceil(cx + r + w); x++) {
      const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
      cv.blend(x, y, fill, clamp01(r - w / 2 - d + 0.5));
      cv.blend(x, y, stroke, clamp01(w / 2 + 0.5 - Math.abs(d - r)));
    }
  }
}

/** Draws text with the bitmap font, scaled so its cap height matches the SVG font's, 4×4 supersampled. */
function drawText(cv: Canvas, s: TextShape, k: number): void {
  const color = parseColor(s.color);
  const unit = (s.size * k * 0.73) / CAP_ROWS;
  const total = textCells(s.text) * unit;
  let x = s.x * k - (s.anchor === 'middle' ? total / 2 : s.anchor === 'end' ? total : 0);
  const top = s.y * k - CAP_ROWS * unit;
  const embolden = s.bold ? unit * 0.55 : 0;
  const SS = 4;
  for (const ch of s.text) {
    const g = glyph(ch);
    const rows = g.rows.length;
    if (rows) {
      const px0 = Math.max(0, Math.floor(x));
      const px1 = Math.min(cv.width, Math.ceil(x + g.width * unit + embolden));
      const py0 = Math.max(0, Math.floor(top));
      const py1 = Math.min(cv.height, Math.ceil(top + rows * unit));
      for (let py = py0; py < py1; py++) {
        for (let px = px0; px < px1; px++) {
          let hits = 0;
          for (let sy = 0; sy < SS; sy++) {
            const row = Math.floor((py + (sy + 0.5) / SS - top) / unit);
            const cells = g.rows[row];
            if (!cells) continue;
            for (let sx = 0; sx < SS; sx++) {
              const fx = px + (sx + 0.5) / SS - x;
              const c0 = Math.floor(fx / unit);
              const c1 = Math.floor((fx - embolden) / unit);
              if (cells[c0] || (embolden > 0 && cells[c1])) hits++;
            }
          }
          if (hits) cv.blend(px, py, color, hits / (SS * SS));
        }
      }
    }
    x += (g.width + GLYPH_GAP) * unit;
  }
}

/**
 * Rasterizes a scene into RGBA pixels at `scale` device pixels per scene unit (2 gives a sharp
 * image on high-density screens): antialiased lines with dashes, rounded rectangles and bitmap text.
 * @example rasterizeScene(activationScene('relu'), 1).width // 960
 */
export function rasterizeScene(scene: Scene, scale = 2): Raster {
  if (!(scale > 0 && scale <= 8)) throw new ChainruleError(`plot: scale must be in (0, 8], got ${scale}`);
  const width = Math.max(1, Math.round(scene.width * scale));
  const height = Math.max(1, Math.round(scene.height * scale));
  const cv = new Canvas(width, height);
  cv.fill(parseColor(scene.background));
  for (const s of scene.shapes) {
    if (s.kind === 'circle') drawCircle(cv, s, scale);
    else if (s.kind === 'rect') drawRect(cv, s, scale);
    else if (s.kind === 'line') drawLine(cv, s, scale);
    else drawText(cv, s, scale);
  }
  return { width, height, data: cv.data };
}
