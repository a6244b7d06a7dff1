import { Tensor, cellStep, matmulT } from '../../ops/index.js';
/** One time step of the recurrent cells, with PyTorch's gate layouts. */
import { ChainruleError } from '../../errors.js';
import { showShape } from '../module.js';

export { type CellKind, GATES, cellStep } from '../../ops/index.js';

/** Checks a cell's operands against its weights, so that a mismatch is reported by the cell's name. */
function checkCell(op: string, gates: number, x: Tensor, h: Tensor, wih: Tensor, whh: Tensor): void {
  for (const [t, what] of [
    [x, 'input'],
    [h, 'h'],
    [wih, 'wIh'],
    [whh, 'wHh'],
  ] as const) {
    if (!(t instanceof Tensor)) throw new ChainruleError(`${op}: ${what} must be a Tensor`);
  }
  if (wih.ndim !== 2 || whh.ndim !== 2 || wih.shape[0] % gates !== 0) {
    throw new ChainruleError(`${op}: weights must be [${gates}·hidden, input] and [${gates}·hidden, hidden], got ${showShape(wih.shape)} and ${showShape(whh.shape)}`);
  }
  const H = wih.shape[0] / gates;
  if (whh.shape[0] !== gates * H || whh.shape[1] !== H) throw new ChainruleError(`${op}: wHh must be [${gates * H}, ${H}], got ${showShape(whh.shape)}`);
  if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== wih.shape[1]) {
    throw new ChainruleError(`${op}: expected input [batch, ${wih.shape[1]}] or [${wih.shape[1]}], got ${showShape(x.shape)}`);
  }
  if (h.shape[h.ndim - 1] !== H) throw new ChainruleError(`${op}: expected a hidden state of ${H} features, got ${showShape(h.shape)}`);
}

function inputGates(x: Tensor, wih: Tensor, bih: Tensor | null | undefined): Tensor {
  const gx = matmulT(x, wih);
  return bih ? gx.add(bih) : gx;
}

/**
 * Elman cell: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu).
 * @example F.rnnCell(randn([2, 3]), zeros([2, 4]), randn([4, 3]), randn([4, 4])).shape // [2, 4]
 */
export function rnnCell(
  x: Tensor,
  h: Tensor,
  wih: Tensor,
  whh: Tensor,
  bih?: Tensor | null,
  bhh?: Tensor | null,
  nonlinearity: 'tanh' | 'relu' = 'tanh',
): Tensor {
  checkCell('rnnCell', 1, x, h, wih, whh);
  return cellStep(nonlinearity, inputGates(x, wih, bih), h, null, whh, bhh ?? null)[0];
}

/**
 * LSTM cell with gates (i, f, g, o): c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). Returns [h', c'].
 * @example const [h, c] = F.lstmCell(randn([2, 3]), [zeros([2, 4]), zeros([2, 4])], randn([16, 3]), randn([16, 4]));
 */
export function lstmCell(x: Tensor, state: [Tensor, Tensor], wih: Tensor, whh: Tensor, bih?: Tensor | null, bhh?: Tensor | null): [Tensor, Tensor] {
  checkCell('lstmCell', 4, x, state[0], wih, whh);
  const [h, c] = cellStep('lstm', inputGates(x, wih, bih), state[0], state[1], whh, bhh ?? null);
  return [h, c as Tensor];
}

/**
 * GRU cell with gates (r, z, n): n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ + b_hn)), h' = (1-z)·n + z·h.
 * @example F.gruCell(randn([2, 3]), zeros([2, 4]), randn([12, 3]), randn([12, 4])).shape // [2, 4]
 */
export function gruCell(x: Tensor, h: Tensor, wih: Tensor, whh: Tensor, bih?: Tensor | null, bhh?: Tensor | null): Tensor {
  checkCell('gruCell', 3, x, h, wih, whh);
  return cellStep('gru', inputGates(x, wih, bih), h, null, whh, bhh ?? null)[0];
}
