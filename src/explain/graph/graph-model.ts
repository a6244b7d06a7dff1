import { runBackward } from '../../autograd/engine.js';
import { ChainruleError, fmtShape } from '../../errors.js';
import { full } from '../../tensor/creation.js';
import { isFloat } from '../../tensor/dtype.js';
import { isOrderSensitive, opSymbol, summarize } from './graph-labels.js';
import { topoSort } from '../../autograd/engine.js';
import { GRAD_OPS, Tensor } from '../../ops/index.js';

/** Options shared by toDot, toMermaid and toSvg. @example graphModel(tensor([1], { requiresGrad: true, name: 'x' }).mul(2), { direction: 'TB', digits: 2 }).direction // 'TB' */
export interface GraphOptions {
  /**
   * Display names: a record from name to tensor (what a problem loader returns) or a Map. They win
   * over `tensor.name`; tensors with neither get an automatic name (t1, t2, ... in graph order).
   */
  names?: Record<string, Tensor> | Map<Tensor, string>;
  /**
   * Which gradients to show. 'stored' (default): each tensor's `.grad` (leaves, and intermediates
   * that called retainGrad). 'compute': a fresh backward pass from the drawn tensors with `seed`,
   * giving every node's gradient without touching any `.grad`. A Map: exactly those gradients.
   * false: no gradient row.
   */
  grads?: 'stored' | 'compute' | Map<Tensor, Tensor> | false;
  /** Upstream gradient for grads: 'compute' (a number fills the root's shape; default 1). */
  seed?: number | Tensor;
  /** Significant digits of printed numbers (default 4). */
  digits?: number;
  /** Tensors with at most this many elements print their values; larger ones a shape summary (default 1). */
  inline?: number;
  /** Layout direction: 'LR' left to right (default) or 'TB' top to bottom. */
  direction?: 'LR' | 'TB';
  /** Optional title drawn above the graph. */
  title?: string;
  /** What each tensor is, where the graph's own guess (leaf with a gradient = parameter) is not enough: a problem's inputs, params and loss. */
  roles?: Map<Tensor, ValueNode['role']>;
  /**
   * One node per named value: each named tensor's op node stands for everything between it and
   * the named tensors it is computed from, labelled with `lines` (its problem-file definition).
   */
  collapse?: {
    /** each named tensor's label: its definition as the problem file writes it (`h = relu(W1 @ x + b1)`) */
    lines: Map<Tensor, string>;
  };
  /** Draw a legend of the node styles (default true). */
  legend?: boolean;
}

/** A value node of a drawn graph: one tensor. */
export interface ValueNode {
  /** the node's id in DOT, Mermaid and SVG output, unique in the graph */
  id: string;
  /** the tensor it draws */
  tensor: Tensor;
  /** its display name: GraphOptions.names, else `tensor.name`, else t1, t2, ... */
  name: string;
  /** An input, a learned parameter (a leaf that requires grad, unless told otherwise), a constant, an op output, a drawn root, or the loss. */
  role: 'input' | 'param' | 'constant' | 'computed' | 'root' | 'loss';
  /** its value as text to GraphOptions.digits (a shape summary above GraphOptions.inline elements) */
  value: string;
  /** Gradient text, or null when no gradient is shown for this tensor. */
  grad: string | null;
  /** Shape as text, for tooltips. */
  shape: string;
}

/** An op node: the recorded op that produced `output` from `inputs`. */
export interface OpNode {
  /** the node's id in DOT, Mermaid and SVG output (`op0`, `op1`, ...) */
  id: string;
  /** what the node shows: the op's symbol (×, +, matmul, ×2 with a folded constant) or, collapsed, a definition */
  label: string;
  /** the recorded op's name ('mul', 'matmul', ...; 'line' for a collapsed definition) */
  opName: string;
  /** the ids of the value nodes it reads, in operand order */
  inputs: string[];
  /** the id of the value node it produces */
  output: string;
  /** Operand order matters (sub, div, matmul ...): edges are numbered. */
  ordered: boolean;
}

/**
 * The graph behind a set of tensors, ready for any output format.
 * @example
 * ```ts
 * const x = tensor([1], { dtype: 'float64', requiresGrad: true, name: 'x' });
 * const m = graphModel(x.mul(x).sum(), { grads: 'compute' });
 * m.values.map((v) => v.name) // ['x', 't1', 't2']
 * m.values[0].grad // '2'
 * ```
 */
export interface GraphModel {
  /** the value nodes: name, value, gradient and role of each tensor */
  values: ValueNode[];
  /** the op nodes between them */
  ops: OpNode[];
  /** left to right or top to bottom */
  direction: 'LR' | 'TB';
  /** the heading drawn above the graph */
  title?: string;
  /** the roles drawn, for the legend (none when the legend is off) */
  legend: ValueNode['role'][];
}

/** The label of an op with a constant scalar operand folded in: ×2, +1, 1−, ÷2, ^2. */
function folded(label: string, opName: string, k: string, left: boolean): string {
  const sym: Record<string, string> = { mul: '×', add: '+', sub: '−', div: '÷', pow: '^' };
  const s = sym[opName];
  if (!s) return `${label} ${k}`;
  return left ? `${k} ${s}` : `${s} ${k}`;
}

/** Every tensor reachable from the roots through recorded ops (constants too), inputs first. */
function collect(roots: readonly Tensor[]): Tensor[] {
  return topoSort(roots, () => true);
}

function gradientsFor(roots: readonly Tensor[], opts: GraphOptions): Map<Tensor, Tensor> | ((t: Tensor) => Tensor | null) | null {
  const mode = opts.grads ?? 'stored';
  if (mode === false) return null;
  if (mode instanceof Map) return mode;
  if (mode === 'stored') return (t) => t.grad;
  const diff = roots.filter((r) => r.requiresGrad);
  if (diff.length === 0) return new Map();
  const seeds = diff.map((r) => {
    const s = opts.seed ?? 1;
    if (typeof s === 'number') return full(r.shape, s, { dtype: r.dtype });
    if (s.shape.length !== r.shape.length || s.shape.some((d, i) => d !== r.shape[i])) {
      throw new ChainruleError(`toDot: seed of shape ${fmtShape(s.shape)} does not match the root's shape ${fmtShape(r.shape)}`);
    }
    return s;
  });
  // a drawing leaves the graph to the caller, who may still backward through it
  return runBackward(diff, seeds, { accumulate: false, retainGraph: true, keepAll: true, ops: GRAD_OPS });
}

/**
 * Builds the drawable graph of `roots`: one value node per tensor, one op node per recorded op.
 * @example
 * ```ts
 * const x = tensor([1], { requiresGrad: true, name: 'x' });
 * graphModel(x.mul(x).sum()).ops.map((o) => o.label) // ['×', 'Σ']
 * ```
 */
export function graphModel(roots: Tensor | readonly Tensor[], opts: GraphOptions = {}): GraphModel {
  const rootList = roots instanceof Tensor ? [roots] : [...roots];
  if (rootList.length === 0 || !rootList.every((r) => r instanceof Tensor)) {
    throw new ChainruleError('toDot: expected a tensor or a non-empty list of tensors');
  }
  const digits = opts.digits ?? 4;
  const inline = opts.inline ?? 1;
  const order = collect(rootList);
  const given = new Map<Tensor, string>();
  if (opts.names instanceof Map) for (const [t, n] of opts.names) given.set(t, n);
  else if (opts.names) for (const [n, t] of Object.entries(opts.names)) if (!given.has(t)) given.set(t, n);
  const grads = gradientsFor(rootList, opts);
  const gradOf = (t: Tensor): Tensor | null => {
    if (!grads) return null;
    if (grads instanceof Map) return grads.get(t) ?? null;
    return grads(t);
  };
  const rootSet = new Set(rootList);
  // automatic names never take a name the graph already uses (a user's own t1)
  const taken = new Set<string>([...given.values(), ...order.map((t) => t.name ?? '').filter(Boolean)]);
  let auto = 0;
  const fresh = () => {
    let n: string;
    do n = `t${++auto}`;
    while (taken.has(n));
    taken.add(n);
    return n;
  };
  const roleOf = (t: Tensor): ValueNode['role'] =>
    opts.roles?.get(t) ?? (rootSet.has(t) && t.node ? 'root' : t.node ? 'computed' : t.requiresGrad ? 'param' : 'constant');
  // a nameless constant scalar is folded into the label of the op it feeds
  const isFoldable = (t: Tensor) => !t.node && !t.requiresGrad && t.size === 1 && !given.has(t) && !t.name && !rootSet.has(t) && !opts.roles?.has(t);
  const collapse = opts.collapse;
  const shown = collapse ? order.filter((t) => given.has(t) || rootSet.has(t)) : order.filter((t) => !isFoldable(t));
  const ids = new Map<Tensor, string>();
  const values: ValueNode[] = shown.map((t) => {
    const id = `v${order.indexOf(t)}`;
    ids.set(t, id);
    const role = roleOf(t);
    const name = given.get(t) ?? t.name ?? (role === 'constant' ? '' : fresh());
    const g = gradOf(t);
    const showGrad = grads !== null && (isFloat(t.dtype) && (t.requiresGrad || g !== null));
    return {
      id,
      tensor: t,
      name,
      role,
      value: summarize(t, digits, inline, 'x'),
      grad: showGrad ? (g ? summarize(g, digits, inline, 'g') : '—') : null,
      shape: t.shape.length ? `shape ${fmtShape(t.shape)}` : 'scalar',
    };
  });
  const ops: OpNode[] = [];
  order.forEach((t, i) => {
    if (!t.node || !ids.has(t)) return;
    if (collapse) {
      // the named tensors this one is computed from, through unnamed intermediates
      const from: string[] = [];
      const seen = new Set<Tensor>();
      const walk = (x: Tensor) => {
        for (const inp of x.node?.inputs ?? []) {
          if (seen.has(inp)) continue;
          seen.add(inp);
          if (ids.has(inp)) from.push(ids.get(inp) as string);
          else if (inp.node) walk(inp);
        }
      };
      walk(t);
      ops.push({ id: `op${i}`, label: collapse.lines.get(t) ?? opSymbol(t.node), opName: 'line', inputs: from, output: ids.get(t) as string, ordered: false });
      return;
    }
    let label = opSymbol(t.node);
    const inputs: string[] = [];
    t.node.inputs.forEach((inp, k) => {
      if (isFoldable(inp) && t.node && t.node.inputs.length === 2) {
        label = folded(label, t.node.op.name, summarize(inp, digits, 1, 'x'), k === 0);
      } else inputs.push(ids.get(inp) as string);
    });
    ops.push({
      id: `op${i}`,
      label,
      opName: t.node.op.name,
      inputs,
      output: ids.get(t) as string,
      ordered: isOrderSensitive(t.node) && inputs.length > 1,
    });
  });
  const legend = opts.legend === false ? [] : [...new Set(values.map((v) => v.role))];
  return { values, ops, direction: opts.direction ?? 'LR', title: opts.title, legend };
}
