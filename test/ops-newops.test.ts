// The new activations as nn modules and F functions: each module computes what its op computes
// (values and gradients), shows its parameters in its summary line, and checks them where they are
// written; and the new ops' bad-input errors name the op and the parameter. Their values against
// PyTorch are in the op table (test/op-table.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as cr from 'chainrule';
import { ChainruleError, F, type Tensor, nn, tensor } from 'chainrule';

const f64 = { dtype: 'float64' as const };
const x = () => tensor([[-3.5, -1, -0.2, 0, 0.25, 0.5, 3, 7]], f64).requiresGrad_();

type AnyModule = cr.nn.Module & { forward(x: Tensor): Tensor; readonly params: Readonly<Record<string, unknown>> };
type Ctor = new (...args: never[]) => AnyModule;

/** [module class, constructor arguments, the op applied with them, its summary line] */
const MODULES: [Ctor, unknown[], (x: Tensor) => Tensor, string][] = [
  [nn.ReLU6, [], (t) => cr.relu6(t), 'ReLU6()'],
  [nn.SiLU, [], (t) => cr.silu(t), 'SiLU()'],
  [nn.Mish, [], (t) => cr.mish(t), 'Mish()'],
  [nn.SELU, [], (t) => cr.selu(t), 'SELU()'],
  [nn.CELU, [], (t) => cr.celu(t), 'CELU(alpha=1)'],
  [nn.CELU, [0.5], (t) => cr.celu(t, 0.5), 'CELU(alpha=0.5)'],
  [nn.Hardswish, [], (t) => cr.hardswish(t), 'Hardswish()'],
  [nn.Hardsigmoid, [], (t) => cr.hardsigmoid(t), 'Hardsigmoid()'],
  [nn.Softsign, [], (t) => cr.softsign(t), 'Softsign()'],
  [nn.Tanhshrink, [], (t) => cr.tanhshrink(t), 'Tanhshrink()'],
  [nn.Softshrink, [], (t) => cr.softshrink(t), 'Softshrink(lambd=0.5)'],
  [nn.Softshrink, [0.3], (t) => cr.softshrink(t, 0.3), 'Softshrink(lambd=0.3)'],
  [nn.Hardshrink, [0.3], (t) => cr.hardshrink(t, 0.3), 'Hardshrink(lambd=0.3)'],
  [nn.Threshold, [0.1, 20], (t) => cr.threshold(t, 0.1, 20), 'Threshold(threshold=0.1, value=20)'],
  [nn.LogSigmoid, [], (t) => cr.logSigmoid(t), 'LogSigmoid()'],
  [nn.Hardtanh, [], (t) => cr.hardtanh(t), 'Hardtanh(minVal=-1, maxVal=1)'],
  [nn.Hardtanh, [-0.5, 2], (t) => cr.hardtanh(t, -0.5, 2), 'Hardtanh(minVal=-0.5, maxVal=2)'],
  [nn.GLU, [], (t) => cr.glu(t), 'GLU(dim=-1)'],
  [nn.GLU, [0], (t) => cr.glu(t.reshape([4, 2]), 0), 'GLU(dim=0)'],
  [nn.Softmin, [1], (t) => cr.softmin(t, 1), 'Softmin(dim=1)'],
  [nn.Step, [], (t) => cr.step(t), 'Step()'],
];

describe('the new activations as nn modules', () => {
  for (const [M, args, op, summary] of MODULES) {
    it(`${summary} computes its op, values and gradients`, () => {
      const m = new M(...(args as never[]));
      assert.equal(String(m).split('\n')[0], summary);
      const a = x();
      const b = x();
      // GLU(0) halves dimension 0: it takes the input as 4 × 2
      const input = (t: Tensor) => (summary === 'GLU(dim=0)' ? t.reshape([4, 2]) : t);
      const ym = m.forward(input(a));
      const yo = op(b);
      assert.deepEqual(ym.toArray(), yo.toArray());
      ym.mul(tensor([1.5], f64)).sum().backward();
      yo.mul(tensor([1.5], f64)).sum().backward();
      assert.deepEqual(a.grad?.toArray(), b.grad?.toArray());
    });
  }

  it('keep their parameters by name, defaults filled in', () => {
    assert.deepEqual(new nn.Softshrink(0.3).params, { lambd: 0.3 });
    assert.deepEqual(new nn.Threshold(0.1, 20).params, { threshold: 0.1, value: 20 });
    assert.deepEqual(new nn.Hardtanh().params, { minVal: -1, maxVal: 1 });
    assert.deepEqual(new nn.CELU().params, { alpha: 1 });
    assert.deepEqual(new nn.SiLU().params, {});
  });

  it('give the textbook values', () => {
    const v = (m: AnyModule, xs: number[]) => m.forward(tensor(xs, f64)).toArray() as number[];
    const near = (got: number[], want: number[]) => {
      for (const [i, w] of want.entries()) assert.ok(Math.abs(got[i] - w) < 1e-15, `[${i}]: ${got[i]}, expected ${w}`);
    };
    near(v(new nn.Softshrink(0.3), [-1, -0.2, 0.5]), [-0.7, 0, 0.2]);
    near(v(new nn.Hardshrink(0.3), [-1, -0.2, 0.5]), [-1, 0, 0.5]);
    near(v(new nn.Threshold(0.1, 20), [-1, 0.1, 0.5]), [20, 20, 0.5]);
    near(v(new nn.Hardtanh(-0.5, 2), [-1, 0.2, 3]), [-0.5, 0.2, 2]);
    near(v(new nn.ReLU6(), [-1, 3, 7]), [0, 3, 6]);
    near(v(new nn.Hardsigmoid(), [-4, -3, 0, 3]), [0, 0, 0.5, 1]);
    near(v(new nn.Hardswish(), [-3, 0, 1, 3]), [0, 0, 2 / 3, 3]);
    near(v(new nn.CELU(0.5), [-1, 2]), [0.5 * Math.expm1(-2), 2]);
    near(v(new nn.SELU(), [-1, 2]), [1.0507009873554805 * 1.6732632423543772 * Math.expm1(-1), 1.0507009873554805 * 2]);
    near(v(new nn.SiLU(), [1]), [1 / (1 + Math.exp(-1))]);
    near(v(new nn.Mish(), [1]), [Math.tanh(Math.log1p(Math.E))]);
    near(v(new nn.Softsign(), [1, -3]), [0.5, -0.75]);
    near(v(new nn.Tanhshrink(), [1]), [1 - Math.tanh(1)]);
    near(v(new nn.LogSigmoid(), [0, -800]), [-Math.LN2, -800]);
    near(v(new nn.GLU(), [2, 0]), [1]);
    near((new nn.Softmin(1).forward(tensor([[0, Math.log(3)]], f64)).toArray() as number[][])[0], [0.75, 0.25]);
  });
});

describe('F has every new activation', () => {
  it('as the same functions as the ops', () => {
    const names = ['relu6', 'silu', 'mish', 'selu', 'celu', 'hardswish', 'hardsigmoid', 'softsign', 'tanhshrink', 'softshrink', 'hardshrink', 'threshold', 'logSigmoid', 'logit', 'prelu', 'glu', 'hardtanh', 'step', 'heaviside'] as const;
    for (const n of names) assert.equal(F[n], cr[n], `F.${n}`);
    assert.equal(F.heaviside, F.step);
  });

  it('computes them with their parameters', () => {
    const t = tensor([-1, -0.2, 0.5], f64);
    assert.deepEqual(F.softshrink(t, 0.3).toArray(), t.softshrink(0.3).toArray());
    assert.deepEqual(F.celu(t, 0.5).toArray(), t.celu(0.5).toArray());
    assert.deepEqual(F.threshold(t, 0, -1).toArray(), [-1, -1, 0.5]);
    assert.deepEqual(F.prelu(t, tensor([0.25], f64)).toArray(), [-0.25, -0.05, 0.5]);
    assert.deepEqual(F.logit(tensor([0.5, 0], f64), 0.25).toArray(), [0, Math.log(1 / 3)]);
  });

  it('softmin needs its dim, as torch.nn.functional', () => {
    const t = tensor([[1, 2]], f64);
    assert.deepEqual(F.softmin(t, 1).toArray(), t.softmin(1).toArray());
    assert.throws(() => (F.softmin as (x: Tensor) => Tensor)(t), /softmin: pass the dim/);
  });
});

describe('clamp with tensor bounds', () => {
  it('is one clamp node over x and its bounds; a number beside a tensor bound acts as a tensor', () => {
    const t = tensor([[-2, 0.5, 3]], f64).requiresGrad_();
    const lo = tensor([[-1], [1]], f64).requiresGrad_();
    const y = t.clamp(lo, 2);
    assert.equal(y.node?.op.name, 'clamp');
    assert.deepEqual(y.node?.inputs.slice(0, 2), [t, lo]);
    assert.deepEqual(y.toArray(), [[-1, 0.5, 2], [1, 1, 2]]);
    assert.deepEqual(y.toArray(), t.clamp(lo, tensor(2, f64)).toArray());
    y.sum().backward();
    assert.deepEqual(t.grad?.toArray(), [[0, 1, 0]]);
    assert.deepEqual(lo.grad?.toArray(), [[1], [2]]);
  });

  it('keeps an integer input integer with integer bounds', () => {
    const y = tensor([-5, 0, 5], { dtype: 'int32' }).clamp(tensor([-1, -1, -1], { dtype: 'int32' }), 2);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(y.toArray(), [-1, 0, 2]);
  });
});

describe('bad parameters name the op and the parameter', () => {
  const t = tensor([[1, 2, 3], [4, 5, 6]], f64);
  const cases: [string, () => unknown, RegExp][] = [
    ['softplus beta 0', () => t.softplus(0), /^softplus needs β > 0, got 0$/],
    ['glu of an odd dim', () => t.glu(), /^glu: dimension -1 of input \[2,3\] must have an even size$/],
    ['glu of a 0-d input', () => tensor(1).glu(), /^glu: the input is 0-d/],
    ['glu dim out of range', () => t.glu(2), /^glu: dim 2 is out of range/],
    ['prelu weight per channel', () => t.prelu(tensor([0.1, 0.2])), /^prelu: weight of shape \[2\] needs 1 or 3 elements \(one per channel, dimension 1\) for input \[2,3\]$/],
    ['prelu weight on a 1-d input (one channel, as PyTorch)', () => tensor([1, 2, 3]).prelu(tensor([0.1, 0.2, 0.3])), /^prelu: weight of shape \[3\] needs 1 element \(an input of fewer than 2 dimensions has one channel\) for input \[3\]$/],
    ['prelu weight not a tensor', () => t.prelu(0.25 as never), /^prelu: weight must be a Tensor, got number$/],
    ['hardtanh min above max', () => t.hardtanh(2, 1), /^hardtanh: minVal 2 is above maxVal 1$/],
    ['softshrink negative lambd', () => t.softshrink(-1), /^softshrink: lambd must be >= 0, got -1$/],
    ['celu alpha 0', () => t.celu(0), /^celu: alpha must not be 0$/],
    ['elu infinite alpha', () => t.elu(Number.POSITIVE_INFINITY), /^elu: α must be a finite number, got Infinity$/],
    ['threshold NaN', () => t.threshold(Number.NaN, 0), /^threshold: threshold must be a finite number, got NaN$/],
    ['logit NaN eps', () => t.logit(Number.NaN), /^logit: eps must be a finite number, got NaN$/],
    ['clamp without a bound (a NaN bound is none, as in PyTorch)', () => t.clamp(), /^clamp: at least one of min and max must be given/],
    ['clamp tensor bound of the wrong shape', () => t.clamp(tensor([0, 1], f64)), /^clamp: .*\[2,3\].*\[2\]/],
    ['lerp NaN weight', () => t.lerp(t, Number.NaN), /^lerp: weight must be a number, got NaN$/],
    ['lerp end of the wrong shape', () => t.lerp(tensor([1, 2], f64), 0.5), /^lerp: .*\[2,3\].*\[2\]/],
    ['atan2 non-number', () => t.atan2('1' as never), /^atan2: right operand must be a number, got 1$/],
    ['softmin dim out of range', () => t.softmin(2), /^softmin: dim 2 is out of range/],
    ['var NaN correction', () => t.var(1, { correction: Number.NaN }), /^var: correction must be a finite number, got NaN$/],
    ['std NaN correction', () => t.std(1, { correction: Number.NaN }), /^std: correction must be a finite number, got NaN$/],
    ['logsumexp dim out of range', () => t.logsumexp(3), /^logsumexp: dim 3 is out of range/],
  ];
  for (const [what, fn, re] of cases) {
    it(what, () => {
      assert.throws(fn, (e: unknown) => e instanceof ChainruleError && re.test(e.message));
    });
  }

  it('modules check their parameters when they are built', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => new nn.Softshrink(-1), /^softshrink: lambd must be >= 0, got -1$/],
      [() => new nn.CELU(0), /^celu: alpha must not be 0$/],
      [() => new nn.Softplus(0), /^softplus needs β > 0, got 0$/],
      [() => new nn.Hardtanh(2, 1), /^hardtanh: minVal 2 is above maxVal 1$/],
      [() => new nn.Threshold('a' as never, 1), /^threshold: threshold must be a finite number, got a$/],
      [() => new nn.GLU(Number.NaN), /^glu: dim must be a finite number, got NaN$/],
      [() => new (nn.SiLU as unknown as new (...a: unknown[]) => unknown)(1), /^SiLU: takes at most 0 arguments \(\), got 1$/],
      [() => new (nn.Softshrink as unknown as new (...a: unknown[]) => unknown)(0.1, 2), /^Softshrink: takes at most 1 arguments \(lambd\), got 2$/],
    ];
    for (const [fn, re] of bad) assert.throws(fn, (e: unknown) => e instanceof ChainruleError && re.test(e.message), String(re));
  });
});
