import { DictContainer, type ItemKind, ListContainer } from './collections.js';
import { Parameter } from './parameter.js';

const isParameter = (v: unknown): v is Parameter => v instanceof Parameter;
const PARAMETER_LIST: ItemKind<Parameter> = { container: 'ParameterList', item: 'Parameter', is: isParameter, instead: 'use its parameters in a module of your own' };
const PARAMETER_DICT: ItemKind<Parameter> = { container: 'ParameterDict', item: 'Parameter', is: isParameter, instead: 'look parameters up by name' };

/**
 * A list of parameters registered under their positions (`0`, `1`, ...), as torch.nn.ParameterList;
 * it has no forward of its own.
 * @example const ps = new nn.ParameterList([new nn.Parameter(zeros([2])), new nn.Parameter(ones([3]))]); ps.length // 2
 */
export class ParameterList extends ListContainer<Parameter> {
  constructor(params: readonly Parameter[] = []) {
    super(PARAMETER_LIST, params);
  }
}

/**
 * Parameters by name, in insertion order, as torch.nn.ParameterDict; no forward of its own.
 * @example const d = new nn.ParameterDict({ scale: new nn.Parameter(ones([1])) }); d.get('scale').shape // [1]
 */
export class ParameterDict extends DictContainer<Parameter> {
  constructor(params: Record<string, Parameter> = {}) {
    super(PARAMETER_DICT, params);
  }
}
