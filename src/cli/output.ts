import { extname } from 'node:path';
import { ChainruleError } from '../errors.js';
import { sameFile, writeFileAtomic } from '../io/fs.js';

/**
 * Writes a command's -o file atomically (temporary file, fsync, rename), refusing to write over
 * one of the command's own input files.
 * @example
 * ```ts
 * const { mkdtempSync, readFileSync } = await import('node:fs');
 * const { tmpdir } = await import('node:os');
 * const out = `${mkdtempSync(`${tmpdir()}/chainrule-out-`)}/g.svg`;
 * writeOutput(out, '<svg/>', ['network-n.yaml']);
 * readFileSync(out, 'utf8') // '<svg/>'
 * ```
 */
export function writeOutput(out: string, data: string | Uint8Array, inputs: readonly string[] = []): void {
  for (const input of inputs) {
    if (sameFile(out, input)) throw new ChainruleError(`-o ${out} is the input file ${input}; give another output path (nothing was written)`);
  }
  writeFileAtomic(out, data);
}

/**
 * The format an -o file name asks for, from its extension; an unknown or missing extension is
 * an error that lists the known ones (so `-o out.xyz` never silently writes something else).
 * @example formatOfPath('g.svg', { svg: 'svg', dot: 'dot' }) // 'svg'
 */
export function formatOfPath<F>(out: string, byExtension: Record<string, F>, formatOption = true): F {
  const ext = extname(out).slice(1).toLowerCase();
  const f = Object.hasOwn(byExtension, ext) ? byExtension[ext] : undefined;
  if (f !== undefined) return f;
  const known = Object.keys(byExtension)
    .map((e) => `.${e}`)
    .join(', ');
  throw new ChainruleError(
    `-o ${out}: ${ext ? `unknown extension .${ext}` : 'no extension'}; use one of ${known}${formatOption ? ', or give --format' : ''} (nothing was written)`,
  );
}
