// Scaled dot-product attention, one function per case of scripts/fixtures/attention.py
// (test/fixtures/attention.json), checked by op-table.ts's machinery: values, gradients, float64
// gradcheck, double backward and float32.
import { type Tensor, scaledDotProductAttention as sdpa } from 'chainrule';
import type { OpTable, TableFn } from './op-table.js';

const plain: TableFn = (q, k, v) => sdpa(q, k, v);
const masked: TableFn = (q, k, v, m) => sdpa(q, k, v, { attnMask: m });
const causal: TableFn = (q, k, v) => sdpa(q, k, v, { isCausal: true });

const ops: Record<string, TableFn> = {
  basic: plain,
  unbatched: plain,
  heads: plain,
  broadcast_batch: plain,
  single_key: plain,
  scale: (q, k, v) => sdpa(q, k, v, { scale: 0.3 }),
  scale_negative: (q, k, v) => sdpa(q, k, v, { scale: -1.7 }),
  causal,
  causal_wide: causal,
  causal_tall: causal,
  causal_heads: causal,
  bool_mask: masked,
  bool_mask_full: masked,
  bool_mask_heads: masked,
  bool_key_padding: masked,
  bool_mask_column: masked,
  float_mask: masked,
  float_mask_full: masked,
  float_mask_heads: masked,
  float_mask_rows: masked,
  float_mask_neg_inf: masked,
  bool_mask_dead_row: masked,
  nan_query: plain,
  inf_value: plain,
  huge: plain,
  ties: plain,
  zero_query: causal,
  empty_queries: plain,
  empty_keys: plain,
  empty_batch: plain,
  empty_value_dim: plain,
  transposed_query: (q, k, v) => sdpa(q.transpose(-2, -1), k, v),
  sliced_key: (q, k, v) => sdpa(q, k.slice(1, 0, 10, 2), v, { isCausal: true }),
  expanded_value: (q, k, v) => sdpa(q, k, v.expand([2, 5, 3])),
  permuted_heads: (q, k, v) => sdpa(q.permute([0, 2, 1, 3]), k.permute([0, 2, 1, 3]), v.permute([0, 2, 1, 3])),
};

/** random_<i>: q, k, v, an optional mask, and flags = [isCausal, scale·1000 (0: the default)]. */
function random(...xs: Tensor[]): Tensor {
  const [q, k, v] = xs;
  const [isCausal, milli] = [...(xs.at(-1) as Tensor).dataSync()];
  return sdpa(q, k, v, { attnMask: xs.length === 5 ? xs[3] : null, isCausal: isCausal === 1, scale: milli ? milli / 1000 : null });
}
for (let i = 0; i < 8; i++) ops[`random_${i}`] = random;

export const ATTENTION_TABLE: OpTable = { fixture: 'attention.json', ops };
