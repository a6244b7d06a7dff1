// Shared by the optim2 fixture tests: the random-batch float64 linear model of
// scripts/fixtures/optim2.py, and the backends every replay runs on.
import { readFileSync } from 'node:fs';
import { type Tensor, tensor } from 'chainrule';
import { nativeAddon } from '../src/backend/native/load.js';
import { wasmBackend } from '../src/backend/wasm/index.js';
import type { OptimizerCase } from './optim-helpers.js';

export interface Optim2Case extends OptimizerCase {
  state: Record<string, number | number[]>[];
  closureCalls?: number[];
}

export interface SchedSpec {
  kind: string;
  options?: Record<string, unknown>;
  schedulers?: SchedSpec[];
  milestones?: number[];
}

export interface Sched2Case {
  label: string;
  optimizer: 'SGD' | 'Adam';
  spec: SchedSpec;
  calls: (number | null)[];
  lrs: number[][];
  momentums: number[][];
  lastLr: number[];
}

export interface Optim2Fixture {
  problem: { X: number[][][]; Y: number[][][]; W0: number[][]; b0: number[]; steps: number };
  optimizers: Optim2Case[];
  schedulers: Sched2Case[];
}

export const fixture2: Optim2Fixture = JSON.parse(readFileSync(new URL('./fixtures/optim2.json', import.meta.url), 'utf8'));

const BATCHES = fixture2.problem.X.map((x, t) => ({ X: tensor(x, { dtype: 'float64' }), Y: tensor(fixture2.problem.Y[t], { dtype: 'float64' }) }));

export function freshParams2(): { w: Tensor; b: Tensor } {
  return { w: tensor(fixture2.problem.W0, { dtype: 'float64', requiresGrad: true }), b: tensor(fixture2.problem.b0, { dtype: 'float64', requiresGrad: true }) };
}

/** mean((X_t Wᵀ + b - Y_t)²) on the batch of step t */
export function batchLoss(w: Tensor, b: Tensor, t: number): Tensor {
  const { X, Y } = BATCHES[t];
  return X.matmul(w.T).add(b).sub(Y).square().mean();
}

/** js always; wasm where WebAssembly SIMD runs; native where the addon loads. */
export const BACKENDS: [string, boolean][] = [
  ['js', true],
  ['wasm', wasmBackend !== null],
  ['native', nativeAddon !== null],
];
