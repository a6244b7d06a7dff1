// "Why this label": token attributions by integrated gradients (Sundararajan et al., 2017), computed
// with the engine's own autograd at the input a text model is differentiable in: its token
// embeddings (CNN, BiGRU, BiLSTM, transformer) or its feature values (logreg, MLP, fastText).
import { valueAndGrad } from '../autograd/functional.js';
import { noGrad } from '../autograd/mode.js';
import { ChainruleError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Featurizer } from './features.js';
import { type TextModule, isEmbeddingClassifier, isFeatureClassifier } from './models/base.js';
import { TransformerClassifier } from './models/transformer.js';
import { type PaddedBatch, padSequences } from './sequences.js';
import { ngrams, tokenize } from './tokenizer.js';
import { Vectorizer } from './vectorizer.js';
import { Vocabulary } from './vocab.js';
import type { Tensor } from '../ops/index.js';

/** What the path of integrated gradients starts from. */
export type Baseline = 'zero' | 'unk';

/** Options of {@link explainText}. */
export interface ExplainOptions {
  /** Riemann steps of the path integral to start with (default 50); doubled until completeness holds */
  steps?: number;
  /** the most steps to try (default 1600) */
  maxSteps?: number;
  /** 'zero' (all-zero embeddings or feature values, the default) or 'unk' (every token replaced by <unk>; sequence models only) */
  baseline?: Baseline;
  /** the label to explain, by name or class index (default: the predicted one) */
  label?: string | number;
  /** completeness tolerance, relative to the score difference (default 0.01) */
  tolerance?: number;
  /** what errors start with (default 'explainText') */
  op?: string;
}

/** A trained text model as explanations need it: a loaded run (`loadTextModel`) or its parts. */
export type ExplainableModel =
  | {
      /** the trained network (null for the majority baseline, which explainText rejects) */
      module: TextModule | null;
      /** the fitted features that encode a text for it (null for the majority baseline) */
      features: Featurizer | null;
      /** the run's model.json */
      meta: {
        /** the class names, in class-id order */
        labels: readonly string[];
      };
    }
  | {
      /** the trained network */
      module: TextModule;
      /** the fitted features that encode a text for it */
      features: Featurizer;
      /** the class names, in class-id order (the logits' columns) */
      labels: readonly string[];
    };

/** One token of the explained text and its share of the score. */
export interface TokenAttribution {
  /** the token as the tokenizer wrote it (by default lower-cased, with URLs, e-mails and numbers as their placeholders) */
  token: string;
  /** its share of score − baseline score (positive: toward the label) */
  attribution: number;
  /** false for a token outside the vocabulary (it is read as <unk>, or no feature contains it) */
  known: boolean;
}

/** The completeness check of integrated gradients: the attributions sum to F(x) − F(baseline). */
export interface Completeness {
  /** the sum of all attributions */
  sum: number;
  /** score − baseline score */
  difference: number;
  /** |sum − difference| / |difference| */
  relativeError: number;
  /** relativeError ≤ tolerance */
  holds: boolean;
  /** the tolerance asked for (ExplainOptions.tolerance, default 0.01) */
  tolerance: number;
  /** the Riemann steps of the result */
  steps: number;
  /** every try on the way there, from ExplainOptions.steps doubling up to maxSteps */
  tries: {
    /** the steps of this try */
    steps: number;
    /** its |sum − difference| / |difference| */
    relativeError: number;
  }[];
}

/** The result of {@link explainText}. */
export interface TextExplanation {
  /** the explained text, as given */
  text: string;
  /** the model's class names, in class-id order */
  labels: string[];
  /** the explained label (ExplainOptions.label, default the predicted one) */
  label: string;
  /** the explained label's class index in `labels` */
  labelIndex: number;
  /** the predicted label at the text */
  predicted: string;
  /** the class probabilities at the text (softmax of the logits), one per label */
  probabilities: number[];
  /** what was differentiated: the token embeddings or the feature values */
  input: 'embeddings' | 'features';
  /** what the path started from: 'zero' or 'unk' */
  baseline: Baseline;
  /** the explained label's logit at the text */
  score: number;
  /** the explained label's logit at the baseline */
  baselineScore: number;
  /** every token the model reads, in order (the sparse models' n-gram shares split over their tokens) */
  tokens: TokenAttribution[];
  /** the sparse models' own attributions: one per n-gram feature of the text, with its value */
  features:
    | {
        /** the n-gram, its words joined by a space */
        feature: string;
        /** its value in the text's feature row (TF-IDF weight, count or bag weight) */
        value: number;
        /** its share of score − baseline score */
        attribution: number;
      }[]
    | null;
  /** whether the attributions add up to score − baseline score, and how closely */
  completeness: Completeness;
  /** transformer only: attention weights `[layer][head][query][key]` over `tokens` (and a leading `[first]` token with first-token pooling) */
  attention: {
    /** the tokens the weights are over, in order */
    tokens: string[];
    /** the weights `[layer][head][query][key]`; each query's row sums to 1 */
    layers: number[][][][];
  } | null;
}

function labelsOf(m: ExplainableModel): string[] {
  return [...('labels' in m ? m.labels : m.meta.labels)];
}

function pickLabel(op: string, labels: readonly string[], label: string | number | undefined, predicted: number): number {
  if (label === undefined) return predicted;
  const k = typeof label === 'number' ? label : labels.indexOf(label);
  if (!(Number.isInteger(k) && k >= 0 && k < labels.length)) {
    throw new ChainruleError(`${op}: unknown label ${JSON.stringify(label)} (labels: ${labels.join(', ')})`);
  }
  return k;
}

/**
 * The path integral of integrated gradients at `steps` midpoints between a baseline and the
 * input (both [1, ...rest]): the attributions (x − x₀) ⊙ mean ∇F, summed by `reduce`.
 */
function integrate(f: (x: Tensor) => Tensor, x: Tensor, x0: Tensor, steps: number, chunk: number): Float64Array {
  const diff = noGrad(() => x.sub(x0));
  const per = x.shape.slice(1);
  const total = per.reduce((a, b) => a * b, 1);
  const acc = new Float64Array(total);
  for (let s = 0; s < steps; s += chunk) {
    const c = Math.min(chunk, steps - s);
    const alphas = tensor(
      Float64Array.from({ length: c }, (_, i) => (s + i + 0.5) / steps),
      { dtype: x.dtype, shape: [c, ...per.map(() => 1)] },
    );
    const path = noGrad(() => x0.add(diff.mul(alphas)));
    const [, [g]] = valueAndGrad((p) => f(p).sum())(path);
    const gd = g.contiguous().data;
    for (let i = 0; i < c; i++) for (let j = 0; j < total; j++) acc[j] += gd[i * total + j];
  }
  const d = diff.contiguous().data;
  for (let j = 0; j < total; j++) acc[j] = (acc[j] / steps) * d[j];
  return acc;
}

/** Doubles the steps until the attributions sum to the score difference within the tolerance. */
function converge(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  x0: Tensor,
  opts: { steps: number; maxSteps: number; tolerance: number; chunk: number },
): { attr: Float64Array; score: number; baselineScore: number; completeness: Completeness } {
  const [score, baselineScore] = noGrad(() => [f(x).item(), f(x0).item()]);
  const difference = score - baselineScore;
  const tries: { steps: number; relativeError: number }[] = [];
  let steps = opts.steps;
  for (;;) {
    const attr = integrate(f, x, x0, steps, opts.chunk);
    let sum = 0;
    for (const a of attr) sum += a;
    const relativeError = Math.abs(sum - difference) / Math.max(Math.abs(difference), Number.MIN_VALUE);
    tries.push({ steps, relativeError });
    const holds = relativeError <= opts.tolerance;
    if (holds || steps * 2 > opts.maxSteps) {
      return { attr, score, baselineScore, completeness: { sum, difference, relativeError, holds, tolerance: opts.tolerance, steps, tries } };
    }
    steps *= 2;
  }
}

/** How many path points go through the model at once, for about a million input numbers per call. */
function chunkFor(width: number): number {
  return Math.max(1, Math.min(64, Math.floor(1_000_000 / Math.max(1, width))));
}

/**
 * Token attributions of a trained text model for one text by integrated gradients: the score (the
 * logit of the label) is integrated along the straight path from a baseline to the text's input,
 * with gradients from chainrule's autograd, at the token embeddings of the sequence models (CNN,
 * BiGRU, BiLSTM, transformer; a token's attribution sums over its embedding) or at the feature
 * values of the sparse ones (logreg, MLP, fastText; each n-gram's attribution is split evenly over
 * its tokens). The completeness check (attributions sum to score − baseline score) is reported;
 * the steps double until it holds within `tolerance` or reach `maxSteps`. The model runs in eval
 * mode and in its own dtype (`module.double()` first for float64 sums). For the transformer the
 * attention maps of every layer and head come along.
 * @example
 * ```ts
 * manualSeed(0);
 * const docs = [['free', 'prize'], ['team', 'meeting']];
 * const features = text.Featurizer.fit(docs, { kind: 'sparse', vectorizer: { minDf: 1, weighting: 'bool', normalize: false } });
 * const module = new text.LogisticRegression(features.size, 2);
 * const e = text.explainText({ module, features, labels: ['ham', 'spam'] }, 'free prize', { label: 'spam' });
 * e.tokens.length // 2
 * e.completeness.holds // true
 * ```
 */
export function explainText(model: ExplainableModel, text: string, opts: ExplainOptions = {}): TextExplanation {
  const op = opts.op ?? 'explainText';
  const labels = labelsOf(model);
  const { module, features } = model;
  if (!module || !features) throw new ChainruleError(`${op}: the majority baseline has no inputs to attribute (it always predicts the same class)`);
  const steps = opts.steps ?? 50;
  const maxSteps = opts.maxSteps ?? 1600;
  const tolerance = opts.tolerance ?? 0.01;
  const baseline = opts.baseline ?? 'zero';
  if (!(Number.isInteger(steps) && steps >= 1)) throw new ChainruleError(`${op}: steps must be a positive integer, got ${steps}`);
  if (!(Number.isInteger(maxSteps) && maxSteps >= steps)) throw new ChainruleError(`${op}: maxSteps must be an integer of at least steps (${steps}), got ${maxSteps}`);
  if (!(tolerance > 0)) throw new ChainruleError(`${op}: tolerance must be positive, got ${tolerance}`);
  if (baseline !== 'zero' && baseline !== 'unk') throw new ChainruleError(`${op}: baseline must be 'zero' or 'unk', got ${JSON.stringify(baseline)}`);
  const tokens = tokenize(text, features.tokenizer);
  if (tokens.length === 0) throw new ChainruleError(`${op}: the text has no tokens to attribute (${JSON.stringify(text.slice(0, 40))})`);
  const was = module.training;
  module.eval();
  try {
    const st = features.state;
    if (st.kind === 'seq') {
      if (!isEmbeddingClassifier(module)) throw new ChainruleError(`${op}: ${module.describe()} cannot be differentiated at its token embeddings`);
      const vocab = Vocabulary.fromJSON(st.vocab);
      const kept = tokens.slice(0, st.maxLength);
      const ids = vocab.encode(kept);
      const pad = padSequences([ids], { maxLength: st.maxLength, minLength: st.minLength });
      const x = noGrad(() => module.embedTokens(pad));
      const x0 = noGrad(() => baselineEmbeddings(op, module, pad, baseline, vocab.unkId, x));
      const batchOf = (n: number): PaddedBatch => repeatBatch(pad, n);
      const logits = (e: Tensor) => module.classifyEmbedded(e, batchOf(e.shape[0]));
      const probs = noGrad(() => logits(x).softmax(1).toArray() as number[][])[0];
      const k = pickLabel(op, labels, opts.label, argmax(probs));
      const f = (e: Tensor) => logits(e).index(null, k);
      const E = x.shape[2];
      const r = converge(f, x, x0, { steps, maxSteps, tolerance, chunk: chunkFor(pad.length * E) });
      const perToken = kept.map((token, t) => {
        let a = 0;
        for (let j = 0; j < E; j++) a += r.attr[t * E + j];
        return { token, attribution: a, known: ids[t] !== vocab.unkId };
      });
      let attention: TextExplanation['attention'] = null;
      if (module instanceof TransformerClassifier) {
        const maps = noGrad(() => module.attentionMaps(pad));
        const n = kept.length + (module.cls ? 1 : 0);
        attention = {
          tokens: [...(module.cls ? ['[first]'] : []), ...kept],
          layers: maps.map((m) => (m.toArray() as number[][][][])[0].map((head) => head.slice(0, n).map((row) => row.slice(0, n)))),
        };
      }
      return { text, labels, label: labels[k], labelIndex: k, predicted: labels[argmax(probs)], probabilities: probs, input: 'embeddings', baseline, score: r.score, baselineScore: r.baselineScore, tokens: perToken, features: null, completeness: r.completeness, attention };
    }
    if (!isFeatureClassifier(module)) throw new ChainruleError(`${op}: ${module.describe()} cannot be differentiated at its feature values`);
    if (baseline !== 'zero') throw new ChainruleError(`${op}: baseline 'unk' needs a sequence model; ${module.describe()} reads feature values (use baseline 'zero')`);
    const vec = Vectorizer.fromJSON(st.vectorizer);
    const enc = features.encode([tokens]);
    if (enc.kind !== 'rows') throw new ChainruleError(`${op}: expected feature rows`);
    const csr = enc.x;
    const idx = csr.indices.slice(csr.indptr[0], csr.indptr[1]);
    const vals = csr.values.slice(csr.indptr[0], csr.indptr[1]);
    if (idx.length === 0) throw new ChainruleError(`${op}: no n-gram of the text is a feature of ${module.describe()}, so there is nothing to attribute`);
    const dtype = module.parameters()[0]?.dtype ?? 'float32';
    const x = tensor(Float64Array.from(vals), { dtype, shape: [1, idx.length] });
    const x0 = tensor(new Float64Array(idx.length), { dtype, shape: [1, idx.length] });
    const indices = Int32Array.from(idx);
    const logits = (v: Tensor) => module.classifyFeatures(v, indices);
    const probs = noGrad(() => logits(x).softmax(1).toArray() as number[][])[0];
    const k = pickLabel(op, labels, opts.label, argmax(probs));
    const r = converge((v) => logits(v).index(null, k), x, x0, { steps, maxSteps, tolerance, chunk: chunkFor(idx.length) });
    const feats = Array.from(indices, (i, j) => ({ feature: vec.state.features[i], value: vals[j], attribution: r.attr[j] }));
    return {
      text,
      labels,
      label: labels[k],
      labelIndex: k,
      predicted: labels[argmax(probs)],
      probabilities: probs,
      input: 'features',
      baseline,
      score: r.score,
      baselineScore: r.baselineScore,
      tokens: spreadOverTokens(tokens, feats, vec.state.ngramRange),
      features: feats,
      completeness: r.completeness,
      attention: null,
    };
  } finally {
    module.train(was);
  }
}

function argmax(xs: readonly number[]): number {
  let k = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[k]) k = i;
  return k;
}

/** The batch of `n` copies of a one-text batch (the path points of integrated gradients). */
function repeatBatch(pad: PaddedBatch, n: number): PaddedBatch {
  const ids = new Int32Array(n * pad.length);
  const mask = new Float32Array(n * pad.length);
  for (let i = 0; i < n; i++) {
    ids.set(pad.ids, i * pad.length);
    mask.set(pad.mask, i * pad.length);
  }
  return { ids, mask, lengths: new Int32Array(n).fill(pad.lengths[0]), batch: n, length: pad.length };
}

/** The baseline embeddings: zeros, or <unk>'s vector at every real token (padding keeps its own). */
function baselineEmbeddings(op: string, module: TextModule & { embedTokens(p: PaddedBatch): Tensor }, pad: PaddedBatch, baseline: Baseline, unkId: number, x: Tensor): Tensor {
  if (baseline === 'zero') return x.mul(0);
  if (unkId < 0) throw new ChainruleError(`${op}: baseline 'unk' needs a vocabulary with <unk>`);
  const ids = Int32Array.from(pad.ids, (id, i) => (pad.mask[i] > 0 ? unkId : id));
  return module.embedTokens({ ...pad, ids });
}

/** Each n-gram feature's attribution split evenly over the token positions of its occurrences. */
function spreadOverTokens(tokens: readonly string[], feats: { feature: string; attribution: number }[], range: [number, number]): TokenAttribution[] {
  const out = tokens.map((token) => ({ token, attribution: 0, known: false }));
  const byName = new Map(feats.map((f) => [f.feature, f.attribution]));
  const spots = new Map<string, number[]>();
  for (let n = range[0]; n <= range[1]; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const g = ngrams(tokens.slice(i, i + n), n, n)[0];
      if (!byName.has(g)) continue;
      const list = spots.get(g) ?? [];
      for (let t = i; t < i + n; t++) list.push(t);
      spots.set(g, list);
    }
  }
  for (const [g, list] of spots) {
    const share = (byName.get(g) as number) / list.length;
    for (const t of list) {
      out[t].attribution += share;
      out[t].known = true;
    }
  }
  return out;
}
