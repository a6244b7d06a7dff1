// Triage of the differential suite: replays a fixture on every registered backend, groups the
// cases chainrule fails by cause and op, and prints the list (markdown). With --write-known it
// rewrites test/parity-known.ts, the replay test's list of known failures, from the result.
//
//   node --conditions=source --import tsx scripts/parity-triage.ts [--fixture default] [--write-known] [--out file.md]
//
// The causes are recognised by the rules below, from the op, the outcome, the detail and the
// inputs of each failing case; a failure no rule claims is reported as unclassified (and the
// known-failures file refuses to be written until a rule covers it).
import { readFileSync, writeFileSync } from 'node:fs';
import { listBackends, setBackend } from 'chainrule';
import { type Case, type Fixture, loadFixture, values } from '../test/parity-fixture.js';
import { CAUSES, type Cause } from '../test/parity-known.js';
import { type Result, replay } from '../test/parity-replay.js';

interface Features {
  nan: boolean;
  inf: boolean;
  zero: boolean;
  /** largest finite magnitude among the float inputs */
  big: number;
}

function features(c: Case): Features {
  const f: Features = { nan: false, inf: false, zero: false, big: 0 };
  for (const i of c.inputs) {
    if (i.t.dtype !== 'float64' && i.t.dtype !== 'float32') continue;
    for (const v of values(i.t)) {
      if (Number.isNaN(v)) f.nan = true;
      else if (!Number.isFinite(v)) f.inf = true;
      else {
        if (v === 0) f.zero = true;
        f.big = Math.max(f.big, Math.abs(v));
      }
    }
  }
  return f;
}

const inputValues = (c: Case, name: string): number[] => {
  const i = c.inputs.find((x) => x.name === name);
  return i ? Array.from(values(i.t)) : [];
};

type Rule = [Cause, (c: Case, r: Result, f: Features, backends: string[]) => boolean];

const has = (r: Result, s: string) => r.detail.includes(s);
const grads = (r: Result) => r.outcome === 'grad' || r.outcome === 'grad2';
const POOLS = /^(F|nn)\.(maxPool1d|MaxPool1d|adaptiveMaxPool1d|AdaptiveMaxPool1d)$/;

/** Ordered: the first rule that claims a failure names its cause. */
const RULES: Rule[] = [
  ['prod-two-zeros-grad2', (c, r) => c.op === 'prod' && r.outcome === 'grad2' && c.attrs.dim === undefined && inputValues(c, 'x').filter((v) => v === 0).length >= 2],
  ['logsumexp-empty', (c, r) => c.op === 'logsumexp' && r.outcome === 'threw' && has(r, 'cannot reduce over dimension')],
  ['split-chunk-empty', (c, r) => (c.op === 'split' || c.op === 'chunk') && r.outcome === 'forward' && has(r, ' tensors, PyTorch')],
  ['embeddingbag-max-empty', (c, r) => /EmbeddingBag|embeddingBag/.test(c.op) && has(r, 'requiresGrad false')],
  ['embedding-negative-padding', (c, r) => c.op === 'F.embedding' && grads(r) && (c.attrs.paddingIdx ?? 0) < 0],
  ['std-equal-grad', (c, r) => c.op === 'std' && r.outcome === 'grad' && has(r, ': NaN, PyTorch 0')],
  ['var-grad-inf', (c, r, f) => (c.op === 'var' || c.op === 'std') && grads(r) && f.inf],
  ['var-correction', (c, r) => (c.op === 'var' || c.op === 'std') && grads(r) && has(r, 'NaN, PyTorch') && (c.attrs.correction ?? 1) >= 1],
  ['std-precision', (c, r) => (c.op === 'var' || c.op === 'std') && grads(r) && new Set(inputValues(c, 'x')).size === 1],
  ['std-precision', (c, r) => (c.op === 'var' || c.op === 'std') && r.outcome === 'forward' && (/: [-\d.e]+, PyTorch 0( \(|$)/.test(r.detail) || new Set(inputValues(c, 'x')).size === 1)],
  ['var-overflow-float32', (c, r) => (c.op === 'var' || c.op === 'std') && c.dtype === 'float32' && has(r, 'Infinity, PyTorch')],
  ['mean-0d-dim', (c, r) => /^(mean|var|std)$/.test(c.op) && c.attrs.dims !== undefined && r.outcome === 'forward' && /^output\[0\]: NaN, PyTorch [-\d]/.test(r.detail)],
  ['ce-all-ignored', (c, r) => /crossEntropy|CrossEntropyLoss|nllLoss|NLLLoss/.test(c.op) && has(r, 'NaN, PyTorch 0') && inputValues(c, 'target').includes(c.attrs.ignoreIndex ?? -100)],
  ['hinge-margin', (c, r) => /ingeEmbeddingLoss/.test(c.op) && r.outcome === 'grad'],
  ['bce-target-grad', (c, r) => /^(F\.bceLoss|nn\.BCELoss)$/.test(c.op) && r.outcome === 'grad' && has(r, 'Infinity')],
  ['bce-double-backward', (c, r) => /^(F\.bceLoss|nn\.BCELoss)$/.test(c.op) && r.outcome === 'grad2'],
  ['max-ties', (c, r) => (POOLS.test(c.op) || /mbeddingBag/.test(c.op)) && r.outcome === 'grad'],
  ['error-names-other-op', (_c, r) => r.outcome === 'wrong-error' && r.detail.startsWith('ChainruleError')],
  ['repeated-dims', (_c, r) => r.outcome === 'no-error' && has(r, 'appears multiple times')],
  ['argreduce-empty', (c, r) => /^arg(max|min)$/.test(c.op) && r.outcome === 'threw' && has(r, 'the input is empty')],
  ['expand-leading-minus-one', (c, r) => c.op === 'expand' && r.outcome === 'no-error' && c.attrs.shape.includes(-1)],
  ['dims-unchecked-low-rank', (c, r) => /^(transpose|flatten)$/.test(c.op) && r.outcome === 'no-error'],
  ['split-size-zero', (c, r) => c.op === 'split' && r.outcome === 'threw'],
  ['avgpool-padding-unchecked', (c, r) => /vgPool1d/.test(c.op) && r.outcome === 'no-error'],
  ['adaptive-pool-zero', (c, r) => /daptive/.test(c.op) && r.outcome === 'threw' && has(r, 'got 0')],
  ['pool-nan', (c, _r, f) => POOLS.test(c.op) && f.nan],
  ['loss-broadcast', (c, r) => /mseLoss|l1Loss|sse|MSELoss|L1Loss|SSELoss/.test(c.op) && r.outcome === 'threw' && has(r, 'must have the same shape')],
  ['hinge-target-values', (c, r) => /ingeEmbeddingLoss/.test(c.op) && r.outcome === 'threw' && has(r, 'targets must be 1 or -1')],
  ['arange-bounds', (c, r) => c.op === 'arange' && r.outcome === 'no-error'],
  ['rnn-padded-nan', (c, _r, f) => /^nn\.(RNN|GRU|LSTM)$/.test(c.op) && c.attrs.lengths !== undefined && (f.nan || f.inf)],
  ['transformer-decoder-rounding', (c, r) => /^nn\.TransformerDecoder(Layer)?$/.test(c.op) && r.outcome === 'grad'],
];

export function classify(c: Case, r: Result, backends: string[]): Cause | null {
  const f = features(c);
  for (const [cause, match] of RULES) if (match(c, r, f, backends)) return cause;
  return null;
}

interface Failure {
  c: Case;
  r: Result;
  backends: string[];
  cause: Cause | null;
}

export function triage(fx: Fixture, backends: string[]): { failures: Failure[]; counts: Record<string, { cases: number; failed: number }>; seconds: Record<string, number> } {
  const byId = new Map<string, Failure>();
  const counts: Record<string, { cases: number; failed: number }> = {};
  const seconds: Record<string, number> = {};
  for (const b of backends) {
    setBackend(b);
    const t0 = performance.now();
    let failed = 0;
    for (const c of fx.cases) {
      const r = replay(c);
      if (r.outcome === 'pass') continue;
      failed++;
      const prev = byId.get(c.id);
      if (prev) prev.backends.push(b);
      else byId.set(c.id, { c, r, backends: [b], cause: null });
    }
    seconds[b] = (performance.now() - t0) / 1000;
    counts[b] = { cases: fx.cases.length, failed };
  }
  for (const f of byId.values()) f.cause = classify(f.c, f.r, f.backends);
  return { failures: [...byId.values()], counts, seconds };
}

function family(op: string): string {
  if (op.startsWith('optim.')) return 'optim';
  if (op.startsWith('nn.')) return 'nn modules';
  if (op.startsWith('F.')) return 'F';
  return 'ops';
}

function report(fx: Fixture, out: ReturnType<typeof triage>): string {
  const lines: string[] = [];
  lines.push(`# Parity triage: fixture ${fx.name} (seed ${fx.seed}, scale ${fx.scale}, PyTorch ${fx.torch})`, '');
  const fam: Record<string, number> = {};
  for (const c of fx.cases) fam[family(c.op)] = (fam[family(c.op)] ?? 0) + 1;
  lines.push(`${fx.cases.length} cases: ${Object.entries(fam).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  for (const [b, n] of Object.entries(out.counts)) lines.push(`- ${b}: ${n.failed} of ${n.cases} fail (${out.seconds[b].toFixed(1)} s)`);
  lines.push('');
  const groups = new Map<string, Failure[]>();
  for (const f of out.failures) {
    const k = f.cause ?? 'unclassified';
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  for (const [k, fs] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    lines.push(`## ${k} (${fs.length})`, '', k === 'unclassified' ? 'No rule claims these.' : CAUSES[k as Cause], '');
    const byOp = new Map<string, Failure[]>();
    for (const f of fs) byOp.set(f.c.op, [...(byOp.get(f.c.op) ?? []), f]);
    for (const [op, list] of byOp) {
      lines.push(`- ${op} (${list.length}):`);
      for (const f of list.slice(0, 3)) {
        const where = f.backends.length === Object.keys(out.counts).length ? '' : ` [${f.backends.join(', ')}]`;
        lines.push(`  - ${f.c.id} ${f.c.dtype} ${f.r.outcome}${where}: ${f.r.detail.slice(0, 240)}`);
      }
    }
    lines.push('');
  }
  return lines.join('\n');
}

function knownFile(entries: [string, Cause, string[] | null][]): string {
  const body = entries
    .sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
    .map(([id, cause, only]) => `  '${id}': ${only ? `['${cause}', [${only.map((b) => `'${b}'`).join(', ')}]]` : `'${cause}'`},\n`)
    .join('');
  return body;
}

function main(): void {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const names = opt('--fixture', 'default').split(',');
  const backends = opt('--backend', listBackends().join(',')).split(',');
  const md: string[] = [];
  const known: [string, Cause, string[] | null][] = [];
  let unclassified = 0;
  for (const name of names) {
    const fx = loadFixture(name);
    const out = triage(fx, backends);
    md.push(report(fx, out));
    for (const f of out.failures) {
      if (!f.cause) unclassified++;
      else known.push([`${name}:${f.c.id}`, f.cause, f.backends.length === backends.length ? null : f.backends]);
    }
  }
  const text = md.join('\n');
  const outFile = opt('--out', '');
  if (outFile) writeFileSync(outFile, text);
  else console.log(text);
  if (args.includes('--write-known')) {
    if (unclassified) {
      console.error(`${unclassified} unclassified failures: add a rule (or a cause) before writing the known list`);
      process.exit(1);
    }
    writeKnown(new URL('../test/parity-known.ts', import.meta.url), knownFile(known));
  }
}

/** Replaces the entries of KNOWN in test/parity-known.ts, keeping the rest of the file. */
function writeKnown(path: URL, body: string): void {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf('export const KNOWN');
  const open = text.indexOf('{\n', start) + 2;
  const close = text.indexOf('};', open);
  writeFileSync(path, `${text.slice(0, open)}${body}${text.slice(close)}`);
}

if (process.argv[1]?.endsWith("parity-triage.ts")) main();
