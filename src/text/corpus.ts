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
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { loadTable } from './tabular.js';
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * splitExamples(loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' }), 'dev').length // 2
 * ```
 */
export function splitExamples(ds: TextDataset, split: SplitName): TextExample[] {
  return ds.examples.filter((e) => e.split === split);
}

/**
 * Number of examples per split.
 * @example
 * ```ts
 * import { mkdtempSync, writeFileSync } from 'node:fs';
 * import { tmpdir } from 'node:os';
 * import { loadTable } from './tabular.js';
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const c = splitCounts(loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' }));
 * [c.train, c.dev, c.test] // [4, 2, 2]
 * ```
 */
export function splitCounts(ds: TextDataset): Record<SplitName, number> {
  const c = { train: 0, dev: 0, test: 0 };
  for (const e of ds.examples) c[e.split]++;
  return c;
}
