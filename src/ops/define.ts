/**
 * The op table's entry type. Every op of chainrule is one `defineOp` call: the function users
 * call, carrying a `def` that holds everything the rest of the library needs to know about it:
 * its names, arguments, kernel, LaTeX, local-derivative formula, graph label, plot and nn-module
 * metadata and its ONNX mapping. Tensor methods, `F`, nn's activation modules, the problem
 * language, explanations, graphs, plots and the native op codes are all read off these entries
 * (see ARCHITECTURE.md, "Adding an op").
 */
import type { BinaryKernel, UnaryKernel } from '../backend/types.js';
import type { OpInfo } from '../tensor/tensor.js';
import type { BinOp, Expr } from './formula.js';

/** A non-tensor argument of an op, in the positional order that follows its tensor inputs. */
export interface ParamSpec {
  /** PyTorch's name, camel-cased (negativeSlope, alpha, beta); also its key in recorded attrs */
  readonly name: string;
  /** 'number' (the default): a plain number, which problem files and plot specs may pass too */
  readonly type?: 'number' | 'dims' | 'shape' | 'dtype' | 'string' | 'options' | 'tensors' | 'indices';
  /** the value when it is left out (null: none, as clamp's bounds) */
  readonly default?: number | string | null;
  /** how formulas write it ('\\alpha') */
  readonly latex?: string;
  /** its short plain name, in graph labels and error messages ('slope', 'α') */
  readonly text?: string;
  /** ±∞ is a valid value (NaN never is) */
  readonly infinite?: boolean;
  /** a value examples and the op-table walk pass where the op needs one and there is no default (clamp's bounds) */
  readonly sample?: number;
}

/** One curve family of `chainrule plot activations`. */
export interface PlotSpec {
  /** the name a plot spec uses ('gelu_tanh'); defaults to the op's problem-file name */
  readonly key?: string;
  /** the curve family's title in the plot's legend ('GELU (tanh approximation)') */
  readonly title: string;
  /** the parameter a `name:value` spec sets (defaults to the op's first numeric parameter) */
  readonly param?: string;
  /** fixed parameter values of this variant ({ approximate: 'tanh' }) */
  readonly fixed?: Readonly<Record<string, number | string>>;
}

/** An attribute value of an ONNX node (ints and floats are told apart by the operator's schema). */
export type OnnxAttribute = number | string | readonly number[] | readonly string[];

/**
 * What an op's ONNX mapping writes into: the graph being exported (src/io/onnx implements it).
 * Names are the graph's value names.
 */
export interface OnnxEmitter {
  /** the opset the graph targets */
  readonly opset: number;
  /** appends one node and returns the names of its outputs (`outputs` of them, default 1) */
  node(opType: string, inputs: readonly string[], attributes?: Readonly<Record<string, OnnxAttribute>>, outputs?: number): string[];
  /** a constant of the graph's floating type: a scalar, or values with their dims */
  float(values: number | readonly number[], dims?: readonly number[]): string;
  /** an int64 constant: a scalar, or values with their dims */
  int64(values: number | readonly number[], dims?: readonly number[]): string;
}

/**
 * How the ONNX exporter writes the op: one ONNX operator (`opType`, with attributes computed from
 * the recorded attrs or the module's parameters) from opset `since` on, else the subgraph `build`
 * writes. An op without a mapping is an export error naming the op and the module path.
 */
export interface OnnxMapping {
  /** the ONNX operator that computes the op ('Relu', 'Gemm'); absent when only `build` writes it */
  readonly opType?: string;
  /** the operator's attributes, computed from the attrs the op recorded (its parameters) */
  readonly attributes?: (attrs: Readonly<Record<string, unknown>>) => Record<string, OnnxAttribute>;
  /** the lowest opset that has `opType` in this form (below it, `build` writes the op) */
  readonly since?: number;
  /** writes the op as a subgraph of ONNX operators; returns the name of its output */
  readonly build?: (g: OnnxEmitter, inputs: readonly string[], attrs: Readonly<Record<string, unknown>>) => string;
}

/** What an op's author writes; `defineOp` fills in the defaults. */
export interface OpMeta {
  /** the API name (camelCase): the exported function, the Tensor method and the recorded op name */
  readonly name: string;
  /** one sentence: what it computes, and any convention that differs from the textbook */
  readonly doc: string;
  /** names of the tensor inputs (default ['x']) */
  readonly inputs?: readonly string[];
  /** non-tensor arguments after the inputs, in positional order */
  readonly params?: readonly ParamSpec[];
  /** its name in problem files (snake_case); absent when problem files cannot call it */
  readonly problem?: string;
  /** further spellings accepted by problem files and plot specs */
  readonly aliases?: readonly string[];
  /** the Tensor method's name (default: name); false when it is not a method */
  readonly method?: string | false;
  /** more method names for the same op (view for reshape) */
  readonly methodAliases?: readonly string[];
  /** the LaTeX of the op applied, given its arguments' LaTeX (default: fnLatex(args)) */
  readonly latex?: (args: string[], attrs?: Record<string, unknown>) => string;
  /** the function's own LaTeX name ('\\sigma', '\\mathrm{ReLU}'), for f(x) forms */
  readonly fnLatex?: string;
  /** the function's name in plain-text formulas when it is not its problem-file name ('σ', 'ln', 'H') */
  readonly fnText?: string;
  /** the label of its node in graph drawings (default: fnText, else the name) */
  readonly label?: string | ((attrs: Readonly<Record<string, unknown>>) => string);
  /** the formula operator of a binary op ('+' for add): problem files write it infix */
  readonly operator?: BinOp;
  /**
   * The local derivative ∂f/∂(input i) for each tensor input, as formulas in the arguments and
   * parameters (problem-file function names only). Tests evaluate it against the backward.
   */
  readonly derivative?: (args: readonly Expr[], params: readonly Expr[]) => Expr[];
  /** the open interval of (every) input where the op is real-valued, when not all numbers */
  readonly domain?: readonly [number, number];
  /** its curve families in `chainrule plot activations` */
  readonly plot?: PlotSpec | readonly PlotSpec[];
  /** the nn module class applying it (nn.ReLU) */
  readonly module?: string;
  /** the elementwise kernel of a primitive */
  readonly kernel?: UnaryKernel | BinaryKernel;
  /** further kernels it runs (variants: pow with a constant exponent, GELU's tanh form) */
  readonly kernels?: readonly (UnaryKernel | BinaryKernel)[];
  /** how `exportOnnx` writes the op (absent: the op cannot be exported, and export names it) */
  readonly onnx?: OnnxMapping;
  /**
   * Checks the numeric parameter values, defaults filled in (throws a ChainruleError naming the op
   * and the parameter); the op runs it on every call and nn's module on construction.
   */
  readonly check?: (p: number[]) => void;
  /** 'none' for ops that carry no gradient (comparisons, argmax); default 'yes' */
  readonly grad?: 'yes' | 'none' | 'zero';
  /** a deliberate difference from PyTorch's behaviour, stated for the docs and tested */
  readonly deviation?: string;
}

/** A complete entry of the op table. */
export interface OpDef extends OpInfo, Omit<OpMeta, 'inputs' | 'params' | 'aliases' | 'latex' | 'plot'> {
  /** the position of its definition (module evaluation order, then source order): the table's order */
  readonly order: number;
  /** names of the tensor inputs (['x'] unless the entry names them) */
  readonly inputs: readonly string[];
  /** the non-tensor arguments after the inputs, in positional order (empty when none) */
  readonly params: readonly ParamSpec[];
  /** further spellings accepted by problem files and plot specs (empty when none) */
  readonly aliases: readonly string[];
  /** the LaTeX of the op applied, given its arguments' LaTeX (the entry's `latex`, else `fnLatex(args)`) */
  readonly latex: (args: string[], attrs?: Record<string, unknown>) => string;
  /** its curve families in `chainrule plot activations` (empty when it is not plotted) */
  readonly plot: readonly PlotSpec[];
}

/** A function of any signature: what an op's user-facing function may be. */
// biome-ignore lint/suspicious/noExplicitAny: a function of any signature
export type AnyFn = (...args: any[]) => unknown;

/** The names an op gives Tensor methods, as literal types (what ops/methods.ts derives types from). */
export interface OpNames<N extends string = string, Meth extends string | false | undefined = string | false | undefined, Al extends readonly string[] = readonly string[]> {
  /** the op's name (its export name and F name) */
  readonly name: N;
  /** the Tensor method's name, false for none (undefined: the op's name) */
  readonly method: Meth;
  /** further Tensor method names of the op */
  readonly methodAliases: Al;
}

/** An op: the function users call, with its table entry (and, for the type system only, its names). */
export type Op<F extends AnyFn = AnyFn, M extends OpNames = OpNames> = F & {
  /** the op's entry in the op table: its names, parameters, LaTeX, local-derivative formula, ONNX mapping (`tanh.def.name` is 'tanh') */
  readonly def: OpDef;
  /** @internal the op's literal names, for the Tensor method types only (never set at run time) */
  readonly __names?: M;
};

/** The literal names of an op's meta, for its Op type. */
export type NamedMeta<N extends string, Meth extends string | false | undefined, Al extends readonly string[]> = OpMeta & {
  /** the op's name (the function's name, and the Tensor method's unless `method` says otherwise) */
  readonly name: N;
  /** the Tensor method's name, or false for an op without one */
  readonly method?: Meth;
  /** further Tensor method names for the same op (PyTorch's aliases) */
  readonly methodAliases?: Al;
};

/** True for the functions defineOp made. */
export function isOp(x: unknown): x is Op {
  return typeof x === 'function' && 'def' in x && typeof (x as { def?: { name?: unknown } }).def?.name === 'string';
}

/** `\operatorname{name}\left(a, b\right)` */
export function operatorLatex(fn: string): (args: string[]) => string {
  return (args) => `${fn}\\left(${args.join(', ')}\\right)`;
}

let defined = 0;

/**
 * Makes an op: `build` gets the finished entry (to record on the tape) and returns the function.
 * @example
 * const cube = defineOp({ name: 'cube', doc: 'x³' }, (def) => (x: Tensor) =>
 *   record(def, [x], noGrad(() => x.mul(x).mul(x)), (g) => [g.mul(x.square()).mul(3)]),
 * );
 * const x = tensor([2], { requiresGrad: true });
 * cube(x).backward();
 * x.grad?.item(); // 12
 * cube.def.name; // 'cube'
 */
export function defineOp<
  const N extends string,
  F extends AnyFn,
  const Meth extends string | false | undefined = undefined,
  const Al extends readonly string[] = readonly [],
>(meta: NamedMeta<N, Meth, Al>, build: (def: OpDef) => F): Op<F, OpNames<N, Meth, Al>> {
  const fnLatex = meta.fnLatex ?? `\\operatorname{${meta.name}}`;
  const def = {
    ...meta,
    order: defined++,
    inputs: meta.inputs ?? ['x'],
    params: meta.params ?? [],
    aliases: meta.aliases ?? [],
    latex: meta.latex ?? operatorLatex(fnLatex),
    plot: meta.plot === undefined ? [] : Array.isArray(meta.plot) ? meta.plot : [meta.plot as PlotSpec],
  } as unknown as OpDef;
  const fn = build(def);
  Object.defineProperty(fn, 'def', { value: def, enumerable: false });
  Object.defineProperty(fn, 'name', { value: meta.name });
  return fn as Op<F, OpNames<N, Meth, Al>>;
}

/** The values of an op's parameters by name, defaults filled in (for recorded attrs). */
export function paramValues(def: OpDef, given: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  def.params.forEach((p, i) => {
    out[p.name] = given[i] === undefined ? (p.default ?? null) : given[i];
  });
  return out;
}
