/** Distances and similarities of torch.nn.functional: the op table's entries themselves. */
export { cosineSimilarity, normalize, pairwiseDistance } from '../../ops/index.js';
