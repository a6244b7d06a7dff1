import { ChainruleError } from '../errors.js';

/** Parsed command line: positional arguments, and flag values by long name. */
export interface Flags {
  positional: string[];
  values: Map<string, string>;
  switches: Set<string>;
}

/**
 * A small flag parser for the graph and plot commands. Value flags take the next argument even
 * when it starts with '-' (so `--range -4,4` works), or `--flag=value`; short aliases map to long names.
 * @example parseFlags(['f.yaml', '-o', 'g.svg'], { values: ['output'], switches: [], aliases: { o: 'output' } }).values.get('output') // 'g.svg'
 */
export function parseFlags(
  argv: readonly string[],
  spec: { values: readonly string[]; switches: readonly string[]; aliases?: Record<string, string> },
  command: string,
): Flags {
  const out: Flags = { positional: [], values: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^(--?)([^=]+)(?:=(.*))?$/.exec(a);
    if (!m || a === '-') {
      out.positional.push(a);
      continue;
    }
    const name = m[1] === '-' ? spec.aliases?.[m[2]] : m[2];
    if (name && spec.values.includes(name)) {
      const v = m[3] ?? argv[++i];
      if (v === undefined) throw new ChainruleError(`--${name} needs a value`);
      out.values.set(name, v);
    } else if (name && spec.switches.includes(name) && m[3] === undefined) {
      out.switches.add(name);
    } else {
      throw new ChainruleError(`unknown option ${a} (see chainrule ${command} --help)`);
    }
  }
  return out;
}

/**
 * Parses a number flag, or returns the default when absent. Messages carry no command prefix: the
 * CLI's main adds "chainrule COMMAND:".
 */
export function numberFlag(f: Flags, name: string, dflt: number, _command: string, check: (v: number) => boolean, what: string): number {
  const raw = f.values.get(name);
  if (raw === undefined) return dflt;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v) || !check(v)) throw new ChainruleError(`--${name} must be ${what} (got ${JSON.stringify(raw)})`);
  return v;
}
