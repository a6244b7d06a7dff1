// The replay table of the differential suite: one line per op of scripts/fixtures/parity.py,
// mapping a case (its attributes `a` and its named input tensors `t`, views already applied) to
// the chainrule call. Attribute and input names are the generator's; see its op builders.
import {
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  adaptiveMaxPool2d,
  add,
  arange,
  asStrided,
  atan2,
  avgPool2d,
  avgPool2dBackward,
  cat,
  col2im,
  concat,
  conv1d,
  conv1dInputGrad,
  conv1dWeightGrad,
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
  csrFromRows,
  div,
  einsum,
  eq,
  eye,
  F,
  fmod,
  full,
  gather,
  ge,
  gt,
  hypot,
  im2col,
  indexSelect,
  jacobian,
  le,
  linspace,
  lt,
  matmul,
  matmulT,
  maxPool2d,
  meshgrid,
  mul,
  ne,
  nn,
  optim,
  pow,
  remainder,
  scaledDotProductAttention,
  scatterAdd,
  sparseMatmul,
  sparseMatmulT,
  stack,
  sub,
  type Tensor,
  tensor,
  type TensorLike,
  vjp,
  where,
  zeros,
} from 'chainrule';
import type { Attrs } from './parity-fixture.js';

export type Inputs = Record<string, Tensor>;
/** What an op returns: tensors (nested in arrays, as split or LSTM give them) or numbers. */
export type Out = Tensor | number | readonly Out[];
export type Run = (a: Attrs, t: Inputs) => Out;
/** `names`: other names an error message may use for this op (a module's functional form). */
export type Entry = Run | { run: Run; names: string[] };

type Binary = (x: TensorLike, y: TensorLike) => Tensor;

/** tensor op tensor and tensor op number through the method, number op tensor through the function. */
function bin(method: (x: Tensor, y: TensorLike) => Tensor, fn: Binary): Run {
  return (a, t) => (t.x ? method(t.x, t.y ?? a.y) : fn(a.x, t.y));
}

/** The named tensors x0, x1, ... in order. */
function list(t: Inputs, prefix: string): Tensor[] {
  const out: Tensor[] = [];
  for (let i = 0; t[`${prefix}${i}`]; i++) out.push(t[`${prefix}${i}`]);
  return out;
}

/** Puts the case's p.<key> and b.<key> tensors into the module's fields (its parameters and buffers; a dotted state-dict key names a sub-module's field). */
function withParams<M extends nn.Module>(m: M, t: Inputs): M {
  const modules = new Map<string, nn.Module>(m.namedModules());
  for (const [k, v] of Object.entries(t)) {
    if (!k.startsWith('p.') && !k.startsWith('b.')) continue;
    const key = k.slice(2);
    const dot = key.lastIndexOf('.');
    const owner = dot < 0 ? m : modules.get(key.slice(0, dot));
    if (!owner) throw new Error(`${key}: no sub-module ${key.slice(0, dot)}`);
    (owner as unknown as Record<string, unknown>)[key.slice(dot + 1)] = v;
  }
  return m;
}

/** The named mask inputs of a case, as forward options. */
function masks(t: Inputs, names: string[]): Record<string, Tensor> {
  return Object.fromEntries(names.filter((n) => t[n]).map((n) => [n, t[n]]));
}

const ENCODER_MASKS = ['srcMask', 'srcKeyPaddingMask'];
const DECODER_MASKS = ['tgtMask', 'memoryMask', 'tgtKeyPaddingMask', 'memoryKeyPaddingMask'];

/** Output and attention weights (when the module returns them). */
const withWeights = ([y, w]: [Tensor, Tensor | null]): Out => (w ? [y, w] : y);

const named = (names: string[], run: Run): Entry => ({ run, names });

/** Steps an optimizer over the case's gradients g<step>_<param>; returns every parameter after every step. */
function optimize(make: (params: Tensor[] | { params: Tensor[] }[], o: Attrs) => optim.Optimizer, a: Attrs, t: Inputs): Tensor[] {
  const ps = list(t, 'p').map((p) => p.requiresGrad_());
  const groups = a.groups?.map((g: Attrs) => ({ ...g, params: g.params.map((i: number) => ps[i]) }));
  const opt = make(groups ?? ps, a.options);
  const out: Tensor[] = [];
  for (let k = 0; k < a.steps; k++) {
    ps.forEach((p, i) => {
      p.grad = t[`g${k}_${i}`] ?? null;
    });
    opt.step();
    out.push(...ps.map((p) => p.detach().clone()));
  }
  return out;
}

type Scheduler = { step(metric: number): void };

/** The learning rate before each of a.steps epochs and after the last, under a scheduler. */
function lrTrace(a: Attrs, make: (opt: optim.Optimizer) => Scheduler): Tensor {
  const opt = new optim.SGD([zeros([1], { requiresGrad: true })], { lr: a.lr });
  const sched = make(opt);
  const lrs: number[] = [];
  for (let k = 0; k < a.steps; k++) {
    lrs.push(opt.paramGroups[0].lr);
    opt.step();
    // ReduceLROnPlateau steps on the case's metric; the other schedulers take no argument
    sched.step(a.metrics?.[k] as number);
  }
  lrs.push(opt.paramGroups[0].lr);
  return tensor(Float64Array.from(lrs));
}

const SCHEDULERS: Record<string, (opt: optim.Optimizer, o: Attrs) => optim.LRScheduler> = {
  StepLR: (opt, o) => new optim.StepLR(opt, o as { stepSize: number }),
  MultiStepLR: (opt, o) => new optim.MultiStepLR(opt, o as { milestones: number[] }),
  ExponentialLR: (opt, o) => new optim.ExponentialLR(opt, o as { gamma: number }),
  CosineAnnealingLR: (opt, o) => new optim.CosineAnnealingLR(opt, o as { tMax: number }),
  LinearLR: (opt, o) => new optim.LinearLR(opt, o),
  OneCycleLR: (opt, o) => new optim.OneCycleLR(opt, o as unknown as optim.OneCycleLROptions),
  CyclicLR: (opt, o) => new optim.CyclicLR(opt, o as unknown as optim.CyclicLROptions),
  CosineAnnealingWarmRestarts: (opt, o) => new optim.CosineAnnealingWarmRestarts(opt, o as { T0: number }),
  PolynomialLR: (opt, o) => new optim.PolynomialLR(opt, o),
  ConstantLR: (opt, o) => new optim.ConstantLR(opt, o),
};

/** The gradients g0, g1, ... as .grad of zero parameters, clipped; returns [total norm?, grads...]. */
function clip(t: Inputs, f: (ps: Tensor[]) => number | undefined): Out {
  const ps = list(t, 'g').map((g) => {
    const p = zeros(g.shape, { dtype: g.dtype, requiresGrad: true });
    p.grad = g;
    return p;
  });
  const total = f(ps);
  const grads = ps.map((p) => p.grad as Tensor);
  return total === undefined ? grads : [tensor([total], { dtype: ps[0].dtype }).reshape([]), ...grads];
}

const JAC: Record<string, (x: Tensor) => Tensor> = {
  sin: (x) => x.sin(),
  tanh: (x) => x.tanh(),
  sigmoid: (x) => x.sigmoid(),
  square: (x) => x.square(),
  exp: (x) => x.exp(),
  softmax: (x) => x.softmax(-1),
  logSoftmax: (x) => x.logSoftmax(-1),
  relu: (x) => x.relu(),
};

const reduceOpts = (a: Attrs) => ({ keepdim: a.keepdim, correction: a.correction });
const keep = (a: Attrs) => ({ keepdim: a.keepdim });

/** The CSR matrix of a dense float tensor's non-zeros (chainrule's sparse operand). */
function csrOf(x: Tensor): ReturnType<typeof csrFromRows> {
  const rows = x.toArray() as number[][];
  return csrFromRows(
    rows.map((r) => new Map(r.map((v, c) => [c, v]))),
    x.shape[1],
  );
}
const cellArgs = (t: Inputs): [Tensor, Tensor, Tensor | null, Tensor | null] => [t.wih, t.whh, t.bih ?? null, t.bhh ?? null];
const state = (t: Inputs, h: string, c?: string): Tensor | [Tensor, Tensor] | undefined => (t[h] ? (c ? [t[h], t[c]] : t[h]) : undefined);

/** The conv op options of a case (its other attributes are the op's size arguments). */
const convOpts = (a: Attrs) => ({ stride: a.stride, dilation: a.dilation, groups: a.groups });

type Normalizer = nn.Module & { forward(x: Tensor): Tensor; running_mean: Tensor | null; running_var: Tensor | null; num_batches_tracked: Tensor | null };

/** A norm module's output, then its running statistics after the step (and the batch count, for batch norms). */
function runningStats(m: Normalizer, x: Tensor, counts: boolean): Out {
  const y = m.forward(x);
  if (!m.running_mean || !m.running_var) return y;
  return counts ? [y, m.running_mean, m.running_var, m.num_batches_tracked as Tensor] : [y, m.running_mean, m.running_var];
}

export const TABLE: Record<string, Entry> = {
  // elementwise
  neg: (_, t) => t.x.neg(),
  exp: (_, t) => t.x.exp(),
  log: (_, t) => t.x.log(),
  log2: (_, t) => t.x.log2(),
  log10: (_, t) => t.x.log10(),
  sqrt: (_, t) => t.x.sqrt(),
  abs: (_, t) => t.x.abs(),
  sin: (_, t) => t.x.sin(),
  cos: (_, t) => t.x.cos(),
  tanh: (_, t) => t.x.tanh(),
  sigmoid: (_, t) => t.x.sigmoid(),
  relu: (_, t) => t.x.relu(),
  erf: (_, t) => t.x.erf(),
  square: (_, t) => t.x.square(),
  reciprocal: (_, t) => t.x.reciprocal(),
  sign: (_, t) => t.x.sign(),
  step: (_, t) => t.x.step(),
  leakyRelu: (a, t) => t.x.leakyRelu(a.slope),
  elu: (a, t) => t.x.elu(a.alpha),
  gelu: (a, t) => t.x.gelu(a.approximate ? { approximate: a.approximate } : undefined),
  softplus: (a, t) => t.x.softplus(a.beta, a.threshold),
  clamp: (a, t) => t.x.clamp(a.min, a.max),
  pow: bin((x, y) => x.pow(y), pow),
  add: bin((x, y) => x.add(y), add),
  sub: bin((x, y) => x.sub(y), sub),
  mul: bin((x, y) => x.mul(y), mul),
  div: bin((x, y) => x.div(y), div),
  maximum: (_, t) => t.x.maximum(t.y),
  minimum: (_, t) => t.x.minimum(t.y),
  eq: bin((x, y) => x.eq(y), eq),
  ne: bin((x, y) => x.ne(y), ne),
  lt: bin((x, y) => x.lt(y), lt),
  le: bin((x, y) => x.le(y), le),
  gt: bin((x, y) => x.gt(y), gt),
  ge: bin((x, y) => x.ge(y), ge),
  logicalAnd: (_, t) => t.x.logicalAnd(t.y),
  logicalOr: (_, t) => t.x.logicalOr(t.y),
  logicalNot: (_, t) => t.x.logicalNot(),
  where: (a, t) => where(t.cond, t.x ?? a.x, t.y ?? a.y),
  'Tensor.where': (_, t) => t.x.where(t.cond, t.other),
  // reductions
  sum: (a, t) => t.x.sum(a.dims, reduceOpts(a)),
  mean: (a, t) => t.x.mean(a.dims, reduceOpts(a)),
  max: (a, t) => t.x.max(a.dims, reduceOpts(a)),
  min: (a, t) => t.x.min(a.dims, reduceOpts(a)),
  logsumexp: (a, t) => t.x.logsumexp(a.dims, reduceOpts(a)),
  var: (a, t) => t.x.var(a.dims, reduceOpts(a)),
  std: (a, t) => t.x.std(a.dims, reduceOpts(a)),
  argmax: (a, t) => t.x.argmax(a.dim, reduceOpts(a)),
  argmin: (a, t) => t.x.argmin(a.dim, reduceOpts(a)),
  softmax: (a, t) => t.x.softmax(a.dim),
  logSoftmax: (a, t) => t.x.logSoftmax(a.dim),
  'F.softmax': (a, t) => F.softmax(t.x, a.dim),
  'F.logSoftmax': (a, t) => F.logSoftmax(t.x, a.dim),
  // products
  matmul: (_, t) => matmul(t.x, t.y),
  matmulT: (_, t) => matmulT(t.x, t.y),
  dot: (_, t) => t.x.dot(t.y),
  outer: (_, t) => t.x.outer(t.y),
  'F.linear': (_, t) => F.linear(t.x, t.weight, t.bias),
  'F.bilinear': (_, t) => F.bilinear(t.x1, t.x2, t.weight, t.bias),
  // shapes, joins, indexing
  reshape: (a, t) => t.x.reshape(a.shape),
  view: named(['reshape'], (a, t) => t.x.view(a.shape)),
  flatten: (a, t) => t.x.flatten(a.startDim, a.endDim),
  transpose: (a, t) => t.x.transpose(a.dim0, a.dim1),
  T: (_, t) => t.x.T,
  permute: (a, t) => t.x.permute(a.dims),
  squeeze: (a, t) => t.x.squeeze(a.dim),
  unsqueeze: (a, t) => t.x.unsqueeze(a.dim),
  expand: (a, t) => t.x.expand(a.shape),
  narrow: (a, t) => t.x.narrow(a.dim, a.start, a.length),
  slice: named(['index'], (a, t) => t.x.slice(a.dim, a.start, a.end, a.step)),
  index: (a, t) => t.x.index(...a.specs),
  split: (a, t) => t.x.split(a.sizes, a.dim),
  chunk: (a, t) => t.x.chunk(a.chunks, a.dim),
  pad: (a, t) => t.x.pad(a.widths, a.value),
  concat: (a, t) => concat(list(t, 'x'), a.dim),
  cat: named(['concat'], (a, t) => cat(list(t, 'x'), a.dim)),
  stack: (a, t) => stack(list(t, 'x'), a.dim),
  clone: (_, t) => t.x.clone(),
  contiguous: (_, t) => t.x.contiguous(),
  detach: (_, t) => t.x.detach(),
  to: (a, t) => t.x.to(a.dtype),
  float: named(['to'], (_, t) => t.x.float()),
  double: named(['to'], (_, t) => t.x.double()),
  int: named(['to'], (_, t) => t.x.int()),
  asStrided: (a, t) => asStrided(t.x, a.shape, a.strides, a.offset),
  gather: (a, t) => gather(t.x, a.dim, t.index),
  indexSelect: (a, t) => indexSelect(t.x, a.dim, t.index),
  scatterAdd: (a, t) => scatterAdd(t.x, a.dim, t.index, t.src),
  // creation and functional transforms
  arange: (a) => arange(a.start, a.end, a.step, { dtype: a.dtype }),
  linspace: (a) => linspace(a.start, a.end, a.steps, { dtype: a.dtype }),
  eye: (a) => eye(a.n, a.m, { dtype: a.dtype }),
  full: (a) => full(a.shape, a.value, { dtype: a.dtype }),
  jacobian: (a, t) => jacobian(JAC[a.f], t.x),
  vjp: (a, t) => {
    const [y, pull] = vjp(JAC[a.f], t.x);
    return [y, pull(t.v)[0]];
  },
  // convolution and pooling
  conv1d: (a, t) => conv1d(t.x, t.weight, a),
  conv1dInputGrad: (a, t) => conv1dInputGrad(t.gy, t.weight, a.length, a),
  conv1dWeightGrad: (a, t) => conv1dWeightGrad(t.x, t.gy, a.kernel, a),
  'F.conv1d': (a, t) => F.conv1d(t.x, t.weight, t.bias, a),
  'F.maxPool1d': (a, t) => F.maxPool1d(t.x, a.kernel, a.opts),
  'F.avgPool1d': (a, t) => F.avgPool1d(t.x, a.kernel, a.opts),
  'F.adaptiveMaxPool1d': (a, t) => F.adaptiveMaxPool1d(t.x, a.outputSize),
  'F.adaptiveAvgPool1d': (a, t) => F.adaptiveAvgPool1d(t.x, a.outputSize),
  // activations of F
  'F.logSigmoid': (_, t) => F.logSigmoid(t.x),
  'F.softplusNeg': (_, t) => F.softplusNeg(t.x),
  'F.hardtanh': (a, t) => F.hardtanh(t.x, a.min, a.max),
  'F.dropout': (a, t) => F.dropout(t.x, a.p, { training: a.training }),
  // normalisation and embeddings
  'F.layerNorm': (a, t) => F.layerNorm(t.x, a.normalizedShape, t.weight, t.bias, a.eps),
  'F.batchNorm': (a, t) => {
    const [rm, rv] = [t['b.running_mean'] ?? null, t['b.running_var'] ?? null];
    const y = F.batchNorm(t.x, rm, rv, { ...a, weight: t.weight, bias: t.bias });
    return rm && rv ? [y, rm, rv] : y;
  },
  'F.embedding': (a, t) => F.embedding(t.input, t.weight, a.paddingIdx),
  'F.embeddingBag': (a, t) => F.embeddingBag(t.input, t.weight, { ...a, perSampleWeights: t.perSampleWeights }),
  'F.oneHot': (a, t) => F.oneHot(t.labels, a.numClasses, 'int32'),
  // recurrent cells
  'F.rnnCell': (_, t) => F.rnnCell(t.x, t.h, ...cellArgs(t)),
  'F.rnnCell/relu': (a, t) => F.rnnCell(t.x, t.h, ...cellArgs(t), a.nonlinearity),
  'F.gruCell': (_, t) => F.gruCell(t.x, t.h, ...cellArgs(t)),
  'F.lstmCell': (_, t) => F.lstmCell(t.x, [t.h, t.c], ...cellArgs(t)),
  // losses
  'F.mseLoss': (a, t) => F.mseLoss(t.input, t.target, a),
  'F.l1Loss': (a, t) => F.l1Loss(t.input, t.target, a),
  'F.sse': (_, t) => F.sse(t.input, t.target),
  'F.bceLoss': (a, t) => F.bceLoss(t.input, t.target, { ...a, weight: t.weight }),
  'F.bceWithLogitsLoss': (a, t) => F.bceWithLogitsLoss(t.input, t.target, { ...a, weight: t.weight, posWeight: t.posWeight }),
  'F.crossEntropy': (a, t) => F.crossEntropy(t.input, t.target, { ...a, weight: t.weight }),
  'F.nllLoss': (a, t) => F.nllLoss(t.input, t.target, { ...a, weight: t.weight }),
  'F.hingeEmbeddingLoss': (a, t) => F.hingeEmbeddingLoss(t.input, t.target, a),
  'F.multiMarginLoss': (a, t) => F.multiMarginLoss(t.input, t.target, { ...a, weight: t.weight }),
  'F.perceptronLoss': (a, t) => F.perceptronLoss(t.input, t.target, a),
  // family losses (scripts/fixtures/paritygen/losses.py)
  'F.smoothL1Loss': (a, t) => F.smoothL1Loss(t.input, t.target, a),
  'F.huberLoss': (a, t) => F.huberLoss(t.input, t.target, a),
  'F.klDiv': (a, t) => F.klDiv(t.input, t.target, a),
  'F.poissonNllLoss': (a, t) => F.poissonNllLoss(t.input, t.target, a),
  'F.softMarginLoss': (a, t) => F.softMarginLoss(t.input, t.target, a),
  'F.marginRankingLoss': (a, t) => F.marginRankingLoss(t.x1, t.x2, t.target, a),
  'F.tripletMarginLoss': (a, t) => F.tripletMarginLoss(t.anchor, t.positive, t.negative, a),
  'F.tripletMarginWithDistanceLoss': (a, t) => F.tripletMarginWithDistanceLoss(t.anchor, t.positive, t.negative, { ...a, distanceFunction: DISTANCES[a.distance] }),
  'F.cosineEmbeddingLoss': (a, t) => F.cosineEmbeddingLoss(t.x1, t.x2, t.target, a),
  'F.gaussianNllLoss': (a, t) => F.gaussianNllLoss(t.input, t.target, t.var, a),
  'F.multilabelMarginLoss': (a, t) => F.multilabelMarginLoss(t.input, t.target, a),
  'F.multilabelSoftMarginLoss': (a, t) => F.multilabelSoftMarginLoss(t.input, t.target, { ...a, weight: t.weight }),
  'F.ctcLoss': (a, t) => F.ctcLoss(t.logits.logSoftmax(-1), t.targets, t.inputLengths, t.targetLengths, a),
  // modules
  'nn.ReLU': (_, t) => new nn.ReLU().forward(t.x),
  'nn.LeakyReLU': (a, t) => new nn.LeakyReLU(a.slope).forward(t.x),
  'nn.Sigmoid': (_, t) => new nn.Sigmoid().forward(t.x),
  'nn.Tanh': (_, t) => new nn.Tanh().forward(t.x),
  'nn.Softmax': (a, t) => new nn.Softmax(a.dim).forward(t.x),
  'nn.LogSoftmax': (a, t) => new nn.LogSoftmax(a.dim).forward(t.x),
  'nn.Softplus': (a, t) => new nn.Softplus(a.beta, a.threshold).forward(t.x),
  'nn.GELU': (a, t) => new nn.GELU(a.approximate).forward(t.x),
  'nn.ELU': (a, t) => new nn.ELU(a.alpha).forward(t.x),
  'nn.Sign': (a, t) => new nn.Sign(a).forward(t.x),
  'nn.Step': (_, t) => new nn.Step().forward(t.x),
  'nn.Scale': (a, t) => nn.scaled(a.factor, new nn.ReLU()).forward(t.x),
  'nn.Identity': (_, t) => new nn.Identity().forward(t.x),
  'nn.Flatten': (a, t) => new nn.Flatten(a.startDim, a.endDim).forward(t.x),
  'nn.Dropout': (a, t) => new nn.Dropout(a.p).eval().forward(t.x),
  'nn.Linear': (a, t) => withParams(new nn.Linear(a.inFeatures, a.outFeatures, a), t).forward(t.x),
  'nn.Bilinear': (a, t) => withParams(new nn.Bilinear(a.in1, a.in2, a.out, a), t).forward(t.x1, t.x2),
  'nn.Conv1d': (a, t) => withParams(new nn.Conv1d(a.in, a.out, a.kernel, a.opts), t).forward(t.x),
  'nn.MaxPool1d': (a, t) => new nn.MaxPool1d(a.kernel, a.opts).forward(t.x),
  'nn.AvgPool1d': (a, t) => new nn.AvgPool1d(a.kernel, a.opts).forward(t.x),
  'nn.AdaptiveMaxPool1d': (a, t) => new nn.AdaptiveMaxPool1d(a.outputSize).forward(t.x),
  'nn.AdaptiveAvgPool1d': (a, t) => new nn.AdaptiveAvgPool1d(a.outputSize).forward(t.x),
  'nn.LayerNorm': (a, t) => withParams(new nn.LayerNorm(a.normalizedShape, a.opts), t).forward(t.x),
  'nn.BatchNorm1d': (a, t) => {
    const m = withParams(new nn.BatchNorm1d(a.num, a.opts).train(a.training), t);
    const y = m.forward(t.x);
    return m.running_mean ? [y, m.running_mean, m.running_var as Tensor, m.num_batches_tracked as Tensor] : y;
  },
  'nn.Embedding': (a, t) => withParams(new nn.Embedding(a.num, a.dim, a.opts), t).forward(t.input),
  'nn.EmbeddingBag': (a, t) => withParams(new nn.EmbeddingBag(a.num, a.dim, a.opts), t).forward(t.input, a.offsets),
  'nn.RNN': (a, t) => withParams(new nn.RNN(a.inputSize, a.hiddenSize, a.opts), t).forward(t.x, t.h0, a),
  'nn.GRU': (a, t) => withParams(new nn.GRU(a.inputSize, a.hiddenSize, a.opts), t).forward(t.x, t.h0, a),
  'nn.LSTM': (a, t) => withParams(new nn.LSTM(a.inputSize, a.hiddenSize, a.opts), t).forward(t.x, state(t, 'h0', 'c0') as [Tensor, Tensor], a),
  'nn.RNNCell': (a, t) => withParams(new nn.RNNCell(a.inputSize, a.hiddenSize, a.opts), t).forward(t.x, t.h),
  'nn.GRUCell': (a, t) => withParams(new nn.GRUCell(a.inputSize, a.hiddenSize, a.opts), t).forward(t.x, t.h),
  'nn.LSTMCell': (a, t) => withParams(new nn.LSTMCell(a.inputSize, a.hiddenSize, a.opts), t).forward(t.x, state(t, 'h', 'c') as [Tensor, Tensor]),
  'nn.MSELoss': named(['mseLoss'], (a, t) => new nn.MSELoss(a).forward(t.input, t.target)),
  'nn.L1Loss': named(['l1Loss'], (a, t) => new nn.L1Loss(a).forward(t.input, t.target)),
  'nn.SSELoss': named(['sse'], (_, t) => new nn.SSELoss().forward(t.input, t.target)),
  'nn.BCELoss': named(['bceLoss'], (a, t) => new nn.BCELoss({ ...a, weight: t.weight }).forward(t.input, t.target)),
  'nn.BCEWithLogitsLoss': named(['bceWithLogitsLoss'], (a, t) => new nn.BCEWithLogitsLoss({ ...a, weight: t.weight, posWeight: t.posWeight }).forward(t.input, t.target)),
  'nn.CrossEntropyLoss': named(['crossEntropy'], (a, t) => new nn.CrossEntropyLoss({ ...a, weight: t.weight }).forward(t.input, t.target)),
  'nn.NLLLoss': named(['nllLoss'], (a, t) => new nn.NLLLoss({ ...a, weight: t.weight }).forward(t.input, t.target)),
  'nn.HingeEmbeddingLoss': named(['hingeEmbeddingLoss'], (a, t) => new nn.HingeEmbeddingLoss(a).forward(t.input, t.target)),
  'nn.MultiMarginLoss': named(['multiMarginLoss'], (a, t) => new nn.MultiMarginLoss({ ...a, weight: t.weight }).forward(t.input, t.target)),
  'nn.PerceptronLoss': named(['perceptronLoss'], (a, t) => new nn.PerceptronLoss(a).forward(t.input, t.target)),
  'nn.SmoothL1Loss': named(['smoothL1Loss'], (a, t) => new nn.SmoothL1Loss(a).forward(t.input, t.target)),
  'nn.HuberLoss': named(['huberLoss'], (a, t) => new nn.HuberLoss(a).forward(t.input, t.target)),
  'nn.KLDivLoss': named(['klDiv'], (a, t) => new nn.KLDivLoss(a).forward(t.input, t.target)),
  'nn.PoissonNLLLoss': named(['poissonNllLoss'], (a, t) => new nn.PoissonNLLLoss(a).forward(t.input, t.target)),
  'nn.SoftMarginLoss': named(['softMarginLoss'], (a, t) => new nn.SoftMarginLoss(a).forward(t.input, t.target)),
  'nn.MarginRankingLoss': named(['marginRankingLoss'], (a, t) => new nn.MarginRankingLoss(a).forward(t.x1, t.x2, t.target)),
  'nn.TripletMarginLoss': named(['tripletMarginLoss'], (a, t) => new nn.TripletMarginLoss(a).forward(t.anchor, t.positive, t.negative)),
  'nn.TripletMarginWithDistanceLoss': named(['tripletMarginWithDistanceLoss'], (a, t) =>
    new nn.TripletMarginWithDistanceLoss({ ...a, distanceFunction: DISTANCES[a.distance] }).forward(t.anchor, t.positive, t.negative),
  ),
  'nn.CosineEmbeddingLoss': named(['cosineEmbeddingLoss'], (a, t) => new nn.CosineEmbeddingLoss(a).forward(t.x1, t.x2, t.target)),
  'nn.GaussianNLLLoss': named(['gaussianNllLoss'], (a, t) => new nn.GaussianNLLLoss(a).forward(t.input, t.target, t.var)),
  'nn.MultiLabelMarginLoss': named(['multilabelMarginLoss'], (a, t) => new nn.MultiLabelMarginLoss(a).forward(t.input, t.target)),
  'nn.MultiLabelSoftMarginLoss': named(['multilabelSoftMarginLoss'], (a, t) => new nn.MultiLabelSoftMarginLoss({ ...a, weight: t.weight }).forward(t.input, t.target)),
  'nn.CTCLoss': named(['ctcLoss'], (a, t) => new nn.CTCLoss(a).forward(t.logits.logSoftmax(-1), t.targets, t.inputLengths, t.targetLengths)),
  // family elementwise (scripts/fixtures/paritygen/elementwise.py)
  log1p: (_, t) => t.x.log1p(),
  expm1: (_, t) => t.x.expm1(),
  rsqrt: (_, t) => t.x.rsqrt(),
  tan: (_, t) => t.x.tan(),
  asin: (_, t) => t.x.asin(),
  acos: (_, t) => t.x.acos(),
  atan: (_, t) => t.x.atan(),
  sinh: (_, t) => t.x.sinh(),
  cosh: (_, t) => t.x.cosh(),
  asinh: (_, t) => t.x.asinh(),
  acosh: (_, t) => t.x.acosh(),
  atanh: (_, t) => t.x.atanh(),
  floor: (_, t) => t.x.floor(),
  ceil: (_, t) => t.x.ceil(),
  trunc: (_, t) => t.x.trunc(),
  round: (_, t) => t.x.round(),
  frac: (_, t) => t.x.frac(),
  atan2: bin((x, y) => x.atan2(y), atan2),
  hypot: bin((x, y) => x.hypot(y), hypot),
  fmod: bin((x, y) => x.fmod(y), fmod),
  remainder: bin((x, y) => x.remainder(y), remainder),
  'fmod/int': (_, t) => t.x.fmod(t.y),
  'remainder/int': (_, t) => t.x.remainder(t.y),
  lerp: (a, t) => t.start.lerp(t.end, t.weight ?? a.weight),
  'Tensor.clip': (a, t) => t.x.clip(a.min, a.max),
  'Tensor.heaviside': (_, t) => t.x.heaviside(),
  // family activations (scripts/fixtures/paritygen/activations.py)
  hardtanh: (a, t) => t.x.hardtanh(a.min, a.max),
  'nn.Hardtanh': (a, t) => new nn.Hardtanh(a.min, a.max).forward(t.x),
  relu6: (_, t) => t.x.relu6(),
  'nn.ReLU6': (_, t) => new nn.ReLU6().forward(t.x),
  silu: (_, t) => t.x.silu(),
  'nn.SiLU': (_, t) => new nn.SiLU().forward(t.x),
  mish: (_, t) => t.x.mish(),
  'nn.Mish': (_, t) => new nn.Mish().forward(t.x),
  selu: (_, t) => t.x.selu(),
  'nn.SELU': (_, t) => new nn.SELU().forward(t.x),
  celu: (a, t) => t.x.celu(a.alpha),
  'nn.CELU': (a, t) => new nn.CELU(a.alpha).forward(t.x),
  hardswish: (_, t) => t.x.hardswish(),
  'nn.Hardswish': (_, t) => new nn.Hardswish().forward(t.x),
  hardsigmoid: (_, t) => t.x.hardsigmoid(),
  'nn.Hardsigmoid': (_, t) => new nn.Hardsigmoid().forward(t.x),
  softsign: (_, t) => t.x.softsign(),
  'nn.Softsign': (_, t) => new nn.Softsign().forward(t.x),
  tanhshrink: (_, t) => t.x.tanhshrink(),
  'nn.Tanhshrink': (_, t) => new nn.Tanhshrink().forward(t.x),
  softshrink: (a, t) => t.x.softshrink(a.lambd),
  'nn.Softshrink': (a, t) => new nn.Softshrink(a.lambd).forward(t.x),
  hardshrink: (a, t) => t.x.hardshrink(a.lambd),
  'nn.Hardshrink': (a, t) => new nn.Hardshrink(a.lambd).forward(t.x),
  threshold: (a, t) => t.x.threshold(a.threshold, a.value),
  'nn.Threshold': (a, t) => new nn.Threshold(a.threshold, a.value).forward(t.x),
  logSigmoid: (_, t) => t.x.logSigmoid(),
  'nn.LogSigmoid': (_, t) => new nn.LogSigmoid().forward(t.x),
  logit: (a, t) => t.x.logit(a.eps),
  prelu: (_, t) => t.x.prelu(t.weight),
  glu: (a, t) => t.x.glu(a.dim),
  'nn.GLU': (a, t) => new nn.GLU(a.dim).forward(t.x),
  softmin: (a, t) => t.x.softmin(a.dim),
  'F.softmin': (a, t) => F.softmin(t.x, a.dim),
  'nn.Softmin': (a, t) => new nn.Softmin(a.dim).forward(t.x),
  // family reductions (scripts/fixtures/paritygen/reductions.py)
  prod: (a, t) => t.x.prod(a.dim, keep(a)),
  cumsum: (a, t) => t.x.cumsum(a.dim),
  cumprod: (a, t) => t.x.cumprod(a.dim),
  logcumsumexp: (a, t) => t.x.logcumsumexp(a.dim),
  norm: (a, t) => t.x.norm(a.p, a.dims, keep(a)),
  median: (a, t) => t.x.median(a.dim, keep(a)),
  medianDim: (a, t) => t.x.medianDim(a.dim, keep(a)),
  mode: (a, t) => t.x.mode(a.dim, keep(a)),
  kthvalue: (a, t) => t.x.kthvalue(a.k, a.dim, keep(a)),
  maxDim: (a, t) => t.x.maxDim(a.dim, keep(a)),
  minDim: (a, t) => t.x.minDim(a.dim, keep(a)),
  topk: (a, t) => t.x.topk(a.k, a.dim, { largest: a.largest, sorted: a.sorted }),
  sort: (a, t) => t.x.sort(a.dim, { descending: a.descending, stable: a.stable }),
  argsort: (a, t) => t.x.argsort(a.dim, { descending: a.descending, stable: a.stable }),
  nansum: (a, t) => t.x.nansum(a.dims, keep(a)),
  nanmean: (a, t) => t.x.nanmean(a.dims, keep(a)),
  any: (a, t) => t.x.any(a.dims, keep(a)),
  all: (a, t) => t.x.all(a.dims, keep(a)),
  countNonzero: (a, t) => t.x.countNonzero(a.dims),
  // family sparse (scripts/fixtures/paritygen/sparse.py)
  sparseMatmul: (_, t) => sparseMatmul(csrOf(t.X), t.dense),
  sparseMatmulT: (_, t) => sparseMatmulT(csrOf(t.X), t.dense),
  // family manip (scripts/fixtures/paritygen/manip.py)
  repeat: (a, t) => t.x.repeat(a.sizes),
  tile: (a, t) => t.x.tile(a.dims),
  repeatInterleave: (a, t) => t.x.repeatInterleave(t.repeats ?? a.repeats, a.dim),
  roll: (a, t) => t.x.roll(a.shifts, a.dims),
  flip: (a, t) => t.x.flip(a.dims),
  rot90: (a, t) => t.x.rot90(a.k, a.dims),
  tril: (a, t) => t.x.tril(a.diagonal),
  triu: (a, t) => t.x.triu(a.diagonal),
  diag: (a, t) => t.x.diag(a.diagonal),
  unbind: (a, t) => t.x.unbind(a.dim),
  movedim: (a, t) => t.x.movedim(a.source, a.destination),
  meshgrid: (a, t) => meshgrid(list(t, 'x'), { indexing: a.indexing }),
  bmm: (_, t) => t.x.bmm(t.y),
  addmm: (a, t) => t.input.addmm(t.mat1, t.mat2, a),
  baddbmm: (a, t) => t.input.baddbmm(t.batch1, t.batch2, a),
  einsum: (a, t) => einsum(a.equation, ...list(t, 'x')),
  kron: (_, t) => t.x.kron(t.y),
  indexAdd: (a, t) => t.x.indexAdd(a.dim, t.index, t.source, { alpha: a.alpha }),
  indexPut: (a, t) => t.x.indexPut(t.m ? [t.m] : list(t, 'i'), t.values, { accumulate: a.accumulate }),
  maskedFill: (a, t) => t.x.maskedFill(t.mask, t.value ?? a.value),
  maskedSelect: (_, t) => t.x.maskedSelect(t.mask),
  scatter: (a, t) => t.x.scatter(a.dim, t.index, t.src ?? a.value),
  scatterReduce: (a, t) => t.x.scatterReduce(a.dim, t.index, t.src, a.reduce, { includeSelf: a.includeSelf }),
  takeAlongDim: (a, t) => t.x.takeAlongDim(t.indices, a.dim),
  oneHot: (a, t) => t.labels.oneHot(a.numClasses, 'int32'),
  reflectionPad: named(['pad'], (a, t) => t.x.reflectionPad(a.pad)),
  replicationPad: named(['pad'], (a, t) => t.x.replicationPad(a.pad)),
  circularPad: named(['pad'], (a, t) => t.x.circularPad(a.pad)),
  'F.pad': (a, t) => F.pad(t.x, a.pad, a.mode, a.value),
  cdist: (a, t) => t.x1.cdist(t.x2, a.p),
  pairwiseDistance: (a, t) => t.x1.pairwiseDistance(t.x2, a),
  'F.pairwiseDistance': (a, t) => F.pairwiseDistance(t.x1, t.x2, a),
  cosineSimilarity: (a, t) => t.x1.cosineSimilarity(t.x2, a),
  'F.cosineSimilarity': (a, t) => F.cosineSimilarity(t.x1, t.x2, a),
  normalize: (a, t) => t.x.normalize(a),
  'F.normalize': (a, t) => F.normalize(t.x, a),
  // family layers2d (scripts/fixtures/paritygen/layers2d.py)
  conv2d: (a, t) => conv2d(t.x, t.weight, a),
  conv2dInputGrad: (a, t) => conv2dInputGrad(t.gy, t.weight, a.inputSize, convOpts(a)),
  conv2dWeightGrad: (a, t) => conv2dWeightGrad(t.x, t.gy, a.kernelSize, convOpts(a)),
  'F.conv2d': (a, t) => F.conv2d(t.x, t.weight, t.bias, a),
  'nn.Conv2d': (a, t) => withParams(new nn.Conv2d(a.in, a.out, a.kernel, a.opts), t).forward(t.x),
  'F.convTranspose1d': (a, t) => F.convTranspose1d(t.x, t.weight, t.bias, a),
  'F.convTranspose2d': (a, t) => F.convTranspose2d(t.x, t.weight, t.bias, a),
  'nn.ConvTranspose1d': (a, t) => withParams(new nn.ConvTranspose1d(a.in, a.out, a.kernel, a.opts), t).forward(t.x),
  'nn.ConvTranspose2d': (a, t) => withParams(new nn.ConvTranspose2d(a.in, a.out, a.kernel, a.opts), t).forward(t.x),
  maxPool2d: (a, t) => maxPool2d(t.x, a.kernel, a.opts),
  'F.maxPool2d': (a, t) => F.maxPool2d(t.x, a.kernel, a.opts),
  'nn.MaxPool2d': (a, t) => new nn.MaxPool2d(a.kernel, a.opts).forward(t.x),
  avgPool2d: (a, t) => avgPool2d(t.x, a.kernel, a.opts),
  'F.avgPool2d': (a, t) => F.avgPool2d(t.x, a.kernel, a.opts),
  'nn.AvgPool2d': (a, t) => new nn.AvgPool2d(a.kernel, a.opts).forward(t.x),
  avgPool2dBackward: (a, t) => avgPool2dBackward(t.gy, a.inputSize, a.kernel, a.opts),
  adaptiveMaxPool2d: (a, t) => adaptiveMaxPool2d(t.x, a.outputSize),
  'F.adaptiveMaxPool2d': (a, t) => F.adaptiveMaxPool2d(t.x, a.outputSize, a.opts),
  'nn.AdaptiveMaxPool2d': (a, t) => new nn.AdaptiveMaxPool2d(a.outputSize, a.opts).forward(t.x),
  adaptiveAvgPool2d: (a, t) => adaptiveAvgPool2d(t.x, a.outputSize),
  'F.adaptiveAvgPool2d': (a, t) => F.adaptiveAvgPool2d(t.x, a.outputSize),
  'nn.AdaptiveAvgPool2d': (a, t) => new nn.AdaptiveAvgPool2d(a.outputSize).forward(t.x),
  adaptiveAvgPool2dBackward: (a, t) => adaptiveAvgPool2dBackward(t.gy, a.inputSize),
  im2col: (a, t) => im2col(t.x, a.kernel, a.opts),
  'F.unfold': (a, t) => F.unfold(t.x, a.kernel, a.opts),
  'nn.Unfold': (a, t) => new nn.Unfold(a.kernel, a.opts).forward(t.x),
  col2im: (a, t) => col2im(t.x, a.outputSize, a.kernel, a.opts),
  'F.fold': (a, t) => F.fold(t.x, a.outputSize, a.kernel, a.opts),
  'nn.Fold': (a, t) => new nn.Fold(a.outputSize, a.kernel, a.opts).forward(t.x),
  'F.groupNorm': (a, t) => F.groupNorm(t.x, a.numGroups, t.weight, t.bias, a.eps),
  'nn.GroupNorm': (a, t) => withParams(new nn.GroupNorm(a.numGroups, a.numChannels, a.opts), t).forward(t.x),
  'F.instanceNorm': (a, t) => {
    const [rm, rv] = [t['b.running_mean'] ?? null, t['b.running_var'] ?? null];
    const y = F.instanceNorm(t.x, rm, rv, { ...a, weight: t.weight, bias: t.bias });
    return rm && rv ? [y, rm, rv] : y;
  },
  'nn.InstanceNorm1d': (a, t) => runningStats(withParams(new nn.InstanceNorm1d(a.num, a.opts).train(a.training), t), t.x, false),
  'nn.InstanceNorm2d': (a, t) => runningStats(withParams(new nn.InstanceNorm2d(a.num, a.opts).train(a.training), t), t.x, false),
  'nn.BatchNorm2d': (a, t) => runningStats(withParams(new nn.BatchNorm2d(a.num, a.opts).train(a.training), t), t.x, true),
  'F.localResponseNorm': (a, t) => F.localResponseNorm(t.x, a.size, a.alpha, a.beta, a.k),
  'nn.LocalResponseNorm': (a, t) => new nn.LocalResponseNorm(a.size, a.alpha, a.beta, a.k).forward(t.x),
  'F.interpolate': (a, t) => F.interpolate(t.x, a),
  'nn.Upsample': (a, t) => new nn.Upsample(a).forward(t.x),
  'F.pixelShuffle': (a, t) => F.pixelShuffle(t.x, a.factor),
  'nn.PixelShuffle': (a, t) => new nn.PixelShuffle(a.factor).forward(t.x),
  'F.pixelUnshuffle': (a, t) => F.pixelUnshuffle(t.x, a.factor),
  'nn.PixelUnshuffle': (a, t) => new nn.PixelUnshuffle(a.factor).forward(t.x),
  'nn.Unflatten': (a, t) => new nn.Unflatten(a.dim, a.sizes).forward(t.x),
  // family attention (scripts/fixtures/paritygen/attention.py)
  scaledDotProductAttention: (a, t) => scaledDotProductAttention(t.q, t.k, t.v, { attnMask: t.mask ?? null, isCausal: a.isCausal, scale: a.scale }),
  'F.scaledDotProductAttention': (a, t) => F.scaledDotProductAttention(t.q, t.k, t.v, { attnMask: t.mask ?? null, isCausal: a.isCausal, scale: a.scale }),
  'nn.MultiheadAttention': (a, t) => {
    const m = withParams(new nn.MultiheadAttention(a.embedDim, a.numHeads, a.opts), t).eval();
    const [k, v] = a.self ? [t.query, t.query] : [t.key, t.value];
    return withWeights(m.forward(t.query, k, v, { ...a.fwd, ...masks(t, ['keyPaddingMask', 'attnMask']) }));
  },
  'nn.TransformerEncoderLayer': (a, t) => withParams(new nn.TransformerEncoderLayer(a.dModel, a.nhead, a.opts), t).eval().forward(t.src, { ...a.fwd, ...masks(t, ENCODER_MASKS) }),
  'nn.TransformerEncoder': (a, t) => {
    const norm = a.norm ? new nn.LayerNorm(a.dModel) : null;
    const m = withParams(new nn.TransformerEncoder(new nn.TransformerEncoderLayer(a.dModel, a.nhead, a.opts), a.numLayers, { norm }), t).eval();
    return m.forward(t.src, { isCausal: a.fwd.isCausal, mask: t.srcMask, srcKeyPaddingMask: t.srcKeyPaddingMask });
  },
  'nn.TransformerDecoderLayer': (a, t) =>
    withParams(new nn.TransformerDecoderLayer(a.dModel, a.nhead, a.opts), t).eval().forward(t.tgt, t.memory, { ...a.fwd, ...masks(t, DECODER_MASKS) }),
  'nn.TransformerDecoder': (a, t) => {
    const norm = a.norm ? new nn.LayerNorm(a.dModel) : null;
    const m = withParams(new nn.TransformerDecoder(new nn.TransformerDecoderLayer(a.dModel, a.nhead, a.opts), a.numLayers, { norm }), t).eval();
    return m.forward(t.tgt, t.memory, { ...a.fwd, ...masks(t, DECODER_MASKS) });
  },
  'nn.Transformer': (a, t) => withParams(new nn.Transformer(a.opts), t).eval().forward(t.src, t.tgt, masks(t, [...ENCODER_MASKS, ...DECODER_MASKS])),
  'nn.sinusoidalPositions': (a) => nn.sinusoidalPositions(a.length, a.dModel),
  'nn.SinusoidalPositionalEmbedding': (a, t) => new nn.SinusoidalPositionalEmbedding(a.dModel, a.opts).forward(t.x),
  'nn.LearnedPositionalEmbedding': (a, t) => withParams(new nn.LearnedPositionalEmbedding(a.maxLen, a.dModel, a.opts), t).forward(t.x),
  // optimizers, schedulers, clipping
  'optim.SGD': (a, t) => optimize((p, o) => new optim.SGD(p, o), a, t),
  'optim.Adam': (a, t) => optimize((p, o) => new optim.Adam(p, o), a, t),
  'optim.AdamW': (a, t) => optimize((p, o) => new optim.AdamW(p, o), a, t),
  'optim.RMSprop': (a, t) => optimize((p, o) => new optim.RMSprop(p, o), a, t),
  'optim.Adagrad': (a, t) => optimize((p, o) => new optim.Adagrad(p, o), a, t),
  'optim.Adamax': (a, t) => optimize((p, o) => new optim.Adamax(p, o), a, t),
  'optim.NAdam': (a, t) => optimize((p, o) => new optim.NAdam(p, o), a, t),
  'optim.RAdam': (a, t) => optimize((p, o) => new optim.RAdam(p, o), a, t),
  'optim.Adadelta': (a, t) => optimize((p, o) => new optim.Adadelta(p, o), a, t),
  'optim.Rprop': (a, t) => optimize((p, o) => new optim.Rprop(p, o), a, t),
  'optim.ASGD': (a, t) => optimize((p, o) => new optim.ASGD(p, o), a, t),
  'optim.StepLR': (a) => lrTrace(a, (opt) => SCHEDULERS.StepLR(opt, a.options)),
  'optim.MultiStepLR': (a) => lrTrace(a, (opt) => SCHEDULERS.MultiStepLR(opt, a.options)),
  'optim.ExponentialLR': (a) => lrTrace(a, (opt) => SCHEDULERS.ExponentialLR(opt, a.options)),
  'optim.CosineAnnealingLR': (a) => lrTrace(a, (opt) => SCHEDULERS.CosineAnnealingLR(opt, a.options)),
  'optim.LinearLR': (a) => lrTrace(a, (opt) => SCHEDULERS.LinearLR(opt, a.options)),
  'optim.LambdaLR': (a) => lrTrace(a, (opt) => new optim.LambdaLR(opt, { lrLambda: lambdaOf(a.options.lambda) })),
  'optim.SequentialLR': (a) =>
    lrTrace(a, (opt) => new optim.SequentialLR(opt, { schedulers: [SCHEDULERS.LinearLR(opt, a.first), SCHEDULERS[a.second[0]](opt, a.second[1])], milestones: a.milestones })),
  'optim.OneCycleLR': (a) => lrTrace(a, (opt) => SCHEDULERS.OneCycleLR(opt, a.options)),
  'optim.CyclicLR': (a) => lrTrace(a, (opt) => SCHEDULERS.CyclicLR(opt, a.options)),
  'optim.CosineAnnealingWarmRestarts': (a) => lrTrace(a, (opt) => SCHEDULERS.CosineAnnealingWarmRestarts(opt, a.options)),
  'optim.PolynomialLR': (a) => lrTrace(a, (opt) => SCHEDULERS.PolynomialLR(opt, a.options)),
  'optim.ConstantLR': (a) => lrTrace(a, (opt) => SCHEDULERS.ConstantLR(opt, a.options)),
  'optim.ChainedScheduler': (a) =>
    lrTrace(a, (opt) => new optim.ChainedScheduler((a.parts as [string, Attrs][]).map(([name, o]) => SCHEDULERS[name](opt, o)))),
  'optim.ReduceLROnPlateau': (a) => lrTrace(a, (opt) => new optim.ReduceLROnPlateau(opt, a.options)),
  'optim.clipGradNorm': (a, t) => clip(t, (ps) => optim.clipGradNorm(ps, a.maxNorm, a.normType)),
  'optim.clipGradValue': (a, t) => clip(t, (ps) => void optim.clipGradValue(ps, a.clipValue)),
};

/** The distance functions of the losses family's triplet cases, by name (scripts/fixtures/paritygen/losses.py); none: the default. */
const DISTANCES: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  l1: (a, b) => a.sub(b).abs().sum(-1),
  cosine: (a, b) => F.cosineSimilarity(a, b, { dim: -1 }).neg().add(1),
};

/** The generator's LambdaLR factors: ['pow', g] is g^epoch, ['inv', g] is 1/(1 + g·epoch). */
function lambdaOf([kind, g]: [string, number]): (epoch: number) => number {
  return kind === 'pow' ? (e) => g ** e : (e) => 1 / (1 + g * e);
}

/** Names an error message may use for the op: its own (without namespace and variant) and the entry's aliases. */
export function errorNames(op: string): string[] {
  const base = op.replace(/^(F|nn|optim|Tensor)\./, '').replace(/\/.*$/, '');
  const e = TABLE[op];
  return [base, ...(typeof e === 'function' ? [] : e.names)];
}

export function runOf(op: string): Run {
  const e = TABLE[op];
  return typeof e === 'function' ? e : e.run;
}
