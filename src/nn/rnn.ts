import { ChainruleError } from '../errors.js';
import { empty, tensor, zeros } from '../tensor/creation.js';
import { dropout } from './fn/dropout.js';
import { type CellKind, GATES, cellStep } from './fn/rnn.js';
import { uniform } from './init.js';
import { Module, showShape } from './module.js';
import { Parameter } from './parameter.js';
import { concat, matmulT, rnnSequence, stack, Tensor } from '../ops/index.js';

/**
 * Options of nn.RNN, nn.GRU and nn.LSTM (PyTorch's keyword arguments).
 * @example new nn.RNN(4, 8, { numLayers: 2, batchFirst: true, bidirectional: true }).forward(randn([3, 5, 4]))[0].shape // [3, 5, 16]
 */
export interface RNNOptions {
  /** stacked layers, each feeding the next (default 1) */
  numLayers?: number;
  /** learn bias_ih and bias_hh (default true) */
  bias?: boolean;
  /** input and output are [batch, time, features] instead of [time, batch, features] */
  batchFirst?: boolean;
  /** dropout on the outputs of every layer but the last (training only) */
  dropout?: number;
  /** also run each layer backwards in time and concatenate both directions' features (default false) */
  bidirectional?: boolean;
}

/**
 * Options of a recurrent layer's forward for padded batches: where each sequence ends.
 * @example
 * ```ts
 * const [out] = new nn.GRU(2, 3, { batchFirst: true }).forward(ones([2, 4, 2]), undefined, { lengths: [4, 2] });
 * out.index(1, 3).toArray() // [0, 0, 0]
 * ```
 */
export interface SequenceOptions {
  /** the true length of each sequence in the batch; steps past it are skipped */
  lengths?: readonly number[] | Tensor;
  /** [batch, time], true (or nonzero) where a step is real; other steps leave the state unchanged */
  mask?: Tensor;
}

type Kind = CellKind;

interface Weights {
  wih: Parameter;
  whh: Parameter;
  bih: Parameter | null;
  bhh: Parameter | null;
  /** LSTM's projection weight_hr [projSize, hiddenSize], when projSize > 0 */
  whr: Parameter | null;
}

/**
 * The shared machinery of RNN, GRU and LSTM: PyTorch's parameter names (weight_ih_l0,
 * weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse) and gate layouts, so state dicts line up
 * with PyTorch; multi-layer, bidirectional, batchFirst, initial state, and variable-length
 * batches (each sequence's final state is the state after its own last step; outputs past
 * the end are zero, as with PyTorch's packed sequences).
 */
abstract class RNNBase extends Module {
  /** number of stacked layers, each reading the previous one's output (default 1, PyTorch's `num_layers`) */
  readonly numLayers: number;
  /** whether the layers have bias_ih/bias_hh parameters (the `bias` option, default true) */
  readonly hasBias: boolean;
  /** input and output are `[batch, time, feature]` instead of `[time, batch, feature]` (default false, PyTorch's `batch_first`); the states stay `[layers·directions, batch, H]` */
  readonly batchFirst: boolean;
  /** dropout probability on the outputs of every layer but the last, in training mode (the `dropout` option, default 0) */
  readonly dropoutP: number;
  /** run a second, reverse direction per layer and concatenate both outputs (default false) */
  readonly bidirectional: boolean;
  /** LSTM only: the width of h after its projection (0: no projection) */
  readonly projSize: number;

  constructor(
    private readonly _kind: Kind,
    /** number of features of each input step (PyTorch's `input_size`) */
    readonly inputSize: number,
    /** number of features of the hidden state h, and of c for an LSTM (PyTorch's `hidden_size`); weights are init U(-1/√hiddenSize, 1/√hiddenSize) */
    readonly hiddenSize: number,
    opts: RNNOptions & { projSize?: number },
  ) {
    super();
    const name = this.constructor.name;
    this.numLayers = opts.numLayers ?? 1;
    this.hasBias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropoutP = opts.dropout ?? 0;
    this.bidirectional = opts.bidirectional ?? false;
    for (const [v, what] of [
      [inputSize, 'inputSize'],
      [hiddenSize, 'hiddenSize'],
      [this.numLayers, 'numLayers'],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ChainruleError(`${name}: ${what} must be a positive integer, got ${v}`);
    }
    if (!(this.dropoutP >= 0 && this.dropoutP <= 1)) throw new ChainruleError(`${name}: dropout must be in [0, 1], got ${this.dropoutP}`);
    this.projSize = opts.projSize ?? 0;
    if (!Number.isInteger(this.projSize) || this.projSize < 0) throw new ChainruleError(`${name}: projSize must be an integer >= 0 (0: no projection), got ${this.projSize}`);
    if (this.projSize >= hiddenSize) throw new ChainruleError(`${name}: projSize must be smaller than hiddenSize (${hiddenSize}), got ${this.projSize}`);
    const P = this.stateSize;
    const G = GATES[_kind] * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    const self = this as unknown as Record<string, Parameter>;
    const make = (shape: number[]) => new Parameter(uniform(empty(shape), -bound, bound));
    for (let l = 0; l < this.numLayers; l++) {
      const inF = l === 0 ? inputSize : P * this.numDirections;
      for (let d = 0; d < this.numDirections; d++) {
        const sfx = `_l${l}${d ? '_reverse' : ''}`;
        self[`weight_ih${sfx}`] = make([G, inF]);
        self[`weight_hh${sfx}`] = make([G, P]);
        if (this.hasBias) {
          self[`bias_ih${sfx}`] = make([G]);
          self[`bias_hh${sfx}`] = make([G]);
        }
        if (this.projSize) self[`weight_hr${sfx}`] = make([this.projSize, hiddenSize]);
      }
    }
  }

  /** 2 when bidirectional, else 1: the factor in the output's last dimension and the state's first */
  get numDirections(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The width of h (and of each direction's output): projSize when set, else hiddenSize. */
  get stateSize(): number {
    return this.projSize || this.hiddenSize;
  }

  override describe(): string {
    return `${this.constructor.name} ${this.inputSize}->${this.hiddenSize}`;
  }

  override extraRepr(): string {
    const extra = [
      this.numLayers !== 1 ? `numLayers=${this.numLayers}` : '',
      this.hasBias ? '' : 'bias=false',
      this.batchFirst ? 'batchFirst=true' : '',
      this.dropoutP ? `dropout=${this.dropoutP}` : '',
      this.bidirectional ? 'bidirectional=true' : '',
      this._kind === 'relu' ? "nonlinearity='relu'" : '',
      this.projSize ? `projSize=${this.projSize}` : '',
    ].filter(Boolean);
    return [this.inputSize, this.hiddenSize, ...extra].join(', ');
  }

  private weights(l: number, d: number): Weights {
    const self = this as unknown as Record<string, Parameter | undefined>;
    const sfx = `_l${l}${d ? '_reverse' : ''}`;
    return { wih: self[`weight_ih${sfx}`]!, whh: self[`weight_hh${sfx}`]!, bih: self[`bias_ih${sfx}`] ?? null, bhh: self[`bias_hh${sfx}`] ?? null, whr: self[`weight_hr${sfx}`] ?? null };
  }

  /** A [T, B] bool tensor of the steps that are real (null: all are). */
  private stepMask(seq: SequenceOptions, T: number, B: number): Tensor | null {
    if (seq.lengths != null && seq.mask != null) this.inputError('pass either lengths or mask, not both');
    if (seq.lengths != null) {
      const lens = seq.lengths instanceof Tensor ? Array.from(seq.lengths.data) : [...seq.lengths];
      if (lens.length !== B) this.inputError(`expected ${B} lengths (one per sequence), got ${lens.length}`);
      lens.forEach((n) => {
        if (!Number.isInteger(n) || n < 0 || n > T) this.inputError(`lengths must be integers in [0, ${T}], got ${JSON.stringify(lens)}`);
      });
      const m = new Uint8Array(T * B);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) m[t * B + b] = t < lens[b] ? 1 : 0;
      return tensor(m, { dtype: 'bool', shape: [T, B] });
    }
    if (seq.mask != null) {
      const m = seq.mask;
      if (m.ndim !== 2 || m.shape[0] !== B || m.shape[1] !== T) this.inputError(`mask must be [batch, time] = ${showShape([B, T])}, got ${showShape(m.shape)}`);
      const out = new Uint8Array(T * B);
      for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) out[t * B + b] = m.data[b * T + t] ? 1 : 0;
      return tensor(out, { dtype: 'bool', shape: [T, B] });
    }
    return null;
  }

  private checkState(h: Tensor | undefined, B: number, unbatched: boolean, what: string, size: number): Tensor | undefined {
    if (h === undefined) return undefined;
    const want = unbatched ? [this.numLayers * this.numDirections, size] : [this.numLayers * this.numDirections, B, size];
    if (!(h instanceof Tensor) || h.ndim !== want.length || h.shape.some((n, i) => n !== want[i])) {
      this.inputError(`expected ${what} ${showShape(want)}, got ${h instanceof Tensor ? showShape(h.shape) : typeof h}`);
    }
    return unbatched ? h.unsqueeze(1) : h;
  }

  /** Runs every layer and direction over a `[time, batch, inputSize]` (or batchFirst, or unbatched) input; returns the output, h_n and (LSTM) c_n. */
  protected run(input: Tensor, h0: Tensor | undefined, c0: Tensor | undefined, seq: SequenceOptions): [Tensor, Tensor, Tensor | null] {
    if (!(input instanceof Tensor)) this.inputError('expected a Tensor input');
    const unbatched = input.ndim === 2;
    if ((input.ndim !== 2 && input.ndim !== 3) || input.shape[input.ndim - 1] !== this.inputSize) {
      const want = this.batchFirst ? ['batch', 'time', this.inputSize] : ['time', 'batch', this.inputSize];
      this.inputError(`expected ${showShape(want)} or ${showShape(['time', this.inputSize])}, got ${showShape(input.shape)}`);
    }
    let x = unbatched ? input.unsqueeze(1) : this.batchFirst ? input.transpose(0, 1) : input;
    const [T, B] = x.shape;
    const mask = this.stepMask(unbatched ? { ...seq, mask: seq.mask?.unsqueeze(0) } : seq, T, B);
    // the steps past a sequence's end are never read (as PyTorch's packed sequences): zeroed by
    // selection, so that a NaN or inf there cannot reach the weights' gradients through 0·NaN
    if (mask) x = x.where(mask.unsqueeze(2), 0);
    const L = this.numLayers;
    const D = this.numDirections;
    const H = this.hiddenSize;
    const lstm = this._kind === 'lstm';
    const P = this.stateSize;
    const h0b = this.checkState(h0, B, unbatched, 'h0', P) ?? zeros([L * D, B, P], { dtype: x.dtype });
    const c0b = lstm ? (this.checkState(c0, B, unbatched, 'c0', H) ?? zeros([L * D, B, H], { dtype: x.dtype })) : null;
    const hs: Tensor[] = [];
    const cs: Tensor[] = [];
    for (let l = 0; l < L; l++) {
      const dirOuts: Tensor[] = [];
      for (let d = 0; d < D; d++) {
        const w = this.weights(l, d);
        let xw = matmulT(x, w.wih);
        if (w.bih) xw = xw.add(w.bih);
        // the whole sequence in one fused op: one kernel call forward and one backward (the
        // operands in one dtype, promoted as the products above promote them)
        const as = (t: Tensor): Tensor => (t.dtype === xw.dtype ? t : t.to(xw.dtype));
        const h0d = as(h0b.index(l * D + d));
        const c0d = c0b ? as(c0b.index(l * D + d)) : null;
        const bhh = w.bhh ? as(w.bhh) : null;
        const r = w.whr
          ? projectedLstm(xw, h0d, c0d as Tensor, as(w.whh), bhh, as(w.whr), mask, d === 1)
          : rnnSequence(this._kind, xw, h0d, as(w.whh), { c0: c0d, bhh, mask, reverse: d === 1 });
        dirOuts.push(r.out);
        hs.push(r.hN);
        if (r.cN) cs.push(r.cN);
      }
      x = D === 1 ? dirOuts[0] : concat(dirOuts, 2);
      if (this.dropoutP > 0 && this.training && l < L - 1) x = dropout(x, this.dropoutP);
    }
    let out = x;
    let hN = stack(hs, 0);
    let cN = lstm ? stack(cs, 0) : null;
    if (unbatched) {
      out = out.squeeze(1);
      hN = hN.squeeze(1);
      cN = cN ? cN.squeeze(1) : null;
    } else if (this.batchFirst) {
      out = out.transpose(0, 1);
    }
    return [out, hN, cN];
  }
}

/**
 * An LSTM direction with a projection (PyTorch's proj_size): h = W_hr·(o ⊙ tanh(c)), step by step
 * from the op table's cell (the fused sequence kernels carry no projection). Steps the mask marks
 * as padding keep the state and output zeros, as rnnSequence's.
 */
function projectedLstm(xw: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, bhh: Tensor | null, whr: Tensor, mask: Tensor | null, reverse: boolean): { out: Tensor; hN: Tensor; cN: Tensor } {
  const T = xw.shape[0];
  let h = h0;
  let c = c0;
  const outs: Tensor[] = new Array(T);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const [raw, c2] = cellStep('lstm', xw.index(t), h, c, whh, bhh);
    const hNew = matmulT(raw, whr);
    if (mask) {
      const m = mask.index(t).unsqueeze(1);
      h = hNew.where(m, h);
      c = (c2 as Tensor).where(m, c);
      outs[t] = hNew.where(m, 0);
    } else {
      h = hNew;
      c = c2 as Tensor;
      outs[t] = hNew;
    }
  }
  return { out: stack(outs, 0), hN: h, cN: c };
}

/**
 * Elman RNN, h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu). Returns [output, hN]:
 * output [T, B, D·H] (batchFirst: [B, T, D·H]), hN [numLayers·D, B, H].
 * @example const [out, hN] = new nn.RNN(4, 8).forward(randn([5, 2, 4])); out.shape // [5, 2, 8]
 */
export class RNN extends RNNBase {
  /** the cell's activation, as PyTorch's `nonlinearity` */
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ChainruleError(`RNN: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl, inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }

  forward(input: Tensor, h0?: Tensor, seq: SequenceOptions = {}): [Tensor, Tensor] {
    const [out, h] = this.run(input, h0, undefined, seq);
    return [out, h];
  }
}

/**
 * Gated recurrent unit with PyTorch's gate order (r, z, n) and n = tanh(W_in x + b_in + r·(W_hn h + b_hn)).
 * @example const [out, hN] = new nn.GRU(4, 8, { batchFirst: true }).forward(randn([2, 5, 4]), undefined, { lengths: [5, 3] });
 */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, h0?: Tensor, seq: SequenceOptions = {}): [Tensor, Tensor] {
    const [out, h] = this.run(input, h0, undefined, seq);
    return [out, h];
  }
}

/**
 * Long short-term memory with PyTorch's gate order (i, f, g, o). Returns [output, [hN, cN]].
 * With projSize, h is projected to projSize by weight_hr_l{k} after every step (PyTorch's
 * proj_size): output and hN then have projSize features, cN keeps hiddenSize.
 * @example const [out, [h, c]] = new nn.LSTM(4, 8, { numLayers: 2, bidirectional: true }).forward(randn([5, 2, 4]));
 * @example new nn.LSTM(4, 8, { projSize: 3 }).forward(randn([5, 2, 4]))[0].shape // [5, 2, 3]
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNOptions & { projSize?: number } = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }

  forward(input: Tensor, state?: [Tensor, Tensor], seq: SequenceOptions = {}): [Tensor, [Tensor, Tensor]] {
    if (state !== undefined && (!Array.isArray(state) || state.length !== 2)) this.inputError('expected the initial state as [h0, c0]');
    const [out, h, c] = this.run(input, state?.[0], state?.[1], seq);
    return [out, [h, c as Tensor]];
  }
}

/**
 * The single-step cells, as torch.nn.RNNCell / LSTMCell / GRUCell: parameters weight_ih,
 * weight_hh, bias_ih, bias_hh, init U(-1/√H, 1/√H); input [B, inputSize] or [inputSize].
 */
abstract class CellBase extends Module {
  /** input-to-hidden weight, shape `[gates·hiddenSize, inputSize]` (gates: 1 RNN, 3 GRU, 4 LSTM), init U(-1/√hiddenSize, 1/√hiddenSize) */
  weight_ih: Parameter;
  /** hidden-to-hidden weight, shape `[gates·hiddenSize, hiddenSize]`, init U(-1/√hiddenSize, 1/√hiddenSize) */
  weight_hh: Parameter;
  /** input-to-hidden bias, shape `[gates·hiddenSize]`, same init; null with `bias: false` */
  bias_ih: Parameter | null;
  /** hidden-to-hidden bias, shape `[gates·hiddenSize]`, same init; null with `bias: false` */
  bias_hh: Parameter | null;

  constructor(
    /** @internal which cell of the op table the module steps: 'tanh' or 'relu' (RNNCell), 'gru' or 'lstm' */
    protected readonly _kind: Kind,
    /** number of features of the input `[batch, inputSize]` (PyTorch's `input_size`) */
    readonly inputSize: number,
    /** number of features of the hidden state (PyTorch's `hidden_size`) */
    readonly hiddenSize: number,
    opts: { bias?: boolean },
  ) {
    super();
    for (const [v, what] of [
      [inputSize, 'inputSize'],
      [hiddenSize, 'hiddenSize'],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ChainruleError(`${this.constructor.name}: ${what} must be a positive integer, got ${v}`);
    }
    const G = GATES[_kind] * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    const make = (shape: number[]) => new Parameter(uniform(empty(shape), -bound, bound));
    this.weight_ih = make([G, inputSize]);
    this.weight_hh = make([G, hiddenSize]);
    const bias = opts.bias ?? true;
    this.bias_ih = bias ? make([G]) : null;
    this.bias_hh = bias ? make([G]) : null;
  }

  override describe(): string {
    return `${this.constructor.name} ${this.inputSize}->${this.hiddenSize}`;
  }

  override extraRepr(): string {
    return `${this.inputSize}, ${this.hiddenSize}${this.bias_ih ? '' : ', bias=false'}`;
  }

  /** Checks the input and state, runs one step; unbatched input gives unbatched state. */
  protected step(x: Tensor, h: Tensor | undefined, c: Tensor | undefined): [Tensor, Tensor | null] {
    if (!(x instanceof Tensor) || (x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      this.inputError(`expected [batch, ${this.inputSize}] or [${this.inputSize}], got ${x instanceof Tensor ? showShape(x.shape) : typeof x}`);
    }
    const unbatched = x.ndim === 1;
    const xb = unbatched ? x.unsqueeze(0) : x;
    const want = [xb.shape[0], this.hiddenSize];
    const state = (s: Tensor | undefined, what: string): Tensor => {
      if (s === undefined) return zeros(want, { dtype: xb.dtype });
      const sb = unbatched ? s.unsqueeze(0) : s;
      if (sb.ndim !== 2 || sb.shape[0] !== want[0] || sb.shape[1] !== want[1]) {
        this.inputError(`expected ${what} ${showShape(unbatched ? [this.hiddenSize] : want)}, got ${showShape(s.shape)}`);
      }
      return sb;
    };
    const hb = state(h, 'h');
    const cb = this._kind === 'lstm' ? state(c, 'c') : null;
    let gx = matmulT(xb, this.weight_ih);
    if (this.bias_ih) gx = gx.add(this.bias_ih);
    const [h2, c2] = cellStep(this._kind, gx, hb, cb, this.weight_hh, this.bias_hh);
    return unbatched ? [h2.squeeze(0), c2 ? c2.squeeze(0) : null] : [h2, c2];
  }
}

/** One step of an Elman RNN. @example new nn.RNNCell(3, 4).forward(randn([2, 3])).shape // [2, 4] */
export class RNNCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ChainruleError(`RNNCell: nonlinearity must be 'tanh' or 'relu', got ${JSON.stringify(nl)}`);
    super(nl, inputSize, hiddenSize, opts);
  }
  /** the cell's activation, as PyTorch's `nonlinearity` */
  get nonlinearity(): 'tanh' | 'relu' {
    return this._kind === 'relu' ? 'relu' : 'tanh';
  }
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h, undefined)[0];
  }
}

/** One GRU step. @example new nn.GRUCell(3, 4).forward(randn([2, 3]), zeros([2, 4])).shape // [2, 4] */
export class GRUCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    super('gru', inputSize, hiddenSize, opts);
  }
  forward(x: Tensor, h?: Tensor): Tensor {
    return this.step(x, h, undefined)[0];
  }
}

/** One LSTM step; returns [h', c']. @example const [h, c] = new nn.LSTMCell(3, 4).forward(randn([2, 3])); */
export class LSTMCell extends CellBase {
  constructor(inputSize: number, hiddenSize: number, opts: { bias?: boolean } = {}) {
    super('lstm', inputSize, hiddenSize, opts);
  }
  forward(x: Tensor, state?: [Tensor, Tensor]): [Tensor, Tensor] {
    const [h, c] = this.step(x, state?.[0], state?.[1]);
    return [h, c as Tensor];
  }
}
