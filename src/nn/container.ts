import { ChainruleError } from '../errors.js';
import { DictContainer, type ItemKind, ListContainer } from './collections.js';
import { Module, type Slot } from './module.js';
import type { Tensor } from '../ops/index.js';

/**
 * A module that maps one tensor to one tensor: what Sequential chains.
 * @example const m: nn.TensorModule = new nn.ReLU(); new nn.Sequential(m).forward(tensor([-1, 1])).toArray() // [0, 1]
 */
export type TensorModule = Module & {
  /** maps the input tensor to the output tensor */
  forward(x: Tensor): Tensor;
};

/**
 * Chains modules: the output of each is the input of the next. Children are named 0, 1, 2, ...
 * so parameters are `0.weight`, `2.bias`, as in PyTorch.
 * @example
 * ```ts
 * const model = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU(), new nn.Linear(3, 1));
 * model.forward(randn([5, 2])).shape // [5, 1]
 * ```
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

  /** How many modules the chain holds. @example new nn.Sequential(new nn.ReLU(), new nn.Tanh()).length // 2 */
  get length(): number {
    return this._items.length;
  }

  /** The i-th module (negative counts from the end). @example new nn.Sequential(new nn.ReLU(), new nn.Tanh()).at(-1) instanceof nn.Tanh // true */
  at(i: number): TensorModule {
    const m = this._items[i < 0 ? i + this._items.length : i];
    if (!m) throw new ChainruleError(`Sequential: index ${i} is out of range for ${this._items.length} modules`);
    return m;
  }

  /** Adds a module at the end of the chain (named by its position); returns the Sequential. @example new nn.Sequential(new nn.ReLU()).append(new nn.Tanh()).length // 2 */
  append(m: TensorModule): this {
    if (!(m instanceof Module)) throw new ChainruleError('Sequential.append: expected a Module');
    this._items.push(m);
    return this;
  }

  /** Iterates over the modules in order (`for (const m of seq)`). @example [...new nn.Sequential(new nn.ReLU(), new nn.Tanh())].length // 2 */
  [Symbol.iterator](): Iterator<TensorModule> {
    return this._items[Symbol.iterator]();
  }

  /** Applies each module in turn to x. @example new nn.Sequential(new nn.ReLU()).forward(tensor([-1, 2])).toArray() // [0, 2] */
  forward(x: Tensor): Tensor {
    this.namedChildren(); // links the children to their names for error paths
    let h = x;
    for (const m of this._items) h = m.forward(h);
    return h;
  }
}

const isModule = (v: unknown): v is Module => v instanceof Module;
const MODULE_LIST: ItemKind<Module> = { container: 'ModuleList', item: 'Module', is: isModule, instead: 'iterate over it and call each module' };
const MODULE_DICT: ItemKind<Module> = { container: 'ModuleDict', item: 'Module', is: isModule, instead: 'look modules up by name and call them' };

/**
 * A list of modules whose parameters are registered (`layers.0.weight`); it has no forward of
 * its own. A plain array field of modules works the same way inside a Module.
 * @example const layers = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]); layers.length // 2
 */
export class ModuleList extends ListContainer<Module> {
  constructor(modules: readonly Module[] = []) {
    super(MODULE_LIST, modules);
  }
}

/**
 * Modules by name, in insertion order (`encoder.weight`, ...). No forward of its own.
 * @example const d = new nn.ModuleDict({ enc: new nn.Linear(4, 2) }); d.get('enc') instanceof nn.Linear // true
 */
export class ModuleDict extends DictContainer<Module> {
  constructor(modules: Record<string, Module> = {}) {
    super(MODULE_DICT, modules);
  }
}
