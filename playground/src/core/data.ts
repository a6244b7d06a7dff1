// The data sets: TensorFlow Playground's (circle, XOR, Gaussian, spiral, two regression surfaces),
// the function boundaries (points above or below y = sin x, x³ − x, |x|), and a dropped CSV.
// Points live in [-6, 6]²; every random number comes from chainrule's seeded Generator.
import { Generator } from 'chainrule/browser';
import type { DatasetName } from './state.js';

/** One point: its coordinates and its label (a class id 0..K-1, or a real target for regression). */
export interface Point {
  x: number;
  y: number;
  label: number;
}

export interface Dataset {
  points: Point[];
  /** number of classes (0 for regression) */
  classes: number;
}

export const EXTENT = 6;

const uniform = (g: Generator, a: number, b: number) => a + (b - a) * g.random();

function circle(g: Generator, n: number, noise: number): Point[] {
  const radius = 5;
  const pts: Point[] = [];
  const add = (rMin: number, rMax: number, label: number) => {
    for (let i = 0; i < n / 2; i++) {
      const r = uniform(g, rMin, rMax);
      const angle = uniform(g, 0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      pts.push({ x: x + uniform(g, -radius, radius) * noise, y: y + uniform(g, -radius, radius) * noise, label });
    }
  };
  add(0, radius * 0.5, 1);
  add(radius * 0.7, radius, 0);
  return pts;
}

/**
 * XOR as the course sheets draw it: four clusters at the corners of the truth table, (±3, ±3),
 * class 1 where x and y have the same sign. Separable by two parallel lines, so a 2-2-1 network can
 * fit it exactly (TensorFlow Playground's filled quadrants need a third hidden unit).
 */
function xor(g: Generator, n: number, noise: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const sx = i % 2 === 0 ? 1 : -1;
    const sy = i % 4 < 2 ? 1 : -1;
    const r = 1.5 * Math.sqrt(g.random());
    const angle = uniform(g, 0, 2 * Math.PI);
    pts.push({ x: 3 * sx + r * Math.cos(angle) + uniform(g, -5, 5) * noise, y: 3 * sy + r * Math.sin(angle) + uniform(g, -5, 5) * noise, label: sx * sy > 0 ? 1 : 0 });
  }
  return pts;
}

/** K Gaussian blobs; two of them sit at (2, 2) and (-2, -2) as in TensorFlow Playground. */
function gauss(g: Generator, n: number, noise: number, k: number): Point[] {
  const centres = k === 2 ? [[2, 2], [-2, -2]] : Array.from({ length: k }, (_, c) => [3 * Math.cos((2 * Math.PI * c) / k), 3 * Math.sin((2 * Math.PI * c) / k)]);
  const sd = 0.5 + noise * 4;
  const pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % k;
    pts.push({ x: centres[c][0] + g.normal() * sd, y: centres[c][1] + g.normal() * sd, label: c === 0 ? (k === 2 ? 1 : 0) : k === 2 ? 0 : c });
  }
  return pts;
}

/** K interleaved spiral arms. */
function spiral(g: Generator, n: number, noise: number, k: number): Point[] {
  const pts: Point[] = [];
  const per = Math.floor(n / k);
  for (let c = 0; c < k; c++) {
    const delta = (2 * Math.PI * c) / k;
    for (let i = 0; i < per; i++) {
      const r = (i / per) * 5;
      const t = ((1.75 * i) / per) * 2 * Math.PI + delta;
      pts.push({ x: r * Math.sin(t) + uniform(g, -1, 1) * noise, y: r * Math.cos(t) + uniform(g, -1, 1) * noise, label: k === 2 ? 1 - c : c });
    }
  }
  return pts;
}

function regression(g: Generator, n: number, noise: number, f: (x: number, y: number) => number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const x = uniform(g, -EXTENT, EXTENT);
    const y = uniform(g, -EXTENT, EXTENT);
    pts.push({ x: x + uniform(g, -EXTENT, EXTENT) * noise, y: y + uniform(g, -EXTENT, EXTENT) * noise, label: f(x, y) });
  }
  return pts;
}

/** The target of the 'plane' set: a tilted plane in [-1, 1]. */
export const plane = (x: number, y: number) => (x + y) / (2 * EXTENT);

/** The target of the 'gaussreg' set: six signed bumps, in [-1, 1]. */
export function gaussBumps(x: number, y: number): number {
  const bumps = [
    [-4, 2.5, 1],
    [0, 2.5, -1],
    [4, 2.5, 1],
    [-4, -2.5, -1],
    [0, -2.5, 1],
    [4, -2.5, -1],
  ];
  let v = 0;
  for (const [cx, cy, s] of bumps) v += s * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 2);
  return Math.max(-1, Math.min(1, v));
}

/** The function-boundary sets: y = f(x), with x³ − x drawn in units of 3 so that it fits the square. */
export const BOUNDARIES: Record<'sin' | 'cubic' | 'abs', { f: (x: number) => number; label: string }> = {
  sin: { f: Math.sin, label: 'y = sin x' },
  cubic: { f: (x) => 3 * ((x / 3) ** 3 - x / 3), label: 'y = x³ − x (units of 3)' },
  abs: { f: Math.abs, label: 'y = |x|' },
};

function boundary(g: Generator, n: number, noise: number, f: (x: number) => number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < n; i++) {
    const x = uniform(g, -EXTENT, EXTENT);
    const y = uniform(g, -EXTENT, EXTENT);
    pts.push({ x: x + uniform(g, -1, 1) * noise * 3, y: y + uniform(g, -1, 1) * noise * 3, label: y > f(x) ? 1 : 0 });
  }
  return pts;
}

export const POINTS = 400;

/**
 * A built-in data set: 400 points (the seed decides them; noise is in percent).
 * @example makeDataset('xor', 0, 1, 2).points.length // 400
 */
export function makeDataset(name: Exclude<DatasetName, 'csv'>, noisePercent: number, seed: number, classes: number): Dataset {
  const g = new Generator(seed);
  const noise = noisePercent / 100;
  switch (name) {
    case 'circle':
      return { points: circle(g, POINTS, noise), classes: 2 };
    case 'xor':
      return { points: xor(g, POINTS, noise), classes: 2 };
    case 'gauss':
      return { points: gauss(g, POINTS, noise, classes), classes };
    case 'spiral':
      return { points: spiral(g, POINTS, noise, classes), classes };
    case 'plane':
      return { points: regression(g, POINTS, noise, plane), classes: 0 };
    case 'gaussreg':
      return { points: regression(g, POINTS, noise, gaussBumps), classes: 0 };
    case 'sin':
    case 'cubic':
    case 'abs':
      return { points: boundary(g, POINTS, noise, BOUNDARIES[name].f), classes: 2 };
  }
}

/** Splits points into train and test sets with a seeded shuffle: `ratio` percent train. */
export function split(points: readonly Point[], ratio: number, seed: number): { train: Point[]; test: Point[] } {
  const perm = new Generator(seed + 7919).permutation(points.length);
  const shuffled = Array.from(perm, (i) => points[i]);
  const nTrain = Math.max(1, Math.min(points.length - 1, Math.round((points.length * ratio) / 100)));
  return { train: shuffled.slice(0, nTrain), test: shuffled.slice(nTrain) };
}

export class CsvError extends Error {}

/**
 * Reads a CSV of 2-D points: columns x, y, label (a header row is optional). Integer labels are
 * classes (renumbered 0..K-1 in sorted order, up to 5); other numbers make a regression set. Any
 * problem throws a CsvError naming the row and column.
 * @example parseCsv('x,y,label\n1,2,0\n3,4,1').classes // 2
 */
export function parseCsv(text: string, maxClasses = 5): Dataset & { classNames: number[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: { line: number; cells: string[] }[] = [];
  lines.forEach((l, i) => {
    if (l.trim() !== '') rows.push({ line: i + 1, cells: l.split(/[,;\t]/).map((c) => c.trim()) });
  });
  if (rows.length === 0) throw new CsvError('CSV: the file has no rows');
  const isNum = (c: string) => c !== '' && Number.isFinite(Number(c));
  const first = rows[0];
  if (!first.cells.every(isNum)) rows.shift();
  if (rows.length < 2) throw new CsvError('CSV: need at least two data rows (x, y, label)');
  const width = first.cells.length;
  if (width > 3) throw new CsvError(`CSV: row ${first.line} has ${width} columns; the playground takes two feature columns and a label (x, y, label)`);
  if (width < 3) throw new CsvError(`CSV: row ${first.line} has ${width} column${width === 1 ? '' : 's'}; expected three (x, y, label)`);
  const names = ['x', 'y', 'label'];
  const pts: Point[] = [];
  for (const r of rows) {
    if (r.cells.length > 3) throw new CsvError(`CSV: row ${r.line} has ${r.cells.length} columns; the playground takes two feature columns and a label (x, y, label)`);
    for (let c = 0; c < 3; c++) {
      const cell = r.cells[c];
      if (cell === undefined || cell === '') throw new CsvError(`CSV: row ${r.line}, column ${c + 1} (${names[c]}) is missing`);
      if (!isNum(cell)) throw new CsvError(`CSV: row ${r.line}, column ${c + 1} (${names[c]}) is not a number: ${JSON.stringify(cell)}`);
    }
    pts.push({ x: Number(r.cells[0]), y: Number(r.cells[1]), label: Number(r.cells[2]) });
  }
  const integer = pts.every((p) => Number.isInteger(p.label));
  if (!integer) return { points: fitToSquare(pts), classes: 0, classNames: [] };
  const classNames = [...new Set(pts.map((p) => p.label))].sort((a, b) => a - b);
  if (classNames.length < 2) throw new CsvError(`CSV: every row has label ${classNames[0]}; a classifier needs at least two classes`);
  if (classNames.length > maxClasses) throw new CsvError(`CSV: ${classNames.length} classes in column 3 (label); the playground handles up to ${maxClasses}`);
  const index = new Map(classNames.map((c, i) => [c, i]));
  return { points: fitToSquare(pts.map((p) => ({ ...p, label: index.get(p.label) as number }))), classes: classNames.length, classNames };
}

/** Scales points uniformly so the largest coordinate is 5 (inside the drawn square), centred as given. */
function fitToSquare(pts: Point[]): Point[] {
  const m = Math.max(...pts.map((p) => Math.max(Math.abs(p.x), Math.abs(p.y))));
  if (!(m > 0)) return pts;
  const k = 5 / m;
  return pts.map((p) => ({ x: p.x * k, y: p.y * k, label: p.label }));
}
