import { ChainruleError } from '../../errors.js';
import type { BinOp, Expr } from '../../ops/formula.js';

/**
 * A syntax error in one expression; `offset` is the position in the expression text. The problem
 * loader turns it into a file:line:col message with the source line and a caret.
 * @example
 * ```ts
 * let err: unknown;
 * try { parseExpr('a +'); } catch (e) { err = e; }
 * err instanceof ExprSyntaxError && err.message // 'syntax error at column 4: unexpected end of expression'
 * ```
 */
export class ExprSyntaxError extends ChainruleError {
  constructor(
    /** what is wrong, without the position (`unexpected ')'`) */
    readonly detail: string,
    /** 0-based offset in the expression where it is (the message shows column offset + 1) */
    readonly offset: number,
  ) {
    super(`syntax error at column ${offset + 1}: ${detail}`);
  }
}

type Tok = { t: 'num'; v: number; s: number; e: number } | { t: 'id'; v: string; s: number; e: number } | { t: 'op'; v: string; s: number; e: number } | { t: 'eof'; s: number; e: number };

const NUM = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const ID = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const n = NUM.exec(rest);
    if (n) {
      out.push({ t: 'num', v: Number(n[0]), s: i, e: i + n[0].length });
      i += n[0].length;
      continue;
    }
    const id = ID.exec(rest);
    if (id) {
      out.push({ t: 'id', v: id[0], s: i, e: i + id[0].length });
      i += id[0].length;
      continue;
    }
    if (rest.startsWith('**')) {
      out.push({ t: 'op', v: '^', s: i, e: i + 2 });
      i += 2;
      continue;
    }
    if ('+-*/^@(),'.includes(ch)) {
      out.push({ t: 'op', v: ch, s: i, e: i + 1 });
      i++;
      continue;
    }
    const shown = /[\x21-\x7e]/.test(ch) ? `'${ch}'` : `character U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new ExprSyntaxError(`unexpected ${shown}`, i);
  }
  out.push({ t: 'eof', s: src.length, e: src.length });
  return out;
}

const MAX_DEPTH = 200;

/**
 * Parses one expression: numbers, names, `+ - * / ^ @`, unary minus, parentheses and calls
 * `f(a, b)`. `^` binds tighter than unary minus (`-x^2` is `-(x^2)`) and is right-associative;
 * `*`, `/` and `@` share a level and associate to the left.
 *
 * @example parseExpr('a*x2 + b*x3').kind // 'bin'
 */
export function parseExpr(src: string): Expr {
  if (typeof src !== 'string') throw new ExprSyntaxError('expected an expression', 0);
  const toks = tokenize(src);
  let p = 0;
  let depth = 0;
  const peek = () => toks[p];
  const isOp = (v: string) => {
    const t = toks[p];
    return t.t === 'op' && t.v === v;
  };
  const describe = (t: Tok) => (t.t === 'eof' ? 'end of expression' : t.t === 'num' ? `number ${src.slice(t.s, t.e)}` : `'${t.v}'`);
  const enter = () => {
    if (++depth > MAX_DEPTH) throw new ExprSyntaxError(`expression nested more than ${MAX_DEPTH} levels deep`, peek().s);
  };

  function expr(): Expr {
    enter();
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = (toks[p++] as { v: string }).v as BinOp;
      const right = term();
      left = { kind: 'bin', op, left, right, start: left.start, end: right.end };
    }
    depth--;
    return left;
  }
  function term(): Expr {
    let left = unary();
    while (isOp('*') || isOp('/') || isOp('@')) {
      const op = (toks[p++] as { v: string }).v as BinOp;
      const right = unary();
      left = { kind: 'bin', op, left, right, start: left.start, end: right.end };
    }
    return left;
  }
  function unary(): Expr {
    if (isOp('-') || isOp('+')) {
      const t = toks[p++] as { v: string; s: number };
      enter();
      const arg = unary();
      depth--;
      return t.v === '-' ? { kind: 'neg', arg, start: t.s, end: arg.end } : arg;
    }
    return power();
  }
  function power(): Expr {
    const base = atom();
    if (isOp('^')) {
      p++;
      enter();
      const exp = unary();
      depth--;
      return { kind: 'bin', op: '^', left: base, right: exp, start: base.start, end: exp.end };
    }
    return base;
  }
  function atom(): Expr {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return { kind: 'num', value: t.v, start: t.s, end: t.e };
    }
    if (t.t === 'id') {
      p++;
      if (isOp('(')) {
        p++;
        const args: Expr[] = [];
        if (!isOp(')')) {
          args.push(expr());
          while (isOp(',')) {
            p++;
            args.push(expr());
          }
        }
        const close = peek();
        if (!isOp(')')) throw new ExprSyntaxError(`expected ',' or ')' in the arguments of ${t.v}, found ${describe(close)}`, close.s);
        p++;
        return { kind: 'call', fn: t.v, args, start: t.s, end: close.e };
      }
      return { kind: 'name', name: t.v, start: t.s, end: t.e };
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const inner = expr();
      const close = peek();
      if (!isOp(')')) throw new ExprSyntaxError(`expected ')' to close the '(' at column ${t.s + 1}, found ${describe(close)}`, close.s);
      p++;
      return { ...inner, start: t.s, end: close.e } as Expr;
    }
    throw new ExprSyntaxError(t.t === 'eof' ? 'unexpected end of expression' : `unexpected ${describe(t)}`, t.s);
  }

  const e = expr();
  const t = peek();
  if (t.t !== 'eof') throw new ExprSyntaxError(`unexpected ${describe(t)} after a complete expression`, t.s);
  return e;
}
