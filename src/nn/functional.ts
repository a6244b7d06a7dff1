/**
 * nn.functional: the layers and losses as plain functions of tensors (weights passed in).
 * @example F.crossEntropy(F.linear(ones([2, 3]), zeros([4, 3])), tensor([0, 3], { dtype: 'int32' })).item() // 1.38629...
 */
export * from './fn/activation.js';
export * from './fn/attention.js';
export * from './fn/dropout.js';
export * from './fn/linear.js';
export * from './fn/loss.js';
export * from './fn/norm.js';
export * from './fn/norm2d.js';
export * from './fn/conv.js';
export { conv2d, convTranspose1d, convTranspose2d, type Conv2dOptions, type ConvTransposeOptions } from './fn/conv2d.js';
export * from './fn/embedding.js';
export * from './fn/pool.js';
export * from './fn/pad.js';
export * from './fn/distance.js';
export * from './fn/pool2d.js';
export * from './fn/fold.js';
export * from './fn/resample.js';
export { gruCell, lstmCell, rnnCell } from './fn/rnn.js';
