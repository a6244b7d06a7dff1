import type { CmpOp, Expr } from '../../ops/formula.js';
import { fnLatexOf, fnTextOf } from '../table.js';

/** A value shown in a derivation: a number or nested lists (rows of a matrix). @example const v: Value = [[1, 2], [3, 4]]; latexNotation.value(v, 6) // '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}' */
export type Value = number | Value[];

/**
 * How one notation (LaTeX or terminal Unicode) writes each piece of an expression: the renderers
 * call these with the pieces already written, so a dialect only joins strings.
 * @example latexNotation.frac('a', latexNotation.name('x2')) // '\\frac{a}{x_{2}}'
 */
export interface Dialect {
  /** a name: `x2` as `x_{2}`, `alpha` as `\alpha` (LaTeX) */
  name(n: string): string;
  /** a number to `digits` significant digits */
  num(v: number, digits: number): string;
  /** a value: a number, or nested lists as a matrix (LaTeX's bmatrix) */
  value(v: Value, digits: number): string;
  /** a product; `numLeft` when a number comes first (`2 x` rather than `2 \cdot x`) */
  mul(a: string, b: string, numLeft: boolean): string;
  /** a matrix product `a @ b` */
  matmul(a: string, b: string): string;
  /** an elementwise product (`a \odot b`) */
  hadamard(a: string, b: string): string;
  /** a quotient (`\frac{a}{b}` in LaTeX, `a / b` inline) */
  frac(a: string, b: string): string;
  /** whether frac needs its operands parenthesised like a binary operator */
  fracIsInfix: boolean;
  /** a power; `expExpr` is the exponent's expression (a dialect may write small integers as superscripts) */
  pow(base: string, exp: string, expExpr: Expr): string;
  /** parentheses around a written expression */
  paren(s: string): string;
  /** a function applied: `fn` is the problem-file name, `args` the written arguments, `raw` their expressions */
  call(fn: string, args: string[], raw: Expr[]): string;
  /** the gradient symbol dL/d(of) */
  grad(of: string): string;
  /** a transpose; `atom` when `a` needs no parentheses */
  transpose(a: string, atom: boolean): string;
  /** a sum over the dimensions `dims` (rows, columns, or all) */
  sumdims(a: string, dims: number[]): string;
  /** a piecewise formula: each value with the condition it holds under, then the rest */
  cases(
    branches: {
      /** the value on this branch */
      value: string;
      /** the condition it holds under */
      cond: string;
    }[],
    otherwise: string,
  ): string;
  /** a comparison of a condition: >, ≥, <, ≤ */
  cmp(op: CmpOp): string;
}

const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'eta',
  'theta',
  'lambda',
  'mu',
  'sigma',
  'tau',
  'phi',
  'psi',
  'omega',
  'Delta',
  'Phi',
  'Sigma',
]);
const GREEK_UNI: Record<string, string> = {
  alpha: 'α',
  beta: 'β',
  gamma: 'γ',
  delta: 'δ',
  epsilon: 'ε',
  eta: 'η',
  theta: 'θ',
  lambda: 'λ',
  mu: 'μ',
  sigma: 'σ',
  tau: 'τ',
  phi: 'φ',
  psi: 'ψ',
  omega: 'ω',
  Delta: 'Δ',
  Phi: 'Φ',
  Sigma: 'Σ',
};

/**
 * A name as mathematics: x6 -> x_{6}, A_in -> A_{\mathrm{in}}, net_h1 -> \mathrm{net}_{h_{1}},
 * delta1 -> \delta_{1}, Yhat and y_hat -> \hat{Y} and \hat{y}, BCE -> \mathrm{BCE}; a state-dict path
 * (0.weight) is written upright as it is.
 */
export function latexName(n: string): string {
  const base = (b: string) => (GREEK.has(b) ? `\\${b}` : b.length > 1 ? `\\mathrm{${b}}` : b);
  if (/[.]/.test(n) || /^\d/.test(n)) return `\\mathrm{${n.replace(/_/g, '\\_')}}`;
  let m = /^([A-Za-z]+?)_?(hat|bar|tilde)$/.exec(n);
  if (m && m[1].length <= 2 && m[1] !== '') return `\\${m[2] === 'bar' ? 'bar' : m[2] === 'hat' ? 'hat' : 'tilde'}{${latexName(m[1])}}`;
  m = /^([A-Za-z]+?)(\d+)$/.exec(n);
  if (m) return `${base(m[1])}_{${m[2]}}`;
  m = /^([A-Za-z]+\d*)_(.+)$/.exec(n);
  if (m) return `${latexName(m[1])}_{${/^[A-Za-z]{2,}$/.test(m[2]) && !GREEK.has(m[2]) ? `\\mathrm{${m[2]}}` : latexName(m[2])}}`;
  return base(n.replace(/_/g, '\\_'));
}

/** A number at `digits` significant digits, trailing zeros dropped; integers exactly. */
export function fmtNumber(v: number, digits: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Object.is(v, -0)) v = 0;
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  let s = v.toPrecision(digits);
  if (s.includes('e')) {
    const [m, e] = s.split('e');
    const mm = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    return `${mm}e${Number(e)}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  if (Math.abs(v) < 1e-4 && s !== '0') {
    const [m, e] = v.toExponential(digits - 1).split('e');
    return `${m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m}e${Number(e)}`;
  }
  return s;
}

function latexNum(v: number, digits: number): string {
  const s = fmtNumber(v, digits);
  const m = /^(-?[\d.]+)e(-?\d+)$/.exec(s);
  return m ? `${m[1]} \\times 10^{${m[2]}}` : s;
}

function shapeOfValue(v: Value): number[] {
  const s: number[] = [];
  let c: Value = v;
  while (Array.isArray(c)) {
    s.push(c.length);
    c = c[0];
  }
  return s;
}

/** The problem language's own functions (the losses); every op's LaTeX name comes from its table entry. */
const LATEX_FN: Record<string, string> = {
  mse: '\\operatorname{MSE}',
  sse: '\\operatorname{SSE}',
  bce: '\\operatorname{BCE}',
  bce_logits: '\\operatorname{BCE}_{\\text{logits}}',
  cross_entropy: '\\operatorname{CE}',
  onehot: '\\operatorname{onehot}',
};

/** LaTeX notation (for md, tex and html); the browser and main entries export it as latexNotation. @example latexNotation.name('x6') // 'x_{6}' */
export const latex: Dialect = {
  name: latexName,
  num: latexNum,
  value(v, digits) {
    v = unwrapSingle(v);
    if (!Array.isArray(v)) return latexNum(v, digits);
    const shape = shapeOfValue(v);
    const rows: Value[][] = shape.length === 1 ? (v as Value[]).map((x) => [x]) : (v as Value[][]);
    const body = rows.map((r) => (r as Value[]).map((x) => (Array.isArray(x) ? '\\cdots' : latexNum(x, digits))).join(' & ')).join(' \\\\ ');
    return `\\begin{bmatrix} ${body} \\end{bmatrix}`;
  },
  mul: (a, b, numLeft) => (numLeft ? `${a} ${b}` : `${a} \\cdot ${b}`),
  matmul: (a, b) => `${a} \\, ${b}`,
  hadamard: (a, b) => `${a} \\odot ${b}`,
  frac: (a, b) => `\\frac{${a}}{${b}}`,
  fracIsInfix: false,
  pow: (b, e) => `{${b}}^{${e}}`,
  paren: (s) => `\\left(${s}\\right)`,
  call(fn, args, raw) {
    const a = args[0];
    switch (fn) {
      case 'exp':
        return raw[0].kind === 'name' || raw[0].kind === 'num' ? `e^{${a}}` : `\\exp\\left(${a}\\right)`;
      case 'sqrt':
        return `\\sqrt{${a}}`;
      case 'abs':
        return `\\left|${a}\\right|`;
      case 'sum':
        return `\\sum \\left(${a}\\right)`;
      case 'transpose':
        return `{${a}}^{\\top}`;
      case 'ind_pos':
        return `\\mathbb{1}\\left[${a} > 0\\right]`;
      case 'ind_max':
        return `\\mathbb{1}\\left[${a} = \\max ${a}\\right]`;
      case 'dlocal':
        return `\\frac{\\partial ${a}}{\\partial ${args[1]}}`;
      case 'ones_like':
        return '\\mathbf{1}';
      case 'onehot':
        return `\\operatorname{onehot}\\left(${a}\\right)`;
      case 'ce_def':
        return `-\\frac{1}{N} \\sum_{n} \\log \\operatorname{softmax}\\left(${a}\\right)_{c_n}`;
      default:
        return `${fnLatexOf(fn) ?? LATEX_FN[fn] ?? `\\operatorname{${fn.replace(/_/g, '\\_')}}`}\\left(${args.join(', ')}\\right)`;
    }
  },
  grad: (of) => `\\frac{\\partial L}{\\partial ${latexName(of)}}`,
  transpose: (a, atom) => (atom ? `${a}^{\\top}` : `\\left(${a}\\right)^{\\top}`),
  sumdims: (a, dims) => `\\textstyle\\sum_{${dims.length === 1 ? (dims[0] === 1 ? '\\text{cols}' : dims[0] === 0 ? '\\text{rows}' : `\\text{dim }${dims[0]}`) : '\\text{all}'}}\\left(${a}\\right)`,
  cases: (bs, other) => `\\begin{cases} ${[...bs.map((b) => `${b.value} & ${b.cond}`), `${other} & \\text{otherwise}`].join(' \\\\ ')} \\end{cases}`,
  cmp: (op) => ({ '>': '>', '>=': '\\geq', '<': '<', '<=': '\\leq' })[op],
};

const SUP: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };
const UNI_FN: Record<string, string> = { onehot: 'onehot', cross_entropy: 'CE' };

/** A one-element matrix [[x]] shown as the number x. */
export function unwrapSingle(v: Value): Value {
  let c = v;
  while (Array.isArray(c) && c.length === 1) c = c[0];
  return Array.isArray(c) ? v : c;
}

/** A value on one line: 2, [1, 2], [[1, 2], [3, 4]]. */
export function inlineValue(v: Value, digits: number): string {
  const raw = (x: Value): string => (Array.isArray(x) ? `[${x.map(raw).join(', ')}]` : fmtNumber(x, digits));
  return raw(unwrapSingle(v));
}

/** Unicode notation for a terminal. */
export const unicode: Dialect = {
  name: (n) => {
    const m = /^([A-Za-z]+?)(\d*)$/.exec(n);
    if (m && GREEK_UNI[m[1]]) return GREEK_UNI[m[1]] + m[2];
    return n;
  },
  num: (v, d) => fmtNumber(v, d),
  value: inlineValue,
  mul: (a, b) => `${a}·${b}`,
  matmul: (a, b) => `${a} ${b}`,
  hadamard: (a, b) => `${a} ⊙ ${b}`,
  // ∂L/∂x is itself a slash: keep it whole next to a division
  frac: (a, b) => [a, b].map((x) => (/^∂L\/∂[\w]+$/.test(x) ? `(${x})` : x)).join('/'),
  fracIsInfix: true,
  pow: (b, e, ee) => (ee.kind === 'num' && /^-?\d+$/.test(e) ? b + [...e].map((c) => SUP[c]).join('') : `${b}^${ee.kind === 'num' || ee.kind === 'name' ? e : `(${e})`}`),
  paren: (s) => `(${s})`,
  call(fn, args, raw) {
    switch (fn) {
      case 'transpose':
        return raw[0].kind === 'name' ? `${args[0]}ᵀ` : `(${args[0]})ᵀ`;
      case 'ind_pos':
        return `1[${args[0]} > 0]`;
      case 'ind_max':
        return `1[${args[0]} = max ${args[0]}]`;
      case 'dlocal':
        return `∂${args[0]}/∂${args[1]}`;
      case 'ones_like':
        return '𝟏';
      case 'onehot':
        return `onehot(${args[0]})`;
      case 'ce_def':
        return `-(1/N) Σₙ log softmax(${args[0]})[cₙ]`;
      case 'abs':
        return `|${args[0]}|`;
      case 'sum':
        return `Σ(${args[0]})`;
      default:
        return `${fnTextOf(fn) ?? UNI_FN[fn] ?? fn}(${args.join(', ')})`;
    }
  },
  grad: (of) => `∂L/∂${of}`,
  transpose: (a, atom) => (atom ? `${a}ᵀ` : `(${a})ᵀ`),
  sumdims: (a, dims) => `Σ_${dims.length === 1 ? (dims[0] === 1 ? 'cols' : dims[0] === 0 ? 'rows' : `dim${dims[0]}`) : 'all'}(${a})`,
  cases: (bs, other) => `{${[...bs.map((b) => `${b.value} if ${b.cond}`), `${other} otherwise`].join('; ')}}`,
  cmp: (op) => ({ '>': '>', '>=': '≥', '<': '<', '<=': '≤' })[op],
};

/** How names are shown: as symbols, or substituted by their values. */
export type NameView = (n: string) => { text: string; negative?: boolean; matrix?: boolean } | undefined;

const PREC = { '+': 1, '-': 1, '*': 2, '/': 2, '@': 2, hadamard: 2, neg: 3, '^': 4, atom: 5 } as const;

/**
 * Writes an expression in a dialect with the fewest parentheses its precedence needs. `view`
 * substitutes names (and gradient symbols, as `d:name`) by values for the "numbers" line.
 *
 * @example
 * ```ts
 * // the package's own `render` writes whole derivations; this one writes a single formula
 * import { render as renderFormula } from './notation.js';
 * renderFormula(parseExpr('a*x2 + b'), latexNotation, 6) // 'a \\cdot x_{2} + b'
 * renderFormula(parseExpr('-(a + b)/2'), latexNotation, 6) // '\\frac{-\\left(a + b\\right)}{2}'
 * ```
 */
export function render(e: Expr, d: Dialect, digits: number, view?: NameView): string {
  return go(e, d, digits, view).s;
}

function go(e: Expr, d: Dialect, digits: number, view?: NameView): { s: string; p: number } {
  const wrap = (x: { s: string; p: number }, min: number) => (x.p < min ? d.paren(x.s) : x.s);
  switch (e.kind) {
    case 'num':
      return { s: d.num(e.value, digits), p: e.value < 0 ? PREC['+'] : PREC.atom };
    case 'name': {
      const v = view?.(e.name);
      if (v) return { s: v.text, p: v.negative ? PREC['+'] : PREC.atom };
      return { s: d.name(e.name), p: PREC.atom };
    }
    case 'grad': {
      const v = view?.(`d:${e.of}`);
      if (v) return { s: v.text, p: v.negative ? PREC['+'] : PREC.atom };
      return { s: d.grad(e.of), p: PREC.atom };
    }
    case 'neg': {
      const a = go(e.arg, d, digits, view);
      return { s: `-${wrap(a, PREC.neg + 1)}`, p: PREC.neg };
    }
    case 'transpose': {
      const a = go(e.arg, d, digits, view);
      return { s: d.transpose(a.s, a.p >= PREC.atom), p: PREC.atom };
    }
    case 'sumdims':
      return { s: d.sumdims(go(e.arg, d, digits, view).s, e.dims), p: PREC.atom };
    case 'call':
      return { s: d.call(e.fn, e.args.map((a) => go(a, d, digits, view).s), e.args), p: PREC.atom };
    case 'cases': {
      const side = (x: Expr) => go(x, d, digits, view).s;
      const branches = e.branches.map((b) => ({ value: side(b.value), cond: `${side(b.when.left)} ${d.cmp(b.when.op)} ${side(b.when.right)}` }));
      return { s: d.cases(branches, side(e.otherwise)), p: PREC.atom };
    }
    case 'op': {
      const args = e.args.map((a) => go(a, d, digits, view).s);
      const shown = e.op.latex(args, e.attrs);
      // ops whose LaTeX is their argument (reshape, expand, ...) are named so the step is visible
      if (d === latex && shown !== args[0]) return { s: `{${shown}}`, p: PREC.atom };
      if (d === latex) return { s: `\\operatorname{${e.op.name}}\\left(${args.join(', ')}\\right)`, p: PREC.atom };
      return { s: `${e.op.name}(${args.join(', ')})`, p: PREC.atom };
    }
    case 'bin': {
      let l = go(e.left, d, digits, view);
      const r = go(e.right, d, digits, view);
      // ⊙ and the matrix product share a level with · and /; when they mix, the left operand gets parentheses too
      const matrixOp = (o: string) => o === '@' || o === 'hadamard';
      if (e.left.kind === 'bin' && e.left.op !== e.op && PREC[e.left.op] === PREC[e.op] && (matrixOp(e.op) || matrixOp(e.left.op))) {
        if (!(e.left.op === '/' && !d.fracIsInfix)) l = { s: d.paren(l.s), p: PREC.atom };
      }
      switch (e.op) {
        case '+':
          return { s: `${wrap(l, PREC['+'])} + ${wrap(r, PREC['+'] + 1)}`, p: PREC['+'] };
        case '-':
          return { s: `${wrap(l, PREC['-'])} - ${wrap(r, PREC['-'] + 1)}`, p: PREC['-'] };
        case '*': {
          // 2x and 2σ(s) juxtapose; a decimal keeps its dot (0.1·o₁, never 0.1o₁)
          const numLeft = e.left.kind === 'num' && e.left.value >= 0 && Number.isInteger(e.left.value) && ((e.right.kind === 'name' && !view?.(e.right.name)) || e.right.kind === 'call');
          // a product is associative: a·(b·c) needs no parentheses
          const rightProduct = e.right.kind === 'bin' && e.right.op === '*';
          // a negated factor on the right keeps its parentheses: a·(-b), never a·-b
          return { s: d.mul(wrap(l, PREC['*']), wrap(r, rightProduct ? PREC['*'] : PREC['*'] + 2), numLeft), p: PREC['*'] };
        }
        case '@':
          return { s: d.matmul(wrap(l, PREC['@']), wrap(r, PREC['^'])), p: PREC['@'] };
        case 'hadamard':
          return { s: d.hadamard(wrap(l, PREC.hadamard), wrap(r, PREC.hadamard + 2)), p: PREC.hadamard };
        case '/':
          if (d.fracIsInfix) return { s: d.frac(wrap(l, PREC['/']), wrap(r, PREC['/'] + 2)), p: PREC['/'] };
          return { s: d.frac(l.s, r.s), p: PREC.atom };
        case '^':
          return { s: d.pow(wrap(l, PREC.atom), r.s, e.right), p: PREC['^'] };
      }
    }
  }
  return { s: '?', p: PREC.atom };
}

/**
 * An expression in LaTeX cut into the factors or terms of its top level, each with its operator
 * (`a`, `\odot b`, `+ c`): the places a long equation may break. Joined with spaces they are the
 * whole formula.
 * @example renderPieces(parseExpr('a*x + b'), latexNotation, 6) // ['a', '\\cdot x', '+ b']
 */
export function renderPieces(e: Expr, d: Dialect, digits: number, view?: NameView): string[] {
  // −(a + b): the sum's terms between -\Bigl( and \Bigr)
  if (e.kind === 'neg' && e.arg.kind === 'bin' && (e.arg.op === '+' || e.arg.op === '-')) {
    const whole = render(e, d, digits, view);
    const ps = whole.includes('\\begin') ? [] : renderPieces(e.arg, d, digits, view);
    if (ps.length < 2) return [whole];
    return ps.map((p, i) => (i === 0 ? `-\\Bigl(${p}` : i === ps.length - 1 ? `${p}\\Bigr)` : p));
  }
  if (e.kind !== 'bin' || e.op === '^' || e.op === '/') return [render(e, d, digits, view)];
  const whole = go(e, d, digits, view).s;
  const additive = e.op === '+' || e.op === '-';
  const chain: { op: string; arg: Expr }[] = [];
  let cur: Expr = e;
  while (cur.kind === 'bin' && (additive ? cur.op === '+' || cur.op === '-' : cur.op === e.op)) {
    chain.unshift({ op: cur.op, arg: cur.right });
    cur = cur.left;
  }
  const first = go(cur, d, digits, view);
  const level = additive ? PREC['+'] : PREC['*'];
  // a parenthesised sum of formulas (no matrices) opens into its terms, between \Bigl( and \Bigr)
  const inner = (x: Expr, str: string): string[] => {
    if (additive || str.includes('\\begin') || x.kind !== 'bin' || (x.op !== '+' && x.op !== '-')) return [d.paren(str)];
    const ps = renderPieces(x, d, digits, view);
    if (ps.length < 2) return [d.paren(str)];
    return ps.map((p, i) => (i === 0 ? `\\Bigl(${p}` : i === ps.length - 1 ? `${p}\\Bigr)` : p));
  };
  // the terms of a sum open into their own factors
  const terms = (x: Expr, str: string): string[] => (additive && x.kind === 'bin' && x.op !== '+' && x.op !== '-' ? renderPieces(x, d, digits, view) : [str]);
  const pieces = first.p < level ? inner(cur, first.s) : terms(cur, first.s);
  for (const { op, arg } of chain) {
    const r = go(arg, d, digits, view);
    const min = op === '*' && arg.kind === 'bin' && arg.op === '*' ? PREC['*'] : additive ? PREC['+'] + 1 : op === '@' ? PREC['^'] : PREC['*'] + 2;
    const sym = op === '+' ? '+' : op === '-' ? '-' : op === '@' ? '\\,' : op === 'hadamard' ? '\\odot' : '\\cdot';
    const ps = r.p < min ? inner(arg, r.s) : terms(arg, r.s);
    pieces.push(`${sym} ${ps[0]}`, ...ps.slice(1));
  }
  if (pieces.some((p) => p.includes('\\Bigl(')) || pieces.length > chain.length + 1) return pieces;
  // only worth it when the pieces say the same as the whole (a mixed chain keeps its parentheses)
  return pieces.length > 1 && pieces.join(' ').replace(/\s+/g, '') === whole.replace(/\s+/g, '').replace(/\\cdot/g, '\\cdot') ? pieces : [whole];
}
