/**
 * The op layer's only entrance for the code above it (nn, optim, explain, text, cli, ...):
 * every op, the table, the formula language ops describe themselves in, the custom-op helper,
 * and the Tensor class with its methods bound (test/layering.test.ts checks that nothing above
 * imports an op module, or tensor/tensor.ts, directly).
 */
import { bindTensorMethods } from './methods.js';

bindTensorMethods();

export * from './activation.js';
export * from './arith.js';
export * from './conv.js';
export * from './indexing.js';
export * from './logic.js';
export * from './math.js';
export * from './matmul.js';
export * from './norm.js';
export * from './reduce.js';
export * from './rnn.js';
export * from './scan.js';
export * from './shape.js';
export * from './softmax.js';
export * from './sort.js';
export * from './stats.js';
export { customOp, type CustomOpSpec } from './custom.js';
export { adamUpdate, assign, sgdUpdate, type AdamOptions, type SgdOptions } from './optim.js';
export { backward, seedFor, GRAD_OPS, methodNamesOf, type OpMethods } from './methods.js';
export { OPS, OP_MODULES, defOf, opNamed, problemOps, tableKernels } from './table.js';
export { type Op, type OpDef, type OpMeta, type ParamSpec, type PlotSpec, type OnnxMapping, defineOp, isOp, operatorLatex, paramValues } from './define.js';
export { unaryOp, compositeOp, type UnarySpec, type CompositeSpec, type ParamArgs } from './elementwise.js';
export { binaryOp } from './arith.js';
export { record } from '../autograd/record.js';
export * as formula from './formula.js';
export { assertTensor, assertNumber, unaryKernel, binaryKernel } from './kernel.js';
export { Tensor, type TensorLike, type NestedArray, type Node, type OpInfo } from '../tensor/tensor.js';
