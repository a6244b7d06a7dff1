import { ChainruleError } from '../errors.js';

type SimpleParser = typeof import('mailparser').simpleParser;
let parser: Promise<SimpleParser> | null = null;

/** mailparser is an optional install: only the e-mail features (SpamAssassin, predict --email) load it. */
function mailparser(): Promise<SimpleParser> {
  parser ??= import('mailparser').then(
    (m) => m.simpleParser,
    () => {
      parser = null;
      throw new ChainruleError('parsing e-mails needs the optional package mailparser: npm install mailparser');
    },
  );
  return parser;
}

/** The parts of one e-mail message used for classification. */
export interface ParsedEmail {
  /** the header block, unfolded, one `Name: value` per line */
  headers: string;
  subject: string;
  /** decoded body text (quoted-printable/base64 decoded, charsets converted, HTML turned to text) */
  body: string;
  /** set when the message could not be parsed as MIME and was read as Latin-1 text instead */
  fallback?: string;
}

/** Replaces C0 control characters other than tab, newline and carriage return (and DEL) by spaces. */
function clean(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) {
      out += `${s.slice(from, i)} `;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

function splitRaw(raw: Buffer): { head: string; body: string } {
  const text = raw.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, body: '' };
  return { head: text.slice(0, m.index), body: text.slice(m.index + m[0].length) };
}

/**
 * Parses a raw RFC 822 message with mailparser: decodes quoted-printable and base64 parts,
 * converts charsets (undecodable bytes become U+FFFD, never an error) and turns HTML-only
 * bodies into text. A message mailparser rejects is read as Latin-1 with its header block split
 * off at the first blank line, and `fallback` says why. Needs the optional package mailparser.
 * @example (await parseEmail(Buffer.from('Subject: hi\n\n<b>x</b>'))).subject // 'hi'
 */
export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  const simpleParser = await mailparser();
  try {
    const m = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true, skipHtmlToText: false });
    const headers = m.headerLines.map((h) => h.line.replace(/\r?\n[ \t]+/g, ' ')).join('\n');
    let body = m.text ?? '';
    if (!body.trim() && typeof m.html === 'string') body = m.html.replace(/<[^>]*>/g, ' ');
    return { headers: clean(headers), subject: clean(m.subject ?? ''), body: clean(body) };
  } catch (e) {
    const { head, body } = splitRaw(raw);
    const subj = /^subject:[ \t]*(.*)$/im.exec(head);
    return { headers: clean(head), subject: clean(subj ? subj[1] : ''), body: clean(body), fallback: (e as Error).message };
  }
}

/** The two input views of an e-mail: `full` (headers and body) and `body` (Subject and body). */
export type EmailView = 'full' | 'body';

/**
 * The text of one view of a parsed message.
 * @example emailView({ headers: 'From: a', subject: 's', body: 'b' }, 'body') // 's\n\nb'
 */
export function emailView(m: ParsedEmail, view: EmailView): string {
  return view === 'full' ? `${m.headers}\n\n${m.body}` : `${m.subject}\n\n${m.body}`;
}
