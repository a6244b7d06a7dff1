/**
 * The one error type chainrule throws for user mistakes: a bad shape, dtype or argument.
 * The message names the op (or module) and the shapes involved.
 *
 * @example
 * let caught: unknown;
 * try {
 *   tensor([1, 2]).matmul(tensor([1, 2, 3]));
 * } catch (e) {
 *   caught = e;
 * }
 * caught instanceof ChainruleError; // true
 * (caught as Error).message.startsWith('matmul'); // true
 */
export class ChainruleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainruleError';
  }
}

/** Throws a ChainruleError prefixed with the op name when `cond` is false. */
export function check(cond: unknown, op: string, message: string): asserts cond {
  if (!cond) throw new ChainruleError(`${op}: ${message}`);
}

/** Formats a shape the way error messages show it: [2,3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}
