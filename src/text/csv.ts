import { ChainruleError } from '../errors.js';

/** One CSV record and the line it starts on (1-based). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

const isBreak = (text: string, i: number) => text[i] === '\n' || (text[i] === '\r' && text[i + 1] === '\n');

/**
 * Parses CSV (RFC 4180): fields separated by commas, records by \n or \r\n; a field in double
 * quotes may hold commas, line breaks and "" for a quote. Blank lines are skipped. Errors name
 * `file:line:col` of the cause: an unclosed quote at the quote that opens it, a quote inside an
 * unquoted field, or text after a closing quote.
 * @example parseCsv('a,b\n"x, y",2\n', 'f.csv')[1] // { fields: ['x, y', '2'], line: 2 }
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (at: number, what: string) => new ChainruleError(`${file}:${line}:${at - lineStart + 1}: ${what}`);
  while (i < text.length) {
    const record: CsvRecord = { fields: [], line };
    let quoted = false;
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        quoted = true;
        const open = { line, col: i - lineStart + 1 };
        i++;
        for (;;) {
          if (i >= text.length) {
            throw new ChainruleError(`${file}:${open.line}:${open.col}: the quoted field opened here is never closed (a quote inside a quoted field is written "")`);
          }
          if (text[i] === '"') {
            if (text[i + 1] !== '"') break;
            value += '"';
            i += 2;
            continue;
          }
          if (text[i] === '\n') {
            line++;
            lineStart = i + 1;
          }
          value += text[i++];
        }
        i++;
        if (i < text.length && text[i] !== ',' && !isBreak(text, i)) throw fail(i, `unexpected ${JSON.stringify(text[i])} after a closing quote (a quote inside a quoted field is written "")`);
      } else {
        const start = i;
        for (; i < text.length && text[i] !== ',' && !isBreak(text, i); i++) {
          if (text[i] === '"') throw fail(i, 'a quote inside an unquoted field (quote the whole field and double the quote: "a ""b"" c")');
        }
        value = text.slice(start, i);
      }
      record.fields.push(value);
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (i < text.length) {
        i += text[i] === '\r' ? 2 : 1;
        line++;
        lineStart = i;
      }
      break;
    }
    if (quoted || record.fields.length > 1 || record.fields[0].trim() !== '') records.push(record);
  }
  return records;
}
