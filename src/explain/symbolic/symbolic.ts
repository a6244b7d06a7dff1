import { type BinOp, type Expr, bin, call, mapChildren, neg, num, sameExpr } from '../../ops/formula.js';
import { expandCall } from '../problem/functions.js';
import { derivativesOf } from '../table.js';

const isNum = (e: Expr, v?: number): boolean => e.kind === 'num' && (v === undefined || e.value === v);
const val = (e: Expr): number => (e as { value: number }).value;

/**
 * Light algebraic simplification for display: drops `*1`, `+0`, `^1`, folds constants, pulls
 * signs out of products and turns `a + (-b)` into `a - b`.
 *
 * @example const s = simplify(parseExpr('1*x + 0')); s.kind === 'name' && s.name // 'x'
 */
export function simplify(e: Expr): Expr {
  switch (e.kind) {
    case 'neg': {
      const a = simplify(e.arg);
      if (isNum(a)) return num(-val(a));
      if (a.kind === 'neg') return a.arg;
      // -(a - b) = b - a
      if (a.kind === 'bin' && a.op === '-') return simplifyBin('-', a.right, a.left);
      // -(U·(a - b)) = U·(b - a)
      if (a.kind === 'bin' && (a.op === '*' || a.op === 'hadamard') && a.right.kind === 'bin' && a.right.op === '-') {
        return simplifyBin(a.op, a.left, simplifyBin('-', a.right.right, a.right.left));
      }
      return neg(a);
    }
    case 'transpose': {
      const a = simplify(e.arg);
      if (a.kind === 'transpose') return a.arg;
      if (a.kind === 'call' && a.fn === 'transpose') return a.args[0];
      if (isNum(a)) return a;
      return { kind: 'transpose', arg: a };
    }
    case 'sumdims':
      return { kind: 'sumdims', arg: simplify(e.arg), dims: e.dims, shape: e.shape };
    case 'call': {
      const args = e.args.map(simplify);
      // (xᵀ)ᵀ = x, whichever way each transposition is written
      if (e.fn === 'transpose' && (args[0].kind === 'transpose' || (args[0].kind === 'call' && args[0].fn === 'transpose'))) {
        return args[0].kind === 'transpose' ? args[0].arg : (args[0] as Expr & { kind: 'call' }).args[0];
      }
      return { kind: 'call', fn: e.fn, args };
    }
    case 'cases': {
      const c = mapChildren(e, simplify) as Expr & { kind: 'cases' };
      // every branch the same: no case distinction left
      return c.branches.every((b) => sameExpr(b.value, c.otherwise)) ? c.otherwise : c;
    }
    case 'bin':
      return simplifyBin(e.op, simplify(e.left), simplify(e.right));
    default:
      return e;
  }
}

const isOnes = (e: Expr) => e.kind === 'call' && e.fn === 'ones_like';

/** A product's numeric factor and the rest: 2·x -> (2, x), x/2 -> (0.5, x), 3 -> (3, null). */
function coefficient(e: Expr): { k: number; rest: Expr | null } {
  if (isNum(e)) return { k: val(e), rest: null };
  if (e.kind === 'bin' && e.op === '*' && isNum(e.left)) return { k: val(e.left), rest: e.right };
  if (e.kind === 'bin' && e.op === '/' && isNum(e.right) && val(e.right) !== 0) {
    const inner = coefficient(e.left);
    return { k: inner.k / val(e.right), rest: inner.rest };
  }
  return { k: 1, rest: e };
}

function clean(v: number): number {
  return Number.parseFloat(v.toPrecision(15));
}

function simplifyBin(op: BinOp, a: Expr, b: Expr): Expr {
  switch (op) {
    case '+':
      if (isNum(a, 0)) return b;
      if (isNum(b, 0)) return a;
      if (isNum(a) && isNum(b)) return num(clean(val(a) + val(b)));
      if (b.kind === 'neg') return simplifyBin('-', a, b.arg);
      if (isNum(b) && val(b) < 0) return bin('-', a, num(-val(b)));
      if (a.kind === 'neg') return simplifyBin('-', b, a.arg);
      return bin('+', a, b);
    case '-':
      if (isNum(b, 0)) return a;
      if (isNum(a, 0)) return simplify(neg(b));
      if (isNum(a) && isNum(b)) return num(clean(val(a) - val(b)));
      if (b.kind === 'neg') return simplifyBin('+', a, b.arg);
      return bin('-', a, b);
    case '*':
    case 'hadamard': {
      if (isNum(a, 0) || isNum(b, 0)) return num(0);
      // x ⊙ (y ⊙ z) = x ⊙ y ⊙ z: one chain of factors
      if (op === 'hadamard' && b.kind === 'bin' && b.op === 'hadamard') return simplifyBin('hadamard', simplifyBin('hadamard', a, b.left), b.right);
      // (s·𝟏) ⊙ b = s·b: the ones spread a scalar over b's shape, which b has already
      if (op === 'hadamard' && a.kind === 'bin' && a.op === '*' && isOnes(a.right)) return simplifyBin('*', a.left, b);
      if (op === 'hadamard' && b.kind === 'bin' && b.op === '*' && isOnes(b.right)) return simplifyBin('*', b.left, a);
      // (U/k)·(k·x) = U·x, and (k·x)/k = x: numbers of a product collected
      const ka = coefficient(a);
      const kb = coefficient(b);
      if (ka.k !== 1 && kb.k !== 1 && ka.rest && kb.rest) {
        const body = bin(op, ka.rest, kb.rest);
        const k = clean(ka.k * kb.k);
        if (k === 1) return body;
        if (k === -1) return neg(body);
        return k < 0 ? neg(bin('*', num(-k), body)) : bin('*', num(k), body);
      }
      if (isNum(a, 1)) return b;
      if (isNum(b, 1)) return a;
      if (isNum(a, -1)) return simplify(neg(b));
      if (isNum(b, -1)) return simplify(neg(a));
      if (isNum(a) && isNum(b)) return num(clean(val(a) * val(b)));
      if (a.kind === 'neg') return simplify(neg(simplifyBin(op, a.arg, b)));
      if (b.kind === 'neg') return simplify(neg(simplifyBin(op, a, b.arg)));
      if (isNum(a) && b.kind === 'bin' && (b.op === '*' || b.op === 'hadamard') && isNum(b.left)) {
        return simplifyBin(b.op, num(clean(val(a) * val(b.left))), b.right);
      }
      // a·(1/b) = a/b
      if (op === '*' && b.kind === 'bin' && b.op === '/' && isNum(b.left, 1)) return simplifyBin('/', a, b.right);
      if (op === '*' && a.kind === 'bin' && a.op === '/' && isNum(a.left, 1)) return simplifyBin('/', b, a.right);
      if (op === '*' && isNum(b) && !isNum(a)) return simplifyBin('*', b, a);
      if (op === '*' && isNum(b) && val(b) < 0) return simplify(neg(simplifyBin(op, a, num(-val(b)))));
      if (op === '*' && isNum(a) && val(a) < 0) return simplify(neg(simplifyBin(op, num(-val(a)), b)));
      return bin(op, a, b);
    }
    case '/':
      if (isNum(b, 1)) return a;
      if (isNum(a, 0)) return num(0);
      // (k·x)/k = x
      if (isNum(b) && val(b) !== 0 && a.kind === 'bin' && a.op === '*' && isNum(a.left) && val(a.left) === val(b)) return a.right;
      if (isNum(a) && isNum(b) && Number.isInteger(val(a) / val(b))) return num(val(a) / val(b));
      if (a.kind === 'neg') return simplify(neg(simplifyBin('/', a.arg, b)));
      return bin('/', a, b);
    case '^':
      if (isNum(b, 1)) return a;
      if (isNum(b, 0)) return num(1);
      if (isNum(a) && isNum(b)) return num(clean(val(a) ** val(b)));
      return bin('^', a, b);
    case '@':
      if (isNum(a, 0) || isNum(b, 0)) return num(0);
      return bin('@', a, b);
  }
}

/**
 * The derivative of a scalar function of one tensor argument, f'(a), as an expression in `a`:
 * the local-derivative formula of the op's table entry (pseudo-functions such as `ind_pos` for
 * 1[a > 0] are for display). Null for vector functions and functions of several tensors.
 */
export function primeOf(fn: string, args: Expr[]): Expr | null {
  const ds = derivativesOf(fn, args);
  return ds && ds.length === 1 ? ds[0] : null;
}

/**
 * d(e)/d(v) for scalar expressions by the rules of calculus, simplified; null when `e` involves
 * matrix products or vector functions (then the matrix-form rules of {@link adjoint} apply).
 *
 * @example
 * ```ts
 * const d = diff(parseExpr('a*x2 + b*x3 + c*x2*x3'), 'x2'); // a + c·x3
 * const at = new Map([['a', 3], ['c', 2], ['x3', -1]].map(([n, v]) => [n as string, tensor(v as number, { dtype: 'float64' })]));
 * d && evalExpr(d, at).item() // 1
 * ```
 */
export function diff(e: Expr, v: string): Expr | null {
  const r = diffRaw(e, v);
  return r && simplify(r);
}

function diffRaw(e: Expr, v: string): Expr | null {
  switch (e.kind) {
    case 'num':
      return num(0);
    case 'name':
      return num(e.name === v ? 1 : 0);
    case 'neg': {
      const d = diffRaw(e.arg, v);
      return d && neg(d);
    }
    case 'bin': {
      if (e.op === '@') return null;
      const da = diffRaw(e.left, v);
      if (e.op === '^' && isNum(e.right)) {
        return da && bin('*', bin('*', num(val(e.right)), bin('^', e.left, num(val(e.right) - 1))), da);
      }
      const db = diffRaw(e.right, v);
      if (!da || !db) return null;
      const a = e.left;
      const b = e.right;
      switch (e.op) {
        case '+':
          return bin('+', da, db);
        case '-':
          return bin('-', da, db);
        case '*':
        case 'hadamard':
          return bin('+', bin('*', da, b), bin('*', a, db));
        case '/':
          if (isNum(simplify(db), 0)) return bin('/', da, b);
          return bin('/', bin('-', bin('*', da, b), bin('*', a, db)), bin('^', b, num(2)));
        case '^':
          return bin('*', e, bin('+', bin('*', db, call('log', a)), bin('/', bin('*', b, da), a)));
      }
      return null;
    }
    case 'call': {
      const ex = expandCall(e);
      if (ex) return diffRaw(ex, v);
      if (e.fn === 'sum' || e.fn === 'mean' || e.fn === 'max') return diffRaw(e.args[0], v);
      // the chain rule through each tensor argument: Σ ∂f/∂a_i · d(a_i)
      const ps = derivativesOf(e.fn, e.args);
      if (!ps) return null;
      let total: Expr | null = null;
      for (let i = 0; i < ps.length; i++) {
        const da = diffRaw(e.args[i], v);
        if (!da) return null;
        const term = bin('*', ps[i], da);
        total = total ? bin('+', total, term) : term;
      }
      return total;
    }
    case 'cases': {
      // piecewise: differentiate each branch (the conditions hold on open sets)
      const ds = e.branches.map((b) => diffRaw(b.value, v));
      const dO = diffRaw(e.otherwise, v);
      if (!dO || ds.some((d) => !d)) return null;
      return { kind: 'cases', branches: e.branches.map((b, i) => ({ when: b.when, value: ds[i] as Expr })), otherwise: dO };
    }
    default:
      return null;
  }
}

/** Shape lookup for sub-expressions (from evaluation). */
export type ShapeOf = (e: Expr) => readonly number[] | undefined;

const isScalarShape = (s: readonly number[] | undefined) => !s || s.every((d) => d === 1);

/** The dimensions a gradient of shape `from` must be summed over to come back to shape `to` (the adjoint of broadcasting). */
export function broadcastDims(from: readonly number[], to: readonly number[]): number[] {
  const lead = from.length - to.length;
  const dims: number[] = [];
  for (let i = 0; i < from.length; i++) if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) dims.push(i);
  return dims;
}

/**
 * Reverse-mode symbolic differentiation: given U = dL/d(e) (an expression), the contribution to
 * dL/d(target) through every occurrence of `target` in `e`, in matrix form (W^T δ, δ A^T, Σ over
 * the batch for a broadcast bias, ⊙ f'(Z) for elementwise functions). Null when `target` does
 * not occur.
 *
 * @example
 * ```ts
 * const g = adjoint(parseExpr('W @ A + b'), 'W', { kind: 'grad', of: 'Z' }, () => [2, 2]); // δ_Z A^T
 * g?.kind === 'bin' && g.op // '@'
 * ```
 */
export function adjoint(e: Expr, target: string, U: Expr, shapeOf: ShapeOf): Expr | null {
  const r = adjRaw(e, target, U, shapeOf);
  return r && simplify(r);
}

function plus(a: Expr | null, b: Expr | null): Expr | null {
  if (!a) return b;
  if (!b) return a;
  return bin('+', a, b);
}

function adjRaw(e: Expr, t: string, U: Expr, shapeOf: ShapeOf): Expr | null {
  const sh = shapeOf(e);
  const unb = (u: Expr, sub: Expr): Expr => {
    const ss = shapeOf(sub);
    // one element broadcast to one element ([1,1] and []) needs no sum
    if (!sh || !ss || sh.every((d) => d === 1)) return u;
    const dims = broadcastDims(sh, ss);
    return dims.length ? { kind: 'sumdims', arg: u, dims, shape: ss } : u;
  };
  const times = (u: Expr, f: Expr, other: Expr): Expr => (isScalarShape(sh) && isScalarShape(shapeOf(other)) ? bin('*', u, f) : bin('hadamard', u, f));
  switch (e.kind) {
    case 'name':
      return e.name === t ? U : null;
    case 'num':
    case 'grad':
    case 'op':
    case 'cases':
      return null;
    case 'neg':
      return adjRaw(e.arg, t, neg(U), shapeOf);
    case 'transpose':
      return adjRaw(e.arg, t, { kind: 'transpose', arg: U }, shapeOf);
    case 'sumdims':
      return null;
    case 'bin': {
      const a = e.left;
      const b = e.right;
      switch (e.op) {
        case '+':
          return plus(adjRaw(a, t, unb(U, a), shapeOf), adjRaw(b, t, unb(U, b), shapeOf));
        case '-':
          return plus(adjRaw(a, t, unb(U, a), shapeOf), adjRaw(b, t, unb(neg(U), b), shapeOf));
        case '*':
        case 'hadamard':
          return plus(adjRaw(a, t, unb(times(U, b, a), a), shapeOf), adjRaw(b, t, unb(times(U, a, b), b), shapeOf));
        case '/':
          return plus(
            adjRaw(a, t, unb(isScalarShape(sh) ? bin('/', U, b) : bin('/', U, b), a), shapeOf),
            adjRaw(b, t, unb(neg(bin('/', times(U, a, b), bin('^', b, num(2)))), b), shapeOf),
          );
        case '^': {
          if (isNum(b)) return adjRaw(a, t, times(U, bin('*', num(val(b)), bin('^', a, num(val(b) - 1))), a), shapeOf);
          return plus(
            adjRaw(a, t, unb(times(U, bin('*', b, bin('^', a, bin('-', b, num(1)))), a), a), shapeOf),
            adjRaw(b, t, unb(times(U, bin('*', e, call('log', a)), b), b), shapeOf),
          );
        }
        case '@':
          return plus(adjRaw(a, t, bin('@', U, { kind: 'transpose', arg: b }), shapeOf), adjRaw(b, t, bin('@', { kind: 'transpose', arg: a }, U), shapeOf));
      }
      return null;
    }
    case 'call': {
      const ex = expandCall(e);
      if (ex) return adjRaw(ex, t, U, shapeOf);
      const [a] = e.args;
      switch (e.fn) {
        case 'sum':
        case 'mean': {
          // the scalar upstream reaches every element: U·𝟙 (ones of the argument's shape)
          const n = (shapeOf(a) ?? []).reduce((x, y) => x * y, 1);
          if (n === 1) return adjRaw(a, t, U, shapeOf);
          const spread = bin('*', U, call('ones_like', a));
          return adjRaw(a, t, e.fn === 'mean' && n > 1 ? bin('/', spread, num(n)) : spread, shapeOf);
        }
        case 'max':
          return adjRaw(a, t, bin('hadamard', U, call('ind_max', a)), shapeOf);
        case 'transpose':
          return adjRaw(a, t, { kind: 'transpose', arg: U }, shapeOf);
        case 'softmax': {
          const s = call('softmax', a);
          return adjRaw(a, t, bin('hadamard', s, bin('-', U, call('sum', bin('hadamard', U, s)))), shapeOf);
        }
        case 'log_softmax':
          return adjRaw(a, t, bin('-', U, bin('hadamard', call('softmax', a), call('sum', U))), shapeOf);
        case 'masked_softmax': {
          // each row is a softmax of its own: dL/dS = A ⊙ (U − Σ_cols(U ⊙ A)), A = masked_softmax(S, M)
          const rowsOf = (shapeOf(a) ?? [1])[0];
          const rowSum: Expr = { kind: 'sumdims', arg: bin('hadamard', U, e), dims: [1], shape: [rowsOf, 1] };
          return adjRaw(a, t, bin('hadamard', e, bin('-', U, rowSum)), shapeOf);
        }
        case 'cross_entropy': {
          const zs = shapeOf(a) ?? [];
          const cs = shapeOf(e.args[1]) ?? [];
          const n = cs.reduce((x, y) => x * y, 1);
          // onehot(classes, logits): shown as onehot(classes); the logits give it its shape
          const g = bin('-', call('softmax', a), call('onehot', e.args[1], a));
          void zs;
          return adjRaw(a, t, bin('*', U, n === 1 ? g : bin('/', g, num(n))), shapeOf);
        }
        default: {
          const ps = derivativesOf(e.fn, e.args);
          if (!ps) return null;
          let total: Expr | null = null;
          ps.forEach((p, i) => {
            const arg = e.args[i];
            total = plus(total, adjRaw(arg, t, unb(times(U, isScalarShape(shapeOf(arg)) ? p : elementwise(p), arg), arg), shapeOf));
          });
          return total;
        }
      }
    }
  }
}

/** Marks the products of a derivative of a matrix argument as elementwise (⊙). */
function elementwise(e: Expr): Expr {
  switch (e.kind) {
    case 'bin':
      return bin(e.op === '*' ? 'hadamard' : e.op, elementwise(e.left), elementwise(e.right));
    case 'neg':
      return neg(elementwise(e.arg));
    default:
      return e;
  }
}

/** Replaces `grad` symbols by expressions (composing backward steps into one formula). */
export function substituteGrads(e: Expr, by: (of: string) => Expr | undefined): Expr {
  switch (e.kind) {
    case 'grad':
      return by(e.of) ?? e;
    case 'neg':
      return neg(substituteGrads(e.arg, by));
    case 'transpose':
      return { kind: 'transpose', arg: substituteGrads(e.arg, by) };
    case 'sumdims':
      return { kind: 'sumdims', arg: substituteGrads(e.arg, by), dims: e.dims, shape: e.shape };
    case 'bin':
      return bin(e.op, substituteGrads(e.left, by), substituteGrads(e.right, by));
    case 'call':
      return { kind: 'call', fn: e.fn, args: e.args.map((a) => substituteGrads(a, by)) };
    default:
      return e;
  }
}

