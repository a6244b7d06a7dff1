// Runs exported ONNX models in ONNX Runtime (onnxruntime-node, a devDependency) and compares
// their outputs with chainrule's.
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import type { Tensor } from 'chainrule';

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
