/** Worked solutions: problem files, derivations, renderers and answer checking. */
export { parseExpr, ExprSyntaxError } from './parser.js';
export type { Expr, BinOp } from './ast.js';
export { parseProblem, type Problem, type Definition, type NestedNumber } from './problem.js';
export { solveProblem, evalExpr, type Solution } from './evaluate.js';
export { loadProblem, solveFile } from './load.js';
