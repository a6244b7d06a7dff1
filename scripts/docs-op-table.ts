// Prints the op table as JSON for the API reference (scripts/typedoc-plugin.mjs): per op its
// names (export, Tensor methods, F, nn module, problem-file names), its family (the op module
// that defines it), its one-sentence doc, and its formula and local derivatives as LaTeX, written
// by the same notation worked solutions use. Run with the source condition and tsx:
//   node --conditions=source --import tsx scripts/docs-op-table.ts
import { F } from '../src/index.js';
import { OPS, OP_MODULES, type OpDef } from '../src/ops/api.js';
import { name as nameExpr } from '../src/ops/formula.js';
import { latex, latexName, render } from '../src/explain/symbolic/notation.js';

/** One row of the op table as the docs show it. */
export interface OpRow {
  name: string;
  family: string;
  doc: string;
  methods: string[];
  functional: string | null;
  module: string | null;
  problem: string[];
  inputs: string[];
  params: { name: string; latex: string; default: number | string | null }[];
  formula: string;
  derivatives: { input: string; latex: string }[];
  grad: 'yes' | 'none' | 'zero';
  deviation: string | null;
}

const familyOf = new Map<unknown, string>();
for (const [family, mod] of Object.entries(OP_MODULES)) {
  for (const v of Object.values(mod)) if (!familyOf.has(v)) familyOf.set(v, family);
}

function row(def: OpDef, op: unknown): OpRow {
  const inputs = def.inputs.map((i) => latexName(i));
  const params = def.params.map((p) => ({ name: p.name, latex: p.latex ?? latexName(p.name), default: p.default ?? null }));
  // a numeric parameter appears as its symbol (α), the others (dims, shapes) as their defaults
  const attrs = Object.fromEntries(def.params.map((p, i) => [p.name, (p.type ?? 'number') === 'number' ? params[i].latex : (p.default ?? null)]));
  const symbols = new Map(params.map((p) => [p.name, p.latex]));
  const view = (n: string) => (symbols.has(n) ? { text: symbols.get(n)! } : undefined);
  const derivatives = def.derivative
    ? def
        .derivative(
          def.inputs.map((i) => nameExpr(i)),
          def.params.map((p) => nameExpr(p.name)),
        )
        .map((e, i) => ({ input: inputs[i], latex: render(e, latex, 6, view) }))
    : [];
  // ops whose LaTeX is their argument (reshape, expand) are named, as worked solutions name them
  const shown = def.latex(inputs, attrs);
  const method = def.method === false ? [] : [def.method ?? def.name];
  const functional = typeof (F as Record<string, unknown>)[def.name] === 'function' ? `F.${def.name}` : null;
  return {
    name: def.name,
    family: familyOf.get(op) ?? 'other',
    doc: def.doc,
    methods: [...method, ...(def.methodAliases ?? [])],
    functional,
    module: def.module ?? null,
    problem: def.problem ? [def.problem, ...def.aliases] : [],
    inputs,
    params,
    formula: shown === inputs[0] ? `\\operatorname{${def.name}}\\left(${inputs.join(', ')}\\right)` : shown,
    derivatives,
    grad: def.grad ?? 'yes',
    deviation: def.deviation ?? null,
  };
}

process.stdout.write(JSON.stringify(OPS.map((op) => row(op.def, op))));
