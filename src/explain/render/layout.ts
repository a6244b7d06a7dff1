import { type Expr, bin, name as nameE } from '../../ops/formula.js';
import type { ShapeMap } from '../derivation/evaluate.js';
import type { BackwardStep, BackwardTerm, Derivation, ForwardStep, ThenStep } from '../derivation/derivation.js';
import { type Dialect, type NameView, type Value, render, unwrapSingle } from '../symbolic/notation.js';

/** Text with inline maths, for paragraphs. */
export type Inline = { text: string } | { math: string };

/** A piece of a worked solution, independent of the output format. */
export type Block =
  | { type: 'h'; level: number; text: string }
  | { type: 'p'; parts: Inline[] }
  /**
   * an equation chain: lhs = parts[0] = parts[1] = ... ; `value` is the final result (drawn as a
   * matrix by the text renderer); `node` and `phase` say which name and part of the solution it is
   * (the playground's step mode walks them)
   */
  | { type: 'eq'; lhs: string; parts: string[]; value?: Value; tag?: string; node?: string; phase?: Phase };

/** The part of a worked solution an equation belongs to. */
export type Phase = 'given' | 'forward' | 'backward' | 'gradient' | 'update' | 'then' | 'after' | 'symbolic';

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

/**
 * Lays out a derivation as headings, paragraphs and equation chains in one notation; the md, tex
 * and text renderers only decide how each block is written.
 */
export function layout(dv: Derivation, d: Dialect, digits: number): Block[] {
  const out: Block[] = [];
  const R = (e: Expr, view?: NameView) => render(e, d, digits, view);
  const V = (v: Value) => d.value(v, digits);
  const sym = (n: string) => d.name(n);
  const partial = (top: string, bottom: string) => (d.fracIsInfix ? `∂${top}/∂${bottom}` : `\\frac{\\partial ${d.name(top)}}{\\partial ${d.name(bottom)}}`);
  const gradSym = (n: string) => d.grad(n);
  const math = (m: string): Inline => ({ math: m });
  const text = (t: string): Inline => ({ text: t });
  const shapes = dv.solution?.shapes;

  out.push({ type: 'h', level: 1, text: dv.title });
  // Given
  out.push({ type: 'h', level: 2, text: 'Given' });
  const leaves = dv.forward.filter((s) => s.kind !== 'node');
  const scalars = leaves.filter((s) => s.shape.length === 0);
  for (const kind of ['input', 'param'] as const) {
    const sc = scalars.filter((s) => s.kind === kind);
    if (sc.length) {
      out.push({ type: 'p', parts: [text(kind === 'input' ? 'Inputs: ' : 'Parameters (learned): '), math(sc.map((s) => `${sym(s.name)} = ${V(s.value)}`).join(d.fracIsInfix ? ', ' : ', \\quad '))] });
    }
    for (const s of leaves.filter((x) => x.kind === kind && x.shape.length > 0)) {
      out.push({ type: 'eq', lhs: sym(s.name), parts: [V(s.value)], value: s.value, tag: kind, node: s.name, phase: 'given' });
    }
  }
  if (dv.from && dv.seed !== null) {
    const seedText = typeof dv.seed === 'number' && dv.seed === 1 ? [text(`${dv.from} is the loss L, so `), math(`${gradSym(dv.from)} = 1`), text('.')] : [text('Upstream gradient: '), math(`${gradSym(dv.from)} = ${V(dv.seed)}`), text('.')];
    out.push({ type: 'p', parts: seedText });
  }
  if (dv.update) out.push({ type: 'p', parts: [text('Learning rate: '), math(`${d.fracIsInfix ? 'η' : '\\eta'} = ${d.num(dv.update.lr, digits)}`), text('.')] });

  // Forward
  out.push({ type: 'h', level: 2, text: 'Forward pass' });
  for (const s of dv.forward.filter((x) => x.kind === 'node')) {
    out.push(forwardEq(s));
    const note = broadcastNote(s);
    if (note) out.push(note);
  }

  // Backward
  if (dv.from && dv.backward.length) {
    out.push({ type: 'h', level: 2, text: 'Backward pass' });
    out.push({
      type: 'p',
      parts: [
        text('In reverse topological order, each gradient is the sum over the node\'s consumers c of '),
        math(d.fracIsInfix ? '∂L/∂c · ∂c/∂node' : '\\frac{\\partial L}{\\partial c} \\frac{\\partial c}{\\partial \\text{node}}'),
        text(' (matrix nodes use the matrix-form rules).'),
      ],
    });
    for (const s of dv.backward) out.push(backwardEq(s));
    const params = dv.backward.filter((s) => s.kind === 'param');
    if (params.length) {
      out.push({ type: 'h', level: 2, text: 'Parameter gradients' });
      for (const s of params) out.push({ type: 'eq', lhs: gradSym(s.name), parts: [V(s.value)], value: s.value, node: s.name, phase: 'gradient' });
    }
  }
  if (dv.update) {
    out.push({ type: 'h', level: 2, text: `Update (SGD, learning rate ${d.num(dv.update.lr, digits)})` });
    const eta = d.fracIsInfix ? 'η' : '\\eta';
    for (const u of dv.update.steps) {
      const lhs = d.fracIsInfix ? `${sym(u.name)} ← ${sym(u.name)} - ${eta}·${gradSym(u.name)}` : `${sym(u.name)} \\leftarrow ${sym(u.name)} - ${eta} ${gradSym(u.name)}`;
      const e = bin('-', nameE('old'), bin('*', { kind: 'num', value: dv.update.lr }, nameE('g')));
      const subst = R(e, viewOf(d, digits, { old: u.old, g: u.grad }));
      out.push({ type: 'eq', lhs, parts: [subst, V(u.value)], value: u.value, node: u.name, phase: 'update' });
    }
  }
  if (dv.thenSteps.length) {
    out.push({ type: 'h', level: 2, text: 'Then' });
    for (const s of dv.thenSteps) out.push(thenEq(s));
  }
  const afterNodes = dv.forward.filter((x) => x.kind === 'node' && dv.after[x.name] !== undefined);
  if ((dv.update || dv.thenSteps.some((t) => t.rule)) && afterNodes.length) {
    out.push({ type: 'h', level: 2, text: 'After the update' });
    if (dv.loss && dv.from) {
      const b = dv.loss.before;
      const a = dv.loss.after;
      const [ua, ub] = [unwrapSingle(a), unwrapSingle(b)];
      const verdict =
        typeof ua === 'number' && typeof ub === 'number' ? (ua < ub ? 'it went down' : ua > ub ? 'it went up' : 'it did not change') : 'compare elementwise';
      out.push({ type: 'p', parts: [text(`Re-evaluating every node with the updated parameters gives ${dv.from} = `), math(V(a)), text(' (before: '), math(V(b)), text(`): ${verdict}.`)] });
    } else out.push({ type: 'p', parts: [text('Every node re-evaluated with the updated parameters:')] });
    for (const s of dv.forward.filter((x) => x.kind === 'node')) {
      const av = dv.after[s.name];
      if (av !== undefined) out.push({ type: 'eq', lhs: sym(s.name), parts: [V(av)], value: av, node: s.name, phase: 'after' });
    }
  }
  if (dv.symbolic) {
    out.push({ type: 'h', level: 2, text: 'Gradients as formulas' });
    for (const s of dv.symbolic) out.push({ type: 'eq', lhs: gradSym(s.name), parts: [R(s.formula)], node: s.name, phase: 'symbolic' });
  }
  return out;

  function forwardEq(s: ForwardStep): Block {
    const e = shapes ? hadamard(s.expr as Expr, shapes) : (s.expr as Expr);
    const parts = [R(e)];
    if (e.kind !== 'num' && e.kind !== 'name') parts.push(R(e, viewOf(d, digits, dv.values)));
    for (const x of s.partial ?? []) parts.push(R(x, viewOf(d, digits, dv.values)));
    parts.push(V(s.value));
    return { type: 'eq', lhs: sym(s.name), parts: dedupe(parts), value: s.value, node: s.name, phase: 'forward' };
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

  function termParts(t: BackwardTerm): { formula: string; numbers: string } {
    const view = viewOf(d, digits, dv.values, { [t.consumer]: t.upstream });
    return { formula: R(t.formula), numbers: R(t.formula, view) };
  }

  function backwardEq(s: BackwardStep): Block {
    const lhs = gradSym(s.name);
    if (s.terms.length === 0) return { type: 'eq', lhs, parts: [V(s.value)], value: s.value, tag: 'given', node: s.name, phase: 'backward' };
    const parts: string[] = [];
    const scalarChain = s.terms.every((t) => !t.matrixForm);
    if (scalarChain) parts.push(s.terms.map((t) => (d.fracIsInfix ? `${chain(d, t.consumer, t.consumer)}·${partial(t.consumer, s.name)}` : `${gradSym(t.consumer)} ${partial(t.consumer, s.name)}`)).join(' + '));
    const tp = s.terms.map(termParts);
    const join = (xs: string[]) => xs.map((x, i) => (i > 0 && x.startsWith('-') ? `- ${x.slice(1)}` : i > 0 ? `+ ${x}` : x)).join(' ');
    parts.push(join(tp.map((x) => x.formula)));
    parts.push(join(tp.map((x) => x.numbers)));
    if (scalarChain) {
      const loc = s.terms.map((t) => `${d.value(t.upstream, digits)}${d.fracIsInfix ? '·' : ' \\cdot '}${isNeg(t.local?.value ?? 0) ? d.paren(V(t.local?.value ?? 0)) : V(t.local?.value ?? 0)}`);
      parts.push(join(loc));
    } else if (s.terms.length > 1) parts.push(join(s.terms.map((t) => V(t.contribution))));
    parts.push(V(s.value));
    return { type: 'eq', lhs, parts: dedupe(parts), value: s.value, node: s.name, phase: 'backward' };
  }

  function thenEq(s: ThenStep): Block {
    const lhs = s.rule ? (d.fracIsInfix ? `${sym(s.name)} ← ` : `${sym(s.name)} \\leftarrow `) : sym(s.name);
    const parts = [R(s.expr)];
    if (s.expr.kind !== 'num' && s.expr.kind !== 'name') parts.push(R(s.expr, viewOf(d, digits, s.reads)));
    parts.push(V(s.value));
    if (s.rule) return { type: 'eq', lhs: lhs.trimEnd(), parts: dedupe(parts), value: s.value, tag: 'rule', node: s.name, phase: 'then' };
    return { type: 'eq', lhs, parts: dedupe(parts), value: s.value, node: s.name, phase: 'then' };
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

function dedupe(parts: string[]): string[] {
  return parts.filter((p, i) => i === 0 || p !== parts[i - 1]);
}
