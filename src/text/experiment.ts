import { Generator, manualSeed } from '../tensor/random.js';
import type { OutputStream } from '../train/progress.js';
import type { TextDataset } from './corpus.js';
import { type EncodedSet, Featurizer } from './features.js';
import { type PrCurve, type SplitMetrics, classificationMetrics, macroF1, prCurve } from './metrics.js';
import type { TextModule } from './models/base.js';
import { DEFAULTS, GRIDS, type HyperParams, type ModelName, buildModel, featureConfig } from './specs.js';
import type { SplitName } from './split.js';
import { tokenize } from './tokenizer.js';
import { type EpochRecord, argmaxRows, predictProba, trainClassifier } from './train.js';

/** A dataset tokenised once, with the example indices and class ids of each split. */
export interface PreparedData {
  ds: TextDataset;
  tokens: string[][];
  y: Int32Array;
  idx: Record<SplitName, number[]>;
}

/**
 * Tokenises every text and indexes the splits.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { loadTable } from './tabular.js';
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const prepared = prepareData(loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' }));
 * prepared.idx.train.length // 4
 * ```
 */
export function prepareData(ds: TextDataset): PreparedData {
  const idx: Record<SplitName, number[]> = { train: [], dev: [], test: [] };
  ds.examples.forEach((e, i) => {
    idx[e.split].push(i);
  });
  return {
    ds,
    tokens: ds.examples.map((e) => tokenize(e.text)),
    y: Int32Array.from(ds.examples, (e) => ds.labels.indexOf(e.label)),
    idx,
  };
}

export interface CurvePoint {
  fraction: number;
  trainSize: number;
  trainMacroF1: number;
  devMacroF1: number;
}

/** Everything one trained model produced. */
export interface ModelRun {
  model: ModelName;
  hp: HyperParams | null;
  metrics: Record<SplitName, SplitMetrics>;
  history: EpochRecord[];
  bestEpoch: number;
  /** wall-clock seconds of the final training run (tuning and learning curves excluded) */
  seconds: number;
  examplesPerSecond: number;
  /** class probabilities of the test examples, [n * classes] */
  testProba: Float32Array;
  testPred: Int32Array;
  pr: PrCurve | null;
  /** share of the test examples of group hard-ham-1 predicted spam (SpamAssassin only) */
  hardHamFpr: number | null;
  learningCurve: CurvePoint[];
  tuning: { hp: Partial<HyperParams>; devMacroF1: number }[];
  featurizer: Featurizer | null;
  module: TextModule | null;
  /** majority baseline: the class it always predicts */
  majorityClass?: string;
}

export interface RunOptions {
  seed: number;
  hp?: Partial<HyperParams>;
  /** search GRIDS[model] on dev and keep the best */
  tune?: boolean;
  /** training-set fractions for the learning curve ([] for none) */
  curve?: number[];
  /** where training progress goes (see TrainOptions.progress) */
  progress?: OutputStream;
  log?: (s: string) => void;
}

const sub = <T>(a: ArrayLike<T>, ix: readonly number[]): T[] => ix.map((i) => a[i]);

interface Fitted {
  featurizer: Featurizer;
  module: TextModule;
  history: EpochRecord[];
  bestEpoch: number;
  seconds: number;
  examplesPerSecond: number;
  devMacroF1: number;
}

function fitOnce(data: PreparedData, model: Exclude<ModelName, 'majority'>, hp: HyperParams, trainIdx: number[], opts: RunOptions, label: string): Fitted {
  const C = data.ds.labels.length;
  manualSeed(opts.seed);
  const featurizer = Featurizer.fit(sub(data.tokens, trainIdx), featureConfig(model, hp));
  const enc = (ix: number[]): EncodedSet => featurizer.encode(sub(data.tokens, ix));
  const module = buildModel(model, featurizer.size, C, hp);
  const r = trainClassifier(module, enc(trainIdx), Int32Array.from(trainIdx, (i) => data.y[i]), enc(data.idx.dev), Int32Array.from(data.idx.dev, (i) => data.y[i]), C, {
    ...hp,
    seed: opts.seed,
    label,
    progress: opts.progress,
  });
  return { featurizer, module, history: r.history, bestEpoch: r.bestEpoch, seconds: r.seconds, examplesPerSecond: r.examplesPerSecond, devMacroF1: r.bestDevMacroF1 };
}

function predictSplit(f: Fitted, data: PreparedData, ix: number[]): Float32Array {
  return predictProba(f.module, f.featurizer.encode(sub(data.tokens, ix)), data.ds.labels.length);
}

/** The nested training subset of a fraction: a seeded permutation's first ceil(f * n) examples. */
function curveSubset(train: readonly number[], fraction: number, seed: number): number[] {
  const perm = Array.from(new Generator(seed ^ 0x5eed).permutation(train.length), (i) => train[i]);
  return perm.slice(0, Math.max(1, Math.ceil(fraction * perm.length))).sort((a, b) => a - b);
}

function majorityRun(data: PreparedData, opts: RunOptions): ModelRun {
  const C = data.ds.labels.length;
  const counts = new Array<number>(C).fill(0);
  for (const i of data.idx.train) counts[data.y[i]]++;
  const cls = counts.indexOf(Math.max(...counts));
  const prior = counts.map((c) => c / data.idx.train.length);
  const metrics = {} as Record<SplitName, SplitMetrics>;
  for (const s of ['train', 'dev', 'test'] as const) {
    const ix = data.idx[s];
    metrics[s] = classificationMetrics(sub(data.y, ix), new Int32Array(ix.length).fill(cls), data.ds.labels);
  }
  const testProba = new Float32Array(data.idx.test.length * C);
  for (let i = 0; i < data.idx.test.length; i++) testProba.set(prior, i * C);
  const curve = (opts.curve ?? []).map((fraction) => {
    const ix = curveSubset(data.idx.train, fraction, opts.seed);
    const c2 = new Array<number>(C).fill(0);
    for (const i of ix) c2[data.y[i]]++;
    const k = c2.indexOf(Math.max(...c2));
    return {
      fraction,
      trainSize: ix.length,
      trainMacroF1: macroF1(sub(data.y, ix), new Int32Array(ix.length).fill(k), C),
      devMacroF1: macroF1(sub(data.y, data.idx.dev), new Int32Array(data.idx.dev.length).fill(k), C),
    };
  });
  return finish(data, {
    model: 'majority',
    hp: null,
    metrics,
    history: [],
    bestEpoch: 0,
    seconds: 0,
    examplesPerSecond: Number.NaN,
    testProba,
    testPred: new Int32Array(data.idx.test.length).fill(cls),
    learningCurve: curve,
    tuning: [],
    featurizer: null,
    module: null,
    majorityClass: data.ds.labels[cls],
  });
}

function finish(data: PreparedData, run: Omit<ModelRun, 'pr' | 'hardHamFpr'>): ModelRun {
  const { ds } = data;
  const test = data.idx.test;
  const C = ds.labels.length;
  let pr: PrCurve | null = null;
  const pos = ds.positive === null ? -1 : ds.labels.indexOf(ds.positive);
  if (pos >= 0 && test.some((i) => data.y[i] === pos)) {
    pr = prCurve(
      Array.from({ length: test.length }, (_, j) => run.testProba[j * C + pos]),
      test.map((i) => data.y[i] === pos),
    );
  }
  let hardHamFpr: number | null = null;
  const hard = test.map((i, j) => [i, j]).filter(([i]) => ds.examples[i].group === 'hard-ham-1');
  if (hard.length && pos >= 0) hardHamFpr = hard.filter(([, j]) => run.testPred[j] === pos).length / hard.length;
  return { ...run, pr, hardHamFpr };
}

/**
 * Trains one model (optionally tuning it on dev first), evaluates it on train/dev/test and
 * computes its learning curve.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { loadTable } from './tabular.js';
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const prepared = prepareData(loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' }));
 * const run = runModel(prepared, 'logreg', { seed: 1 });
 * run.model // 'logreg'
 * ```
 */
export function runModel(data: PreparedData, model: ModelName, opts: RunOptions): ModelRun {
  if (model === 'majority') return majorityRun(data, opts);
  const log = opts.log ?? (() => {});
  const base: HyperParams = { ...DEFAULTS[model], ...opts.hp };
  const tuning: ModelRun['tuning'] = [];
  let best: Fitted | null = null;
  let bestHp = base;
  const candidates = opts.tune ? GRIDS[model].map((g) => ({ ...base, ...g })) : [base];
  for (const [k, hp] of candidates.entries()) {
    const f = fitOnce(data, model, hp, data.idx.train, opts, candidates.length > 1 ? `${model} ${k + 1}/${candidates.length}` : model);
    if (opts.tune) {
      const diff = Object.fromEntries(Object.entries(hp).filter(([key, v]) => base[key as keyof HyperParams] !== v || key in GRIDS[model][k]));
      tuning.push({ hp: diff, devMacroF1: f.devMacroF1 });
      log(`${model}: tune ${JSON.stringify(GRIDS[model][k])} -> dev macro-F1 ${f.devMacroF1.toFixed(4)}`);
    }
    if (!best || f.devMacroF1 > best.devMacroF1) {
      best = f;
      bestHp = hp;
    }
  }
  const f = best as Fitted;
  const C = data.ds.labels.length;
  const metrics = {} as Record<SplitName, SplitMetrics>;
  let testProba: Float32Array = new Float32Array(0);
  for (const s of ['train', 'dev', 'test'] as const) {
    const p = predictSplit(f, data, data.idx[s]);
    if (s === 'test') testProba = p;
    metrics[s] = classificationMetrics(sub(data.y, data.idx[s]), argmaxRows(p, C), data.ds.labels);
  }
  log(`${model}: trained in ${f.seconds.toFixed(1)} s (best epoch ${f.bestEpoch} of ${f.history.length})`);
  const curve: CurvePoint[] = [];
  for (const fraction of opts.curve ?? []) {
    if (fraction >= 1) {
      curve.push({ fraction, trainSize: data.idx.train.length, trainMacroF1: metrics.train.macroF1, devMacroF1: metrics.dev.macroF1 });
      continue;
    }
    const ix = curveSubset(data.idx.train, fraction, opts.seed);
    // the subset runs get the epochs the full run needed (plus one), so a curve costs little more than one training run
    // a smaller subset gets more epochs, so that it sees about as many optimizer steps as the full
    // run needed: with the full run's epoch count its models stop near the majority class
    const needed = Math.max(2, f.bestEpoch + 1);
    const curveHp = { ...bestHp, epochs: Math.min(8 * needed, Math.ceil(needed / fraction)), patience: 2 };
    const g = fitOnce(data, model, curveHp, ix, opts, `${model} curve ${Math.round(fraction * 100)}%`);
    const tr = macroF1(sub(data.y, ix), argmaxRows(predictSplit(g, data, ix), C), C);
    const dv = macroF1(sub(data.y, data.idx.dev), argmaxRows(predictSplit(g, data, data.idx.dev), C), C);
    curve.push({ fraction, trainSize: ix.length, trainMacroF1: tr, devMacroF1: dv });
    log(`${model}: learning curve ${Math.round(fraction * 100)}% (${ix.length}) train ${tr.toFixed(4)} dev ${dv.toFixed(4)}`);
  }
  return finish(data, {
    model,
    hp: bestHp,
    metrics,
    history: f.history,
    bestEpoch: f.bestEpoch,
    seconds: f.seconds,
    examplesPerSecond: f.examplesPerSecond,
    testProba,
    testPred: argmaxRows(testProba, C),
    learningCurve: curve,
    tuning,
    featurizer: f.featurizer,
    module: f.module,
  });
}
