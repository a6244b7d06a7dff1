/**
 * Scaled dot-product attention, softmax(q·kᵀ·scale + mask)·v, as one op: a fused backend kernel
 * each way (the forward saves only each row's log-sum-exp, the backward recomputes the scores), and
 * a backward that, when it must itself be differentiated, is written with the ops it stands for.
 */
import { isGradEnabled } from '../autograd/mode.js';
import { record } from '../autograd/record.js';
import { kernels } from '../backend/registry.js';
import { type AttentionMask, type AttentionSpec, attentionKeep, attentionThreshold } from '../backend/types.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { empty, tensor } from '../tensor/creation.js';
import { type DType, promote } from '../tensor/dtype.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, mul, sub, where } from './arith.js';
import { type OnnxEmitter, defineOp } from './define.js';
import { assertNumber, assertTensor } from './kernel.js';
import { matmul, matmulT } from './matmul.js';
import { sum, sumTo } from './reduce.js';
import { cast, expand, transpose } from './shape.js';
import { softmax } from './softmax.js';

const NAME = 'scaledDotProductAttention';

/** Options of {@link scaledDotProductAttention}, PyTorch's keyword arguments camel-cased. */
export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcasts to [..., L, S]. A bool mask says which keys each query attends to (true: attend,
   * as torch 2's F.scaled_dot_product_attention); a float mask is added to the scaled scores
   * (-Infinity removes a key) and receives a gradient.
   */
  attnMask?: Tensor | null;
  /** query i attends to keys j <= i only (not together with attnMask, as in PyTorch) */
  isCausal?: boolean;
  /**
   * dropout probability on the attention weights (applied whenever it is > 0, as in PyTorch); the
   * mask is a hash of each weight's position under a seed drawn from the generator, so the fused
   * kernels never store it
   */
  dropoutP?: number;
  /** the factor of q·kᵀ (default 1/√E) */
  scale?: number | null;
  /** where the dropout mask is drawn from (default: the global seeded generator) */
  generator?: Generator;
}

function fail(msg: string): never {
  throw new ChainruleError(`${NAME}: ${msg}`);
}

/** True when every element is finite (an additive mask may also hold -∞, which removes a key). */
function finite(t: Tensor, negInf = false): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const x = d[i];
    if (!(x - x === 0) && !(negInf && x === Number.NEGATIVE_INFINITY)) return false;
  }
  return true;
}

/**
 * The ONNX form of the op on inputs [query, key, value, attnMask?] of rank `rank` (default 4):
 * softmax(q·kᵀ·scale, masked)·v, or with `output: 'weights'` the softmax weights alone (what
 * MultiheadAttention also returns). attnMask is bool (`maskKind: 'bool'`, true: attend) or added to
 * the scores; `isCausal` builds the lower-triangular mask from the run-time lengths.
 */
function onnxAttention(g: OnnxEmitter, [q, k, v, mask]: readonly string[], a: Readonly<Record<string, unknown>>): string {
  const rank = (a.rank as number | undefined) ?? 4;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  let s = g.node('MatMul', [q, g.node('Transpose', [k], { perm })[0]])[0];
  if (a.scale !== undefined) s = g.node('Mul', [s, g.float(a.scale as number)])[0];
  const neg = g.float(Number.NEGATIVE_INFINITY);
  if (mask) s = a.maskKind === 'bool' ? g.node('Where', [mask, s, neg])[0] : g.node('Add', [s, mask])[0];
  if (a.isCausal) {
    const length = (t: string): string => g.node('Squeeze', [g.node('Slice', [g.node('Shape', [t])[0], g.int64([-2]), g.int64([-1])])[0], g.int64([0])])[0];
    const positions = (t: string, axis: number): string => g.node('Unsqueeze', [g.node('Range', [g.int64(0), length(t), g.int64(1)])[0], g.int64([axis])])[0];
    s = g.node('Where', [g.node('LessOrEqual', [positions(k, 0), positions(q, 1)])[0], s, neg])[0];
  }
  const w = g.node('Softmax', [s], { axis: -1 })[0];
  return a.output === 'weights' ? w : g.node('MatMul', [w, v])[0];
}

/** The lower-triangular [L, S] mask of causal attention (true where key j <= query i). */
function causalMask(L: number, S: number): Tensor {
  const m = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = 0; j <= Math.min(i, S - 1); j++) m[i * S + j] = 1;
  return tensor(m, { dtype: 'bool', shape: [L, S] });
}

interface Prepared {
  q: Tensor;
  k: Tensor;
  v: Tensor;
  /** the mask in the operands' float type (additive) or bool, as given (broadcast when read) */
  mask: Tensor | null;
  kind: AttentionSpec['mask'];
  causal: boolean;
  scale: number;
  dropoutP: number;
  batch: number[];
  L: number;
  S: number;
  E: number;
  Ev: number;
}

/** Checks the arguments (nothing is computed before they all pass) and broadcasts q, k and v to one batch. */
function prepare(q: Tensor, k: Tensor, v: Tensor, o: ScaledDotProductAttentionOptions): Prepared {
  assertTensor(q, NAME, 'query');
  assertTensor(k, NAME, 'key');
  assertTensor(v, NAME, 'value');
  if (o === null || typeof o !== 'object') fail(`options must be an object, got ${String(o)}`);
  const known = new Set(['attnMask', 'isCausal', 'dropoutP', 'scale', 'generator']);
  for (const key of Object.keys(o)) if (!known.has(key)) fail(`unknown option ${JSON.stringify(key)} (options: ${[...known].join(', ')})`);
  const shapes = `query ${fmtShape(q.shape)}, key ${fmtShape(k.shape)}, value ${fmtShape(v.shape)}`;
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) fail(`query, key and value need at least 2 dimensions ([..., L, E], [..., S, E], [..., S, Ev]), got ${shapes}`);
  const [L, E] = q.shape.slice(-2);
  const [S, Ek] = k.shape.slice(-2);
  const [Sv, Ev] = v.shape.slice(-2);
  if (Ek !== E) fail(`query and key must have the same last dimension E, got ${shapes}`);
  if (Sv !== S) fail(`key and value must have the same number of keys S (dimension -2), got ${shapes}`);
  let batch: number[];
  try {
    batch = broadcastShapes(broadcastShapes(q.shape.slice(0, -2), k.shape.slice(0, -2), NAME), v.shape.slice(0, -2), NAME);
  } catch {
    fail(`the batch dimensions of query, key and value do not broadcast: ${shapes}`);
  }
  let dtype: DType = promote(promote(q.dtype, k.dtype), v.dtype);
  if (dtype !== 'float32' && dtype !== 'float64') fail(`needs float tensors, got ${q.dtype}, ${k.dtype} and ${v.dtype}`);
  const causal = o.isCausal ?? false;
  if (typeof causal !== 'boolean') fail(`isCausal must be true or false, got ${String(causal)}`);
  const dropoutP = o.dropoutP ?? 0;
  if (typeof dropoutP !== 'number' || !(dropoutP >= 0 && dropoutP < 1)) fail(`dropoutP must be in [0, 1), got ${String(dropoutP)}`);
  const scale = o.scale ?? 1 / Math.sqrt(E);
  assertNumber(scale, NAME, 'scale');
  let mask = o.attnMask ?? null;
  let kind: AttentionSpec['mask'] = 'none';
  if (mask !== null) {
    assertTensor(mask, NAME, 'attnMask');
    if (causal) fail('pass either attnMask or isCausal, not both (as PyTorch)');
    if (mask.dtype === 'int32') fail('attnMask must be bool (true: attend) or float (added to the scores), got int32');
    const full = [...batch, L, S];
    let b: number[] | null = null;
    try {
      b = broadcastShapes(mask.shape, full, NAME);
    } catch {}
    if (!b || !sameShape(b, full)) fail(`attnMask ${fmtShape(mask.shape)} does not broadcast to [..., L, S] = ${fmtShape(full)} (${shapes})`);
    kind = mask.dtype === 'bool' ? 'bool' : 'add';
    if (kind === 'add') dtype = promote(dtype, mask.dtype);
    if (kind === 'add' && mask.dtype !== dtype) mask = cast(mask, dtype);
  }
  const to = (t: Tensor): Tensor => {
    const c = t.dtype === dtype ? t : cast(t, dtype);
    return sameShape(c.shape.slice(0, -2), batch) ? c : expand(c, [...batch, ...c.shape.slice(-2)]);
  };
  return { q: to(q), k: to(k), v: to(v), mask, kind, causal, scale, dropoutP, batch, L, S, E, Ev };
}

/** The scaled, masked scores q·kᵀ·scale (+ mask) [..., L, S], written with ops. */
function scores(p: Prepared, q: Tensor, k: Tensor, mask: Tensor | null): Tensor {
  let s = mul(matmulT(q, k), p.scale);
  if (p.kind === 'add') s = add(s, mask as Tensor);
  if (p.kind === 'bool') s = where(mask as Tensor, s, Number.NEGATIVE_INFINITY);
  if (p.causal) s = where(causalMask(p.L, p.S), s, Number.NEGATIVE_INFINITY);
  return s;
}

/** The dropout factors [...batch, L, S] the kernels apply (0, or 1/(1 − p) where attentionKeep keeps a weight). */
function dropMask(p: Prepared, seed: number, dtype: DType): Tensor {
  const keep = empty([...p.batch, p.L, p.S], dtype);
  const t = attentionThreshold(p.dropoutP);
  const inv = 1 / (1 - p.dropoutP);
  for (let i = 0; i < keep.size; i++) keep.data[i] = attentionKeep(seed, i, t) ? inv : 0;
  return keep;
}

/** The whole forward with ops (no keys at all, and non-finite operands, take this path). */
function composite(p: Prepared, seed: number): Tensor {
  let w = softmax(scores(p, p.q, p.k, p.mask), -1);
  if (p.dropoutP > 0) w = mul(w, dropMask(p, seed, w.dtype));
  return matmul(w, p.v);
}

/** The gradients [dq, dk, dv, dmask] written with differentiable ops (recomputing the weights). */
function compositeGrads(p: Prepared, g: Tensor, seed: number): (Tensor | null)[] {
  const w = softmax(scores(p, p.q, p.k, p.mask), -1);
  const keep = p.dropoutP > 0 ? dropMask(p, seed, w.dtype) : null;
  const dv = matmul(transpose(keep ? mul(w, keep) : w, -2, -1), g);
  const dwk = matmulT(g, p.v);
  const dw = keep ? mul(dwk, keep) : dwk;
  // softmax's adjoint: w ⊙ (dw − Σ_j dw·w)
  const ds = mul(w, sub(dw, sum(mul(dw, w), -1, { keepdim: true })));
  const dq = mul(matmul(ds, p.k), p.scale);
  const dk = mul(matmul(transpose(ds, -2, -1), p.q), p.scale);
  return [dq, dk, dv, p.kind === 'add' ? sumTo(ds, (p.mask as Tensor).shape) : null];
}

/** Where each block's mask starts, and its row and column strides, for a mask broadcast to [...batch, L, S]. */
function maskView(p: Prepared): AttentionMask | null {
  if (!p.mask) return null;
  const full = [...p.batch, p.L, p.S];
  const st = broadcastStrides(p.mask.shape, full);
  const nb = sizeOf(p.batch);
  const offsets = new Int32Array(nb);
  for (let b = 0; b < nb; b++) {
    let rem = b;
    let off = 0;
    for (let d = p.batch.length - 1; d >= 0; d--) {
      off += (rem % p.batch[d]) * st[d];
      rem = Math.floor(rem / p.batch[d]);
    }
    offsets[b] = off;
  }
  return { data: p.mask.data, offsets, rowStride: st[full.length - 2], colStride: st[full.length - 1] };
}

/**
 * Scaled dot-product attention, torch 2's F.scaled_dot_product_attention:
 * softmax(q·kᵀ·scale + mask)·v with q [..., L, E], k [..., S, E], v [..., S, Ev] -> [..., L, Ev]
 * (batch dims broadcast). The attention weights are never stored: the forward keeps each row's
 * log-sum-exp and the backward recomputes them. A query whose keys are all masked out gives NaN,
 * as in PyTorch.
 * @example
 * import { scaledDotProductAttention, ones } from 'chainrule';
 * scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 4]), ones([2, 5, 6]), { isCausal: true }).shape // [2, 3, 6]
 */
export const scaledDotProductAttention = defineOp(
  {
    name: NAME,
    doc: 'softmax(q·kᵀ·scale + mask)·v over the last two dims (batch dims broadcast); bool masks say which keys a query attends to, float masks are added to the scores.',
    inputs: ['query', 'key', 'value', 'attnMask'],
    params: [{ name: 'options', type: 'options', default: null }],
    method: false,
    latex: ([q, k, v]) => `\\operatorname{softmax}\\left(\\frac{${q} {${k}}^{\\top}}{\\sqrt{d}}\\right) ${v}`,
    fnLatex: '\\operatorname{attention}',
    label: 'attention',
    onnx: { build: (g, inputs, a) => onnxAttention(g, inputs, a) },
  },
  (def) =>
    function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, opts: ScaledDotProductAttentionOptions = {}): Tensor {
      const p = prepare(query, key, value, opts);
      const { q, k, v, mask, L, S, E, Ev } = p;
      // NaN and ±∞ operands spread through the products exactly as PyTorch's: the composite form
      const plain = finite(q) && finite(k) && finite(v) && (p.kind !== 'add' || finite(mask as Tensor, true));
      const seed = p.dropoutP > 0 ? (opts.generator ?? defaultGenerator).nextU32() : 0;
      if (S === 0 || !plain) return composite(p, seed);
      const nb = sizeOf(p.batch);
      const spec: AttentionSpec = { batch: nb, L, S, E, Ev, scale: p.scale, causal: p.causal, mask: p.kind, dropoutP: p.dropoutP, seed };
      const view = maskView(p);
      const out = empty([...p.batch, L, Ev], q.dtype);
      const lse = empty([nb, L], q.dtype);
      kernels().attention(spec, { q: q.data, k: k.data, v: v.data, mask: view, out: out.data, lse: lse.data });
      const additive = p.kind === 'add' ? (mask as Tensor) : null;
      const inputs = additive ? [q, k, v, additive] : [q, k, v];
      return record(
        def,
        inputs,
        out,
        (g) => {
          // a gradient that will be differentiated again, or one the mask needs: the ops themselves
          if (isGradEnabled() || additive?.requiresGrad) return compositeGrads(p, g, seed).slice(0, inputs.length);
          const dq = empty(q.shape, q.dtype);
          const dk = empty(k.shape, k.dtype);
          const dv = empty(v.shape, v.dtype);
          kernels().attentionBackward(spec, { q: q.data, k: k.data, v: v.data, mask: view, out: out.data, lse: lse.data, dOut: g.data, dq: dq.data, dk: dk.data, dv: dv.data });
          return [dq, dk, dv, ...(additive ? [null] : [])];
        },
        { isCausal: p.causal, scale: p.scale, mask: p.kind, dropoutP: p.dropoutP },
      );
    },
);
