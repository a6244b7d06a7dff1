import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

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
 * Writes a file atomically: the content goes to a temporary sibling first, which is then renamed
 * over the target, so readers see either the old file or the complete new one.
 * @example writeFileAtomic('/tmp/x.json', '{}')
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads and parses a JSON cache file; null when it is missing or unreadable. */
export function readJsonCache<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}
