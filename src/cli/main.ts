import { ChainruleError } from '../errors.js';

/** A CLI command: receives its arguments (after the command name) and returns the exit code. */
export type Command = {
  summary: string;
  run: (argv: string[]) => Promise<number> | number;
};

/** The command table; each command module registers itself here with one line. */
export const commands: Record<string, Command> = {};

export function register(name: string, cmd: Command): void {
  commands[name] = cmd;
}

function usage(): string {
  const rows = Object.entries(commands)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
  return ['usage: chainrule <command> [options]', '', 'commands:', ...rows, '', 'chainrule <command> --help for its options'].join('\n');
}

/** Runs the CLI with the given arguments and returns the exit code (2 for usage and input errors). */
export async function main(argv: string[]): Promise<number> {
  await import('./commands.js');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`chainrule: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await cmd.run(rest);
  } catch (e) {
    if (e instanceof ChainruleError) {
      console.error(`chainrule ${name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
