/**
 * The op layer's only entrance for the code above it (nn, optim, explain, text, cli, ...): the
 * public op API (ops/api.ts) and the internals the layers above share, with the Tensor class's
 * methods bound by api.ts (test/layering.test.ts checks that nothing above imports an op module, or
 * tensor/tensor.ts, directly).
 */
export * from './api.js';
export * from './rnn.js';
export { readParams } from './elementwise.js';
export { adamUpdate, assign, sgdUpdate, type AdamOptions, type SgdOptions } from './optim.js';
export { seedFor, GRAD_OPS, methodNamesOf, type SameNamedMethods, type RenamedMethods } from './methods.js';
export { defOf, opNamed, problemOps, tableKernels } from './table.js';
export { isOp, operatorLatex, paramValues, type OpNames, type AnyFn, type NamedMeta } from './define.js';
export type { BinarySpec } from './arith.js';
export { assertTensor, assertNumber, reduceDims } from './kernel.js';
export { type Windows, type WindowRule, windowMax } from './window.js';
