/** Worked solutions: problem files, derivations, renderers and answer checking. */
// explain/ by concern, lowest first; a folder imports its own files and lower ones, never a
// higher one nor a sibling of its level (test/layering.ts, SUBLAYERS, checks this):
//   0  table.ts     the op table as explanations see it (names, derivative formulas, labels)
//   1  problem/     the problem language: expressions, problem files, answer files, functions
//   2  symbolic/    diff, adjoint and simplify of formulas; LaTeX and Unicode notation
//   3  derivation/  solving a problem with the engine, the derivation, explain() of a tensor,
//                   reading and solving a problem file
//   4  render/      the derivation in md, tex, text, json and html (the page with KaTeX)
//   4  check/       checking a student's answers against a solved problem
//   4  graph/       computation graphs: the model, DOT, Mermaid and SVG, a problem's graph
//   5  plot/        activation plots: samples, chart scene, SVG, raster with its font, PNG
//                   (above graph/: its labels use graph's number format)
//   6  index.ts     this public face
export { parseExpr, ExprSyntaxError } from './problem/parser.js';
export type { Expr, BinOp } from '../ops/formula.js';
export { parseProblem, type Problem, type Definition, type NestedNumber } from './problem/problem.js';
export { solveProblem, evalExpr, type Solution, type ShapeMap, type Round } from './derivation/evaluate.js';
export { loadProblem, solveFile } from './derivation/load.js';
export {
  derive,
  type Derivation,
  type DeriveOptions,
  type ForwardStep,
  type BackwardStep,
  type BackwardTerm,
  type UpdateStep,
  type ThenStep,
} from './derivation/derivation.js';
export { FORMATS, type Format, type RenderOptions } from './render/render.js';
// also in the browser entry; here too so the main entry has every export the browser's has
export { layout, type Block, type Inline, type Phase } from './render/layout.js';
export type { Dialect } from './symbolic/notation.js';
export type { ShapeOf } from './symbolic/symbolic.js';
export type { OpNode, ValueNode } from './graph/graph.js';
export type { Activation, ActivationSamples } from './plot/plot-activations.js';
export type { ChartOptions, Panel, Series } from './plot/plot-chart.js';
// the tensor layer's Shape is the package's Shape; a scene's is SceneShape
export type { Color, Scene, Shape as SceneShape, LineShape, RectShape, TextShape, CircleShape } from './plot/plot-scene.js';
export { latex as latexNotation } from './symbolic/notation.js';
export { problemGraph, type ProblemGraph } from './graph/graph-problem.js';
// the Node entry's render, with the html format (the browser entry exports render.ts's)
export { render } from './render/render-html.js';
export { diff, adjoint, simplify } from './symbolic/symbolic.js';
export type { Value } from './symbolic/notation.js';
export { parseAnswers, claimsFromObject, type Claim, type ClaimValue, type Section } from './problem/answers.js';
export { checkAnswers, formatReport, agreesAt, type CheckReport, type ClaimResult } from './check/check.js';
export { explain, type ExplainOptions } from './derivation/from-tensor.js';
