import { dotToSvg, modelToDot, modelToMermaid } from '../explain/graph/graph.js';
import { graphModel } from '../explain/graph/graph-model.js';
import { problemGraph } from '../explain/graph/graph-problem.js';
import { solveFile } from '../explain/derivation/load.js';
import { choiceOption, intOption, positionals } from './args.js';
import type { Command } from './command.js';
import { problemPath } from './examples.js';
import { formatOfPath, writeOutput } from './output.js';

const FORMATS = ['dot', 'svg', 'mermaid'] as const;
const EXT = { dot: 'dot', gv: 'dot', svg: 'svg', mmd: 'mermaid', mermaid: 'mermaid' } as const;

export const graph: Command = {
  name: 'graph',
  summary: 'the computation graph of a problem file with values and gradients (dot, svg, mermaid)',
  help: `usage: chainrule graph FILE|NAME [--format dot|svg|mermaid] [-o OUT] [--digits N] [--inline N] [--direction LR|TB]

Draws the computation graph of a problem file (or a bundled example by NAME): a node per value
(name, value, gradient) and a node per op between them. Gradients are d(backward.from)/d(node)
times the problem's seed.
  -f, --format dot (the default on standard output), svg (Graphviz in WebAssembly), mermaid;
               with -o, taken from OUT's extension (.dot .gv .svg .mmd .mermaid) unless given
  -o, --output write to this file (atomically) instead of standard output
  --digits     significant digits of printed numbers (default 4)
  --inline     print values of tensors with at most N elements (default 1: scalars); larger ones as "2×3, |x|max 4.1"
  --direction  LR (default) or TB (top to bottom)
  --view       auto (default: one node per problem line when the graph has more than 12 ops),
               lines (one node per problem line), ops (every op)
  --no-legend  leave out the legend of node styles (inputs, parameters, constants, the loss)`,
  options: {
    format: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    digits: { type: 'string' },
    inline: { type: 'string' },
    direction: { type: 'string' },
    view: { type: 'string' },
    'no-legend': { type: 'boolean' },
  },
  run: async (args) => {
    const [file] = positionals(args, 1, 'one problem file', 'graph');
    const out = args.values.get('output');
    const format = choiceOption(args, 'format', FORMATS, undefined) ?? (out ? formatOfPath(out, EXT) : 'dot');
    const digits = intOption(args, 'digits', 4, 1, 17);
    const inline = intOption(args, 'inline', 1, 0);
    const direction = choiceOption(args, 'direction', ['LR', 'TB'], 'LR');
    const path = problemPath(file);
    const view = choiceOption(args, 'view', ['auto', 'lines', 'ops'], 'auto');
    const { roots, opts } = problemGraph(solveFile(path), { digits, inline, direction, view, legend: !args.switches.has('no-legend') });
    const model = graphModel(roots, opts);
    const text = format === 'svg' ? await dotToSvg(modelToDot(model)) : format === 'mermaid' ? modelToMermaid(model) : modelToDot(model);
    if (out) writeOutput(out, text, [path]);
    else process.stdout.write(text);
    return 0;
  },
};
