import { ChainruleError } from '../errors.js';

/** One option of a command: a string value, a switch, or a value that may repeat. */
export interface OptionSpec {
  type: 'string' | 'boolean' | 'list';
  short?: string;
}

/** The options of a command, by long name (without the leading `--`). */
export type OptionTable = Record<string, OptionSpec>;

/** Parsed command line: positional arguments, and option values by long name. */
export interface Args {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
  lists: Map<string, string[]>;
  /** the arguments as given */
  raw: readonly string[];
}

/** Options every command takes. */
export const COMMON_OPTIONS: OptionTable = { help: { type: 'boolean', short: 'h' }, debug: { type: 'boolean' } };

/**
 * Parses a command line against an option table (plus --help and --debug). A value option takes
 * the next argument even when it starts with '-' (so `--range -4,4` works, and `--epochs -1`
 * reaches the check of --epochs), or `--name=value`. Unknown options, a missing value and a value
 * given to a switch are errors that name the option and the command.
 * @example parseArgs(['f.yaml', '-o', 'g.svg'], { output: { type: 'string', short: 'o' } }, 'graph').values.get('output') // 'g.svg'
 */
export function parseArgs(argv: readonly string[], table: OptionTable, command: string): Args {
  const all = { ...table, ...COMMON_OPTIONS };
  const shorts = new Map(Object.entries(all).flatMap(([name, o]) => (o.short ? [[o.short, name] as const] : [])));
  const out: Args = { positional: [], values: new Map(), switches: new Set(), lists: new Map(), raw: argv };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^(--?)([^=]+)(?:=([\s\S]*))?$/.exec(a);
    // a lone '-' and negative numbers are arguments, not options
    if (!m || a === '-' || /^-\d/.test(a)) {
      out.positional.push(a);
      continue;
    }
    const name = m[1] === '-' ? shorts.get(m[2]) : m[2];
    const spec = name === undefined ? undefined : all[name];
    if (name === undefined || spec === undefined) throw new ChainruleError(`unknown option ${m[1]}${m[2]} (chainrule ${command} --help lists the options)`);
    if (spec.type === 'boolean') {
      if (m[3] !== undefined) throw new ChainruleError(`--${name} takes no value (got ${a})`);
      out.switches.add(name);
      continue;
    }
    const v = m[3] ?? argv[++i];
    if (v === undefined) throw new ChainruleError(`--${name} needs a value (chainrule ${command} --help)`);
    if (spec.type === 'list') out.lists.set(name, [...(out.lists.get(name) ?? []), v]);
    else out.values.set(name, v);
  }
  return out;
}

function badValue(name: string, what: string, raw: string): ChainruleError {
  return new ChainruleError(`--${name} must be ${what} (got ${JSON.stringify(raw)})`);
}

/**
 * A number option, or `dflt` when absent; `check` decides what is allowed and `what` says it.
 * @example numberOption(parseArgs(['--lr', '0.5', '--epochs', '3', '--direction', 'TB', 'net.yaml'], { lr: { type: 'string' }, epochs: { type: 'string' }, direction: { type: 'string' } }, 'demo'), 'lr', 0.01, (v) => v > 0, 'a positive number') // 0.5
 */
export function numberOption<T extends number | undefined>(args: Args, name: string, dflt: T, check: (v: number) => boolean, what: string): number | T {
  const raw = args.values.get(name);
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw badValue(name, what, raw);
  return v;
}

/**
 * An integer option in [min, max], or `dflt` when absent.
 * @example intOption(parseArgs(['--lr', '0.5', '--epochs', '3', '--direction', 'TB', 'net.yaml'], { lr: { type: 'string' }, epochs: { type: 'string' }, direction: { type: 'string' } }, 'demo'), 'epochs', undefined, 1) // 3
 */
export function intOption<T extends number | undefined>(args: Args, name: string, dflt: T, min: number, max = Number.MAX_SAFE_INTEGER): number | T {
  const what =
    max === Number.MAX_SAFE_INTEGER ? (min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`) : `an integer from ${min} to ${max}`;
  return numberOption(args, name, dflt, (v) => Number.isInteger(v) && v >= min && v <= max, what);
}

/**
 * A string option that must be one of `choices`, or `dflt` when absent.
 * @example choiceOption(parseArgs(['--lr', '0.5', '--epochs', '3', '--direction', 'TB', 'net.yaml'], { lr: { type: 'string' }, epochs: { type: 'string' }, direction: { type: 'string' } }, 'demo'), 'direction', ['LR', 'TB'], 'LR') // 'TB'
 */
export function choiceOption<const C extends string, T extends C | undefined>(args: Args, name: string, choices: readonly C[], dflt: T): C | T {
  const raw = args.values.get(name);
  if (raw === undefined) return dflt;
  if (!(choices as readonly string[]).includes(raw)) {
    throw badValue(name, `${choices.slice(0, -1).join(', ')}${choices.length > 1 ? ' or ' : ''}${choices[choices.length - 1]}`, raw);
  }
  return raw as C;
}

/**
 * Exactly `n` positional arguments, else an error naming what was expected.
 * @example positionals(parseArgs(['--lr', '0.5', '--epochs', '3', '--direction', 'TB', 'net.yaml'], { lr: { type: 'string' }, epochs: { type: 'string' }, direction: { type: 'string' } }, 'demo'), 1, 'one problem file', 'demo') // ['net.yaml']
 */
export function positionals(args: Args, n: number, what: string, command: string): string[] {
  if (args.positional.length !== n) {
    const got = args.positional.length === 0 ? 'none' : args.positional.map((p) => JSON.stringify(p)).join(' ');
    throw new ChainruleError(`expected ${what}, got ${got} (chainrule ${command} --help)`);
  }
  return args.positional;
}
