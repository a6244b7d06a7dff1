import { ChainruleError } from '../errors.js';
import { Module, type Slot } from './module.js';

/** What a list or dict container holds: its class name, what its items are called, and the check. */
export interface ItemKind<T> {
  /** the container's class name, for messages: 'ModuleList' */
  container: string;
  /** the item, for messages: 'Module', 'Parameter' */
  item: string;
  /** whether a value may be an item (a Module, a Parameter) */
  is(v: unknown): v is T;
  /** what to do instead of calling forward */
  instead: string;
}

/**
 * The shared body of ModuleList and ParameterList: items registered under their positions (`0`,
 * `1`, ...), checked as they come in; no forward of its own.
 * @example new nn.ModuleList([new nn.ReLU()]).at(-1) instanceof nn.ReLU // true
 */
export abstract class ListContainer<T extends object> extends Module {
  private readonly _kind: ItemKind<T>;
  private _items: T[];

  protected constructor(kind: ItemKind<T>, items: readonly T[]) {
    super();
    items.forEach((v, i) => {
      if (!kind.is(v)) throw new ChainruleError(`${kind.container}: item ${i} is not a ${kind.item}`);
    });
    this._kind = kind;
    this._items = [...items];
  }

  protected override slots(): Slot[] {
    return this._items.map((v, i) => ({ name: String(i), value: v as Slot['value'], set: (x) => (this._items[i] = x as T) }));
  }

  /** How many items the list holds. @example new nn.ParameterList([]).length // 0 */
  get length(): number {
    return this._items.length;
  }

  /** The i-th item (negative counts from the end). @example new nn.ModuleList([new nn.ReLU(), new nn.Tanh()]).at(-1) instanceof nn.Tanh // true */
  at(i: number): T {
    const v = this._items[i < 0 ? i + this._items.length : i];
    if (!v) throw new ChainruleError(`${this._kind.container}: index ${i} is out of range for ${this._items.length} ${this._kind.item.toLowerCase()}s`);
    return v;
  }

  /** Adds an item at the end. @example new nn.ModuleList().append(new nn.ReLU()).length // 1 */
  append(v: T): this {
    if (!this._kind.is(v)) throw new ChainruleError(`${this._kind.container}.append: expected a ${this._kind.item}`);
    this._items.push(v);
    return this;
  }

  /** Iterates over the items in order (`for (const layer of layers)`). @example [...new nn.ModuleList([new nn.ReLU(), new nn.Tanh()])].length // 2 */
  [Symbol.iterator](): Iterator<T> {
    return this._items[Symbol.iterator]();
  }

  /** A container has no forward of its own: calling it throws a ChainruleError saying what to do instead (as PyTorch's containers). */
  forward(): never {
    throw new ChainruleError(`${this._kind.container} has no forward: ${this._kind.instead}`);
  }
}

/**
 * The shared body of ModuleDict and ParameterDict: items by name, in insertion order; no forward
 * of its own. A name is non-empty and has no '.' (it becomes part of a parameter's path).
 * @example new nn.ModuleDict({ act: new nn.ReLU() }).keys() // ['act']
 */
export abstract class DictContainer<T extends object> extends Module {
  private readonly _kind: ItemKind<T>;
  private _items = new Map<string, T>();

  protected constructor(kind: ItemKind<T>, items: Record<string, T>) {
    super();
    this._kind = kind;
    for (const [k, v] of Object.entries(items)) this.set(k, v);
  }

  protected override slots(): Slot[] {
    return [...this._items].map(([k, v]) => ({ name: k, value: v as Slot['value'], set: (x) => this._items.set(k, x as T) }));
  }

  /** Adds or replaces the item named key. @example new nn.ModuleDict().set('act', new nn.ReLU()).size // 1 */
  set(key: string, v: T): this {
    const { container, item } = this._kind;
    if (!this._kind.is(v)) throw new ChainruleError(`${container}: value for "${key}" is not a ${item}`);
    if (key.includes('.') || key === '') throw new ChainruleError(`${container}: key "${key}" must be non-empty and contain no "."`);
    this._items.set(key, v);
    return this;
  }

  /** The item named key (an error naming the keys there are when it is missing). @example new nn.ModuleDict({ act: new nn.ReLU() }).get('act') instanceof nn.ReLU // true */
  get(key: string): T {
    const v = this._items.get(key);
    if (!v) throw new ChainruleError(`${this._kind.container}: no ${this._kind.item.toLowerCase()} named "${key}" (have ${[...this._items.keys()].join(', ') || 'none'})`);
    return v;
  }

  /** Whether an item is named key. @example new nn.ModuleDict({ act: new nn.ReLU() }).has('act') // true */
  has(key: string): boolean {
    return this._items.has(key);
  }

  /** The names, in insertion order. @example new nn.ParameterDict({ a: new nn.Parameter(ones([1])) }).keys() // ['a'] */
  keys(): string[] {
    return [...this._items.keys()];
  }

  /** How many items. @example new nn.ParameterDict().size // 0 */
  get size(): number {
    return this._items.size;
  }

  /** A container has no forward of its own: calling it throws a ChainruleError saying what to do instead (as PyTorch's containers). */
  forward(): never {
    throw new ChainruleError(`${this._kind.container} has no forward: ${this._kind.instead}`);
  }
}
