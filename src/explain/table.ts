/**
 * The op table as worked solutions see it: problem-file function names, their arguments, their
 * local-derivative formulas, LaTeX and plain-text names, graph labels and plot families, all read
 * off the ops' entries (src/ops). Nothing here lists ops; a problem file can call every op whose
 * entry has a `problem` name.
 */
import { type Op, type OpDef, type OpInfo, type ParamSpec, defOf, problemOps } from '../ops/index.js';
import type { Expr } from '../ops/formula.js';

/** A problem-file function backed by one op: its tensor inputs, then its numeric parameters. */
export interface TableFn {
  readonly op: Op;
  readonly def: OpDef;
  /** how many leading arguments are tensors (differentiated) */
  readonly inputs: number;
  /** the numeric parameters that may follow them (constants) */
  readonly params: readonly ParamSpec[];
}

const BY_NAME = new Map<string, TableFn>();
for (const [name, op] of problemOps()) {
  const params = op.def.params.filter((p) => (p.type ?? 'number') === 'number');
  BY_NAME.set(name, { op, def: op.def, inputs: op.def.inputs.length, params });
}

/** The op behind a problem-file function name or alias ('leaky_relu', 'swish'). */
export function tableFn(name: string): TableFn | undefined {
  return BY_NAME.get(name);
}

/** Every problem-file name of the table, in table order (aliases after their op). */
export function tableFnNames(): string[] {
  return [...BY_NAME.keys()];
}

/** The problem-file name of an op (its entry's), for calls built from recorded nodes. */
export function problemNameOf(info: OpInfo): string | undefined {
  return defOf(info)?.problem;
}

/**
 * ∂f/∂(tensor argument i) of a call `fn(args...)` as formulas in its arguments, or null when the op
 * states no derivative formula. Parameter arguments (after the tensors) are passed as parameters.
 */
export function derivativesOf(fn: string, args: readonly Expr[]): Expr[] | null {
  const t = BY_NAME.get(fn);
  if (!t?.def.derivative) return null;
  return t.def.derivative(args.slice(0, t.inputs), args.slice(t.inputs));
}

/** The LaTeX name of a function ('\\sigma'), when the table gives one. */
export function fnLatexOf(fn: string): string | undefined {
  return BY_NAME.get(fn)?.def.fnLatex;
}

/** The plain-text name of a function ('σ'), when the table gives one. */
export function fnTextOf(fn: string): string | undefined {
  return BY_NAME.get(fn)?.def.fnText;
}

/** The label of a recorded op in a graph drawing (its entry's label, else its name). */
export function graphLabelOf(info: OpInfo, attrs: Readonly<Record<string, unknown>>): string | undefined {
  const def = defOf(info);
  if (!def) return undefined;
  if (typeof def.label === 'function') return def.label(attrs);
  return def.label ?? def.fnText;
}

/** The one-line definition of a function from its entry's doc ('Heaviside step: 1 where x ≥ 0, else 0'), when the table gives one. */
export function fnDocOf(fn: string): string | undefined {
  const doc = BY_NAME.get(fn)?.def.doc;
  return doc ? doc.split(/(?<=\.)\s/)[0].replace(/\.$/, '') : undefined;
}
