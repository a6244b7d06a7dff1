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
export { seedFor, GRAD_OPS, methodNamesOf } from './methods.js';
export { defOf, opNamed, problemOps, tableKernels } from './table.js';
export { isOp, operatorLatex, paramValues } from './define.js';
export { assertTensor, assertNumber, reduceDims } from './kernel.js';
