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
  /**
   * A number unique to this tensor in the process, increasing in creation order.
   * @example tensor([1]).id < tensor([2]).id // true
   */
  readonly id: number = nextId++;
  /**
   * Contiguous storage in row-major order; reshaped views share it.
   * @example tensor([[1, 2], [3, 4]]).data // [1, 2, 3, 4]
   */
  data: TypedArray;
  /**
   * The size of each dimension (torch's `shape`); `[]` for a 0-d tensor.
   * @example zeros([2, 3]).shape // [2, 3]
   */
  readonly shape: readonly number[];
  /**
   * The element type: 'float32' (the default), 'float64', 'int32' or 'bool'.
   * @example tensor([1, 2], { dtype: 'int32' }).dtype // 'int32'
   */
  readonly dtype: DType;
  /**
   * Accumulated gradient (leaves that require grad, and intermediates after retainGrad()).
   * @example
   * const x = tensor([1, 2], { requiresGrad: true });
   * x.mul(3).sum().backward();
   * x.grad // [3, 3]
   */
  grad: Tensor | null = null;
  /**
   * The op that produced this tensor (null for leaves): its tape entry.
   * @example tensor([1], { requiresGrad: true }).exp().node?.op.name // 'exp'
   */
  node: Node | null = null;
  /**
   * Optional display name, used by explanations and graphs.
   * @example tensor([1], { name: 'w' }).name // 'w'
   */
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

  /**
   * Whether ops on this tensor are recorded for autograd (torch's requires_grad). Only float
   * tensors may require gradients; an op's output requires them when an input does.
   * @example
   * const w = tensor([1]);
   * w.requiresGrad = true;
   * w.mul(2).requiresGrad // true
   */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  /** Turns recording on or off for this tensor (torch's `requires_grad_`); throws a ChainruleError on a non-float tensor. */
  set requiresGrad(v: boolean) {
    if (v && !isFloat(this.dtype)) {
      throw new ChainruleError(`requiresGrad: only float tensors can require gradients (this one is ${this.dtype})`);
    }
    if (!v && this.node) throw new ChainruleError('requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach()');
    this._requiresGrad = v;
  }

  /**
   * Sets requiresGrad in place and returns this tensor (PyTorch's requires_grad_).
   * @example zeros([2]).requiresGrad_().requiresGrad // true
   */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /**
   * True when no op produced this tensor (torch's is_leaf): created tensors and parameters.
   * @example
   * const x = tensor([1], { requiresGrad: true });
   * x.isLeaf; // true
   * x.mul(2).isLeaf; // false
   */
  get isLeaf(): boolean {
    return this.node === null;
  }

  /**
   * Whether backward keeps this intermediate tensor's gradient in `.grad` (torch's retains_grad).
   * @example tensor([1], { requiresGrad: true }).mul(2).retainGrad().retainsGrad // true
   */
  get retainsGrad(): boolean {
    return this._retainsGrad;
  }

  /**
   * Keeps the gradient of this intermediate tensor in `.grad` after backward (torch's retain_grad).
   * @example
   * const x = tensor([1, 2], { requiresGrad: true });
   * const h = x.mul(2).retainGrad();
   * h.square().sum().backward();
   * h.grad // [4, 8]
   */
  retainGrad(): this {
    if (!this._requiresGrad) throw new ChainruleError('retainGrad: this tensor does not require gradients');
    this._retainsGrad = true;
    return this;
  }

  /**
   * The number of dimensions (torch's ndim / dim()).
   * @example zeros([2, 3, 4]).ndim // 3
   */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The number of elements (a number; torch's `size()` is `shape` here).
   * @example zeros([2, 3]).size // 6
   */
  get size(): number {
    return this.data.length;
  }

  /**
   * Number of elements (same as size; torch's numel).
   * @example ones([4, 5]).numel() // 20
   */
  numel(): number {
    return this.data.length;
  }

  /**
   * The single value of a one-element tensor as a number (torch's item); throws for any other size.
   * @example tensor([[2.5]]).item() // 2.5
   */
  item(): number {
    if (this.data.length !== 1) {
      throw new ChainruleError(`item: only one-element tensors can be converted to a number (shape is ${fmtShape(this.shape)})`);
    }
    return Number(this.data[0]);
  }

  /**
   * The values as nested JS arrays (a number for a 0-d tensor; booleans for bool tensors; torch's tolist).
   * @example tensor([[1, 2], [3, 4]]).toArray() // [[1, 2], [3, 4]]
   * @example tensor([1, 2]).gt(1).toArray() // [false, true]
   */
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

  /**
   * The storage typed array (shared, not copied), as TensorFlow.js's dataSync.
   * @example tensor([1, 2], { dtype: 'float64' }).dataSync() instanceof Float64Array // true
   */
  dataSync(): TypedArray {
    return this.data;
  }

  /**
   * The values laid out as PyTorch prints them, with the shape, a dtype other than float32, and the
   * op that made the tensor (`gradFn`) or `requiresGrad`.
   * @example String(tensor([1, 2])).includes('shape=[2]') // true
   */
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

/** Values as nested JS arrays, as `tensor()` takes them and `toArray()` returns them. */
export type NestedArray = number | boolean | NestedArray[];
/** A tensor or a plain number (broadcast as a 0-d tensor), as the binary ops take their operands. */
export type TensorLike = Tensor | number;

/**
 * Static facts about an op as the tape records them: its name and its LaTeX form given the LaTeX
 * of its arguments. The op table's entries (src/ops) are OpInfos with much more besides.
 */
export interface OpInfo {
  /** the op's name as graphs and errors show it, e.g. 'matmul' */
  readonly name: string;
  /** writes the op applied to its arguments' LaTeX, e.g. `(args) => args.join(' + ')` for add */
  readonly latex: (args: string[], attrs?: Record<string, unknown>) => string;
}

/**
 * One recorded application of an op: the tape entry behind a non-leaf tensor. It lives with the
 * tensor that carries it; autograd (src/autograd) records and walks these.
 */
export interface Node {
  /** the op that produced this node's tensor (its name and LaTeX form) */
  op: OpInfo;
  /** the tensors the op was applied to, in argument order (PyTorch's `grad_fn.next_functions`) */
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
