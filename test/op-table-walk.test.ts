// Walks the op table and fails where a consumer lacks something an entry promises: its Tensor
// methods, its problem-file function (with the local derivative it states, evaluated against the
// engine's backward), its LaTeX (parsed by KaTeX), its plot families, its nn module and F
// function, and a native C kernel for each of its kernels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  F,
  type Op,
  OPS,
  OP_MODULES,
  type Tensor,
  derive,
  evalExpr,
  grad,
  nn,
  parseActivation,
  parseExpr,
  parseProblem,
  sampleActivation,
  solveProblem,
  tensor,
} from 'chainrule';
import katex from 'katex';
import { nativeAddon } from '../src/backend/native/load.js';
import { methodNamesOf, tableKernels } from '../src/ops/index.js';

const SAMPLES = [-1.7, -0.6, -0.15, 0.35, 0.8, 1.3, 2.2];

/**
 * Sample values for input k of an op, inside its domain: the list rotated, so two inputs differ.
 * An input named `weight` is a learned parameter broadcast over the data (prelu's slope): one value.
 */
function samplesFor(op: Op, k: number): number[] {
  const [lo, hi] = op.def.domain ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  const inside = SAMPLES.filter((v) => v > lo && v < hi);
  const xs = inside.map((_, i) => inside[(i + 2 * k) % inside.length]);
  return op.def.inputs[k] === 'weight' ? xs.slice(0, 1) : xs;
}

function sampleInput(k: number): Tensor {
  return tensor(SAMPLES.map((_, i) => SAMPLES[(i + 2 * k) % SAMPLES.length]), { dtype: 'float64' });
}

const numeric = (op: Op) => op.def.params.filter((p) => (p.type ?? 'number') === 'number');

/** The values the walk passes for parameters that need one (their samples), in order; none for the others. */
function sampleParams(op: Op): number[] {
  const ps = op.def.params;
  const last = ps.map((p) => p.sample !== undefined).lastIndexOf(true);
  return ps.slice(0, last + 1).map((p) => p.sample ?? (p.default as number));
}

describe('the op table', () => {
  it('has unique op names and unique problem-file names', () => {
    const names = OPS.map((o) => o.def.name);
    assert.equal(new Set(names).size, names.length);
    const problem = OPS.flatMap((o) => (o.def.problem ? [o.def.problem, ...o.def.aliases] : []));
    assert.equal(new Set(problem).size, problem.length, 'a problem-file name or alias is used twice');
  });

  it('every entry says what it computes', () => {
    for (const op of OPS) assert.ok(op.def.doc.length > 3, `${op.def.name} has no doc`);
  });

  it('every method an entry promises is on Tensor and calls the op', () => {
    const x = tensor([[0.5, -1.25], [2, 0.75]], { dtype: 'float64' });
    for (const op of OPS) {
      for (const m of methodNamesOf(op.def)) {
        const method = (x as unknown as Record<string, unknown>)[m];
        assert.equal(typeof method, 'function', `Tensor.${m} (from ${op.def.name})`);
      }
    }
    // a sample of methods against their functions, one per kind of signature
    const same = (a: Tensor, b: Tensor) => assert.deepEqual(a.toArray(), b.toArray());
    same(x.silu(), F.silu(x));
    same(x.leakyRelu(0.2), F.leakyRelu(x, 0.2));
    same(x.atan2(x.T), OP_MODULES.math.atan2(x, x.T));
    same(x.clip(0, 1), x.clamp(0, 1));
  });

  it('every LaTeX form parses (KaTeX)', () => {
    for (const op of OPS) {
      const args = op.def.inputs.map((_, i) => `x_{${i}}`);
      const attrs = Object.fromEntries(op.def.params.map((p) => [p.name, p.default ?? 1]));
      const tex = op.def.latex(args, attrs);
      assert.doesNotThrow(() => katex.renderToString(tex, { throwOnError: true }), `${op.def.name}: ${tex}`);
      if (op.def.fnLatex) assert.doesNotThrow(() => katex.renderToString(`${op.def.fnLatex}(x)`, { throwOnError: true }), op.def.name);
    }
  });

  describe('every local-derivative formula equals the backward, at sample points', () => {
    for (const op of OPS.filter((o) => o.def.derivative && o.def.problem)) {
      it(op.def.name, () => {
        const names = op.def.inputs.map((_, i) => `x${i}`);
        const xs = names.map((_, k) => tensor(samplesFor(op, k), { dtype: 'float64' }));
        const call = op as unknown as (...a: Tensor[]) => Tensor;
        const extra = sampleParams(op) as unknown as Tensor[];
        const engine = grad((...t: Tensor[]) => call(...t, ...extra).sum())(...xs);
        const value = (p: (typeof op.def.params)[number]) => p.sample ?? p.default;
        const formulas = op.def.derivative?.(
          names.map((n) => parseExpr(n)),
          numeric(op).map((p) => {
            const v = value(p);
            return typeof v === 'number' ? { kind: 'num', value: v } : (undefined as never);
          }),
        );
        assert.equal(formulas?.length, xs.length, `${op.def.name}: one formula per tensor input`);
        const env = new Map(names.map((n, i) => [n, xs[i]] as const));
        formulas?.forEach((f, i) => {
          const shown = evalExpr(f, env);
          const want = [...engine[i].dataSync()];
          // a one-element input broadcast over the others collects the sum of its local derivatives
          const vals = [...shown.dataSync()].map(Number);
          const got = want.length === 1 && vals.length > 1 ? [vals.reduce((a, b) => a + b, 0)] : want.map((_, j) => vals[vals.length === 1 ? 0 : j]);
          want.forEach((w, j) => {
            if (!Number.isFinite(w)) return;
            assert.ok(Math.abs(got[j] - w) <= 1e-9 * (1 + Math.abs(w)), `${op.def.name} d/dx${i} at element ${j}: formula ${got[j]}, backward ${w}`);
          });
        });
      });
    }
  });

  it('every op with a problem-file name can be called from a problem file, and solve shows its derivative', () => {
    for (const op of OPS.filter((o) => o.def.problem && o.def.derivative)) {
      const names = op.def.inputs.map((_, i) => `x${i}`);
      const at = (k: number) => samplesFor(op, k).at(-1) as number;
      const inputs = names.map((n, k) => `${n}: ${at(k)}`).join(', ');
      const extra = sampleParams(op);
      const args = [...names, ...extra.map(String)].join(', ');
      const yaml = `title: ${op.def.problem}\ninputs: {${inputs}}\nnodes:\n  y: ${op.def.problem}(${args})\nbackward: {from: y}\n`;
      const dv = derive(solveProblem(parseProblem(yaml, 'walk.yaml')));
      const xs = names.map((_, k) => tensor(at(k), { dtype: 'float64' }));
      const engine = grad((...t: Tensor[]) => (op as unknown as (...a: unknown[]) => Tensor)(...t, ...extra))(...xs);
      names.forEach((n, k) => {
        // the step shows ∂y/∂n as a formula, whose value is the engine's gradient
        const local = dv.backward.find((b) => b.name === n)?.terms[0]?.local;
        assert.ok(local, `${op.def.problem}: no local derivative ∂y/∂${n} in the solution`);
        const want = engine[k].item();
        assert.ok(Math.abs(Number(local.value) - want) <= 1e-9 * (1 + Math.abs(want)), `${op.def.problem}: ∂y/∂${n} shown as ${local.value}, engine ${want}`);
      });
    }
  });

  it('every plot family samples finite values and derivatives', () => {
    for (const op of OPS) {
      for (const spec of op.def.plot) {
        const act = parseActivation(spec.key ?? op.def.problem ?? op.def.name);
        const s = sampleActivation(act, [-1.3, -0.4, 0.45, 1.6]);
        assert.ok([...s.y, ...s.dy].every(Number.isFinite), `${act.spec}: ${s.y} / ${s.dy}`);
      }
    }
  });

  it('every nn module an entry names exists, takes its parameters and applies the op', () => {
    const x = sampleInput(0).reshape([1, 7]).expand([2, 7]).contiguous().mul(1);
    for (const op of OPS.filter((o) => o.def.module)) {
      const Cls = (nn as unknown as Record<string, new (...a: unknown[]) => { forward(x: Tensor): Tensor }>)[op.def.module as string];
      assert.equal(typeof Cls, 'function', `nn.${op.def.module}`);
      const input = op.def.name === 'glu' ? x.narrow(1, 0, 6) : x;
      const want = (op as unknown as (x: Tensor) => Tensor)(input);
      assert.deepEqual(new Cls().forward(input).toArray(), want.toArray(), `nn.${op.def.module}`);
    }
  });

  it('F has every activation of the table', () => {
    for (const op of Object.values(OP_MODULES.activation).filter((v) => typeof v === 'function' && 'def' in v) as Op[]) {
      assert.equal(typeof (F as unknown as Record<string, unknown>)[op.def.name], 'function', `F.${op.def.name}`);
    }
  });

  it('the native addon has a C kernel for every kernel of the table, equal to its reference definition', { skip: !nativeAddon && 'the native addon is not built' }, () => {
    const addon = nativeAddon as NonNullable<typeof nativeAddon>;
    const names = addon.kernelNames();
    const { unary, binary } = tableKernels();
    assert.deepEqual(names.unary.sort(), unary.map((k) => k.name).sort());
    assert.deepEqual(names.binary.sort(), binary.map((k) => k.name).sort());
    const x = Float64Array.from({ length: 100 }, (_, i) => (i - 50) / 17 + 0.013);
    const y = Float64Array.from({ length: 100 }, (_, i) => ((i * 7) % 23) / 5 - 2.1);
    for (const k of unary) {
      const out = new Float64Array(100);
      assert.equal(addon.unary(addon.kernelNames().unary.indexOf(k.name), x, out, 0.3, 1.7), true, `no C kernel for ${k.name}`);
      out.forEach((v, i) => {
        const want = k.f(x[i], 0.3, 1.7);
        assert.ok(Object.is(v, want) || Math.abs(v - want) <= 1e-14 * Math.max(1, Math.abs(want)), `${k.name}(${x[i]}): C ${v}, reference ${want}`);
      });
    }
    const dims = Float64Array.from([1, 100, 1, 1]);
    for (const k of binary) {
      const out = k.compare ? new Uint8Array(100) : new Float64Array(100);
      assert.equal(addon.binary(addon.kernelNames().binary.indexOf(k.name), x, y, out, dims), true, `no C kernel for ${k.name}`);
      out.forEach((v, i) => {
        const want = k.f(x[i], y[i]);
        assert.ok(Object.is(v, want) || Math.abs(v - want) <= 1e-14 * Math.max(1, Math.abs(want)), `${k.name}(${x[i]}, ${y[i]}): C ${v}, reference ${want}`);
      });
    }
  });
});
