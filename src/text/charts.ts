import { type Panel, type Series, chartScene } from '../explain/plot/plot-chart.js';
import { sceneToSvg, xmlEscape } from '../explain/plot/plot-svg.js';
import type { CurvePoint } from './experiment.js';
import type { PrCurve } from './metrics.js';
import type { EpochRecord } from './train.js';

/**
 * Subdivides segments whose y change exceeds 5% of the y span of all the series, so the chart
 * layer (which breaks a curve where neighbouring samples jump, for step functions) draws measured
 * points joined by straight lines.
 * @example densify([{ label: 'a', x: [0, 1], y: [0, 1], color: '#000' }])[0].x.length // 21
 */
export function densify(series: Series[]): Series[] {
  const ys = series.flatMap((s) => s.y.filter(Number.isFinite));
  const span = ys.length ? Math.max(...ys) - Math.min(...ys) : 0;
  if (!(span > 0)) return series;
  return series.map((s) => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < s.x.length; i++) {
      if (i > 0) {
        const n = Math.ceil(Math.abs(s.y[i] - s.y[i - 1]) / (0.05 * span));
        for (let k = 1; k < n; k++) {
          x.push(s.x[i - 1] + ((s.x[i] - s.x[i - 1]) * k) / n);
          y.push(s.y[i - 1] + ((s.y[i] - s.y[i - 1]) * k) / n);
        }
      }
      x.push(s.x[i]);
      y.push(s.y[i]);
    }
    return { ...s, x, y };
  });
}

export const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#4b5563'];

/**
 * Learning curves (train and dev macro-F1 against the share of the training set), one panel per model.
 * @example
 * ```ts
 * const points = [
 *   { fraction: 0.5, trainSize: 50, trainMacroF1: 0.98, devMacroF1: 0.81 },
 *   { fraction: 1, trainSize: 100, trainMacroF1: 0.97, devMacroF1: 0.88 },
 * ];
 * const svg = learningCurveSvg([{ name: 'cnn', points }]);
 * svg.startsWith('<svg') // true
 * svg.includes('macro-F1') // true
 * ```
 */
export function learningCurveSvg(curves: { name: string; points: CurvePoint[] }[]): string {
  const panels: Panel[] = curves
    .filter((c) => c.points.length > 0)
    .map((c) => ({
      title: c.name,
      xLabel: '% of the training set',
      yLabel: 'macro-F1',
      xRange: [0, 100] as [number, number],
      series: densify([
        { label: 'train', x: c.points.map((p) => p.fraction * 100), y: c.points.map((p) => p.trainMacroF1), color: PALETTE[0] },
        { label: 'dev', x: c.points.map((p) => p.fraction * 100), y: c.points.map((p) => p.devMacroF1), color: PALETTE[1] },
      ]),
    }));
  return panels.length ? sceneToSvg(chartScene(panels, { title: 'Learning curves: macro-F1 (train, dev) vs share of the training set' }), 'Learning curves') : '';
}

/**
 * Precision-recall curves of the positive class, several models in one panel.
 * @example
 * ```ts
 * const pr = text.prCurve([0.9, 0.8, 0.3], [true, false, true]);
 * const svg = prCurveSvg([{ name: 'cnn', pr }], 'spam');
 * svg.includes('cnn (AP 0.8333)') // true
 * ```
 */
export function prCurveSvg(curves: { name: string; pr: PrCurve }[], positive: string, prevalence?: number): string {
  const panel: Panel = {
    title: `Precision-recall (positive class: ${positive}; test split)`,
    xLabel: 'recall',
    yLabel: 'precision',
    xRange: [0, 1],
    // a classifier that guesses has the positive class's share as its precision at every recall
    guides: prevalence === undefined ? [] : [{ label: `chance (prevalence ${prevalence.toFixed(3)})`, y: prevalence, color: '#6b7280' }],
    series: densify(
      curves.map((c, i) => ({
        label: `${c.name} (AP ${c.pr.averagePrecision.toFixed(4)})`,
        x: c.pr.recall,
        y: c.pr.precision,
        color: PALETTE[i % PALETTE.length],
      })),
    ),
  };
  return sceneToSvg(chartScene([panel], { width: 760, panelHeight: 380 }), 'Precision-recall curve');
}

/**
 * Training loss and dev loss per epoch, with dev macro-F1 in a second panel.
 * @example
 * ```ts
 * const history = [
 *   { epoch: 1, trainLoss: 0.69, devLoss: 0.6, devMacroF1: 0.7, seconds: 1.2 },
 *   { epoch: 2, trainLoss: 0.4, devLoss: 0.45, devMacroF1: 0.82, seconds: 1.1 },
 * ];
 * lossSvg('cnn', history).includes('cnn: loss per epoch') // true
 * lossSvg('cnn', []) // ''
 * ```
 */
export function lossSvg(name: string, history: EpochRecord[], restored?: number): string {
  if (history.length === 0) return '';
  const ep = history.map((h) => h.epoch);
  // the epoch whose weights were kept (the best dev macro-F1), marked in both panels
  const guides = restored ? [{ label: `restored: epoch ${restored}`, x: restored, color: '#6b7280' }] : [];
  const panels: Panel[] = [
    {
      title: `${name}: loss per epoch`,
      xLabel: 'epoch',
      yLabel: 'loss',
      guides,
      xRange: [1, Math.max(2, ep.length)],
      series: densify([
        { label: 'train loss', x: ep, y: history.map((h) => h.trainLoss), color: PALETTE[0] },
        { label: 'dev loss', x: ep, y: history.map((h) => h.devLoss), color: PALETTE[1] },
      ]),
    },
    {
      title: `${name}: dev macro-F1 per epoch`,
      xLabel: 'epoch',
      yLabel: 'macro-F1',
      guides,
      xRange: [1, Math.max(2, ep.length)],
      series: densify([{ label: 'dev macro-F1', x: ep, y: history.map((h) => h.devMacroF1), color: PALETTE[2] }]),
    },
  ];
  return sceneToSvg(chartScene(panels, { columns: 2 }), `${name} training`);
}

/**
 * A confusion matrix as an SVG heat map (rows: true class, columns: predicted), counts in cells.
 * @example confusionSvg(['ham', 'spam'], [[700, 3], [5, 445]], 'cnn (test)')
 */
export function confusionSvg(labels: readonly string[], matrix: readonly (readonly number[])[], title: string): string {
  const n = labels.length;
  const cell = Math.max(36, Math.min(90, Math.floor(420 / Math.max(1, n))));
  const lw = Math.max(60, ...labels.map((l) => 8 * l.length + 16));
  const top = 56;
  const barX = lw + n * cell + 20;
  const w = barX + 64;
  const h = top + n * cell + 48;
  const max = Math.max(1, ...matrix.flat());
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<title>${xmlEscape(title)}</title>`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="15" fill="#111827">${xmlEscape(title)}</text>`,
    `<text x="${lw + (n * cell) / 2}" y="${top - 22}" text-anchor="middle" fill="#4b5563">predicted</text>`,
  ];
  labels.forEach((l, j) => {
    parts.push(`<text x="${lw + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle" fill="#111827">${xmlEscape(l)}</text>`);
    parts.push(`<text x="${lw - 8}" y="${top + j * cell + cell / 2 + 4}" text-anchor="end" fill="#111827">${xmlEscape(l)}</text>`);
  });
  matrix.forEach((row, i) => {
    row.forEach((v, j) => {
      const a = v / max;
      const light = Math.round(255 - a * 190);
      const fill = `rgb(${light},${Math.round(255 - a * 140)},255)`;
      parts.push(`<rect x="${lw + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="${fill}" stroke="#d1d5db"/>`);
      parts.push(`<text x="${lw + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 5}" text-anchor="middle" fill="${a > 0.6 ? '#ffffff' : '#111827'}">${v}</text>`);
    });
  });
  parts.push(`<text x="14" y="${top + (n * cell) / 2}" text-anchor="middle" fill="#4b5563" transform="rotate(-90 14 ${top + (n * cell) / 2})">true</text>`);
  // the colour bar: the cell colours from 0 to the largest count
  const barH = n * cell;
  const steps = 24;
  for (let k = 0; k < steps; k++) {
    const a = 1 - k / (steps - 1);
    parts.push(`<rect x="${barX}" y="${(top + (k * barH) / steps).toFixed(2)}" width="14" height="${(barH / steps + 0.5).toFixed(2)}" fill="rgb(${Math.round(255 - a * 190)},${Math.round(255 - a * 140)},255)"/>`);
  }
  parts.push(`<rect x="${barX}" y="${top}" width="14" height="${barH}" fill="none" stroke="#d1d5db"/>`);
  for (const [v, y] of [[max, top + 4], [Math.round(max / 2), top + barH / 2 + 4], [0, top + barH]] as const) {
    parts.push(`<text x="${barX + 20}" y="${y}" fill="#4b5563" font-size="11">${v}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
