import { backward } from '../autograd/functional.js';
import type { BackwardOptions } from '../autograd/engine.js';
import type { DType } from '../tensor/dtype.js';
import type { Shape } from '../tensor/shape.js';
import { Tensor, type TensorLike } from '../tensor/tensor.js';
import * as B from './binary.js';
import { gather, indexSelect, scatterAdd } from './indexing.js';
import { matmul, dot, outer } from './matmul.js';
import * as R from './reduce.js';
import * as S from './shape.js';
import { logSoftmax, softmax } from './softmax.js';
import * as U from './unary.js';

declare module '../tensor/tensor.js' {
  interface Tensor {
    /**
     * Backpropagates from this tensor: `y.backward()` for a scalar, `y.backward(upstream)` with
     * dL/dy of y's shape, `y.backward({ createGraph: true })` to differentiate the gradients again.
     */
    backward(upstream?: Tensor | number | BackwardOptions, opts?: BackwardOptions): void;
    add(o: TensorLike): Tensor;
    sub(o: TensorLike): Tensor;
    mul(o: TensorLike): Tensor;
    div(o: TensorLike): Tensor;
    pow(o: TensorLike): Tensor;
    maximum(o: TensorLike): Tensor;
    minimum(o: TensorLike): Tensor;
    eq(o: TensorLike): Tensor;
    ne(o: TensorLike): Tensor;
    lt(o: TensorLike): Tensor;
    le(o: TensorLike): Tensor;
    gt(o: TensorLike): Tensor;
    ge(o: TensorLike): Tensor;
    logicalAnd(o: Tensor): Tensor;
    logicalOr(o: Tensor): Tensor;
    logicalNot(): Tensor;
    where(cond: Tensor, other: TensorLike): Tensor;
    neg(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    log2(): Tensor;
    log10(): Tensor;
    sqrt(): Tensor;
    abs(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    relu(): Tensor;
    erf(): Tensor;
    square(): Tensor;
    reciprocal(): Tensor;
    sign(): Tensor;
    step(): Tensor;
    leakyRelu(slope?: number): Tensor;
    elu(alpha?: number): Tensor;
    gelu(opts?: U.GeluOptions): Tensor;
    softplus(beta?: number, threshold?: number): Tensor;
    clamp(min?: number | null, max?: number | null): Tensor;
    sum(dims?: R.Dims, opts?: R.ReduceOptions): Tensor;
    mean(dims?: R.Dims, opts?: R.ReduceOptions): Tensor;
    max(dims?: R.Dims, opts?: R.ReduceOptions): Tensor;
    min(dims?: R.Dims, opts?: R.ReduceOptions): Tensor;
    logsumexp(dims?: R.Dims, opts?: R.ReduceOptions): Tensor;
    var(dims?: R.Dims, opts?: R.VarOptions): Tensor;
    std(dims?: R.Dims, opts?: R.VarOptions): Tensor;
    argmax(dim?: number, opts?: R.ReduceOptions): Tensor;
    argmin(dim?: number, opts?: R.ReduceOptions): Tensor;
    softmax(dim?: number): Tensor;
    logSoftmax(dim?: number): Tensor;
    matmul(o: Tensor): Tensor;
    dot(o: Tensor): Tensor;
    outer(o: Tensor): Tensor;
    reshape(shape: Shape): Tensor;
    view(shape: Shape): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    transpose(dim0?: number, dim1?: number): Tensor;
    readonly T: Tensor;
    permute(dims: readonly number[]): Tensor;
    squeeze(dim?: number | readonly number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    expand(shape: Shape): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    slice(dim: number, start?: number, end?: number, step?: number): Tensor;
    index(...specs: S.IndexSpec[]): Tensor;
    split(sizes: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    pad(widths: readonly number[], value?: number): Tensor;
    gather(dim: number, idx: Tensor): Tensor;
    indexSelect(dim: number, idx: Tensor): Tensor;
    scatterAdd(dim: number, idx: Tensor, src: Tensor): Tensor;
    clone(): Tensor;
    detach(): Tensor;
    contiguous(): Tensor;
    to(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
  }
}

type Method = (this: Tensor, ...args: never[]) => unknown;

const methods: Record<string, Method> = {
  backward(upstream?: Tensor | number | BackwardOptions, opts?: BackwardOptions) {
    if (upstream !== undefined && typeof upstream === 'object' && !(upstream instanceof Tensor)) backward(this, undefined, upstream);
    else backward(this, upstream as Tensor | number | undefined, opts);
  },
  add(o: TensorLike) {
    return B.add(this, o);
  },
  sub(o: TensorLike) {
    return B.sub(this, o);
  },
  mul(o: TensorLike) {
    return B.mul(this, o);
  },
  div(o: TensorLike) {
    return B.div(this, o);
  },
  pow(o: TensorLike) {
    return typeof o === 'number' ? U.powScalar(this, o) : B.pow(this, o);
  },
  maximum(o: TensorLike) {
    return B.maximum(this, o);
  },
  minimum(o: TensorLike) {
    return B.minimum(this, o);
  },
  eq(o: TensorLike) {
    return B.eq(this, o);
  },
  ne(o: TensorLike) {
    return B.ne(this, o);
  },
  lt(o: TensorLike) {
    return B.lt(this, o);
  },
  le(o: TensorLike) {
    return B.le(this, o);
  },
  gt(o: TensorLike) {
    return B.gt(this, o);
  },
  ge(o: TensorLike) {
    return B.ge(this, o);
  },
  logicalAnd(o: Tensor) {
    return B.logicalAnd(this, o);
  },
  logicalOr(o: Tensor) {
    return B.logicalOr(this, o);
  },
  logicalNot() {
    return B.logicalNot(this);
  },
  where(cond: Tensor, other: TensorLike) {
    return B.where(cond, this, other);
  },
  leakyRelu(slope?: number) {
    return U.leakyRelu(this, slope);
  },
  elu(alpha?: number) {
    return U.elu(this, alpha);
  },
  gelu(opts?: U.GeluOptions) {
    return U.gelu(this, opts);
  },
  softplus(beta?: number, threshold?: number) {
    return U.softplus(this, beta, threshold);
  },
  clamp(min?: number | null, max?: number | null) {
    return U.clamp(this, min, max);
  },
  sum(d?: R.Dims, o?: R.ReduceOptions) {
    return R.sum(this, d, o);
  },
  mean(d?: R.Dims, o?: R.ReduceOptions) {
    return R.mean(this, d, o);
  },
  max(d?: R.Dims, o?: R.ReduceOptions) {
    return R.max(this, d, o);
  },
  min(d?: R.Dims, o?: R.ReduceOptions) {
    return R.min(this, d, o);
  },
  logsumexp(d?: R.Dims, o?: R.ReduceOptions) {
    return R.logsumexp(this, d, o);
  },
  var(d?: R.Dims, o?: R.VarOptions) {
    return R.variance(this, d, o);
  },
  std(d?: R.Dims, o?: R.VarOptions) {
    return R.std(this, d, o);
  },
  argmax(d?: number, o?: R.ReduceOptions) {
    return R.argmax(this, d, o);
  },
  argmin(d?: number, o?: R.ReduceOptions) {
    return R.argmin(this, d, o);
  },
  softmax(d?: number) {
    return softmax(this, d);
  },
  logSoftmax(d?: number) {
    return logSoftmax(this, d);
  },
  matmul(o: Tensor) {
    return matmul(this, o);
  },
  dot(o: Tensor) {
    return dot(this, o);
  },
  outer(o: Tensor) {
    return outer(this, o);
  },
  reshape(s: Shape) {
    return S.reshape(this, s);
  },
  view(s: Shape) {
    return S.reshape(this, s);
  },
  flatten(a?: number, b?: number) {
    return S.flatten(this, a, b);
  },
  transpose(a?: number, b?: number) {
    return S.transpose(this, a, b);
  },
  permute(d: readonly number[]) {
    return S.permute(this, d);
  },
  squeeze(d?: number | readonly number[]) {
    return S.squeeze(this, d);
  },
  unsqueeze(d: number) {
    return S.unsqueeze(this, d);
  },
  expand(s: Shape) {
    return S.expand(this, s);
  },
  narrow(d: number, s: number, l: number) {
    return S.narrow(this, d, s, l);
  },
  slice(d: number, s?: number, e?: number, st?: number) {
    return S.slice(this, d, s, e, st);
  },
  index(...specs: S.IndexSpec[]) {
    return S.index(this, ...specs);
  },
  split(s: number | readonly number[], d?: number) {
    return S.split(this, s, d);
  },
  chunk(c: number, d?: number) {
    return S.chunk(this, c, d);
  },
  pad(w: readonly number[], v?: number) {
    return S.pad(this, w, v);
  },
  gather(d: number, i: Tensor) {
    return gather(this, d, i);
  },
  indexSelect(d: number, i: Tensor) {
    return indexSelect(this, d, i);
  },
  scatterAdd(d: number, i: Tensor, s: Tensor) {
    return scatterAdd(this, d, i, s);
  },
  clone() {
    return S.clone(this);
  },
  detach() {
    return S.detach(this);
  },
  contiguous() {
    return this;
  },
  to(d: DType) {
    return S.cast(this, d);
  },
  float() {
    return S.cast(this, 'float32');
  },
  double() {
    return S.cast(this, 'float64');
  },
  int() {
    return S.cast(this, 'int32');
  },
};

const unaryNames = [
  'neg',
  'exp',
  'log',
  'log2',
  'log10',
  'sqrt',
  'abs',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'erf',
  'square',
  'reciprocal',
  'sign',
  'step',
] as const;
for (const name of unaryNames) {
  const f = U[name] as (x: Tensor) => Tensor;
  methods[name] = function (this: Tensor) {
    return f(this);
  };
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
Object.defineProperty(Tensor.prototype, 'T', {
  get(this: Tensor) {
    return S.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  },
  configurable: true,
});
