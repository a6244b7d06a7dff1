// Drawing: heat maps into canvases, data points with a marker per class, and the loss curves.
import type { Point } from '../core/data.js';
import { EXTENT } from '../core/data.js';
import { CLASS_HEX, categorical, diverging } from './colors.js';

const images = new WeakMap<HTMLCanvasElement, ImageData>();

function imageFor(canvas: HTMLCanvasElement, size: number): { ctx: CanvasRenderingContext2D; img: ImageData } {
  if (canvas.width !== size || canvas.height !== size) {
    canvas.width = size;
    canvas.height = size;
  }
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  let img = images.get(canvas);
  if (!img || img.width !== size) {
    img = ctx.createImageData(size, size);
    images.set(canvas, img);
  }
  return { ctx, img };
}

/** How a neuron's values map to [-1, 1]: fixed for bounded units, by the largest |value| for ReLU and linear ones. */
export type Scale = 'signed' | 'unit' | 'auto';

/** Draws column `col` of a [size*size, cols] grid of values as a diverging heat map. */
export function drawHeat(canvas: HTMLCanvasElement, values: Float32Array, cols: number, col: number, size: number, scale: Scale): void {
  const { ctx, img } = imageFor(canvas, size);
  const n = size * size;
  let k = 1;
  if (scale === 'auto') {
    let m = 0;
    for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(values[i * cols + col]));
    k = m > 0 ? 1 / m : 1;
  }
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const v = values[i * cols + col];
    diverging(scale === 'unit' ? 2 * v - 1 : v * k, d, i * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/** Draws class probabilities [size*size, k] as blended class colours. */
export function drawClasses(canvas: HTMLCanvasElement, probs: Float32Array, k: number, size: number): void {
  const { ctx, img } = imageFor(canvas, size);
  const d = img.data;
  for (let i = 0; i < size * size; i++) categorical(probs, i * k, k, d, i * 4);
  ctx.putImageData(img, 0, 0);
}

/** Draws the output heat map scaled up to the canvas, then the points on top. */
export function drawOutput(target: HTMLCanvasElement, source: HTMLCanvasElement, train: readonly Point[], test: readonly Point[] | null, classes: number): void {
  const ctx = target.getContext('2d') as CanvasRenderingContext2D;
  const w = target.width;
  ctx.imageSmoothingEnabled = true;
  ctx.clearRect(0, 0, w, w);
  ctx.drawImage(source, 0, 0, w, w);
  const px = (v: number) => ((v + EXTENT) / (2 * EXTENT)) * w;
  const py = (v: number) => ((EXTENT - v) / (2 * EXTENT)) * w;
  const draw = (pts: readonly Point[], stroke: string) => {
    for (const p of pts) marker(ctx, px(p.x), py(p.y), p.label, classes, stroke);
  };
  draw(train, '#ffffff');
  if (test) draw(test, '#111827');
  // axes ticks
  ctx.fillStyle = 'rgba(31,41,55,0.7)';
  ctx.font = '10px system-ui, sans-serif';
  for (const t of [-6, 0, 6]) {
    ctx.fillText(String(t), Math.min(w - 12, Math.max(1, px(t) - 4)), w - 3);
    ctx.fillText(String(t), 2, Math.min(w - 14, Math.max(10, py(t) + 3)));
  }
}

/** A point: class colour and a shape per class (circle, square, triangle, diamond, cross), so classes differ without colour. */
export function marker(ctx: CanvasRenderingContext2D, x: number, y: number, label: number, classes: number, stroke: string): void {
  const r = 3.6;
  ctx.beginPath();
  if (classes === 0) {
    const c = new Uint8ClampedArray(4);
    diverging(label, c, 0);
    ctx.fillStyle = `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    ctx.arc(x, y, r, 0, 2 * Math.PI);
  } else {
    ctx.fillStyle = CLASS_HEX[label] ?? '#000';
    switch (label % 5) {
      case 0:
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        break;
      case 1:
        ctx.rect(x - r, y - r, 2 * r, 2 * r);
        break;
      case 2:
        ctx.moveTo(x, y - r * 1.2);
        ctx.lineTo(x + r * 1.1, y + r * 0.9);
        ctx.lineTo(x - r * 1.1, y + r * 0.9);
        ctx.closePath();
        break;
      case 3:
        ctx.moveTo(x, y - r * 1.3);
        ctx.lineTo(x + r * 1.1, y);
        ctx.lineTo(x, y + r * 1.3);
        ctx.lineTo(x - r * 1.1, y);
        ctx.closePath();
        break;
      default:
        ctx.moveTo(x - r, y - r * 0.3);
        ctx.lineTo(x + r, y - r * 0.3);
        ctx.lineTo(x + r, y + r * 0.3);
        ctx.lineTo(x - r, y + r * 0.3);
        ctx.closePath();
    }
  }
  ctx.fill();
  ctx.lineWidth = 1;
  ctx.strokeStyle = stroke;
  ctx.stroke();
}

/** The train (solid) and test (dashed) loss curves, on a shared scale. */
export function drawChart(svg: SVGSVGElement, history: readonly { train: number; test: number }[]): void {
  const W = 300;
  const H = 80;
  const finite = history.flatMap((h) => [h.train, h.test]).filter(Number.isFinite);
  const max = Math.max(1e-9, ...finite);
  const x = (i: number) => (history.length <= 1 ? 0 : (i / (history.length - 1)) * W);
  const y = (v: number) => H - 2 - (Math.min(v, max) / max) * (H - 6);
  const path = (key: 'train' | 'test') =>
    history
      .map((h, i) => (Number.isFinite(h[key]) ? `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(h[key]).toFixed(1)}` : ''))
      .join('');
  svg.innerHTML = `<path d="${path('test')}" fill="none" stroke="rgb(154,103,0)" stroke-width="1.5" stroke-dasharray="4 3" vector-effect="non-scaling-stroke"/><path d="${path('train')}" fill="none" stroke="rgb(0,114,178)" stroke-width="1.5" vector-effect="non-scaling-stroke"/>`;
}

/** A small preview of a data set for its button. */
export function drawPreview(canvas: HTMLCanvasElement, points: readonly Point[], classes: number): void {
  canvas.width = 60;
  canvas.height = 60;
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 60, 60);
  for (const p of points.slice(0, 200)) {
    const x = ((p.x + EXTENT) / (2 * EXTENT)) * 60;
    const y = ((EXTENT - p.y) / (2 * EXTENT)) * 60;
    if (classes === 0) {
      const c = new Uint8ClampedArray(4);
      diverging(p.label, c, 0);
      ctx.fillStyle = `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
    } else ctx.fillStyle = CLASS_HEX[p.label] ?? '#000';
    ctx.fillRect(x - 1, y - 1, 2.4, 2.4);
  }
}
