import { derive } from '../explain/derivation/derivation.js';
import { solveFile } from '../explain/derivation/load.js';
import { FORMATS, type Format } from '../explain/render/render.js';
import { render } from '../explain/render/render-html.js';
import { choiceOption, intOption, positionals } from './args.js';
import type { Command } from './command.js';
import { FORMAT_DOC, problemPath } from './examples.js';
import { formatOfPath, writeOutput } from './output.js';

const EXT: Record<string, Format> = { md: 'md', markdown: 'md', tex: 'tex', txt: 'text', html: 'html', htm: 'html', json: 'json' };

export const solve: Command = {
  name: 'solve',
  summary: 'the worked solution of a problem file (forward, backward, update), as text, md, tex, html or json',
  help: `usage: chainrule solve FILE|NAME [--format md|tex|text|html|json] [--digits N] [--symbolic] [-o OUT]

Writes the worked solution of a problem file: the forward pass (definition, values substituted,
result), the backward pass in reverse topological order (each local derivative as a formula, then
the numbers), the parameter gradients, the SGD step, the loss after it, and the \`then\` section.
FILE is a problem file (YAML), or NAME a bundled example (chainrule examples lists them).
The file format: ${FORMAT_DOC}
  --format     text (default on a terminal), md (default otherwise), tex, html, json;
               with -o, taken from OUT's extension (.txt .md .tex .html .json) unless given
  --digits     significant digits shown (default 6; json keeps full precision)
  --symbolic   also give d(from)/d(name) for every input, param and node as one formula
  -o, --output write to this file (atomically; nothing is written on an error)`,
  options: { format: { type: 'string', short: 'f' }, digits: { type: 'string' }, symbolic: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  run: (args) => {
    const [file] = positionals(args, 1, 'one problem file', 'solve');
    const out = args.values.get('output');
    const format = choiceOption(args, 'format', FORMATS, undefined) ?? (out ? formatOfPath(out, EXT) : process.stdout.isTTY ? 'text' : 'md');
    const digits = intOption(args, 'digits', 6, 1, 17);
    const path = problemPath(file);
    const text = render(derive(solveFile(path), { symbolic: args.switches.has('symbolic') }), format, { digits });
    if (out) writeOutput(out, text, [path]);
    else process.stdout.write(text);
    return 0;
  },
};
