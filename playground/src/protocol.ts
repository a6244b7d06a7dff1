// Messages between the page and the training worker.
import type { Point } from './core/data.js';
import type { State } from './core/state.js';

export type ToWorker =
  | { type: 'config'; id: number; state: State; train: Point[]; test: Point[]; classes: number; regression: boolean }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'select'; index: number }
  | { type: 'export-safetensors'; id: number }
  | { type: 'import-safetensors'; id: number; bytes: Uint8Array }
  | { type: 'heatmaps'; on: boolean };

export interface Snapshot {
  type: 'snapshot';
  /** the config this run was built from */
  id: number;
  epoch: number;
  steps: number;
  playing: boolean;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
  history: { train: number; test: number }[];
  weights: { name: string; shape: number[]; data: Float64Array }[];
  grads: Record<string, Float64Array>;
  heat: { size: number; inputs: Float32Array; layers: Float32Array[] } | null;
  example: { index: number; features: number[]; z: number[][]; a: number[][]; target: number };
}

export type FromWorker =
  | Snapshot
  | { type: 'error'; message: string }
  | { type: 'exported'; id: number; bytes: Uint8Array }
  | { type: 'imported'; id: number; error?: string };
