import { ChainruleError } from '../errors.js';
import { Module, type Slot } from './module.js';
import { Parameter } from './parameter.js';

/**
 * A list of parameters registered under their positions (`0`, `1`, ...), as torch.nn.ParameterList;
 * it has no forward of its own.
 * @example const ps = new nn.ParameterList([new nn.Parameter(zeros([2])), new nn.Parameter(ones([3]))]); ps.length // 2
 */
export class ParameterList extends Module {
  private _items: Parameter[];

  constructor(params: readonly Parameter[] = []) {
    super();
    params.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw new ChainruleError(`ParameterList: item ${i} is not a Parameter`);
    });
    this._items = [...params];
  }

  protected override slots(): Slot[] {
    return this._items.map((p, i) => ({ name: String(i), value: p, set: (v) => (this._items[i] = v as Parameter) }));
  }

  get length(): number {
    return this._items.length;
  }

  /** The i-th parameter (negative counts from the end). */
  at(i: number): Parameter {
    const p = this._items[i < 0 ? i + this._items.length : i];
    if (!p) throw new ChainruleError(`ParameterList: index ${i} is out of range for ${this._items.length} parameters`);
    return p;
  }

  append(p: Parameter): this {
    if (!(p instanceof Parameter)) throw new ChainruleError('ParameterList.append: expected a Parameter');
    this._items.push(p);
    return this;
  }

  [Symbol.iterator](): Iterator<Parameter> {
    return this._items[Symbol.iterator]();
  }

  forward(): never {
    throw new ChainruleError('ParameterList has no forward: use its parameters in a module of your own');
  }
}

/**
 * Parameters by name, in insertion order, as torch.nn.ParameterDict; no forward of its own.
 * @example const d = new nn.ParameterDict({ scale: new nn.Parameter(ones([1])) }); d.get('scale').shape // [1]
 */
export class ParameterDict extends Module {
  private _items = new Map<string, Parameter>();

  constructor(params: Record<string, Parameter> = {}) {
    super();
    for (const [k, p] of Object.entries(params)) this.set(k, p);
  }

  protected override slots(): Slot[] {
    return [...this._items].map(([k, p]) => ({ name: k, value: p, set: (v) => this._items.set(k, v as Parameter) }));
  }

  set(key: string, p: Parameter): this {
    if (!(p instanceof Parameter)) throw new ChainruleError(`ParameterDict: value for "${key}" is not a Parameter`);
    if (key.includes('.') || key === '') throw new ChainruleError(`ParameterDict: key "${key}" must be non-empty and contain no "."`);
    this._items.set(key, p);
    return this;
  }

  get(key: string): Parameter {
    const p = this._items.get(key);
    if (!p) throw new ChainruleError(`ParameterDict: no parameter named "${key}" (have ${[...this._items.keys()].join(', ') || 'none'})`);
    return p;
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
    throw new ChainruleError('ParameterDict has no forward: look parameters up by name');
  }
}
