import { compileToSql } from '../../../core/src/sql/compile';
import { SQL_DIALECTS } from '../../../core/src/sql/dialects';
import { flagValue, oneOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { ROOT_OPTION } from '../options';
import { loadFilter, ruleLocation } from './export';

const column = (name: string, description: string, fallback: string) => ({ name, value: '<col>', description, default: fallback });

export const SQL_COMMAND: CommandSpec = {
  name: 'sql',
  args: '<file.filter.yaml> --dialect <dialect>',
  summary: 'Prints one SQL query returning the audience (namespace, id) from an events table.',
  details: 'A fixed `period` becomes a time condition; a relative one (`last 30 days`) depends on the data and is left to the caller (noted on stderr).',
  options: [
    { name: 'dialect', value: SQL_DIALECTS.join('|'), description: 'the SQL dialect (required)' },
    { name: 'table', value: '<name>', description: 'the events table', default: 'events' },
    column('person-column', 'the person ID column', 'person_id'),
    column('namespace-column', 'the identity namespace column', 'namespace'),
    column('timestamp-column', "the event time column", "the data view's timestamp field"),
    column('session-column', 'the session ID column', "the data view's session field, else sessions by inactivity"),
    column('order-column', 'the column that orders events of the same time', 'none'),
    ROOT_OPTION,
  ],
  examples: ['audience-filters sql filters/buyers.filter.yaml --dialect duckdb', 'audience-filters sql filters/buyers.filter.yaml --dialect postgres --table analytics.events --person-column ecid'],
};

/**
 * `audience-filters sql <file.filter.yaml> --dialect duckdb|postgres|clickhouse|spark|trino [--table events]
 *   [--person-column person_id] [--namespace-column namespace] [--timestamp-column <col>] [--session-column <col>] [--order-column <col>]`
 *
 * Prints one query returning the filter's audience (namespace, id). A fixed `period` becomes a
 * time condition; a relative one (`last 30 days`) depends on the data and is left to the caller
 * (noted on stderr). Constructs that do not compile are errors with the rule location; exit 1.
 */
export function runSql(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, SQL_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('sql needs exactly one filter file');
  if (!flagValue(args, 'dialect')) throw new UsageError(`sql needs --dialect (${SQL_DIALECTS.join(', ')})`);
  const dialect = oneOf(flagValue(args, 'dialect'), SQL_DIALECTS, 'dialect', 'duckdb');
  const loaded = loadFilter(args.positionals[0], io, 'sql', flagValue(args, 'root'));
  if (!loaded) return 1;
  const period = loaded.file.period;
  if (period?.kind === 'last') io.err(`note: the period \`last ${period.count} ${period.unit}${period.count === 1 ? '' : 's'}\` is relative to the newest event and is not applied; filter the table's time range yourself.`);
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
