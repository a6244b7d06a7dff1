/**
 * The browser entry of chainrule (package.json `exports` condition "browser"): everything that runs
 * without Node — tensors, autograd, the TypeScript and WebAssembly backends, nn, optimizers, data, metrics, and the
 * worked-solution engine with its renderers, graphs and SVG plots, and the safetensors codec over
 * bytes (what the playground exports and imports). File I/O (save/load,
 * checkpoints, fit's file callbacks), PNG encoding, the self-contained HTML page, the text datasets
 * and the native backend are Node-only and live in the main entry.
 */
export * from './ops/api.js';
export { ChainruleError } from './errors.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export * from './tensor/creation.js';
export { Generator, manualSeed, getRngState, setRngState, defaultGenerator } from './tensor/random.js';
export { type CsrMatrix, csrFromRows, csrSelectRows, csrToDense, csrNnz } from './tensor/sparse.js';
export { noGrad, enableGrad, isGradEnabled, detectAnomaly, setDetectAnomaly } from './autograd/mode.js';
export { grad, valueAndGrad, vjp, jacobian, gradcheck, type GradcheckOptions, type GradcheckReport } from './autograd/functional.js';
export { setBackend, getBackend, listBackends } from './backend/registry.js';
export { setWasmThreads, wasmThreads } from './backend/wasm/threads.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';
export { toDot, toMermaid, toSvg, graphModel, type GraphOptions, type GraphModel } from './explain/graph/graph.js';
export { plotActivations, activationScene, sampleActivation, sampleActivations, parseActivation, chartScene, sceneToSvg } from './explain/plot/plot.js';
export { parseExpr, ExprSyntaxError } from './explain/problem/parser.js';
export { parseProblem, type Problem } from './explain/problem/problem.js';
export { solveProblem, evalExpr, type Solution } from './explain/derivation/evaluate.js';
export { derive, type Derivation } from './explain/derivation/derivation.js';
export { render, FORMATS, type Format, type RenderOptions } from './explain/render/render.js';
export { layout, type Block, type Inline, type Phase } from './explain/render/layout.js';
export { latex as latexNotation, type Value } from './explain/symbolic/notation.js';
export { problemGraph, type ProblemGraph } from './explain/graph/graph-problem.js';
export { encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './io/safetensors.js';
export { diff, adjoint, simplify } from './explain/symbolic/symbolic.js';
export { parseAnswers, claimsFromObject, type Claim } from './explain/problem/answers.js';
export { checkAnswers, formatReport, type CheckReport } from './explain/check/check.js';
export { explain, type ExplainOptions } from './explain/derivation/from-tensor.js';
