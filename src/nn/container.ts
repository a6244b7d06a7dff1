import { ChainruleError } from '../errors.js';
import { Module, type Slot } from './module.js';
import type { Tensor } from '../ops/index.js';

/** A module that maps one tensor to one tensor: what Sequential chains. */
export type TensorModule = Module & { forward(x: Tensor): Tensor };

/**
 * Chains modules: the output of each is the input of the next. Children are named 0, 1, 2, ...
 * so parameters are `0.weight`, `2.bias`, as in PyTorch.
 * @example
 * const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
 * model.forward(randn([5, 2])).shape // [5, 1]
 */
export class Sequential extends Module {
  private _items: TensorModule[];

  constructor(...modules: TensorModule[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ChainruleError(`Sequential: argument ${i} is not a Module`);
    });
    this._items = [...modules];
  }

  protected override slots(): Slot[] {
    return this._items.map((m, i) => ({ name: String(i), value: m, set: (v) => (this._items[i] = v as TensorModule) }));
  }

  get length(): number {
    return this._items.length;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): TensorModule {
    const m = this._items[i < 0 ? i + this._items.length : i];
    if (!m) throw new ChainruleError(`Sequential: index ${i} is out of range for ${this._items.length} modules`);
    return m;
  }

  append(m: TensorModule): this {
    if (!(m instanceof Module)) throw new ChainruleError('Sequential.append: expected a Module');
    this._items.push(m);
    return this;
  }

  [Symbol.iterator](): Iterator<TensorModule> {
    return this._items[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    this.namedChildren(); // links the children to their names for error paths
    let h = x;
    for (const m of this._items) h = m.forward(h);
    return h;
  }
}

/**
 * A list of modules whose parameters are registered (`layers.0.weight`); it has no forward of
 * its own. A plain array field of modules works the same way inside a Module.
 * @example const layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]); layers.length // 2
 */
export class ModuleList extends Module {
  private _items: Module[];

  constructor(modules: readonly Module[] = []) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new ChainruleError(`ModuleList: item ${i} is not a Module`);
    });
    this._items = [...modules];
  }

  protected override slots(): Slot[] {
    return this._items.map((m, i) => ({ name: String(i), value: m, set: (v) => (this._items[i] = v as Module) }));
  }

  get length(): number {
    return this._items.length;
  }

  at(i: number): Module {
    const m = this._items[i < 0 ? i + this._items.length : i];
    if (!m) throw new ChainruleError(`ModuleList: index ${i} is out of range for ${this._items.length} modules`);
    return m;
  }

  append(m: Module): this {
    if (!(m instanceof Module)) throw new ChainruleError('ModuleList.append: expected a Module');
    this._items.push(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._items[Symbol.iterator]();
  }

  forward(): never {
    throw new ChainruleError('ModuleList has no forward: iterate over it and call each module');
  }
}

/**
 * Modules by name, in insertion order (`encoder.weight`, ...). No forward of its own.
 * @example const d = new nn.ModuleDict({ enc: new nn.Linear(4, 2) }); d.get('enc') instanceof nn.Linear // true
 */
export class ModuleDict extends Module {
  private _items = new Map<string, Module>();

  constructor(modules: Record<string, Module> = {}) {
    super();
    for (const [k, m] of Object.entries(modules)) this.set(k, m);
  }

  protected override slots(): Slot[] {
    return [...this._items].map(([k, m]) => ({ name: k, value: m, set: (v) => this._items.set(k, v as Module) }));
  }

  set(key: string, m: Module): this {
    if (!(m instanceof Module)) throw new ChainruleError(`ModuleDict: value for "${key}" is not a Module`);
    if (key.includes('.') || key === '') throw new ChainruleError(`ModuleDict: key "${key}" must be non-empty and contain no "."`);
    this._items.set(key, m);
    return this;
  }

  get(key: string): Module {
    const m = this._items.get(key);
    if (!m) throw new ChainruleError(`ModuleDict: no module named "${key}" (have ${[...this._items.keys()].join(', ') || 'none'})`);
    return m;
  }

  has(key: string): boolean {
    return this._items.has(key);
  }

  keys(): string[] {
    return [...this._items.keys()];
  }

  get size(): number {
    return this._items.size;
  }

  forward(): never {
    throw new ChainruleError('ModuleDict has no forward: look modules up by name and call them');
  }
}
