import { runBackward } from '../../autograd/engine.js';
import { ChainruleError, fmtShape } from '../../errors.js';
import { full } from '../../tensor/creation.js';
import { isFloat } from '../../tensor/dtype.js';
import { isOrderSensitive, opSymbol, summarize } from './graph-labels.js';
import { topoSort } from '../../autograd/engine.js';
import { GRAD_OPS, Tensor } from '../../ops/index.js';

/** Options shared by toDot, toMermaid and toSvg. */
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
}

/** A value node of a drawn graph: one tensor. */
export interface ValueNode {
  id: string;
  tensor: Tensor;
  name: string;
  /** Leaf that requires grad (a parameter or differentiable input), leaf constant, op output, or drawn root. */
  role: 'param' | 'constant' | 'computed' | 'root';
  value: string;
  /** Gradient text, or null when no gradient is shown for this tensor. */
  grad: string | null;
  /** Shape as text, for tooltips. */
  shape: string;
}

/** An op node: the recorded op that produced `output` from `inputs`. */
export interface OpNode {
  id: string;
  label: string;
  opName: string;
  inputs: string[];
  output: string;
  /** Operand order matters (sub, div, matmul ...): edges are numbered. */
  ordered: boolean;
}

/** The graph behind a set of tensors, ready for any output format. */
export interface GraphModel {
  values: ValueNode[];
  ops: OpNode[];
  direction: 'LR' | 'TB';
  title?: string;
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
  return runBackward(diff, seeds, { accumulate: false, ops: GRAD_OPS });
}

/**
 * Builds the drawable graph of `roots`: one value node per tensor, one op node per recorded op.
 * @example
 * const x = tensor([1], { requiresGrad: true, name: 'x' });
 * graphModel(x.mul(x).sum()).ops.map((o) => o.label) // ['×', 'Σ']
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
  let auto = 0;
  const ids = new Map<Tensor, string>();
  const values: ValueNode[] = order.map((t, i) => {
    const id = `v${i}`;
    ids.set(t, id);
    const role: ValueNode['role'] = rootSet.has(t) && t.node ? 'root' : t.node ? 'computed' : t.requiresGrad ? 'param' : 'constant';
    const name = given.get(t) ?? t.name ?? (role === 'constant' ? '' : `t${++auto}`);
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
    if (!t.node) return;
    ops.push({
      id: `op${i}`,
      label: opSymbol(t.node),
      opName: t.node.op.name,
      inputs: t.node.inputs.map((inp) => ids.get(inp)!),
      output: ids.get(t)!,
      ordered: isOrderSensitive(t.node),
    });
  });
  return { values, ops, direction: opts.direction ?? 'LR', title: opts.title };
}
