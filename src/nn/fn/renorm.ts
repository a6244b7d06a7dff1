// maxNorm of Embedding and EmbeddingBag: the rows they look up rescaled in place first, as PyTorch's
// embedding_renorm_ (a helper of nn/fn/embedding.ts and nn/embedding.ts, not part of F).
import { ChainruleError } from '../../errors.js';
import type { Tensor } from '../../ops/index.js';

/** Checks maxNorm and normType; null without maxNorm, else [maxNorm, normType]. */
export function renormOptions(maxNorm: number | null | undefined, normType: number | undefined, op: string): [number, number] | null {
  const p = normType ?? 2;
  if (typeof p !== 'number' || Number.isNaN(p)) throw new ChainruleError(`${op}: normType must be a number, got ${String(p)}`);
  if (maxNorm == null) return null;
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) throw new ChainruleError(`${op}: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  return [maxNorm, p];
}

/**
 * PyTorch's embedding_renorm_: each distinct row `ids` names whose p-norm exceeds maxNorm is
 * scaled by maxNorm/(norm + 1e-7), in weight's own storage and outside autograd (the lookup
 * after it is differentiated, the rescaling is not).
 */
export function renormRows(weight: Tensor, ids: Int32Array, maxNorm: number, p: number): void {
  const dim = weight.shape[1];
  const w = weight.data;
  for (const r of new Set(ids)) {
    let norm = 0;
    if (p === Number.POSITIVE_INFINITY) for (let j = 0; j < dim; j++) norm = Math.max(norm, Math.abs(w[r * dim + j]));
    else if (p === 0) for (let j = 0; j < dim; j++) norm += w[r * dim + j] !== 0 ? 1 : 0;
    else {
      for (let j = 0; j < dim; j++) norm += Math.abs(w[r * dim + j]) ** p;
      norm **= 1 / p;
    }
    if (norm > maxNorm) {
      const scale = maxNorm / (norm + 1e-7);
      for (let j = 0; j < dim; j++) w[r * dim + j] *= scale;
    }
  }
}

