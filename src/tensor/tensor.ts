import { ChainruleError, fmtShape } from '../errors.js';
import { type DType, type TypedArray, dtypeOfArray, isFloat } from './dtype.js';
import { formatTensor } from './format.js';
import { type Shape, sizeOf } from './shape.js';

let nextId = 1;

/**
 * An n-dimensional array of one dtype, stored contiguously in row-major order in a typed array
 * owned by the garbage collector. Ops are available as methods (`x.matmul(w).add(b).relu()`) and
 * as functions; a tensor created with `requiresGrad: true` records them for autograd.
 *
 * @example
 * const x = tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad?.toArray() // [[2, 4], [6, 8]]
 */
export class Tensor {
  readonly id: number = nextId++;
  /** Contiguous storage; reshaped views share it. */
  data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Accumulated gradient (leaves that require grad, and intermediates after retainGrad()). */
  grad: Tensor | null = null;
  /** The op that produced this tensor (null for leaves). */
  node: Node | null = null;
  /** Optional display name, used by explanations and graphs. */
  name: string | undefined;
  private _requiresGrad = false;
  private _retainsGrad = false;

  constructor(data: TypedArray, shape: Shape, name?: string) {
    if (data.length !== sizeOf(shape)) {
      throw new ChainruleError(`Tensor: ${data.length} elements do not fill shape ${fmtShape(shape)} (${sizeOf(shape)} needed)`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOfArray(data);
    this.name = name;
  }

  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(v: boolean) {
    if (v && !isFloat(this.dtype)) {
      throw new ChainruleError(`requiresGrad: only float tensors can require gradients (this one is ${this.dtype})`);
    }
    if (!v && this.node) throw new ChainruleError('requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()');
    this._requiresGrad = v;
  }

  /** Sets requiresGrad in place and returns this tensor (PyTorch's requires_grad_). */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /** True when no op produced this tensor. */
  get isLeaf(): boolean {
    return this.node === null;
  }

  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /** Keeps the gradient of this intermediate tensor in `.grad` after backward. */
  retainGrad(): this {
    if (!this._requiresGrad) throw new ChainruleError('retainGrad: this tensor does not require gradients');
    this._retainsGrad = true;
    return this;
  }

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** Number of elements (same as size). */
  numel(): number {
    return this.data.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) {
      throw new ChainruleError(`item: only one-element tensors can be converted to a number (shape is ${fmtShape(this.shape)})`);
    }
    return Number(this.data[0]);
  }

  /** The values as nested JS arrays (a number for a 0-d tensor; booleans for bool tensors). */
  toArray(): NestedArray {
    const { data, shape, dtype } = this;
    const conv = dtype === 'bool' ? (v: number) => v !== 0 : (v: number) => v;
    if (shape.length === 0) return conv(data[0]) as NestedArray;
    const build = (dim: number, off: number): NestedArray[] => {
      const n = shape[dim];
      const out = new Array<NestedArray>(n);
      if (dim === shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = conv(data[off + i]);
        return out;
      }
      let stride = 1;
      for (let d = dim + 1; d < shape.length; d++) stride *= shape[d];
      for (let i = 0; i < n; i++) out[i] = build(dim + 1, off + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** The storage typed array (shared, not copied). */
  dataSync(): TypedArray {
    return this.data;
  }

  toString(): string {
    const extras = [`shape=[${this.shape.join(', ')}]`];
    if (this.dtype !== 'float32') extras.push(`dtype=${this.dtype}`);
    if (this.node) extras.push(`gradFn=${this.node.op.name}`);
    else if (this.requiresGrad) extras.push('requiresGrad=true');
    return formatTensor(this, extras);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

export type NestedArray = number | boolean | NestedArray[];
export type TensorLike = Tensor | number;

/**
 * Static facts about an op as the tape records them: its name and its LaTeX form given the LaTeX
 * of its arguments. The op table's entries (src/ops) are OpInfos with much more besides.
 */
export interface OpInfo {
  readonly name: string;
  readonly latex: (args: string[], attrs?: Record<string, unknown>) => string;
}

/**
 * One recorded application of an op: the tape entry behind a non-leaf tensor. It lives with the
 * tensor that carries it; autograd (src/autograd) records and walks these.
 */
export interface Node {
  op: OpInfo;
  inputs: Tensor[];
  /** Given dL/d(output), returns dL/d(input) for each input (null where none flows). */
  backward: (grad: Tensor) => (Tensor | null)[];
  /** Non-tensor arguments (dims, slopes, ...), for explanations and graphs. */
  attrs?: Record<string, unknown>;
  /**
   * Optional fast path of single-input view ops (index, narrow, permute, expand, asStrided), whose
   * input gradient scatters the output gradient into an input-shaped tensor: adds that scatter
   * into `into` in place. The engine uses it when it records no graph of the backward, so that k
   * slices of one tensor cost k slice-sized scatters into one buffer, not k full-size tensors.
   */
  accumulateInto?: (grad: Tensor, into: Tensor) => void;
}
