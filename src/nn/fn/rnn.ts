import { cellStep, matmulT, type Tensor } from '../../ops/index.js';
/** One time step of the recurrent cells, with PyTorch's gate layouts. */

export { type CellKind, GATES, cellStep } from '../../ops/index.js';

function inputGates(x: Tensor, wih: Tensor, bih: Tensor | null | undefined): Tensor {
  const gx = matmulT(x, wih);
  return bih ? gx.add(bih) : gx;
}

/**
 * Elman cell: h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or relu).
 * @example rnnCell(randn([2, 3]), zeros([2, 4]), randn([4, 3]), randn([4, 4])).shape // [2, 4]
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
  return cellStep(nonlinearity, inputGates(x, wih, bih), h, null, whh, bhh ?? null)[0];
}

/**
 * LSTM cell with gates (i, f, g, o): c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c'). Returns [h', c'].
 * @example const [h, c] = lstmCell(randn([2, 3]), [zeros([2, 4]), zeros([2, 4])], randn([16, 3]), randn([16, 4]));
 */
export function lstmCell(x: Tensor, state: [Tensor, Tensor], wih: Tensor, whh: Tensor, bih?: Tensor | null, bhh?: Tensor | null): [Tensor, Tensor] {
  const [h, c] = cellStep('lstm', inputGates(x, wih, bih), state[0], state[1], whh, bhh ?? null);
  return [h, c as Tensor];
}

/**
 * GRU cell with gates (r, z, n): n = tanh(x·W_inᵀ + b_in + r·(h·W_hnᵀ + b_hn)), h' = (1-z)·n + z·h.
 * @example gruCell(randn([2, 3]), zeros([2, 4]), randn([12, 3]), randn([12, 4])).shape // [2, 4]
 */
export function gruCell(x: Tensor, h: Tensor, wih: Tensor, whh: Tensor, bih?: Tensor | null, bhh?: Tensor | null): Tensor {
  return cellStep('gru', inputGates(x, wih, bih), h, null, whh, bhh ?? null)[0];
}
