/** One time step of the recurrent cells, with PyTorch's gate layouts. */
import { matmulT } from '../../ops/matmul.js';
import type { Tensor } from '../../tensor/tensor.js';

export type CellKind = 'tanh' | 'relu' | 'lstm' | 'gru';

/** Rows of weight_ih / weight_hh per hidden unit: 1, 4 (i, f, g, o) or 3 (r, z, n). */
export const GATES: Record<CellKind, number> = { tanh: 1, relu: 1, lstm: 4, gru: 3 };

/**
 * Advances one step given the input part of the gates gx = x·W_ihᵀ + b_ih (computed for all
 * steps at once by the layers) and the previous state. Returns [h', c'] (c' only for LSTM).
 */
export function cellStep(kind: CellKind, gx: Tensor, h: Tensor, c: Tensor | null, whh: Tensor, bhh: Tensor | null): [Tensor, Tensor | null] {
  // h·W_hhᵀ read through the kernel's transpose flag: no copy of W_hh on every time step
  let gh = matmulT(h, whh);
  if (bhh) gh = gh.add(bhh);
  const H = h.shape[h.ndim - 1];
  switch (kind) {
    case 'tanh':
      return [gx.add(gh).tanh(), null];
    case 'relu':
      return [gx.add(gh).relu(), null];
    case 'lstm': {
      const [i, f, g, o] = gx.add(gh).split(H, -1);
      const c2 = f.sigmoid().mul(c as Tensor).add(i.sigmoid().mul(g.tanh()));
      return [o.sigmoid().mul(c2.tanh()), c2];
    }
    case 'gru': {
      const [xr, xz, xn] = gx.split(H, -1);
      const [hr, hz, hn] = gh.split(H, -1);
      const r = xr.add(hr).sigmoid();
      const z = xz.add(hz).sigmoid();
      const n = xn.add(r.mul(hn)).tanh();
      // (1 - z)·n + z·h
      return [n.sub(n.mul(z)).add(z.mul(h)), null];
    }
  }
}

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
