// Runs exported ONNX models in ONNX Runtime (onnxruntime-node, a devDependency) and compares
// their outputs with chainrule's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { type Tensor, exportOnnx, importOnnx, manualSeed, type nn } from 'chainrule';

/** One inference session per model bytes. */
export async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all' });
}

/** An ORT tensor of a chainrule tensor (int32 stays int32, bool becomes uint8). */
export function toOrt(t: Tensor): ort.Tensor {
  const dims = [...t.shape];
  if (t.dtype === 'float32') return new ort.Tensor('float32', Float32Array.from(t.dataSync() as Float32Array), dims);
  if (t.dtype === 'float64') return new ort.Tensor('float64', Float64Array.from(t.dataSync() as Float64Array), dims);
  if (t.dtype === 'int32') return new ort.Tensor('int32', Int32Array.from(t.dataSync() as Int32Array), dims);
  throw new Error(`toOrt: dtype ${t.dtype}`);
}

/** Runs the session on named chainrule inputs; returns the outputs by name. */
export async function runOrt(s: ort.InferenceSession, feeds: Record<string, Tensor | ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const f: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = v instanceof ort.Tensor ? v : toOrt(v as Tensor);
  return s.run(f);
}

/** The largest |a - b| / (1 + |b|) (NaN where exactly one is NaN, Infinity where infinities differ). */
export function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length, 'sizes differ');
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const a = Number(got[i]);
    const b = Number(want[i]);
    if (Number.isNaN(a) || Number.isNaN(b)) {
      if (Number.isNaN(a) !== Number.isNaN(b)) return Number.NaN;
      continue;
    }
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      if (a !== b) return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(a - b) / (1 + Math.abs(b)));
  }
  return worst;
}

/** ORT's output equals chainrule's tensor: same shape, values within tol (absolute below 1, relative above). */
export function assertClose(got: ort.Tensor, want: Tensor, what: string, tol = 1e-5): void {
  assert.deepEqual([...got.dims], [...want.shape], `${what}: shape`);
  const err = maxError(got.data as Float32Array, want.dataSync());
  assert.ok(err <= tol, `${what}: max error ${err} > ${tol}`);
}

/** One module of an export test: how to make it, its inputs, and which axes are free. */
export interface Case {
  name: string;
  make: () => nn.Module;
  /** the forward's inputs for batch size b and sequence length t */
  inputs: (b: number, t: number) => Tensor[];
  /** free axes of each input (by position), and of each output */
  inAxes: Record<number, string>[];
  outAxes: Record<number, string>[];
  opsets?: number[];
  tol?: number;
  /** also import the file back with importOnnx and compare its forward (default false) */
  imports?: boolean;
}

function flat(v: unknown): Tensor[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as Tensor];
}

/**
 * For every case and opset: the module exported once with its free axes, run by ONNX Runtime at
 * two batch sizes and lengths, equals chainrule's eval-mode forward (and, for `imports`, so does
 * the module importOnnx reads back from the same bytes).
 */
export function checkCases(cases: readonly Case[]): void {
  for (const c of cases) {
    for (const opset of c.opsets ?? [17]) {
      test(`ONNX export matches ONNX Runtime${c.imports ? ' and importOnnx' : ''}: ${c.name} (opset ${opset}), two batch sizes from one file`, async () => {
        manualSeed(7);
        const m = c.make().eval();
        const example = c.inputs(2, 3);
        const nIn = example.length;
        const dynamicAxes: Record<string, Record<number, string>> = {};
        c.inAxes.forEach((a, i) => {
          dynamicAxes[`input_${i}`] = a;
        });
        c.outAxes.forEach((a, i) => {
          dynamicAxes[`output_${i}`] = a;
        });
        const bytes = await exportOnnx(m, example, { opset, dynamicAxes });
        const s = await session(bytes);
        const back = c.imports ? await importOnnx(bytes) : null;
        assert.deepEqual(s.inputNames, Array.from({ length: nIn }, (_, i) => `input_${i}`));
        assert.equal(s.outputNames.length, c.outAxes.length);
        for (const [b, t] of [
          [1, 2],
          [4, 5],
        ]) {
          const xs = c.inputs(b, t);
          const want = flat((m as unknown as { forward(...a: Tensor[]): unknown }).forward(...xs));
          const feeds: Record<string, Tensor> = {};
          xs.forEach((x, i) => {
            feeds[`input_${i}`] = x;
          });
          const got = await runOrt(s, feeds);
          const at = `at batch ${b}, length ${t}`;
          for (const [i, w] of want.entries()) assertClose(got[`output_${i}`], w, `${c.name} output_${i} ${at}`, c.tol);
          if (back) {
            const mine = flat(back.forward(...xs));
            assert.equal(mine.length, want.length, `${c.name}: imported outputs`);
            for (const [i, w] of want.entries()) {
              assert.deepEqual(mine[i].shape, w.shape, `${c.name} imported output_${i} ${at}: shape`);
              const err = maxError(mine[i].dataSync(), w.dataSync());
              assert.ok(err <= (c.tol ?? 1e-5), `${c.name} imported output_${i} ${at}: max error ${err}`);
            }
          }
        }
      });
    }
  }
}
