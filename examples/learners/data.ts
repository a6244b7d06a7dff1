/**
 * Small seeded 2-d data sets for the classic learners. Labels are returned both as ±1 (the
 * perceptron's convention) and as 0/1 class ids.
 */
import { Generator, type Tensor, tensor } from 'chainrule';

export interface Dataset {
  /** points, [N, 2] float64 */
  x: Tensor;
  /** labels +1 / -1, [N, 1] float64 */
  sign: Tensor;
  /** labels 1 / 0, [N, 1] float64 */
  binary: Tensor;
}

function build(points: number[][], labels: number[]): Dataset {
  const f64 = { dtype: 'float64' as const };
  return {
    x: tensor(points, f64),
    sign: tensor(
      labels.map((l) => [l > 0 ? 1 : -1]),
      f64,
    ),
    binary: tensor(
      labels.map((l) => [l > 0 ? 1 : 0]),
      f64,
    ),
  };
}

/**
 * Points on either side of the line x + 2y = 0.5, kept at least `margin` away from it, so the
 * classes are linearly separable.
 * @example separable(40, 1).x.shape // [40, 2]
 */
export function separable(n: number, seed: number, margin = 0.2): Dataset {
  const g = new Generator(seed);
  const pts: number[][] = [];
  const labels: number[] = [];
  while (pts.length < n) {
    const p = [g.random() * 4 - 2, g.random() * 4 - 2];
    const s = (p[0] + 2 * p[1] - 0.5) / Math.sqrt(5);
    if (Math.abs(s) < margin) continue;
    pts.push(p);
    labels.push(s > 0 ? 1 : -1);
  }
  return build(pts, labels);
}

/** The four XOR points: true where exactly one input is 1. @example xor().binary.toArray() // [[0], [1], [1], [0]] */
export function xor(): Dataset {
  return build(
    [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    [-1, 1, 1, -1],
  );
}

/**
 * Points inside a circle of radius `radius` around `centre` (class +1) and outside it (class -1),
 * with a gap of `gap` around the circle: not linearly separable in (x, y).
 * @example circle(100, 3).x.shape // [100, 2]
 */
export function circle(n: number, seed: number, radius = 1, centre: [number, number] = [0.5, -0.5], gap = 0.15): Dataset {
  const g = new Generator(seed);
  const pts: number[][] = [];
  const labels: number[] = [];
  while (pts.length < n) {
    const p = [centre[0] + (g.random() * 4 - 2), centre[1] + (g.random() * 4 - 2)];
    const r = Math.hypot(p[0] - centre[0], p[1] - centre[1]);
    if (Math.abs(r - radius) < gap) continue;
    pts.push(p);
    labels.push(r < radius ? 1 : -1);
  }
  return build(pts, labels);
}

/**
 * Three concentric rings (radius bands [0, 0.8), [1.1, 1.7), [2.0, 2.6)): classes 0, 1, 2 with
 * one-hot targets. A small non-linear multi-class task.
 * @example rings(90, 1).onehot.shape // [90, 3]
 */
export function rings(n: number, seed: number): { x: Tensor; labels: number[]; onehot: Tensor } {
  const g = new Generator(seed);
  const bands = [
    [0, 0.8],
    [1.1, 1.7],
    [2.0, 2.6],
  ];
  const pts: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const [lo, hi] = bands[k];
    const r = lo + (hi - lo) * g.random();
    const a = 2 * Math.PI * g.random();
    pts.push([r * Math.cos(a), r * Math.sin(a)]);
    labels.push(k);
  }
  const f64 = { dtype: 'float64' as const };
  return {
    x: tensor(pts, f64),
    labels,
    onehot: tensor(
      labels.map((k) => [0, 1, 2].map((j) => (j === k ? 1 : 0))),
      f64,
    ),
  };
}
