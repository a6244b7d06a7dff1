// Shared by the optimizer fixture tests: the tiny float64 linear-regression problem of
// scripts/fixtures/optim.py, replayed with chainrule.
import { readFileSync } from 'node:fs';
import { type Tensor, tensor } from 'chainrule';

export interface Snapshot {
  w: number[];
  b: number[];
}

export interface OptimizerCase {
  optimizer: string;
  label: string;
  options: Record<string, unknown>;
  groups: ({ params: string[] } & Record<string, unknown>)[] | null;
  losses: number[];
  trajectory: Snapshot[];
}

export interface SchedulerCase {
  scheduler: string;
  options: Record<string, unknown>;
  lrs: number[];
  finalLr: number;
  trajectory: Snapshot[];
}

export interface ClipCase {
  kind: 'norm' | 'value';
  normType?: number | 'inf';
  maxNorm?: number;
  clipValue?: number;
  total?: number;
  grads: Snapshot;
}

export interface OptimFixture {
  problem: { X: number[][]; Y: number[][]; W0: number[][]; b0: number[]; steps: number };
  optimizers: OptimizerCase[];
  schedulers: SchedulerCase[];
  float32: OptimizerCase[];
  plateauMetrics: number[];
  clip: ClipCase[];
}

export const fixture: OptimFixture = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8'));

const DATA = {
  float64: { X: tensor(fixture.problem.X, { dtype: 'float64' }), Y: tensor(fixture.problem.Y, { dtype: 'float64' }) },
  float32: { X: tensor(fixture.problem.X, { dtype: 'float32' }), Y: tensor(fixture.problem.Y, { dtype: 'float32' }) },
};

export function freshParams(dtype: 'float64' | 'float32' = 'float64'): { w: Tensor; b: Tensor } {
  return {
    w: tensor(fixture.problem.W0, { dtype, requiresGrad: true }),
    b: tensor(fixture.problem.b0, { dtype, requiresGrad: true }),
  };
}

/** mean((X Wᵀ + b - Y)²), in the parameters' dtype */
export function lossOf(w: Tensor, b: Tensor): Tensor {
  const { X, Y } = DATA[w.dtype as 'float64' | 'float32'];
  return X.matmul(w.T).add(b).sub(Y).square().mean();
}

/** Largest absolute difference between our parameters and a fixture snapshot. */
export function maxDiff(w: Tensor, b: Tensor, s: Snapshot): number {
  let d = 0;
  const wd = w.data;
  const bd = b.data;
  s.w.forEach((v, i) => {
    d = Math.max(d, Math.abs(wd[i] - v));
  });
  s.b.forEach((v, i) => {
    d = Math.max(d, Math.abs(bd[i] - v));
  });
  return Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
}
