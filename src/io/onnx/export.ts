/**
 * `exportOnnx`: a chainrule module as an ONNX model (the eval-mode forward, as torch.onnx.export
 * writes it), with named inputs and outputs and free (dynamic) axes.
 */
import { ChainruleError, fmtShape } from '../../errors.js';
import type { Module } from '../../nn/module.js';
import { Tensor } from '../../ops/index.js';
import { writeFileAtomic } from '../fs.js';
import { OPSET_MAX, OPSET_MIN, OnnxGraph, type OnnxValue, onnxType } from './graph.js';
import { exportModule } from './modules.js';
import { type OnnxMessage, loadOnnxSchema } from './proto.js';

/** Axes whose size is free, per input or output name: a list of axes, or axes with their names. */
export type DynamicAxes = Readonly<Record<string, readonly number[] | Readonly<Record<number, string>>>>;

/** The options of exportOnnx and writeOnnx (torch.onnx.export's, camelCased): opset, input and output names, dynamic axes, graph name. */
export interface ExportOnnxOptions {
  /** the ONNX opset, 13 to 17 (default 17) */
  opset?: number;
  /** the graph's input names (default input_0, input_1, ...; one per example input) */
  inputNames?: readonly string[];
  /** the graph's output names (default output_0, ...; one per output tensor, LSTM's [out, [h, c]] counting 3) */
  outputNames?: readonly string[];
  /** axes left free, as torch.onnx.export's dynamic_axes: `{ input_0: { 0: 'batch' }, output_0: [0] }` */
  dynamicAxes?: DynamicAxes;
  /** the graph's name (default: the module's class name) */
  graphName?: string;
}

/** A graph input or output as the model file declares it. */
export interface OnnxPort {
  name: string;
  dtype: string;
  /** sizes; a string names a free axis, null is a free axis without a name */
  dims: readonly (number | string | null)[];
}

/** Checks the opset option. */
export function checkOpset(opset: number | undefined, op: string): number {
  const v = opset ?? OPSET_MAX;
  if (!Number.isInteger(v) || v < OPSET_MIN || v > OPSET_MAX) throw new ChainruleError(`${op}: opset must be an integer from ${OPSET_MIN} to ${OPSET_MAX}, got ${opset}`);
  return v;
}

function valueInfo(p: OnnxPort): OnnxMessage {
  const dim = p.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name: p.name, type: { tensorType: { elemType: onnxType(p.dtype), shape: { dim } } } };
}

/** Encodes a finished graph as ONNX model bytes. */
export async function encodeModel(g: OnnxGraph, inputs: readonly OnnxPort[], outputs: readonly OnnxPort[], name: string, op = 'exportOnnx'): Promise<Uint8Array> {
  const onnx = await loadOnnxSchema(op);
  const model = onnx.ModelProto.create({
    // IR version 8 is the one of opsets up to 17 (onnx 1.12 and 1.13)
    irVersion: 8,
    producerName: 'chainrule',
    producerVersion: '0.1.0',
    opsetImport: [{ domain: '', version: g.opset }],
    graph: { name, node: g.nodes, initializer: g.initializers, input: inputs.map(valueInfo), output: outputs.map(valueInfo) },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The floating type of the module's parameters (float32 when it has none). */
export function floatTypeOf(module: Module, op: string): 'float32' | 'float64' {
  const types = new Set(module.parameters().map((p) => p.dtype));
  if (types.size > 1) throw new ChainruleError(`${op}: the module's parameters mix ${[...types].join(' and ')}; convert it with .float() or .double() first`);
  return types.has('float64') ? 'float64' : 'float32';
}

/** Resolves dynamicAxes against the port names and ranks: per name, axis -> its name. */
export function resolveDynamicAxes(axes: DynamicAxes | undefined, ports: ReadonlyMap<string, number>, op: string): Map<string, Map<number, string>> {
  const out = new Map<string, Map<number, string>>();
  for (const [name, spec] of Object.entries(axes ?? {})) {
    const rank = ports.get(name);
    if (rank === undefined) throw new ChainruleError(`${op}: dynamicAxes names ${JSON.stringify(name)}, which is no input or output (have ${[...ports.keys()].join(', ')})`);
    const m = new Map<number, string>();
    const entries: [number, string][] = Array.isArray(spec)
      ? (spec as readonly number[]).map((a) => [a, `${name}_dim${a}`])
      : Object.entries(spec as Record<string, string>).map(([a, n]) => [Number(a), n]);
    for (const [a, n] of entries) {
      if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ChainruleError(`${op}: dynamicAxes of ${name}: axis ${a} is out of range for rank ${rank}`);
      if (typeof n !== 'string' || n === '') throw new ChainruleError(`${op}: dynamicAxes of ${name}: axis ${a} needs a non-empty name, got ${JSON.stringify(n)}`);
      m.set(a, n);
    }
    out.set(name, m);
  }
  return out;
}

function names(given: readonly string[] | undefined, n: number, prefix: string, what: string, op: string): string[] {
  if (given === undefined) return Array.from({ length: n }, (_, i) => `${prefix}_${i}`);
  if (!Array.isArray(given) || given.length !== n || given.some((s) => typeof s !== 'string' || s === '')) {
    throw new ChainruleError(`${op}: ${what} must be ${n} non-empty strings (one per ${prefix}), got ${JSON.stringify(given)}`);
  }
  return [...given];
}

/**
 * Exports a module as an ONNX model (the bytes of a .onnx file): its eval-mode forward applied
 * to the example inputs, written module by module (Linear, Bilinear, the activations, Sequential,
 * Dropout, Flatten, Embedding, EmbeddingBag, LayerNorm, BatchNorm1d/2d, GroupNorm, Conv1d/Conv2d,
 * the 1-d and 2-d pools, RNN, GRU, LSTM and their cells, MultiheadAttention and the transformer
 * layers and stacks). A module or op without an ONNX form is a ChainruleError naming it and its path. Needs the
 * optional package onnx-proto.
 * @example
 * import { exportOnnx, nn, randn } from 'chainrule';
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
 * const bytes = await exportOnnx(model, [randn([3, 4])], { dynamicAxes: { input_0: { 0: 'batch' }, output_0: { 0: 'batch' } } });
 * bytes.length > 0 // true
 */
export async function exportOnnx(module: Module, exampleInputs: readonly Tensor[], opts: ExportOnnxOptions = {}): Promise<Uint8Array> {
  const op = 'exportOnnx';
  if (!module || typeof (module as { parameters?: unknown }).parameters !== 'function') throw new ChainruleError(`${op}: expected a Module, got ${typeof module}`);
  if (!Array.isArray(exampleInputs) || exampleInputs.length === 0 || exampleInputs.some((t) => !(t instanceof Tensor))) {
    throw new ChainruleError(`${op}: exampleInputs must be a non-empty array of tensors (the forward's arguments)`);
  }
  const opset = checkOpset(opts.opset, op);
  const g = new OnnxGraph(opset, floatTypeOf(module, op));
  const inNames = names(opts.inputNames, exampleInputs.length, 'input', 'inputNames', op);
  const inputs: OnnxValue[] = inNames.map((n, i) => ({ name: g.reserve(n, 'input'), t: exampleInputs[i] }));
  for (const v of inputs) {
    if (v.t.dtype === 'bool') throw new ChainruleError(`${op}: input ${v.name} ${fmtShape(v.t.shape)} is bool; pass int32 or float inputs`);
  }
  const outs = exportModule(g, module, inputs, '');
  const outNames = names(opts.outputNames, outs.length, 'output', 'outputNames', op);
  for (const n of outNames) g.reserve(n, 'output');
  const ranks = new Map<string, number>([...inputs.map((v) => [v.name, v.t.ndim] as const), ...outs.map((v, i) => [outNames[i], v.t.ndim] as const)]);
  const dyn = resolveDynamicAxes(opts.dynamicAxes, ranks, op);
  const anyDynamic = [...dyn.values()].some((m) => m.size > 0);
  const port = (name: string, t: Tensor, output: boolean): OnnxPort => {
    const axes = dyn.get(name);
    // an output axis nobody named may still follow a free input axis: it is left open
    return { name, dtype: t.dtype, dims: t.shape.map((d, a) => axes?.get(a) ?? (output && anyDynamic ? null : d)) };
  };
  for (const [i, v] of outs.entries()) g.alias(v.name, outNames[i]);
  return encodeModel(
    g,
    inputs.map((v) => port(v.name, v.t, false)),
    outs.map((v, i) => port(outNames[i], v.t, true)),
    opts.graphName ?? module.constructor.name,
    op,
  );
}

/**
 * Writes ONNX model bytes to a file atomically (a temporary file, fsync, rename): an existing
 * file is replaced only by a complete one.
 * @example
 * import { readFileSync } from 'node:fs';
 * import { exportOnnx, importOnnx, nn, randn, writeOnnx } from 'chainrule';
 * writeOnnx('model.onnx', await exportOnnx(new nn.Linear(4, 2), [randn([1, 4])]));
 * const m = await importOnnx(new Uint8Array(readFileSync('model.onnx')));
 * m.forward(randn([3, 4])).shape; // [3, 2]
 */
export function writeOnnx(path: string, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new ChainruleError(`writeOnnx: expected the model's bytes (a non-empty Uint8Array) for ${path}`);
  writeFileAtomic(path, bytes, 'writeOnnx');
}
