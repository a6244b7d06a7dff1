import { noGrad } from '../../autograd/mode.js';
import { type Expr, bin, mapChildren, name as nameE } from '../../ops/formula.js';
import type { Tensor } from '../../ops/index.js';
import { type ShapeMap, evalExpr } from '../derivation/evaluate.js';
import type { BackwardStep, BackwardTerm, Derivation, ForwardStep, ThenStep } from '../derivation/derivation.js';
import { type Dialect, type NameView, type Value, latex, render, renderPieces, unwrapSingle } from '../symbolic/notation.js';
import { fnDocOf, fnLatexOf, fnTextOf } from '../table.js';

/**
 * Text with inline maths, for paragraphs.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\nparams: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\n');
 * const blocks = layout(derive(solveProblem(problem)), latexNotation, 6);
 * const para = blocks.find((b) => b.type === 'p');
 * para?.type === 'p' && JSON.stringify(para.parts) // '[{"text":"Parameters (learned): "},{"math":"w = 3"}]'
 * ```
 */
export type Inline =
  | {
      /** plain text */
      text: string;
    }
  | {
      /** math in the dialect's notation (LaTeX for latexNotation), typeset inline */
      math: string;
    };

/**
 * The part of a worked solution an equation belongs to.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\nparams: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\n');
 * const blocks = layout(derive(solveProblem(problem)), latexNotation, 6);
 * blocks.flatMap((b) => (b.type === 'eq' && b.phase ? [b.phase] : [])) // ['forward', 'backward', 'backward']
 * ```
 */
export type Phase = 'given' | 'forward' | 'backward' | 'gradient' | 'update' | 'then' | 'after' | 'symbolic';

/**
 * A piece of a worked solution, independent of the output format.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\nparams: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\n');
 * const blocks = layout(derive(solveProblem(problem)), latexNotation, 6);
 * const [title] = blocks;
 * title.type === 'h' && title.text // 'Tiny'
 * ```
 */
export type Block =
  /** a heading */
  | {
      /** a heading */
      type: 'h';
      /** 1 for the title, 2 for a section */
      level: number;
      /** the heading's text */
      text: string;
      /** the section's anchor (a slug of its text), which the table of contents links to */
      id?: string;
    }
  /** a paragraph; `role` marks the problem's statement, a note and a warning */
  | {
      /** a paragraph */
      type: 'p';
      /** its runs of text and inline math */
      parts: Inline[];
      /** 'statement' (the problem's own text), 'note' or 'warning'; none for the solution's prose */
      role?: 'statement' | 'note' | 'warning';
    }
  /**
   * an equation chain: lhs = parts[0] = parts[1] = ... ; `value` is the final result (drawn as a
   * matrix by the text renderer); `pieces[i]` is parts[i] cut at its top-level operators, where a
   * long line may break; `node` and `phase` say which name and part of the solution it is (the
   * playground's step mode walks them)
   */
  | {
      /** an equation chain */
      type: 'eq';
      /** the left-hand side in the dialect (`L`, `\frac{\partial L}{\partial w}`, `w \leftarrow`) */
      lhs: string;
      /** the steps after it, each written after an "=": formula, numbers, result */
      parts: string[];
      /** each step cut at its top-level operators (renderPieces), where a long line may break */
      pieces?: string[][];
      /** the final value, for renderers that draw it as a matrix */
      value?: Value;
      /** 'rule' for a then-step written as a rule (lhs and parts joined by a space, not "=") */
      tag?: string;
      /** the problem's name the equation computes (a node, a parameter or its gradient) */
      node?: string;
      /** the part of the solution it belongs to */
      phase?: Phase;
    }
  /** the sections of the page */
  | {
      /** a table of contents */
      type: 'toc';
      /** one entry per section heading (level 2) */
      items: {
        /** the section's anchor (its heading's id) */
        id: string;
        /** the section's heading */
        text: string;
      }[];
    }
  /** a table: a header row and rows of cells */
  | {
      /** a table */
      type: 'table';
      /** the header cells */
      head: string[];
      /** the body rows, each a list of cells of text and inline math */
      rows: Inline[][];
      /** each column's alignment (default left) */
      align?: ('left' | 'right')[];
    }
  /** where a page embeds the computation graph */
  | {
      /** the place of the graph (rendered as SVG, Mermaid or omitted, see RenderOptions.graph) */
      type: 'graph';
    };

const isNeg = (v: Value) => {
  const u = unwrapSingle(v);
  return typeof u === 'number' && u < 0;
};

/** Substitutes every name (and dL/d symbol) with its value. */
function viewOf(d: Dialect, digits: number, values: Record<string, Value>, grads: Record<string, Value> = {}): NameView {
  return (n) => {
    const v = n.startsWith('d:') ? grads[n.slice(2)] : values[n];
    if (v === undefined) return undefined;
    return { text: d.value(v, digits), negative: isNeg(v), matrix: Array.isArray(unwrapSingle(v)) };
  };
}

const chain = (d: Dialect, n: string, c: string) => (d.fracIsInfix ? `∂L/∂${n}` : d.grad(c));

/** A heading's anchor: 'Backward pass' -> 'backward-pass'. */
export const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

const size = (v: Value): number => (Array.isArray(v) ? v.reduce((a: number, x) => a + size(x), 0) : 1);
const shapeText = (v: Value): string => {
  const s: number[] = [];
  let c: Value = v;
  while (Array.isArray(c)) {
    s.push(c.length);
    c = c[0];
  }
  return s.join('×');
};

/** What the notation paragraph says about a function the page uses (its entry's own doc). */
const SPECIAL_DOCS: Record<string, (d: Dialect, used: readonly string[]) => [string, string]> = {
  ind_pos: (d) => [d.fracIsInfix ? '1[x > 0]' : '\\mathbb{1}[x > 0]', '1 where x > 0, else 0 (the derivative of ReLU)'],
  hadamard: (d) => [d.fracIsInfix ? '⊙' : '\\odot', 'the elementwise (Hadamard) product'],
  ones_like: (d) => [d.fracIsInfix ? '𝟏' : '\\mathbf{1}', 'a matrix of ones'],
  onehot: (d) => [d.fracIsInfix ? 'onehot(c)' : '\\operatorname{onehot}(c)', 'the matrix with a 1 at each example’s class and 0 elsewhere'],
  sumdims: (d, used) => [
    d.fracIsInfix ? 'Σ_cols' : '\\textstyle\\sum_{\\text{cols}}',
    used.includes('masked_softmax') ? 'the sum over the columns of each row (over its keys)' : 'the sum over the columns (the examples of the batch)',
  ],
  masked_softmax: (d) => [
    d.fracIsInfix ? 'masked_softmax(S, M)' : '\\operatorname{masked\\_softmax}(S, M)',
    'softmax along each row of S (a query) over the columns (keys) where the 0/1 mask M is 1; the others get weight 0',
  ],
};

function usedFunctions(dv: Derivation): string[] {
  const seen = new Set<string>();
  const visit = (e: Expr): Expr => {
    if (e.kind === 'call') seen.add(e.fn);
    if (e.kind === 'bin' && e.op === 'hadamard') seen.add('hadamard');
    if (e.kind === 'sumdims') seen.add('sumdims');
    return mapChildren(e, visit);
  };
  for (const s of dv.forward) if (s.expr) visit(s.expr);
  for (const s of dv.backward) for (const t of s.terms) visit(t.formula);
  for (const s of dv.thenSteps) visit(s.expr);
  return [...seen];
}

/**
 * Lays out a derivation as headings, paragraphs, equation chains and tables in one notation; the
 * md, tex, text and html renderers only decide how each block is written.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\nparams: { w: 3 }\nnodes:\n  L: w^2\nbackward: { from: L }\n');
 * const blocks = layout(derive(solveProblem(problem)), latexNotation, 6);
 * blocks.map((b) => b.type).slice(0, 7) // ['h', 'toc', 'h', 'p', 'p', 'h', 'eq']
 * const eqn = blocks.find((b) => b.type === 'eq');
 * eqn?.type === 'eq' && eqn.parts // ['{w}^{2}', '{3}^{2}', '9']
 * ```
 */
export function layout(dv: Derivation, d: Dialect, digits: number, withGraph = false): Block[] {
  const out: Block[] = [];
  const R = (e: Expr, view?: NameView) => render(e, d, digits, view);
  const PC = (e: Expr, view?: NameView) => (d === latex ? renderPieces(e, d, digits, view) : [R(e, view)]);
  const V = (v: Value) => d.value(v, digits);
  const sym = (n: string) => d.name(n);
  const partial = (top: string, bottom: string) => (d.fracIsInfix ? `∂${top}/∂${bottom}` : `\\frac{\\partial ${d.name(top)}}{\\partial ${d.name(bottom)}}`);
  const gradSym = (n: string) => d.grad(n);
  const math = (m: string): Inline => ({ math: m });
  const text = (t: string): Inline => ({ text: t });
  const shapes = dv.solution?.shapes;
  const tensors = dv.solution?.tensors;
  const h2 = (t: string) => out.push({ type: 'h', level: 2, text: t, id: slug(t) });
  const eq = (lhs: string, parts: { s: string; pieces: string[] }[], value?: Value, tag?: string, at?: { node: string; phase: Phase }): Block => {
    const kept = dedupe(parts);
    return { type: 'eq', lhs, parts: kept.map((p) => p.s), pieces: kept.map((p) => p.pieces), value, tag, ...(at ?? {}) };
  };
  const whole = (s: string) => ({ s, pieces: [s] });
  const expr = (e: Expr, view?: NameView) => {
    const pieces = PC(e, view);
    return { s: R(e, view), pieces };
  };

  out.push({ type: 'h', level: 1, text: dv.title });
  if (dv.statement) out.push({ type: 'p', parts: [text(dv.statement)], role: 'statement' });
  const tocAt = out.length;
  for (const w of dv.warnings) out.push({ type: 'p', parts: [text(`Warning: ${w}.`)], role: 'warning' });

  // Given
  h2('Given');
  const leaves = dv.forward.filter((s) => s.kind !== 'node');
  const scalars = leaves.filter((s) => s.shape.length === 0);
  const targets = new Set(dv.targets);
  for (const [label, pick] of [
    ['Inputs: ', (s: ForwardStep) => s.kind === 'input' && !targets.has(s.name)],
    ['Targets: ', (s: ForwardStep) => targets.has(s.name)],
    ['Parameters (learned): ', (s: ForwardStep) => s.kind === 'param'],
  ] as const) {
    const sc = scalars.filter(pick);
    if (sc.length) {
      const parts: Inline[] = [text(label)];
      sc.forEach((s, i) => {
        if (i > 0) parts.push(text(', '));
        parts.push(math(`${sym(s.name)} = ${V(s.value)}`));
      });
      out.push({ type: 'p', parts });
    }
    for (const s of leaves.filter((x) => pick(x) && x.shape.length > 0)) out.push(eq(sym(s.name), [whole(V(s.value))], s.value, s.kind, { node: s.name, phase: 'given' }));
  }
  if (dv.from && dv.seed !== null) {
    const dfrom = math(`${gradSym(dv.from)} = ${V(dv.seed)}`);
    const isLoss = typeof dv.seed === 'number' && dv.seed === 1;
    const seedText = !isLoss
      ? [text('Upstream gradient: '), dfrom, text('.')]
      : dv.from === 'L'
        ? [text('The loss is '), math(sym('L')), text(', so '), dfrom, text('.')]
        : [text('The loss '), math('L'), text(' is '), math(sym(dv.from)), text(', so '), dfrom, text('.')];
    out.push({ type: 'p', parts: seedText });
  }
  if (dv.update) out.push({ type: 'p', parts: [text('Learning rate: '), math(`${d.fracIsInfix ? 'η' : '\\eta'} = ${d.num(dv.update.lr, digits)}`), text('.')] });
  const used = usedFunctions(dv);
  const notes: Inline[] = [];
  for (const fn of used) {
    const special = SPECIAL_DOCS[fn]?.(d, used);
    const doc = special ? special[1] : fnDocOf(fn);
    const shown = special ? special[0] : (d.fracIsInfix ? fnTextOf(fn) : fnLatexOf(fn));
    if (!doc || !shown || ['exp', 'log', 'sum', 'mean', 'transpose'].includes(fn)) continue;
    if (notes.length) notes.push(text('; '));
    notes.push(math(shown), text(`: ${doc.replace(/^[A-Z][\w-]*(?: [\w-]+)?: /, (m) => m.toLowerCase())}`));
  }
  if (notes.length) out.push({ type: 'p', parts: [text('Notation: '), ...notes, text('.')], role: 'note' });

  // Forward
  h2('Forward pass');
  for (const s of dv.forward.filter((x) => x.kind === 'node')) {
    out.push(forwardEq(s));
    const note = broadcastNote(s);
    if (note) out.push(note);
  }

  // Backward
  if (dv.from && dv.backward.length) {
    h2('Backward pass');
    out.push({
      type: 'p',
      parts: [
        text("In reverse topological order, each gradient is the sum over the node's consumers c of "),
        math(d.fracIsInfix ? '∂L/∂c · ∂c/∂node' : '\\frac{\\partial L}{\\partial c} \\frac{\\partial c}{\\partial \\text{node}}'),
        text(' (matrix nodes use the matrix-form rules).'),
      ],
    });
    if (targets.size) {
      const list: Inline[] = [];
      [...targets].forEach((n, i) => {
        if (i > 0) list.push(text(', '));
        list.push(math(sym(n)));
      });
      out.push({ type: 'p', parts: [text('The target '), ...list, text(` is given, not learned: no gradient is taken with respect to ${targets.size === 1 ? 'it' : 'them'}.`)] });
    }
    for (const s of dv.backward) out.push(backwardEq(s));
  }
  if (dv.update) {
    h2(`Update (SGD, learning rate ${d.num(dv.update.lr, digits)})`);
    const eta = d.fracIsInfix ? 'η' : '\\eta';
    for (const u of dv.update.steps) {
      const lhs = d.fracIsInfix ? `${sym(u.name)} ← ${sym(u.name)} - ${eta}·${gradSym(u.name)}` : `${sym(u.name)} \\leftarrow ${sym(u.name)} - ${eta} ${gradSym(u.name)}`;
      const e = bin('-', nameE('old'), bin('*', { kind: 'num', value: dv.update.lr }, nameE('g')));
      out.push(eq(lhs, [expr(e, viewOf(d, digits, { old: u.old, g: u.grad })), whole(V(u.value))], u.value, undefined, { node: u.name, phase: 'update' }));
    }
  }
  if (dv.thenSteps.length) {
    h2('Then');
    for (const s of dv.thenSteps) out.push(thenEq(s));
  }
  const afterNodes = dv.forward.filter((x) => x.kind === 'node' && dv.after[x.name] !== undefined);
  if ((dv.update || dv.thenSteps.some((t) => t.rule)) && afterNodes.length) {
    h2('After the update');
    if (dv.loss && dv.from) {
      const b = dv.loss.before;
      const a = dv.loss.after;
      const [ua, ub] = [unwrapSingle(a), unwrapSingle(b)];
      const verdict =
        typeof ua === 'number' && typeof ub === 'number' ? (ua < ub ? 'it went down' : ua > ub ? 'it went up' : 'it did not change') : 'compare elementwise';
      out.push({
        type: 'p',
        parts: [text('Re-evaluating every node with the updated parameters gives '), math(`${sym(dv.from)} = ${V(a)}`), text(' (before: '), math(V(b)), text(`): ${verdict}.`)],
      });
    } else out.push({ type: 'p', parts: [text('Every node re-evaluated with the updated parameters:')] });
    for (const s of dv.forward.filter((x) => x.kind === 'node')) {
      const av = dv.after[s.name];
      if (av !== undefined) out.push(eq(sym(s.name), [whole(V(av))], av, undefined, { node: s.name, phase: 'after' }));
    }
  }
  if (dv.symbolic || dv.symbolicNote) {
    h2('Gradients as formulas');
    if (dv.symbolicNote) out.push({ type: 'p', parts: [text(dv.symbolicNote)], role: 'note' });
    for (const s of dv.symbolic ?? []) out.push(eq(gradSym(s.name), [expr(s.formula)], undefined, undefined, { node: s.name, phase: 'symbolic' }));
  }
  summary();
  if (withGraph) {
    h2('Computation graph');
    out.push({ type: 'graph' });
  }
  const items = out.filter((b): b is Block & { type: 'h' } => b.type === 'h' && b.level === 2).map((b) => ({ id: b.id ?? slug(b.text), text: b.text }));
  out.splice(tocAt, 0, { type: 'toc', items });
  return out;

  function cell(v: Value | undefined): Inline[] {
    if (v === undefined) return [text('')];
    if (size(v) <= 4) return [math(V(v))];
    return [text(`${shapeText(v)} (above)`)];
  }

  function summary(): void {
    const hasGrad = Object.keys(dv.grads).length > 0;
    const hasAfter = dv.update || dv.thenSteps.some((t) => t.rule);
    const rows: Inline[][] = [];
    for (const s of dv.forward) {
      const cells: Inline[][] = [[math(sym(s.name))], cell(s.value)];
      if (hasGrad) cells.push(cell(dv.grads[s.name]));
      if (hasAfter) cells.push(cell(s.kind === 'param' ? dv.updated[s.name] : s.kind === 'node' ? dv.after[s.name] : undefined));
      rows.push(cells.map((c) => c[0]));
    }
    h2('Summary');
    const head = ['', 'value'];
    if (hasGrad) head.push(d.fracIsInfix ? '∂L/∂·' : 'gradient');
    if (hasAfter) head.push('after the update');
    out.push({ type: 'table', head, rows, align: head.map((_, i) => (i === 0 ? 'left' : 'right')) });
  }

  /** onehot(c) and 1[x > 0] in the numbers line: the matrices themselves, computed by the engine. */
  function literalize(e: Expr, extra: Record<string, Value>): Expr {
    if (!tensors) return e;
    const m = mapChildren(e, (c) => literalize(c, extra));
    if (m.kind === 'call' && (m.fn === 'onehot' || m.fn === 'ind_pos')) {
      try {
        const env = new Map<string, Tensor>();
        for (const [n, t] of tensors) env.set(n, t.detach());
        const v = noGrad(() => evalExpr(m, env)).toArray() as Value;
        const key = `$lit${Object.keys(extra).length}`;
        extra[key] = v;
        return nameE(key);
      } catch {
        return m;
      }
    }
    return m;
  }

  function forwardEq(s: ForwardStep): Block {
    const e = shapes ? hadamard(s.expr as Expr, shapes) : (s.expr as Expr);
    const view = viewOf(d, digits, dv.values);
    const parts = [expr(e)];
    if (s.written) {
      parts.push(expr(s.written.formula));
      if (s.written.numbers !== s.written.formula) parts.push(expr(s.written.numbers, view));
      else parts.push(expr(s.written.formula, view));
    } else if (e.kind !== 'num' && e.kind !== 'name') parts.push(expr(e, view));
    for (const x of s.partial ?? []) parts.push(expr(x, view));
    parts.push(whole(V(s.value)));
    return eq(sym(s.name), parts, s.value, undefined, { node: s.name, phase: 'forward' });
  }

  function broadcastNote(s: ForwardStep): Block | null {
    if (!shapes || !s.expr) return null;
    const notes: Inline[] = [];
    const visit = (e: Expr) => {
      if (e.kind === 'bin' && e.op !== '@' && e.op !== '^') {
        const rs = shapes.get(e);
        for (const side of [e.left, e.right]) {
          const ss = shapes.get(side);
          if (side.kind === 'name' && rs && ss && ss.join() !== rs.join() && ss.reduce((a, b) => a * b, 1) > 1) {
            if (notes.length) notes.push(text(', '));
            notes.push(math(sym(side.name)), text(` (${ss.join('×')}) is broadcast to ${rs.join('×')}`));
          }
        }
      }
      if (e.kind === 'bin') {
        visit(e.left);
        visit(e.right);
      } else if (e.kind === 'neg') visit(e.arg);
      else if (e.kind === 'call') e.args.forEach(visit);
    };
    visit(s.expr);
    return notes.length ? { type: 'p', parts: [text('Here '), ...notes, text('.')] } : null;
  }

  function termParts(t: BackwardTerm): { formula: { s: string; pieces: string[] }; numbers: { s: string; pieces: string[] } } {
    const extra: Record<string, Value> = {};
    const lit = literalize(t.formula, extra);
    const view = viewOf(d, digits, { ...dv.values, ...extra }, { [t.consumer]: t.upstream });
    return { formula: expr(t.formula), numbers: expr(lit, view) };
  }

  function backwardEq(s: BackwardStep): Block {
    const lhs = gradSym(s.name);
    if (s.terms.length === 0) return eq(lhs, [whole(V(s.value))], s.value, 'given', { node: s.name, phase: 'backward' });
    const parts: { s: string; pieces: string[] }[] = [];
    const scalarChain = s.terms.every((t) => !t.matrixForm);
    const notation = s.terms.map((t) => (d.fracIsInfix ? `${chain(d, t.consumer, t.consumer)}·${partial(t.consumer, s.name)}` : `${gradSym(t.consumer)} ${partial(t.consumer, s.name)}`));
    if (scalarChain) parts.push({ s: notation.join(' + '), pieces: notation.map((x, i) => (i ? `+ ${x}` : x)) });
    const tp = s.terms.map(termParts);
    const join = (xs: { s: string; pieces: string[] }[]) => {
      const strs = xs.map((x, i) => (i > 0 && x.s.startsWith('-') ? `- ${x.s.slice(1)}` : i > 0 ? `+ ${x.s}` : x.s));
      const pieces = xs.flatMap((x, i) => (i === 0 ? x.pieces : [`${x.s.startsWith('-') ? '-' : '+'} ${x.s.startsWith('-') ? x.s.slice(1) : x.s}`]));
      return { s: strs.join(' '), pieces: xs.length === 1 ? xs[0].pieces : pieces };
    };
    const formula = join(tp.map((x) => x.formula));
    parts.push(formula);
    const numbers = join(tp.map((x) => x.numbers));
    const final = V(s.value);
    // a formula that is just the upstream gradient needs no numbers line
    const trivial = s.terms.length === 1 && s.terms[0].formula.kind === 'grad';
    if (!trivial && numbers.s !== final) parts.push(numbers);
    if (scalarChain) {
      const ones = s.terms.every((t) => t.local?.value === 1);
      const loc = s.terms.map((t) => `${d.value(t.upstream, digits)}${d.fracIsInfix ? '·' : ' \\cdot '}${isNeg(t.local?.value ?? 0) ? d.paren(V(t.local?.value ?? 0)) : V(t.local?.value ?? 0)}`);
      const line = join(loc.map(whole));
      // upstream·local repeats the numbers line when every local derivative is 1 or already a number
      if (!ones && !trivial && line.s !== numbers.s) parts.push(line);
    } else if (s.terms.length > 1) parts.push(join(s.terms.map((t) => whole(V(t.contribution)))));
    parts.push(whole(final));
    return eq(lhs, parts, s.value, undefined, { node: s.name, phase: 'backward' });
  }

  function thenEq(s: ThenStep): Block {
    const lhs = s.rule ? (d.fracIsInfix ? `${sym(s.name)} ←` : `${sym(s.name)} \\leftarrow`) : sym(s.name);
    const parts = [expr(s.expr)];
    if (s.expr.kind !== 'num' && s.expr.kind !== 'name') parts.push(expr(s.expr, viewOf(d, digits, s.reads)));
    parts.push(whole(V(s.value)));
    return eq(lhs, parts, s.value, s.rule ? 'rule' : undefined, { node: s.name, phase: 'then' });
  }
}

/** `*` between two matrices is elementwise: shown as ⊙. */
function hadamard(e: Expr, shapes: ShapeMap): Expr {
  const big = (x: Expr) => (shapes.get(x) ?? []).reduce((a, b) => a * b, 1) > 1;
  switch (e.kind) {
    case 'bin':
      return { ...e, op: e.op === '*' && big(e.left) && big(e.right) ? 'hadamard' : e.op, left: hadamard(e.left, shapes), right: hadamard(e.right, shapes) };
    case 'neg':
      return { ...e, arg: hadamard(e.arg, shapes) };
    case 'call':
      return { ...e, args: e.args.map((a) => hadamard(a, shapes)) };
    default:
      return e;
  }
}

/** Drops a step equal to any earlier one (x = 20 = 20·1 = 20 keeps the first 20). */
function dedupe<T extends { s: string }>(parts: T[]): T[] {
  return parts.filter((p, i) => !parts.slice(0, i).some((q) => q.s === p.s));
}
