// The op table: one entry per op case, with the same name as in scripts/fixtures/ops.py, which
// computed PyTorch's forward values and gradients into test/fixtures/ops.json. runOpTable checks,
// for every case on a given backend: the forward values, the gradient of sum(out * W), and a
// float64 gradcheck against central differences (not for cases on kinks, ties and poles, marked
// gradcheck: false, whose gradient is PyTorch's convention there).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  type Tensor,
  atan2,
  clamp,
  concat,
  conv1d,
  conv1dInputGrad,
  conv1dWeightGrad,
  fmod,
  gather,
  getBackend,
  grad,
  gradcheck,
  hypot,
  indexSelect,
  lerp,
  matmul,
  maximum,
  minimum,
  prelu,
  remainder,
  scatterAdd,
  setBackend,
  stack,
  tensor,
  where,
} from 'chainrule';

type OpFn = (...xs: Tensor[]) => Tensor;

export const OPS: Record<string, OpFn> = {
  add: (a, b) => a.add(b),
  add_broadcast: (a, b) => a.add(b),
  add_scalar: (a) => a.add(2.5),
  sub: (a, b) => a.sub(b),
  sub_broadcast: (a, b) => a.sub(b),
  mul: (a, b) => a.mul(b),
  mul_broadcast: (a, b) => a.mul(b),
  div: (a, b) => a.div(b),
  div_broadcast: (a, b) => a.div(b),
  rdiv_scalar: (a) => a.reciprocal().mul(2),
  neg: (a) => a.neg(),
  pow_tensor: (a, b) => a.pow(b),
  pow_scalar: (a) => a.pow(3),
  pow_half: (a) => a.pow(0.5),
  exp: (a) => a.exp(),
  log: (a) => a.log(),
  log2: (a) => a.log2(),
  log10: (a) => a.log10(),
  sqrt: (a) => a.sqrt(),
  abs: (a) => a.abs(),
  sin: (a) => a.sin(),
  cos: (a) => a.cos(),
  tanh: (a) => a.tanh(),
  sigmoid: (a) => a.sigmoid(),
  relu: (a) => a.relu(),
  leaky_relu: (a) => a.leakyRelu(0.1),
  elu: (a) => a.elu(1.5),
  gelu: (a) => a.gelu(),
  gelu_tanh: (a) => a.gelu({ approximate: 'tanh' }),
  softplus: (a) => a.softplus(),
  softplus_beta: (a) => a.softplus(2, 3),
  erf: (a) => a.erf(),
  square: (a) => a.square(),
  reciprocal: (a) => a.reciprocal(),
  sign: (a) => a.sign(),
  step: (a) => a.step(),
  clamp: (a) => a.clamp(-0.5, 0.5),
  clamp_min: (a) => a.clamp(0.1),
  maximum: (a, b) => maximum(a, b),
  minimum: (a, b) => minimum(a, b),
  where: (c, a, b) => where(c.gt(0), a, b),
  eq: (a, b) => a.eq(b),
  ne: (a, b) => a.ne(b),
  lt: (a, b) => a.lt(b),
  le: (a, b) => a.le(b),
  gt: (a, b) => a.gt(b),
  ge: (a, b) => a.ge(b),
  matmul_2d: (a, b) => matmul(a, b),
  matmul_1d_1d: (a, b) => a.matmul(b),
  matmul_2d_1d: (a, b) => a.matmul(b),
  matmul_1d_2d: (a, b) => a.matmul(b),
  matmul_batched: (a, b) => a.matmul(b),
  matmul_broadcast: (a, b) => a.matmul(b),
  matmul_broadcast_batch: (a, b) => a.matmul(b),
  dot: (a, b) => a.dot(b),
  outer: (a, b) => a.outer(b),
  sum_all: (a) => a.sum(),
  sum_dim: (a) => a.sum(1),
  sum_dims_keepdim: (a) => a.sum([0, 2], { keepdim: true }),
  sum_neg_dim: (a) => a.sum(-1),
  sum_empty: (a) => a.sum(0),
  mean_all: (a) => a.mean(),
  mean_dims: (a) => a.mean([0, -1]),
  max_all: (a) => a.max(),
  max_dim: (a) => a.max(1),
  min_dim_keepdim: (a) => a.min(0, { keepdim: true }),
  logsumexp: (a) => a.logsumexp(1),
  logsumexp_all: (a) => a.logsumexp([0, 1]),
  var: (a) => a.var(1),
  var_population: (a) => a.var(0, { correction: 0, keepdim: true }),
  std: (a) => a.std(),
  argmax: (a) => a.argmax(1),
  argmax_all: (a) => a.argmax(),
  argmin: (a) => a.argmin(0),
  softmax_last: (a) => a.softmax(-1),
  softmax_dim0: (a) => a.softmax(0),
  log_softmax: (a) => a.logSoftmax(1),
  reshape: (a) => a.reshape([3, -1]).mul(tensor(Array.from({ length: 12 }, (_, i) => i), { dtype: a.dtype }).reshape([3, 4])),
  flatten: (a) => a.flatten(1),
  transpose: (a) => a.transpose(0, 2),
  T: (a) => a.T,
  permute: (a) => a.permute([2, 0, 1]),
  squeeze: (a) => a.squeeze(1),
  unsqueeze: (a) => a.unsqueeze(-1),
  expand: (a) => a.expand([2, 3, 4]),
  concat: (a, b) => concat([a, b], 1),
  stack: (a, b) => stack([a, b], 1),
  split: (a) => concat(a.split([2, 3], 1).map((p, i) => p.mul(i + 2)), 1),
  chunk: (a) => concat(a.chunk(3, 0).map((p, i) => p.mul(i + 2)), 0),
  narrow: (a) => a.narrow(1, 1, 3),
  slice_step: (a) => a.slice(0, 1, 7, 2),
  index_mixed: (a) => a.index(1, [1, 4], [0, undefined, 2]),
  gather: (a, i) => gather(a, 1, i),
  index_select: (a, i) => indexSelect(a, 0, i),
  scatter_add: (a, i, s) => scatterAdd(a, 1, i, s),
  pad: (a) => a.pad([1, 2, 0, 1], 0.5),
  conv1d_op: (x, w) => conv1d(x, w),
  conv1d_op_strided: (x, w) => conv1d(x, w, { stride: 2, dilation: 2 }),
  conv1d_input_grad: (g, w) => conv1dInputGrad(g, w, 8, { stride: 2 }),
  conv1d_input_grad_dilated: (g, w) => conv1dInputGrad(g, w, 9, { dilation: 2 }),
  conv1d_weight_grad: (x, g) => conv1dWeightGrad(x, g, 3, { stride: 2 }),
  conv1d_weight_grad_dilated: (x, g) => conv1dWeightGrad(x, g, 3, { dilation: 2 }),
  // math: functions of one tensor
  log1p: (a) => a.log1p(),
  log1p_small: (a) => a.log1p(),
  log1p_edges: (a) => a.log1p(),
  expm1: (a) => a.expm1(),
  expm1_small: (a) => a.expm1(),
  rsqrt: (a) => a.rsqrt(),
  rsqrt_edges: (a) => a.rsqrt(),
  tan: (a) => a.tan(),
  asin: (a) => a.asin(),
  asin_edges: (a) => a.asin(),
  acos: (a) => a.acos(),
  acos_edges: (a) => a.acos(),
  atan: (a) => a.atan(),
  sinh: (a) => a.sinh(),
  cosh: (a) => a.cosh(),
  asinh: (a) => a.asinh(),
  acosh: (a) => a.acosh(),
  acosh_edges: (a) => a.acosh(),
  atanh: (a) => a.atanh(),
  atanh_edges: (a) => a.atanh(),
  floor: (a) => a.floor(),
  ceil: (a) => a.ceil(),
  trunc: (a) => a.trunc(),
  round: (a) => a.round(),
  frac: (a) => a.frac(),
  floor_edges: (a) => a.floor(),
  ceil_edges: (a) => a.ceil(),
  trunc_edges: (a) => a.trunc(),
  frac_edges: (a) => a.frac(),
  round_ties: (a) => a.round(),
  // math: powers at their edges
  pow_one: (a) => a.pow(1),
  pow_zero: (a) => a.pow(0),
  pow_edges: (a, b) => a.pow(b),
  pow_half_zero: (a) => a.pow(0.5),
  // math: functions of two tensors
  atan2: (a, b) => a.atan2(b),
  atan2_broadcast: (a, b) => atan2(a, b),
  atan2_edges: (a, b) => a.atan2(b),
  hypot: (a, b) => a.hypot(b),
  hypot_broadcast: (a, b) => hypot(a, b),
  hypot_edges: (a, b) => a.hypot(b),
  fmod: (a, b) => a.fmod(b),
  fmod_broadcast: (a, b) => fmod(a, b),
  fmod_signs: (a, b) => a.fmod(b),
  fmod_int: (a, b) => a.fmod(b),
  remainder: (a, b) => a.remainder(b),
  remainder_broadcast: (a, b) => remainder(a, b),
  remainder_signs: (a, b) => a.remainder(b),
  remainder_rounding: (a, b) => a.remainder(b),
  fmod_rounding: (a, b) => a.fmod(b),
  remainder_int: (a, b) => a.remainder(b),
  lerp: (a, b) => a.lerp(b, 0.3),
  lerp_tensor: (a, b, w) => lerp(a, b, w),
  clamp_tensor: (x, lo, hi) => x.clamp(lo, hi),
  clamp_tensor_min: (x, lo) => x.clamp(lo),
  clamp_tensor_max: (x, hi) => clamp(x, null, hi),
  clamp_tensor_edges: (x, lo, hi) => x.clamp(lo, hi),
  clamp_edges: (a) => a.clamp(-0.5, 0.5),
  clip: (a) => a.clip(-0.3, 0.7),
  // activations
  hardtanh: (a) => a.hardtanh(),
  hardtanh_range: (a) => a.hardtanh(-0.5, 2),
  hardtanh_bounds: (a) => a.hardtanh(),
  relu6: (a) => a.relu6(),
  relu6_bounds: (a) => a.relu6(),
  silu: (a) => a.silu(),
  silu_extreme: (a) => a.silu(),
  mish: (a) => a.mish(),
  selu: (a) => a.selu(),
  selu_zero: (a) => a.selu(),
  celu: (a) => a.celu(),
  celu_alpha: (a) => a.celu(0.5),
  celu_zero: (a) => a.celu(0.5),
  hardswish: (a) => a.hardswish(),
  hardswish_kinks: (a) => a.hardswish(),
  hardsigmoid: (a) => a.hardsigmoid(),
  hardsigmoid_kinks: (a) => a.hardsigmoid(),
  softsign: (a) => a.softsign(),
  tanhshrink: (a) => a.tanhshrink(),
  softshrink: (a) => a.softshrink(),
  softshrink_lambd: (a) => a.softshrink(0.3),
  softshrink_kinks: (a) => a.softshrink(0.3),
  hardshrink: (a) => a.hardshrink(),
  hardshrink_lambd: (a) => a.hardshrink(0.3),
  hardshrink_negative: (a) => a.hardshrink(-0.5),
  hardshrink_kinks: (a) => a.hardshrink(0.3),
  threshold: (a) => a.threshold(0.1, 20),
  threshold_value: (a) => a.threshold(-0.5, -1),
  threshold_kinks: (a) => a.threshold(-0.5, -1),
  log_sigmoid: (a) => a.logSigmoid(),
  log_sigmoid_extreme: (a) => a.logSigmoid(),
  logit: (a) => a.logit(),
  logit_eps: (a) => a.logit(0.1),
  logit_edges: (a) => a.logit(),
  logit_eps_edges: (a) => a.logit(0.1),
  logit_eps_zero: (a) => a.logit(0),
  prelu: (x, w) => x.prelu(w),
  prelu_channels: (x, w) => x.prelu(w),
  prelu_channels_4d: (x, w) => prelu(x, w),
  prelu_1d: (x, w) => x.prelu(w),
  glu: (a) => a.glu(),
  glu_dim0: (a) => a.glu(0),
  step_zero: (a) => a.step(),
  heaviside: (a) => a.heaviside(),
  softmin: (a) => a.softmin(),
  softmin_dim0: (a) => a.softmin(0),
  // stats
  mean_empty: (a) => a.mean(0),
  logsumexp_keepdim: (a) => a.logsumexp(0, { keepdim: true }),
  logsumexp_large: (a) => a.logsumexp(1),
  logsumexp_inf: (a) => a.logsumexp(1),
  logsumexp_empty: (a) => a.logsumexp(0),
  var_dims: (a) => a.var([0, 2]),
  var_keepdim: (a) => a.var(1, { keepdim: true }),
  var_correction: (a) => a.var(1, { correction: 2 }),
  var_dof: (a) => a.var(1, { correction: 2 }),
  var_dof_negative: (a) => a.var(1, { correction: 3 }),
  var_single: (a) => a.var(1),
  std_dim: (a) => a.std(1),
  std_population: (a) => a.std(0, { correction: 0, keepdim: true }),
  std_equal: (a) => a.std(1),
};

/** `<case>_nonfinite` cases run `<case>`'s call on NaN, ±∞ and ±0 (scripts/fixtures/ops.py makes them). */
const NONFINITE = /_nonfinite$/;

/** The table's function for a case (a `_nonfinite` case uses its base case's). */
function fnOf(table: OpTable, name: string): TableFn {
  return table.ops[name.replace(NONFINITE, '')];
}

interface FixtureCase {
  name: string;
  inputs: { shape: number[]; dtype: 'float64' | 'int32' | 'bool'; data: number[] }[];
  out: { shape: number[]; data: number[] };
  /** the further outputs of an op that returns several (the indices of sort), compared but not differentiated */
  more?: { shape: number[]; data: number[] }[];
  grads?: (number[] | null)[];
  /** false where central differences cannot check the gradient (ties, kinks, non-finite inputs) */
  gradcheck?: boolean;
  /** false: values float32 cannot hold (no float32 forward) */
  float32?: false;
}

/** A function of the table: one output, or several of which the first is differentiated. */
export type TableFn = (...xs: Tensor[]) => Tensor | readonly Tensor[];

/** A table of cases: the fixture file (under test/fixtures) and a function per case name. */
export interface OpTable {
  readonly fixture: string;
  readonly ops: Readonly<Record<string, TableFn>>;
}

const DEFAULT_TABLE: OpTable = { fixture: 'ops.json', ops: OPS };

/** ' (fixture)' in test names for tables other than the default one. */
const tableName = (t: OpTable) => (t === DEFAULT_TABLE ? '' : ` (${t.fixture})`);

/** Reads a fixture file; non-finite numbers are written as the strings NaN, Infinity and -Infinity. */
export function loadCases(fixture = DEFAULT_TABLE.fixture): FixtureCase[] {
  const path = new URL(`./fixtures/${fixture}`, import.meta.url);
  const special: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
  return JSON.parse(readFileSync(path, 'utf8'), (_k, v) => (typeof v === 'string' && v in special ? special[v] : v)).cases;
}

export function weightsFor(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7919) % 13) / 13);
}

function close(actual: ArrayLike<number>, expected: readonly number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i];
    const ok = a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= tol * Math.max(1, Math.abs(e));
    assert.ok(ok, `${what}[${i}]: got ${a}, PyTorch gives ${e}`);
  }
}

function inputsOf(c: FixtureCase, float: 'float64' | 'float32'): Tensor[] {
  return c.inputs.map((inp) => {
    if (inp.dtype === 'int32') return tensor(Int32Array.from(inp.data), { shape: inp.shape });
    if (inp.dtype === 'bool') return tensor(Uint8Array.from(inp.data), { shape: inp.shape, dtype: 'bool' });
    return tensor(float === 'float64' ? Float64Array.from(inp.data) : Float32Array.from(inp.data), { shape: inp.shape });
  });
}

function outputsOf(fn: TableFn, xs: Tensor[]): readonly Tensor[] {
  const y = fn(...xs);
  return Array.isArray(y) ? (y as readonly Tensor[]) : [y as Tensor];
}

/** Checks every output's shape and values against the fixture. */
function checkOutputs(c: FixtureCase, ys: readonly Tensor[], tol: number, what: string): void {
  const want = [c.out, ...(c.more ?? [])];
  assert.equal(ys.length, want.length, `${c.name}: ${ys.length} outputs, PyTorch gives ${want.length}`);
  ys.forEach((y, k) => {
    assert.deepEqual([...y.shape], want[k].shape, `${c.name}: shape of output ${k}`);
    close(y.dataSync(), want[k].data, tol, `${c.name} ${what}${k ? ` (output ${k})` : ''}`);
  });
}

/** Registers the whole op table as tests on the named backend. */
export function runOpTable(backend: string, tol = 1e-12, table: OpTable = DEFAULT_TABLE): void {
  const cases = loadCases(table.fixture);
  describe(`op table${tableName(table)} on the ${backend} backend`, () => {
    it('covers every fixture case and nothing else', () => {
      assert.deepEqual(Object.keys(table.ops).sort(), cases.map((c) => c.name).filter((n) => !NONFINITE.test(n)).sort());
      for (const c of cases) assert.ok(fnOf(table, c.name), `${c.name} has no entry in the table`);
    });
    for (const c of cases) {
      it(c.name, () => {
        const prev = getBackend();
        setBackend(backend);
        try {
          const fn = fnOf(table, c.name);
          const xs = inputsOf(c, 'float64').map((x) => (x.dtype === 'float64' ? x.requiresGrad_() : x));
          const ys = outputsOf(fn, xs);
          checkOutputs(c, ys, tol, 'forward');
          if (!c.grads) return;
          const y = ys[0];
          y.flatten().mul(tensor(weightsFor(y.size))).sum().backward();
          c.grads.forEach((g, k) => {
            if (!g) return;
            const got = xs[k].grad;
            if (!got) {
              // no gradient flowed (e.g. into a where condition): PyTorch's must be all zeros too
              assert.ok(g.every((v) => v === 0), `${c.name}: input ${k} received no gradient`);
              return;
            }
            close(got.dataSync(), g, tol * 100, `${c.name} grad of input ${k}`);
          });
          if (c.gradcheck === false) return;
          const fresh = inputsOf(c, 'float64');
          const floatIdx = fresh.map((x, i) => (x.dtype === 'float64' ? i : -1)).filter((i) => i >= 0);
          const report = gradcheck(
            (...fl: Tensor[]) => {
              const args = [...fresh];
              floatIdx.forEach((i, k) => {
                args[i] = fl[k];
              });
              return outputsOf(fn, args)[0];
            },
            floatIdx.map((i) => fresh[i]),
            { atol: 1e-6, rtol: 1e-5 },
          );
          assert.ok(report.ok);
        } finally {
          setBackend(prev);
        }
      });
    }
  });
}

/** The forward half of the table in float32 (the training dtype), at float32 tolerance. */
export function runOpTableFloat32(backend: string, table: OpTable = DEFAULT_TABLE): void {
  const cases = loadCases(table.fixture);
  describe(`op table${tableName(table)} in float32 on the ${backend} backend`, () => {
    for (const c of cases.filter((c) => c.float32 !== false)) {
      it(c.name, () => {
        const prev = getBackend();
        setBackend(backend);
        try {
          const ys = outputsOf(fnOf(table, c.name), inputsOf(c, 'float32'));
          for (const y of ys) if (y.dtype !== 'bool' && y.dtype !== 'int32') assert.equal(y.dtype, 'float32', `${c.name} keeps float32`);
          checkOutputs(c, ys, 2e-5, 'float32 forward');
        } finally {
          setBackend(prev);
        }
      });
    }
  });
}

/**
 * Double backward: for every differentiable case, the gradient of sum(out * W) is itself
 * gradchecked (its backward is built from differentiable ops, so it has a correct gradient).
 */
export function runDoubleBackward(backend: string, table: OpTable = DEFAULT_TABLE): void {
  const cases = loadCases(table.fixture).filter((c) => c.grads && c.gradcheck !== false);
  describe(`double backward${tableName(table)} on the ${backend} backend`, () => {
    for (const c of cases) {
      it(c.name, () => {
        const prev = getBackend();
        setBackend(backend);
        try {
          const fresh = inputsOf(c, 'float64');
          const floatIdx = fresh.map((x, i) => (x.dtype === 'float64' ? i : -1)).filter((i) => i >= 0);
          const firstGrads = (...fl: Tensor[]): Tensor => {
            const args = [...fresh];
            floatIdx.forEach((i, k) => {
              args[i] = fl[k];
            });
            const gs = grad(
              (...inner: Tensor[]) => {
                const a2 = [...args];
                floatIdx.forEach((i, k) => {
                  a2[i] = inner[k];
                });
                const y = outputsOf(fnOf(table, c.name), a2)[0];
                return y.flatten().mul(tensor(weightsFor(y.size))).sum();
              },
              { createGraph: true },
            )(...fl);
            return concat(gs.map((g) => g.flatten()));
          };
          assert.ok(gradcheck(firstGrads, floatIdx.map((i) => fresh[i]), { atol: 1e-6, rtol: 1e-5 }).ok);
        } finally {
          setBackend(prev);
        }
      });
    }
  });
}
