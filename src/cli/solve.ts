import { derive } from '../explain/derivation/derivation.js';
import { solveFile } from '../explain/derivation/load.js';
import type { Solution } from '../explain/derivation/evaluate.js';
import { dotToSvg, modelToDot, modelToMermaid } from '../explain/graph/graph.js';
import { graphModel } from '../explain/graph/graph-model.js';
import { problemGraph } from '../explain/graph/graph-problem.js';
import type { RenderOptions } from '../explain/render/render.js';
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
  --symbolic   also give d(from)/d(name) for every input, param and node as one formula,
               in textbook form where one applies (σ(1−σ) as o(1−o), softmax − onehot, 1 − tanh²);
               says why when there is nothing to differentiate
  -o, --output write to this file (atomically; nothing is written on an error)`,
  options: { format: { type: 'string', short: 'f' }, digits: { type: 'string' }, symbolic: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
  run: async (args) => {
    const [file] = positionals(args, 1, 'one problem file', 'solve');
    const out = args.values.get('output');
    const format = choiceOption(args, 'format', FORMATS, undefined) ?? (out ? formatOfPath(out, EXT) : process.stdout.isTTY ? 'text' : 'md');
    const digits = intOption(args, 'digits', 6, 1, 17);
    const path = problemPath(file);
    const sol = solveFile(path);
    const graph = format === 'html' ? await htmlGraph(sol) : format === 'md' ? mdGraph(sol) : undefined;
    const text = render(derive(sol, { symbolic: args.switches.has('symbolic') }), format, { digits, graph });
    if (out) writeOutput(out, text, [path]);
    else process.stdout.write(text);
    return 0;
  },
};

/** The graph an html solution embeds: the default view, and every op when that view is collapsed. */
async function htmlGraph(sol: Solution): Promise<RenderOptions['graph']> {
  const main = problemGraph(sol, { view: 'auto' });
  const svg = await dotToSvg(modelToDot(graphModel(main.roots, main.opts)));
  if (!main.opts.collapse) return { svg };
  const full = problemGraph(sol, { view: 'ops', legend: false });
  return { svg, svgFull: await dotToSvg(modelToDot(graphModel(full.roots, full.opts))) };
}

/** The graph a Markdown solution embeds, as a Mermaid flowchart (GitHub draws it). */
function mdGraph(sol: Solution): RenderOptions['graph'] {
  const g = problemGraph(sol, { view: 'auto' });
  return { mermaid: modelToMermaid(graphModel(g.roots, g.opts)) };
}
