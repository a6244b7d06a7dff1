import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { derive } from '../explain/derivation.js';
import { solveFile } from '../explain/load.js';
import { FORMATS, type Format } from '../explain/render.js';
import { render } from '../explain/render-html.js';
import { numberFlag, parseFlags } from './graph-args.js';
import { register } from './main.js';

const HELP = `usage: chainrule solve FILE [--format md|tex|text|html|json] [--digits N] [--symbolic] [-o OUT]

Writes the worked solution of a problem file: the forward pass (definition, values substituted,
result), the backward pass in reverse topological order (each local derivative as a formula, then
the numbers), the parameter gradients, the SGD step, the loss after it, and the \`then\` section.
  --format     text (default on a terminal), md (default otherwise), tex, html, json; or from OUT's extension
  --digits     significant digits shown (default 6; json keeps full precision)
  --symbolic   also give d(from)/d(name) for every input, param and node as one formula
  -o, --output write to this file (atomically; nothing is written on an error)`;

const EXT: Record<string, Format> = { md: 'md', markdown: 'md', tex: 'tex', txt: 'text', html: 'html', htm: 'html', json: 'json' };

/** Writes a file atomically: a temporary file in the same directory, then a rename over the target. */
export function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new ChainruleError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

register('solve', {
  summary: 'the worked solution of a problem file (forward, backward, update), as text, md, tex, html or json',
  run: (argv) => {
    const f = parseFlags(argv, { values: ['format', 'digits', 'output'], switches: ['symbolic', 'help'], aliases: { o: 'output', f: 'format', h: 'help' } }, 'solve');
    if (f.switches.has('help')) {
      console.log(HELP);
      return 0;
    }
    if (f.positional.length !== 1) throw new ChainruleError(`solve: expected one problem file, got ${f.positional.length}\n\n${HELP}`);
    const out = f.values.get('output');
    let format = f.values.get('format') as Format | undefined;
    if (format !== undefined && !FORMATS.includes(format)) throw new ChainruleError(`solve: --format must be one of ${FORMATS.join(', ')} (got ${JSON.stringify(format)})`);
    if (format === undefined) format = out ? (EXT[out.replace(/^.*\./, '').toLowerCase()] ?? 'md') : process.stdout.isTTY ? 'text' : 'md';
    const digits = numberFlag(f, 'digits', 6, 'solve', (v) => Number.isInteger(v) && v >= 1 && v <= 17, 'an integer from 1 to 17');
    const dv = derive(solveFile(f.positional[0]), { symbolic: f.switches.has('symbolic') });
    const text = render(dv, format, { digits });
    if (out) writeAtomic(out, text);
    else process.stdout.write(text);
    return 0;
  },
});
