import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Tensor, listBackends, optim, setBackend } from 'chainrule';
import { registerBackend } from '../src/backend/registry.js';
import { jsBackend } from '../src/backend/js/index.js';
import { type OptimizerCase, fixture, freshParams, lossOf, maxDiff } from './optim-helpers.js';

const CLASSES = {
  SGD: optim.SGD,
  Adam: optim.Adam,
  AdamW: optim.AdamW,
  RMSprop: optim.RMSprop,
  Adagrad: optim.Adagrad,
} as const;

function build(c: OptimizerCase, w: Tensor, b: Tensor): optim.Optimizer {
  const Cls = CLASSES[c.optimizer as keyof typeof CLASSES] as unknown as new (p: unknown, o: unknown) => optim.Optimizer;
  if (!c.groups) return new Cls([w, b], c.options);
  const groups = c.groups.map(({ params, ...o }) => ({ params: params.map((n) => (n === 'w' ? w : b)), ...o }));
  return new Cls(groups, c.options);
}

/** Runs the 20 fixture steps; returns the worst difference from PyTorch over the trajectory. */
function replay(c: OptimizerCase, dtype: 'float64' | 'float32' = 'float64'): number {
  const { w, b } = freshParams(dtype);
  const opt = build(c, w, b);
  let worst = 0;
  c.trajectory.forEach((snap, t) => {
    opt.zeroGrad();
    const loss = lossOf(w, b);
    const tol = dtype === 'float64' ? 1e-10 : 1e-5;
    assert.ok(Math.abs(loss.item() - c.losses[t]) < tol, `${c.optimizer} ${c.label}: loss at step ${t}`);
    loss.backward();
    opt.step();
    worst = Math.max(worst, maxDiff(w, b, snap));
  });
  return worst;
}

describe('optimizers match PyTorch 1.13 over 20 float64 steps (to 1e-10)', () => {
  for (const c of fixture.optimizers) {
    it(`${c.optimizer} ${c.label} (default js backend)`, () => {
      const worst = replay(c);
      assert.ok(worst < 1e-10, `max |diff| ${worst}`);
    });
  }

  it('every optimizer matches on the native backend (its fused C++ kernels)', { skip: !listBackends().includes('native') && 'native addon not built' }, () => {
    setBackend('native');
    try {
      for (const c of fixture.optimizers) {
        const worst = replay(c);
        assert.ok(worst < 1e-10, `${c.optimizer} ${c.label}: max |diff| ${worst}`);
      }
    } finally {
      setBackend('js');
    }
  });

  it('every optimizer also matches through composed ops on a backend without fused kernels', () => {
    registerBackend({ ...jsBackend, name: 'js-unfused', sgdStep: undefined, adamStep: undefined });
    setBackend('js-unfused');
    try {
      for (const c of fixture.optimizers) {
        const worst = replay(c);
        assert.ok(worst < 1e-10, `${c.optimizer} ${c.label}: max |diff| ${worst}`);
      }
    } finally {
      setBackend('js');
    }
  });
});

describe('optimizers on float32 parameters track PyTorch float32 (to 2e-6, a few float32 ulps)', () => {
  for (const backend of ['js', 'native']) {
    for (const c of fixture.float32) {
      it(`${c.optimizer} ${c.label} (${backend})`, { skip: !listBackends().includes(backend) && `${backend} backend not available` }, () => {
        setBackend(backend);
        try {
          const worst = replay(c, 'float32');
          assert.ok(worst < 2e-6, `max |diff| ${worst}`);
        } finally {
          setBackend('js');
        }
      });
    }
  }
});
