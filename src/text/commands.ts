import { join } from 'node:path';
import { getBackend } from '../backend/registry.js';
import type { OutputStream } from '../train/progress.js';
import { checkRunDir, makeDirs, writeFileAtomic, writeRunDir } from '../io/fs.js';
import { confusionSvg, learningCurveSvg, lossSvg, prCurveSvg } from './charts.js';
import { type SavedModel, saveTextModel } from './checkpoint.js';
import type { TextDataset } from './corpus.js';
import type { EmailView } from './email.js';
import { type ModelRun, type PreparedData, prepareData, runModel } from './experiment.js';
import { type BootstrapResult, pairedBootstrap } from './metrics.js';
import { compareReport, reportHtml, runReport } from './report.js';
import { loadSpamAssassin } from './spamassassin.js';
import { type HyperParams, type ModelName, NEURAL_MODELS } from './specs.js';
import { loadTable } from './tabular.js';

/** Where the texts come from. */
export type DataSource =
  | { kind: 'spamassassin'; view: EmailView }
  | { kind: 'file'; file: string; textCol: string; labelCol: string; splitCol?: string; format?: 'csv' | 'jsonl'; positive?: string };

export interface ExperimentConfig {
  source: DataSource;
  out: string;
  seed: number;
  tune: boolean;
  curve: number[];
  hp: Partial<HyperParams>;
  command: string;
  log: (s: string) => void;
  /** write into an output folder that holds other files (they are kept; see writeRunDir) */
  force?: boolean;
  /** where training progress goes (process.stderr in the CLI); none by default */
  progress?: OutputStream;
}

/** Writes a text file of a run being built (nothing for empty content). */
function writeIn(dir: string, name: string, content: string): void {
  if (content) writeFileAtomic(join(dir, name), content);
}

function runDirOptions(cfg: ExperimentConfig) {
  return { force: cfg.force, command: cfg.command };
}

/**
 * Loads the dataset of a source (SpamAssassin from the npm package, or a CSV/JSONL file).
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const file = join(mkdtempSync(join(tmpdir(), 'reviews-')), 'reviews.csv');
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine plot,pos,dev\nweak plot,neg,test\n');
 * const ds = await loadSource({ kind: 'file', file, textCol: 'review', labelCol: 'stars', splitCol: 'split' }, console.log);
 * ds.labels // ['neg', 'pos']
 * ds.examples.length // 4
 * ```
 */
export async function loadSource(src: DataSource, log: (s: string) => void): Promise<TextDataset> {
  const ds =
    src.kind === 'spamassassin'
      ? await loadSpamAssassin(src.view, { log })
      : loadTable(src.file, { textCol: src.textCol, labelCol: src.labelCol, splitCol: src.splitCol, format: src.format, positive: src.positive });
  for (const w of ds.warnings.slice(0, 20)) log(`warning: ${w}`);
  if (ds.warnings.length > 20) log(`warning: ... ${ds.warnings.length - 20} more`);
  return ds;
}

function savedMeta(data: PreparedData, run: ModelRun, src: DataSource): SavedModel {
  const C = data.ds.labels.length;
  const prior = run.model === 'majority' ? Array.from(run.testProba.subarray(0, C)) : undefined;
  return {
    format: 'chainrule-textclf/1',
    model: run.model,
    labels: data.ds.labels,
    positive: data.ds.positive,
    hp: run.hp,
    prior,
    features: run.featurizer ? run.featurizer.toJSON() : null,
    dataset: src.kind === 'spamassassin' ? `spamassassin (${src.view} view)` : src.file,
  };
}

/** Writes one model's files (metrics.json, model.json/.safetensors, plots, report.md) into dir. */
function writeModelFiles(dir: string, data: PreparedData, run: ModelRun, cfg: ExperimentConfig, totalSeconds: number): void {
  writeIn(dir, 'metrics.json', `${JSON.stringify(run.metrics, null, 2)}\n`);
  saveTextModel(dir, savedMeta(data, run, cfg.source), run.module);
  writeIn(dir, 'confusion.svg', confusionSvg(run.metrics.test.confusion.labels, run.metrics.test.confusion.matrix, `${run.model}: confusion matrix (test)`));
  if (run.pr && data.ds.positive) writeIn(dir, 'pr-curve.svg', prCurveSvg([{ name: run.model, pr: run.pr }], data.ds.positive, prevalence(data)));
  writeIn(dir, 'learning-curves.svg', learningCurveSvg([{ name: run.model, points: run.learningCurve }]));
  writeIn(dir, 'loss.svg', lossSvg(run.model, run.history, run.bestEpoch || undefined));
  writeIn(dir, 'history.json', `${JSON.stringify({ history: run.history, bestEpoch: run.bestEpoch, seconds: run.seconds, examplesPerSecond: run.examplesPerSecond, learningCurve: run.learningCurve, tuning: run.tuning, hardHamFpr: run.hardHamFpr, averagePrecision: run.pr?.averagePrecision ?? null }, null, 2)}\n`);
  const md = runReport(data, run, { command: cfg.command, backend: getBackend(), totalSeconds });
  writeIn(dir, 'report.md', md);
  writeIn(dir, 'report.html', reportHtml(`Text classification: ${run.model} on ${data.ds.name}`, md, dir));
}

/** The share of the positive class in the test split: the precision of a classifier that guesses. */
function prevalence(data: PreparedData): number | undefined {
  const pos = data.ds.positive ? data.ds.labels.indexOf(data.ds.positive) : -1;
  if (pos < 0 || data.idx.test.length === 0) return undefined;
  return data.idx.test.filter((i) => data.y[i] === pos).length / data.idx.test.length;
}

/**
 * `textclf train`: trains one model and writes its run folder atomically.
 * @example
 * ```ts
 * import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const dir = mkdtempSync(join(tmpdir(), 'textclf-'));
 * const file = join(dir, 'reviews.csv');
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const source = { kind: 'file', file, textCol: 'review', labelCol: 'stars', splitCol: 'split' } as const;
 * const out = join(dir, 'runs', 'logreg');
 * const run = await trainCommand('logreg', { source, out, seed: 1, tune: false, curve: [], hp: {}, command: 'chainrule textclf train logreg', log: () => {} });
 * run.model // 'logreg'
 * readdirSync(out).sort() // ['.chainrule-run.json', 'confusion.svg', 'history.json', 'loss.svg', 'metrics.json', 'model.json', 'model.safetensors', 'pr-curve.svg', 'report.html', 'report.md']
 * ```
 */
export async function trainCommand(model: ModelName, cfg: ExperimentConfig): Promise<ModelRun> {
  const t0 = Date.now();
  checkRunDir(cfg.out, runDirOptions(cfg));
  const data = prepareData(await loadSource(cfg.source, cfg.log));
  const run = runModel(data, model, { seed: cfg.seed, hp: cfg.hp, tune: cfg.tune, curve: cfg.curve, log: cfg.log, progress: cfg.progress });
  await writeRunDir(cfg.out, (dir) => writeModelFiles(dir, data, run, cfg, (Date.now() - t0) / 1000), runDirOptions(cfg));
  return run;
}

export interface CompareResult {
  runs: ModelRun[];
  bootstrap: { a: string; b: string; r: BootstrapResult } | null;
  seconds: number;
}

/**
 * `textclf compare`: trains several models on the same data and writes one comparison folder
 * (a sub-folder per model plus report.md, comparison.json and shared plots).
 * @example
 * ```ts
 * import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { join } from 'node:path';
 * const dir = mkdtempSync(join(tmpdir(), 'textclf-'));
 * const file = join(dir, 'reviews.csv');
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const source = { kind: 'file', file, textCol: 'review', labelCol: 'stars', splitCol: 'split' } as const;
 * const out = join(dir, 'runs', 'compare');
 * const cfg = { source, out, seed: 1, tune: false, curve: [], hp: { epochs: 3 }, command: 'chainrule textclf compare', log: () => {} };
 * const { runs, bootstrap } = await compareCommand(['majority', 'logreg', 'fasttext'], cfg);
 * runs.map((r) => r.model) // ['majority', 'logreg', 'fasttext']
 * bootstrap?.b // 'logreg'
 * readdirSync(out).filter((f) => !f.includes('.')).sort() // ['fasttext', 'logreg', 'majority']
 * existsSync(join(out, 'comparison.json')) // true
 * ```
 */
export async function compareCommand(models: ModelName[], cfg: ExperimentConfig): Promise<CompareResult> {
  const t0 = Date.now();
  checkRunDir(cfg.out, runDirOptions(cfg));
  const data = prepareData(await loadSource(cfg.source, cfg.log));
  const runs: ModelRun[] = [];
  for (const m of models) {
    cfg.log(`--- ${m}`);
    runs.push(runModel(data, m, { seed: cfg.seed, hp: cfg.hp, tune: cfg.tune, curve: cfg.curve, log: cfg.log, progress: cfg.progress }));
  }
  const neural = runs.filter((r) => NEURAL_MODELS.includes(r.model));
  const logreg = runs.find((r) => r.model === 'logreg');
  let bootstrap: CompareResult['bootstrap'] = null;
  if (neural.length && logreg) {
    // the best neural model is chosen on dev, never on test
    const best = neural.reduce((a, b) => (b.metrics.dev.macroF1 > a.metrics.dev.macroF1 ? b : a));
    const y = Int32Array.from(data.idx.test, (i) => data.y[i]);
    bootstrap = { a: best.model, b: 'logreg', r: pairedBootstrap(y, best.testPred, logreg.testPred, data.ds.labels.length, { resamples: 2000, seed: cfg.seed }) };
  }
  const seconds = (Date.now() - t0) / 1000;
  await writeRunDir(cfg.out, (dir) => {
    for (const r of runs) {
      const sub = join(dir, r.model);
      makeDirs(sub);
      writeModelFiles(sub, data, r, cfg, seconds);
    }
    const summary = {
      dataset: data.ds.name,
      seconds,
      backend: getBackend(),
      models: Object.fromEntries(
        runs.map((r) => [
          r.model,
          { test: r.metrics.test.macroF1, dev: r.metrics.dev.macroF1, train: r.metrics.train.macroF1, accuracy: r.metrics.test.accuracy, averagePrecision: r.pr?.averagePrecision ?? null, hardHamFpr: r.hardHamFpr, seconds: r.seconds, examplesPerSecond: r.examplesPerSecond, hp: r.hp },
        ]),
      ),
      bootstrap,
    };
    writeIn(dir, 'comparison.json', `${JSON.stringify(summary, null, 2)}\n`);
    const withPr = runs.filter((r) => r.pr && r.model !== 'majority');
    if (withPr.length && data.ds.positive) writeIn(dir, 'pr-curves.svg', prCurveSvg(withPr.map((r) => ({ name: r.model, pr: r.pr! })), data.ds.positive, prevalence(data)));
    writeIn(dir, 'learning-curves.svg', learningCurveSvg(runs.map((r) => ({ name: r.model, points: r.learningCurve }))));
    const md = compareReport(data, runs, { command: cfg.command, backend: getBackend(), totalSeconds: seconds, bootstrap });
    writeIn(dir, 'report.md', md);
    writeIn(dir, 'report.html', reportHtml(`Text classification on ${data.ds.name}: ${runs.map((r) => r.model).join(', ')}`, md, dir));
  }, runDirOptions(cfg));
  return { runs, bootstrap, seconds };
}
