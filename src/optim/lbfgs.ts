import { enableGrad, noGrad } from '../autograd/mode.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { zeros } from '../tensor/creation.js';
import { type BaseOptions, type OptimizerStateDict, type OptionSpec, Optimizer, type ParamGroup, type ParamsInput, type ParamState, nonNegative } from './optimizer.js';
import { abs, add, assign, concat, dot, max, mul, neg, sub, sum, Tensor } from '../ops/index.js';

/**
 * Options of LBFGS (torch.optim.LBFGS; PyTorch's names are snake_case: `max_iter`, `max_eval`,
 * `tolerance_grad`, `tolerance_change`, `history_size`, `line_search_fn`).
 * @example
 * ```ts
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.LBFGS([w], { historySize: 5, lineSearchFn: 'strong_wolfe' });
 * opt.step(() => { opt.zeroGrad(); const l = w.sub(3).square().sum(); l.backward(); return l; });
 * w.sub(3).abs().max().item() < 1e-12 // true
 * ```
 */
export interface LBFGSOptions extends BaseOptions {
  /** the step length (default 1) */
  lr: number;
  /** iterations per step() (default 20) */
  maxIter: number;
  /** closure evaluations per step() (default ⌊maxIter·5/4⌋) */
  maxEval: number;
  /** stop when every gradient entry is at most this in magnitude (default 1e-7) */
  toleranceGrad: number;
  /** stop when the loss or the parameters change less than this (default 1e-9) */
  toleranceChange: number;
  /** how many past updates approximate the inverse Hessian (default 100) */
  historySize: number;
  /** 'strong_wolfe' for a line search satisfying the strong Wolfe conditions, null for fixed steps of lr (default) */
  lineSearchFn: 'strong_wolfe' | null;
}

const positiveInt = (what: string) => (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? null : `${what} must be a positive integer, got ${String(v)}`);

const SPECS: Record<string, OptionSpec> = {
  lr: { default: 1, check: nonNegative('lr') },
  maxIter: { default: 20, check: positiveInt('maxIter') },
  // filled from maxIter when not given
  maxEval: { default: null, check: (v) => (v === null ? null : positiveInt('maxEval')(v)) },
  toleranceGrad: { default: 1e-7, check: nonNegative('toleranceGrad') },
  toleranceChange: { default: 1e-9, check: nonNegative('toleranceChange') },
  historySize: { default: 100, check: positiveInt('historySize') },
  lineSearchFn: { default: null, check: (v) => (v === null || v === 'strong_wolfe' ? null : `lineSearchFn must be 'strong_wolfe' or null, got ${JSON.stringify(v)}`) },
};

/** The memory of L-BFGS between step() calls (PyTorch keeps it in the first parameter's state). */
interface Memory {
  funcEvals: number;
  nIter: number;
  d: Tensor | null;
  t: number;
  oldDirs: Tensor[];
  oldStps: Tensor[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Tensor | null;
  prevLoss: number;
}

const num = (t: Tensor): number => t.item();
const absMax = (t: Tensor): number => num(max(abs(t)));

/** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), kept in bounds (PyTorch's _cubic_interpolate). */
function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 ** 2 - g1 * g2;
  if (d2sq >= 0) {
    const d2 = Math.sqrt(d2sq);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

type Evaluate = (t: number) => [number, Tensor];

/** PyTorch's _strong_wolfe line search along d from loss f and gradient g (gtd = g·d). */
function strongWolfe(evaluate: Evaluate, t0: number, d: Tensor, f: number, g: Tensor, gtd: number, toleranceChange: number): [number, Tensor, number, number] {
  const c1 = 1e-4;
  const c2 = 0.9;
  const maxLs = 25;
  let t = t0;
  const dNorm = absMax(d);
  let [fNew, gNew] = evaluate(t);
  let evals = 1;
  let gtdNew = num(dot(gNew, d));
  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let iter = 0;
  let bracket: number[] = [];
  let bf: number[] = [];
  let bg: Tensor[] = [];
  let bgtd: number[] = [];
  while (iter < maxLs) {
    if (fNew > f + c1 * t * gtd || (iter > 1 && fNew >= fPrev)) {
      [bracket, bf, bg, bgtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      [bracket, bf, bg] = [[t], [fNew], [gNew]];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      [bracket, bf, bg, bgtd] = [[tPrev, t], [fPrev, fNew], [gPrev, gNew], [gtdPrev, gtdNew]];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew;
    gtdPrev = gtdNew;
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = num(dot(gNew, d));
    iter++;
  }
  if (iter === maxLs) [bracket, bf, bg] = [[0, t], [f, fNew], [g, gNew]];
  // zoom: shrink the bracket until a point satisfies the conditions
  let insufProgress = false;
  let [low, high] = bf[0] <= bf[bf.length - 1] ? [0, 1] : [1, 0];
  while (!done && iter < maxLs) {
    if (Math.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0], bf[0], bgtd[0], bracket[1], bf[1], bgtd[1]);
    const bMax = Math.max(...bracket);
    const bMin = Math.min(...bracket);
    const eps = 0.1 * (bMax - bMin);
    if (Math.min(bMax - t, t - bMin) < eps) {
      if (insufProgress || t >= bMax || t <= bMin) {
        t = Math.abs(t - bMax) < Math.abs(t - bMin) ? bMax - eps : bMin + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = evaluate(t);
    evals++;
    gtdNew = num(dot(gNew, d));
    iter++;
    if (fNew > f + c1 * t * gtd || fNew >= bf[low]) {
      [bracket[high], bf[high], bg[high], bgtd[high]] = [t, fNew, gNew, gtdNew];
      [low, high] = bf[0] <= bf[1] ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) done = true;
      else if (gtdNew * (bracket[high] - bracket[low]) >= 0) {
        [bracket[high], bf[high], bg[high], bgtd[high]] = [bracket[low], bf[low], bg[low], bgtd[low]];
      }
      [bracket[low], bf[low], bg[low], bgtd[low]] = [t, fNew, gNew, gtdNew];
    }
  }
  return [bf[low], bg[low], bracket[low], evals];
}

/**
 * L-BFGS, the limited-memory quasi-Newton method, the same algorithm as torch.optim.LBFGS (after
 * minFunc): each step(closure) runs up to maxIter iterations, each along the direction the last
 * historySize updates give, with steps of lr or a strong-Wolfe line search. The closure
 * recomputes the loss and its gradients (zeroGrad, forward, backward) and returns the loss; it is
 * required. One parameter group only, as in PyTorch.
 *
 * @example
 * const w = tensor([1, -2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.LBFGS([w], { lineSearchFn: 'strong_wolfe' });
 * const closure = () => { opt.zeroGrad(); const l = w.sub(3).square().sum(); l.backward(); return l; };
 * opt.step(closure);
 * w.sub(3).abs().max().item() < 1e-12 // true
 */
export class LBFGS extends Optimizer<LBFGSOptions> {
  private memory: Memory = LBFGS.fresh();

  constructor(params: ParamsInput<LBFGSOptions>, options: Partial<LBFGSOptions> = {}) {
    super(params, options, SPECS, 'LBFGS');
    if (this.paramGroups.length !== 1) throw new ChainruleError(`LBFGS: parameter groups are not supported (got ${this.paramGroups.length}; PyTorch's LBFGS takes one)`);
    const g = this.paramGroups[0];
    if (g.maxEval === null) g.maxEval = Math.floor((g.maxIter * 5) / 4);
  }

  private static fresh(): Memory {
    return { funcEvals: 0, nIter: 0, d: null, t: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1, prevFlatGrad: null, prevLoss: 0 };
  }

  protected updateGroup(): void {
    throw new ChainruleError('LBFGS.step: needs a closure that recomputes the loss (zeroGrad, forward, backward, return the loss)');
  }

  private get params(): Tensor[] {
    return this.paramGroups[0].params;
  }

  private flatGrad(): Tensor {
    return concat(
      this.params.map((p) => {
        if (p.grad && p.grad.size !== p.size) throw new ChainruleError(`LBFGS.step: gradient shape ${fmtShape(p.grad.shape)} does not match parameter shape ${fmtShape(p.shape)}`);
        return (p.grad ?? zeros(p.shape, { dtype: p.dtype })).reshape([p.size]);
      }),
      0,
    );
  }

  /** p ← p + step·update, the flat update cut into the parameters' shapes. */
  private addGrad(step: number, update: Tensor): void {
    let offset = 0;
    for (const p of this.params) {
      const part = update.slice(0, offset, offset + p.size).reshape(p.shape);
      assign(p, add(p, mul(part, step)));
      offset += p.size;
    }
  }

  /**
   * One L-BFGS step: calls the closure (with gradients enabled) as often as the iterations and
   * the line search need and returns the loss of its first call.
   * @example
   * const w = tensor([0.5], { dtype: 'float64', requiresGrad: true });
   * const opt = new optim.LBFGS([w]);
   * const loss = opt.step(() => { opt.zeroGrad(); const l = w.sub(2).square().sum(); l.backward(); return l; });
   * (loss as Tensor).item() // 2.25
   */
  override step(closure?: () => Tensor | number): Tensor | number {
    if (typeof closure !== 'function') throw new ChainruleError('LBFGS.step: needs a closure that recomputes the loss (zeroGrad, forward, backward, return the loss)');
    const evalClosure = (): number => {
      const l = enableGrad(closure);
      return l instanceof Tensor ? l.item() : l;
    };
    const result = noGrad(() => this.iterate(closure, evalClosure));
    this.stepCount++;
    return result;
  }

  private iterate(closure: () => Tensor | number, evalClosure: () => number): Tensor | number {
    const o = this.paramGroups[0] as ParamGroup<LBFGSOptions>;
    const { lr, maxIter, toleranceGrad, toleranceChange, historySize, lineSearchFn } = o;
    const maxEval = o.maxEval as number;
    const st = this.memory;
    const origLoss = enableGrad(closure);
    let loss = origLoss instanceof Tensor ? origLoss.item() : origLoss;
    let currentEvals = 1;
    st.funcEvals++;
    let flatGrad = this.flatGrad();
    if (absMax(flatGrad) <= toleranceGrad) return origLoss;
    let { d, t, hDiag, prevFlatGrad, prevLoss } = st;
    const { oldDirs, oldStps, ro } = st;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      st.nIter++;
      if (st.nIter === 1 || d === null) {
        d = neg(flatGrad);
        oldDirs.length = 0;
        oldStps.length = 0;
        ro.length = 0;
        hDiag = 1;
      } else {
        const y = sub(flatGrad, prevFlatGrad as Tensor);
        const s = mul(d, t);
        const ys = num(dot(y, s));
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / num(dot(y, y));
        }
        // the two-loop recursion: d = -H·g with H the approximate inverse Hessian
        const al: number[] = new Array(oldDirs.length);
        let q = neg(flatGrad);
        for (let i = oldDirs.length - 1; i >= 0; i--) {
          al[i] = num(dot(oldStps[i], q)) * ro[i];
          q = sub(q, mul(oldDirs[i], al[i]));
        }
        let r = mul(q, hDiag);
        for (let i = 0; i < oldDirs.length; i++) {
          const be = num(dot(oldDirs[i], r)) * ro[i];
          r = add(r, mul(oldStps[i], al[i] - be));
        }
        d = r;
      }
      prevFlatGrad = flatGrad;
      prevLoss = loss;
      t = st.nIter === 1 ? Math.min(1, 1 / num(sum(abs(flatGrad)))) * lr : lr;
      const gtd = num(dot(flatGrad, d));
      if (gtd > -toleranceChange) break;
      let lsEvals = 0;
      let optCond = false;
      if (lineSearchFn === 'strong_wolfe') {
        const x = this.params.map((p) => p.clone());
        const dir = d;
        const evaluate: Evaluate = (step) => {
          this.addGrad(step, dir);
          const f = evalClosure();
          const g = this.flatGrad();
          this.params.forEach((p, i) => {
            assign(p, x[i]);
          });
          return [f, g];
        };
        [loss, flatGrad, t, lsEvals] = strongWolfe(evaluate, t, d, loss, flatGrad, gtd, toleranceChange);
        this.addGrad(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          loss = evalClosure();
          flatGrad = this.flatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      st.funcEvals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      if (absMax(mul(d, t)) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }
    Object.assign(st, { d, t, hDiag, prevFlatGrad, prevLoss });
    return origLoss;
  }

  /**
   * PyTorch's layout: the whole memory is the state of parameter 0 (the direction, the last
   * gradient, and the history as [k, n] tensors of past gradient changes and steps).
   */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    const m = this.memory;
    const s: ParamState = { funcEvals: m.funcEvals, nIter: m.nIter, t: m.t, hDiag: m.hDiag, prevLoss: m.prevLoss };
    const copy = (x: Tensor) => new Tensor(x.data.slice(), x.shape);
    if (m.d) s.d = copy(m.d);
    if (m.prevFlatGrad) s.prevFlatGrad = copy(m.prevFlatGrad);
    if (m.oldDirs.length) {
      s.oldDirs = copy(stackRows(m.oldDirs));
      s.oldStps = copy(stackRows(m.oldStps));
      s.ro = new Tensor(Float64Array.from(m.ro), [m.ro.length]);
    }
    return { state: { 0: s }, paramGroups: sd.paramGroups };
  }

  override loadStateDict(sd: OptimizerStateDict): void {
    const where = 'LBFGS.loadStateDict';
    if (!sd || typeof sd !== 'object' || typeof sd.state !== 'object' || sd.state === null || !Array.isArray(sd.paramGroups)) {
      throw new ChainruleError(`${where}: expected an object with state and paramGroups`);
    }
    const n = this.params.reduce((a, p) => a + p.size, 0);
    const s = (sd.state[0] ?? {}) as ParamState;
    const m = LBFGS.fresh();
    const problems: string[] = [];
    const numberAt = (k: 'funcEvals' | 'nIter' | 't' | 'hDiag' | 'prevLoss') => {
      const v = s[k];
      if (v === undefined) return;
      if (typeof v !== 'number') problems.push(`state 0.${k} must be a number`);
      else m[k] = v;
    };
    for (const k of ['funcEvals', 'nIter', 't', 'hDiag', 'prevLoss'] as const) numberAt(k);
    const tensorAt = (k: string, shape: number[]): Tensor | null => {
      const v = s[k];
      if (v === undefined) return null;
      if (!(v instanceof Tensor) || v.size !== shape.reduce((a, b) => a * b, 1) || v.ndim !== shape.length) {
        problems.push(`state 0.${k} must be a tensor of shape ${fmtShape(shape)}, got ${v instanceof Tensor ? fmtShape(v.shape) : typeof v}`);
        return null;
      }
      const out = new Tensor(new (this.params[0].data.constructor as Float64ArrayConstructor)(v.size), shape);
      out.data.set(v.data);
      return out;
    };
    m.d = tensorAt('d', [n]);
    m.prevFlatGrad = tensorAt('prevFlatGrad', [n]);
    const ro = s.ro instanceof Tensor ? s.ro.size : 0;
    const dirs = tensorAt('oldDirs', [ro, n]);
    const stps = tensorAt('oldStps', [ro, n]);
    if (ro && dirs && stps) {
      for (let i = 0; i < ro; i++) {
        m.oldDirs.push(dirs.index(i).clone());
        m.oldStps.push(stps.index(i).clone());
      }
      m.ro = Array.from((s.ro as Tensor).data);
    }
    if (problems.length) throw new ChainruleError(`${where}: ${problems.join('; ')}`);
    super.loadStateDict({ state: {}, paramGroups: sd.paramGroups });
    this.memory = m;
  }
}

function stackRows(rows: Tensor[]): Tensor {
  return concat(
    rows.map((r) => r.reshape([1, r.size])),
    0,
  );
}
