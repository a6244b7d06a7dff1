import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { makeDirs, writeFileAtomic } from '../io/fs.js';

/**
 * The directory for derived data (parsed corpora): `$CHAINRULE_CACHE`, else
 * `node_modules/.cache/chainrule` under the working directory when node_modules exists, else
 * `<os tmpdir>/chainrule-cache`.
 */
export function cacheDir(): string {
  const env = process.env.CHAINRULE_CACHE;
  if (env) return env;
  try {
    const nm = join(process.cwd(), 'node_modules');
    readFileSync(join(nm, '.package-lock.json'));
    return join(nm, '.cache', 'chainrule');
  } catch {
    return join(tmpdir(), 'chainrule-cache');
  }
}

/**
 * Writes a cache file atomically (creating the cache folder when needed).
 * @example
 * ```ts
 * const { mkdtempSync, readFileSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const path = `${mkdtempSync(`${tmpdir()}/chainrule-cache-`)}/sub/x.json`;
 * writeCache(path, '{}');
 * readFileSync(path, 'utf8') // '{}'
 * ```
 */
export function writeCache(path: string, data: string | Uint8Array): void {
  makeDirs(dirname(path));
  writeFileAtomic(path, data, 'cache');
}

/** Reads and parses a JSON cache file; null when it is missing or unreadable. */
export function readJsonCache<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}
