// Shared by the nn tests: reads test/fixtures/nn.json (written by scripts/fixtures/nn.py with
// PyTorch) and compares chainrule tensors with it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { type Tensor, tensor } from 'chainrule';

export interface Enc {
  shape: number[];
  data: number[];
  dtype: 'float64' | 'int32';
}

export interface LossCase {
  name: string;
  input: Enc;
  target: Enc;
  opts: Record<string, unknown>;
  tensors: Record<string, Enc>;
  upstream?: Enc;
  output: Enc;
  grad?: Enc;
}

export interface LayerCase {
  name: string;
  config: Record<string, unknown>;
  stateDict: Record<string, Enc>;
  inputs: Enc[];
  outputs: Enc[];
  upstreams: Enc[];
  inputGrads: (Enc | null)[];
  paramGrads: Record<string, Enc>;
  after: Record<string, Enc>;
}

export interface NNFixture {
  losses: LossCase[];
  layers: LayerCase[];
}

let cached: NNFixture | null = null;

export function fixture(): NNFixture {
  cached ??= JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8')) as NNFixture;
  return cached;
}

/** The fixture tensor as a chainrule tensor (float64 or int32). */
export function dec(e: Enc, requiresGrad = false): Tensor {
  const t = tensor(e.dtype === 'int32' ? Int32Array.from(e.data) : Float64Array.from(e.data), { shape: e.shape });
  if (requiresGrad) t.requiresGrad = true;
  return t;
}

export function stateDictOf(sd: Record<string, Enc>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, dec(v)]));
}

/** Asserts same shape and every element within tol (absolute, float64). */
export function assertClose(actual: Tensor | null | undefined, expected: Enc, tol = 1e-10, what = ''): void {
  assert.ok(actual, `${what}: missing tensor`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const a = actual.data;
  for (let i = 0; i < expected.data.length; i++) {
    const err = Math.abs(a[i] - expected.data[i]);
    if (!(err <= tol)) assert.fail(`${what}: element ${i} is ${a[i]}, PyTorch says ${expected.data[i]} (error ${err})`);
  }
}

export function layerCase(name: string): LayerCase {
  const c = fixture().layers.find((l) => l.name === name);
  if (!c) throw new Error(`no layer fixture ${name}`);
  return c;
}

/**
 * Replays a PyTorch layer case: loads its weights through loadStateDict (so parameter names
 * must line up), runs forward, backpropagates the stored upstream gradients and compares
 * outputs, input gradients, parameter gradients and the state after the step.
 */
export function replayLayer(
  c: LayerCase,
  module: { loadStateDict: (sd: Record<string, Tensor>) => unknown; namedParameters(): [string, Tensor][]; stateDict(): Record<string, Tensor> },
  run: (...xs: Tensor[]) => Tensor | Tensor[],
  tol = 1e-10,
): void {
  module.loadStateDict(stateDictOf(c.stateDict));
  const xs = c.inputs.map((e) => dec(e, e.dtype === 'float64'));
  const out = run(...xs);
  const outs = Array.isArray(out) ? out : [out];
  assert.equal(outs.length, c.outputs.length, `${c.name}: number of outputs`);
  outs.forEach((o, i) => {
    assertClose(o, c.outputs[i], tol, `${c.name} output ${i}`);
  });
  let total: Tensor | null = null;
  outs.forEach((o, i) => {
    const term = o.mul(dec(c.upstreams[i])).sum();
    total = total ? total.add(term) : term;
  });
  (total as unknown as Tensor).backward();
  c.inputGrads.forEach((g, i) => {
    if (g) assertClose(xs[i].grad, g, tol, `${c.name} input ${i} gradient`);
  });
  const params = new Map(module.namedParameters());
  for (const [k, g] of Object.entries(c.paramGrads)) assertClose(params.get(k)?.grad, g, tol, `${c.name} ${k} gradient`);
  const after = module.stateDict();
  for (const [k, v] of Object.entries(c.after)) assertClose(after[k], v, tol, `${c.name} ${k} after the step`);
}
