import type { Expr, OnlySequence, Rule } from '../../../core/src/rule/ast';
import { walkExpr } from '../../../core/src/rule/walk';
import { compileToSql } from '../../../core/src/sql/compile';
import { SQL_DIALECTS } from '../../../core/src/sql/dialects';
import { flagValue, oneOf, parseArgs, UsageError } from '../args';
import type { CommandIO } from '../io';
import { loadFilter, ruleLocation } from './export';

/**
 * `audience-filters sql <file.filter.yaml> --dialect duckdb|postgres|clickhouse|spark|trino [--table events]
 *   [--person-column person_id] [--namespace-column namespace] [--timestamp-column <col>] [--session-column <col>] [--order-column <col>]`
 *
 * Prints one query returning the filter's audience (namespace, id). A fixed `period` becomes a
 * time condition; a relative one (`last 30 days`) depends on the data and is left to the caller
 * (noted on stderr). Constructs that do not compile are errors with the rule location; exit 1.
 */
export function runSql(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, { values: ['dialect', 'table', 'person-column', 'namespace-column', 'timestamp-column', 'session-column', 'order-column'] });
  if (args.positionals.length !== 1) throw new UsageError('sql needs exactly one filter file');
  if (!flagValue(args, 'dialect')) throw new UsageError(`sql needs --dialect (${SQL_DIALECTS.join(', ')})`);
  const dialect = oneOf(flagValue(args, 'dialect'), SQL_DIALECTS, 'dialect', 'duckdb');
  const loaded = loadFilter(args.positionals[0], io, 'sql');
  if (!loaded) return 1;
  const period = loaded.file.period;
  if (period?.kind === 'last') io.err(`note: the period \`last ${period.count} ${period.unit}${period.count === 1 ? '' : 's'}\` is relative to the newest event and is not applied; filter the table's time range yourself.`);
  // The compiler (being reworked) has no `only … per <scope>` yet: refuse it here rather than compile the wrong units.
  const scoped = findScopedOnly(loaded.file.rule!.root, loaded.resolveFilter);
  if (scoped) {
    io.err(`${ruleLocation(loaded, scoped.start, io)}: error sql-unsupported-only-scope: \`only ${scoped.mode} (…) per ${scoped.scope}\` (a sequence searched per ${scoped.scope} inside another container) does not compile to SQL yet; the engine (preview, members, publish) evaluates it.`);
    return 1;
  }
  const result = compileToSql(loaded.file.rule!, loaded.dataView, {
    dialect,
    table: flagValue(args, 'table') ?? 'events',
    personColumn: flagValue(args, 'person-column'),
    namespaceColumn: flagValue(args, 'namespace-column'),
    timestampColumn: flagValue(args, 'timestamp-column'),
    sessionColumn: flagValue(args, 'session-column'),
    orderColumn: flagValue(args, 'order-column'),
    window: period?.kind === 'range' ? { from: period.from, to: period.to } : undefined,
    resolveFilter: loaded.resolveFilter,
  });
  for (const p of result.problems) io.err(`${ruleLocation(loaded, p.start, io)}: error ${p.code}: ${p.message}`);
  if (!result.sql) return 1;
  io.out(`${result.sql};`);
  return 0;
}

/** The first `only … per <scope>` of a rule, looking through filter references (each followed once). */
function findScopedOnly(root: Expr | null, resolve: (id: string) => Rule | undefined, seen = new Set<string>()): OnlySequence | undefined {
  if (!root) return undefined;
  let found: OnlySequence | undefined;
  walkExpr(root, e => {
    if (found) return;
    if (e.kind === 'only' && e.scope) found = e;
    else if (e.kind === 'filterRef' && !seen.has(e.id.name)) {
      seen.add(e.id.name);
      const inner = findScopedOnly(resolve(e.id.name)?.root ?? null, resolve, seen);
      // A referenced filter's offsets are not this file's: point at the reference.
      if (inner) found = { ...inner, start: e.start, end: e.end };
    }
  });
  return found;
}
