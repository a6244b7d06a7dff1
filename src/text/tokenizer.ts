/** Options of {@link tokenize}. */
export interface TokenizerOptions {
  /** lower-case the text first (default true) */
  lowercase?: boolean;
  /** replace URLs with `<url>` (default true) */
  urls?: boolean;
  /** replace e-mail addresses with `<email>` (default true) */
  emails?: boolean;
  /** replace numbers (digits with optional . or , groups) with `<num>` (default true) */
  numbers?: boolean;
  /** keep the symbols ! ? $ € £ % as tokens of their own (default true) */
  symbols?: boolean;
  /** words longer than this become `<long>` (base64 debris, hashes); default 40 */
  maxTokenLength?: number;
}

export const URL_TOKEN = '<url>';
export const EMAIL_TOKEN = '<email>';
export const NUM_TOKEN = '<num>';
export const LONG_TOKEN = '<long>';

const TOKEN_RE =
  /(?<url>(?:https?|ftp):\/\/[^\s<>"'()]+|www\.[^\s<>"'()]+)|(?<email>[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)|(?<word>[\p{L}\p{N}]+(?:[.,]\p{N}+)*)|(?<sym>[!?$€£%])/gu;
const NUMBER_RE = /^\p{N}+(?:[.,]\p{N}+)*$/u;

/**
 * Splits text into tokens: Unicode words (runs of letters and digits, `\p{L}\p{N}`), with URLs,
 * e-mail addresses and numbers normalised to `<url>`, `<email>` and `<num>`.
 * @example text.tokenize('Win $1,000 NOW at http://x.com/a or mail me@x.org!')
 * // ['win', '$', '<num>', 'now', 'at', '<url>', 'or', 'mail', '<email>', '!']
 */
export function tokenize(text: string, opts: TokenizerOptions = {}): string[] {
  const { lowercase = true, urls = true, emails = true, numbers = true, symbols = true, maxTokenLength = 40 } = opts;
  const s = lowercase ? text.toLowerCase() : text;
  const out: string[] = [];
  for (const m of s.matchAll(TOKEN_RE)) {
    const g = m.groups!;
    if (g.url !== undefined) {
      if (urls) out.push(URL_TOKEN);
      else out.push(...wordsOf(g.url, numbers, maxTokenLength));
    } else if (g.email !== undefined) {
      if (emails) out.push(EMAIL_TOKEN);
      else out.push(...wordsOf(g.email, numbers, maxTokenLength));
    } else if (g.word !== undefined) {
      out.push(wordToken(g.word, numbers, maxTokenLength));
    } else if (symbols) {
      out.push(g.sym);
    }
  }
  return out;
}

function wordToken(w: string, numbers: boolean, maxLen: number): string {
  if (numbers && NUMBER_RE.test(w)) return NUM_TOKEN;
  return w.length > maxLen ? LONG_TOKEN : w;
}

function wordsOf(s: string, numbers: boolean, maxLen: number): string[] {
  return Array.from(s.matchAll(/[\p{L}\p{N}]+(?:[.,]\p{N}+)*/gu), (m) => wordToken(m[0], numbers, maxLen));
}

/**
 * Word n-grams of a token list for every n in [minN, maxN], joined with a space, unigrams first.
 * @example text.ngrams(['a', 'b', 'c'], 1, 2) // ['a', 'b', 'c', 'a b', 'b c']
 */
export function ngrams(tokens: readonly string[], minN = 1, maxN = 2): string[] {
  const out: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= tokens.length; i++) out.push(n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' '));
  }
  return out;
}
