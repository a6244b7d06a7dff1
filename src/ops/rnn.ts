/**
 * Recurrent cells with PyTorch's gate layouts: one step written with differentiable ops
 * (`cellStep`), and a whole layer over a sequence as one fused op (`rnnSequence`) whose forward
 * and backward are single backend calls. Both compute the same function; the fused op falls back
 * to the step-by-step form when its own gradient must be differentiated again.
 */
import { runBackward } from '../autograd/engine.js';
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { RNN_GATES, RNN_SAVED, type RnnKind } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';
import { relu, sigmoid } from './activation.js';
import { add, mul, sub, where } from './arith.js';
import { defineOp } from './define.js';
import { assertTensor, output } from './kernel.js';
import { tanh } from './math.js';
import { matmulT } from './matmul.js';
import { cast, concat, index, narrow, split, stack, unsqueeze } from './shape.js';

export type CellKind = RnnKind;

/** Rows of weight_ih / weight_hh per hidden unit: 1, 4 (i, f, g, o) or 3 (r, z, n). */
export const GATES: Record<CellKind, number> = RNN_GATES;

/**
 * Advances one step given the input part of the gates gx = x·W_ihᵀ + b_ih and the previous state.
 * Returns [h', c'] (c' only for LSTM).
 */
export function cellStep(kind: CellKind, gx: Tensor, h: Tensor, c: Tensor | null, whh: Tensor, bhh: Tensor | null): [Tensor, Tensor | null] {
  // h·W_hhᵀ read through the kernel's transpose flag: no copy of W_hh on every time step
  let gh = matmulT(h, whh);
  if (bhh) gh = add(gh, bhh);
  // the cell state's width: an LSTM with a projection carries h narrower than c
  const H = c ? c.shape[c.ndim - 1] : h.shape[h.ndim - 1];
  switch (kind) {
    case 'tanh':
      return [tanh(add(gx, gh)), null];
    case 'relu':
      return [relu(add(gx, gh)), null];
    case 'lstm': {
      const [i, f, g, o] = split(add(gx, gh), H, -1);
      const c2 = add(mul(sigmoid(f), c as Tensor), mul(sigmoid(i), tanh(g)));
      return [mul(sigmoid(o), tanh(c2)), c2];
    }
    case 'gru': {
      const [xr, xz, xn] = split(gx, H, -1);
      const [hr, hz, hn] = split(gh, H, -1);
      const r = sigmoid(add(xr, hr));
      const z = sigmoid(add(xz, hz));
      const n = tanh(add(xn, mul(r, hn)));
      // (1 - z)·n + z·h
      return [add(sub(n, mul(n, z)), mul(z, h)), null];
    }
  }
}

export interface RnnSequenceOptions {
  /** initial cell state [B, H] (LSTM only; zeros when absent) */
  c0?: Tensor | null;
  bhh?: Tensor | null;
  /** [T, B] bool: false where a step is padding (the state is kept and the output is 0) */
  mask?: Tensor | null;
  /** run from the last step to the first */
  reverse?: boolean;
}

export interface RnnSequenceResult {
  /** [T, B, H], the state after every step (0 at masked steps) */
  out: Tensor;
  /** [B, H] the final state, and the final cell state (LSTM) */
  hN: Tensor;
  cN: Tensor | null;
}


/** The step-by-step form, packed like the fused op's output: [out; hN; cN] along the first axis. */
function composite(kind: CellKind, gx: Tensor, h0: Tensor, c0: Tensor | null, whh: Tensor, bhh: Tensor | null, mask: Tensor | null, reverse: boolean): Tensor {
  const T = gx.shape[0];
  let h = h0;
  let c = c0;
  const outs = new Array<Tensor>(T);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const [h2, c2] = cellStep(kind, index(gx, t), h, c, whh, bhh);
    if (mask) {
      const m = unsqueeze(index(mask, t), 1);
      h = where(m, h2, h);
      if (c && c2) c = where(m, c2, c);
      outs[t] = where(m, h2, 0);
    } else {
      h = h2;
      c = c2;
      outs[t] = h2;
    }
  }
  const parts = [stack(outs, 0), unsqueeze(h, 0)];
  if (c) parts.push(unsqueeze(c, 0));
  return concat(parts, 0);
}

function check(kind: CellKind, gx: Tensor, h0: Tensor, whh: Tensor, o: RnnSequenceOptions): void {
  const bad = (what: string): never => {
    throw new ChainruleError(`rnnSequence (${kind}): ${what}`);
  };
  for (const [t, what] of [
    [gx, 'gx'],
    [h0, 'h0'],
    [whh, 'whh'],
  ] as const) {
    assertTensor(t, 'rnnSequence');
    if (t.dtype !== 'float32' && t.dtype !== 'float64') bad(`${what} must be float32 or float64, got ${t.dtype}`);
    if (t.dtype !== gx.dtype) bad(`${what} is ${t.dtype} but gx is ${gx.dtype}`);
  }
  if (!(kind in RNN_GATES)) bad(`unknown cell kind ${JSON.stringify(kind)}`);
  if (h0.ndim !== 2) bad(`h0 must be [batch, hidden], got ${fmtShape(h0.shape)}`);
  const [B, H] = h0.shape;
  const G = RNN_GATES[kind] * H;
  if (gx.ndim !== 3 || gx.shape[1] !== B || gx.shape[2] !== G) bad(`gx must be [time,${B},${G}], got ${fmtShape(gx.shape)}`);
  if (whh.ndim !== 2 || whh.shape[0] !== G || whh.shape[1] !== H) bad(`whh must be ${fmtShape([G, H])}, got ${fmtShape(whh.shape)}`);
  if (o.bhh && (o.bhh.ndim !== 1 || o.bhh.shape[0] !== G || o.bhh.dtype !== gx.dtype)) bad(`bhh must be ${fmtShape([G])} ${gx.dtype}, got ${fmtShape(o.bhh.shape)} ${o.bhh.dtype}`);
  if (kind !== 'lstm' && o.c0) bad('c0 is only for LSTM');
  if (o.c0 && (o.c0.ndim !== 2 || o.c0.shape[0] !== B || o.c0.shape[1] !== H || o.c0.dtype !== gx.dtype)) bad(`c0 must be ${fmtShape([B, H])} ${gx.dtype}, got ${fmtShape(o.c0.shape)}`);
  const T = gx.shape[0];
  if (o.mask && (o.mask.dtype !== 'bool' || o.mask.ndim !== 2 || o.mask.shape[0] !== T || o.mask.shape[1] !== B)) {
    bad(`mask must be a ${fmtShape([T, B])} bool tensor, got ${fmtShape(o.mask.shape)} ${o.mask.dtype}`);
  }
}

/**
 * One recurrent layer (one direction) over a whole sequence, as cuDNN-style fused kernels: gx holds
 * x·W_ihᵀ + b_ih for every step [T, B, G]; each step adds h·W_hhᵀ + b_hh and applies the cell.
 * The gradient of W_hh is one GEMM over all steps. Differentiating the gradient again recomputes
 * the layer step by step with differentiable ops.
 * @example const { out, hN } = rnnSequence('gru', randn([5, 2, 12]), zeros([2, 4]), randn([12, 4])); out.shape // [5, 2, 4]
 */
export const rnnSequence = defineOp(
  { name: 'rnnSequence',
  latex: ([gx, h0], at) => `\\operatorname{${String(at?.kind ?? 'rnn')}}\\left(${gx}, ${h0}\\right)`, doc: 'A recurrent layer (tanh, relu, GRU or LSTM cell) over a whole sequence in one kernel call each way.', inputs: ['gx', 'h0', 'whh'], params: [{ name: 'options', type: 'options', default: null }], method: false, onnx: { opType: 'RNN' } },
  (def) =>
    function rnnSequence(kind: CellKind, gx: Tensor, h0: Tensor, whh: Tensor, opts: RnnSequenceOptions = {}): RnnSequenceResult {
    check(kind, gx, h0, whh, opts);
    const [T, B, G] = gx.shape;
    const H = h0.shape[1];
    const lstm = kind === 'lstm';
    const c0 = lstm ? (opts.c0 ?? zeros([B, H], { dtype: gx.dtype })) : null;
    const bhh = opts.bhh ?? null;
    const mask = opts.mask ?? null;
    const reverse = opts.reverse ?? false;
    const spec = { kind, T, B, H, reverse };
    const TBH = T * B * H;
    // the kernels write every element of their outputs (masked steps too): unzeroed storage
    const y = output([T + (lstm ? 2 : 1), B, H], gx.dtype);
    const hPrev = output([T * B, H], gx.dtype);
    const saved = output([T * B, RNN_SAVED[kind] * H], gx.dtype);
    const maskData = mask ? (mask.data as Uint8Array) : null;
    kernels().rnnForward(spec, {
      gx: gx.data,
      h0: h0.data,
      c0: c0 ? c0.data : null,
      whh: whh.data,
      bhh: bhh ? bhh.data : null,
      mask: maskData,
      out: y.data.subarray(0, TBH),
      hN: y.data.subarray(TBH, TBH + B * H),
      cN: lstm ? y.data.subarray(TBH + B * H) : null,
      hPrev: hPrev.data,
      saved: saved.data,
    });
    const inputs = [gx, h0, ...(c0 ? [c0] : []), whh, ...(bhh ? [bhh] : [])];
    const packed = record(
      def,
      inputs,
      y,
      (g) => {
        if (isGradEnabled()) {
          // a gradient that will itself be differentiated: the step-by-step form, recorded
          const yc = composite(kind, gx, h0, c0, whh, bhh, mask, reverse);
          const grads = runBackward([yc], [g], { createGraph: true, accumulate: false, stopAt: new Set(inputs), ops: { add, cast } });
          return inputs.map((t) => grads.get(t) ?? null);
        }
        const dgx = output([T, B, G], gx.dtype);
        const dgh = kind === 'gru' ? output([T, B, G], gx.dtype) : null;
        const dh0 = output([B, H], gx.dtype);
        const dc0 = lstm ? output([B, H], gx.dtype) : null;
        kernels().rnnBackward(spec, {
          whh: whh.data,
          mask: maskData,
          hPrev: hPrev.data,
          saved: saved.data,
          dOut: g.data.subarray(0, TBH),
          dhN: g.data.subarray(TBH, TBH + B * H),
          dcN: lstm ? g.data.subarray(TBH + B * H) : null,
          dgx: dgx.data,
          dgh: dgh ? dgh.data : null,
          dh0: dh0.data,
          dc0: dc0 ? dc0.data : null,
        });
        const dG = dgh ?? dgx;
        // Σ over steps and batch rows of dghᵀ·h_prev and of dgh: one GEMM and one reduction
        let dW: Tensor | null = null;
        if (whh.requiresGrad) {
          // (a product of depth 0 leaves its output as it was: zeros then)
          dW = T * B ? output([G, H], gx.dtype) : zeros([G, H], { dtype: gx.dtype });
          kernels().matmul(dG.data, hPrev.data, dW.data, { batch: 1, m: G, n: H, k: T * B, transA: true, transB: false, strideA: 0, strideB: 0 });
        }
        let db: Tensor | null = null;
        if (bhh?.requiresGrad) {
          db = T * B ? output([G], gx.dtype) : zeros([G], { dtype: gx.dtype });
          kernels().reduce('sum', dG.data, 1, T * B, G, db.data);
        }
        return [dgx, dh0, ...(c0 ? [dc0] : []), dW, ...(bhh ? [db] : [])];
      },
      { kind, reverse },
    );
    return {
      out: narrow(packed, 0, 0, T),
      hN: index(packed, T),
      cN: lstm ? index(packed, T + 1) : null,
    };
  },
);
