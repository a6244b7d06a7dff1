/**
 * chainrule: n-d tensors with reverse-mode automatic differentiation, neural-network modules,
 * and worked solutions that show every number.
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
export { toDot, toMermaid, toSvg, graphModel, type GraphOptions, type GraphModel } from './explain/graph/graph.js';
export * from './explain/index.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as F from './nn/functional.js';
export { plotActivations, activationScene, sampleActivation, sampleActivations, parseActivation, chartScene, sceneToSvg, type ActivationPlotOptions } from './explain/plot/plot.js';
export { rasterizeScene, type Raster } from './explain/plot/plot-raster.js';
export { save, load, saveCheckpoint, loadCheckpoint } from './io/index.js';
export { exportOnnx, importOnnx, OnnxModule, writeOnnx, type DynamicAxes, type ExportOnnxOptions } from './io/onnx/index.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';
export { htmlPage, markdownToHtml, type HtmlPageOptions } from './explain/render/html.js';
export { fit, evaluate, EarlyStopping, BestCheckpoint, EpochMetrics, type FitOptions, type History, type Callback, type EpochLog } from './train/index.js';
export { encodePng } from './explain/plot/png.js';
export * as text from './text/index.js';
export { exportTextModel, exportTextRun, type TextOnnxMeta, type TextOnnxOptions } from './text/onnx.js';
export { exportTextRunPytorch, pytorchModelSource, pytorchConfig, type PytorchConfig } from './text/pytorch.js';
export type { SameNamedMethods, RenamedMethods, OpNames, AnyFn, NamedMeta, BinarySpec } from './ops/index.js';
export type { UnaryKernel, BinaryKernel, RnnKind } from './backend/types.js';
export type { BackwardOptions } from './autograd/engine.js';
export type { GradOptions } from './autograd/functional.js';
export type { BestCheckpointOptions, EarlyStoppingOptions, EvaluateOptions, FitContext, LossFn, MetricFn, OutputStream, TrainableModel } from './train/index.js';
export type { Unpack } from './train/pass.js';
export type { CheckpointParts, CheckpointTargets, LoadedCheckpoint, TensorDict } from './io/index.js';
export type { Shape } from './tensor/shape.js';
export type { MonitorMode } from './train/monitor.js';
export type { StatefulModel } from './io/index.js';
