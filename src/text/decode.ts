/**
 * Decodes file bytes as text: a UTF-8 BOM is dropped, UTF-16 (with BOM) is honoured, and
 * invalid UTF-8 becomes U+FFFD with one warning for the whole file: where the first bad byte is,
 * how many lines have one, and how to re-encode a Latin-1 file as UTF-8.
 * @example decodeText(Buffer.from([0x61, 0xff, 0x0a]), 'x.csv').warnings[0].startsWith('x.csv:1:2: not valid UTF-8') // true
 */
export function decodeText(bytes: Uint8Array, file: string): { text: string; warnings: string[] } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), warnings: [] };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), warnings: [] };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), warnings: [] };
  } catch {
    const text = new TextDecoder('utf-8').decode(body);
    const lines = text.split('\n');
    const bad = lines.flatMap((l, i) => (l.includes('\ufffd') ? [i] : []));
    const first = bad[0] ?? 0;
    const col = Math.max(0, lines[first]?.indexOf('\ufffd') ?? 0) + 1;
    const where = bad.length === 1 ? 'on 1 line' : `on ${bad.length} lines, the first here`;
    return {
      text,
      warnings: [
        `${file}:${first + 1}:${col}: not valid UTF-8 (${where}); those bytes were replaced by U+FFFD. If the file is Latin-1 (or Windows-1252), re-encode it as UTF-8, e.g. iconv -f latin1 -t utf-8 ${file} > utf8-${file.replace(/^.*[\\/]/, '')}`,
      ],
    };
  }
}
