// The manipulation and indexing ops of the op table, one function per case of
// scripts/fixtures/ops_manip.py (test/fixtures/ops-manip.json), checked by op-table.ts's
// machinery: values, gradients, float64 gradcheck, double backward and float32. A case PyTorch
// runs on a non-contiguous view (a.t(), a[::2], a.expand(...)) applies the same view op here.
import { F, type IndexSpec, type Tensor, cdist, concat, einsum, meshgrid, oneHot, scatter } from 'chainrule';
import type { OpTable, TableFn } from './op-table.js';

const INF = Number.POSITIVE_INFINITY;
const ints = (p: Tensor) => [...p.dataSync()].map(Number);

const ops: Record<string, TableFn> = {
  repeat_basic: (a) => a.repeat([2, 1, 3]),
  repeat_same_rank: (a) => a.repeat([2, 2]),
  repeat_zero: (a) => a.repeat([0, 2]),
  repeat_empty: (a) => a.repeat([2, 2]),
  repeat_0d: (a) => a.repeat([3]),
  repeat_transposed: (a) => a.T.repeat([1, 2]),
  repeat_special: (a) => a.repeat([2]),
  tile_short: (a) => a.tile([2]),
  tile_long: (a) => a.tile([2, 2]),
  tile_expanded: (a) => a.expand([2, 3]).tile([2, 1]),
  repeat_interleave_flat: (a) => a.repeatInterleave(2),
  repeat_interleave_dim: (a) => a.repeatInterleave(3, 1),
  repeat_interleave_tensor: (a, r) => a.repeatInterleave(r, 0),
  repeat_interleave_tensor_one: (a, r) => a.repeatInterleave(r, 0),
  repeat_interleave_neg_dim: (a) => a.repeatInterleave(2, -2),
  repeat_interleave_zero: (a) => a.repeatInterleave(0, 0),
  repeat_interleave_stepped: (a) => a.slice(0, 0, undefined, 2).repeatInterleave(2, 1),
  roll_flat: (a) => a.roll(2),
  roll_dims: (a) => a.roll([1, -2], [0, 1]),
  roll_neg_dim: (a) => a.roll(5, -1),
  roll_big_shift: (a) => a.roll(-9, 0),
  roll_same_dim_twice: (a) => a.roll([2, 2], [0, 0]),
  roll_transposed: (a) => a.T.roll(1, 0),
  roll_empty: (a) => a.roll(1, 0),
  flip_one: (a) => a.flip(0),
  flip_multi: (a) => a.flip([0, 2]),
  flip_neg: (a) => a.flip(-1),
  flip_none: (a) => a.flip([]),
  flip_transposed: (a) => a.T.flip(1),
  flip_empty: (a) => a.flip(1),
  flip_0d: (a) => a.flip([]),
  flip_special: (a) => a.flip([0, 1]),
  rot90_k1: (a) => a.rot90(1),
  rot90_k2: (a) => a.rot90(2),
  rot90_k3: (a) => a.rot90(3),
  rot90_km1: (a) => a.rot90(-1),
  rot90_k5: (a) => a.rot90(5),
  rot90_k0: (a) => a.rot90(0),
  rot90_dims: (a) => a.rot90(1, [2, 0]),
  rot90_neg_dims: (a) => a.rot90(-1, [-1, -2]),
  diag_vector: (a) => a.diag(),
  diag_vector_above: (a) => a.diag(2),
  diag_vector_below: (a) => a.diag(-1),
  diag_matrix: (a) => a.diag(),
  diag_matrix_above: (a) => a.diag(1),
  diag_matrix_below: (a) => a.diag(-2),
  diag_matrix_far: (a) => a.diag(3),
  diag_matrix_transposed: (a) => a.T.diag(-1),
  diag_vector_empty: (a) => a.diag(1),
  unbind_dim0: (a) => a.unbind(0),
  unbind_neg_dim: (a) => concat(a.unbind(-1).map((t, i) => t.mul(i + 1))),
  movedim_one: (a) => a.movedim(0, -1),
  movedim_many: (a) => a.movedim([0, 3], [2, 0]),
  movedim_neg: (a) => a.movedim(-1, 1),
  meshgrid_ij: (a, b) => meshgrid([a, b], { indexing: 'ij' }),
  meshgrid_xy: (a, b, z) => meshgrid([a, b, z], { indexing: 'xy' }),
  meshgrid_grads: (a, b) =>
    meshgrid([a, b], { indexing: 'xy' })
      .map((t, i) => t.mul(i + 1))
      .reduce((s, t) => s.add(t)),
  einsum_matmul: (a, b) => einsum('ij,jk->ik', a, b),
  einsum_implicit: (a, b) => einsum('ij,jk', a, b),
  einsum_implicit_sum: (a, b) => einsum('bij,bjk', a, b),
  einsum_bmm: (a, b) => einsum('bij,bjk->bik', [a, b]),
  einsum_diagonal: (a) => einsum('ii->i', a),
  einsum_trace: (a) => einsum('ii', a),
  einsum_dot: (a, b) => einsum('i,i->', a, b),
  einsum_outer: (a, b) => einsum('i,j->ij', a, b),
  einsum_ellipsis: (a, b) => einsum('...ij,...jk->...ik', a, b),
  einsum_sum_transpose: (a) => einsum('bij->ji', a),
  einsum_three: (a, b, d) => einsum('ijk,ikl,lm->ijm', a, b, d),
  einsum_repeat_and_other: (a) => einsum('iij->ji', a),
  einsum_broadcast_one: (a, b) => einsum('ij,ij->i', a, b),
  einsum_uppercase: (a, b) => einsum('Ab,bc', a, b),
  einsum_all: (a) => einsum('...->', a),
  einsum_ellipsis_middle: (a, b) => einsum('a...b,b...->a...', a, b),
  einsum_empty: (a, b) => einsum('ij,jk->ik', a, b),
  einsum_transposed: (a, b) => einsum('ij,jk->ki', a.T, b.T),
  einsum_batch_diag: (a, b) => einsum('b i i , b i -> b', a, b),
  bmm_basic: (a, b) => a.bmm(b),
  bmm_transposed: (a, b) => a.transpose(1, 2).bmm(b),
  bmm_empty: (a, b) => a.bmm(b),
  baddbmm_basic: (i, a, b) => i.baddbmm(a, b),
  baddbmm_scaled: (i, a, b) => i.baddbmm(a, b, { beta: 0.5, alpha: -2 }),
  baddbmm_beta0: (i, a, b) => i.baddbmm(a, b, { beta: 0 }),
  addmm_basic: (i, a, b) => i.addmm(a, b),
  addmm_scaled: (i, a, b) => i.addmm(a, b, { beta: 0.5, alpha: 2 }),
  addmm_beta0: (i, a, b) => i.addmm(a, b, { beta: 0 }),
  addmm_transposed: (i, a, b) => i.addmm(a.T, b.T),
  kron_vectors: (a, b) => a.kron(b),
  kron_matrices: (a, b) => a.kron(b),
  kron_ranks: (a, b) => a.kron(b),
  kron_3d: (a, b) => a.kron(b),
  masked_fill_number: (a, m) => a.maskedFill(m, -1.5),
  masked_fill_tensor: (a, m, v) => a.maskedFill(m, v),
  masked_fill_broadcast_mask: (a, m) => a.maskedFill(m, 0),
  masked_fill_broadcast_input: (a, m) => a.maskedFill(m, 3),
  masked_fill_inf: (a, m) => a.maskedFill(m, -INF),
  masked_fill_nan_input: (a, m) => a.maskedFill(m, 0),
  masked_select_basic: (a, m) => a.maskedSelect(m),
  masked_select_broadcast_input: (a, m) => a.maskedSelect(m),
  masked_select_broadcast_mask: (a, m) => a.maskedSelect(m),
  masked_select_none: (a, m) => a.maskedSelect(m),
  masked_select_transposed: (a, m) => a.T.maskedSelect(m),
  index_int: (a, i) => a.index(i),
  index_int_2d: (a, i) => a.index(i),
  index_adjacent: (a, i, j) => a.index(null, i, j),
  index_separated: (a, i, j) => a.index(i, null, j),
  index_broadcast: (a, i, j) => a.index(i, j),
  index_int_then_tensor: (a, i) => a.index(0, null, i),
  index_mask: (a, m) => a.index(m),
  index_mask_partial: (a, m) => a.index(null, m),
  index_mask_and_int: (a, m, i) => a.index(m, i),
  index_ellipsis: (a, i) => a.index('...', i),
  index_range_and_tensor: (a, i) => a.index([1, 5, 2], i),
  index_0d_tensor: (a, t, i) => a.index(null, t, i),
  index_empty: (a, i) => a.index(i),
  index_transposed: (a, i) => a.T.index(i),
  index_put_rows: (a, i, v) => a.indexPut([i], v),
  index_put_accumulate: (a, i, v) => a.indexPut([i], v, { accumulate: true }),
  index_put_broadcast: (a, i, v) => a.indexPut([i], v),
  index_put_elements: (a, i, j, v) => a.indexPut([i, j], v),
  index_put_mask: (a, m, v) => a.indexPut([m], v),
  index_put_scalar: (a, i, v) => a.indexPut([i], v),
  index_put_accumulate_elements: (a, i, j, v) => a.indexPut([i, j], v, { accumulate: true }),
  index_select_dim1: (a, i) => a.indexSelect(1, i),
  index_select_neg_dim: (a, i) => a.indexSelect(-2, i),
  index_select_empty: (a, i) => a.indexSelect(0, i),
  index_select_transposed: (a, i) => a.T.indexSelect(1, i),
  index_add_dim0: (a, i, s) => a.indexAdd(0, i, s),
  index_add_alpha: (a, i, s) => a.indexAdd(1, i, s, { alpha: -2.5 }),
  index_add_neg_dim: (a, i, s) => a.indexAdd(-2, i, s),
  scatter_src: (a, i, s) => a.scatter(1, i, s),
  scatter_value: (a, i) => scatter(a, 1, i, -0.5),
  scatter_dim0: (a, i, s) => a.scatter(0, i, s),
  scatter_smaller_index: (a, i, s) => a.scatter(-1, i, s),
  scatter_larger_src: (a, i, s) => a.scatter(1, i, s),
  scatter_add_smaller_index: (a, i, s) => a.scatterAdd(1, i, s),
  scatter_add_larger_src: (a, i, s) => a.scatterAdd(1, i, s),
  scatter_add_3d: (a, i, s) => a.scatterAdd(1, i, s),
  scatter_reduce_prod_zeros: (a, i, s) => a.scatterReduce(1, i, s, 'prod'),
  scatter_reduce_prod_zero_self: (a, i, s) => a.scatterReduce(1, i, s, 'prod'),
  scatter_reduce_prod_zeros_exclude: (a, i, s) => a.scatterReduce(1, i, s, 'prod', { includeSelf: false }),
  scatter_reduce_amax_ties: (a, i, s) => a.scatterReduce(1, i, s, 'amax'),
  scatter_reduce_amin_ties_exclude: (a, i, s) => a.scatterReduce(1, i, s, 'amin', { includeSelf: false }),
  scatter_reduce_amax_nan: (a, i, s) => a.scatterReduce(1, i, s, 'amax'),
  scatter_reduce_mean_int: (a, i, s) => a.scatterReduce(1, i, s, 'mean'),
  scatter_reduce_mean_int_exclude: (a, i, s) => a.scatterReduce(1, i, s, 'mean', { includeSelf: false }),
  scatter_reduce_smaller_index: (a, i, s) => a.scatterReduce(1, i, s.slice(1, 0, 2), 'sum'),
  scatter_reduce_dim0: (a, i, s) => a.scatterReduce(0, i, s, 'mean', { includeSelf: false }),
  gather_smaller_index: (a, i) => a.gather(1, i),
  gather_smaller_dim0: (a, i) => a.gather(0, i),
  gather_smaller_3d: (a, i) => a.gather(-2, i),
  gather_empty: (a, i) => a.gather(1, i),
  gather_transposed: (a, i) => a.T.gather(1, i),
  take_along_dim: (a, i) => a.takeAlongDim(i, 1),
  take_along_dim_broadcast: (a, i) => a.takeAlongDim(i, -1),
  take_along_dim_broadcast_input: (a, i) => a.takeAlongDim(i, 1),
  take_along_dim_flat: (a, i) => a.takeAlongDim(i),
  take_along_dim_argsort: (a) => a.takeAlongDim(a.argsort(1), 1),
  pad_crop: (a) => F.pad(a, [-1, 2, 1, -2]),
  pad_crop_all: (a) => F.pad(a, [-4, 0]),
  pad_crop_value: (a) => F.pad(a, [-1, 1, 0, 0, 1, 0], 'constant', 2.5),
  pad_reflect_unbatched: (a) => F.pad(a, [3, 1], 'reflect'),
  pad_replicate_unbatched_2d: (a) => F.pad(a, [2, 2, 1, 0], 'replicate'),
  pad_replicate_crop_to_one: (a) => F.pad(a, [-4, 1], 'replicate'),
  pad_circular_full_wrap: (a) => F.pad(a, [3, 3], 'circular'),
  pad_circular_crop_both: (a) => F.pad(a, [-2, 2], 'circular'),
  pad_empty_batch: (a) => a.reflectionPad([1, 1]),
  one_hot_default: (t) => F.oneHot(t, -1, 'int32'),
  one_hot_classes: (t) => oneHot(t, 5, 'int32'),
  one_hot_0d: (t) => t.oneHot(3, 'int32'),
  one_hot_empty: (t) => F.oneHot(t, 3, 'int32'),
  normalize_default: (a) => F.normalize(a),
  normalize_p1_dim0: (a) => F.normalize(a, { p: 1, dim: 0 }),
  normalize_zero_row: (a) => a.normalize(),
  normalize_inf_p: (a) => F.normalize(a, { p: INF, dim: -1 }),
  normalize_eps: (a) => F.normalize(a, { dim: 1, eps: 0.01 }),
  normalize_3d: (a) => F.normalize(a, { p: 3, dim: 1 }),
  cosine_similarity_default: (a, b) => F.cosineSimilarity(a, b),
  cosine_similarity_last_dim: (a, b) => F.cosineSimilarity(a, b, { dim: -1 }),
  cosine_similarity_broadcast: (a, b) => F.cosineSimilarity(a, b, { dim: 2 }),
  cosine_similarity_tiny: (a, b) => a.cosineSimilarity(b),
  cosine_similarity_eps: (a, b) => F.cosineSimilarity(a, b, { eps: 0.1 }),
  cosine_similarity_zero: (a, b) => F.cosineSimilarity(a, b),
  cosine_similarity_vectors: (a, b) => F.cosineSimilarity(a, b, { dim: 0 }),
  pairwise_distance_default: (a, b) => F.pairwiseDistance(a, b),
  pairwise_distance_p1: (a, b) => F.pairwiseDistance(a, b, { p: 1 }),
  pairwise_distance_keepdim: (a, b) => a.pairwiseDistance(b, { keepdim: true }),
  pairwise_distance_broadcast: (a, b) => F.pairwiseDistance(a, b, { p: 3, eps: 0 }),
  pairwise_distance_vectors: (a, b) => F.pairwiseDistance(a, b),
  pairwise_distance_inf: (a, b) => F.pairwiseDistance(a, b, { p: INF }),
  cdist_p2: (a, b) => a.cdist(b),
  cdist_batched: (a, b) => cdist(a, b),
  cdist_p2_ties: (a, b) => a.cdist(b, 2),
  cdist_empty_cols: (a, b) => a.cdist(b),
  cdist_transposed: (a, b) => a.T.cdist(b.T),
  cdist_large: (a, b) => a.cdist(b),
};

for (const [name, lower] of [
  ['tril', true],
  ['triu', false],
] as const) {
  const f = (a: Tensor, k = 0) => (lower ? a.tril(k) : a.triu(k));
  Object.assign(ops, {
    [`${name}_square`]: (a: Tensor) => f(a),
    [`${name}_above`]: (a: Tensor) => f(a, 1),
    [`${name}_below`]: (a: Tensor) => f(a, -1),
    [`${name}_far`]: (a: Tensor) => f(a, 5),
    [`${name}_far_below`]: (a: Tensor) => f(a, -5),
    [`${name}_batched`]: (a: Tensor) => f(a, -1),
    [`${name}_transposed`]: (a: Tensor) => f(a.T),
    [`${name}_empty`]: (a: Tensor) => f(a),
    [`${name}_special`]: (a: Tensor) => f(a),
  });
}

for (const red of ['sum', 'prod', 'mean', 'amax', 'amin'] as const) {
  ops[`scatter_reduce_${red}`] = (a, i, s) => a.scatterReduce(1, i, s, red);
  ops[`scatter_reduce_${red}_exclude`] = (a, i, s) => a.scatterReduce(1, i, s, red, { includeSelf: false });
}

for (const [mode, tag] of [
  ['reflect', 'reflect'],
  ['replicate', 'replicate'],
  ['circular', 'circular'],
] as const) {
  Object.assign(ops, {
    [`pad_${tag}_1d`]: (a: Tensor) => F.pad(a, [2, mode === 'reflect' ? 4 : 3], mode),
    [`pad_${tag}_2d`]: (a: Tensor) => F.pad(a, [1, 2, 2, 1], mode),
    [`pad_${tag}_3d`]: (a: Tensor) => F.pad(a, [1, 1, 2, 0, 0, 2], mode),
    [`pad_${tag}_negative`]: (a: Tensor) => F.pad(a, [-2, 2], mode),
    [`pad_${tag}_negative_2d`]: (a: Tensor) => F.pad(a, [2, -1, -1, 1], mode),
    [`pad_${tag}_transposed`]: (a: Tensor) => F.pad(a.transpose(1, 2), [1, 2], mode),
  });
}

for (const [p, key] of [
  [0, 'p0'],
  [0.5, 'p05'],
  [1, 'p1'],
  [1.5, 'p15'],
  [3, 'p3'],
  [INF, 'inf'],
] as const) {
  ops[`cdist_${key}`] = (a, b) => a.cdist(b, p);
  ops[`cdist_${key}_ties`] = (a, b) => cdist(a, b, p);
}

// random shapes: the op's integer arguments come as the int input p (see ops_manip.py)
const REDUCE = ['sum', 'mean', 'prod'] as const;
const RANDOM: Record<string, TableFn> = {
  flip: (a, p) => a.flip(ints(p)),
  roll: (a, p) => a.roll(ints(p)[1], ints(p)[0]),
  repeat: (a, p) => a.repeat(ints(p)),
  tril: (a, p) => (ints(p)[1] ? a.tril(ints(p)[0]) : a.triu(ints(p)[0])),
  movedim: (a, p) => a.movedim(ints(p)[0], ints(p)[1]),
  gather: (a, ix, p) => a.gather(ints(p)[0], ix),
  scatter_reduce: (a, ix, s, p) => a.scatterReduce(ints(p)[0], ix, s, REDUCE[ints(p)[1]], { includeSelf: ints(p)[2] === 1 }),
};
for (const [name, f] of Object.entries(RANDOM)) {
  for (let i = 0; i < 3; i++) ops[`random_${name}_${i}`] = f;
}
// the equation as char codes in the last input
for (let i = 0; i < 8; i++) {
  ops[`random_einsum_${i}`] = (...a) => einsum(String.fromCharCode(...ints(a[a.length - 1])), ...a.slice(0, -1));
}
// per dim [kind, a, b]: ':', the integer a, the range a:end:b, the next index tensor, the next mask
for (let i = 0; i < 12; i++) {
  ops[`random_index_${i}`] = (x, p, ...ts) => {
    const code = ints(p);
    let next = 0;
    const specs: IndexSpec[] = [];
    for (let k = 0; k < code.length; k += 3) {
      const [kind, a, b] = code.slice(k, k + 3);
      specs.push(kind === 0 ? null : kind === 1 ? a : kind === 2 ? [a, undefined, b] : ts[next++]);
    }
    return x.index(...specs);
  };
}

export const MANIP_TABLE: OpTable = { fixture: 'ops-manip.json', ops };
