/** Attention as plain functions (torch.nn.functional's scaled_dot_product_attention). */
export { scaledDotProductAttention, type ScaledDotProductAttentionOptions } from '../../ops/index.js';
