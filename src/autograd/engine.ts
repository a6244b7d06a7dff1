import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { sameShape } from '../tensor/shape.js';
import { type Node, Tensor } from '../tensor/tensor.js';
import { isAnomalyEnabled, withGradMode } from './mode.js';
import { attributeTo, checkAnomaly } from './record.js';

/**
 * Tensors reachable from the roots through recorded ops, in topological order (inputs first).
 * `follow` picks which inputs to walk into (by default those that require grad; graph drawings
 * walk into every input, constants included).
 */
export function topoSort(roots: readonly Tensor[], follow: (t: Tensor) => boolean = (t) => t.requiresGrad): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // iterative DFS: deep graphs (long RNN unrolls) must not overflow the JS stack
  const stack: [Tensor, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [t, i] = top;
      const inputs = t.node ? t.node.inputs : [];
      if (i < inputs.length) {
        top[1]++;
        const c = inputs[i];
        if (follow(c) && !seen.has(c)) {
          seen.add(c);
          stack.push([c, 0]);
        }
      } else {
        stack.pop();
        order.push(t);
      }
    }
  }
  return order;
}

/**
 * Options of backward() and Tensor.backward() (PyTorch's `create_graph=` and `retain_graph=`).
 * @example
 * ```ts
 * const x = tensor([3], { dtype: 'float64', requiresGrad: true });
 * const opts: BackwardOptions = { createGraph: true };
 * x.pow(3).sum().backward(undefined, opts);
 * x.grad.requiresGrad // true
 * ```
 * @example
 * ```ts
 * // without retainGraph a backward frees the graph's saved tensors, so a second one throws
 * const w = tensor([2], { requiresGrad: true });
 * const y = w.exp().sum();
 * y.backward({ retainGraph: true });
 * y.backward();
 * w.grad?.item() // 14.778112
 * ```
 */
export interface BackwardOptions {
  /** Record the backward pass itself so gradients can be differentiated again (default false). */
  createGraph?: boolean;
  /**
   * Keep the graph after this backward so that another backward can run through it (PyTorch's
   * `retain_graph`; default: the value of `createGraph`). Without it, each node of the graph
   * drops its backward function and the tensors that function saved once it has run, and a later
   * backward through that node throws a ChainruleError naming the op.
   */
  retainGraph?: boolean;
}

/**
 * The two ops the sweep itself applies to gradients: summing the contributions of fan-out and
 * casting to an input's dtype. The caller passes them in (they are ops, recorded when the sweep
 * builds a graph, and ops live above autograd).
 */
export interface GradOps {
  add(a: Tensor, b: Tensor): Tensor;
  cast(t: Tensor, dtype: Tensor['dtype']): Tensor;
}

/**
 * The reverse sweep shared by `Tensor.backward` and the functional API: propagates `seeds`
 * (dL/droot for each root) to every tensor that requires grad. Returns the gradients of the
 * reached leaves, retained tensors, `stopAt` tensors and `inputs` (an intermediate's gradient
 * is dropped once propagated, unless `keepAll`); leaves and retained tensors also accumulate into `.grad`
 * when `accumulate`. Unless `retainGraph`, each node is released once its backward has run.
 */
export function runBackward(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  opts: BackwardOptions & {
    accumulate: boolean;
    /** tensors whose gradient is wanted but whose own history is not walked (an op's inputs) */
    stopAt?: ReadonlySet<Tensor>;
    /**
     * the tensors whose gradients are wanted (PyTorch's `autograd.grad(inputs=)`): only the nodes
     * on a path to one of them run, and the returned map keeps their gradients
     */
    inputs?: readonly Tensor[];
    /** keep every reached tensor's gradient in the returned map (graph drawings show them all) */
    keepAll?: boolean;
    ops: GradOps;
  },
): Map<Tensor, Tensor> {
  const { add, cast } = opts.ops;
  const createGraph = opts.createGraph ?? false;
  const retainGraph = opts.retainGraph ?? createGraph;
  const { stopAt, keepAll } = opts;
  const wanted = opts.inputs ? new Set(opts.inputs) : null;
  const kept = (t: Tensor): boolean => !!keepAll || t.retainsGrad || !!stopAt?.has(t) || !!wanted?.has(t);
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = grads.get(t);
    grads.set(t, prev ? add(prev, g) : g);
  };
  // gradient buffers this sweep allocated and has not yet handed to any backward: safe to add into
  const owned = new Set<Tensor>();
  const scatterInto = (inp: Tensor, g: Tensor, into: (g: Tensor, buf: Tensor) => void): void => {
    let buf = grads.get(inp);
    if (!buf || !owned.has(buf)) {
      buf = buf ? new Tensor(buf.data.slice(), buf.shape) : zeros(inp.shape, { dtype: inp.dtype });
      owned.add(buf);
      grads.set(inp, buf);
    }
    into(g, buf);
  };
  const fastScatter = !createGraph && !isAnomalyEnabled();
  return withGradMode(createGraph, () => {
    roots.forEach((r, i) => {
      accumulate(r, seeds[i]);
    });
    const order = stopAt ? topoSort(roots, (t) => t.requiresGrad && !stopAt.has(t)) : topoSort(roots);
    const runs = wanted && nodesLeadingTo(order, wanted);
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g || !t.node) continue;
      owned.delete(g);
      if (!kept(t)) grads.delete(t);
      if (runs && !runs.has(t)) continue;
      const node = t.node;
      const into = node.accumulateInto;
      if (into && fastScatter && node.inputs.length === 1 && g.dtype === node.inputs[0].dtype) {
        if (!retainGraph) release(t, node);
        if (node.inputs[0].requiresGrad) scatterInto(node.inputs[0], g, into);
        continue;
      }
      const inGrads = attributeTo(node.op.name, () => node.backward(g));
      if (!retainGraph) release(t, node);
      checkAnomaly(node.op.name, 'backward', [g, ...node.inputs], inGrads);
      node.inputs.forEach((inp, i) => {
        const gi = inGrads[i];
        if (!gi || !inp.requiresGrad) return;
        if (!sameShape(gi.shape, inp.shape)) {
          throw new ChainruleError(
            `backward of ${node.op.name}: gradient shape ${fmtShape(gi.shape)} does not match input shape ${fmtShape(inp.shape)}`,
          );
        }
        accumulate(inp, gi.dtype === inp.dtype ? gi : cast(gi, inp.dtype));
      });
    }
    if (opts.accumulate) {
      // .grad must own its storage: optimizers and clipping update it in place, while backward
      // passes often hand one storage to several inputs (add passes g to both sides), and a custom
      // backward may even return a forward value. A gradient is copied only when its storage is
      // already taken: by a forward value, a seed, or a .grad set earlier in this sweep.
      const taken = new Set<unknown>(seeds.map((s) => s.data));
      if (!createGraph) for (const t of order) taken.add(t.data);
      for (const t of order) {
        const g = grads.get(t);
        if (!g || !(t.isLeaf || t.retainsGrad)) continue;
        if (createGraph) {
          t.grad = t.isLeaf && t.grad ? add(t.grad, g) : g;
          continue;
        }
        // the sum is a fresh tensor
        if (t.isLeaf && t.grad) {
          t.grad = add(t.grad, detached(g));
          continue;
        }
        const gg = taken.has(g.data) ? new Tensor(g.data.slice(), g.shape) : detached(g);
        taken.add(gg.data);
        t.grad = gg;
      }
    }
    return grads;
  });
}

/** The tensors of `order` (inputs first) whose node has an input from which a path leads to one of `targets`. */
function nodesLeadingTo(order: readonly Tensor[], targets: ReadonlySet<Tensor>): Set<Tensor> {
  const leads = new Set<Tensor>();
  const runs = new Set<Tensor>();
  for (const t of order) {
    if (t.node?.inputs.some((x) => leads.has(x))) {
      runs.add(t);
      leads.add(t);
    } else if (targets.has(t)) leads.add(t);
  }
  return runs;
}

/**
 * Drops what a node's backward holds (its closure, and so the tensors its forward saved), as
 * PyTorch frees a graph's saved variables after a backward without retain_graph. The node keeps
 * its op, inputs and attrs, so the graph can still be drawn and explained.
 */
function release(t: Tensor, node: Node): void {
  const op = node.op.name;
  const shape = fmtShape(t.shape);
  node.backward = () => {
    throw new ChainruleError(
      `backward of ${op} (output ${shape}): trying to backward through the graph a second time (or to use its saved tensors after they were freed); a backward frees the saved tensors of the graph it runs through. Pass { retainGraph: true } to the first backward (or grad/vjp) if you need to backward through the graph again.`,
    );
  };
  node.accumulateInto = undefined;
}

/** The same storage in a new tensor outside the graph (what detach() does, without the op layer). */
function detached(t: Tensor): Tensor {
  return new Tensor(t.data, t.shape, t.name);
}
