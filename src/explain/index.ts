/** Worked solutions: problem files, derivations, renderers and answer checking. */
export { parseExpr, ExprSyntaxError } from './parser.js';
export type { Expr, BinOp } from '../ops/formula.js';
export { parseProblem, type Problem, type Definition, type NestedNumber } from './problem.js';
export { solveProblem, evalExpr, type Solution } from './evaluate.js';
export { loadProblem, solveFile } from './load.js';
export {
  derive,
  type Derivation,
  type DeriveOptions,
  type ForwardStep,
  type BackwardStep,
  type BackwardTerm,
  type UpdateStep,
  type ThenStep,
} from './derivation.js';
export { FORMATS, type Format, type RenderOptions } from './render.js';
// the Node entry's render, with the html format (the browser entry exports render.ts's)
export { render } from './render-html.js';
export { diff, adjoint, simplify } from './symbolic.js';
export type { Value } from './notation.js';
export { parseAnswers, claimsFromObject, type Claim, type ClaimValue, type Section } from './answers.js';
export { checkAnswers, formatReport, agreesAt, type CheckReport, type ClaimResult } from './check.js';
export { explain, type ExplainOptions } from './from-tensor.js';
