import { noGrad } from '../../autograd/mode.js';
import { ChainruleError } from '../../errors.js';
import type { Expr } from '../../ops/formula.js';
import { type Claim, type ClaimValue, type Section, claimsFromObject } from '../problem/answers.js';
import type { Derivation } from '../derivation/derivation.js';
import { type Solution, evalExpr, solveProblem } from '../derivation/evaluate.js';
import { ACTIVATION_NAMES, expandCall } from '../problem/functions.js';
import { type Value, inlineValue } from '../symbolic/notation.js';
import type { Problem } from '../problem/problem.js';
import type { Tensor } from '../../ops/index.js';

/** The verdict on one claim. `imprecise`: right to six or more significant digits but not to every digit written (rounded intermediates); it does not fail the check. */
export interface ClaimResult {
  claim: Claim;
  /** `grads.s1` */
  key: string;
  status: 'right' | 'imprecise' | 'wrong';
  /** the claim as written */
  claimed: string;
  correct: Value;
  /** a likely cause, when one is recognised */
  cause?: string;
  /** position in dependency order (forward values, then gradients in backward order, updates, after) */
  order: number;
}

export interface CheckReport {
  results: ClaimResult[];
  /** the wrong claims in dependency order; the first is the first wrong step */
  wrong: ClaimResult[];
  firstWrong: ClaimResult | null;
  ok: boolean;
}

type Leaf = { text: string; value: number };
const leaves = (c: ClaimValue): Leaf[] => (Array.isArray(c) ? c.flatMap(leaves) : [c]);
const shapeOfClaim = (c: ClaimValue): number[] => (Array.isArray(c) ? [c.length, ...shapeOfClaim(c[0])] : []);
const shapeOfValue = (v: Value): number[] => (Array.isArray(v) ? [v.length, ...shapeOfValue(v[0])] : []);
const flat = (v: Value): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const claimText = (c: ClaimValue): string => (Array.isArray(c) ? `[${c.map(claimText).join(', ')}]` : c.text);

/** The size of one unit in the last digit written: 0.0020032 -> 1e-7, 2.5e-3 -> 1e-4, 12 -> 1. */
export function lastDigitUnit(text: string): number {
  const m = /^[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[1] === '' && (m[2] ?? '') === '')) return 0;
  return 10 ** (Number(m[3] ?? 0) - (m[2]?.length ?? 0));
}

/** Significant digits written: 0.0020032 -> 5. */
export function significantDigits(text: string): number {
  const mant = text.trim().replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '');
  const s = mant.replace(/^0+/, '');
  return Math.max(1, s.length);
}

/**
 * True when `truth`, rounded to the precision `text` is written at, is the claim (last digit ±1).
 * @example agreesAt(0.0020032447, 0.0020032, '0.0020032') // true
 */
export function agreesAt(truth: number, claim: number, text: string): boolean {
  const q = lastDigitUnit(text);
  if (q === 0) return truth === claim;
  return Math.abs(Math.round(truth / q) - Math.round(claim / q)) <= 1;
}

function agreesAll(truth: number[], claim: Leaf[]): boolean {
  if (claim.length === 1 && truth.length > 1) return truth.every((t) => agreesAt(t, claim[0].value, claim[0].text));
  return truth.length === claim.length && truth.every((t, i) => agreesAt(t, claim[i].value, claim[i].text));
}

function transpose2(v: Value): Value | null {
  if (!Array.isArray(v) || !Array.isArray(v[0])) return null;
  const rows = v as number[][];
  return rows[0].map((_, j) => rows.map((r) => r[j]));
}

/** Rewrites every call (losses expanded into their definitions first). */
function mapCalls(e: Expr, f: (fn: string) => string): Expr {
  switch (e.kind) {
    case 'call': {
      const ex = expandCall(e);
      if (ex) return mapCalls(ex, f);
      return { kind: 'call', fn: f(e.fn), args: e.args.map((a) => mapCalls(a, f)) };
    }
    case 'bin':
      return { kind: 'bin', op: e.op, left: mapCalls(e.left, f), right: mapCalls(e.right, f) };
    case 'neg':
      return { kind: 'neg', arg: mapCalls(e.arg, f) };
    default:
      return e;
  }
}

function callsIn(e: Expr, out = new Set<string>()): Set<string> {
  mapCalls(e, (fn) => {
    out.add(fn);
    return fn;
  });
  return out;
}

const LOG_SWAPS: [string, string, string][] = [
  ['log', 'log10', 'the base-10 logarithm was used instead of the natural log'],
  ['log', 'log2', 'the base-2 logarithm was used instead of the natural log'],
  ['log10', 'log', 'the natural log was used instead of log10'],
  ['log2', 'log', 'the natural log was used instead of log2'],
];

const DERIV_NAME: Record<string, string> = { relu: "ReLU'(s) = 1[s > 0]", sigmoid: "σ'(s) = σ(s)(1 - σ(s))", tanh: "tanh'(s) = 1 - tanh(s)²" };

interface Variant {
  why: string;
  solution: () => Solution | null;
}

const variantCache = new WeakMap<Problem, Variant[]>();

/** Whole-problem variants that reproduce a common mistake, solved lazily by the engine (once per problem). */
function variants(p: Problem): Variant[] {
  let v = variantCache.get(p);
  if (!v) {
    v = makeVariants(p);
    variantCache.set(p, v);
  }
  return v;
}

function makeVariants(p: Problem): Variant[] {
  const used = new Set<string>();
  for (const d of p.nodes) callsIn(d.expr, used);
  const out: Variant[] = [];
  const make = (why: string, f: (fn: string) => string): Variant => {
    let cached: Solution | null | undefined;
    return {
      why,
      solution: () => {
        if (cached !== undefined) return cached;
        try {
          cached = solveProblem({ ...p, nodes: p.nodes.map((d) => ({ ...d, expr: mapCalls(d.expr, f) })) });
        } catch {
          cached = null;
        }
        return cached;
      },
    };
  };
  for (const f of ACTIVATION_NAMES) {
    if (!used.has(f)) continue;
    for (const g of ACTIVATION_NAMES) {
      if (g === f) continue;
      out.push(make(`a ${g} derivative (${DERIV_NAME[g]}) was used where the forward pass used ${f} (${DERIV_NAME[f]})`, (fn) => (fn === f ? `$${f}~${g}` : fn)));
    }
  }
  for (const f of ['sigmoid', 'tanh']) {
    if (!used.has(f)) continue;
    const sym = f === 'sigmoid' ? 'σ' : 'tanh';
    out.push(make(`the ${f} derivative was taken at the unit's output instead of its input: ${sym}'(${sym}(s)) for ${sym}'(s)`, (fn) => (fn === f ? `$${f}@out` : fn)));
  }
  for (const [a, b, why] of LOG_SWAPS) if (used.has(a)) out.push(make(why, (fn) => (fn === a ? b : fn)));
  return out;
}

function truthOf(dv: Derivation, section: Section, name: string): Value {
  const table = dv[section];
  const v = table[name];
  if (v === undefined) {
    const known = Object.keys(table);
    const what = { values: 'value', grads: 'gradient', updated: 'updated param', after: 'value after the update' }[section];
    throw new ChainruleError(`${section}.${name}: this problem has no such ${what}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  return v;
}

function orderOf(dv: Derivation, section: Section, name: string): number {
  const i = (xs: string[]) => Math.max(0, xs.indexOf(name));
  switch (section) {
    case 'values':
      return i(dv.order.map((o) => o.name));
    case 'grads':
      return 10000 + i(dv.backward.map((b) => b.name));
    case 'updated':
    case 'after': {
      // the then section runs in its own order after the SGD step, and the nodes are re-evaluated last
      const rules = dv.thenSteps.map((t) => t.name);
      const last = rules.lastIndexOf(name);
      const isThen = last >= 0 && (section === 'updated' ? dv.thenSteps[last].rule : !dv.thenSteps[last].rule);
      if (isThen) return 25000 + last;
      return (section === 'updated' ? 20000 : 30000) + i(dv.order.map((o) => o.name));
    }
  }
}

function diagnose(dv: Derivation, claim: Claim, truth: Value, claimLeaves: Leaf[]): string | undefined {
  const t = flat(truth);
  const fmt = (v: Value) => inlineValue(v, 12);
  // a reproduced mistake is recognised to six significant digits: the student's own rounding may differ further down
  const matches = (alt: Value | undefined | null) => {
    if (alt == null) return false;
    const a = flat(alt);
    if (agreesAll(a, claimLeaves)) return true;
    const c = claimLeaves.length === 1 ? a.map(() => claimLeaves[0].value) : claimLeaves.map((x) => x.value);
    return a.length === c.length && a.every((x, i) => agreesSig(x, c[i]));
  };
  const sol = dv.solution;
  const p = sol?.problem;
  const { section, name } = claim;

  // recompute the node itself with the alternative function, from the correct values it reads
  if (section === 'values' && sol && p) {
    const def = p.nodes.find((d) => d.name === name);
    if (def) {
      const calls = callsIn(def.expr);
      for (const [a, b, why] of LOG_SWAPS) {
        if (!calls.has(a)) continue;
        const alt = noGrad(() => {
          try {
            const env = new Map<string, Tensor>();
            for (const [n, x] of sol.tensors) env.set(n, x.detach());
            return evalExpr(mapCalls(def.expr, (fn) => (fn === a ? b : fn)), env).toArray() as Value;
          } catch {
            return null;
          }
        });
        if (matches(alt)) return `${why}: with ${b}, ${name} = ${fmt(alt as Value)}`;
      }
    }
  }
  if (sol && p && section !== 'values') {
    for (const v of variants(p)) {
      const s = v.solution();
      if (!s) continue;
      const table = section === 'grads' ? s.grads : section === 'updated' ? s.updated : s.after;
      const alt = table.get(name);
      if (alt && matches(alt.toArray() as Value)) return `${v.why}; with that mistake ${section}.${name} = ${fmt(alt.toArray() as Value)}`;
    }
  }
  if (t.some((x) => x !== 0) && matches(t.map((x) => -x))) return 'sign error: the correct value has the opposite sign';
  if (section === 'updated' && dv.update) {
    const old = flat(dv.values[name]);
    const g = flat(dv.grads[name] ?? 0);
    const lr = dv.update.lr;
    if (matches(old.map((o, i) => o + lr * g[i]))) return 'the step went uphill: p + η·∂L/∂p instead of p − η·∂L/∂p';
    if (matches(old)) return 'the parameter was left unchanged (no step applied)';
  }
  if (section === 'grads') {
    const seed = dv.seed;
    if (typeof seed === 'number' && seed !== 1 && matches(t.map((x) => x / seed))) {
      return `the upstream gradient ∂L/∂${dv.from} = ${seed} was left out (a dropped factor)`;
    }
    for (const k of [2, 0.5]) if (matches(t.map((x) => x * k))) return `off by a factor of ${k === 2 ? '2' : '1/2'} (a dropped or doubled factor)`;
    const shape = shapeOfValue(dv.values[name] ?? truth);
    for (const k of new Set(shape.filter((n) => n > 2))) {
      if (matches(t.map((x) => x * k))) return `off by a factor of ${k} (a missing 1/${k}, e.g. of a mean over ${k})`;
      if (matches(t.map((x) => x / k))) return `off by a factor of 1/${k} (an extra 1/${k})`;
    }
  }
  const close = claimLeaves.length > 0 && t.length > 0 && (claimLeaves.length === 1 ? t.every((x) => relClose(x, claimLeaves[0].value)) : t.every((x, i) => relClose(x, claimLeaves[i]?.value)));
  if (close) return 'close but not to the digits written: rounded intermediate values?';
  return undefined;
}

const relClose = (a: number, b: number | undefined) => b !== undefined && Math.abs(a - b) <= 1e-4 * Math.max(Math.abs(a), 1e-300);

/**
 * Checks claimed answers against a derivation: each number at the precision it is written.
 * Wrong claims come back in dependency order (the first is the first wrong step) with a likely
 * cause where one is recognisable (log10 for ln, a sigmoid derivative at ReLU units, a sign
 * error, a forgotten transpose, a dropped factor, a step the wrong way).
 *
 * @example checkAnswers(dv, { updated: { a: '2.9997997' } }).ok // true for Network N
 */
export function checkAnswers(dv: Derivation, claims: Claim[] | Partial<Record<Section, Record<string, unknown>>>): CheckReport {
  const list = Array.isArray(claims) ? claims : claimsFromObject(claims);
  const results: ClaimResult[] = [];
  for (const claim of list) {
    const truth = truthOf(dv, claim.section, claim.name);
    const key = `${claim.section}.${claim.name}`;
    const cl = leaves(claim.value);
    const t = flat(truth);
    const cShape = shapeOfClaim(claim.value);
    const tShape = shapeOfValue(truth);
    const base = { claim, key, claimed: claimText(claim.value), correct: truth, order: orderOf(dv, claim.section, claim.name) };
    const sameLayout = cl.length === 1 || (cl.length === t.length && (cShape.join() === tShape.join() || cShape.filter((n) => n > 1).length <= 1));
    if (!sameLayout) {
      const tt = transpose2(truth);
      const cause =
        tt && agreesAll(flat(tt), cl)
          ? 'forgotten transpose: the claim is the transpose of the correct matrix'
          : `the claim has shape [${cShape.join(',')}] but ${claim.name} has shape [${tShape.join(',')}]`;
      results.push({ ...base, status: 'wrong', cause });
      continue;
    }
    if (agreesAll(t, cl)) {
      results.push({ ...base, status: 'right' });
      continue;
    }
    const tt = transpose2(truth);
    if (tt && cShape.join() === tShape.join() && tShape[0] === tShape[1] && agreesAll(flat(tt), cl)) {
      results.push({ ...base, status: 'wrong', cause: 'forgotten transpose: the claim is the transpose of the correct matrix' });
      continue;
    }
    const imprecise = cl.length === 1 ? t.every((x) => agreesSig(x, cl[0].value)) : t.every((x, i) => agreesSig(x, cl[i].value));
    if (imprecise) {
      const digits = Math.min(...cl.map((c, i) => matchingDigits(t[cl.length === 1 ? 0 : i], c.value)));
      results.push({ ...base, status: 'imprecise', cause: `right to ${digits} significant digits, but not to the ${Math.max(...cl.map((c) => significantDigits(c.text)))} written: rounded intermediate values` });
      continue;
    }
    results.push({ ...base, status: 'wrong', cause: diagnose(dv, claim, truth, cl) });
  }
  const wrong = results.filter((r) => r.status === 'wrong').sort((a, b) => a.order - b.order);
  return { results, wrong, firstWrong: wrong[0] ?? null, ok: wrong.length === 0 };
}

function matchingDigits(truth: number, claim: number): number {
  for (let d = 17; d >= 1; d--) if (Number(truth.toPrecision(d)) === Number(claim.toPrecision(d))) return d;
  return 0;
}

/** Agreement to at least six significant digits (for telling rounding from mistakes). */
function agreesSig(truth: number, claim: number): boolean {
  return matchingDigits(truth, claim) >= 6 || Math.abs(truth - claim) <= 5e-7 * Math.abs(truth);
}

/**
 * The report as terminal text: every claim, then the wrong ones in dependency order.
 * @example process.stdout.write(formatReport(checkAnswers(dv, { grads: { a: '0.0020032' } })))
 */
export function formatReport(r: CheckReport, digits = 12): string {
  const lines: string[] = [];
  for (const x of r.results) {
    const mark = x.status === 'right' ? '✓' : x.status === 'imprecise' ? '≈' : '✗';
    const verdict = x.status === 'right' ? 'right' : x.status === 'imprecise' ? 'imprecise' : 'WRONG';
    lines.push(`${mark} ${x.key} = ${x.claimed}: ${verdict} (correct: ${inlineValue(x.correct, digits)})`);
    if (x.status === 'imprecise' && x.cause) lines.push(`    ${x.cause}`);
  }
  lines.push('');
  const n = r.results.length;
  if (r.ok) {
    lines.push(`All ${n} claim${n === 1 ? ' is' : 's are'} right${r.results.some((x) => x.status === 'imprecise') ? ' (some only to rounding)' : ''}.`);
  } else {
    lines.push(`${r.wrong.length} of ${n} claim${n === 1 ? ' is' : 's are'} wrong. In dependency order:`);
    const seen = new Map<string, string>();
    r.wrong.forEach((x, i) => {
      lines.push(`  ${i + 1}. ${x.key}${i === 0 ? ' (the first wrong step)' : ''}: claimed ${x.claimed}, correct ${inlineValue(x.correct, digits)}`);
      if (!x.cause) return;
      const why = x.cause.split('; with that mistake')[0];
      const earlier = seen.get(why);
      if (earlier && why !== x.cause) lines.push(`     likely cause: the same mistake as ${earlier}${x.cause.slice(why.length)}`);
      else lines.push(`     likely cause: ${x.cause}`);
      if (!earlier) seen.set(why, x.key);
    });
  }
  return `${lines.join('\n')}\n`;
}
