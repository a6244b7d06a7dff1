// The 2-d layers of the op table and nn.functional, one function per case of
// scripts/fixtures/layers2d.py (test/fixtures/layers2d.json), checked by op-table.ts's machinery:
// values (and indices), gradients, float64 gradcheck, double backward and float32.
import {
  F,
  type Tensor,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  adaptiveMaxPool2d,
  avgPool2d,
  avgPool2dBackward,
  conv2d,
  conv2dInputGrad,
  tensor,
  conv2dWeightGrad,
  maxPool2d,
} from 'chainrule';
import type { OpTable, TableFn } from './op-table.js';

/** A constant (running statistics) in the dtype of x. */
const like = (x: Tensor, v: number[]): Tensor => tensor(v, { dtype: x.dtype });

/** The int parameters of a random case, as numbers. */
const ints = (p: Tensor): number[] => Array.from(p.dataSync(), Number);

const ops: Record<string, TableFn> = {
  conv2d_op: (x, w) => conv2d(x, w),
  conv2d_op_strided: (x, w) => conv2d(x, w, { stride: [2, 3], dilation: [2, 1] }),
  conv2d_op_groups: (x, w) => conv2d(x, w, { groups: 2 }),
  conv2d_op_depthwise: (x, w) => conv2d(x, w, { groups: 4 }),
  conv2d_op_1x1: (x, w) => conv2d(x, w),
  conv2d_op_transposed_input: (x, w) => conv2d(x.transpose(2, 3), w),
  conv2d_op_step_slice: (x, w) => conv2d(x.slice(2, 0, 12, 2), w, { stride: [1, 2] }),
  conv2d_op_expanded_weight: (x, w) => conv2d(x, w.expand([3, 4, 3, 3])),
  conv2d_op_empty_batch: (x, w) => conv2d(x, w),
  conv2d_op_edges: (x, w) => conv2d(x, w),
  conv2d_op_large_values: (x, w) => conv2d(x, w),
  conv2d_input_grad: (g, w) => conv2dInputGrad(g, w, [6, 6]),
  conv2d_input_grad_strided: (g, w) => conv2dInputGrad(g, w, [10, 11], { stride: [2, 3], dilation: [2, 1], groups: 2 }),
  conv2d_input_grad_stride_gap: (g, w) => conv2dInputGrad(g, w, 8, { stride: 4 }),
  conv2d_weight_grad: (x, g) => conv2dWeightGrad(x, g, [3, 2]),
  conv2d_weight_grad_strided: (x, g) => conv2dWeightGrad(x, g, [3, 2], { stride: [2, 3], dilation: [2, 1], groups: 2 }),
  F_conv2d_pad_bias: (x, w, b) => F.conv2d(x, w, b, { padding: 1 }),
  F_conv2d_pad_stride: (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: [1, 2] }),
  F_conv2d_same: (x, w) => F.conv2d(x, w, null, { padding: 'same', dilation: [1, 2] }),
  F_conv2d_valid: (x, w) => F.conv2d(x, w, null, { padding: 'valid' }),
  F_conv2d_unbatched: (x, w, b) => F.conv2d(x, w, b, { padding: 1 }),
  F_conv2d_depthwise_pad: (x, w, b) => F.conv2d(x, w, b, { padding: 1, groups: 3 }),
  F_conv_transpose2d: (x, w, b) => F.convTranspose2d(x, w, b),
  F_conv_transpose2d_full: (x, w, b) => F.convTranspose2d(x, w, b, { stride: [2, 3], padding: [1, 0], outputPadding: [1, 2], groups: 2, dilation: [1, 2] }),
  F_conv_transpose2d_outpad_dilation: (x, w) => F.convTranspose2d(x, w, null, { stride: 1, outputPadding: 1, dilation: 2 }),
  F_conv_transpose1d: (x, w, b) => F.convTranspose1d(x, w, b, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
  F_conv_transpose1d_unbatched: (x, w) => F.convTranspose1d(x, w, null, { dilation: 2 }),
  max_pool2d: (x) => F.maxPool2d(x, 2),
  max_pool2d_stride_pad: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }),
  max_pool2d_dilation_ceil: (x) => F.maxPool2d(x, [2, 3], { stride: [2, 1], padding: [1, 1], dilation: [2, 1], ceilMode: true }),
  max_pool2d_indices: (x) => F.maxPool2d(x, [3, 2], { stride: [2, 2], padding: [1, 0], returnIndices: true }),
  max_pool2d_ties: (x) => maxPool2d(x, 3, { stride: 1 }),
  max_pool2d_nan_inf: (x) => maxPool2d(x, 2, { stride: 1 }),
  max_pool2d_neg_inf_pad: (x) => maxPool2d(x, 2, { stride: 2, padding: 1 }),
  max_pool2d_unbatched: (x) => F.maxPool2d(x, 2, { ceilMode: true }),
  max_pool2d_transposed_input: (x) => F.maxPool2d(x.transpose(2, 3), 2),
  max_pool2d_empty_batch: (x) => F.maxPool2d(x, 2),
  adaptive_max_pool2d: (x) => F.adaptiveMaxPool2d(x, [2, 3], { returnIndices: true }),
  adaptive_max_pool2d_up: (x) => F.adaptiveMaxPool2d(x, [5, 4]),
  adaptive_max_pool2d_none: (x) => F.adaptiveMaxPool2d(x, [null, 2]),
  adaptive_max_pool2d_ties: (x) => adaptiveMaxPool2d(x, 4),
  avg_pool2d: (x) => F.avgPool2d(x, 2),
  avg_pool2d_pad: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1 }),
  avg_pool2d_pad_exclude: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
  avg_pool2d_ceil: (x) => F.avgPool2d(x, [3, 2], { stride: [2, 3], padding: [1, 1], ceilMode: true }),
  avg_pool2d_ceil_exclude: (x) => F.avgPool2d(x, [3, 2], { stride: [2, 3], padding: [1, 1], ceilMode: true, countIncludePad: false }),
  avg_pool2d_divisor: (x) => avgPool2d(x, 2, { stride: 1, padding: 1, divisorOverride: 3 }),
  avg_pool2d_unbatched: (x) => F.avgPool2d(x, [2, 3], { stride: 1 }),
  avg_pool2d_edges: (x) => F.avgPool2d(x, 2),
  avg_pool2d_backward: (g) => avgPool2dBackward(g, [7, 6], 3, { stride: 2, padding: 1, countIncludePad: false }),
  avg_pool2d_backward_ceil: (g) => avgPool2dBackward(g, [7, 8], [3, 2], { stride: [2, 3], padding: [1, 1], ceilMode: true }),
  adaptive_avg_pool2d: (x) => F.adaptiveAvgPool2d(x, [3, 4]),
  adaptive_avg_pool2d_global: (x) => adaptiveAvgPool2d(x, 1),
  adaptive_avg_pool2d_up: (x) => F.adaptiveAvgPool2d(x, [4, 5]),
  adaptive_avg_pool2d_none: (x) => F.adaptiveAvgPool2d(x, [3, null]),
  adaptive_avg_pool2d_backward: (g) => adaptiveAvgPool2dBackward(g, [7, 9]),
  avg_pool1d_ceil_exclude: (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
  avg_pool1d_ceil: (x) => F.avgPool1d(x, 2, { stride: 2, padding: 1, ceilMode: true }),
  F_batch_norm_4d: (x, w, b) => F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
  F_batch_norm_4d_eval: (x, b) => F.batchNorm(x, like(x, [0.5, -1, 2]), like(x, [0.5, 2, 1.25]), { bias: b }),
  F_group_norm: (x, w, b) => F.groupNorm(x, 3, w, b),
  F_group_norm_1d: (x) => F.groupNorm(x, 2, null, null, 1e-3),
  F_group_norm_one_group: (x, w) => F.groupNorm(x, 1, w),
  F_instance_norm: (x, w, b) => F.instanceNorm(x, null, null, { weight: w, bias: b }),
  F_instance_norm_1d: (x) => F.instanceNorm(x, null, null, { eps: 1e-3 }),
  F_instance_norm_running: (x) => F.instanceNorm(x, like(x, [0.1, -0.4, 0.7]), like(x, [1.5, 0.75, 2]), { useInputStats: false }),
  F_local_response_norm: (x) => F.localResponseNorm(x, 3),
  F_local_response_norm_even: (x) => F.localResponseNorm(x, 4, 0.01, 0.5, 2),
  F_local_response_norm_5d: (x) => F.localResponseNorm(x, 2, 0.1),
  F_unfold: (x) => F.unfold(x, [2, 3]),
  F_unfold_full: (x) => F.unfold(x, 3, { dilation: [2, 1], padding: [1, 2], stride: [2, 3] }),
  F_unfold_unbatched: (x) => F.unfold(x, 2, { stride: 2 }),
  F_fold: (x) => F.fold(x, [5, 6], [2, 3]),
  F_fold_full: (x) => F.fold(x, [7, 6], 3, { dilation: [2, 1], padding: [1, 2], stride: [2, 3] }),
  F_fold_unbatched: (x) => F.fold(x, 4, 2, { stride: 2 }),
  interp_nearest_size: (x) => F.interpolate(x, { size: [5, 7], mode: 'nearest' }),
  interp_nearest_scale: (x) => F.interpolate(x, { scaleFactor: 1.5 }),
  interp_nearest_double: (x) => F.interpolate(x, { scaleFactor: 2, mode: 'nearest' }),
  interp_nearest_down: (x) => F.interpolate(x, { size: [3, 4] }),
  interp_nearest_1d: (x) => F.interpolate(x, { scaleFactor: 0.7, mode: 'nearest' }),
  interp_nearest_3d: (x) => F.interpolate(x, { size: [3, 4, 5] }),
  interp_nearest_exact: (x) => F.interpolate(x, { size: [7, 3], mode: 'nearest-exact' }),
  interp_linear: (x) => F.interpolate(x, { size: 8, mode: 'linear' }),
  interp_linear_align: (x) => F.interpolate(x, { size: 9, mode: 'linear', alignCorners: true }),
  interp_linear_scale_down: (x) => F.interpolate(x, { scaleFactor: 0.45, mode: 'linear' }),
  interp_bilinear: (x) => F.interpolate(x, { scaleFactor: [2, 1.5], mode: 'bilinear' }),
  interp_bilinear_align: (x) => F.interpolate(x, { size: [7, 5], mode: 'bilinear', alignCorners: true }),
  interp_bilinear_down: (x) => F.interpolate(x, { size: [4, 3], mode: 'bilinear' }),
  interp_bilinear_recompute: (x) => F.interpolate(x, { scaleFactor: 0.6, mode: 'bilinear', recomputeScaleFactor: true }),
  interp_bilinear_one: (x) => F.interpolate(x, { size: [3, 1], mode: 'bilinear', alignCorners: true }),
  interp_area: (x) => F.interpolate(x, { size: [3, 4], mode: 'area' }),
  interp_area_1d: (x) => F.interpolate(x, { scaleFactor: 0.5, mode: 'area' }),
  pixel_shuffle: (x) => F.pixelShuffle(x, 2),
  pixel_shuffle_3: (x) => F.pixelShuffle(x, 3),
  pixel_unshuffle: (x) => F.pixelUnshuffle(x, 2),
  pixel_unshuffle_unbatched: (x) => F.pixelUnshuffle(x, 3),
};

for (let i = 0; i < 4; i++) {
  ops[`random_conv2d_${i}`] = (x, w, b, p) => {
    const [, groups, , , , , , , sh, sw, ph, pw, dh, dw] = ints(p);
    return F.conv2d(x, w, b, { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], groups });
  };
  ops[`random_max_pool2d_${i}`] = (x, p) => {
    const [kh, kw, sh, sw, ph, pw, dh, dw, ceil] = ints(p);
    return maxPool2d(x, [kh, kw], { stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], ceilMode: ceil === 1 });
  };
  ops[`random_avg_pool2d_${i}`] = (x, p) => {
    const [kh, kw, sh, sw, ph, pw, ceil, include] = ints(p);
    return F.avgPool2d(x, [kh, kw], { stride: [sh, sw], padding: [ph, pw], ceilMode: ceil === 1, countIncludePad: include === 1 });
  };
  ops[`random_adaptive_pool2d_${i}`] = (x, p) => {
    const [oh, ow] = ints(p);
    return F.adaptiveAvgPool2d(x, [oh, ow]).add(F.adaptiveMaxPool2d(x, [oh, ow]));
  };
}

/** The 2-d layers' table (fixture test/fixtures/layers2d.json). */
export const LAYERS2D_TABLE: OpTable = { fixture: 'layers2d.json', ops };
