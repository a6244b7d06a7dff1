import { writeFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { dotToSvg, modelToDot, modelToMermaid } from '../explain/graph.js';
import { graphModel } from '../explain/graph-model.js';
import { problemGraph } from '../explain/graph-problem.js';
import { solveFile } from '../explain/load.js';
import { numberFlag, parseFlags } from './graph-args.js';
import { register } from './main.js';

const HELP = `usage: chainrule graph FILE [--format dot|svg|mermaid] [-o OUT] [--digits N] [--inline N] [--direction LR|TB]

Draws the computation graph of a problem file: a node per value (name, value, gradient) and a node
per op between them. Gradients are d(backward.from)/d(node) times the problem's seed.
  --format     dot (default; or taken from OUT's extension: .svg, .mmd), svg (Graphviz in WebAssembly), mermaid
  -o, --output write to this file instead of standard output
  --digits     significant digits of printed numbers (default 4)
  --inline     print values of tensors with at most N elements (default 1: scalars); larger ones as "2×3, |x|max 4.1"
  --direction  LR (default) or TB`;

const FORMATS = ['dot', 'svg', 'mermaid'] as const;
type Format = (typeof FORMATS)[number];

function formatFor(explicit: string | undefined, out: string | undefined): Format {
  if (explicit !== undefined) {
    if (!(FORMATS as readonly string[]).includes(explicit)) throw new ChainruleError(`--format must be dot, svg or mermaid (got ${JSON.stringify(explicit)})`);
    return explicit as Format;
  }
  if (out?.endsWith('.svg')) return 'svg';
  if (out?.endsWith('.mmd') || out?.endsWith('.mermaid')) return 'mermaid';
  return 'dot';
}

register('graph', {
  summary: 'the computation graph of a problem file with values and gradients (dot, svg, mermaid)',
  run: async (argv) => {
    const f = parseFlags(argv, { values: ['format', 'output', 'digits', 'inline', 'direction'], switches: ['help'], aliases: { o: 'output', f: 'format', h: 'help' } }, 'graph');
    if (f.switches.has('help')) {
      console.log(HELP);
      return 0;
    }
    if (f.positional.length !== 1) throw new ChainruleError(`expected one problem file, got ${f.positional.length}\n\n${HELP}`);
    const out = f.values.get('output');
    const format = formatFor(f.values.get('format'), out);
    const digits = numberFlag(f, 'digits', 4, 'graph', (v) => Number.isInteger(v) && v >= 1 && v <= 17, 'an integer from 1 to 17');
    const inline = numberFlag(f, 'inline', 1, 'graph', (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    const direction = f.values.get('direction') ?? 'LR';
    if (direction !== 'LR' && direction !== 'TB') throw new ChainruleError(`--direction must be LR or TB (got ${JSON.stringify(direction)})`);
    const { roots, opts } = problemGraph(solveFile(f.positional[0]), { digits, inline, direction });
    const model = graphModel(roots, opts);
    const text = format === 'svg' ? await dotToSvg(modelToDot(model)) : format === 'mermaid' ? modelToMermaid(model) : modelToDot(model);
    if (out) writeFileSync(out, text);
    else process.stdout.write(text);
    return 0;
  },
});
