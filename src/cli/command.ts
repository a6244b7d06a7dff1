import type { Args, OptionTable } from './args.js';

/**
 * A CLI command. Each command module exports one; src/cli/commands.ts lists them. `main` parses
 * the arguments against `options` (plus --help and --debug), prints `help` for --help, and calls
 * `run` with the rest; a command with `subcommands` dispatches on its first argument instead.
 */
export interface Command {
  /** the words that invoke it: 'solve', or 'textclf train' for a subcommand */
  name: string;
  /** one line for the command list */
  summary: string;
  /** the text of `chainrule help NAME` and `chainrule NAME --help` */
  help: string;
  options: OptionTable;
  run?: (args: Args) => Promise<number> | number;
  subcommands?: readonly Command[];
}
