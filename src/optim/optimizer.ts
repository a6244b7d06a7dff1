import { enableGrad, noGrad } from '../autograd/mode.js';
import { ChainruleError, fmtShape } from '../errors.js';
import { isFloat } from '../tensor/dtype.js';
import { Tensor } from '../ops/index.js';

/**
 * Per-parameter optimizer state: buffers (tensors shaped like the parameter) and counters.
 * @example
 * ```ts
 * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
 * w.mul(w).sum().backward();
 * opt.step();
 * Object.keys(opt.state.get(w) ?? {}) // ['momentumBuffer']
 * ```
 */
export type ParamState = Record<string, Tensor | number>;

/**
 * Common options of every optimizer; each optimizer adds its own.
 * @example new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 0.1 }).paramGroups[0].lr // 0.1
 */
export interface BaseOptions {
  /** the learning rate */
  lr: number;
  /** Set by a learning-rate scheduler: the lr the schedule started from. */
  initialLr?: number;
}

/** A group of parameters sharing options (PyTorch's param_groups entries), every option filled in. @example new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 0.1 }).paramGroups[0].momentum // 0 */
export type ParamGroup<O extends BaseOptions> = O & {
  /** the group's tensors, in order */
  params: Tensor[];
};

/**
 * What users pass for one group: the tensors plus any options overriding the defaults.
 * @example
 * ```ts
 * const w = zeros([2], { requiresGrad: true });
 * const b = zeros([1], { requiresGrad: true });
 * const opt = new optim.SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1 });
 * opt.paramGroups.map((g) => g.lr) // [0.1, 0.01]
 * ```
 */
export type ParamGroupInput<O> = Partial<O> & {
  /** the group's tensors (model.parameters(), an array, any iterable) */
  params: Iterable<Tensor>;
};

/** Tensors to optimize (model.parameters(), any iterable), or a list of groups with their own options. @example new optim.SGD(new nn.Linear(2, 1).parameters(), { lr: 0.1 }).paramGroups[0].params.length // 2 */
export type ParamsInput<O> = Iterable<Tensor> | readonly ParamGroupInput<O>[];

/**
 * A serialisable snapshot of an optimizer (PyTorch's layout: state per parameter index, then the groups).
 * @example
 * ```ts
 * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
 * const opt = new optim.Adam([w], { lr: 0.1 });
 * w.mul(w).sum().backward();
 * opt.step();
 * const sd: optim.OptimizerStateDict = opt.stateDict();
 * Object.keys(sd.state[0]) // ['step', 'expAvg', 'expAvgSq']
 * sd.paramGroups[0].params // [0]
 * ```
 */
export interface OptimizerStateDict {
  /** each parameter's state, by its index counting through the groups in order */
  state: Record<number, ParamState>;
  /** each group's options and the indices of its parameters */
  paramGroups: Record<string, unknown>[];
}

/** Describes one option: how to validate it and its default (undefined = required). */
export interface OptionSpec {
  /** the value used when the option is not given (undefined: the option is required) */
  default: unknown;
  /** null when the value is valid, else what is wrong with it (the optimizer throws it as a ChainruleError) */
  check: (v: unknown) => string | null;
}

export const nonNegative =
  (what: string) =>
  (v: unknown): string | null =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : `${what} must be a finite number >= 0, got ${String(v)}`;

export const inUnitInterval =
  (what: string, closedRight = false) =>
  (v: unknown): string | null =>
    typeof v === 'number' && v >= 0 && (closedRight ? v <= 1 : v < 1) ? null : `${what} must be in [0, 1${closedRight ? ']' : ')'}, got ${String(v)}`;

export const isBool =
  (what: string) =>
  (v: unknown): string | null =>
    typeof v === 'boolean' ? null : `${what} must be true or false, got ${String(v)}`;

/**
 * The base of every optimizer: parameter groups with validated options, per-parameter state,
 * zeroGrad, step (with an optional closure), and stateDict/loadStateDict. Subclasses implement
 * `updateGroup`, which runs under noGrad and mutates the parameters in place.
 * @example
 * ```ts
 * const model = new nn.Linear(2, 1);
 * const opt: optim.Optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
 * model.call(ones([1, 2])).sum().backward();
 * opt.step();
 * opt.zeroGrad();
 * [opt.stepCount, model.weight.grad] // [1, null]
 * ```
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** the groups of parameters with their options, every option filled in (PyTorch's param_groups) */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** State per parameter tensor (created lazily on its first update). */
  readonly state = new Map<Tensor, ParamState>();
  /** the options a group uses when it does not override them: the constructor's options over the optimizer's defaults */
  readonly defaults: O;
  /** Number of step() calls so far. */
  stepCount = 0;
  /** The optimizer's class name, used in messages. */
  readonly name: string;

  constructor(
    params: ParamsInput<O>,
    options: Partial<O>,
    private readonly specs: Record<string, OptionSpec>,
    name: string,
  ) {
    this.name = name;
    this.defaults = this.validate(options ?? {}, null, name, true) as O;
    if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new ChainruleError(`${name}: params must be an iterable of tensors or a list of parameter groups`);
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new ChainruleError(`${name}: optimizer got an empty parameter list`);
    const isGroups = list.every((g) => g !== null && typeof g === 'object' && !(g instanceof Tensor) && 'params' in g);
    const groups = isGroups ? (list as ParamGroupInput<O>[]) : [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>];
    for (const g of groups) this.addParamGroupNamed(g, name);
  }

  /**
   * Adds a group of parameters (for example layers unfrozen during fine-tuning).
   * @example
   * ```ts
   * const opt = new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 1 });
   * opt.addParamGroup({ params: [zeros([1], { requiresGrad: true })], lr: 0.1 });
   * opt.paramGroups.map((g) => g.lr) // [1, 0.1]
   * ```
   */
  addParamGroup(group: ParamGroupInput<O>): void {
    this.addParamGroupNamed(group, this.name);
  }

  private addParamGroupNamed(group: ParamGroupInput<O>, name: string): void {
    if (group === null || typeof group !== 'object' || !('params' in group)) {
      throw new ChainruleError(`${name}: a parameter group must be an object with a params field`);
    }
    const { params, ...opts } = group;
    const idx = this.paramGroups.length;
    const ps = params instanceof Tensor ? [params] : [...params];
    ps.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new ChainruleError(`${name}: parameter ${i} of group ${idx} is not a Tensor (got ${typeof p})`);
      if (!isFloat(p.dtype)) throw new ChainruleError(`${name}: parameter ${i} of group ${idx} is ${p.dtype}; only float tensors can be optimized`);
      if (!p.isLeaf) throw new ChainruleError(`${name}: parameter ${i} of group ${idx} is not a leaf tensor (it was computed by ${p.node?.op.name}); optimize leaves`);
    });
    if (new Set(ps).size !== ps.length) throw new ChainruleError(`${name}: group ${idx} lists the same parameter twice`);
    for (const g of this.paramGroups) {
      if (g.params.some((p) => ps.includes(p))) throw new ChainruleError(`${name}: some parameters appear in more than one parameter group`);
    }
    const merged = { ...this.defaults, ...this.validate(opts as unknown as Partial<O>, idx, name, false) } as O;
    this.checkRequired(merged, idx, name);
    this.checkGroup(merged, idx);
    this.paramGroups.push({ ...merged, params: ps });
    this.initGroupState(this.paramGroups[idx]);
  }

  private validate(opts: Partial<O>, group: number | null, name: string, fillDefaults: boolean): Partial<O> {
    const where = group === null ? name : `${name} (param group ${group})`;
    if (opts === null || typeof opts !== 'object') throw new ChainruleError(`${where}: options must be an object`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(opts)) {
      if (v === undefined) continue;
      if (k === 'initialLr') {
        out[k] = v;
        continue;
      }
      const spec = this.specs[k];
      if (!spec) throw new ChainruleError(`${where}: unknown option ${JSON.stringify(k)} (known: ${Object.keys(this.specs).join(', ')})`);
      const err = spec.check(v);
      if (err) throw new ChainruleError(`${where}: ${err}`);
      out[k] = Array.isArray(v) ? [...v] : v;
    }
    if (fillDefaults) {
      for (const [k, spec] of Object.entries(this.specs)) {
        if (!(k in out) && spec.default !== undefined) out[k] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
      }
    }
    return out as Partial<O>;
  }

  private checkRequired(o: O, group: number, name: string): void {
    for (const k of Object.keys(this.specs)) {
      if ((o as Record<string, unknown>)[k] === undefined) {
        throw new ChainruleError(`${name}: parameter group ${group} did not specify a value of the required option ${k}`);
      }
    }
  }

  /** Cross-option checks (e.g. nesterov needs momentum); throws a ChainruleError. */
  protected checkGroup(_o: O, _group: number): void {}

  /** Creates state that PyTorch creates at construction (Adagrad's sums); most optimizers do nothing. */
  protected initGroupState(_g: ParamGroup<O>): void {}

  /**
   * Sets every parameter's gradient to null (PyTorch's zero_grad(set_to_none=True)).
   * @example
   * ```ts
   * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
   * const opt = new optim.SGD([w], { lr: 0.1 });
   * w.sum().backward();
   * opt.zeroGrad();
   * w.grad // null
   * ```
   */
  zeroGrad(): void {
    for (const g of this.paramGroups) for (const p of g.params) p.grad = null;
  }

  /**
   * Updates every parameter that has a gradient, in place. With a closure, it is called first
   * (with gradients enabled) to recompute the loss, and its result is returned.
   * @example
   * ```ts
   * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
   * const opt = new optim.SGD([w], { lr: 0.1 });
   * const loss = opt.step(() => { opt.zeroGrad(); const l = w.mul(w).sum(); l.backward(); return l; }) as Tensor;
   * [loss.item(), w.toArray()] // [5, [0.8, 1.6]]
   * ```
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure) loss = enableGrad(closure);
    noGrad(() => {
      this.paramGroups.forEach((g, i) => {
        const withGrad = g.params.filter((p) => p.grad !== null);
        for (const p of withGrad) {
          const gr = p.grad as Tensor;
          if (gr.size !== p.size) {
            throw new ChainruleError(`${this.name}.step: gradient shape ${fmtShape(gr.shape)} does not match parameter shape ${fmtShape(p.shape)}`);
          }
        }
        if (withGrad.length) this.updateGroup(g, withGrad, i);
      });
    });
    this.stepCount++;
    return loss;
  }

  /** Applies one update to the parameters of a group that have gradients (runs under noGrad). */
  protected abstract updateGroup(group: ParamGroup<O>, params: Tensor[], groupIndex: number): void;

  /** The state of `p`, created empty on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /** Parameters in the order stateDict numbers them (groups in order, params in order). */
  private flatParams(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * A snapshot: `state` maps each parameter's index (counting through the groups in order) to
   * copies of its buffers and counters; `paramGroups` holds each group's options and the
   * indices of its parameters.
   * @example
   * ```ts
   * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
   * const opt = new optim.Adam([w], { lr: 0.1 });
   * w.mul(w).sum().backward();
   * opt.step();
   * const resumed = new optim.Adam([w]);
   * resumed.loadStateDict(opt.stateDict());
   * resumed.paramGroups[0].lr // 0.1
   * ```
   */
  stateDict(): OptimizerStateDict {
    const flat = this.flatParams();
    const state: Record<number, ParamState> = {};
    flat.forEach((p, i) => {
      const s = this.state.get(p);
      if (!s) return;
      const copy: ParamState = {};
      for (const [k, v] of Object.entries(s)) copy[k] = v instanceof Tensor ? new Tensor(v.data.slice(), v.shape) : v;
      state[i] = copy;
    });
    let start = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const { params, ...opts } = g;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(opts)) out[k] = Array.isArray(v) ? [...v] : v;
      out.params = params.map((_, j) => start + j);
      start += params.length;
      return out;
    });
    return { state, paramGroups };
  }

  /**
   * Restores a stateDict taken from an optimizer of the same kind over parameters of the same
   * shapes. Everything is checked before anything changes: on error the optimizer is untouched.
   * @example
   * ```ts
   * const w = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
   * const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
   * w.mul(w).sum().backward();
   * opt.step();
   * const copy = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
   * copy.loadStateDict(opt.stateDict());
   * Object.keys(copy.state.get(w) ?? {}) // ['momentumBuffer']
   * ```
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    const problems: string[] = [];
    if (!sd || typeof sd !== 'object' || !Array.isArray(sd.paramGroups) || typeof sd.state !== 'object' || sd.state === null) {
      throw new ChainruleError(`${where}: expected an object with state and paramGroups`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new ChainruleError(`${where}: the state dict has ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`);
    }
    const newOpts: Partial<O>[] = [];
    sd.paramGroups.forEach((sg, i) => {
      const params = sg.params;
      const n = this.paramGroups[i].params.length;
      if (!Array.isArray(params) || params.length !== n) {
        problems.push(`group ${i} has ${Array.isArray(params) ? params.length : 'no'} parameters in the state dict but ${n} here`);
        return;
      }
      const { params: _p, ...opts } = sg;
      try {
        const o = this.validate(opts as Partial<O>, i, this.name, false);
        const { params: _own, ...current } = this.paramGroups[i];
        this.checkGroup({ ...current, ...o } as unknown as O, i);
        newOpts.push(o);
      } catch (e) {
        problems.push((e as Error).message);
      }
    });
    // saved indices -> our parameters
    const flat = this.flatParams();
    const savedIdx = sd.paramGroups.flatMap((g) => (Array.isArray(g.params) ? (g.params as number[]) : []));
    const newState = new Map<Tensor, ParamState>();
    for (const [key, s] of Object.entries(sd.state)) {
      const pos = savedIdx.indexOf(Number(key));
      if (pos < 0 || pos >= flat.length) {
        problems.push(`state for parameter ${key}, which no parameter group lists`);
        continue;
      }
      const p = flat[pos];
      const ns: ParamState = {};
      for (const [k, v] of Object.entries(s)) {
        if (v instanceof Tensor) {
          if (v.size !== p.size || v.shape.length !== p.shape.length || v.shape.some((d, j) => d !== p.shape[j])) {
            problems.push(`state ${key}.${k} has shape ${fmtShape(v.shape)} but parameter ${key} has shape ${fmtShape(p.shape)}`);
            continue;
          }
          if (!isFloat(v.dtype)) {
            problems.push(`state ${key}.${k} is ${v.dtype}, expected a float tensor`);
            continue;
          }
          const copy = new Tensor(new (p.data.constructor as Float64ArrayConstructor)(v.size), p.shape);
          copy.data.set(v.data);
          ns[k] = copy;
        } else if (typeof v === 'number') {
          ns[k] = v;
        } else {
          problems.push(`state ${key}.${k} is ${typeof v}, expected a Tensor or a number`);
        }
      }
      newState.set(p, ns);
    }
    if (problems.length) throw new ChainruleError(`${where}: ${problems.join('; ')}`);
    this.paramGroups.forEach((g, i) => {
      Object.assign(g, newOpts[i]);
      const initialLr = sd.paramGroups[i].initialLr;
      if (typeof initialLr === 'number') g.initialLr = initialLr;
    });
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }

  /**
   * A summary of the optimizer: its class and each group's options, as PyTorch prints it.
   * @example String(new optim.SGD([zeros([2], { requiresGrad: true })], { lr: 0.1 })).split('\n')[0] // 'SGD ('
   */
  toString(): string {
    const lines = this.paramGroups.map((g, i) => {
      const { params, ...opts } = g;
      const o = Object.entries(opts)
        .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`)
        .join(', ');
      return `  group ${i} (${params.length} tensors, ${params.reduce((a, p) => a + p.size, 0)} values): ${o}`;
    });
    return `${this.name} (\n${lines.join('\n')}\n)`;
  }
}
