import { readFileSync } from 'node:fs';
import { ChainruleError } from '../errors.js';
import { parseArgs } from './args.js';
import type { Command } from './command.js';
import { COMMANDS } from './commands.js';

/** The package version (src/cli/main.ts and dist/cli/main.js both sit two levels below package.json). */
export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function table(cmds: readonly Command[], prefix = ''): string[] {
  const width = Math.max(...cmds.map((c) => c.name.length - prefix.length));
  return cmds.map((c) => `  ${c.name.slice(prefix.length).padEnd(width)}  ${c.summary}`);
}

function usage(): string {
  return [
    'usage: chainrule [--version] [--debug] <command> [options]',
    '',
    'commands:',
    ...table(COMMANDS),
    '',
    'chainrule help <command> (or chainrule <command> --help) describes a command and its options.',
    '--debug (or CHAINRULE_DEBUG=1) prints the stack trace of an error; --version prints the version.',
  ].join('\n');
}

/** Finds the command named by the leading words of argv: ['textclf', 'train', ...] -> textclf train. */
function lookup(argv: readonly string[]): { cmd: Command | null; rest: string[]; unknown?: string } {
  const top = COMMANDS.find((c) => c.name === argv[0]);
  if (!top) return { cmd: null, rest: [], unknown: argv[0] };
  let cmd = top;
  let rest = argv.slice(1);
  while (cmd.subcommands && rest.length && !rest[0].startsWith('-')) {
    const sub = cmd.subcommands.find((c) => c.name === `${cmd.name} ${rest[0]}`);
    if (!sub) {
      if (rest[0] === 'help') return lookup([...cmd.name.split(' '), ...rest.slice(1), '--help']);
      return { cmd, rest, unknown: rest[0] };
    }
    cmd = sub;
    rest = rest.slice(1);
  }
  return { cmd, rest };
}

/** "solve: x" under `chainrule solve` prints once as "chainrule solve: x", not "chainrule solve: solve: x". */
function withoutPrefix(message: string, name: string): string {
  const words = name.split(' ');
  for (let n = words.length; n > 0; n--) {
    const p = `${words.slice(0, n).join(' ')}: `;
    if (message.startsWith(p)) return message.slice(p.length);
  }
  return message;
}

function report(e: unknown, name: string, debug: boolean): number {
  const where = `chainrule${name ? ` ${name}` : ''}`;
  if (e instanceof ChainruleError) {
    console.error(`${where}: ${withoutPrefix(e.message, name)}`);
    if (debug && e.stack) console.error(e.stack);
    return 2;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  const first = (err.message.split('\n')[0] || err.name).trim();
  console.error(`${where}: unexpected error: ${first}${debug ? '' : ' (run again with --debug for the stack trace)'}`);
  if (debug) console.error(err.stack ?? String(err));
  return 1;
}

/**
 * Runs the CLI with the given arguments and returns the exit code: 0 on success, 2 for usage and
 * input errors (a one-line message), 1 for an unexpected error (one line; --debug adds the stack).
 * @example await main(['solve', 'network-n', '-o', 'n.md']) // 0
 */
export async function main(argv: readonly string[]): Promise<number> {
  let debug = process.env.CHAINRULE_DEBUG === '1';
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const a = argv[i];
    if (a === '--debug') debug = true;
    else if (a === '--version' || a === '-v') {
      console.log(version());
      return 0;
    } else if (a === '--help' || a === '-h') {
      console.log(usage());
      return 0;
    } else {
      console.error(`chainrule: unknown option ${a}\n\n${usage()}`);
      return 2;
    }
  }
  const words = argv.slice(i);
  if (!words.length) {
    console.error(usage());
    return 2;
  }
  if (words[0] === 'help') {
    if (words.length === 1) {
      console.log(usage());
      return 0;
    }
    const { cmd, unknown } = lookup(words.slice(1));
    if (!cmd || unknown) {
      console.error(`chainrule help: no command ${JSON.stringify(words.slice(1).join(' '))} (chainrule help lists the commands)`);
      return 2;
    }
    console.log(cmd.help);
    return 0;
  }
  const { cmd, rest, unknown } = lookup(words);
  if (!cmd) {
    console.error(`chainrule: unknown command ${JSON.stringify(unknown)} (chainrule help lists the commands)`);
    return 2;
  }
  try {
    if (unknown) throw new ChainruleError(`unknown subcommand ${JSON.stringify(unknown)} (${cmd.subcommands?.map((c) => c.name.split(' ').pop()).join(', ')})`);
    const args = parseArgs(rest, cmd.options, cmd.name);
    if (args.switches.has('debug')) debug = true;
    if (args.switches.has('help')) {
      console.log(cmd.help);
      return 0;
    }
    if (!cmd.run) {
      console.error(cmd.help);
      return 2;
    }
    return await cmd.run(args);
  } catch (e) {
    return report(e, cmd.name, debug);
  }
}
