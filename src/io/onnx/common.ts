/**
 * What the module exporters share: where an export failed (the module's class and path), running a
 * module on the example tensors in eval mode, and writing an op through its op-table mapping.
 */
import { ChainruleError } from '../../errors.js';
import type { Linear } from '../../nn/linear.js';
import type { Module } from '../../nn/module.js';
import type { OpDef, Tensor } from '../../ops/index.js';
import type { OnnxGraph, OnnxValue } from './graph.js';

/** Where an export failed: the module's class and path. */
export function at(m: Module, path: string): string {
  return `${m.constructor.name} at ${path || '(root)'}`;
}

export function fail(m: Module, path: string, why: string): never {
  throw new ChainruleError(`exportOnnx: ${at(m, path)}: ${why}`);
}

export function one(m: Module, path: string, inputs: readonly OnnxValue[]): OnnxValue {
  if (inputs.length !== 1) fail(m, path, `takes one input, got ${inputs.length}`);
  return inputs[0];
}

export function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/** The op-table entry of an activation module (nn's activationModule classes carry their op). */
export function activationDef(m: Module): OpDef | undefined {
  const op = (m.constructor as { op?: { def?: OpDef } }).op;
  return 'params' in m && op?.def ? op.def : undefined;
}

/** Writes one op of the table through its ONNX mapping; an op without one is an error naming it. */
export function emitOp(g: OnnxGraph, def: OpDef, inputs: readonly string[], attrs: Readonly<Record<string, unknown>>, where: string): string {
  const map = def.onnx;
  if (!map) throw new ChainruleError(`exportOnnx: ${where}: the op ${def.name} has no ONNX mapping`);
  if (map.opType && g.opset >= (map.since ?? 1)) return g.node(map.opType, inputs, map.attributes ? map.attributes(attrs) : {})[0];
  if (map.build) return map.build(g, inputs, attrs);
  throw new ChainruleError(`exportOnnx: ${where}: the op ${def.name} needs opset ${map.since} or later (ONNX ${map.opType}), exporting opset ${g.opset}`);
}

/** Runs the module on the example tensors in eval mode (what the graph computes). */
export function run<T>(m: Module, f: () => T): T {
  const was = m.training;
  m.eval();
  try {
    return f();
  } finally {
    m.train(was);
  }
}

/** The module's result as a flat list of tensors (LSTM's [out, [h, c]] is out, h, c). */
export function flatTensors(v: unknown, what: string): Tensor[] {
  if (Array.isArray(v)) return v.flatMap((e) => flatTensors(e, what));
  if (v && typeof v === 'object' && 'shape' in v && 'dtype' in v) return [v as Tensor];
  throw new ChainruleError(`exportOnnx: ${what} returned ${typeof v}, not tensors`);
}

/** Runs a 1-d channels-first operator on a [C, L] input by adding the batch dim around it. */
export function batched(g: OnnxGraph, x: OnnxValue, f: (name: string) => string): string {
  if (x.t.ndim === 3) return f(x.name);
  const y = f(g.node('Unsqueeze', [x.name, g.int64([0])])[0]);
  return g.node('Squeeze', [y, g.int64([0])])[0];
}

/** Linear as Transpose of the weight, MatMul and Add (any rank). */
export function linear(g: OnnxGraph, m: Linear, x: OnnxValue, path: string): OnnxValue {
  const t = run(m, () => m.forward(x.t));
  const wt = g.node('Transpose', [g.weight(join(path, 'weight'), m.weight)], { perm: [1, 0] })[0];
  const y = g.node('MatMul', [x.name, wt])[0];
  return { name: m.bias ? g.node('Add', [y, g.weight(join(path, 'bias'), m.bias)])[0] : y, t };
}

