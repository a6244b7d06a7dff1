import { ChainruleError } from '../errors.js';
import { empty, scalar, tensor, zeros } from '../tensor/creation.js';
import type { Generator } from '../tensor/random.js';
import { dropout } from './fn/dropout.js';
import { linear } from './fn/linear.js';
import { constant, xavierNormal, xavierUniform } from './init.js';
import { Linear } from './linear.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import { Tensor, add, concat, logicalAnd, logicalNot, matmulT, pad, scaledDotProductAttention, softmax, where } from '../ops/index.js';

/**
 * Options of nn.MultiheadAttention (PyTorch's keyword arguments, camelCased).
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true, kdim: 4, vdim: 6 });
 * const [y] = mha.forward(randn([3, 5, 8]), randn([3, 7, 4]), randn([3, 7, 6]));
 * y.shape // [3, 5, 8]
 * ```
 */
export interface MultiheadAttentionOptions {
  /** dropout on the attention weights while training (default 0) */
  dropout?: number;
  /** biases of the input and output projections (default true) */
  bias?: boolean;
  /** learn a bias key and value appended to the keys and values (bias_k, bias_v) */
  addBiasKV?: boolean;
  /** append a key and value of zeros */
  addZeroAttn?: boolean;
  /** features of the keys and values (default embedDim); others give separate q/k/v projection weights */
  kdim?: number;
  /** features of the values (default embedDim) */
  vdim?: number;
  /** inputs and outputs are [batch, seq, feature] instead of [seq, batch, feature] */
  batchFirst?: boolean;
  /** where the dropout masks come from (default: the global seeded generator) */
  generator?: Generator;
}

/**
 * Options of nn.MultiheadAttention's forward: masks, and whether and how to return the weights.
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(4, 2);
 * const x = randn([3, 1, 4]); // seq 3, batch 1, embed 4
 * const [, w] = mha.forward(x, x, x, { isCausal: true });
 * w?.index(0, 0).toArray() // [1, 0, 0]
 * ```
 */
export interface MultiheadAttentionForwardOptions {
  /** [batch, S] (or [S] unbatched): true (or a float added to the scores) where a key is padding, as PyTorch */
  keyPaddingMask?: Tensor | null;
  /**
   * [L, S] or [batch·numHeads, L, S], PyTorch's convention: true where a query may NOT attend to a
   * key, or a float added to the scores
   */
  attnMask?: Tensor | null;
  /** also return the attention weights (default true, as PyTorch) */
  needWeights?: boolean;
  /** average the returned weights over the heads (default true); false gives [batch, numHeads, L, S] */
  averageAttnWeights?: boolean;
  /** query i attends to keys j <= i only (combined with the other masks) */
  isCausal?: boolean;
}

/** One mask on the scores [N, H, L, S], broadcast: `attend` true where a key is seen, or `add` added. */
type MaskPart = { attend: Tensor } | { add: Tensor };

function positive(n: number, what: string): number {
  if (!Number.isInteger(n) || n <= 0) throw new ChainruleError(`MultiheadAttention: ${what} must be a positive integer, got ${n}`);
  return n;
}

/**
 * Multi-head attention as torch.nn.MultiheadAttention: the query, key and value are projected
 * (in_proj_weight [3·embedDim, embedDim], or q_proj_weight, k_proj_weight and v_proj_weight when
 * kdim or vdim differ), split into numHeads heads, attended with scaled dot-product attention,
 * joined and projected by out_proj. Parameter names, layouts and initialisation are PyTorch's, so
 * its state dicts load with loadStateDict. forward returns [output, weights] (weights null unless
 * needWeights); without weights attention runs as one fused op that never stores them.
 * @example
 * ```ts
 * const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
 * const x = randn([3, 5, 8]);
 * const [y, w] = mha.forward(x, x, x);
 * [y.shape, w?.shape] // [[3, 5, 8], [3, 5, 5]]
 * ```
 */
export class MultiheadAttention extends Module {
  /** packed q, k, v projection, shape `[3·embedDim, embedDim]`, xavier-uniform init; null when kdim or vdim differs from embedDim */
  in_proj_weight: Parameter | null = null;
  /** query projection `[embedDim, embedDim]`, xavier-uniform; set only when kdim or vdim differs from embedDim (else null) */
  q_proj_weight: Parameter | null = null;
  /** key projection `[embedDim, kdim]`, xavier-uniform; set only when kdim or vdim differs from embedDim (else null) */
  k_proj_weight: Parameter | null = null;
  /** value projection `[embedDim, vdim]`, xavier-uniform; set only when kdim or vdim differs from embedDim (else null) */
  v_proj_weight: Parameter | null = null;
  /** bias of the q, k, v projections, shape `[3·embedDim]`, init zeros; null with `bias: false` */
  in_proj_bias: Parameter | null = null;
  /** learned key appended to every sequence, shape `[1, 1, embedDim]`, xavier-normal; null unless `addBiasKV` (PyTorch's `add_bias_kv`) */
  bias_k: Parameter | null = null;
  /** learned value appended to every sequence, shape `[1, 1, embedDim]`, xavier-normal; null unless `addBiasKV` */
  bias_v: Parameter | null = null;
  /** the output projection, `Linear(embedDim, embedDim)` with its bias init zeros */
  out_proj: Linear;
  /** embedDim / numHeads: the width of each head's queries, keys and values */
  readonly headDim: number;
  /** number of features of the key (default embedDim) */
  readonly kdim: number;
  /** number of features of the value (default embedDim) */
  readonly vdim: number;
  /** dropout probability on the attention weights in training mode (default 0) */
  readonly dropout: number;
  /** query, key and value are `[batch, seq, feature]` instead of `[seq, batch, feature]` (default false, PyTorch's `batch_first`) */
  readonly batchFirst: boolean;
  /** append a zero key and value to every sequence (default false, PyTorch's `add_zero_attn`) */
  readonly addZeroAttn: boolean;
  private _generator: Generator | undefined;

  constructor(
    /** total width of the model; split across numHeads heads (PyTorch's `embed_dim`) */
    readonly embedDim: number,
    /** number of parallel attention heads; embedDim must be divisible by it (PyTorch's `num_heads`) */
    readonly numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    positive(embedDim, 'embedDim');
    positive(numHeads, 'numHeads');
    if (embedDim % numHeads !== 0) throw new ChainruleError(`MultiheadAttention: embedDim ${embedDim} is not divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.kdim = positive(opts.kdim ?? embedDim, 'kdim');
    this.vdim = positive(opts.vdim ?? embedDim, 'vdim');
    this.dropout = opts.dropout ?? 0;
    if (typeof this.dropout !== 'number' || !(this.dropout >= 0 && this.dropout < 1)) throw new ChainruleError(`MultiheadAttention: dropout must be in [0, 1), got ${this.dropout}`);
    this.batchFirst = opts.batchFirst ?? false;
    this.addZeroAttn = opts.addZeroAttn ?? false;
    this._generator = opts.generator;
    const E = embedDim;
    if (this.kdim === E && this.vdim === E) {
      this.in_proj_weight = new Parameter(xavierUniform(empty([3 * E, E])));
    } else {
      this.q_proj_weight = new Parameter(xavierUniform(empty([E, E])));
      this.k_proj_weight = new Parameter(xavierUniform(empty([E, this.kdim])));
      this.v_proj_weight = new Parameter(xavierUniform(empty([E, this.vdim])));
    }
    const bias = opts.bias ?? true;
    if (bias) this.in_proj_bias = new Parameter(zeros([3 * E]));
    this.out_proj = new Linear(E, E, { bias });
    if (this.out_proj.bias) constant(this.out_proj.bias, 0);
    if (opts.addBiasKV) {
      this.bias_k = new Parameter(xavierNormal(empty([1, 1, E])));
      this.bias_v = new Parameter(xavierNormal(empty([1, 1, E])));
    }
  }

  override describe(): string {
    return `MultiheadAttention ${this.embedDim}/${this.numHeads} heads`;
  }

  override extraRepr(): string {
    const extra = [
      this.kdim !== this.embedDim ? `kdim=${this.kdim}` : '',
      this.vdim !== this.embedDim ? `vdim=${this.vdim}` : '',
      this.dropout ? `dropout=${this.dropout}` : '',
      this.in_proj_bias ? '' : 'bias=false',
      this.bias_k ? 'addBiasKV=true' : '',
      this.addZeroAttn ? 'addZeroAttn=true' : '',
      this.batchFirst ? 'batchFirst=true' : '',
    ].filter(Boolean);
    return [`embedDim=${this.embedDim}`, `numHeads=${this.numHeads}`, ...extra].join(', ');
  }

  /**
   * Attends from query [L, N, E] (batchFirst: [N, L, E]; unbatched: [L, E]) to key [S, N, kdim] and
   * value [S, N, vdim]; returns [output like query, weights [N, L, S] (or [N, numHeads, L, S]) or null].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    this.namedChildren(); // links out_proj for error paths
    const { E, L, S, N, batched } = this.check(query, key, value, opts);
    const H = this.numHeads;
    const Dh = this.headDim;
    // [N, seq, features] inside, whatever the layout outside
    const bf = (t: Tensor): Tensor => (!batched ? t.unsqueeze(0) : this.batchFirst ? t : t.transpose(0, 1));
    const [xq, xk, xv] = [bf(query), key === query ? null : bf(key), value === key ? null : bf(value)];
    let q: Tensor;
    let k: Tensor;
    let v: Tensor;
    const b = this.in_proj_bias ? this.in_proj_bias.split(E) : [null, null, null];
    if (this.in_proj_weight && xk === null && xv === null) {
      // self-attention: one product with the packed weight
      [q, k, v] = linear(xq, this.in_proj_weight, this.in_proj_bias).split(E, -1);
    } else {
      const [wq, wk, wv] = this.in_proj_weight ? this.in_proj_weight.split(E) : [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight];
      const kx = xk ?? xq;
      q = linear(xq, wq as Tensor, b[0]);
      k = linear(kx, wk as Tensor, b[1]);
      v = linear(xv ?? kx, wv as Tensor, b[2]);
    }
    let extra = 0;
    if (this.bias_k && this.bias_v) {
      k = concat([k, this.bias_k.expand([N, 1, E])], 1);
      v = concat([v, this.bias_v.expand([N, 1, E])], 1);
      extra++;
    }
    const heads = (t: Tensor): Tensor => t.reshape([N, t.shape[1], H, Dh]).permute([0, 2, 1, 3]);
    const qh = heads(q);
    let kh = heads(k);
    let vh = heads(v);
    if (this.addZeroAttn) {
      kh = concat([kh, zeros([N, H, 1, Dh], { dtype: kh.dtype })], 2);
      vh = concat([vh, zeros([N, H, 1, Dh], { dtype: vh.dtype })], 2);
      extra++;
    }
    const parts = this.maskParts(opts, N, L, S, extra, batched, qh.dtype);
    const training = this.training && this.dropout > 0;
    let o: Tensor;
    let weights: Tensor | null = null;
    if (opts.needWeights ?? true) {
      let s = matmulT(qh, kh).mul(1 / Math.sqrt(Dh));
      for (const p of parts) s = 'add' in p ? add(s, p.add) : where(p.attend, s, Number.NEGATIVE_INFINITY);
      let w = softmax(s, -1);
      if (training) w = dropout(w, this.dropout, { generator: this._generator });
      o = w.matmul(vh);
      weights = (opts.averageAttnWeights ?? true) ? w.mean(1) : w;
      if (!batched) weights = weights.squeeze(0);
    } else {
      const causalOnly = parts.length === 1 && opts.isCausal === true && extra === 0;
      o = scaledDotProductAttention(qh, kh, vh, {
        attnMask: causalOnly ? null : combine(parts),
        isCausal: causalOnly,
        dropoutP: training ? this.dropout : 0,
        generator: this._generator,
      });
    }
    let out = this.out_proj.call(o.permute([0, 2, 1, 3]).reshape([N, L, E]));
    out = !batched ? out.squeeze(0) : this.batchFirst ? out : out.transpose(0, 1);
    return [out, weights];
  }

  /** Checks shapes and dtypes; nothing is computed before this passes. */
  private check(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionForwardOptions): { E: number; L: number; S: number; N: number; batched: boolean } {
    for (const [t, what] of [
      [query, 'query'],
      [key, 'key'],
      [value, 'value'],
    ] as const) {
      if (!(t instanceof Tensor)) this.inputError(`${what} must be a Tensor`);
      if (t.dtype !== 'float32' && t.dtype !== 'float64') this.inputError(`${what} must be a float tensor, got ${t.dtype} ${showShape(t.shape)}`);
    }
    if (opts === null || typeof opts !== 'object') this.inputError(`options must be an object, got ${String(opts)}`);
    const known = ['keyPaddingMask', 'attnMask', 'needWeights', 'averageAttnWeights', 'isCausal'];
    for (const k of Object.keys(opts)) if (!known.includes(k)) this.inputError(`unknown option ${JSON.stringify(k)} (options: ${known.join(', ')})`);
    const shapes = `query ${showShape(query.shape)}, key ${showShape(key.shape)}, value ${showShape(value.shape)}`;
    const E = this.embedDim;
    const batched = query.ndim === 3;
    if (query.ndim !== 2 && query.ndim !== 3) this.inputError(`expected query ${this.batchFirst ? '[batch, L, E]' : '[L, batch, E]'} or [L, E], got ${showShape(query.shape)}`);
    if (key.ndim !== query.ndim || value.ndim !== query.ndim) this.inputError(`query, key and value must all be batched or all unbatched, got ${shapes}`);
    if (query.shape[query.ndim - 1] !== E) this.inputError(`expected query with ${E} features (embedDim), got ${shapes}`);
    if (key.shape[key.ndim - 1] !== this.kdim || value.shape[value.ndim - 1] !== this.vdim) {
      this.inputError(`expected key with ${this.kdim} features (kdim) and value with ${this.vdim} (vdim), got ${shapes}`);
    }
    const seq = this.batchFirst && batched ? 1 : 0;
    const L = query.shape[seq];
    const S = key.shape[seq];
    const N = batched ? query.shape[1 - seq] : 1;
    if (value.shape[seq] !== S || (batched && (key.shape[1 - seq] !== N || value.shape[1 - seq] !== N))) {
      this.inputError(`key and value must have the same sequence length and batch as each other and the query's batch, got ${shapes}`);
    }
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm !== null) {
      if (!(kpm instanceof Tensor)) this.inputError('keyPaddingMask must be a Tensor');
      if (kpm.dtype !== 'bool' && kpm.dtype !== 'float32' && kpm.dtype !== 'float64') this.inputError(`keyPaddingMask must be bool (true: padding) or float, got ${kpm.dtype} ${showShape(kpm.shape)}`);
      const want = batched ? [N, S] : [S];
      if (kpm.ndim !== want.length || kpm.shape.some((n, i) => n !== want[i])) this.inputError(`keyPaddingMask must be ${showShape(want)} ([batch, S]), got ${showShape(kpm.shape)} (${shapes})`);
    }
    const am = opts.attnMask ?? null;
    if (am !== null) {
      if (!(am instanceof Tensor)) this.inputError('attnMask must be a Tensor');
      if (am.dtype !== 'bool' && am.dtype !== 'float32' && am.dtype !== 'float64') this.inputError(`attnMask must be bool (true: not allowed) or float, got ${am.dtype} ${showShape(am.shape)}`);
      const ok2 = am.ndim === 2 && am.shape[0] === L && am.shape[1] === S;
      const ok3 = am.ndim === 3 && am.shape[0] === N * this.numHeads && am.shape[1] === L && am.shape[2] === S;
      if (!ok2 && !ok3) this.inputError(`attnMask must be [L, S] = ${showShape([L, S])} or [batch·numHeads, L, S] = ${showShape([N * this.numHeads, L, S])}, got ${showShape(am.shape)} (${shapes})`);
    }
    if (opts.isCausal !== undefined && typeof opts.isCausal !== 'boolean') this.inputError(`isCausal must be true or false, got ${String(opts.isCausal)}`);
    return { E, L, S, N, batched };
  }

  /** The masks of a call as parts on [N, H, L, S + extra] (extra: appended bias and zero keys, always attended). */
  private maskParts(opts: MultiheadAttentionForwardOptions, N: number, L: number, S: number, extra: number, batched: boolean, dtype: Tensor['dtype']): MaskPart[] {
    const parts: MaskPart[] = [];
    // PyTorch's convention (true: not allowed) flipped to "attend", float masks added; appended keys padded in
    const part = (m: Tensor): MaskPart => {
      if (m.dtype === 'bool') return { attend: extra ? pad(logicalNot(m).to('float32'), [0, extra], 1).gt(0) : logicalNot(m) };
      const f = m.dtype === dtype ? m : m.to(dtype);
      return { add: extra ? pad(f, [0, extra], 0) : f };
    };
    const am = opts.attnMask ?? null;
    if (am) parts.push(part(am.ndim === 3 ? am.reshape([N, this.numHeads, L, S]) : am));
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm) parts.push(part((batched ? kpm : kpm.unsqueeze(0)).reshape([N, 1, 1, S])));
    if (opts.isCausal) {
      const c = new Uint8Array(L * (S + extra));
      for (let i = 0; i < L; i++) for (let j = 0; j < S + extra; j++) c[i * (S + extra) + j] = j <= i || j >= S ? 1 : 0;
      parts.push({ attend: tensor(c, { dtype: 'bool', shape: [L, S + extra] }) });
    }
    return parts;
  }
}

/** One mask for scaledDotProductAttention: bool when every part is, else additive (-∞ where a bool part says no). */
function combine(parts: MaskPart[]): Tensor | null {
  if (parts.length === 0) return null;
  if (parts.every((p) => 'attend' in p)) return parts.map((p) => (p as { attend: Tensor }).attend).reduce((a, b) => logicalAnd(a, b));
  const dtype = (parts.find((p) => 'add' in p) as { add: Tensor }).add.dtype;
  const adds = parts.map((p) => ('add' in p ? p.add : where(p.attend, scalar(0, { dtype }), Number.NEGATIVE_INFINITY)));
  return adds.reduce((a, b) => add(a, b));
}
