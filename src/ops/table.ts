/**
 * The op table: every op of chainrule, collected from the modules that define them (no list to
 * keep by hand: an op is in the table because its module exports it). Everything that needs to
 * know about ops reads this: Tensor methods (ops/methods.ts), F and nn's activation modules, the
 * problem language and explanations, graph labels, plots, the native op codes
 * (scripts/native-ops.mjs) and the tests that walk the table.
 */
import type { BinaryKernel, UnaryKernel } from '../backend/types.js';
import type { OpInfo } from '../tensor/tensor.js';
import * as activation from './activation.js';
import * as arith from './arith.js';
import * as attention from './attention.js';
import * as conv from './conv.js';
import * as distance from './distance.js';
import * as conv2d from './conv2d.js';
import * as ctc from './ctc.js';
import { type Op, type OpDef, isOp } from './define.js';
import * as fold from './fold.js';
import * as indexing from './indexing.js';
import * as linalg from './linalg.js';
import * as manip from './manip.js';
import { ADD_SCALAR, MUL_SCALAR } from './kernel.js';
import * as logic from './logic.js';
import * as loss from './loss.js';
import * as math from './math.js';
import * as matmul from './matmul.js';
import * as norm from './norm.js';
import * as pad from './pad.js';
import * as pool2d from './pool2d.js';
import * as reduce from './reduce.js';
import * as rnn from './rnn.js';
import * as scan from './scan.js';
import * as scatter from './scatter.js';
import * as shape from './shape.js';
import * as softmax from './softmax.js';
import * as sort from './sort.js';
import * as sparse from './sparse.js';
import * as stats from './stats.js';

/**
 * The modules of the table, by family (the API reference groups ops this way).
 * @example
 * Object.keys(OP_MODULES).includes('activation') // true
 * OP_MODULES.math.exp === exp // true
 */
export const OP_MODULES = {
  /** elementwise arithmetic and comparisons with broadcasting: add, sub, mul, div, maximum, eq, lt, where, ... */
  arith,
  /** elementwise functions: exp, log, sqrt, tanh, the trigonometric and hyperbolic functions, clamp, atan2, ... */
  math,
  /** activations: relu, gelu, elu, selu, silu, mish, hardtanh, leakyRelu, logSigmoid, glu, ... */
  activation,
  /** the sum over dims */
  reduce,
  /** reductions beyond the sum: mean, max/min, argmax/argmin, logsumexp, variance, std, nansum, nanmean */
  stats,
  /** cumulative ops and the product: cumsum, cumprod, logcumsumexp, prod */
  scan,
  /** ordering: sort, argsort, topk, kthvalue, median, mode, maxDim/minDim with indices */
  sort,
  /** vector and matrix norms (p, dims) */
  norm,
  /** boolean reductions: all, any, countNonzero */
  logic,
  /** softmax, logSoftmax and softmin along a dim */
  softmax,
  /** views and copies of shape: reshape, transpose, permute, expand, concat, narrow, index, pad, cast, detach, ... */
  shape,
  /** gather, indexSelect, indexAdd, scatterAdd */
  indexing,
  /** products: matmul (batched, broadcasting), dot, outer */
  matmul,
  /** products with a CSR sparse left operand */
  sparse,
  /** 1-d convolution and its gradients (strided GEMM kernels) */
  conv,
  /** the fused recurrence of RNN, GRU and LSTM layers */
  rnn,
  /** rearranging: flip, roll, rot90, repeat, tile, repeatInterleave, tril/triu, diag, movedim, meshgrid, unbind */
  manip,
  /** batched and fused products: bmm, baddbmm, addmm, einsum, kron */
  linalg,
  /** scatter, scatterReduce, takeAlongDim, maskedFill, maskedSelect, indexPut, oneHot */
  scatter,
  /** reflect, replicate and circular padding */
  pad,
  /** cdist, pairwiseDistance, cosineSimilarity, normalize */
  distance,
  /** scaledDotProductAttention (fused, tiled, with masks, causal and dropout) */
  attention,
  /** 2-d convolution and its gradients (stride, dilation, groups) */
  conv2d,
  /** 2-d max, average and adaptive pooling and their gradients */
  pool2d,
  /** im2col and col2im (nn.Unfold and nn.Fold) */
  fold,
  /** losses beyond the classic ones: huber, smoothL1, klDiv, margin, triplet, cosine-embedding, Poisson and Gaussian NLL, ... */
  loss,
  /** the connectionist temporal classification loss */
  ctc,
} as const;

/** Every export of every op module, merged: the type Tensor methods are derived from. */
export type OpExports = typeof arith &
  typeof math &
  typeof activation &
  typeof reduce &
  typeof stats &
  typeof scan &
  typeof sort &
  typeof norm &
  typeof logic &
  typeof softmax &
  typeof shape &
  typeof indexing &
  typeof matmul &
  typeof sparse &
  typeof conv &
  typeof rnn &
  typeof manip &
  typeof linalg &
  typeof scatter &
  typeof pad &
  typeof distance &
  typeof attention &
  typeof conv2d &
  typeof pool2d &
  typeof fold &
  typeof loss &
  typeof ctc;

function collect(): Op[] {
  const seen = new Set<unknown>();
  const out: Op[] = [];
  for (const mod of Object.values(OP_MODULES)) {
    for (const v of Object.values(mod)) {
      if (isOp(v) && !seen.has(v)) {
        seen.add(v);
        out.push(v);
      }
    }
  }
  // definition order: the order ops are written in their modules, the modules in dependency order
  return out.sort((a, b) => a.def.order - b.def.order);
}

/**
 * Every op, once (aliases such as `view` for `reshape` are the same function).
 * @example
 * OPS.some((op) => op.def.name === 'relu') // true
 * OPS.find((op) => op.def.name === 'exp')?.def.doc // 'Elementwise e^x.'
 */
export const OPS: readonly Op[] = collect();

const byName = new Map<string, Op>();
const byDef = new Map<OpInfo, OpDef>();
for (const op of OPS) {
  if (byName.has(op.def.name)) throw new Error(`op table: two ops are named ${op.def.name}`);
  byName.set(op.def.name, op);
  byDef.set(op.def, op.def);
}

/** The op of an API name ('leakyRelu'), or undefined. */
export function opNamed(name: string): Op | undefined {
  return byName.get(name);
}

/** The table entry behind a recorded node's op (undefined for custom ops). */
export function defOf(info: OpInfo): OpDef | undefined {
  return byDef.get(info);
}

/** The ops problem files can call, by problem-file name and alias. */
export function problemOps(): Map<string, Op> {
  const m = new Map<string, Op>();
  for (const op of OPS) {
    if (!op.def.problem) continue;
    m.set(op.def.problem, op);
    for (const a of op.def.aliases) m.set(a, op);
  }
  return m;
}

/** Every elementwise kernel of the table, unary and binary, each once by name. */
export function tableKernels(): { unary: UnaryKernel[]; binary: BinaryKernel[] } {
  const unary = new Map<string, UnaryKernel>([
    [ADD_SCALAR.name, ADD_SCALAR],
    [MUL_SCALAR.name, MUL_SCALAR],
  ]);
  const binary = new Map<string, BinaryKernel>();
  for (const op of OPS) {
    for (const k of [op.def.kernel, ...(op.def.kernels ?? [])]) {
      if (!k) continue;
      const into: Map<string, UnaryKernel | BinaryKernel> = k.arity === 1 ? unary : binary;
      const prev = into.get(k.name);
      if (prev && prev !== k) throw new Error(`op table: two different kernels are named ${k.name}`);
      into.set(k.name, k);
    }
  }
  return { unary: [...unary.values()], binary: [...binary.values()] };
}
