import { closestMatches } from '../../core/src/names';

/** Command-line arguments: positional values and `--flag value` / `--flag=value` / boolean flags. */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value. */
  values?: string[];
  /** Flags that stand alone. */
  booleans?: string[];
}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=');
      const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^-+/, '');
      if (values.has(name)) {
        const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`option --${name} needs a value`);
        flags.set(name, v);
      } else if (booleans.has(name) && eq < 0) {
        flags.set(name, true);
      } else {
        const known = [...values, ...booleans];
        const near = closestMatches(name, known, 1);
        throw new UsageError(`unknown option ${eq > 0 ? a.slice(0, eq) : a}${near.length ? ` (did you mean --${near[0]}?)` : known.length ? ` (options: ${known.map(k => `--${k}`).join(', ')})` : ''}`);
      }
    } else {
      positionals.push(a);
    }
  }
  return { positionals, flags };
}

export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
}
