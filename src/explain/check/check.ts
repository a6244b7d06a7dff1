import { noGrad } from '../../autograd/mode.js';
import { ChainruleError } from '../../errors.js';
import { type Claim, type ClaimValue, type Section, claimsFromObject } from '../problem/answers.js';
import type { Derivation } from '../derivation/derivation.js';
import { type Round, evalExpr } from '../derivation/evaluate.js';
import { callsIn, catalogue, logSwaps, mapExpr } from './catalogue.js';
import { type Tables, roundedTables, toSignificant, toUnit } from './rounding.js';
import { type Value, inlineValue } from '../symbolic/notation.js';
import type { Tensor } from '../../ops/index.js';

/**
 * The verdict on one claim. `imprecise`: not right to every digit written, but rounding the
 * intermediate values to those digits explains it; it does not fail the check.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * const [result] = checkAnswers(dv, { grads: { w: '0.0049' } }).results;
 * [result.key, result.status] // ['grads.w', 'right']
 * ```
 */
export interface ClaimResult {
  /** the claim checked, as parsed from the answers */
  claim: Claim;
  /** `grads.s1` */
  key: string;
  /** 'right' (agrees to the digits written), 'imprecise' (right to fewer digits, explained by rounded intermediates) or 'wrong' */
  status: 'right' | 'imprecise' | 'wrong';
  /** the claim as written */
  claimed: string;
  /** the correct value, from the solution (float64) */
  correct: Value;
  /** a likely cause, when one is recognised */
  cause?: string;
  /** position in dependency order (forward values, then gradients in backward order, updates, after) */
  order: number;
}

/**
 * What checkAnswers returns: every claim's verdict, and the wrong ones in dependency order.
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * const report = checkAnswers(dv, { grads: { w: '0.0093' } }); // dy/dw is 0.0049330...
 * report.ok // false
 * report.firstWrong?.key // 'grads.w'
 * ```
 */
export interface CheckReport {
  /** every claim's verdict, in the order of the answers */
  results: ClaimResult[];
  /** the wrong claims in dependency order; the first is the first wrong step */
  wrong: ClaimResult[];
  /** the first wrong step, or null */
  firstWrong: ClaimResult | null;
  /** no claim is wrong (imprecise ones pass) */
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

function tableOf(dv: Derivation, section: Section): Record<string, Value> {
  return dv[section];
}

function truthOf(dv: Derivation, section: Section, name: string): Value {
  const table = tableOf(dv, section);
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

/** The claim's elements against a value of the same size (one number claimed for a matrix stands for every element). */
function pairs(v: Value, claim: Leaf[]): [number, Leaf][] | null {
  const a = flat(v);
  if (claim.length === 1) return a.map((x) => [x, claim[0]]);
  return a.length === claim.length ? a.map((x, i) => [x, claim[i]]) : null;
}

/** A recomputed value reproduces the claim: at the precision written, or to six significant digits (the student's own rounding further down). */
function reproduces(alt: Value, claim: Leaf[]): boolean {
  const ps = pairs(alt, claim);
  return !!ps && ps.length > 0 && (ps.every(([x, c]) => agreesAt(x, c.value, c.text)) || ps.every(([x, c]) => agreesSig(x, c.value)));
}

/** How far a value is from the claim, relative to the claim's size (the worst element). */
function distance(v: Value, claim: Leaf[]): number {
  const ps = pairs(v, claim);
  if (!ps || ps.length === 0) return Number.POSITIVE_INFINITY;
  return Math.max(...ps.map(([x, c]) => Math.abs(x - c.value) / Math.max(Math.abs(c.value), 1e-300)));
}

const fmt = (v: Value) => inlineValue(v, 12);
const same = (a: Value, b: Value) => flat(a).every((x, i) => x === flat(b)[i]);

/** The catalogued mistake that reproduces the claim (the likeliest first), else the one whose value comes nearest to it. */
function fromCatalogue(dv: Derivation, claim: Claim, truth: Value, cl: Leaf[]): string | undefined {
  const sol = dv.solution;
  if (!sol) return undefined;
  const key = `${claim.section}.${claim.name}`;
  let nearest: { why: string; v: Value; d: number } | null = null;
  for (const m of catalogue(sol)) {
    for (const v of m.values(claim.section, claim.name)) {
      if (same(v, truth) && shapeOfValue(v).join() === shapeOfValue(truth).join()) continue;
      if (reproduces(v, cl)) return `${m.why}; with that mistake ${key} = ${fmt(v)}`;
      const d = distance(v, cl);
      if (!nearest || d < nearest.d) nearest = { why: m.why, v, d };
    }
  }
  // not reproduced: the nearest catalogued mistake, when it comes clearly closer to the claim than the correct value
  if (nearest && nearest.d < 0.5 * distance(truth, cl)) return `${nearest.why} (the likeliest catalogued mistake; with it ${key} = ${fmt(nearest.v)}, not exactly the claimed value)`;
  return undefined;
}

/** The log swap recomputed on the node itself, from the correct values it reads. */
function logOfNode(dv: Derivation, claim: Claim, cl: Leaf[]): string | undefined {
  const sol = dv.solution;
  const def = sol?.problem.nodes.find((d) => d.name === claim.name);
  if (!sol || !def || claim.section !== 'values') return undefined;
  for (const [a, b, why] of logSwaps(sol.problem)) {
    if (!callsIn(def.expr).has(a)) continue;
    const alt = noGrad(() => {
      try {
        const env = new Map<string, Tensor>();
        for (const [n, x] of sol.tensors) env.set(n, x.detach());
        return evalExpr(mapExpr(def.expr, (x) => (x.kind === 'call' && x.fn === a ? { ...x, fn: b } : x)), env).toArray() as Value;
      } catch {
        return null;
      }
    });
    if (alt !== null && reproduces(alt, cl)) return `${why}: with ${b}, ${claim.name} = ${fmt(alt)}`;
  }
  return undefined;
}

/** Mistakes in the claimed number itself rather than in the backward pass: its sign, a dropped seed, a factor. */
function numericSlips(dv: Derivation, claim: Claim, truth: Value, cl: Leaf[]): string | undefined {
  const t = flat(truth);
  const { section, name } = claim;
  const m = (xs: number[]) => reproduces(xs, cl);
  if (t.some((x) => x !== 0) && m(t.map((x) => -x))) return 'sign error: the correct value has the opposite sign';
  if (section === 'updated' && dv.update) {
    const old = flat(dv.values[name]);
    if (m(old)) return 'the parameter was left unchanged (no step applied)';
  }
  if (section === 'grads') {
    const seed = dv.seed;
    if (typeof seed === 'number' && seed !== 1 && m(t.map((x) => x / seed))) {
      return `the upstream gradient ∂L/∂${dv.from} = ${seed} was left out (a dropped factor)`;
    }
    for (const k of [2, 0.5]) if (m(t.map((x) => x * k))) return `off by a factor of ${k === 2 ? '2' : '1/2'} (a dropped or doubled factor)`;
    const shape = shapeOfValue(dv.values[name] ?? truth);
    for (const k of new Set(shape.filter((n) => n > 2))) {
      if (m(t.map((x) => x * k))) return `off by a factor of ${k} (a missing 1/${k}, e.g. of a mean over ${k})`;
      if (m(t.map((x) => x / k))) return `off by a factor of 1/${k} (an extra 1/${k})`;
    }
  }
  return undefined;
}

function diagnose(dv: Derivation, claim: Claim, truth: Value, cl: Leaf[]): string {
  const exact = logOfNode(dv, claim, cl) ?? fromCatalogue(dv, claim, truth, cl);
  if (exact && !exact.includes('the likeliest catalogued mistake')) return exact;
  const slip = numericSlips(dv, claim, truth, cl);
  if (slip) return slip;
  if (exact) return exact;
  const t = flat(truth);
  const digits = Math.min(...t.map((x, i) => matchingDigits(x, cl[cl.length === 1 ? 0 : i]?.value ?? Number.NaN)));
  if (digits >= 3) return `right to ${digits} significant digits only, and rounding the intermediate values to the digits written does not explain the rest; no catalogued mistake reproduces it`;
  return 'no catalogued mistake reproduces it';
}

/** How a claim's digits are rounded in the recomputation: to its significant digits, and to its last decimal place. */
function roundingsFor(cl: Leaf[]): { label: string; key: string; round: Round }[] {
  const sig = Math.max(...cl.map((c) => significantDigits(c.text)));
  const unit = Math.min(...cl.map((c) => lastDigitUnit(c.text)).filter((u) => u > 0));
  const out = [{ label: `${sig} significant digits`, round: toSignificant(sig), key: `s${sig}` }];
  if (Number.isFinite(unit)) out.push({ label: `${Math.max(0, -Math.round(Math.log10(unit)))} decimal places`, round: toUnit(unit), key: `u${unit}` });
  return out;
}

const roundedCache = new WeakMap<Derivation, Map<string, Tables | null>>();

function rounded(dv: Derivation, key: string, r: Round): Tables | null {
  const sol = dv.solution;
  if (!sol) return null;
  let m = roundedCache.get(dv);
  if (!m) {
    m = new Map();
    roundedCache.set(dv, m);
  }
  if (!m.has(key)) {
    let t: Tables | null = null;
    try {
      t = roundedTables(sol, r);
    } catch {
      t = null;
    }
    m.set(key, t);
  }
  return m.get(key) ?? null;
}

/**
 * Rounding explains a claim when the solution recomputed with every intermediate rounded to the
 * claim's digits lands on the claim: within a unit of its last digit, or closer to it than half
 * of the claim's distance from the exact value. Returns the rounded recomputation's value then.
 */
function roundingExplains(dv: Derivation, claim: Claim, truth: Value, cl: Leaf[]): { value: Value; label: string } | null {
  const t = flat(truth);
  for (const { label, key, round } of roundingsFor(cl)) {
    const tables = rounded(dv, key, round);
    const v = tables?.[claim.section].get(claim.name);
    if (v === undefined) continue;
    const ps = pairs(v, cl);
    if (!ps || ps.length !== t.length) continue;
    const ok = ps.every(([r, c], i) => {
      const unit = lastDigitUnit(c.text);
      return Math.abs(c.value - r) <= Math.max(1.5 * unit, 0.5 * Math.abs(c.value - t[i]));
    });
    if (ok) return { value: v, label };
  }
  return null;
}

/**
 * Checks claimed answers against a derivation: each number at the precision it is written. A
 * claim that is not right is imprecise when recomputing the solution with every intermediate
 * rounded to the claim's digits explains the difference; otherwise it is wrong, with the likeliest
 * mistake of the catalogue (check/catalogue.ts) that reproduces it and the value that mistake
 * gives, or a slip in the number itself (its sign, a dropped factor, a transposed matrix).
 * Wrong claims come back in dependency order: the first is the first wrong step.
 *
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * checkAnswers(dv, { grads: { w: '0.0049' }, updated: { w: '2.9995' } }).ok // true
 * ```
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
          : (fromCatalogue(dv, claim, truth, cl) ?? `the claim has shape [${cShape.join(',')}] but ${claim.name} has shape [${tShape.join(',')}]`);
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
    const explained = roundingExplains(dv, claim, truth, cl);
    if (explained) {
      const digits = Math.min(...cl.map((c, i) => matchingDigits(t[cl.length === 1 ? 0 : i], c.value)));
      const written = Math.max(...cl.map((c) => significantDigits(c.text)));
      results.push({
        ...base,
        status: 'imprecise',
        cause: `right to ${digits} significant digits, but not to the ${written} written: rounded intermediate values (recomputed with every intermediate rounded to ${explained.label}, ${claim.name} = ${fmt(explained.value)})`,
      });
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
 * @example
 * ```ts
 * const problem = parseProblem('title: Tiny\ninputs: { x: 2 }\nparams: { w: 3 }\nnodes:\n  y: sigmoid(w*x)\nbackward: { from: y }\nupdate:\n  sgd: { lr: 0.1 }\n');
 * const dv = derive(solveProblem(problem));
 * formatReport(checkAnswers(dv, { grads: { w: '0.0049' } })).split('\n')[0] // '✓ grads.w = 0.0049: right (correct: 0.00493301858272)'
 * ```
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
