/**
 * Decodes file bytes as text: a UTF-8 BOM is dropped, UTF-16 (with BOM) is honoured, and
 * invalid UTF-8 becomes U+FFFD with one warning per affected line (`file:line: ...`).
 * @example decodeText(Buffer.from([0x61, 0xff, 0x0a]), 'x.csv').warnings // ['x.csv:1: invalid UTF-8 bytes replaced by U+FFFD']
 */
export function decodeText(bytes: Uint8Array, file: string): { text: string; warnings: string[] } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), warnings: [] };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), warnings: [] };
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), warnings: [] };
  } catch {
    const warnings: string[] = [];
    let start = 0;
    let line = 1;
    const strict = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 0x0a) {
        try {
          strict.decode(body.subarray(start, i));
        } catch {
          warnings.push(`${file}:${line}: invalid UTF-8 bytes replaced by U+FFFD`);
        }
        start = i + 1;
        line++;
      }
    }
    return { text: new TextDecoder('utf-8').decode(body), warnings };
  }
}
