import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { ChainruleError } from '../errors.js';
import type { TextDataset, TextExample } from './corpus.js';
import { parseCsv } from './csv.js';
import { decodeText } from './decode.js';
import { type SplitName, md5Hex, parseSplitName, splitOfChecksum } from './split.js';

/** Options of {@link loadTable}. */
export interface TableOptions {
  textCol: string;
  labelCol: string;
  /** a column holding train/dev/test; default: split by the MD5 of the row text */
  splitCol?: string;
  /** 'csv' or 'jsonl'; default from the file extension (.jsonl/.ndjson/.json -> jsonl) */
  format?: 'csv' | 'jsonl';
  /** the class for the precision-recall curve; default: the rarer training class of a binary task */
  positive?: string;
}

interface Row {
  line: number;
  get: (col: string) => unknown;
  has: (col: string) => boolean;
}

function csvRows(text: string, file: string): { columns: string[]; rows: Row[] } {
  const [head, ...body] = parseCsv(text, file);
  const columns = head?.fields ?? [];
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c)) throw new ChainruleError(`${file}:1: the column ${JSON.stringify(c)} appears twice in the header`);
    seen.add(c);
  }
  return {
    columns,
    rows: body.map(({ fields, line }) => {
      if (fields.length !== columns.length) {
        throw new ChainruleError(`${file}:${line}: ${fields.length} fields, but the header has ${columns.length} (a field holding a comma must be in double quotes)`);
      }
      return { line, get: (c: string) => fields[columns.indexOf(c)], has: (c: string) => columns.includes(c) };
    }),
  };
}

function jsonlRows(text: string, file: string): { columns: string[]; rows: Row[] } {
  const rows: Row[] = [];
  const columns = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    if (!raw.trim()) return;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw new ChainruleError(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new ChainruleError(`${file}:${i + 1}: each line must be a JSON object`);
    const o = obj as Record<string, unknown>;
    for (const k of Object.keys(o)) columns.add(k);
    rows.push({ line: i + 1, get: (c) => o[c], has: (c) => Object.hasOwn(o, c) });
  });
  return { columns: [...columns], rows };
}

function asText(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/**
 * Loads a labelled CSV (with a header row) or JSONL file as a text dataset. Rows are split by
 * the MD5 of their text with the fixed rule (0-6 train, 7 dev, 8-9 test) unless `splitCol` names
 * a train/dev/test column. Problems name their row as `file:line`: a missing column, an empty or
 * single-class file, a label that never occurs in training, or an empty dev/train split are
 * errors; an empty text or label (row skipped) and invalid UTF-8 are warnings.
 * @example
 * ```ts
 * const { mkdtempSync, writeFileSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const file = `${mkdtempSync(`${tmpdir()}/reviews-`)}/reviews.csv`;
 * writeFileSync(file, 'review,stars,split\ngreat film,pos,train\ndull film,neg,train\nfine acting,pos,train\nweak plot,neg,train\ngreat plot,pos,dev\ndull acting,neg,dev\nfine film,pos,test\nweak film,neg,test\n');
 * const ds = loadTable(file, { textCol: 'review', labelCol: 'stars', splitCol: 'split' });
 * ds.labels // ['neg', 'pos']
 * ds.examples.length // 8
 * ```
 */
export function loadTable(file: string, opts: TableOptions): TextDataset {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new ChainruleError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const { text, warnings } = decodeText(bytes, file);
  const ext = extname(file).toLowerCase();
  const format = opts.format ?? (ext === '.jsonl' || ext === '.ndjson' || ext === '.json' ? 'jsonl' : 'csv');
  if (!text.trim()) throw new ChainruleError(`${file}: the file is empty`);
  const { columns, rows } = format === 'csv' ? csvRows(text, file) : jsonlRows(text, file);
  if (rows.length === 0) throw new ChainruleError(`${file}: no data rows (only a header?)`);
  for (const col of [opts.textCol, opts.labelCol, ...(opts.splitCol ? [opts.splitCol] : [])]) {
    if (!columns.includes(col)) {
      throw new ChainruleError(`${file}:1: no column ${JSON.stringify(col)} (columns: ${columns.map((c) => JSON.stringify(c)).join(', ')})`);
    }
  }
  const examples: TextExample[] = [];
  for (const r of rows) {
    const where = `${file}:${r.line}`;
    for (const col of [opts.textCol, opts.labelCol]) {
      if (!r.has(col)) throw new ChainruleError(`${where}: the row has no ${JSON.stringify(col)} field`);
    }
    const t = asText(r.get(opts.textCol));
    const label = asText(r.get(opts.labelCol)).trim();
    if (!label) {
      warnings.push(`${where}: empty label; row skipped`);
      continue;
    }
    if (!t.trim()) {
      warnings.push(`${where}: empty text; row skipped`);
      continue;
    }
    let split: SplitName;
    if (opts.splitCol) {
      const s = parseSplitName(asText(r.get(opts.splitCol)));
      if (!s) throw new ChainruleError(`${where}: split value ${JSON.stringify(asText(r.get(opts.splitCol)))} is not train, dev or test`);
      split = s;
    } else {
      split = splitOfChecksum(md5Hex(t));
    }
    examples.push({ id: where, text: t, label, split });
  }
  return finishDataset(file, examples, warnings, opts.positive);
}

function finishDataset(file: string, examples: TextExample[], warnings: string[], positive?: string): TextDataset {
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  if (labels.length < 2) {
    throw new ChainruleError(`${file}: needs at least two classes, found ${labels.length}${labels.length ? ` (${JSON.stringify(labels[0])})` : ''}`);
  }
  const trainCount = new Map<string, number>();
  for (const e of examples) if (e.split === 'train') trainCount.set(e.label, (trainCount.get(e.label) ?? 0) + 1);
  for (const l of labels) {
    if (!trainCount.has(l)) {
      const where = examples.filter((e) => e.label === l).map((e) => `${e.id} (${e.split})`);
      throw new ChainruleError(
        `${file}: label ${JSON.stringify(l)} never occurs in the training split, only in ${where.slice(0, 5).join(', ')}${where.length > 5 ? ', ...' : ''}; a classifier cannot learn it (add training rows, drop these rows, or use --split-col)`,
      );
    }
  }
  for (const s of ['train', 'dev'] as const) {
    if (!examples.some((e) => e.split === s)) {
      throw new ChainruleError(`${file}: the ${s} split is empty (${examples.length} usable rows); add rows or give a --split-col`);
    }
  }
  if (!examples.some((e) => e.split === 'test')) warnings.push(`${file}: the test split is empty; test metrics will be missing`);
  if (positive !== undefined && !labels.includes(positive)) {
    throw new ChainruleError(`${file}: positive class ${JSON.stringify(positive)} is not a label (labels: ${labels.join(', ')})`);
  }
  let pos: string | null = positive ?? null;
  if (pos === null && labels.length === 2) {
    const [a, b] = labels;
    pos = (trainCount.get(b) ?? 0) <= (trainCount.get(a) ?? 0) ? b : a;
  }
  return { name: file, labels, positive: pos, examples, warnings };
}
