// Replays one case of the differential suite on the active backend: builds the inputs (views
// from their base tensors by the same steps PyTorch took), runs the table's chainrule call, and
// compares outputs, first-order gradients of sum(out·up) and second-order gradients of
// sum(grad·v) with PyTorch's; where PyTorch raised, chainrule must throw a ChainruleError that
// names the op. Tolerances: float64 rtol 1e-10, float32 rtol 1e-4, plus an atol of 1e-12
// (float64) or 1e-5 (float32) times the largest finite magnitude of the expected tensor; a float32
// tensor's atol is at least twice its slack (PyTorch's own error there, measured against its
// float64 result by the generator, for float32 cases and those with a float32 input), and the
// gradient of a base read through an expanded view scales its atol by the largest of the
// gradients it sums (its `scale`). A second-order gradient scales its atol by at least the
// largest |grad|·|v| too: it sums terms of that size, so where they cancel (the prod of one
// element, x·(1/x)) PyTorch's value is rounding noise around 0. NaN must be NaN and infinities
// must match exactly.
import { ChainruleError, type DType, type Tensor, grad, zeros } from 'chainrule';
import { type Case, type CaseInput, type Enc, type ViewStep, decode, values } from './parity-fixture.js';
import { type Out, errorNames, runOf } from './parity-table.js';

/** What went wrong in a case, in order of the checks; 'pass' when nothing did. */
export type Outcome =
  | 'pass'
  | 'no-error' // PyTorch raised, chainrule returned
  | 'wrong-error' // chainrule threw, but not a ChainruleError naming the op
  | 'threw' // PyTorch returned, chainrule threw
  | 'forward' // outputs differ (count, shape, dtype or values)
  | 'grad-threw'
  | 'grad'
  | 'grad2-threw'
  | 'grad2';

export interface Result {
  outcome: Outcome;
  detail: string;
}

const TOL = { float64: [1e-10, 1e-12], float32: [1e-4, 1e-5] } as const;

const isFloat = (d: DType): boolean => d === 'float64' || d === 'float32';

function applyView(x: Tensor, steps: readonly ViewStep[] | undefined): Tensor {
  for (const s of steps ?? []) {
    switch (s[0]) {
      case 'transpose':
        x = x.transpose(s[1], s[2]);
        break;
      case 'permute':
        x = x.permute(s[1]);
        break;
      case 'slice':
        x = x.slice(s[1], s[2], s[3], s[4]);
        break;
      case 'narrow':
        x = x.narrow(s[1], s[2], s[3]);
        break;
      case 'expand':
        x = x.expand(s[1]);
        break;
      case 'select':
        x = x.index(s[1]);
        break;
    }
  }
  return x;
}

/** Fresh inputs by name (views applied); the grad inputs' bases are `leaves` when given. */
function inputs(c: Case, leaves?: Tensor[]): Record<string, Tensor> {
  const t: Record<string, Tensor> = {};
  let k = 0;
  for (const inp of c.inputs) t[inp.name] = applyView(inp.grad && leaves ? leaves[k++] : decode(inp.t), inp.view);
  return t;
}

function flat(o: Out): Tensor[] {
  if (Array.isArray(o)) return o.flatMap((x) => flat(x));
  if (typeof o === 'number') throw new Error('a table entry returned a bare number; wrap it in a tensor');
  return [o as Tensor];
}

function fmt(v: number): string {
  return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : v.toPrecision(12);
}

/** The largest finite magnitude of an encoded tensor's values. */
function maxAbs(e: Enc): number {
  let m = 0;
  for (const v of values(e)) if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  return m;
}

/** null when `got` matches the expected tensor; else what differs (`floor`: a least scale of its atol). */
export function compare(got: Tensor, want: Enc, what: string, floor = 0): string | null {
  if (got.shape.length !== want.shape.length || got.shape.some((n, i) => n !== want.shape[i])) {
    return `${what}: shape [${got.shape}], PyTorch [${want.shape}]`;
  }
  if (got.dtype !== want.dtype) return `${what}: dtype ${got.dtype}, PyTorch ${want.dtype}`;
  const a = got.dataSync();
  const e = values(want);
  if (!isFloat(want.dtype)) {
    for (let i = 0; i < e.length; i++) if (a[i] !== e[i]) return `${what}[${i}]: ${a[i]}, PyTorch ${e[i]}`;
    return null;
  }
  const [rtol, atolScale] = TOL[want.dtype as 'float64' | 'float32'];
  let m = 0;
  for (let i = 0; i < e.length; i++) if (Number.isFinite(e[i])) m = Math.max(m, Math.abs(e[i]));
  const atol = Math.max(atolScale * Math.max(m, want.scale ?? 0, floor), 2 * (want.slack ?? 0));
  let bad = -1;
  let count = 0;
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    const ok = Number.isNaN(y) ? Number.isNaN(x) : !Number.isFinite(y) ? x === y : Number.isFinite(x) && Math.abs(x - y) <= rtol * Math.abs(y) + atol;
    if (!ok) {
      if (bad < 0) bad = i;
      count++;
    }
  }
  if (bad < 0) return null;
  return `${what}[${bad}]: ${fmt(a[bad])}, PyTorch ${fmt(e[bad])}${count > 1 ? ` (${count} of ${e.length} differ)` : ''}`;
}

function compareAll(got: Tensor[], want: Enc[], what: string, floor = 0): string | null {
  if (got.length !== want.length) return `${what}: ${got.length} tensors, PyTorch ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    const d = compare(got[i], want[i], want.length > 1 ? `${what} ${i}` : what, floor);
    if (d) return d;
  }
  return null;
}

function message(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
}

function total(ts: Tensor[], dtype: DType): Tensor {
  return ts.reduce((acc, x) => acc.add(x), zeros([], { dtype }));
}

export function replay(c: Case): Result {
  const run = runOf(c.op);
  const gradInputs: CaseInput[] = c.inputs.filter((i) => i.grad);
  let outs: Tensor[];
  try {
    outs = flat(run(c.attrs, inputs(c, gradInputs.map((i) => decode(i.t).requiresGrad_()))));
  } catch (e) {
    if (c.error === undefined) return { outcome: 'threw', detail: message(e) };
    const names = errorNames(c.op).map((n) => n.toLowerCase());
    const named = e instanceof ChainruleError && names.some((n) => e.message.toLowerCase().includes(n));
    return named ? { outcome: 'pass', detail: '' } : { outcome: 'wrong-error', detail: `${message(e)} (PyTorch: ${c.error})` };
  }
  if (c.error !== undefined) return { outcome: 'no-error', detail: `PyTorch: ${c.error}` };
  const fwd = compareAll(outs, c.out ?? [], 'output');
  if (fwd) return { outcome: 'forward', detail: fwd };
  if (gradInputs.length) {
    const i = (c.out ?? []).findIndex((e, k) => isFloat(e.dtype) && (e.rg ?? false) !== outs[k].requiresGrad);
    if (i >= 0) return { outcome: 'forward', detail: `output ${i}: requiresGrad ${outs[i].requiresGrad}, PyTorch ${!outs[i].requiresGrad}` };
  }
  if (!c.grads || !c.up) return { outcome: 'pass', detail: '' };
  const ups = c.up.map(decode);
  const loss = (...leaves: Tensor[]): Tensor => {
    const fo = flat(run(c.attrs, inputs(c, leaves))).filter((o) => isFloat(o.dtype));
    return total(
      fo.map((o, i) => o.mul(ups[i]).sum()),
      leaves[0].dtype,
    );
  };
  let gs: Tensor[];
  try {
    gs = grad(loss)(...gradInputs.map((i) => decode(i.t)));
  } catch (e) {
    return { outcome: 'grad-threw', detail: message(e) };
  }
  const g1 = compareAll(gs, c.grads, 'grad');
  if (g1) return { outcome: 'grad', detail: g1 };
  if (!c.grads2 || !c.v) return { outcome: 'pass', detail: '' };
  const vs = c.v.map(decode);
  const second = (...leaves: Tensor[]): Tensor => {
    const g = grad(loss, { createGraph: true })(...leaves);
    return total(
      g.map((x, i) => x.mul(vs[i]).sum()),
      leaves[0].dtype,
    );
  };
  let g2: Tensor[];
  try {
    g2 = grad(second)(...gradInputs.map((i) => decode(i.t)));
  } catch (e) {
    return { outcome: 'grad2-threw', detail: message(e) };
  }
  const terms = Math.max(0, ...c.grads.map((g, i) => maxAbs(g) * (c.v?.[i] ? maxAbs(c.v[i]) : 0)));
  const d2 = compareAll(g2, c.grads2, 'grad2', terms);
  return d2 ? { outcome: 'grad2', detail: d2 } : { outcome: 'pass', detail: '' };
}
