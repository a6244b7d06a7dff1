import { ChainruleError, fmtShape } from '../../errors.js';
import { tensor } from '../../tensor/creation.js';
import { type Expr, bin, call, neg as negE, num } from '../../ops/formula.js';
import { add, eq, log, logSoftmax, maskedFill, mul, neg, relu, sigmoid, softmax, sub, sum, tanh, type Tensor, transpose } from '../../ops/index.js';
import { type TableFn, tableFn, tableFnNames } from '../table.js';

/** One function a problem file may call. */
export interface FnSpec {
  /** how it is written, for messages: `leaky_relu(x, slope)` */
  usage: string;
  minArgs: number;
  maxArgs: number;
  /** indices of arguments that must be constant numbers (slopes, class indices) */
  constArgs?: number[];
  /** evaluates with the core engine's ops (tensor arguments; constant ones also as numbers) */
  evaluate?: (args: Tensor[], consts: (number | number[] | undefined)[]) => Tensor;
  /** a loss written in terms of other functions: evaluated and differentiated through this */
  expand?: (args: Expr[]) => Expr;
}

/**
 * The dimension a vector function (softmax, log_softmax, cross_entropy) works along. Problem files
 * write vectors as columns ([[1],[2]]) and batches as columns of a matrix (`W @ A`), so a 2-D
 * input is normalised down each column, except a single row, which is normalised along it.
 */
export function vectorDim(x: Tensor): number {
  if (x.ndim <= 1) return 0;
  if (x.ndim === 2 && x.shape[0] === 1) return 1;
  return 0;
}

function unary(usage: string, f: (x: Tensor) => Tensor): FnSpec {
  return { usage, minArgs: 1, maxArgs: 1, evaluate: ([x]) => f(x) };
}

function crossEntropy(z: Tensor, cls: number | number[]): Tensor {
  const [onehot, dim, n] = oneHot(z, cls);
  const total = sum(mul(onehot, logSoftmax(z, dim)));
  return neg(mul(total, 1 / n));
}

/** The one-hot targets of cross_entropy for logits z (float64, z's shape), the class dim and the sample count. */
export function oneHot(z: Tensor, cls: number | number[]): [Tensor, number, number] {
  const classes = Array.isArray(cls) ? cls : [cls];
  let dim: number;
  if (!Array.isArray(cls)) {
    dim = vectorDim(z);
    const other = z.ndim === 2 ? z.shape[1 - dim] : 1;
    if (other !== 1) {
      throw new ChainruleError(`cross_entropy: logits of shape ${fmtShape(z.shape)} hold several samples; give one class per sample as a list`);
    }
  } else if (z.ndim === 2 && z.shape[0] === classes.length) dim = 1;
  else if (z.ndim === 2 && z.shape[1] === classes.length) dim = 0;
  else if (z.ndim === 1 && classes.length === 1) dim = 0;
  else throw new ChainruleError(`cross_entropy: ${classes.length} classes do not match logits of shape ${fmtShape(z.shape)}`);
  const k = z.ndim === 0 ? 1 : z.shape[dim];
  for (const c of classes) {
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new ChainruleError(`cross_entropy: class ${c} is not an integer in 0..${k - 1}`);
  }
  const oh = new Float64Array(z.size);
  const cols = z.ndim === 2 ? z.shape[1] : 1;
  classes.forEach((c, s) => {
    if (z.ndim <= 1) oh[c] = 1;
    else if (dim === 1) oh[s * cols + c] = 1;
    else oh[c * cols + s] = 1;
  });
  return [tensor(oh, { dtype: 'float64', shape: z.shape }), dim, classes.length];
}

/**
 * Attention's softmax: along each row of the scores S (rows are query tokens, columns key tokens,
 * as in softmax(QKᵀ/√d)V), over the keys the 0/1 mask M allows (M broadcasts to S); a masked
 * score gets weight exactly 0 (it is filled with −∞ first, as PyTorch does with a Boolean mask).
 */
export function maskedSoftmax(s: Tensor, m: Tensor): Tensor {
  if (s.ndim !== 2) throw new ChainruleError(`masked_softmax: needs a matrix of scores (rows: queries, columns: keys), got shape ${fmtShape(s.shape)}`);
  const mv = Array.from(m.data as ArrayLike<number>);
  if (mv.some((v) => v !== 0 && v !== 1)) throw new ChainruleError(`masked_softmax: the mask holds 1 (attend) or 0 (hidden) only, got ${mv.find((v) => v !== 0 && v !== 1)}`);
  const hidden = eq(m.detach(), 0);
  const filled = maskedFill(s, hidden, Number.NEGATIVE_INFINITY);
  if (filled.size !== s.size) {
    throw new ChainruleError(`masked_softmax: a mask of shape ${fmtShape(m.shape)} does not fit scores of shape ${fmtShape(s.shape)}`);
  }
  const rows = filled.toArray() as number[][];
  const empty = rows.findIndex((r) => r.every((v) => v === Number.NEGATIVE_INFINITY));
  if (empty >= 0) throw new ChainruleError(`masked_softmax: row ${empty + 1} of the mask hides every key (a query must attend to at least one)`);
  return softmax(filled, 1);
}

/** A problem-file function backed by an op of the table: tensors first, then numeric constants. */
function fromTable(name: string): FnSpec {
  const t = tableFn(name) as TableFn;
  const names = [...t.def.inputs, ...t.params.map((p) => (p.text && /^[a-z]+$/i.test(p.text) ? p.text : p.name))];
  const op = t.op as unknown as (...args: unknown[]) => Tensor;
  return {
    usage: `${name}(${names.join(', ')})`,
    minArgs: t.inputs,
    maxArgs: t.inputs + t.params.length,
    constArgs: t.params.map((_, i) => t.inputs + i),
    evaluate: (args, consts) => op(...args.slice(0, t.inputs), ...consts.slice(t.inputs)),
  };
}

/**
 * The functions of problem-file expressions, by name: every op of the table that has a
 * problem-file name (and its aliases), then the problem language's own: the vector functions
 * (softmax along the problem's vector dim), transpose of a matrix, and the losses written out.
 */
export const FUNCTIONS: Record<string, FnSpec> = {
  // the elementwise functions (those with a derivative formula) first: they lead the "known" list
  ...Object.fromEntries(tableFnNames().filter((n) => tableFn(n)?.def.derivative).map((n) => [n, fromTable(n)])),
  ...Object.fromEntries(tableFnNames().filter((n) => !tableFn(n)?.def.derivative).map((n) => [n, fromTable(n)])),
  softmax: unary('softmax(v)', (x) => softmax(x, vectorDim(x))),
  log_softmax: unary('log_softmax(v)', (x) => logSoftmax(x, vectorDim(x))),
  masked_softmax: {
    usage: 'masked_softmax(S, M)',
    minArgs: 2,
    maxArgs: 2,
    // the mask is a constant: no gradient is taken with respect to it
    constArgs: [1],
    evaluate: ([s, m]) => maskedSoftmax(s, m),
  },
  transpose: {
    usage: 'transpose(X)',
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([x]) => {
      if (x.ndim !== 2) throw new ChainruleError(`transpose: needs a matrix, got shape ${fmtShape(x.shape)}`);
      return transpose(x);
    },
  },
  mse: { usage: 'mse(o, t)', minArgs: 2, maxArgs: 2, expand: ([o, t]) => call('mean', bin('^', bin('-', o, t), num(2))) },
  sse: {
    usage: 'sse(o, t)',
    minArgs: 2,
    maxArgs: 2,
    expand: ([o, t]) => bin('*', bin('/', num(1), num(2)), call('sum', bin('^', bin('-', t, o), num(2)))),
  },
  bce: {
    usage: 'bce(p, t)',
    minArgs: 2,
    maxArgs: 2,
    expand: ([p, t]) =>
      negE(call('mean', bin('+', bin('*', t, call('log', p)), bin('*', bin('-', num(1), t), call('log', bin('-', num(1), p)))))),
  },
  bce_logits: {
    usage: 'bce_logits(z, t)',
    minArgs: 2,
    maxArgs: 2,
    expand: ([z, t]) => call('mean', bin('-', call('softplus', z), bin('*', t, z))),
  },
  cross_entropy: {
    usage: 'cross_entropy(logits, class)',
    minArgs: 2,
    maxArgs: 2,
    constArgs: [1],
    evaluate: ([z], [, c]) => crossEntropy(z, c as number | number[]),
  },
};

/**
 * Hidden variants used by the answer checker to reproduce a common mistake: the forward pass of
 * one activation with the derivative of another (`$relu~sigmoid` is ReLU going forward and
 * σ'(x) coming back). Problem files cannot name them ('$' is not in the expression syntax).
 */
const ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = { relu, sigmoid, tanh };
for (const [f, fwd] of Object.entries(ACTIVATIONS)) {
  for (const [g, bwd] of Object.entries(ACTIVATIONS)) {
    if (f === g) continue;
    FUNCTIONS[`$${f}~${g}`] = {
      usage: `${f} with the derivative of ${g}`,
      minArgs: 1,
      maxArgs: 1,
      evaluate: ([x]) => {
        const s = bwd(x);
        return add(fwd(x).detach(), sub(s, s.detach()));
      },
    };
  }
}

// f' evaluated at the activation's output instead of its input (σ'(σ(s)) for σ'(s)): forward f(x),
// backward f'(f(x)), through f(c + (x - x)) with c = f(x) held constant
for (const f of ['sigmoid', 'tanh'] as const) {
  const fwd = ACTIVATIONS[f];
  FUNCTIONS[`$${f}@out`] = {
    usage: `${f} with its derivative taken at its output`,
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([x]) => {
      const y = fwd(x).detach();
      const s = fwd(add(y, sub(x, x.detach())));
      return add(y, sub(s, s.detach()));
    },
  };
}

// The pieces the checker's catalogue of mistakes rewrites problems with (check/catalogue.ts):
// `$detach` (a value that passes no gradient), an activation whose derivative is forgotten
// (`$sigmoid~id`: σ forward, the identity backward), softmax with the elementwise derivative
// s(1 - s) in place of its Jacobian, and cross-entropy through that softmax or summed over the batch.
FUNCTIONS.$detach = { usage: 'detach(x)', minArgs: 1, maxArgs: 1, evaluate: ([x]) => x.detach() };
const OUTPUT_ACTIVATIONS: Record<string, (x: Tensor) => Tensor> = { ...ACTIVATIONS, softmax: (x) => softmax(x, vectorDim(x)) };
for (const [f, fwd] of Object.entries(OUTPUT_ACTIVATIONS)) {
  FUNCTIONS[`$${f}~id`] = {
    usage: `${f} with its derivative left out`,
    minArgs: 1,
    maxArgs: 1,
    evaluate: ([x]) => add(fwd(x).detach(), sub(x, x.detach())),
  };
}
/** softmax forward, diag(s(1 - s)) backward: the Jacobian's off-diagonal terms dropped. */
function softmaxDiag(x: Tensor, dim = vectorDim(x)): Tensor {
  const s = softmax(x, dim).detach();
  return add(s, mul(sub(x, x.detach()), mul(s, sub(1, s))));
}
FUNCTIONS['$softmax~diag'] = { usage: 'softmax with an elementwise derivative', minArgs: 1, maxArgs: 1, evaluate: ([x]) => softmaxDiag(x) };
FUNCTIONS['$masked_softmax~diag'] = {
  usage: 'masked_softmax with an elementwise derivative',
  minArgs: 2,
  maxArgs: 2,
  constArgs: [1],
  evaluate: ([x, m]) => {
    const s = maskedSoftmax(x, m).detach();
    return add(s, mul(sub(x, x.detach()), mul(s, sub(1, s))));
  },
};
FUNCTIONS['$cross_entropy~diag'] = {
  usage: 'cross_entropy through softmax with an elementwise derivative',
  minArgs: 2,
  maxArgs: 2,
  constArgs: [1],
  evaluate: ([z], [, c]) => {
    const [onehot, dim, n] = oneHot(z, c as number | number[]);
    return neg(mul(sum(mul(onehot, log(softmaxDiag(z, dim)))), 1 / n));
  },
};
FUNCTIONS.$cross_entropy_sum = {
  usage: 'cross_entropy summed over the batch',
  minArgs: 2,
  maxArgs: 2,
  constArgs: [1],
  evaluate: ([z], [, c]) => {
    const [onehot, dim] = oneHot(z, c as number | number[]);
    return neg(sum(mul(onehot, logSoftmax(z, dim))));
  },
};

/** Names of the activations the checker can swap derivatives between. */
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS);

const expansions = new WeakMap<Expr, Expr>();

/** The definition of a loss call (mse, sse, bce, bce_logits) in other functions; one object per call, so shapes recorded for it can be found again. */
export function expandCall(e: Expr & { kind: 'call' }): Expr | null {
  const spec = FUNCTIONS[e.fn];
  if (!spec?.expand) return null;
  let x = expansions.get(e);
  if (!x) {
    x = spec.expand(e.args);
    expansions.set(e, x);
  }
  return x;
}

/** The names an expression depends on differentiably: constant arguments (slopes, classes) are left out. */
export function diffNamesIn(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'name':
      if (!out.includes(e.name)) out.push(e.name);
      break;
    case 'neg':
    case 'transpose':
    case 'sumdims':
      diffNamesIn(e.arg, out);
      break;
    case 'bin':
      diffNamesIn(e.left, out);
      diffNamesIn(e.right, out);
      break;
    case 'op':
      for (const a of e.args) diffNamesIn(a, out);
      break;
    case 'call': {
      const skip = FUNCTIONS[e.fn]?.constArgs ?? [];
      e.args.forEach((a, i) => {
        if (!skip.includes(i)) diffNamesIn(a, out);
      });
      break;
    }
    default:
      break;
  }
  return out;
}

/** Checks every call in an expression names a known function with a valid number of arguments. */
export function checkCalls(e: Expr, where: string): void {
  switch (e.kind) {
    case 'call': {
      const spec = FUNCTIONS[e.fn];
      if (!spec || e.fn.startsWith('$')) {
        throw new ChainruleError(`${where}: unknown function ${e.fn}() (known: ${Object.keys(FUNCTIONS).filter((n) => !n.startsWith('$')).join(', ')})`);
      }
      if (e.args.length < spec.minArgs || e.args.length > spec.maxArgs) {
        const n = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : `${spec.minArgs} or ${spec.maxArgs}`;
        throw new ChainruleError(`${where}: ${e.fn} takes ${n} argument${n === '1' ? '' : 's'} (${spec.usage}), got ${e.args.length}`);
      }
      for (const a of e.args) checkCalls(a, where);
      break;
    }
    case 'bin':
      checkCalls(e.left, where);
      checkCalls(e.right, where);
      break;
    case 'neg':
      checkCalls(e.arg, where);
      break;
    default:
      break;
  }
}

