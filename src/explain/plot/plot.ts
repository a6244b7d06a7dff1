import type { Activation, ActivationSamples } from './plot-activations.js';
import { parseActivations, sampleActivation, sampleActivations } from './plot-activations.js';
import { type ChartOptions, type Panel, chartScene } from './plot-chart.js';
import type { Scene } from './plot-scene.js';
import { sceneToSvg } from './plot-svg.js';

export { ACTIVATION_NAMES, parseActivation, parseActivations, sampleActivation, sampleActivations } from './plot-activations.js';
export type { Activation, ActivationSamples } from './plot-activations.js';
export { type ChartOptions, type Panel, type Series, chartScene } from './plot-chart.js';
export type { Scene, Shape } from './plot-scene.js';
export { sceneToSvg } from './plot-svg.js';

/** Options of plotActivations / activationScene (and the chart's own options: size, columns, title). @example activationScene('relu,tanh', { derivatives: false, range: [-2, 2], layout: 'overlay' }).width // 960 */
export interface ActivationPlotOptions extends ChartOptions {
  /** Also draw each function's derivative, computed by autograd (default true). */
  derivatives?: boolean;
  /** The x range (default [-4, 4]). */
  range?: readonly [number, number];
  /** Number of sample points (default 401). */
  samples?: number;
  /** 'panels' (default): one panel per function with f and f'. 'overlay': all functions in one panel, derivatives in a second. */
  layout?: 'panels' | 'overlay';
}

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#4b5563', '#65a30d', '#9333ea', '#ea580c'];
const F_COLOR = '#2563eb';
const D_COLOR = '#ea580c';

function toActivations(specs: string | readonly (string | Activation)[]): Activation[] {
  if (typeof specs === 'string') return parseActivations(specs);
  return specs.flatMap((s) => (typeof s === 'string' ? parseActivations(s) : [s]));
}

type Mark = { x: number; y: number; open: boolean };

/**
 * The jumps of a sampled function (sign, step, ReLU's derivative) located by bisection on the
 * function itself (the value and the derivative from the engine, as everywhere in the plot): a
 * filled dot at the value taken at the jump, an open dot at each one-sided limit not taken.
 */
export function jumpMarks(act: Activation, xs: readonly number[], ys: readonly number[], derivative: boolean): Mark[] {
  const f = (x: number) => {
    const s = sampleActivation(act, [x]);
    return derivative ? s.dy[0] : s.y[0];
  };
  const finite = ys.filter(Number.isFinite);
  const span = Math.max(...finite) - Math.min(...finite);
  const out: Mark[] = [];
  if (!(span > 0)) return out;
  for (let i = 1; i < xs.length; i++) {
    if (!(Math.abs(ys[i] - ys[i - 1]) > 0.12 * span)) continue;
    let [lo, hi] = [xs[i - 1], xs[i]];
    const left = ys[i - 1];
    for (let k = 0; k < 60; k++) {
      const mid = (lo + hi) / 2;
      if (Math.abs(f(mid) - left) < Math.abs(f(mid) - ys[i])) lo = mid;
      else hi = mid;
    }
    const x = Math.abs(hi) < 1e-9 ? 0 : Number(hi.toPrecision(9));
    // a jump at a sample point shows up on both sides of it: one set of dots
    if (out.some((m) => Math.abs(m.x - x) <= 1e-9 * Math.max(1, Math.abs(x)))) continue;
    const v = f(x);
    const eps = 1e-9 * Math.max(1, Math.abs(x));
    out.push({ x, y: v, open: false });
    for (const lim of [f(x - eps), f(x + eps)]) if (Math.abs(lim - v) > 1e-6 * span) out.push({ x, y: lim, open: true });
  }
  return out;
}

/** The panels of an activation plot from its samples. @example activationPanels(sampleActivations([parseActivation('relu')], [-4, 4])).length // 1 */
export function activationPanels(samples: readonly ActivationSamples[], opts: ActivationPlotOptions = {}): Panel[] {
  const derivs = opts.derivatives ?? true;
  const range = opts.range ?? [-4, 4];
  if (opts.layout === 'overlay') {
    const fs: Panel = {
      title: 'Activation functions',
      xRange: range,
      yLabel: 'f(x)',
      series: samples.map((s, i) => ({ label: s.activation.title, x: s.x, y: s.y, color: PALETTE[i % PALETTE.length], marks: jumpMarks(s.activation, s.x, s.y, false) })),
    };
    if (!derivs) return [fs];
    const ds: Panel = {
      title: 'Derivatives (autograd)',
      xRange: range,
      yLabel: 'f′(x)',
      series: samples.map((s, i) => ({ label: `${s.activation.title}′`, x: s.x, y: s.dy, color: PALETTE[i % PALETTE.length], marks: jumpMarks(s.activation, s.x, s.dy, true) })),
    };
    return [fs, ds];
  }
  return samples.map((s) => ({
    title: s.activation.title,
    xRange: range,
    yLabel: derivs ? 'f(x), f′(x)' : 'f(x)',
    series: [
      { label: 'f(x)', x: s.x, y: s.y, color: F_COLOR, marks: jumpMarks(s.activation, s.x, s.y, false) },
      ...(derivs ? [{ label: 'f′(x) by autograd', x: s.x, y: s.dy, color: D_COLOR, width: 2, dash: [7, 4], marks: jumpMarks(s.activation, s.x, s.dy, true) }] : []),
    ],
  }));
}

/**
 * Lays out an activation plot as a drawing scene (for sceneToSvg, or the PNG rasterizer).
 * @example activationScene('relu,gelu').width // 960
 */
export function activationScene(specs: string | readonly (string | Activation)[], opts: ActivationPlotOptions = {}): Scene {
  const acts = toActivations(specs);
  const samples = sampleActivations(acts, opts.range ?? [-4, 4], opts.samples ?? 401);
  const overlay = opts.layout === 'overlay';
  return chartScene(activationPanels(samples, opts), { ...opts, columns: opts.columns ?? (overlay ? 1 : undefined), panelHeight: opts.panelHeight ?? (overlay ? 380 : undefined) });
}

/**
 * Plots activation functions and their derivatives as an SVG document. Each derivative comes
 * from the autograd engine: one backward pass of sum(f(x)) over a linspace, not a hand-written formula.
 * Specs: relu, leaky_relu:slope, elu:alpha, softplus:beta, gelu, gelu_tanh, sigmoid, tanh, silu, sign, step.
 *
 * @example
 * ```ts
 * const svg = plotActivations('relu,leaky_relu:0.01,softplus:1,gelu', { range: [-4, 4] });
 * svg.startsWith('<svg') // true
 * ```
 */
export function plotActivations(specs: string | readonly (string | Activation)[], opts: ActivationPlotOptions = {}): string {
  const scene = activationScene(specs, opts);
  return sceneToSvg(scene, opts.title ?? 'Activation functions and their derivatives');
}
