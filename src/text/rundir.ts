import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ChainruleError } from '../errors.js';

/**
 * Builds a run folder atomically: `build` writes into a fresh temporary sibling directory; only
 * when it returns is that directory renamed into place (an existing folder is moved aside first
 * and deleted afterwards). If `build` throws, the temporary directory is removed and any previous
 * folder stays untouched, so a half-written folder never replaces a good one.
 * @example await writeRunDir('runs/cnn', async (tmp) => writeFileSync(join(tmp, 'a.txt'), 'x'));
 */
export async function writeRunDir(out: string, build: (dir: string) => Promise<void> | void): Promise<void> {
  const target = resolve(out);
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Date.now()}`;
  const tmp = join(parent, `.${basename(target)}.tmp-${stamp}`);
  mkdirSync(tmp);
  try {
    await build(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = join(parent, `.${basename(target)}.old-${stamp}`);
  const had = existsSync(target);
  if (had) renameSync(target, old);
  try {
    renameSync(tmp, target);
  } catch (e) {
    if (had) renameSync(old, target);
    rmSync(tmp, { recursive: true, force: true });
    throw new ChainruleError(`cannot move the finished run into ${out}: ${(e as Error).message}`);
  }
  if (had) rmSync(old, { recursive: true, force: true });
}

/**
 * Writes a text file inside a run folder being built (nothing for empty content).
 * @example writeIn(tmpDir, 'report.md', '# Report')
 */
export function writeIn(dir: string, name: string, content: string): void {
  if (content) writeFileSync(join(dir, name), content);
}
