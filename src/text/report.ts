import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlPage } from '../explain/render/html.js';
import type { PreparedData, ModelRun } from './experiment.js';
import type { BootstrapResult, SplitMetrics } from './metrics.js';
import { RELEVANT } from './specs.js';
import type { SplitName } from './split.js';

/**
 * Formats seconds for humans.
 * @example fmtDuration(65) // '1m05s'
 */
export function fmtDuration(sec: number): string {
  if (!Number.isFinite(sec)) return '?';
  const s = Math.max(0, Math.round(sec));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

const f4 = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(4));

function splitTable(run: ModelRun): string[] {
  const rows = ['| split | n | accuracy | macro-F1 | micro-F1 |', '|---|---:|---:|---:|---:|'];
  for (const s of ['train', 'dev', 'test'] as const) {
    const m = run.metrics[s];
    const n = m.confusion.matrix.flat().reduce((a, b) => a + b, 0);
    rows.push(`| ${s} | ${n} | ${f4(m.accuracy)} | ${f4(m.macroF1)} | ${f4(m.microF1)} |`);
  }
  return rows;
}

function perClassTable(m: SplitMetrics): string[] {
  const rows = ['| class | precision | recall | F1 | support |', '|---|---:|---:|---:|---:|'];
  for (const [l, c] of Object.entries(m.perClass)) rows.push(`| ${l} | ${f4(c.precision)} | ${f4(c.recall)} | ${f4(c.f1)} | ${c.support} |`);
  return rows;
}

function confusionTable(m: SplitMetrics): string[] {
  const { labels, matrix } = m.confusion;
  return [
    `| true \\ predicted | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '---:').join('|')}|`,
    ...matrix.map((r, i) => `| ${labels[i]} | ${r.join(' | ')} |`),
  ];
}

function datasetLines(data: PreparedData): string[] {
  const { ds, idx } = data;
  const counts = (s: SplitName) => ds.labels.map((l) => `${l} ${idx[s].filter((i) => ds.examples[i].label === l).length}`).join(', ');
  return [
    `Dataset **${ds.name}**: ${ds.examples.length} texts, classes ${ds.labels.join(', ')}${ds.positive ? ` (positive class for PR curves: ${ds.positive})` : ''}.`,
    `Fixed split by MD5 (first 8 hex digits mod 10: 0-6 train, 7 dev, 8-9 test): train ${idx.train.length} (${counts('train')}), dev ${idx.dev.length} (${counts('dev')}), test ${idx.test.length} (${counts('test')}).`,
    ...(ds.warnings.length ? [`Loading warnings: ${ds.warnings.length} (first: ${ds.warnings.slice(0, 3).join('; ')}).`] : []),
  ];
}

function hpLine(run: ModelRun): string {
  if (!run.hp) return `Always predicts the most frequent training class (${run.majorityClass}).`;
  const hp = run.hp;
  const keys = RELEVANT[run.model as Exclude<typeof run.model, 'majority'>];
  return `Hyper-parameters: ${keys.map((k) => `${k}=${hp[k]}`).join(', ')}${run.model === 'cnn' ? ' (hidden = filters per width 3/4/5)' : ''}.`;
}

const CURVE_NOTE = 'Training subsets are nested (prefixes of one seeded permutation of the training split); each subset run fits its own vocabulary/features and gets about as many optimizer steps as the full run needed (more epochs on a smaller subset, at most 8 times as many), with early stopping on dev.';

function curveTable(run: ModelRun): string[] {
  if (!run.learningCurve.length) return [];
  return [
    '| % of train | examples | train macro-F1 | dev macro-F1 |',
    '|---:|---:|---:|---:|',
    ...run.learningCurve.map((p) => `| ${Math.round(p.fraction * 100)} | ${p.trainSize} | ${f4(p.trainMacroF1)} | ${f4(p.devMacroF1)} |`),
  ];
}

/**
 * report.md of a single training run: data, hyper-parameters, tables per split, PR curve,
 * hard-ham false-positive rate, learning curve and loss per epoch, with the SVG plots linked.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { prepareData, runModel } from './experiment.js';
 * import { loadTable } from './tabular.js';
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const prepared = prepareData(loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' }));
 * const run = runModel(prepared, 'majority', { seed: 1 });
 * const md = runReport(prepared, run, { command: 'chainrule textclf train majority', backend: 'js', totalSeconds: 65 });
 * md.startsWith('# Text classification: majority on ') // true
 * md.includes('(backend js, total 1m05s)') // true
 * md.includes('| test | 2 | 0.5000 |') // true
 * ```
 */
export function runReport(data: PreparedData, run: ModelRun, extra: { command: string; backend: string; totalSeconds: number }): string {
  const out: string[] = [`# Text classification: ${run.model} on ${data.ds.name}`, '', `\`${extra.command}\` (backend ${extra.backend}, total ${fmtDuration(extra.totalSeconds)}).`, ''];
  out.push(...datasetLines(data), '', hpLine(run), '');
  if (run.history.length) {
    out.push(
      `Training: ${run.history.length} epochs (best dev macro-F1 at epoch ${run.bestEpoch}, weights restored), ${run.seconds.toFixed(1)} s, ${run.examplesPerSecond.toFixed(0)} training examples/s.`,
      '',
    );
  }
  if (run.tuning.length) {
    out.push('## Hyper-parameter search (dev)', '', '| setting | dev macro-F1 |', '|---|---:|');
    for (const t of run.tuning) out.push(`| ${JSON.stringify(t.hp)} | ${f4(t.devMacroF1)} |`);
    out.push('');
  }
  out.push('## Results', '', ...splitTable(run), '');
  for (const s of ['train', 'dev', 'test'] as const) {
    out.push(`### ${s}`, '', ...perClassTable(run.metrics[s]), '', ...confusionTable(run.metrics[s]), '');
  }
  out.push('![confusion matrix (test)](confusion.svg)', '');
  if (run.pr) out.push('## Precision-recall (test)', '', `Average precision ${f4(run.pr.averagePrecision)}, ROC AUC ${f4(run.pr.rocAuc)}.`, '', '![PR curve](pr-curve.svg)', '');
  if (run.hardHamFpr !== null) out.push(`False-positive rate on hard ham (test): ${f4(run.hardHamFpr)}.`, '');
  if (run.learningCurve.length) out.push('## Learning curve', '', CURVE_NOTE, '', ...curveTable(run), '', '![learning curves](learning-curves.svg)', '');
  if (run.history.length) {
    out.push('## Loss per epoch', '', '| epoch | train loss | dev loss | dev macro-F1 | seconds |', '|---:|---:|---:|---:|---:|');
    for (const h of run.history) out.push(`| ${h.epoch} | ${f4(h.trainLoss)} | ${f4(h.devLoss)} | ${f4(h.devMacroF1)} | ${h.seconds.toFixed(1)} |`);
    out.push('', '![loss](loss.svg)', '');
  }
  return out.join('\n');
}

/**
 * report.md comparing several models (baselines included) on one dataset, with the bootstrap test.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { prepareData, runModel } from './experiment.js';
 * import { loadTable } from './tabular.js';
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const prepared = prepareData(loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' }));
 * const runs = [runModel(prepared, 'majority', { seed: 1 }), runModel(prepared, 'logreg', { seed: 1 })];
 * const bootstrap = { a: 'logreg', b: 'majority', r: text.pairedBootstrap([0, 1], [0, 1], [0, 0], 2, { resamples: 100, seed: 1 }) };
 * const md = compareReport(prepared, runs, { command: 'chainrule textclf compare', backend: 'js', totalSeconds: 3, bootstrap });
 * md.includes('## Significance') // true
 * md.split('\n').filter((l) => /^\| (majority|logreg) \|/.test(l)).length // 2
 * ```
 */
export function compareReport(
  data: PreparedData,
  runs: ModelRun[],
  extra: { command: string; backend: string; totalSeconds: number; bootstrap: { a: string; b: string; r: BootstrapResult } | null },
): string {
  const out: string[] = [`# Text classification: model comparison on ${data.ds.name}`, '', `\`${extra.command}\` (backend ${extra.backend}, total ${fmtDuration(extra.totalSeconds)}).`, ''];
  out.push(...datasetLines(data), '');
  out.push(
    '## Test results',
    '',
    '| model | accuracy | macro-F1 | micro-F1 | PR AP | hard-ham FPR | dev macro-F1 | train macro-F1 | epochs | train s | ex/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of runs) {
    const t = r.metrics.test;
    out.push(
      `| ${r.model} | ${f4(t.accuracy)} | ${f4(t.macroF1)} | ${f4(t.microF1)} | ${f4(r.pr?.averagePrecision)} | ${f4(r.hardHamFpr)} | ${f4(r.metrics.dev.macroF1)} | ${f4(r.metrics.train.macroF1)} | ${r.history.length || '-'} | ${r.seconds.toFixed(1)} | ${Number.isNaN(r.examplesPerSecond) ? '-' : r.examplesPerSecond.toFixed(0)} |`,
    );
  }
  out.push('');
  if (extra.bootstrap) {
    const { a, b, r } = extra.bootstrap;
    out.push(
      '## Significance',
      '',
      `Paired bootstrap (${r.resamples} resamples of the test set) of ${a} (best neural model on dev) against ${b}: macro-F1 difference ${r.delta >= 0 ? '+' : ''}${r.delta.toFixed(4)}, 95% interval [${r.ci[0].toFixed(4)}, ${r.ci[1].toFixed(4)}], two-sided p = ${r.p.toFixed(3)}${r.p < 0.05 ? ' (significant at 5%)' : ' (not significant at 5%)'}.`,
      '',
    );
  }
  out.push('## Per-class test results', '');
  for (const r of runs) out.push(`### ${r.model}`, '', hpLine(r), '', ...perClassTable(r.metrics.test), '', ...confusionTable(r.metrics.test), '');
  out.push('## Precision-recall (test)', '', '![PR curves](pr-curves.svg)', '');
  if (runs.some((r) => r.learningCurve.length)) {
    out.push('## Learning curves', '', CURVE_NOTE, '', `| model | ${runs[0].learningCurve.map((p) => `${Math.round(p.fraction * 100)}%`).join(' | ')} |`);
    out.push(`|---|${runs[0].learningCurve.map(() => '---:').join('|')}|`);
    for (const r of runs) out.push(`| ${r.model} (dev) | ${r.learningCurve.map((p) => f4(p.devMacroF1)).join(' | ')} |`);
    for (const r of runs) out.push(`| ${r.model} (train) | ${r.learningCurve.map((p) => f4(p.trainMacroF1)).join(' | ')} |`);
    out.push('', '![learning curves](learning-curves.svg)', '');
  }
  out.push('Each model has its own folder with metrics.json, report.md, plots and checkpoint.', '');
  return out.join('\n');
}

/**
 * A report as one self-contained HTML page: the Markdown report with each of its SVG figures
 * (written beside it in `dir`) inlined where it is linked, typeset by the worked solutions' page
 * (KaTeX and its fonts inlined; no script, no network).
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * const dir = mkdtempSync(`${tmpdir()}/report-`);
 * writeFileSync(`${dir}/loss.svg`, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>');
 * const html = reportHtml('Text classification: cnn', '# Loss\n\n![loss per epoch](loss.svg)\n', dir);
 * html.includes('<figcaption>loss per epoch</figcaption>') // true
 * html.includes('<img') // false
 * ```
 */
export function reportHtml(title: string, md: string, dir: string): string {
  const body = md.replace(/^!\[([^\]]*)\]\(([\w./-]+\.svg)\)$/gm, (link, alt: string, file: string) => {
    try {
      const svg = readFileSync(join(dir, file), 'utf8').replace(/^<\?xml[^>]*>\s*/, '');
      return `<figure class="figure">\n${svg}\n<figcaption>${alt.replace(/[<>&]/g, '')}</figcaption>\n</figure>`;
    } catch {
      return link;
    }
  });
  return htmlPage({ title, bodyMarkdown: body, css: 'figure.figure { margin: 1em 0; overflow-x: auto; } figure.figure svg { max-width: 100%; height: auto; }' });
}
