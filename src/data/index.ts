/** Datasets, batching with a seeded shuffle, and random / stratified splits. */
export { type Dataset, TensorDataset, Subset, ArrayDataset } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './loader.js';
export { defaultCollate } from './collate.js';
export { randomSplit, stratifiedSplit } from './split.js';
