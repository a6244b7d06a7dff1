import { noGrad } from '../autograd/mode.js';
import { ChainruleError } from '../errors.js';
import { type DType, assertDType, isFloat } from '../tensor/dtype.js';
import { sameShape } from '../tensor/shape.js';
import { Parameter } from './parameter.js';
import { Tensor } from '../ops/index.js';

/** Where a module sits in its parent: set whenever a parent walks its children. */
const links = new WeakMap<Module, { parent: Module; name: string }>();

/**
 * A plain object of dotted names to tensors, as PyTorch's state_dict.
 * @example const sd: nn.StateDict = new nn.Linear(2, 1).stateDict(); sd.weight.shape // [1, 2]
 */
export type StateDict = Record<string, Tensor>;

/**
 * Options of Module.loadStateDict.
 * @example const r = new nn.Linear(2, 1).loadStateDict({}, { strict: false }); r.missingKeys // ['weight', 'bias']
 */
export interface LoadStateDictOptions {
  /** require exactly the module's keys (default true); false ignores missing and unexpected keys */
  strict?: boolean;
}

/**
 * What Module.loadStateDict found: the module's keys absent from the state dict, and the state
 * dict's keys the module does not have (both empty after a strict load, which throws otherwise).
 * @example new nn.Linear(2, 1).loadStateDict({ extra: zeros([1]) }, { strict: false }).unexpectedKeys // ['extra']
 */
export interface LoadStateDictResult {
  /** the module's parameter and buffer names the state dict lacks */
  missingKeys: string[];
  /** the state dict's names the module has no slot for */
  unexpectedKeys: string[];
}

/** Formats a shape for module messages the way PyTorch users read it: [32, 50]. */
export function showShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * A module was given input it cannot take. The message names the module's path from the root
 * (`model.2`), what the module is (`Linear 64->10`), and both shapes.
 * @example
 * ```ts
 * let err: unknown;
 * try { new nn.Linear(4, 2).call(zeros([3, 5])); } catch (e) { err = e; }
 * err instanceof nn.ModuleInputError // true
 * ```
 */
export class ModuleInputError extends ChainruleError {
  constructor(
    /** the module's dotted path from the root of the model, e.g. `model.2` */
    readonly path: string,
    /** what was wrong: the module, the expected and the actual shapes */
    readonly detail: string,
  ) {
    super(`${path} ${detail}`);
    this.name = 'ModuleInputError';
  }
}

/**
 * One slot that holds a parameter, buffer or child: its name and how to replace what is there
 * (what `Module.slots()` returns; a subclass overrides `slots` to expose fields it keeps elsewhere).
 * @example
 * ```ts
 * class Probe extends nn.Module { fc = new nn.Linear(2, 3); names() { return this.slots().map((s) => s.name); } }
 * new Probe().names() // ['fc']
 * ```
 */
export interface Slot {
  /** the field name, the key used in `stateDict` paths */
  name: string;
  /** what the slot holds: a Parameter, a buffer Tensor, a Module or an array of them */
  value: unknown;
  /** replaces what the slot holds (used by `to` to swap in converted tensors) */
  set: (v: unknown) => void;
}

/**
 * Base class of every layer and model. Sub-modules and Parameters are found by walking the
 * instance's own fields (arrays of modules count as indexed children; fields whose names start
 * with `_` are private and skipped), so a model is written as plain fields plus a `forward`:
 *
 * @example
 * ```ts
 * class Net extends nn.Module {
 *   fc1 = new nn.Linear(2, 8);
 *   fc2 = new nn.Linear(8, 1);
 *   forward(x: Tensor): Tensor { return this.fc2.call(this.fc1.call(x).relu()); }
 * }
 * const net = new Net();
 * net.namedParameters().map(([n]) => n) // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * ```
 */
export abstract class Module {
  /** True in training mode (dropout active, batch norm uses batch statistics); set by train() and eval(). @example new nn.Dropout(0.5).eval().training // false */
  training = true;
  /** Names of tensor fields that are state but not trained (running statistics). */
  private readonly _buffers = new Set<string>();

  /**
   * The module's computation, written by each layer; call it through `call` (or directly) with
   * the layer's inputs.
   * @example new nn.Linear(3, 2).forward(ones([4, 3])).shape // [4, 2]
   */
  abstract forward(...args: never[]): unknown;

  /**
   * Runs forward, first linking the sub-modules to their names so that an input error anywhere
   * inside names its path (`model.2 (Linear 64->10) expected [*, 64], got [32, 50]`).
   * @example const y = new nn.Linear(3, 2).call(randn([4, 3])); y.shape // [4, 2]
   */
  call<M extends Module>(this: M, ...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    if (!links.has(this)) this.namedModules();
    return (this.forward as (...a: unknown[]) => ReturnType<M['forward']>)(...args);
  }

  /** A short description used in error paths. @example new nn.Linear(64, 10).describe() // 'Linear 64->10' */
  describe(): string {
    return this.constructor.name;
  }

  /** The text inside the parentheses of the summary line. @example new nn.Linear(2, 3).extraRepr() // 'inFeatures=2, outFeatures=3, bias=true' */
  extraRepr(): string {
    return '';
  }

  /** Registers a tensor field as a buffer: saved in the state dict, converted by to(), never trained. */
  protected registerBuffer(name: string, t: Tensor): void {
    this._buffers.add(name);
    (this as unknown as Record<string, unknown>)[name] = t;
  }

  /**
   * The dotted path of this module from the root that last walked it.
   * @example
   * ```ts
   * const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
   * model.namedModules(); // walks the children, linking them to their names
   * model.at(2).path() // 'model.2'
   * ```
   */
  path(): string {
    const parts: string[] = [];
    let m: Module = this;
    let link = links.get(m);
    while (link) {
      parts.unshift(link.name);
      m = link.parent;
      link = links.get(m);
    }
    return ['model', ...parts].join('.');
  }

  /** Throws a ModuleInputError that names this module's path and description. */
  protected inputError(detail: string): never {
    throw new ModuleInputError(`${this.path()} (${this.describe()})`, detail);
  }

  /**
   * The slots of this module, in declaration order: own fields, with arrays of modules or
   * parameters as indexed entries. Containers override this to name their items 0, 1, ...
   */
  protected slots(): Slot[] {
    const out: Slot[] = [];
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(self)) {
      if (key.startsWith('_') || key === 'training') continue;
      const v = self[key];
      if (Array.isArray(v)) {
        v.forEach((item, i) => {
          if (item instanceof Module || item instanceof Parameter) {
            out.push({ name: `${key}.${i}`, value: item, set: (nv) => (v[i] = nv) });
          }
        });
      } else if (v instanceof Module || v instanceof Tensor) {
        out.push({ name: key, value: v, set: (nv) => (self[key] = nv) });
      }
    }
    return out;
  }

  private isBuffer(slot: Slot): boolean {
    return slot.value instanceof Tensor && !(slot.value instanceof Parameter) && this._buffers.has(slot.name);
  }

  /** Direct sub-modules with their names. @example new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()).namedChildren().map(([n]) => n) // ['0', '1'] */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const s of this.slots()) {
      if (s.value instanceof Module) {
        links.set(s.value, { parent: this, name: s.name });
        out.push([s.name, s.value]);
      }
    }
    return out;
  }

  /** Direct sub-modules. @example new nn.Sequential(new nn.Linear(2, 2)).children().length // 1 */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every descendant, each once, with dotted names ('' for this one).
   * @example new nn.Sequential(new nn.Linear(2, 2)).namedModules().map(([n]) => n) // ['', '0']
   */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [n, c] of m.namedChildren()) walk(c, name ? `${name}.${n}` : n);
    };
    walk(this, prefix);
    return out;
  }

  /** This module and every descendant. @example new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU()).modules().filter((m) => m instanceof nn.Linear).length // 1 */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  private namedTensors(kind: 'param' | 'buffer'): [string, Tensor, Slot][] {
    const out: [string, Tensor, Slot][] = [];
    const seen = new Set<Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const s of m.slots()) {
        const isParam = s.value instanceof Parameter;
        if (!(kind === 'param' ? isParam : m.isBuffer(s))) continue;
        const t = s.value as Tensor;
        if (seen.has(t)) continue;
        seen.add(t);
        out.push([prefix ? `${prefix}.${s.name}` : s.name, t, s]);
      }
    }
    return out;
  }

  /** Every Parameter with its dotted name (`layers.0.weight`), shared ones once. @example new nn.Linear(2, 1).namedParameters().map(([n]) => n) // ['weight', 'bias'] */
  namedParameters(): [string, Parameter][] {
    return this.namedTensors('param').map(([n, t]) => [n, t as Parameter]);
  }

  /** Every Parameter, for an optimizer: `new optim.SGD(model.parameters(), {lr: 0.1})`. @example new nn.Linear(2, 1).parameters().map((p) => p.shape) // [[1, 2], [1]] */
  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Buffers (running statistics and other non-trained state) with their dotted names. @example new nn.BatchNorm1d(3).namedBuffers().map(([n]) => n) // ['running_mean', 'running_var', 'num_batches_tracked'] */
  namedBuffers(): [string, Tensor][] {
    return this.namedTensors('buffer').map(([n, t]) => [n, t]);
  }

  /** The buffers without names. @example new nn.BatchNorm1d(3).buffers().length // 3 */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, t]) => t);
  }

  /** Sets training mode on this module and all descendants (false: evaluation mode). Returns this. @example new nn.Dropout(0.5).train().training // true */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, batch norm uses running statistics. Returns this. @example new nn.Dropout(0.5).eval().forward(ones([2])).toArray() // [1, 1] */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears the gradients of all parameters (to null, as PyTorch's set_to_none).
   * @example
   * ```ts
   * const fc = new nn.Linear(2, 1);
   * fc.call(ones([1, 2])).sum().backward();
   * fc.zeroGrad();
   * fc.weight.grad // null
   * ```
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Calls fn on every descendant and then on this module (children first, as PyTorch). Returns this.
   * @example
   * ```ts
   * const last = new nn.Linear(3, 1);
   * const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), last);
   * model.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros(m.weight); });
   * last.weight.abs().sum().item() // 0
   * ```
   */
  apply(fn: (m: Module) => void): this {
    const mods = this.modules();
    for (let i = mods.length - 1; i >= 0; i--) fn(mods[i]);
    return this;
  }

  /**
   * Parameters and buffers by dotted name. The tensors share storage with the module (detached),
   * as in PyTorch: clone them to keep a snapshot.
   * @example Object.keys(new nn.Linear(2, 1).stateDict()) // ['weight', 'bias']
   */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [n, t] of this.namedTensors('param')) sd[n] = t.detach();
    for (const [n, t] of this.namedTensors('buffer')) sd[n] = t.detach();
    return sd;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers. Every key, shape
   * and dtype is checked first and all problems are reported together; on any problem nothing
   * is changed.
   * @example
   * ```ts
   * const a = new nn.Linear(2, 1);
   * const b = new nn.Linear(2, 1);
   * b.loadStateDict(a.stateDict());
   * b.weight.sub(a.weight).abs().max().item() // 0
   * ```
   */
  loadStateDict(sd: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    if (sd === null || typeof sd !== 'object') throw new ChainruleError('loadStateDict: expected a plain object of name to Tensor');
    const own = [...this.namedTensors('param'), ...this.namedTensors('buffer')];
    const ownNames = new Set(own.map(([n]) => n));
    const problems: string[] = [];
    const missingKeys = own.map(([n]) => n).filter((n) => !(n in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !ownNames.has(k));
    if (strict) {
      for (const k of missingKeys) problems.push(`missing key "${k}"`);
      for (const k of unexpectedKeys) problems.push(`unexpected key "${k}"`);
    }
    for (const [n, t] of own) {
      if (!(n in sd)) continue;
      const src = sd[n];
      if (!(src instanceof Tensor)) {
        problems.push(`"${n}" is not a Tensor`);
        continue;
      }
      if (!sameShape(src.shape, t.shape)) problems.push(`"${n}" has shape ${showShape(src.shape)}, the module expects ${showShape(t.shape)}`);
      if (src.dtype !== t.dtype) problems.push(`"${n}" has dtype ${src.dtype}, the module expects ${t.dtype}`);
    }
    if (problems.length) {
      throw new ChainruleError(`loadStateDict: ${problems.length} problem(s), nothing was loaded:\n  ${problems.join('\n  ')}`);
    }
    noGrad(() => {
      for (const [n, t] of own) if (n in sd && sd[n].data !== t.data) t.data.set(sd[n].data);
    });
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Converts every float parameter and buffer to `dtype` (new Parameter objects: create
   * optimizers after calling this). Returns this.
   * @example new nn.Linear(2, 1).to('float64').weight.dtype // 'float64'
   */
  to(dtype: DType): this {
    assertDType(dtype, 'Module.to');
    if (!isFloat(dtype)) throw new ChainruleError(`Module.to: modules hold float parameters; cannot convert to ${dtype}`);
    for (const m of this.modules()) {
      for (const s of m.slots()) {
        const t = s.value;
        if (!(t instanceof Tensor) || !isFloat(t.dtype) || t.dtype === dtype) continue;
        if (t instanceof Parameter) {
          const p = new Parameter(noGrad(() => t.to(dtype)), t.requiresGrad);
          if (t.grad) p.grad = t.grad.detach().to(dtype);
          s.set(p);
        } else if (m.isBuffer(s)) {
          s.set(noGrad(() => t.to(dtype)));
        }
      }
    }
    return this;
  }

  /** to('float64'). @example new nn.Linear(2, 1).double().weight.dtype // 'float64' */
  double(): this {
    return this.to('float64');
  }

  /** to('float32'). @example new nn.Linear(2, 1).double().float().weight.dtype // 'float32' */
  float(): this {
    return this.to('float32');
  }

  /**
   * Turns gradients on or off for every parameter (freezing a part of a model). Returns this.
   * @example
   * ```ts
   * const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
   * model.at(0).requiresGrad_(false); // the first layer stays fixed while training
   * model.numParameters(true) // 4
   * ```
   */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Number of parameter elements (all descendants, shared parameters once). @example new nn.Linear(64, 10).numParameters() // 650 */
  numParameters(trainableOnly = false): number {
    return this.parameters()
      .filter((p) => !trainableOnly || p.requiresGrad)
      .reduce((acc, p) => acc + p.size, 0);
  }

  /**
   * A readable summary: one line per layer with its own parameter count, then the total.
   * @example
   * ```ts
   * const s = String(new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1)));
   * s.split('\n')[1] // '  (0): Linear(inFeatures=2, outFeatures=3, bias=true)  # 9 parameters'
   * s.split('\n').at(-1) // 'Total parameters: 13 (13 trainable)'
   * ```
   */
  toString(): string {
    const lines = this.summaryLines('', '');
    const total = this.numParameters();
    const trainable = this.numParameters(true);
    lines.push(`Total parameters: ${total} (${trainable} trainable)`);
    return lines.join('\n');
  }

  private summaryLines(indent: string, label: string): string[] {
    const head = `${indent}${label}${this.constructor.name}(${this.extraRepr()})`;
    const own = this.slots()
      .filter((s) => s.value instanceof Parameter)
      .reduce((acc, s) => acc + (s.value as Parameter).size, 0);
    const kids = this.namedChildren();
    if (kids.length === 0) return [own ? `${head}  # ${own} parameters` : head];
    const total = this.numParameters();
    const out = [`${indent}${label}${this.constructor.name}(${this.extraRepr() ? `${this.extraRepr()}, ` : ''}  # ${total} parameters`];
    for (const [n, c] of kids) out.push(...c.summaryLines(`${indent}  `, `(${n}): `));
    out.push(`${indent})`);
    return out;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
