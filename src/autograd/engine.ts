import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { sameShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
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
 * Options of backward() and Tensor.backward() (PyTorch's `create_graph=`).
 * @example
 * ```ts
 * const x = tensor([3], { dtype: 'float64', requiresGrad: true });
 * const opts: BackwardOptions = { createGraph: true };
 * x.pow(3).sum().backward(undefined, opts);
 * x.grad.requiresGrad // true
 * ```
 */
export interface BackwardOptions {
  /** Record the backward pass itself so gradients can be differentiated again. */
  createGraph?: boolean;
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
 * (dL/droot for each root) to every tensor that requires grad. Returns the gradient of each
 * reached tensor; leaves and retained tensors also accumulate into `.grad` when `accumulate`.
 */
export function runBackward(
  roots: readonly Tensor[],
  seeds: readonly Tensor[],
  opts: BackwardOptions & {
    accumulate: boolean;
    /** tensors whose gradient is wanted but whose own history is not walked (an op's inputs) */
    stopAt?: ReadonlySet<Tensor>;
    ops: GradOps;
  },
): Map<Tensor, Tensor> {
  const { add, cast } = opts.ops;
  const createGraph = opts.createGraph ?? false;
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
    const stop = opts.stopAt;
    const order = stop ? topoSort(roots, (t) => t.requiresGrad && !stop.has(t)) : topoSort(roots);
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (!g || !t.node) continue;
      owned.delete(g);
      const node = t.node;
      const into = node.accumulateInto;
      if (into && fastScatter && node.inputs.length === 1 && g.dtype === node.inputs[0].dtype) {
        if (node.inputs[0].requiresGrad) scatterInto(node.inputs[0], g, into);
        continue;
      }
      const inGrads = attributeTo(node.op.name, () => node.backward(g));
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

/** The same storage in a new tensor outside the graph (what detach() does, without the op layer). */
function detached(t: Tensor): Tensor {
  return new Tensor(t.data, t.shape, t.name);
}
