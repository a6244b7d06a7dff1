import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainruleError } from '../errors.js';
import { writeFileAtomic } from '../io/fs.js';
import { load, save } from '../io/save.js';
import { Featurizer, type FeatureState } from './features.js';
import type { TextModule } from './models/base.js';
import { DEFAULTS, type HyperParams, type ModelName, buildModel } from './specs.js';
import { tokenize } from './tokenizer.js';
import { argmaxRows, predictProba } from './train.js';

/** What model.json holds next to model.safetensors. */
export interface SavedModel {
  format: 'chainrule-textclf/1';
  model: ModelName;
  labels: string[];
  positive: string | null;
  hp: HyperParams | null;
  /** majority baseline: the class probabilities it always outputs */
  prior?: number[];
  features: FeatureState | null;
  dataset: string;
}

/**
 * Writes model.json (architecture, hyper-parameters, labels, fitted features) and
 * model.safetensors (the weights) into a run directory.
 * @example
 * ```ts
 * import { mkdtempSync, readdirSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-run-`);
 * const f = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const module = new text.LogisticRegression(f.size, 2);
 * const meta: SavedModel = { format: 'chainrule-textclf/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', hp: null, features: f.toJSON(), dataset: 'demo' };
 * saveTextModel(dir, meta, module);
 * readdirSync(dir).sort() // ['model.json', 'model.safetensors']
 * loadTextModule(dir).module instanceof text.LogisticRegression // true
 * ```
 */
export function saveTextModel(dir: string, meta: SavedModel, module: TextModule | null): void {
  writeFileAtomic(join(dir, 'model.json'), JSON.stringify(meta));
  if (module) save(module.stateDict(), join(dir, 'model.safetensors'), { metadata: { format: meta.format, model: meta.model } });
}

/** A loaded classifier that labels raw texts. */
export interface TextClassifier {
  meta: SavedModel;
  /** the trained network and the fitted features (null for the majority baseline) */
  module: TextModule | null;
  features: Featurizer | null;
  /** label and the probability of every class for each text */
  predict(texts: readonly string[]): { label: string; probability: number; probabilities: Record<string, number> }[];
}

/**
 * Reads a run directory written by `chainrule textclf train`: its model.json and the module with
 * its trained weights (null for the majority baseline, which has none). Errors start with `op`.
 * @example
 * ```ts
 * const { mkdtempSync, writeFileSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-run-`);
 * const f = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const meta = { format: 'chainrule-textclf/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', hp: null, features: f.toJSON(), dataset: 'demo' };
 * writeFileSync(`${dir}/model.json`, JSON.stringify(meta));
 * save(new text.LogisticRegression(f.size, 2).stateDict(), `${dir}/model.safetensors`);
 * const { meta: m, module } = loadTextModule(dir);
 * m.labels // ['ham', 'spam']
 * module instanceof text.LogisticRegression // true
 * ```
 */
export function loadTextModule(dir: string, op = 'textclf'): { meta: SavedModel; module: TextModule | null } {
  let meta: SavedModel;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as SavedModel;
  } catch (e) {
    throw new ChainruleError(`${op}: ${dir} holds no readable model.json (${(e as Error).message})`);
  }
  if (meta.format !== 'chainrule-textclf/1') throw new ChainruleError(`${op}: ${dir}/model.json has unknown format ${JSON.stringify(meta.format)}`);
  if (meta.model === 'majority') return { meta, module: null };
  const features = new Featurizer(meta.features as FeatureState);
  const module = buildModel(meta.model, features.size, meta.labels.length, meta.hp ?? DEFAULTS[meta.model]);
  module.loadStateDict(load(join(dir, 'model.safetensors')));
  return { meta, module };
}

/**
 * Loads a run directory written by `chainrule textclf train` and returns a classifier; errors
 * start with `op`.
 * @example
 * ```ts
 * const { mkdtempSync, writeFileSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const dir = mkdtempSync(`${tmpdir()}/chainrule-run-`);
 * const f = text.Featurizer.fit([['free', 'prize'], ['team', 'meeting']], { kind: 'sparse', vectorizer: { minDf: 1 } });
 * const meta = { format: 'chainrule-textclf/1', model: 'logreg', labels: ['ham', 'spam'], positive: 'spam', hp: null, features: f.toJSON(), dataset: 'demo' };
 * writeFileSync(`${dir}/model.json`, JSON.stringify(meta));
 * save(new text.LogisticRegression(f.size, 2).stateDict(), `${dir}/model.safetensors`);
 * loadTextModel(dir).predict(['free prize']).length // 1
 * ```
 */
export function loadTextModel(dir: string, op = 'textclf predict'): TextClassifier {
  const { meta, module } = loadTextModule(dir, op);
  const C = meta.labels.length;
  const out = (p: ArrayLike<number>, i: number) => {
    const probabilities: Record<string, number> = {};
    meta.labels.forEach((l, c) => {
      probabilities[l] = p[i * C + c];
    });
    const k = argmaxRows(Float32Array.from({ length: C }, (_, c) => p[i * C + c]), C)[0];
    return { label: meta.labels[k], probability: p[i * C + k], probabilities };
  };
  if (!module) {
    const prior = meta.prior ?? [];
    return { meta, module: null, features: null, predict: (texts) => texts.map(() => out(prior, 0)) };
  }
  const features = new Featurizer(meta.features as FeatureState);
  return {
    meta,
    module,
    features,
    predict: (texts) => {
      const enc = features.encode(texts.map((t) => tokenize(t, features.tokenizer)));
      const p = predictProba(module, enc, C);
      return texts.map((_, i) => out(p, i));
    },
  };
}
