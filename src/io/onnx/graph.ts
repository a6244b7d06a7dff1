/**
 * The ONNX graph being exported: nodes, weights (initializers) and constants, in plain objects
 * that onnx-proto encodes. It is the `OnnxEmitter` the op table's mappings write into, and what
 * the module exporters (modules.ts) and the text models' exporters build on.
 */
import { ChainruleError, fmtShape } from '../../errors.js';
import type { OnnxAttribute, OnnxEmitter, Tensor } from '../../ops/index.js';
import { ONNX_DTYPE, type OnnxMessage } from './proto.js';

/** A value of the graph: its name, and the example tensor chainrule computes in its place. */
export interface OnnxValue {
  readonly name: string;
  readonly t: Tensor;
}

/** The opsets the exporter writes. */
export const OPSET_MIN = 13;
export const OPSET_MAX = 17;

/**
 * Attributes whose ONNX type is an integer (or a list of them) in the operators the exporter
 * writes; every other numeric attribute is a float (alpha, beta, epsilon, lambd, bias).
 */
const INT_ATTRS = new Set([
  'axis',
  'axes',
  'keepdims',
  'kernel_shape',
  'strides',
  'pads',
  'dilations',
  'group',
  'ceil_mode',
  'count_include_pad',
  'hidden_size',
  'linear_before_reset',
  'layout',
  'to',
  'transA',
  'transB',
  'perm',
  'noop_with_empty_axes',
  'select_last_index',
  'storage_order',
  'stash_type',
  'input_forget',
]);

const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const utf8 = new TextEncoder();

function attribute(name: string, v: OnnxAttribute, where: string): OnnxMessage {
  const isInt = INT_ATTRS.has(name);
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: utf8.encode(v) };
  if (typeof v === 'number') {
    if (!Number.isFinite(v) && isInt) throw new ChainruleError(`${where}: attribute ${name} must be a finite integer, got ${v}`);
    return isInt ? { name, type: ATTR.INT, i: v } : { name, type: ATTR.FLOAT, f: v };
  }
  if (v.every((e) => typeof e === 'string')) return { name, type: ATTR.STRINGS, strings: (v as readonly string[]).map((e) => utf8.encode(e)) };
  return isInt ? { name, type: ATTR.INTS, ints: [...(v as readonly number[])] } : { name, type: ATTR.FLOATS, floats: [...(v as readonly number[])] };
}

function bytesOf(a: Float32Array | Float64Array | Int32Array | Uint8Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

/** The ONNX element type of a chainrule dtype. */
export function onnxType(dtype: string): number {
  const code = (ONNX_DTYPE as Record<string, number>)[dtype];
  if (code === undefined) throw new ChainruleError(`exportOnnx: dtype ${dtype} has no ONNX type`);
  return code;
}

/** One graph under construction. */
export class OnnxGraph implements OnnxEmitter {
  readonly nodes: OnnxMessage[] = [];
  readonly initializers: OnnxMessage[] = [];
  /** the module path nodes are being written for (their names start with it) */
  path = '';
  private readonly used = new Set<string>();
  private readonly constants = new Map<string, string>();
  private count = 0;

  constructor(
    readonly opset: number,
    /** the graph's floating type: float constants take it */
    readonly floatType: 'float32' | 'float64',
  ) {}

  /** A value name not used before, from a hint. */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'v';
    let name = base;
    while (this.used.has(name)) name = `${base}_${++this.count}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name given by the user (an input's or an output's); a clash is an error. */
  reserve(name: string, what: string): string {
    if (this.used.has(name)) throw new ChainruleError(`exportOnnx: the ${what} name ${JSON.stringify(name)} is used twice`);
    this.used.add(name);
    return name;
  }

  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, OnnxAttribute>> = {}, outputs = 1): string[] {
    const prefix = this.path ? `${this.path}/` : '';
    const name = this.fresh(`${prefix}${opType}`);
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(`${name}:${i}`));
    const attrs = Object.entries(attributes).map(([k, v]) => attribute(k, v, `exportOnnx: ${opType} at ${this.path || 'the root'}`));
    this.nodes.push({ name, opType, input: [...inputs], output: outs, attribute: attrs });
    return outs;
  }

  /** Renames the value `from` to `to` with an Identity node (graph outputs have given names). */
  alias(from: string, to: string): void {
    this.nodes.push({ name: this.fresh(`Identity_${to}`), opType: 'Identity', input: [from], output: [to], attribute: [] });
  }

  float(values: number | readonly number[], dims?: readonly number[]): string {
    const vals = typeof values === 'number' ? [values] : [...values];
    const shape = dims ?? (typeof values === 'number' ? [] : [vals.length]);
    const data = this.floatType === 'float64' ? Float64Array.from(vals) : Float32Array.from(vals);
    return this.constant(data, shape, this.floatType);
  }

  int64(values: number | readonly number[], dims?: readonly number[]): string {
    const vals = typeof values === 'number' ? [values] : [...values];
    const shape = dims ?? (typeof values === 'number' ? [] : [vals.length]);
    return this.constant(BigInt64Array.from(vals, (v) => BigInt(v)), shape, 'int64');
  }

  /** A weight of the model, under its state-dict name (so the file's initializers read like the state dict). */
  weight(name: string, t: Tensor, as?: Tensor): string {
    const src = as ?? t;
    if (src.dtype !== 'float32' && src.dtype !== 'float64' && src.dtype !== 'int32') {
      throw new ChainruleError(`exportOnnx: weight ${name} has dtype ${src.dtype}, which the exporter does not write`);
    }
    const data = src.dtype === this.floatType || src.dtype === 'int32' ? src.dataSync() : src.to(this.floatType).dataSync();
    const dtype = src.dtype === 'int32' ? 'int32' : this.floatType;
    const key = this.fresh(name);
    this.initializers.push({ name: key, dims: [...src.shape], dataType: onnxType(dtype), rawData: bytesOf(data as Float32Array) });
    return key;
  }

  private constant(data: Float32Array | Float64Array | BigInt64Array, dims: readonly number[], dtype: string): string {
    const n = dims.reduce((a, b) => a * b, 1);
    if (n !== data.length) throw new ChainruleError(`exportOnnx: a constant of shape ${fmtShape(dims)} needs ${n} values, got ${data.length}`);
    const key = `${dtype}:${dims.join('x')}:${Array.from(data as ArrayLike<number | bigint>).join(',')}`;
    const hit = key.length < 400 ? this.constants.get(key) : undefined;
    if (hit) return hit;
    const name = this.fresh(`const_${dtype}`);
    // a Constant node, not an initializer: an importer (chainrule's, or another) takes initializers for weights
    const value = { name: 'value', type: ATTR.TENSOR, t: { dims: [...dims], dataType: onnxType(dtype), rawData: bytesOf(data) } };
    this.nodes.push({ name: this.fresh(`Constant_${name}`), opType: 'Constant', input: [], output: [name], attribute: [value] });
    if (key.length < 400) this.constants.set(key, name);
    return name;
  }
}
