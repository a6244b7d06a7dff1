/**
 * `importOnnx`: an ONNX model (opset 13 to 17) as a trainable chainrule module. Its float
 * initializers become Parameters under their ONNX names (a model from torch.onnx.export keeps
 * PyTorch's state-dict names: fc1.weight), and the forward runs the graph's nodes with chainrule's
 * ops, so gradients flow to every weight. Each supported operator is one entry of IMPORTERS.
 */
import { ChainruleError, fmtShape } from '../../errors.js';
import { conv1d } from '../../nn/fn/conv.js';
import { conv2d } from '../../nn/fn/conv2d.js';
import { pad as padFn } from '../../nn/fn/pad.js';
import { layerNorm } from '../../nn/fn/norm.js';
import { Module, type Slot } from '../../nn/module.js';
import { Parameter } from '../../nn/parameter.js';
import { arange, tensor } from '../../tensor/creation.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor, avgPool2d as avgPool2dOp, concat, logicalNot, maxPool2d as maxPool2dOp, maximum, minimum, where } from '../../ops/index.js';
import { OPSET_MAX, OPSET_MIN } from './graph.js';
import { type OnnxMessage, loadOnnxSchema } from './proto.js';

type Attr = number | string | number[] | string[] | Tensor;

interface ImportedNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, Attr>;
}

const utf8 = new TextDecoder();

/** A TensorProto as a chainrule tensor (int64 becomes int32, checked to fit). */
function tensorOf(t: OnnxMessage, where: string): Tensor {
  const dims = ((t.dims as number[] | undefined) ?? []).map(Number);
  const type = Number(t.dataType);
  const raw = t.rawData as Uint8Array | undefined;
  const n = dims.reduce((a, b) => a * b, 1);
  const view = (bytes: number) => {
    if (!raw || raw.length === 0) return null;
    if (raw.length !== n * bytes) throw new ChainruleError(`importOnnx: ${where}: raw data of ${raw.length} bytes for shape ${fmtShape(dims)}`);
    return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  };
  if (type === 1 || type === 11) {
    const size = type === 1 ? 4 : 8;
    const v = view(size);
    const data = new Float64Array(n);
    const listed = ((type === 1 ? t.floatData : t.doubleData) as number[] | undefined) ?? [];
    for (let i = 0; i < n; i++) data[i] = v ? (size === 4 ? v.getFloat32(i * 4, true) : v.getFloat64(i * 8, true)) : Number(listed[i]);
    return tensor(type === 1 ? Float32Array.from(data) : data, { shape: dims, dtype: type === 1 ? 'float32' : 'float64' });
  }
  if (type === 7 || type === 6 || type === 9) {
    const v = view(type === 7 ? 8 : type === 6 ? 4 : 1);
    const listed = ((type === 7 ? t.int64Data : t.int32Data) as number[] | undefined) ?? [];
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const x = v ? (type === 7 ? Number(v.getBigInt64(i * 8, true)) : type === 6 ? v.getInt32(i * 4, true) : v.getUint8(i)) : Number(listed[i]);
      // int64 sizes such as INT64_MAX in Slice ends are clamped to int32
      data[i] = Math.max(-2147483648, Math.min(2147483647, x));
    }
    return tensor(data, { shape: dims, dtype: 'int32' });
  }
  throw new ChainruleError(`importOnnx: ${where}: tensor data type ${type} is not supported (float, double, int32, int64, bool)`);
}

function attrOf(a: OnnxMessage, where: string): Attr {
  switch (Number(a.type)) {
    case 1:
      return Number(a.f);
    case 2:
      return Number(a.i);
    case 3:
      return utf8.decode(a.s as Uint8Array);
    case 4:
      return tensorOf(a.t as OnnxMessage, where);
    case 6:
      return ((a.floats as number[]) ?? []).map(Number);
    case 7:
      return ((a.ints as number[]) ?? []).map(Number);
    case 8:
      return ((a.strings as Uint8Array[]) ?? []).map((s) => utf8.decode(s));
    default:
      throw new ChainruleError(`importOnnx: ${where}: attribute ${String(a.name)} has unsupported type ${String(a.type)}`);
  }
}

type Importer = (x: readonly Tensor[], at: (name: string, dflt?: Attr) => Attr, where: string) => Tensor;

const num = (v: Attr): number => v as number;
const ints = (v: Attr): number[] => (v instanceof Tensor ? Array.from(v.dataSync(), Number) : (v as number[]));

/** The ONNX operators importOnnx runs, each as chainrule ops (so every one is differentiable). */
const IMPORTERS: Readonly<Record<string, Importer>> = {
  Identity: ([x]) => x,
  Dropout: ([x]) => x,
  Add: ([a, b]) => a.add(b),
  Sub: ([a, b]) => a.sub(b),
  Mul: ([a, b]) => a.mul(b),
  Div: ([a, b]) => a.div(b),
  Pow: ([a, b]) => (b.size === 1 ? a.pow(b.item()) : a.pow(b)),
  Neg: ([x]) => x.neg(),
  Sqrt: ([x]) => x.sqrt(),
  Exp: ([x]) => x.exp(),
  Log: ([x]) => x.log(),
  Erf: ([x]) => x.erf(),
  Relu: ([x]) => x.relu(),
  Sigmoid: ([x]) => x.sigmoid(),
  Tanh: ([x]) => x.tanh(),
  LeakyRelu: ([x], at) => x.leakyRelu(num(at('alpha', 0.01))),
  Softmax: ([x], at) => x.softmax(num(at('axis', -1))),
  LogSoftmax: ([x], at) => x.logSoftmax(num(at('axis', -1))),
  MatMul: ([a, b]) => a.matmul(b),
  Gemm: ([a, b, c], at) => {
    const A = num(at('transA', 0)) ? a.transpose(0, 1) : a;
    const B = num(at('transB', 0)) ? b.transpose(0, 1) : b;
    const alpha = num(at('alpha', 1));
    const beta = num(at('beta', 1));
    let y = A.matmul(B);
    if (alpha !== 1) y = y.mul(alpha);
    return c ? y.add(beta === 1 ? c : c.mul(beta)) : y;
  },
  Transpose: ([x], at) => x.permute(ints(at('perm', Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i)))),
  Flatten: ([x], at) => {
    const axis = num(at('axis', 1));
    const a = axis < 0 ? axis + x.ndim : axis;
    const lead = x.shape.slice(0, a).reduce((p, q) => p * q, 1);
    return x.reshape([lead, -1]);
  },
  Reshape: ([x, shape], _at, where) => {
    const target = ints(shape).map((d, i) => {
      if (d !== 0) return d;
      if (i >= x.ndim) throw new ChainruleError(`importOnnx: ${where}: shape entry ${i} copies a dimension the input ${fmtShape(x.shape)} lacks`);
      return x.shape[i];
    });
    return x.reshape(target);
  },
  Unsqueeze: ([x, axes]) => {
    let y = x;
    const r = x.ndim + ints(axes).length;
    for (const a of ints(axes)
      .map((v) => (v < 0 ? v + r : v))
      .sort((p, q) => p - q))
      y = y.unsqueeze(a);
    return y;
  },
  Squeeze: ([x, axes]) => {
    const list = axes ? ints(axes).map((v) => (v < 0 ? v + x.ndim : v)) : x.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    return x.reshape(x.shape.filter((_, i) => !list.includes(i)));
  },
  Concat: (xs, at) => concat([...xs], num(at('axis'))),
  Shape: ([x], at) => {
    const dims = x.shape.slice(num(at('start', 0)), (at('end', x.ndim) as number) || undefined);
    return tensor(Int32Array.from(dims), { shape: [dims.length], dtype: 'int32' });
  },
  Slice: ([x, starts, ends, axes, steps], _at, where) => {
    const s = ints(starts);
    const e = ints(ends);
    const a = axes ? ints(axes) : s.map((_, i) => i);
    if (steps && ints(steps).some((v) => v !== 1)) throw new ChainruleError(`importOnnx: ${where}: Slice with steps ${ints(steps).join(', ')} (only step 1 is supported)`);
    let y = x;
    a.forEach((axis, i) => {
      const d = axis < 0 ? axis + x.ndim : axis;
      const n = x.shape[d];
      // ONNX clamps starts and ends into the dimension (INT64_MAX means its end)
      const clamp = (v: number) => Math.max(0, Math.min(n, v < 0 ? v + n : v));
      const lo = clamp(s[i]);
      y = y.slice(d, lo, Math.max(lo, clamp(e[i])));
    });
    return y;
  },
  Gather: ([data, idx], at, where) => {
    const axis = num(at('axis', 0));
    if (axis !== 0) throw new ChainruleError(`importOnnx: ${where}: Gather along axis ${axis} (only axis 0, an embedding lookup, is supported)`);
    return data.indexSelect(0, idx.reshape([-1])).reshape([...idx.shape, ...data.shape.slice(1)]);
  },
  ReduceMean: ([x], at) => x.mean(ints(at('axes', Array.from({ length: x.ndim }, (_, i) => i))), { keepdim: num(at('keepdims', 1)) === 1 }),
  ReduceSum: ([x, axes], at) => x.sum(axes ? ints(axes) : undefined, { keepdim: num(at('keepdims', 1)) === 1 }),
  LayerNormalization: ([x, scale, bias], at) => {
    const axis = num(at('axis', -1));
    const a = axis < 0 ? axis + x.ndim : axis;
    return layerNorm(x, x.shape.slice(a), scale, bias ?? null, num(at('epsilon', 1e-5)));
  },
  BatchNormalization: ([x, scale, bias, mean, v], at) => {
    const shape = [1, x.shape[1], ...x.shape.slice(2).map(() => 1)];
    const inv = v.add(num(at('epsilon', 1e-5))).sqrt();
    return x.sub(mean.reshape(shape)).div(inv.reshape(shape)).mul(scale.reshape(shape)).add(bias.reshape(shape));
  },
  Conv: ([x, w, b], at, where) => {
    if (w.ndim === 4) {
      const [t, l, bo, r] = ints(at('pads', [0, 0, 0, 0]));
      const padded = t === bo && l === r ? x : x.pad([l, r, t, bo]);
      const padding: [number, number] = t === bo && l === r ? [t, l] : [0, 0];
      return conv2d(padded, w, b ?? null, { stride: pair(ints(at('strides', [1, 1]))), padding, dilation: pair(ints(at('dilations', [1, 1]))), groups: num(at('group', 1)) });
    }
    if (w.ndim !== 3) throw new ChainruleError(`importOnnx: ${where}: Conv with a ${w.ndim - 2}-d kernel (1-d and 2-d convolutions are supported)`);
    const pads = ints(at('pads', [0, 0]));
    const padded = pads[0] === pads[1] ? x : x.pad([pads[0], pads[1]]);
    const padding = pads[0] === pads[1] ? pads[0] : 0;
    return conv1d(padded, w, b ?? null, { stride: ints(at('strides', [1]))[0], padding, dilation: ints(at('dilations', [1]))[0], groups: num(at('group', 1)) });
  },
  MaxPool: ([x], at, where) => {
    const { kernel, stride, padding } = window2d(x, at, where);
    return maxPool2dOp(x, kernel, { stride, padding, dilation: pair(ints(at('dilations', [1, 1]))), ceilMode: num(at('ceil_mode', 0)) === 1 }).values;
  },
  AveragePool: ([x], at, where) => {
    const { kernel, stride, padding } = window2d(x, at, where);
    return avgPool2dOp(x, kernel, { stride, padding, ceilMode: num(at('ceil_mode', 0)) === 1, countIncludePad: num(at('count_include_pad', 0)) === 1 });
  },
  GlobalAveragePool: ([x]) => x.mean(x.shape.map((_, i) => i).slice(2), { keepdim: true }),
  GlobalMaxPool: ([x]) => x.max(x.shape.map((_, i) => i).slice(2), { keepdim: true }),
  Pad: ([x, pads, value], at, where) => {
    const p = ints(pads);
    const r = x.ndim;
    // ONNX: all begins then all ends, first axis first; chainrule's pad: [left, right] of the last axis first
    const widths = Array.from({ length: r }, (_, i) => [p[r - 1 - i], p[2 * r - 1 - i]]).flat();
    const mode = String(at('mode', 'constant'));
    if (mode === 'constant') return x.pad(widths, value ? value.item() : 0);
    const f = { reflect: 'reflect', edge: 'replicate' }[mode] as 'reflect' | 'replicate' | undefined;
    if (!f) throw new ChainruleError(`importOnnx: ${where}: Pad mode ${mode} is not supported (constant, reflect, edge)`);
    // the padded dims only (reflect and replicate pad the last 1 to 3)
    let n = widths.length;
    while (n > 2 && widths[n - 1] === 0 && widths[n - 2] === 0) n -= 2;
    return padFn(x, widths.slice(0, n), f);
  },
  Where: ([c, a, b]) => where(c.dtype === 'bool' ? c : c.ne(0), a, b),
  Not: ([x]) => logicalNot(x),
  Equal: ([a, b]) => a.eq(b),
  Less: ([a, b]) => a.lt(b),
  LessOrEqual: ([a, b]) => a.le(b),
  Greater: ([a, b]) => a.gt(b),
  GreaterOrEqual: ([a, b]) => a.ge(b),
  Max: (xs) => xs.reduce((a, b) => maximum(a, b)),
  Min: (xs) => xs.reduce((a, b) => minimum(a, b)),
  ReduceMax: ([x], at) => x.max(ints(at('axes', Array.from({ length: x.ndim }, (_, i) => i))), { keepdim: num(at('keepdims', 1)) === 1 }),
  Reciprocal: ([x]) => x.reciprocal(),
  Range: ([start, limit, delta]) => {
    const dtype = start.dtype === 'int32' ? 'int32' : start.dtype;
    return arange(start.item(), limit.item(), delta.item(), { dtype });
  },
  Cast: ([x], at, where) => {
    const to = CAST_TYPES[num(at('to'))];
    if (!to) throw new ChainruleError(`importOnnx: ${where}: Cast to ONNX type ${num(at('to'))} is not supported (float, double, int32, int64, bool)`);
    return x.dtype === to ? x : x.to(to);
  },
  Expand: ([x, shape]) => {
    const s = ints(shape);
    const r = Math.max(s.length, x.ndim);
    const xs = [...new Array(r - x.ndim).fill(1), ...x.shape];
    const target = Array.from({ length: r }, (_, i) => {
      const w = s[i - (r - s.length)] ?? 1;
      return w === 1 ? xs[i] : w;
    });
    return x.reshape(xs).expand(target);
  },
};

/** ONNX element types Cast can produce here (int64 is int32, as every integer tensor). */
const CAST_TYPES: Readonly<Record<number, DType>> = { 1: 'float32', 11: 'float64', 6: 'int32', 7: 'int32', 9: 'bool' };

function pair(v: number[]): [number, number] {
  return [v[0], v[1] ?? v[0]];
}

/** MaxPool's and AveragePool's window on [N, C, H, W]: symmetric padding only (as PyTorch writes them). */
function window2d(x: Tensor, at: (name: string, dflt?: Attr) => Attr, where: string): { kernel: [number, number]; stride: [number, number]; padding: [number, number] } {
  if (x.ndim !== 4) throw new ChainruleError(`importOnnx: ${where}: pooling of a ${x.ndim}-d input ${fmtShape(x.shape)} (2-d pooling of [N, C, H, W] is supported)`);
  const kernel = pair(ints(at('kernel_shape')));
  const [t, l, b, r] = ints(at('pads', [0, 0, 0, 0]));
  if (t !== b || l !== r) throw new ChainruleError(`importOnnx: ${where}: asymmetric pads ${[t, l, b, r].join(', ')} are not supported`);
  if (String(at('auto_pad', 'NOTSET')) !== 'NOTSET') throw new ChainruleError(`importOnnx: ${where}: auto_pad is not supported (explicit pads are)`);
  return { kernel, stride: pair(ints(at('strides', kernel))), padding: [t, l] };
}

/**
 * A model read from ONNX: a chainrule module whose forward runs the graph. Its parameters are the
 * float initializers, under their ONNX names; integer initializers (shapes, axes) are constants.
 * @example
 * import { exportOnnx, importOnnx, nn, randn } from 'chainrule';
 * const m = await importOnnx(await exportOnnx(new nn.Linear(3, 2), [randn([1, 3])]));
 * Object.keys(m.stateDict()) // ['weight', 'bias']
 */
export class OnnxModule extends Module {
  /**
   * The graph's input names, in the order forward takes them.
   * @example (await importOnnx(await exportOnnx(new nn.Linear(3, 2), [randn([1, 3])]))).inputNames // ['input_0']
   */
  readonly inputNames: readonly string[];
  /**
   * The graph's output names, in the order forward returns them.
   * @example (await importOnnx(await exportOnnx(new nn.Linear(3, 2), [randn([1, 3])]))).outputNames // ['output_0']
   */
  readonly outputNames: readonly string[];
  private readonly _params: Map<string, Parameter>;
  private readonly _consts: Map<string, Tensor>;
  private readonly _nodes: readonly ImportedNode[];

  /** @internal importOnnx builds it from a parsed graph; users call importOnnx */
  constructor(inputs: string[], outputs: string[], params: Map<string, Parameter>, consts: Map<string, Tensor>, nodes: ImportedNode[]) {
    super();
    this.inputNames = inputs;
    this.outputNames = outputs;
    this._params = params;
    this._consts = consts;
    this._nodes = nodes;
  }

  protected override slots(): Slot[] {
    return [...this._params].map(([name, p]) => ({ name, value: p, set: (v) => this._params.set(name, v as Parameter) }));
  }

  override describe(): string {
    return `OnnxModule (${this._nodes.length} nodes)`;
  }

  /**
   * Runs the graph on its inputs, in the graph's order; one output is a tensor, several an array.
   * @example
   * const linear = new nn.Linear(3, 2);
   * const m = await importOnnx(await exportOnnx(linear, [randn([1, 3])]));
   * const x = randn([4, 3]);
   * (m.forward(x) as Tensor).sub(linear.forward(x)).abs().max().item() < 1e-6; // true
   */
  forward(...inputs: Tensor[]): Tensor | Tensor[] {
    if (inputs.length !== this.inputNames.length) this.inputError(`expected ${this.inputNames.length} inputs (${this.inputNames.join(', ')}), got ${inputs.length}`);
    const env = new Map<string, Tensor>([...this._consts, ...this._params]);
    this.inputNames.forEach((n, i) => {
      if (!(inputs[i] instanceof Tensor)) this.inputError(`input ${n} is not a Tensor`);
      env.set(n, inputs[i]);
    });
    for (const node of this._nodes) {
      const where = `node ${node.name || '(unnamed)'} (${node.opType})`;
      const args = node.inputs.map((n) => {
        if (n === '') return undefined as unknown as Tensor;
        const v = env.get(n);
        if (!v) throw new ChainruleError(`importOnnx: ${where}: input ${n} is not computed before it`);
        return v;
      });
      const at = (name: string, dflt?: Attr): Attr => {
        const v = node.attrs.get(name) ?? dflt;
        if (v === undefined) throw new ChainruleError(`importOnnx: ${where}: attribute ${name} is required`);
        return v;
      };
      let y: Tensor;
      if (node.opType === 'Constant') y = at('value') as Tensor;
      else {
        try {
          y = IMPORTERS[node.opType](args, at, where);
        } catch (e) {
          if (e instanceof ChainruleError && !e.message.startsWith('importOnnx')) throw new ChainruleError(`importOnnx: ${where}: ${e.message}`);
          throw e;
        }
      }
      env.set(node.outputs[0], y);
    }
    const outs = this.outputNames.map((n) => env.get(n) as Tensor);
    return outs.length === 1 ? outs[0] : outs;
  }
}

/**
 * Reads an ONNX model (opset 13 to 17) into a trainable chainrule module. Supported operators:
 * the ones of IMPORTERS (Gemm, MatMul, the elementwise and activation ops, Softmax, LayerNormalization,
 * BatchNormalization, 1-d Conv, Gather on axis 0, Reshape, Transpose, Flatten, (Un)squeeze, Concat,
 * ReduceMean/ReduceSum, Constant). Anything else, a truncated file or another opset is a
 * ChainruleError naming the node (its name and op type). Needs the optional package onnx-proto.
 * @example
 * import { exportOnnx, importOnnx, nn, randn } from 'chainrule';
 * const m = await importOnnx(await exportOnnx(new nn.Linear(3, 2), [randn([1, 3])]));
 * m.forward(randn([4, 3])).shape // [4, 2]
 */
export async function importOnnx(bytes: Uint8Array): Promise<OnnxModule> {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ChainruleError('importOnnx: expected the bytes of an .onnx file (a non-empty Uint8Array)');
  const onnx = await loadOnnxSchema('importOnnx');
  let model: OnnxMessage;
  try {
    model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, defaults: false });
  } catch (e) {
    throw new ChainruleError(`importOnnx: not an ONNX model, or a truncated one (${(e as Error).message})`);
  }
  const graph = model.graph as OnnxMessage | undefined;
  if (!graph || !Array.isArray(graph.node)) throw new ChainruleError('importOnnx: the file holds no graph (not an ONNX model?)');
  const opsets = (model.opsetImport as OnnxMessage[] | undefined) ?? [];
  const main = opsets.find((o) => !o.domain);
  const opset = Number(main?.version ?? 0);
  if (opset < OPSET_MIN || opset > OPSET_MAX) throw new ChainruleError(`importOnnx: opset ${opset} is not supported (${OPSET_MIN} to ${OPSET_MAX})`);
  const params = new Map<string, Parameter>();
  const consts = new Map<string, Tensor>();
  for (const init of (graph.initializer as OnnxMessage[] | undefined) ?? []) {
    const name = String(init.name);
    const t = tensorOf(init, `initializer ${name}`);
    if (t.dtype === 'float32' || t.dtype === 'float64') params.set(name, new Parameter(t));
    else consts.set(name, t);
  }
  const nodes: ImportedNode[] = (graph.node as OnnxMessage[]).map((n) => {
    const name = String(n.name ?? '');
    const opType = String(n.opType);
    const where = `node ${name || '(unnamed)'} (${opType})`;
    if (n.domain) throw new ChainruleError(`importOnnx: ${where}: operator domain ${String(n.domain)} is not supported`);
    if (opType !== 'Constant' && !IMPORTERS[opType]) throw new ChainruleError(`importOnnx: ${where}: the operator ${opType} is not supported`);
    const outputs = ((n.output as string[]) ?? []).map(String);
    if (outputs.length !== 1 && !(opType === 'Dropout' && outputs.length === 2) && !(opType === 'BatchNormalization' && outputs.length === 1)) {
      throw new ChainruleError(`importOnnx: ${where}: ${outputs.length} outputs (the importer runs single-output nodes)`);
    }
    const attrs = new Map<string, Attr>(((n.attribute as OnnxMessage[]) ?? []).map((a) => [String(a.name), attrOf(a, where)]));
    if (opType === 'BatchNormalization' && Number(attrs.get('training_mode') ?? 0) !== 0) throw new ChainruleError(`importOnnx: ${where}: training_mode = 1 is not supported`);
    return { name, opType, inputs: ((n.input as string[]) ?? []).map(String), outputs, attrs };
  });
  const inits = new Set([...params.keys(), ...consts.keys()]);
  const inputs = ((graph.input as OnnxMessage[]) ?? []).map((v) => String(v.name)).filter((n) => !inits.has(n));
  const outputs = ((graph.output as OnnxMessage[]) ?? []).map((v) => String(v.name));
  return new OnnxModule(inputs, outputs, params, consts, nodes);
}
