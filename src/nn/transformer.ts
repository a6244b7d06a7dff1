import { ChainruleError } from '../errors.js';
import { tensor } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { MultiheadAttention } from './attention.js';
import { Dropout } from './dropout.js';
import { xavierUniform } from './init.js';
import { Linear } from './linear.js';
import { Module, showShape } from './module.js';
import { LayerNorm } from './norm.js';
import { Tensor, gelu, relu } from '../ops/index.js';

/** The feed-forward activation: 'relu', 'gelu' (the exact, erf form) or any function of a tensor. */
/** The feed-forward activation of a transformer layer: 'relu' (default), 'gelu', or any function of a tensor. @example new nn.TransformerEncoderLayer(8, 2, { activation: (x) => x.tanh(), dimFeedforward: 16 }).forward(randn([3, 1, 8])).shape // [3, 1, 8] */
export type TransformerActivation = 'relu' | 'gelu' | ((x: Tensor) => Tensor);

/**
 * Options of the transformer layers (PyTorch's keyword arguments of TransformerEncoderLayer and
 * TransformerDecoderLayer).
 * @example new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true, normFirst: true }).forward(randn([2, 5, 8])).shape // [2, 5, 8]
 */
export interface TransformerLayerOptions {
  /** width of the feed-forward block (default 2048) */
  dimFeedforward?: number;
  /** dropout after attention, inside and after the feed-forward block, and on attention weights (default 0.1) */
  dropout?: number;
  /** the feed-forward activation (default 'relu') */
  activation?: TransformerActivation;
  /** the layer norms' eps (default 1e-5) */
  layerNormEps?: number;
  /** inputs and outputs are [batch, seq, feature] instead of [seq, batch, feature] */
  batchFirst?: boolean;
  /** layer norm before attention and feed-forward (pre-norm) instead of after the residual sums */
  normFirst?: boolean;
  /** where every dropout mask of the layer comes from (default: the global seeded generator) */
  generator?: Generator;
}

/**
 * Options of an encoder layer's (and encoder's) forward: the source masks.
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
 * layer.forward(randn([2, 3, 8]), { srcKeyPaddingMask: tensor([[false, false, true], [false, false, false]]) }).shape // [2, 3, 8]
 * ```
 */
export interface EncoderLayerForwardOptions {
  /** `[S, S]` or `[batch·nhead, S, S]` (true: not allowed, or a float added), as MultiheadAttention's attnMask */
  srcMask?: Tensor | null;
  /** `[batch, S]`: true where a position is padding */
  srcKeyPaddingMask?: Tensor | null;
  /** each position attends to itself and earlier positions only */
  isCausal?: boolean;
}

/**
 * Options of a decoder layer's (and decoder's) forward: the target and memory masks.
 * @example
 * ```ts
 * const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16 });
 * layer.forward(randn([4, 1, 8]), randn([6, 1, 8]), { tgtIsCausal: true }).shape // [4, 1, 8]
 * ```
 */
export interface DecoderLayerForwardOptions {
  /** `[T, T]`: true where a target may not attend to a target, or a float added to the scores */
  tgtMask?: Tensor | null;
  /** `[T, S]`: true where a target may not attend to a memory position, or a float added */
  memoryMask?: Tensor | null;
  /** `[batch, T]`: true where a target position is padding */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[batch, S]`: true where a memory position is padding */
  memoryKeyPaddingMask?: Tensor | null;
  /** target position i attends to targets j <= i only */
  tgtIsCausal?: boolean;
  /** target position i attends to memory positions j <= i only */
  memoryIsCausal?: boolean;
}

const DECODER_OPTIONS = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask', 'tgtIsCausal', 'memoryIsCausal'];

/**
 * The resolved hyper-parameters of a transformer encoder or decoder layer (its `config`): the
 * constructor's arguments with every option's default filled in.
 * @example new nn.TransformerEncoderLayer(8, 2).config.dimFeedforward // 2048
 */
export interface LayerConfig {
  /** width of the model: the last dimension of inputs and outputs (PyTorch's `d_model`) */
  dModel: number;
  /** number of attention heads; dModel must be divisible by it */
  nhead: number;
  /** hidden width of the feed-forward block (default 2048, PyTorch's `dim_feedforward`) */
  dimFeedforward: number;
  /** dropout probability after attention and in the feed-forward block (default 0.1) */
  dropout: number;
  /** activation of the feed-forward block: 'relu' (default), 'gelu' or a function */
  activation: TransformerActivation;
  /** eps of the layer norms (default 1e-5, PyTorch's `layer_norm_eps`) */
  layerNormEps: number;
  /** inputs are `[batch, seq, feature]` rather than `[seq, batch, feature]` (default false, PyTorch's `batch_first`) */
  batchFirst: boolean;
  /** apply layer norm before attention and feed-forward (pre-norm) rather than after (default false, PyTorch's `norm_first`) */
  normFirst: boolean;
  /** random generator of the dropout masks and the initialisation; undefined uses the global one */
  generator: Generator | undefined;
}

function config(name: string, dModel: number, nhead: number, o: TransformerLayerOptions): LayerConfig {
  const c = {
    dModel,
    nhead,
    dimFeedforward: o.dimFeedforward ?? 2048,
    dropout: o.dropout ?? 0.1,
    activation: o.activation ?? 'relu',
    layerNormEps: o.layerNormEps ?? 1e-5,
    batchFirst: o.batchFirst ?? false,
    normFirst: o.normFirst ?? false,
    generator: o.generator,
  };
  for (const [v, what] of [
    [dModel, 'dModel'],
    [nhead, 'nhead'],
    [c.dimFeedforward, 'dimFeedforward'],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) throw new ChainruleError(`${name}: ${what} must be a positive integer, got ${v}`);
  }
  if (dModel % nhead !== 0) throw new ChainruleError(`${name}: dModel ${dModel} is not divisible by nhead ${nhead}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new ChainruleError(`${name}: dropout must be in [0, 1), got ${c.dropout}`);
  if (c.activation !== 'relu' && c.activation !== 'gelu' && typeof c.activation !== 'function') {
    throw new ChainruleError(`${name}: activation must be 'relu', 'gelu' or a function, got ${JSON.stringify(c.activation)}`);
  }
  if (!(c.layerNormEps > 0)) throw new ChainruleError(`${name}: layerNormEps must be positive, got ${c.layerNormEps}`);
  return c;
}

function activate(a: TransformerActivation, x: Tensor): Tensor {
  return a === 'relu' ? relu(x) : a === 'gelu' ? gelu(x) : a(x);
}

/** A module's input error (ModuleInputError naming its path), for the checks below. */
type Fail = (detail: string) => never;

function checkFeatures(fail: Fail, what: string, x: unknown, d: number, batchFirst: boolean): Tensor {
  if (!(x instanceof Tensor)) fail(`${what} must be a Tensor`);
  const t = x as Tensor;
  if ((t.ndim !== 2 && t.ndim !== 3) || t.shape[t.ndim - 1] !== d) {
    fail(`expected ${what} ${batchFirst ? '[batch, seq, ' : '[seq, batch, '}${d}] or [seq, ${d}], got ${showShape(t.shape)}`);
  }
  return t;
}

function knownOptions(fail: Fail, opts: object, known: readonly string[]): void {
  if (opts === null || typeof opts !== 'object') fail(`options must be an object, got ${String(opts)}`);
  for (const k of Object.keys(opts)) if (!known.includes(k)) fail(`unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
}

/** A layer made again from its config, with the same weights (PyTorch's copy.deepcopy of the layer). */
function cloneLayer<T extends TransformerEncoderLayer | TransformerDecoderLayer>(layer: T): T {
  const C = layer.constructor as new (d: number, h: number, o: TransformerLayerOptions) => T;
  const c = layer.config;
  const copy = new C(c.dModel, c.nhead, c);
  copy.loadStateDict(layer.stateDict());
  copy.train(layer.training);
  return copy;
}

/**
 * One encoder layer of torch.nn.TransformerEncoderLayer: self-attention and a feed-forward block
 * (linear1, activation, dropout, linear2), each with dropout and a residual connection, and layer
 * norm after each sum (post-norm, PyTorch's default) or before each block (normFirst). Parameter
 * names are PyTorch's (self_attn.in_proj_weight, linear1.weight, norm1.bias, ...).
 * @example
 * ```ts
 * const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
 * layer.forward(randn([2, 7, 16])).shape // [2, 7, 16]
 * ```
 */
export class TransformerEncoderLayer extends Module {
  private _fail: Fail = (d) => this.inputError(d);
  /** the self-attention block, `MultiheadAttention(dModel, nhead)` with the layer's dropout */
  self_attn: MultiheadAttention;
  /** first linear of the feed-forward block, dModel -> dimFeedforward (weight `[dimFeedforward, dModel]`) */
  linear1: Linear;
  /** dropout between the feed-forward block's activation and linear2 */
  dropout: Dropout;
  /** second linear of the feed-forward block, dimFeedforward -> dModel */
  linear2: Linear;
  /** layer norm of the self-attention block (before it with normFirst, after the residual otherwise) */
  norm1: LayerNorm;
  /** layer norm of the feed-forward block */
  norm2: LayerNorm;
  /** dropout on the self-attention block's output, before the residual add */
  dropout1: Dropout;
  /** dropout on the feed-forward block's output, before the residual add */
  dropout2: Dropout;
  private _config: LayerConfig;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const c = config('TransformerEncoderLayer', dModel, nhead, opts);
    this._config = c;
    const g = { generator: c.generator };
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: c.dropout, batchFirst: c.batchFirst, generator: c.generator });
    this.linear1 = new Linear(dModel, c.dimFeedforward);
    this.dropout = new Dropout(c.dropout, g);
    this.linear2 = new Linear(c.dimFeedforward, dModel);
    this.norm1 = new LayerNorm(dModel, { eps: c.layerNormEps });
    this.norm2 = new LayerNorm(dModel, { eps: c.layerNormEps });
    this.dropout1 = new Dropout(c.dropout, g);
    this.dropout2 = new Dropout(c.dropout, g);
  }

  /** The layer's settings (what a stack's copies are made with). */
  get config(): Readonly<LayerConfig> {
    return this._config;
  }

  override describe(): string {
    return `TransformerEncoderLayer ${this._config.dModel}/${this._config.nhead} heads`;
  }

  override extraRepr(): string {
    const c = this._config;
    return `dModel=${c.dModel}, nhead=${c.nhead}, dimFeedforward=${c.dimFeedforward}, dropout=${c.dropout}${c.normFirst ? ', normFirst=true' : ''}${c.batchFirst ? ', batchFirst=true' : ''}`;
  }

  /** src [S, N, dModel] (batchFirst: [N, S, dModel]; unbatched: [S, dModel]) -> the same shape. */
  forward(src: Tensor, opts: EncoderLayerForwardOptions = {}): Tensor {
    this.namedChildren(); // links the children to their names for error paths
    knownOptions(this._fail, opts, ['srcMask', 'srcKeyPaddingMask', 'isCausal']);
    const c = this._config;
    checkFeatures(this._fail, 'src', src, c.dModel, c.batchFirst);
    const mask = { attnMask: opts.srcMask ?? null, keyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal: opts.isCausal ?? false };
    const sa = (x: Tensor): Tensor => this.dropout1.call(this.self_attn.call(x, x, x, { ...mask, needWeights: false })[0]);
    const ff = (x: Tensor): Tensor => this.dropout2.call(this.linear2.call(this.dropout.call(activate(c.activation, this.linear1.call(x)))));
    let x = src;
    if (c.normFirst) {
      x = x.add(sa(this.norm1.call(x)));
      return x.add(ff(this.norm2.call(x)));
    }
    x = this.norm1.call(x.add(sa(x)));
    return this.norm2.call(x.add(ff(x)));
  }
}

/**
 * One decoder layer of torch.nn.TransformerDecoderLayer: self-attention over the target, attention
 * to the encoder's output (memory, multihead_attn), and a feed-forward block, each with dropout, a
 * residual connection and layer norm (post-norm, or pre-norm with normFirst).
 * @example
 * ```ts
 * const layer = new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
 * layer.forward(randn([2, 5, 16]), randn([2, 7, 16]), { tgtIsCausal: true }).shape // [2, 5, 16]
 * ```
 */
export class TransformerDecoderLayer extends Module {
  private _fail: Fail = (d) => this.inputError(d);
  /** the target self-attention block, `MultiheadAttention(dModel, nhead)` */
  self_attn: MultiheadAttention;
  /** the cross-attention block: targets attend to the encoder's memory */
  multihead_attn: MultiheadAttention;
  /** first linear of the feed-forward block, dModel -> dimFeedforward */
  linear1: Linear;
  /** dropout between the feed-forward block's activation and linear2 */
  dropout: Dropout;
  /** second linear of the feed-forward block, dimFeedforward -> dModel */
  linear2: Linear;
  /** layer norm of the self-attention block */
  norm1: LayerNorm;
  /** layer norm of the cross-attention block */
  norm2: LayerNorm;
  /** layer norm of the feed-forward block */
  norm3: LayerNorm;
  /** dropout on the self-attention block's output, before the residual add */
  dropout1: Dropout;
  /** dropout on the cross-attention block's output, before the residual add */
  dropout2: Dropout;
  /** dropout on the feed-forward block's output, before the residual add */
  dropout3: Dropout;
  private _config: LayerConfig;

  constructor(dModel: number, nhead: number, opts: TransformerLayerOptions = {}) {
    super();
    const c = config('TransformerDecoderLayer', dModel, nhead, opts);
    this._config = c;
    const g = { generator: c.generator };
    const mha = { dropout: c.dropout, batchFirst: c.batchFirst, generator: c.generator };
    this.self_attn = new MultiheadAttention(dModel, nhead, mha);
    this.multihead_attn = new MultiheadAttention(dModel, nhead, mha);
    this.linear1 = new Linear(dModel, c.dimFeedforward);
    this.dropout = new Dropout(c.dropout, g);
    this.linear2 = new Linear(c.dimFeedforward, dModel);
    this.norm1 = new LayerNorm(dModel, { eps: c.layerNormEps });
    this.norm2 = new LayerNorm(dModel, { eps: c.layerNormEps });
    this.norm3 = new LayerNorm(dModel, { eps: c.layerNormEps });
    this.dropout1 = new Dropout(c.dropout, g);
    this.dropout2 = new Dropout(c.dropout, g);
    this.dropout3 = new Dropout(c.dropout, g);
  }

  /** The layer's settings (what a stack's copies are made with). */
  get config(): Readonly<LayerConfig> {
    return this._config;
  }

  override describe(): string {
    return `TransformerDecoderLayer ${this._config.dModel}/${this._config.nhead} heads`;
  }

  override extraRepr(): string {
    const c = this._config;
    return `dModel=${c.dModel}, nhead=${c.nhead}, dimFeedforward=${c.dimFeedforward}, dropout=${c.dropout}${c.normFirst ? ', normFirst=true' : ''}${c.batchFirst ? ', batchFirst=true' : ''}`;
  }

  /** tgt [T, N, dModel] and memory [S, N, dModel] (batchFirst: batch first) -> [T, N, dModel]. */
  forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    this.namedChildren();
    knownOptions(this._fail, opts, DECODER_OPTIONS);
    const c = this._config;
    checkFeatures(this._fail, 'tgt', tgt, c.dModel, c.batchFirst);
    checkFeatures(this._fail, 'memory', memory, c.dModel, c.batchFirst);
    const sa = (x: Tensor): Tensor =>
      this.dropout1.call(this.self_attn.call(x, x, x, { attnMask: opts.tgtMask ?? null, keyPaddingMask: opts.tgtKeyPaddingMask ?? null, isCausal: opts.tgtIsCausal ?? false, needWeights: false })[0]);
    const ca = (x: Tensor): Tensor =>
      this.dropout2.call(
        this.multihead_attn.call(x, memory, memory, { attnMask: opts.memoryMask ?? null, keyPaddingMask: opts.memoryKeyPaddingMask ?? null, isCausal: opts.memoryIsCausal ?? false, needWeights: false })[0],
      );
    const ff = (x: Tensor): Tensor => this.dropout3.call(this.linear2.call(this.dropout.call(activate(c.activation, this.linear1.call(x)))));
    let x = tgt;
    if (c.normFirst) {
      x = x.add(sa(this.norm1.call(x)));
      x = x.add(ca(this.norm2.call(x)));
      return x.add(ff(this.norm3.call(x)));
    }
    x = this.norm1.call(x.add(sa(x)));
    x = this.norm2.call(x.add(ca(x)));
    return this.norm3.call(x.add(ff(x)));
  }
}

function stackSize(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new ChainruleError(`${name}: numLayers must be a positive integer, got ${n}`);
  return n;
}

/**
 * A stack of numLayers copies of an encoder layer (layers.0, layers.1, ..., each starting from the
 * given layer's weights, as PyTorch's deep copies) and an optional final norm.
 * @example
 * ```ts
 * const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32 }), 2);
 * enc.forward(randn([7, 2, 16])).shape // [7, 2, 16]
 * ```
 */
export class TransformerEncoder extends Module {
  private _fail: Fail = (d) => this.inputError(d);
  /** numLayers independent deep copies of the given encoder layer, applied in order */
  layers: TransformerEncoderLayer[];
  /** layer norm applied after the last layer (the `norm` option); null: none */
  norm: LayerNorm | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, opts: { norm?: LayerNorm | null } = {}) {
    super();
    if (!(encoderLayer instanceof TransformerEncoderLayer)) throw new ChainruleError('TransformerEncoder: encoderLayer must be a TransformerEncoderLayer');
    this.layers = Array.from({ length: stackSize('TransformerEncoder', numLayers) }, () => cloneLayer(encoderLayer));
    this.norm = opts.norm ?? null;
  }

  override describe(): string {
    return `TransformerEncoder ${this.layers.length} layers`;
  }

  /** src through every layer (the same options for each), then the norm. */
  forward(src: Tensor, opts: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    this.namedChildren();
    knownOptions(this._fail, opts, ['mask', 'srcKeyPaddingMask', 'isCausal']);
    let x = src;
    for (const layer of this.layers) x = layer.call(x, { srcMask: opts.mask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null, isCausal: opts.isCausal ?? false });
    return this.norm ? this.norm.call(x) : x;
  }
}

/**
 * A stack of numLayers copies of a decoder layer and an optional final norm.
 * @example
 * ```ts
 * const dec = new nn.TransformerDecoder(new nn.TransformerDecoderLayer(16, 4, { dimFeedforward: 32 }), 2);
 * dec.forward(randn([5, 2, 16]), randn([7, 2, 16])).shape // [5, 2, 16]
 * ```
 */
export class TransformerDecoder extends Module {
  private _fail: Fail = (d) => this.inputError(d);
  /** numLayers independent deep copies of the given decoder layer, applied in order */
  layers: TransformerDecoderLayer[];
  /** layer norm applied after the last layer (the `norm` option); null: none */
  norm: LayerNorm | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, opts: { norm?: LayerNorm | null } = {}) {
    super();
    if (!(decoderLayer instanceof TransformerDecoderLayer)) throw new ChainruleError('TransformerDecoder: decoderLayer must be a TransformerDecoderLayer');
    this.layers = Array.from({ length: stackSize('TransformerDecoder', numLayers) }, () => cloneLayer(decoderLayer));
    this.norm = opts.norm ?? null;
  }

  override describe(): string {
    return `TransformerDecoder ${this.layers.length} layers`;
  }

  forward(tgt: Tensor, memory: Tensor, opts: DecoderLayerForwardOptions = {}): Tensor {
    this.namedChildren();
    knownOptions(this._fail, opts, DECODER_OPTIONS);
    let x = tgt;
    for (const layer of this.layers) x = layer.call(x, memory, opts);
    return this.norm ? this.norm.call(x) : x;
  }
}

/**
 * Options of nn.Transformer: sizes, depths, the layer options, or an encoder and decoder of your own.
 * @example new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 }).numParameters() // 1536
 */
export interface TransformerOptions extends TransformerLayerOptions {
  /** the feature size of inputs and outputs (default 512) */
  dModel?: number;
  /** attention heads (default 8) */
  nhead?: number;
  /** encoder layers (default 6) */
  numEncoderLayers?: number;
  /** decoder layers (default 6) */
  numDecoderLayers?: number;
  /** used instead of the encoder stack */
  customEncoder?: Module & {
    /** maps src `[S, N, dModel]` (options: srcMask, srcKeyPaddingMask) to the memory */
    forward(src: Tensor, opts?: object): Tensor;
  };
  /** used instead of the decoder stack */
  customDecoder?: Module & {
    /** maps tgt `[T, N, dModel]` and the memory (options: the masks) to `[T, N, dModel]` */
    forward(tgt: Tensor, memory: Tensor, opts?: object): Tensor;
  };
}

/**
 * Options of nn.Transformer's forward: the masks of the encoder, the decoder and the memory, as PyTorch's.
 * @example
 * ```ts
 * const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
 * t.forward(randn([5, 1, 8]), randn([3, 1, 8]), { tgtMask: nn.Transformer.generateSquareSubsequentMask(3) }).shape // [3, 1, 8]
 * ```
 */
export interface TransformerForwardOptions {
  /** `[S, S]` mask of the encoder's self-attention */
  srcMask?: Tensor | null;
  /** `[T, T]` mask of the decoder's self-attention (generateSquareSubsequentMask for causal) */
  tgtMask?: Tensor | null;
  /** `[T, S]` mask of the decoder's attention to the memory */
  memoryMask?: Tensor | null;
  /** `[batch, S]`: true where a source position is padding */
  srcKeyPaddingMask?: Tensor | null;
  /** `[batch, T]`: true where a target position is padding */
  tgtKeyPaddingMask?: Tensor | null;
  /** `[batch, S]`: true where a memory position is padding (usually srcKeyPaddingMask) */
  memoryKeyPaddingMask?: Tensor | null;
}

/**
 * torch.nn.Transformer: an encoder and a decoder stack, each with a final layer norm (defaults
 * dModel 512, nhead 8, 6 + 6 layers, dimFeedforward 2048, dropout 0.1), every weight matrix
 * initialised Xavier-uniform as PyTorch.
 * @example
 * ```ts
 * const t = new nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32 });
 * t.forward(randn([7, 2, 16]), randn([5, 2, 16]), { tgtMask: nn.Transformer.generateSquareSubsequentMask(5) }).shape // [5, 2, 16]
 * ```
 */
export class Transformer extends Module {
  private _fail: Fail = (d) => this.inputError(d);
  /** the encoder stack: customEncoder, or 6 (numEncoderLayers) encoder layers with a final LayerNorm */
  encoder: Module & {
    /** maps src `[S, N, dModel]` (options: srcMask, srcKeyPaddingMask) to the memory */
    forward(src: Tensor, opts?: object): Tensor;
  };
  /** the decoder stack: customDecoder, or 6 (numDecoderLayers) decoder layers with a final LayerNorm */
  decoder: Module & {
    /** maps tgt `[T, N, dModel]` and the memory (options: the masks) to `[T, N, dModel]` */
    forward(tgt: Tensor, memory: Tensor, opts?: object): Tensor;
  };
  /** width of the model (default 512, PyTorch's `d_model`) */
  readonly dModel: number;
  /** number of attention heads (default 8) */
  readonly nhead: number;
  /** src and tgt are `[batch, seq, dModel]` instead of `[seq, batch, dModel]` (default false, PyTorch's `batch_first`) */
  readonly batchFirst: boolean;

  constructor(opts: TransformerOptions = {}) {
    super();
    this.dModel = opts.dModel ?? 512;
    this.nhead = opts.nhead ?? 8;
    this.batchFirst = opts.batchFirst ?? false;
    const eps = opts.layerNormEps ?? 1e-5;
    this.encoder =
      opts.customEncoder ?? new TransformerEncoder(new TransformerEncoderLayer(this.dModel, this.nhead, opts), opts.numEncoderLayers ?? 6, { norm: new LayerNorm(this.dModel, { eps }) });
    this.decoder =
      opts.customDecoder ?? new TransformerDecoder(new TransformerDecoderLayer(this.dModel, this.nhead, opts), opts.numDecoderLayers ?? 6, { norm: new LayerNorm(this.dModel, { eps }) });
    for (const p of this.parameters()) if (p.ndim > 1) xavierUniform(p);
  }

  override describe(): string {
    return `Transformer ${this.dModel}/${this.nhead} heads`;
  }

  /** src [S, N, dModel] and tgt [T, N, dModel] (batchFirst: batch first) -> [T, N, dModel]. */
  forward(src: Tensor, tgt: Tensor, opts: TransformerForwardOptions = {}): Tensor {
    this.namedChildren();
    knownOptions(this._fail, opts, ['srcMask', 'tgtMask', 'memoryMask', 'srcKeyPaddingMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask']);
    checkFeatures(this._fail, 'src', src, this.dModel, this.batchFirst);
    checkFeatures(this._fail, 'tgt', tgt, this.dModel, this.batchFirst);
    const b = this.batchFirst ? 0 : 1;
    if (src.ndim !== tgt.ndim || (src.ndim === 3 && src.shape[b] !== tgt.shape[b])) {
      this.inputError(`the batch size of src and tgt must be equal, got src ${showShape(src.shape)} and tgt ${showShape(tgt.shape)}`);
    }
    const memory = this.encoder.call(src, { mask: opts.srcMask ?? null, srcKeyPaddingMask: opts.srcKeyPaddingMask ?? null });
    return this.decoder.call(tgt, memory, {
      tgtMask: opts.tgtMask ?? null,
      memoryMask: opts.memoryMask ?? null,
      tgtKeyPaddingMask: opts.tgtKeyPaddingMask ?? null,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask ?? null,
    });
  }

  /**
   * The float mask [sz, sz] that keeps position i from attending to later ones: 0 on and below the
   * diagonal, -Infinity above, as torch.nn.Transformer.generate_square_subsequent_mask.
   * @example nn.Transformer.generateSquareSubsequentMask(2).toArray() // [[0, -Infinity], [0, 0]]
   */
  static generateSquareSubsequentMask(sz: number): Tensor {
    if (!Number.isInteger(sz) || sz < 0) throw new ChainruleError(`Transformer.generateSquareSubsequentMask: sz must be a non-negative integer, got ${sz}`);
    const m = new Float32Array(sz * sz);
    for (let i = 0; i < sz; i++) for (let j = i + 1; j < sz; j++) m[i * sz + j] = Number.NEGATIVE_INFINITY;
    return tensor(m, { shape: [sz, sz] });
  }
}
