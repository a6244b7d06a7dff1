import './methods.js';

export * from './binary.js';
export * from './conv.js';
export * from './indexing.js';
export * from './matmul.js';
export * from './reduce.js';
export * from './shape.js';
export * from './softmax.js';
export * from './unary.js';
