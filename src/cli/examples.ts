import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChainruleError } from '../errors.js';
import { loadProblem } from '../explain/derivation/load.js';
import { positionals } from './args.js';
import type { Command } from './command.js';

// src/cli/examples.ts and dist/cli/examples.js both sit two levels below the package root
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The folder of the bundled example problems (shipped in the package). */
export const EXAMPLES_DIR = join(ROOT, 'examples', 'problems');
/** The reference page of the problem-file format (shipped in the package). */
export const FORMAT_DOC = join(ROOT, 'docs', 'problem-format.md');

/** The bundled problems: name (file name without .yaml), title, and whether answers come with it. */
export function bundledExamples(): { name: string; title: string; file: string; answers: string | null }[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.answers.yaml'))
    .sort()
    .map((f) => {
      const name = f.slice(0, -'.yaml'.length);
      const answers = join(EXAMPLES_DIR, `${name}.answers.yaml`);
      return { name, title: loadProblem(join(EXAMPLES_DIR, f)).title, file: join(EXAMPLES_DIR, f), answers: existsSync(answers) ? answers : null };
    });
}

function resolveInput(arg: string, suffix: string, what: string): string {
  if (existsSync(arg)) return arg;
  if (/^[\w.-]+$/.test(arg)) {
    const name = arg.endsWith(suffix) ? arg.slice(0, -suffix.length) : arg;
    const bundled = join(EXAMPLES_DIR, `${name}${suffix}`);
    if (existsSync(bundled)) return bundled;
  }
  throw new ChainruleError(`cannot read ${arg}: no such file, and no bundled ${what} of that name (chainrule examples lists them)`);
}

/**
 * A problem-file argument: an existing file, else the name of a bundled example (`network-n`).
 * @example problemPath('network-n').endsWith('/examples/problems/network-n.yaml') // true
 */
export function problemPath(arg: string): string {
  return resolveInput(arg, '.yaml', 'example problem');
}

/**
 * An answers-file argument: an existing file, else a bundled example's answers (`network-n`).
 * @example answersPath('network-n').endsWith('/examples/problems/network-n.answers.yaml') // true
 */
export function answersPath(arg: string): string {
  return resolveInput(arg, '.answers.yaml', 'answers file');
}

export const examples: Command = {
  name: 'examples',
  summary: 'list the example problems that come with chainrule (solve, check and graph take their names)',
  help: `usage: chainrule examples

Lists the example problem files bundled with chainrule: every numeric problem of the seed homework
sheets. solve, check and graph take a bundled problem by name from any folder:
  chainrule solve network-n
  chainrule check seed-001-relu-bce --answers seed-001-relu-bce
The files are in ${EXAMPLES_DIR}; copy one to start a problem of your own.
The file format: ${FORMAT_DOC}`,
  options: {},
  run: (args) => {
    positionals(args, 0, 'no arguments', 'examples');
    const rows = bundledExamples();
    const width = Math.max(...rows.map((r) => r.name.length));
    console.log('example problems (chainrule solve NAME; "answers" marks those with an answers file for chainrule check):');
    for (const r of rows) console.log(`  ${r.name.padEnd(width)}  ${r.answers ? 'answers' : '       '}  ${r.title}`);
    console.log(`\nfiles: ${EXAMPLES_DIR}\nformat: ${FORMAT_DOC}`);
    return 0;
  },
};
