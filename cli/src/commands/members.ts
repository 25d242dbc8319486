import { oneOf, flagValue, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import { evaluateFlagsOf, evaluateOptionsOf, printLoadWarnings, reportFailure, serviceFor } from '../evaluateFile';
import type { CommandIO } from '../io';
import { DATAVIEW_OPTION, maxBadRowsOption, SAMPLE_OPTIONS, SOURCE_OPTION } from '../options';

export const MEMBERS_COMMAND: CommandSpec = {
  name: 'members',
  args: '<file.filter.yaml>',
  summary: 'Prints the audience, one identity per person, sorted by namespace then id, as it streams in (from a warehouse, batch by batch).',
  options: [
    { name: 'format', value: 'ndjson|csv|json', description: 'one JSON object per line, CSV with a header, or one JSON array', default: 'ndjson' },
    DATAVIEW_OPTION,
    SOURCE_OPTION,
    maxBadRowsOption('no limit'),
    ...SAMPLE_OPTIONS,
  ],
  examples: ['audience-filters members filters/buyers.filter.yaml --format csv > buyers.csv', 'audience-filters members filters/buyers.filter.yaml --source warehouse | head -5'],
};

/** `audience-filters members <file.filter.yaml>`: see MEMBERS_COMMAND. */
export async function runMembers(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, MEMBERS_COMMAND);
  const format = oneOf(flagValue(args, 'format'), ['ndjson', 'csv', 'json'] as const, 'format', 'ndjson');
  if (args.positionals.length !== 1) throw new UsageError('members needs exactly one filter file');
  const file = args.positionals[0];
  const flags = evaluateFlagsOf(args);
  const context = serviceFor(file, io, flags);
  // The header and the array's brackets are written only once the first batch is in, so a failure prints nothing on stdout.
  let started = false;
  let first = true;
  const outcome = await context.service.audienceBatches(context.key, evaluateOptionsOf(flags), batch => {
    const lines: string[] = [];
    if (!started && format === 'csv') lines.push('namespace,id');
    started = true;
    if (format === 'json') {
      for (const m of batch) {
        lines.push(`${first ? '[' : ','}${JSON.stringify({ namespace: m.namespace, id: m.id })}`);
        first = false;
      }
    } else if (format === 'csv') for (const m of batch) lines.push(`${csvField(m.namespace)},${csvField(m.id)}`);
    else for (const m of batch) lines.push(JSON.stringify({ namespace: m.namespace, id: m.id }));
    if (lines.length) io.out(lines.join('\n'));
    return io.drain?.();
  });
  if (!outcome.ok) return reportFailure(outcome, file, io, context);
  if (outcome.value.loadWarnings) printLoadWarnings({ loadWarnings: outcome.value.loadWarnings }, io);
  if (format === 'csv' && !started) io.out('namespace,id');
  if (format === 'json') io.out(first ? '[]' : ']');
  return 0;
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
