import { oneOf, flagValue, parseArgs, UsageError } from '../args';
import { evaluateFileOrFail } from '../evaluateFile';
import type { CommandIO } from '../io';

/** `audience-filters members <file.filter.yaml> [--format ndjson|csv|json] [--dataview <id>]`: the audience, sorted by namespace then id. */
export async function runMembers(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, { values: ['format', 'dataview'] });
  const format = oneOf(flagValue(args, 'format'), ['ndjson', 'csv', 'json'] as const, 'format', 'ndjson');
  if (args.positionals.length !== 1) throw new UsageError('members needs exactly one filter file');
  const evaluation = await evaluateFileOrFail(args.positionals[0], io, { defaultDataView: flagValue(args, 'dataview') });
  if (typeof evaluation === 'number') return evaluation;
  const audience = evaluation.result.audience;
  if (format === 'json') io.out(JSON.stringify(audience));
  else if (format === 'csv') {
    io.out('namespace,id');
    for (const m of audience) io.out(`${csvField(m.namespace)},${csvField(m.id)}`);
  } else for (const m of audience) io.out(JSON.stringify({ namespace: m.namespace, id: m.id }));
  return 0;
}

function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
