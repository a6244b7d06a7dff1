// The differential suite: PyTorch 1.13's results for thousands of random cases over chainrule's
// ops, F, nn modules and optimizers (scripts/fixtures/parity.py wrote them to
// test/fixtures/parity/<name>[-<family>].json.gz), replayed on every registered backend. A case
// passes when chainrule's outputs, gradients and second-order gradients match
// (test/parity-replay.ts), or when PyTorch raised and chainrule throws a ChainruleError naming the
// op. Every failure must be on the known list (test/parity-known.ts) and every case on that list
// must still fail.
//
// `npm test` replays the default fixture; `npm run test:parity` replays every committed one
// (default, big and seed7: two more seeds, twice the cases each). CHAINRULE_PARITY=<name>[,<name>]
// (or all) picks fixtures: any fixture the generator writes replays the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as chainrule from 'chainrule';
import { F, Tensor, getBackend, listBackends, nn, optim, setBackend } from 'chainrule';
import { type Case, fixtureNames, loadFixture } from './parity-fixture.js';
import { CAUSES, type Cause, DEVIATIONS, KNOWN } from './parity-known.js';
import { replay } from './parity-replay.js';
import { TABLE } from './parity-table.js';

const WANTED = process.env.CHAINRULE_PARITY ?? 'default';
const NAMES = WANTED === 'all' ? fixtureNames() : WANTED.split(',');

describe('parity fixtures', () => {
  it('are the committed ones, and the known failures name only them', () => {
    assert.deepEqual(fixtureNames(), ['big', 'default', 'seed7']);
    const named = new Set(Object.keys(KNOWN).map((k) => k.slice(0, k.indexOf(':'))));
    assert.deepEqual([...named].filter((n) => !fixtureNames().includes(n)), [], 'known failures of fixtures that do not exist');
  });

  it('states every deliberate difference in the op table entry of its op (OpMeta.deviation)', () => {
    for (const [cause, op] of Object.entries(DEVIATIONS)) {
      const def = (chainrule as unknown as Record<string, { def?: { deviation?: string } }>)[op as string]?.def;
      assert.ok(def?.deviation, `${cause}: the op table entry ${op} states no deviation`);
    }
  });
});

for (const NAME of NAMES) suite(NAME);

function suite(NAME: string): void {
  const fixture = loadFixture(NAME);

  const byOp = new Map<string, Case[]>();
  for (const c of fixture.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);

  /** The known failures of this fixture: case id -> [cause, the backends it fails on, or null for all]. */
  const known = new Map<string, [Cause, string[] | null]>();
  for (const [key, v] of Object.entries(KNOWN)) {
    const [fx, id] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
    if (fx === NAME) known.set(id, typeof v === 'string' ? [v, null] : [v[0], v[1]]);
  }

  const failures: Record<string, Record<string, number>> = {};

  describe(`parity fixture ${NAME}`, () => {
    it('records its generator, PyTorch version and seed, and holds thousands of cases', () => {
      assert.equal(fixture.format, 'chainrule-parity/1');
      assert.match(fixture.torch, /^1\.13/);
      assert.ok(Number.isInteger(fixture.seed));
      assert.ok(fixture.cases.length >= 1000, `${fixture.cases.length} cases`);
      assert.equal(new Set(fixture.cases.map((c) => c.id)).size, fixture.cases.length, 'case ids are unique');
    });

    it('maps every op of the fixture to one table line, and every table line is used', () => {
      assert.deepEqual([...byOp.keys()].filter((op) => !(op in TABLE)), [], 'ops without a table line');
      assert.deepEqual(Object.keys(TABLE).filter((op) => !byOp.has(op)), [], 'table lines without cases');
    });

    it('covers the public API: every function, method, F entry, module and optimizer is replayed or excluded with a reason', () => {
      const covered = new Set<unknown>();
      for (const key of Object.keys(TABLE)) {
        const name = key.replace(/^(F|nn|optim|Tensor)\./, '').replace(/\/.*$/, '');
        const ns = key.startsWith('F.') ? [F] : key.startsWith('nn.') ? [nn] : key.startsWith('optim.') ? [optim] : [Tensor.prototype, chainrule];
        for (const o of ns) {
          const d = Object.getOwnPropertyDescriptor(o, name);
          if (d) covered.add(d.get ?? d.value);
        }
      }
      const missing: string[] = [];
      const check = (where: string, o: object, names: string[]) => {
        for (const n of names) {
          // methods and functions (getters such as ndim are properties, except T, which is replayed)
          const v = Object.getOwnPropertyDescriptor(o, n)?.value;
          if (typeof v !== 'function' || covered.has(v) || EXCLUDED[`${where}${n}`]) continue;
          missing.push(`${where}${n}`);
        }
      };
      check('', chainrule, Object.keys(chainrule));
      check('Tensor.', Tensor.prototype, Object.getOwnPropertyNames(Tensor.prototype));
      check('F.', F, Object.keys(F));
      check('nn.', nn, Object.keys(nn));
      check('optim.', optim, Object.keys(optim));
      assert.deepEqual(missing, [], 'neither replayed nor excluded');
    });

    it('knows only causes it describes, and only cases this fixture has', () => {
      for (const [id, [cause]] of known) {
        assert.ok(cause in CAUSES, `${id}: unknown cause ${cause}`);
        assert.ok(fixture.cases.some((c) => c.id === id), `${NAME}:${id} is on the known list but not in the fixture`);
      }
    });
  });

  for (const backend of listBackends()) {
    describe(`parity with PyTorch on the ${backend} backend (${NAME})`, () => {
      for (const [op, cases] of byOp) {
        it(`${op} (${cases.length} cases)`, () => {
          const prev = getBackend();
          setBackend(backend);
          try {
            const unexpected: string[] = [];
            const fixed: string[] = [];
            for (const c of cases) {
              const r = replay(c);
              const k = known.get(c.id);
              const expected = k !== undefined && (k[1] === null || k[1].includes(backend));
              if (r.outcome !== 'pass') {
                failures[backend] ??= {};
                failures[backend][k?.[0] ?? 'new'] = (failures[backend][k?.[0] ?? 'new'] ?? 0) + 1;
              }
              if (r.outcome !== 'pass' && !expected) unexpected.push(`${c.id} (${c.dtype}) ${r.outcome}: ${r.detail}`);
              if (r.outcome === 'pass' && expected) fixed.push(`${NAME}:${c.id} (${k[0]})`);
            }
            assert.deepEqual(unexpected, [], `${op} differs from PyTorch on ${backend}`);
            assert.deepEqual(fixed, [], `${op}: these known failures pass on ${backend} now; delete them from test/parity-known.ts`);
          } finally {
            setBackend(prev);
          }
        });
      }
    });
  }

  describe(`parity summary (${NAME})`, () => {
    it('prints the known failures by backend and cause', (t) => {
      for (const b of listBackends()) {
        const f = failures[b] ?? {};
        const total = Object.values(f).reduce((a, n) => a + n, 0);
        t.diagnostic(`${b}: ${fixture.cases.length - total} of ${fixture.cases.length} cases match PyTorch; ${total} known failures`);
        for (const [cause, n] of Object.entries(f).sort((x, y) => y[1] - x[1])) t.diagnostic(`  ${n} ${cause}`);
      }
      for (const b of listBackends()) {
        const want = [...known.values()].filter(([, only]) => only === null || only.includes(b)).length;
        const got = Object.values(failures[b] ?? {}).reduce((a, n) => a + n, 0);
        assert.equal(got, want, `${b}: ${got} failures, ${want} known`);
      }
    });
  });

}

/** Public API that no case replays, and why. */
const EXCLUDED: Record<string, string> = Object.fromEntries(
  (
    [
      ['not numerics: tensor plumbing', 'Tensor ChainruleError ExprSyntaxError Generator tensor scalar empty zeros ones zerosLike onesLike fullLike cast'],
      ['random (no PyTorch counterpart for the stream)', 'rand randn randint manualSeed getRngState setRngState'],
      ['autograd machinery the replay itself runs on', 'backward grad valueAndGrad noGrad enableGrad isGradEnabled detectAnomaly setDetectAnomaly customOp gradcheck'],
      ['backend selection and threading (test/wasm-threads.test.ts checks threaded results bit for bit against one thread)', 'setBackend getBackend listBackends setWasmThreads wasmThreads'],
      ['internal helpers exported for the ops (sumTo: broadcasting adjoint; powScalar/variance: the pow and var methods)', 'sumTo powScalar variance'],
      ['the op-authoring API: every op made with it is replayed, and test/architecture-doc.test.ts runs it', 'defineOp unaryOp compositeOp binaryOp unaryKernel binaryKernel record'],
      ['sparse storage helpers (sparseMatmul is checked against the dense product in test/text-sparse.test.ts)', 'csrFromRows csrNnz csrSelectRows csrToDense'],
      ['ONNX export and import: model files, checked against ONNX Runtime by test/onnx-*.test.ts', 'exportOnnx writeOnnx exportTextModel exportTextRun importOnnx OnnxModule exportTextRunPytorch pytorchModelSource pytorchConfig'],
      [
        'worked solutions, graphs, plots, files and training loops: not tensor numerics',
        'EpochMetrics explain render layout problemGraph derive adjoint agreesAt diff evalExpr simplify parseExpr parseProblem loadProblem solveProblem solveFile checkAnswers claimsFromObject parseAnswers formatReport toDot toMermaid toSvg graphModel plotActivations activationScene sampleActivation sampleActivations parseActivation chartScene sceneToSvg rasterizeScene save load saveCheckpoint loadCheckpoint htmlPage markdownToHtml fit evaluate EarlyStopping BestCheckpoint encodePng',
      ],
    ] as const
  ).flatMap(([why, names]) => names.split(' ').map((n) => [n, why])),
);
Object.assign(EXCLUDED, {
  'Tensor.constructor': 'the class',
  'Tensor.requiresGrad_': 'plumbing',
  'Tensor.retainGrad': 'plumbing',
  'Tensor.numel': 'plumbing',
  'Tensor.item': 'plumbing',
  'Tensor.toArray': 'plumbing',
  'Tensor.dataSync': 'plumbing',
  'Tensor.toString': 'plumbing',
  'Tensor.backward': 'the autograd machinery',
  'F.convOutLength': 'a length formula (exercised by every conv and pool case)',
  'nn.Module': 'base class',
  'nn.ModuleDict': 'container',
  'nn.ModuleList': 'container',
  'nn.ParameterList': 'container',
  'nn.ParameterDict': 'container',
  'nn.Sequential': 'container',
  'nn.ModuleInputError': 'error class',
  'nn.Parameter': 'a tensor wrapper',
  'optim.Optimizer': 'base class',
  'optim.LRScheduler': 'base class',
  'optim.LBFGS': 'steps through a closure, not on given gradients: checked against PyTorch by test/optim2-optimizers.test.ts',
  'nn.scaled': 'shorthand for new nn.Scale (the nn.Scale line calls it)',
  'nn.activationModule': 'the factory of the activation modules (each module it makes is replayed)',
});
