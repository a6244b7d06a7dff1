/**
 * Formulas: the expression tree of problem files, of symbolic derivatives and of the op table's
 * own local-derivative formulas (an entry writes f'(x) in it, so explanations show the formula
 * and tests evaluate it against the engine's backward). Parsed nodes carry their source offsets
 * (start inclusive, end exclusive) so errors can point into the YAML file.
 */
import type { OpInfo } from '../tensor/tensor.js';

/** The comparisons a piecewise formula's condition may make. */
export type CmpOp = '>' | '>=' | '<' | '<=';

/** A condition of a piecewise formula: left op right. */
export interface Cond {
  /** the comparison */
  op: CmpOp;
  /** the formula on the left of the comparison */
  left: Expr;
  /** the formula on the right */
  right: Expr;
}

/** The binary operators of the formula language ('@' matrix product, 'hadamard' elementwise product). */
export type BinOp = '+' | '-' | '*' | '/' | '^' | '@' | 'hadamard';

/**
 * A formula of the problem language as a tree: numbers, names, calls, operators, conditions;
 * the op table writes each op's local derivative with it, and problem files parse into it.
 * @example formula.times(formula.num(2), formula.name('x')).kind // 'bin'
 */
export type Expr = (
  | {
      /** a number */
      kind: 'num';
      /** its value */
      value: number;
    }
  | {
      /** a variable or parameter */
      kind: 'name';
      /** its name as written ('W1', 'x') */
      name: string;
    }
  | {
      /** negation, −arg */
      kind: 'neg';
      /** the negated formula */
      arg: Expr;
    }
  | {
      /** a binary operation, left op right */
      kind: 'bin';
      /** the operator */
      op: BinOp;
      /** the left operand */
      left: Expr;
      /** the right operand */
      right: Expr;
    }
  | {
      /** a call of a problem-language function, fn(args) */
      kind: 'call';
      /** the function's problem-file name ('sigmoid', 'exp') */
      fn: string;
      /** its arguments, in order */
      args: Expr[];
    }
  | {
      /** dL/d(of): the upstream gradient symbol of a backward step */
      kind: 'grad';
      /** the name the gradient is taken with respect to */
      of: string;
    }
  | {
      /** a marked transposition arg^T (symbolic results only) */
      kind: 'transpose';
      /** the transposed formula */
      arg: Expr;
    }
  | {
      /** the sum of a broadcast gradient over some dimensions (symbolic results only) */
      kind: 'sumdims';
      /** the summed formula */
      arg: Expr;
      /** the dimensions summed over */
      dims: number[];
      /** the shape the sum comes back to, when known */
      shape?: readonly number[];
    }
  | {
      /** an engine op with no problem-file spelling (explain() of any tensor), shown with its OpInfo */
      kind: 'op';
      /** the op's name and LaTeX form */
      op: OpInfo;
      /** its tensor arguments */
      args: Expr[];
      /** the non-tensor parameters it was called with */
      attrs?: Record<string, unknown>;
    }
  | {
      /** a piecewise formula: the first branch whose condition holds, else `otherwise` (elementwise) */
      kind: 'cases';
      /** the branches, tried in order */
      branches: {
        /** the condition of the branch */
        when: Cond;
        /** the value where it holds */
        value: Expr;
      }[];
      /** the value where no condition holds */
      otherwise: Expr;
    }
) &
  Span;

/** Where a parsed formula node lies in its source text (absent on formulas built in code). */
export interface Span {
  /** offset of the node's first character */
  start?: number;
  /** offset just past its last character */
  end?: number;
}

/** A number. @example formula.num(2).value // 2 */
export const num = (value: number): Expr => ({ kind: 'num', value });
/** A name (a variable or a parameter). @example formula.namesIn(formula.name('x')) // ['x'] */
export const name = (n: string): Expr => ({ kind: 'name', name: n });
/** A binary operation. @example formula.bin('+', formula.num(1), formula.name('x')).kind // 'bin' */
export const bin = (op: BinOp, left: Expr, right: Expr): Expr => ({ kind: 'bin', op, left, right });
/** A call of a problem-language function. @example formula.namesIn(formula.call('exp', formula.name('x'))) // ['x'] */
export const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });
/** Negation, -arg. @example formula.neg(formula.num(1)).kind // 'neg' */
export const neg = (arg: Expr): Expr => ({ kind: 'neg', arg });
/** A condition, left op right, for cases. @example formula.cond(formula.name('x'), '>', formula.num(0)).op // '>' */
export const cond = (left: Expr, op: CmpOp, right: Expr): Cond => ({ op, left, right });
/**
 * A piecewise formula: the first branch whose condition holds, else `otherwise`.
 * @example
 * const { cases, cond, name, num } = formula;
 * // 1 where x > 0, else 0: relu's derivative
 * const dRelu = cases([[cond(name('x'), '>', num(0)), num(1)]], num(0));
 * dRelu.kind; // 'cases'
 */
export const cases = (branches: [Cond, Expr][], otherwise: Expr): Expr => ({
  kind: 'cases',
  branches: branches.map(([when, value]) => ({ when, value })),
  otherwise,
});
/** a + b. @example formula.sameExpr(formula.plus(formula.num(1), formula.num(2)), formula.bin('+', formula.num(1), formula.num(2))) // true */
export const plus = (a: Expr, b: Expr): Expr => bin('+', a, b);
/** a - b. @example formula.minus(formula.name('x'), formula.num(1)).kind // 'bin' */
export const minus = (a: Expr, b: Expr): Expr => bin('-', a, b);
/** a·b. @example formula.namesIn(formula.times(formula.name('a'), formula.name('b'))) // ['a', 'b'] */
export const times = (a: Expr, b: Expr): Expr => bin('*', a, b);
/** a / b. @example formula.namesIn(formula.over(formula.num(1), formula.name('x'))) // ['x'] */
export const over = (a: Expr, b: Expr): Expr => bin('/', a, b);
/** a^b. @example formula.namesIn(formula.power(formula.name('x'), formula.num(2))) // ['x'] */
export const power = (a: Expr, b: Expr): Expr => bin('^', a, b);

/**
 * Every name an expression reads, in order of first appearance.
 * @example formula.namesIn(formula.plus(formula.name('y'), formula.times(formula.name('x'), formula.name('y')))) // ['y', 'x']
 */
export function namesIn(e: Expr, out: string[] = []): string[] {
  switch (e.kind) {
    case 'name':
      if (!out.includes(e.name)) out.push(e.name);
      break;
    case 'grad':
    case 'num':
      break;
    case 'neg':
    case 'transpose':
    case 'sumdims':
      namesIn(e.arg, out);
      break;
    case 'bin':
      namesIn(e.left, out);
      namesIn(e.right, out);
      break;
    case 'call':
    case 'op':
      for (const a of e.args) namesIn(a, out);
      break;
    case 'cases':
      for (const b of e.branches) {
        namesIn(b.when.left, out);
        namesIn(b.when.right, out);
        namesIn(b.value, out);
      }
      namesIn(e.otherwise, out);
      break;
  }
  return out;
}

/**
 * Structural equality (ignores source offsets).
 * @example
 * formula.sameExpr(formula.num(1), formula.num(1)) // true
 * formula.sameExpr(formula.name('x'), formula.name('y')) // false
 */
export function sameExpr(a: Expr, b: Expr): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'num':
      return a.value === (b as typeof a).value;
    case 'name':
      return a.name === (b as typeof a).name;
    case 'grad':
      return a.of === (b as typeof a).of;
    case 'neg':
    case 'transpose':
      return sameExpr(a.arg, (b as typeof a).arg);
    case 'sumdims':
      return sameExpr(a.arg, (b as typeof a).arg) && a.dims.join() === (b as typeof a).dims.join();
    case 'bin': {
      const o = b as typeof a;
      return a.op === o.op && sameExpr(a.left, o.left) && sameExpr(a.right, o.right);
    }
    case 'call': {
      const o = b as typeof a;
      return a.fn === o.fn && a.args.length === o.args.length && a.args.every((x, i) => sameExpr(x, o.args[i]));
    }
    case 'op': {
      const o = b as typeof a;
      return a.op === o.op && a.args.length === o.args.length && a.args.every((x, i) => sameExpr(x, o.args[i]));
    }
    case 'cases': {
      const o = b as typeof a;
      return (
        a.branches.length === o.branches.length &&
        a.branches.every(
          (br, i) =>
            br.when.op === o.branches[i].when.op &&
            sameExpr(br.when.left, o.branches[i].when.left) &&
            sameExpr(br.when.right, o.branches[i].when.right) &&
            sameExpr(br.value, o.branches[i].value),
        ) &&
        sameExpr(a.otherwise, o.otherwise)
      );
    }
  }
}

/**
 * Applies `f` to every direct sub-expression (a shallow map; `f` recurses if it wants to).
 * @example
 * const e = formula.mapChildren(formula.plus(formula.name('x'), formula.num(1)), () => formula.num(0));
 * formula.sameExpr(e, formula.plus(formula.num(0), formula.num(0))); // true
 */
export function mapChildren(e: Expr, f: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case 'neg':
      return { ...e, arg: f(e.arg) };
    case 'transpose':
      return { ...e, arg: f(e.arg) };
    case 'sumdims':
      return { ...e, arg: f(e.arg) };
    case 'bin':
      return { ...e, left: f(e.left), right: f(e.right) };
    case 'call':
      return { ...e, args: e.args.map(f) };
    case 'op':
      return { ...e, args: e.args.map(f) };
    case 'cases':
      return {
        ...e,
        branches: e.branches.map((b) => ({ when: { op: b.when.op, left: f(b.when.left), right: f(b.when.right) }, value: f(b.value) })),
        otherwise: f(e.otherwise),
      };
    default:
      return e;
  }
}
