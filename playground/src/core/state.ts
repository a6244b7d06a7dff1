// The playground's whole state: what the controls show, what the URL hash carries, and what the
// worker builds a run from. Parsing a hash either gives a complete valid state or an error naming
// the key and the value; it never gives half a state.

export const DATASETS = ['circle', 'xor', 'gauss', 'spiral', 'plane', 'gaussreg', 'sin', 'cubic', 'abs', 'csv'] as const;
export type DatasetName = (typeof DATASETS)[number];
/** the regression sets: a real-valued target instead of classes */
export const REGRESSION: readonly DatasetName[] = ['plane', 'gaussreg'];

export const FEATURES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2', 'dist'] as const;
export type FeatureName = (typeof FEATURES)[number];

export const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'linear', 'sign', 'step'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const LOSSES = ['mse', 'bce', 'ce'] as const;
export type LossName = (typeof LOSSES)[number];

export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'perceptron'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export const REGULARIZERS = ['none', 'l1', 'l2'] as const;
export type Regularizer = (typeof REGULARIZERS)[number];

export const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10] as const;
export const MAX_LAYERS = 6;
export const MAX_NEURONS = 8;
export const MAX_CLASSES = 5;

export interface State {
  dataset: DatasetName;
  features: FeatureName[];
  /** neurons of each hidden layer, 0 to 6 layers of 1 to 8 */
  layers: number[];
  /** one activation per hidden layer, then the output's (used by the MSE loss; BCE and CE read logits) */
  activations: Activation[];
  loss: LossName;
  optimizer: OptimizerName;
  lr: number;
  reg: Regularizer;
  regRate: number;
  /** coordinate noise in percent, 0 to 50 */
  noise: number;
  /** percentage of the points used for training, 10 to 90 */
  ratio: number;
  batch: number;
  seed: number;
  /** dropout probability after each hidden layer, 0 to 0.9 */
  dropout: number;
  /** classes of the gauss and spiral sets, 2 to 5 */
  classes: number;
}

export const DEFAULT_STATE: State = {
  dataset: 'circle',
  features: ['x1', 'x2'],
  layers: [4, 2],
  activations: ['tanh', 'tanh', 'tanh'],
  loss: 'mse',
  optimizer: 'sgd',
  lr: 0.03,
  reg: 'none',
  regRate: 0,
  noise: 0,
  ratio: 50,
  batch: 10,
  seed: 1,
  dropout: 0,
  classes: 2,
};

export const isRegression = (s: Pick<State, 'dataset'>, csvRegression = false): boolean => REGRESSION.includes(s.dataset) || (s.dataset === 'csv' && csvRegression);

/** Outputs of the network: one per class for cross-entropy, else one. */
export const outputCount = (s: State, classes: number): number => (s.loss === 'ce' ? classes : 1);

/** The perceptron rule applies to a single layer of threshold units. */
export const perceptronApplies = (s: State): boolean => s.layers.length === 0 && s.loss === 'mse' && (s.activations[0] === 'sign' || s.activations[0] === 'step');

/**
 * Makes a state self-consistent after a change: one activation per layer plus the output, a loss
 * the data set allows, the perceptron rule only where it applies. Returns notes on what changed.
 */
export function normalize(s: State, classes: number, regression: boolean): { state: State; notes: string[] } {
  const notes: string[] = [];
  const st: State = { ...s, features: [...s.features], layers: [...s.layers], activations: [...s.activations] };
  const want = st.layers.length + 1;
  const fill = st.activations[0] ?? 'tanh';
  while (st.activations.length < want) st.activations.splice(st.activations.length - 1, 0, st.activations[st.activations.length - 2] ?? fill);
  if (st.activations.length > want) st.activations = [...st.activations.slice(0, want - 1), st.activations[st.activations.length - 1]];
  if (regression && st.loss !== 'mse') {
    notes.push('a regression data set trains with the MSE loss');
    st.loss = 'mse';
  }
  if (!regression && classes > 2 && st.loss !== 'ce') {
    notes.push(`${classes} classes train with softmax and cross-entropy`);
    st.loss = 'ce';
  }
  if (st.optimizer === 'perceptron' && !perceptronApplies(st)) {
    notes.push('the perceptron rule trains one layer of sign or step units with the MSE read-out; switched to SGD');
    st.optimizer = 'sgd';
  }
  if (st.features.length === 0) {
    notes.push('at least one feature is needed; X1 is on');
    st.features = ['x1'];
  }
  return { state: st, notes };
}

const num = (v: number) => String(v);

/** The state as a URL hash (without '#'), every key, in a fixed order. */
export function toHash(s: State): string {
  const parts: [string, string][] = [
    ['dataset', s.dataset],
    ['features', s.features.join(',')],
    ['layers', s.layers.join(',')],
    ['activation', s.activations.join(',')],
    ['loss', s.loss],
    ['optimizer', s.optimizer],
    ['lr', num(s.lr)],
    ['reg', s.reg],
    ['regRate', num(s.regRate)],
    ['noise', num(s.noise)],
    ['ratio', num(s.ratio)],
    ['batch', num(s.batch)],
    ['seed', num(s.seed)],
    ['dropout', num(s.dropout)],
    ['classes', num(s.classes)],
  ];
  return parts.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

export class HashError extends Error {}

function oneOf<T extends string>(key: string, raw: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(raw)) throw new HashError(`URL hash: ${key}=${raw} is not one of ${allowed.join(', ')}`);
  return raw as T;
}

function numberIn(key: string, raw: string, min: number, max: number, integer: boolean): number {
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new HashError(`URL hash: ${key}=${raw} is out of range (${integer ? 'an integer' : 'a number'} from ${min} to ${max})`);
  }
  return v;
}

function listOf<T extends string>(key: string, raw: string, allowed: readonly T[]): T[] {
  if (raw === '') return [];
  return raw.split(',').map((x) => oneOf(key, x, allowed));
}

/**
 * Reads a URL hash into a full state: keys it does not name keep `base`'s values. An unknown key
 * or an out-of-range value throws a HashError naming it.
 * @example fromHash('dataset=xor&layers=2', DEFAULT_STATE).layers // [2]
 */
export function fromHash(hash: string, base: State): State {
  const st: State = { ...base, features: [...base.features], layers: [...base.layers], activations: [...base.activations] };
  const text = hash.replace(/^#/, '');
  if (text.trim() === '') return st;
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let raw: string;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      raw = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw new HashError(`URL hash: "${part}" is not valid percent-encoding`);
    }
    switch (key) {
      case 'dataset':
        st.dataset = oneOf(key, raw, DATASETS);
        break;
      case 'features': {
        const f = listOf(key, raw, FEATURES);
        if (f.length === 0) throw new HashError('URL hash: features= names no feature (at least one of x1, x2, ...)');
        st.features = FEATURES.filter((x) => f.includes(x));
        break;
      }
      case 'layers': {
        const l = raw === '' ? [] : raw.split(',').map((x) => numberIn('layers', x, 1, MAX_NEURONS, true));
        if (l.length > MAX_LAYERS) throw new HashError(`URL hash: layers=${raw} has ${l.length} hidden layers (at most ${MAX_LAYERS})`);
        st.layers = l;
        break;
      }
      case 'activation':
        st.activations = listOf(key, raw, ACTIVATIONS);
        break;
      case 'loss':
        st.loss = oneOf(key, raw, LOSSES);
        break;
      case 'optimizer':
        st.optimizer = oneOf(key, raw, OPTIMIZERS);
        break;
      case 'lr':
        st.lr = numberIn(key, raw, 1e-6, 10, false);
        break;
      case 'reg':
        st.reg = oneOf(key, raw, REGULARIZERS);
        break;
      case 'regRate':
        st.regRate = numberIn(key, raw, 0, 10, false);
        break;
      case 'noise':
        st.noise = numberIn(key, raw, 0, 50, true);
        break;
      case 'ratio':
        st.ratio = numberIn(key, raw, 10, 90, true);
        break;
      case 'batch':
        st.batch = numberIn(key, raw, 1, 30, true);
        break;
      case 'seed':
        st.seed = numberIn(key, raw, 0, 2 ** 31 - 1, true);
        break;
      case 'dropout':
        st.dropout = numberIn(key, raw, 0, 0.9, false);
        break;
      case 'classes':
        st.classes = numberIn(key, raw, 2, MAX_CLASSES, true);
        break;
      default:
        throw new HashError(`URL hash: unknown key "${key}" (keys: dataset, features, layers, activation, loss, optimizer, lr, reg, regRate, noise, ratio, batch, seed, dropout, classes)`);
    }
  }
  if (!hash.includes('activation=')) {
    // a hash that changes the layers without naming activations keeps the first one for every layer
    st.activations = [...st.layers.map(() => base.activations[0] ?? 'tanh'), base.activations[base.activations.length - 1] ?? 'tanh'];
  } else if (st.activations.length !== st.layers.length + 1 && st.activations.length !== 1) {
    throw new HashError(`URL hash: activation= lists ${st.activations.length} activations; give one, or one per hidden layer plus the output (${st.layers.length + 1})`);
  } else if (st.activations.length === 1) st.activations = Array.from({ length: st.layers.length + 1 }, () => st.activations[0]);
  return st;
}
