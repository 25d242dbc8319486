import { oneOf, flagValue, parseArgs, UsageError } from '../args';
import { reportFailure, serviceFor, sourceOf } from '../evaluateFile';
import type { CommandIO } from '../io';

/**
 * `audience-filters members <file.filter.yaml> [--format ndjson|csv|json] [--dataview <id>] [--source sample|warehouse]`:
 * the audience, sorted by namespace then id, written as it streams in (from a warehouse, batch by batch).
 */
export async function runMembers(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, { values: ['format', 'dataview', 'source'] });
  const format = oneOf(flagValue(args, 'format'), ['ndjson', 'csv', 'json'] as const, 'format', 'ndjson');
  if (args.positionals.length !== 1) throw new UsageError('members needs exactly one filter file');
  const file = args.positionals[0];
  const { key, service } = serviceFor(file, io, { defaultDataView: flagValue(args, 'dataview') });
  let first = true;
  if (format === 'csv') io.out('namespace,id');
  const outcome = await service.audienceBatches(key, { source: sourceOf(args) }, batch => {
    const lines: string[] = [];
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
  if (!outcome.ok) return reportFailure(outcome, file, io, service.workspace, key);
  if (format === 'json') io.out(first ? '[]' : ']');
  return 0;
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
