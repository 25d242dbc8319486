import { oneOf, flagValue, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import { evaluateFileOrFail, evaluateFlagsOf } from '../evaluateFile';
import type { CommandIO } from '../io';
import { DATAVIEW_OPTION, maxBadRowsOption, SAMPLE_OPTIONS } from '../options';

export const MEMBERS_COMMAND: CommandSpec = {
  name: 'members',
  args: '<file.filter.yaml>',
  summary: 'Prints the audience on the sample data, one identity per person, sorted by namespace then id.',
  options: [
    { name: 'format', value: 'ndjson|csv|json', description: 'one JSON object per line, CSV with a header, or one JSON array', default: 'ndjson' },
    DATAVIEW_OPTION,
    maxBadRowsOption('no limit'),
    ...SAMPLE_OPTIONS,
  ],
  examples: ['audience-filters members filters/buyers.filter.yaml --format csv > buyers.csv', 'audience-filters members filters/buyers.filter.yaml | head -5'],
};

/** `audience-filters members <file.filter.yaml>`: see MEMBERS_COMMAND. */
export async function runMembers(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, MEMBERS_COMMAND);
  const format = oneOf(flagValue(args, 'format'), ['ndjson', 'csv', 'json'] as const, 'format', 'ndjson');
  if (args.positionals.length !== 1) throw new UsageError('members needs exactly one filter file');
  const evaluation = await evaluateFileOrFail(args.positionals[0], io, evaluateFlagsOf(args));
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
