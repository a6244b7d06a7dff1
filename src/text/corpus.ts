import type { SplitName } from './split.js';

/** One labelled text with its fixed split. */
export interface TextExample {
  /** stable identifier (file id or file:line) */
  id: string;
  text: string;
  label: string;
  split: SplitName;
  /** sub-collection, e.g. the SpamAssassin group 'hard-ham-1' */
  group?: string;
}

/** A labelled text collection ready for feature extraction. */
export interface TextDataset {
  name: string;
  /** class names, sorted; the index of a label is its class id */
  labels: string[];
  /** the class used for the precision-recall curve (binary tasks), e.g. 'spam' */
  positive: string | null;
  examples: TextExample[];
  /** non-fatal problems found while loading, each naming its row */
  warnings: string[];
}

/**
 * The examples of one split.
 * @example splitExamples(ds, 'dev').length // 599 for SpamAssassin
 */
export function splitExamples(ds: TextDataset, split: SplitName): TextExample[] {
  return ds.examples.filter((e) => e.split === split);
}

/**
 * Number of examples per split.
 * @example splitCounts(await loadSpamAssassin('body')) // { train: 4294, dev: 599, test: 1153 }
 */
export function splitCounts(ds: TextDataset): Record<SplitName, number> {
  const c = { train: 0, dev: 0, test: 0 };
  for (const e of ds.examples) c[e.split]++;
  return c;
}
