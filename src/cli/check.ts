import { readFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { parseAnswers } from '../explain/problem/answers.js';
import { checkAnswers, formatReport } from '../explain/check/check.js';
import { derive } from '../explain/derivation/derivation.js';
import { solveFile } from '../explain/derivation/load.js';
import { intOption, positionals } from './args.js';
import type { Command } from './command.js';
import { FORMAT_DOC, answersPath, problemPath } from './examples.js';

export const check: Command = {
  name: 'check',
  summary: "check a student's claimed answers to a problem file and name the first wrong step",
  help: `usage: chainrule check FILE|NAME --answers ANSWERS.yaml [--digits N]

Checks claimed answers against the problem's worked solution. The answers file has the sections
values, grads, updated and after (name: number or nested list; one number for a matrix claims every
element). Each number is taken at the precision it is written (0.0020032 claims five significant
digits; the last digit may be off by one). Prints every claim as right or wrong with the correct
value, then the wrong ones in dependency order (the first is the first wrong step) with a likely
cause where one is recognisable. Exit code 1 when any claim is wrong, 2 for bad input.
FILE and ANSWERS may name a bundled example (chainrule check network-n --answers network-n).
The file formats: ${FORMAT_DOC}
  -a, --answers  the answers file (required)
  --digits       significant digits of the correct values shown (default 12)`,
  options: { answers: { type: 'string', short: 'a' }, digits: { type: 'string' } },
  run: (args) => {
    const [file] = positionals(args, 1, 'one problem file', 'check');
    const answersArg = args.values.get('answers');
    if (!answersArg) throw new ChainruleError('--answers ANSWERS.yaml is required (chainrule check --help)');
    const digits = intOption(args, 'digits', 12, 1, 17);
    const answers = answersPath(answersArg);
    let text: string;
    try {
      text = readFileSync(answers, 'utf8');
    } catch (e) {
      throw new ChainruleError(`cannot read ${answers}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const claims = parseAnswers(text, answers);
    const report = checkAnswers(derive(solveFile(problemPath(file))), claims);
    process.stdout.write(formatReport(report, digits));
    return report.ok ? 0 : 1;
  },
};
