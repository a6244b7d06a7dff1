/**
 * The op layer's public API, as the package exports it: every op of the table (each family
 * module whole, so a new op is exported by being defined), the table itself, the op-authoring
 * helpers (defineOp and its kin, the formula language) and custom ops. The layers above ops
 * import ops/index.ts, which adds the internals they share (gradient plumbing, parameter checks).
 * Here, where the op surface is assembled, the Tensor class gets its methods (ops/methods.ts).
 */
import { bindTensorMethods } from './methods.js';

bindTensorMethods();

export * from './activation.js';
export * from './arith.js';
export * from './attention.js';
export * from './conv.js';
export * from './distance.js';
export * from './conv2d.js';
export * from './ctc.js';
export * from './pool2d.js';
export * from './fold.js';
export * from './indexing.js';
export * from './linalg.js';
export * from './manip.js';
export * from './logic.js';
export * from './loss.js';
export * from './math.js';
export * from './matmul.js';
export * from './norm.js';
export * from './pad.js';
export * from './reduce.js';
export * from './scan.js';
export * from './scatter.js';
export * from './shape.js';
export * from './softmax.js';
export * from './sort.js';
export * from './sparse.js';
export * from './stats.js';
export { customOp, type CustomOpSpec } from './custom.js';
export { backward, type OpMethods } from './methods.js';
export { OPS, OP_MODULES } from './table.js';
export { type Op, type OpDef, type OpMeta, type ParamSpec, type PlotSpec, type OnnxAttribute, type OnnxEmitter, type OnnxMapping, defineOp } from './define.js';
export { unaryOp, compositeOp, type UnarySpec, type CompositeSpec, type ParamArgs } from './elementwise.js';
export { binaryOp } from './arith.js';
export { unaryKernel, binaryKernel } from './kernel.js';
export { record } from '../autograd/record.js';
export * as formula from './formula.js';
export { Tensor, type TensorLike, type NestedArray, type Node, type OpInfo } from '../tensor/tensor.js';
