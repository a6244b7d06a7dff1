import type { BinaryOp, ReduceOp, UnaryOp } from '../types.js';

// Op codes shared with native/elementwise.cc and native/reduce.cc: the position in each list.
const UNARY: readonly UnaryOp[] = [
  'neg',
  'exp',
  'log',
  'sqrt',
  'abs',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'sign',
  'step',
  'erf',
  'gelu',
  'geluTanh',
  'leakyRelu',
  'elu',
  'softplus',
  'powScalar',
  'addScalar',
  'mulScalar',
  'clamp',
  'reciprocal',
  'square',
  'floor',
];
const BINARY: readonly BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const REDUCE: readonly ReduceOp[] = ['sum', 'max', 'min', 'prod'];

const table = <T extends string>(names: readonly T[]): Map<T, number> => new Map(names.map((n, i) => [n, i]));

export const UNARY_CODES = table(UNARY);
export const BINARY_CODES = table(BINARY);
export const REDUCE_CODES = table(REDUCE);
/** Binary ops that write 0/1 into a Uint8Array. */
export const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
