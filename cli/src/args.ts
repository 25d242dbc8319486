import { closestMatches } from '../../core/src/names';

/**
 * The CLI's option tables: each verb declares its options once (`CommandSpec`), and both the
 * parser and `--help` read that declaration, so the help cannot drift from what is accepted.
 */

/** One option of a verb. */
export interface OptionSpec {
  /** Long name without dashes (`format`). */
  name: string;
  /** Placeholder of the value (`<id>`, `text|json`); an option without one stands alone. */
  value?: string;
  description: string;
  /** The value used when the option is not given, as shown in help. */
  default?: string;
  /** An environment variable read when the option is not given. */
  env?: string;
  /** May be given several times; every value is kept (`flagValues`). */
  repeatable?: boolean;
  /** A one-letter alias (`o` for `-o`). */
  alias?: string;
}

/** One verb: its usage, options, the environment it reads and two examples. */
export interface CommandSpec {
  name: string;
  /** Positional arguments as shown in the usage line (`<file.filter.yaml>`). */
  args: string;
  /** One line: what the verb does. */
  summary: string;
  /** More about the verb, printed under the usage line in help. */
  details?: string;
  options: OptionSpec[];
  /** Environment variables read besides those of options. */
  env?: Array<{ name: string; description: string }>;
  examples: [string, string];
}

/** Command-line arguments: positional values and `--flag value` / `--flag=value` / boolean flags. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  /** Every value of each option, in order (for repeatable options). */
  lists: Map<string, string[]>;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: Pick<CommandSpec, 'options'>): ParsedArgs {
  const byName = new Map<string, OptionSpec>();
  for (const o of spec.options) {
    byName.set(o.name, o);
    if (o.alias) byName.set(o.alias, o);
  }
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const written = eq > 0 ? a.slice(0, eq) : a;
    const option = byName.get(written.replace(/^-+/, ''));
    if (!option || (!option.value && eq > 0)) {
      const known = spec.options.map(o => o.name);
      const near = closestMatches(written.replace(/^-+/, ''), known, 1);
      throw new UsageError(`unknown option ${written}${near.length ? ` (did you mean --${near[0]}?)` : known.length ? ` (options: ${known.map(k => `--${k}`).join(', ')})` : ''}`);
    }
    if (!option.value) {
      flags.set(option.name, true);
      continue;
    }
    const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new UsageError(`option --${option.name} needs a value (${option.value})`);
    if (flags.has(option.name) && !option.repeatable) throw new UsageError(`option --${option.name} is given twice`);
    flags.set(option.name, v);
    lists.set(option.name, [...(lists.get(option.name) ?? []), v]);
  }
  return { positionals, flags, lists };
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** Every value given to a repeatable option. */
export function flagValues(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}

/** A whole number of at least 0, or the fallback when the option is not given. */
export function countOf(args: ParsedArgs, name: string, fallback: number | undefined): number | undefined {
  const text = flagValue(args, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} needs a whole number (got "${text}")`);
  return n;
}
