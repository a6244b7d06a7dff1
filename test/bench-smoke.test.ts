// Keeps the benchmark code from rotting: every chainrule workload of `npm run bench` runs at tiny
// sizes on every available backend, and the training workloads must actually train. No timings.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { getBackend, listBackends, setBackend } from 'chainrule';
import { buildChainrule } from '../bench/chainrule-workloads.js';
import { median } from '../bench/report.js';
import { TINY, WORKLOADS } from '../bench/workloads.js';

const initial = getBackend();
after(() => setBackend(initial));

for (const backend of listBackends()) {
  describe(`bench workloads on the ${backend} backend`, () => {
    test('sgemm and small-op workloads run', () => {
      setBackend(backend);
      for (const spec of [TINY.sgemm, TINY.smallop]) {
        const r = buildChainrule(spec);
        r.step();
        assert.equal(r.lastLoss, undefined);
      }
      assert.equal(buildChainrule(TINY.smallop).opsPerStep, 1000);
    });

    for (const kind of ['mlp', 'textcnn', 'gru', 'cnn2d', 'transformer'] as const) {
      test(`${kind} step trains: finite loss that falls over a few steps`, () => {
        setBackend(backend);
        const r = buildChainrule(TINY[kind]);
        const losses: number[] = [];
        for (let i = 0; i < 8; i++) {
          r.step();
          losses.push(r.lastLoss!());
        }
        assert.ok(
          losses.every((l) => Number.isFinite(l) && l > 0),
          `losses ${losses}`,
        );
        // the same batch every step: the optimizer must drive its loss down
        assert.ok(losses[7] < losses[0] * 0.9, `loss did not fall: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
      });
    }

    test('attention step: the same forward value every step and gradients for q, k and v', () => {
      setBackend(backend);
      const r = buildChainrule(TINY.attention);
      r.step();
      const first = r.lastLoss!();
      r.step();
      assert.ok(Number.isFinite(first));
      assert.equal(r.lastLoss!(), first);
    });
  });
}

test('every benchmark workload kind has a tiny version and the full list covers the issue', () => {
  for (const w of WORKLOADS) assert.ok(TINY[w.spec.kind], w.name);
  assert.deepEqual(
    WORKLOADS.map((w) => w.name),
    [
      'sgemm-256',
      'sgemm-512',
      'sgemm-1024',
      'sgemm-2048',
      'add-16',
      'mlp-step',
      'textcnn-step',
      'gru-step',
      'cnn2d-step',
      'transformer-step',
      'attention-long',
      'attention-long-1024',
      'attention-long-4096',
    ],
  );
  assert.deepEqual(
    WORKLOADS.filter((w) => w.memory).map((w) => w.spec.kind === 'attention' && w.spec.seq),
    [2048, 1024, 4096],
  );
});

test('median of odd and even lists', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
});
