/**
 * The expression tree of problem files and of symbolic derivatives. Parsed nodes carry their
 * source offsets (start inclusive, end exclusive) so errors can point into the YAML file.
 */
import type { OpInfo } from '../autograd/node.js';

export type BinOp = '+' | '-' | '*' | '/' | '^' | '@' | 'hadamard';

export type Expr =
  | { kind: 'num'; value: number; start?: number; end?: number }
  | { kind: 'name'; name: string; start?: number; end?: number }
  | { kind: 'neg'; arg: Expr; start?: number; end?: number }
  | { kind: 'bin'; op: BinOp; left: Expr; right: Expr; start?: number; end?: number }
  | { kind: 'call'; fn: string; args: Expr[]; start?: number; end?: number }
  /** dL/d(name): the upstream gradient symbol of a backward step */
  | { kind: 'grad'; of: string; start?: number; end?: number }
  /** a marked transposition X^T (symbolic results only) */
  | { kind: 'transpose'; arg: Expr; start?: number; end?: number }
  /** sum of a broadcast gradient over the listed dimensions (symbolic results only) */
  | { kind: 'sumdims'; arg: Expr; dims: number[]; shape?: readonly number[]; start?: number; end?: number }
  /** an engine op with no problem-file spelling (explain() of any tensor): shown with its OpInfo */
  | { kind: 'op'; op: OpInfo; args: Expr[]; attrs?: Record<string, unknown>; start?: number; end?: number };

export const num = (value: number): Expr => ({ kind: 'num', value });
export const name = (n: string): Expr => ({ kind: 'name', name: n });
export const bin = (op: BinOp, left: Expr, right: Expr): Expr => ({ kind: 'bin', op, left, right });
export const call = (fn: string, ...args: Expr[]): Expr => ({ kind: 'call', fn, args });
export const neg = (arg: Expr): Expr => ({ kind: 'neg', arg });

/** Every name an expression reads, in order of first appearance. */
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
  }
  return out;
}

/** Structural equality (ignores source offsets). */
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
  }
}
