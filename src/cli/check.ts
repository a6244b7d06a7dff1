import { readFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { parseAnswers } from '../explain/answers.js';
import { checkAnswers, formatReport } from '../explain/check.js';
import { derive } from '../explain/derivation.js';
import { solveFile } from '../explain/load.js';
import { numberFlag, parseFlags } from './graph-args.js';
import { register } from './main.js';

const HELP = `usage: chainrule check FILE --answers ANSWERS.yaml [--digits N]

Checks claimed answers against the problem's worked solution. The answers file has the sections
values, grads, updated and after (name: number or nested list; one number for a matrix claims every
element). Each number is taken at the precision it is written (0.0020032 claims five significant
digits; the last digit may be off by one). Prints every claim as right or wrong with the correct
value, then the wrong ones in dependency order (the first is the first wrong step) with a likely
cause where one is recognisable. Exit code 1 when any claim is wrong, 2 for bad input.
  --digits     significant digits of the correct values shown (default 12)`;

register('check', {
  summary: "check a student's claimed answers to a problem file and name the first wrong step",
  run: (argv) => {
    const f = parseFlags(argv, { values: ['answers', 'digits'], switches: ['help'], aliases: { a: 'answers', h: 'help' } }, 'check');
    if (f.switches.has('help')) {
      console.log(HELP);
      return 0;
    }
    if (f.positional.length !== 1) throw new ChainruleError(`check: expected one problem file, got ${f.positional.length}\n\n${HELP}`);
    const answers = f.values.get('answers');
    if (!answers) throw new ChainruleError('check: --answers ANSWERS.yaml is required');
    const digits = numberFlag(f, 'digits', 12, 'check', (v) => Number.isInteger(v) && v >= 1 && v <= 17, 'an integer from 1 to 17');
    let text: string;
    try {
      text = readFileSync(answers, 'utf8');
    } catch (e) {
      throw new ChainruleError(`cannot read ${answers}: ${(e as Error).message}`);
    }
    const claims = parseAnswers(text, answers);
    const report = checkAnswers(derive(solveFile(f.positional[0])), claims);
    process.stdout.write(formatReport(report, digits));
    return report.ok ? 0 : 1;
  },
});
