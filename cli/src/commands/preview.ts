import { countOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import { anchorText } from '../../../core/src/evaluation';
import { dataSummaryText, evaluateFileOrFail, evaluateFlagsOf } from '../evaluateFile';
import type { CommandIO } from '../io';
import { DATAVIEW_OPTION, JSON_OPTION, MAX_ROWS_OPTION, maxBadRowsOption, SAMPLE_OPTIONS } from '../options';

export const PREVIEW_COMMAND: CommandSpec = {
  name: 'preview',
  args: '<file.filter.yaml>',
  summary: 'Counts people, sessions and events the filter matches on the sample data of its data view.',
  details: 'A data view with a missing sample file is not evaluated (exit 1). A relative period ends at the newest event of the sample data.',
  options: [
    JSON_OPTION,
    { name: 'sample', value: '<n>', description: 'list the first n members', default: '10' },
    DATAVIEW_OPTION,
    MAX_ROWS_OPTION,
    maxBadRowsOption('no limit'),
    ...SAMPLE_OPTIONS,
  ],
  examples: ['audience-filters preview filters/buyers.filter.yaml', 'audience-filters preview filters/buyers.filter.yaml --json --sample 0 --max-bad-rows 0'],
};

/** `audience-filters preview <file.filter.yaml>`: see PREVIEW_COMMAND. */
export async function runPreview(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, PREVIEW_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('preview needs exactly one filter file');
  const sample = countOf(args, 'sample', 10)!;
  const flags = evaluateFlagsOf(args);
  if (flags.maxRows !== undefined && flags.maxRows < 1) throw new UsageError('--max-rows needs a whole number of at least 1');
  const evaluation = await evaluateFileOrFail(args.positionals[0], io, flags);
  if (typeof evaluation === 'number') return evaluation;
  const r = evaluation.result;
  if (args.flags.has('json')) {
    io.out(JSON.stringify({
      filter: evaluation.filterId,
      dataView: evaluation.dataView.id,
      window: evaluation.window ?? null,
      anchor: evaluation.anchor ?? null,
      matched: r.matched,
      total: r.total,
      namespaces: r.namespaces,
      elapsedMs: Math.round(r.elapsedMs * 100) / 100,
      steps: r.steps.map(s => ({ label: s.label, people: s.people })),
      perDay: r.perDay,
      sample: r.audience.slice(0, sample),
      warnings: evaluation.loadWarnings.length,
      data: evaluation.data,
      ...(evaluation.truncated ? { truncated: evaluation.truncated } : {}),
    }, null, 2));
    return 0;
  }
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');
  const row = (name: string, a: number, b: number) => `  ${name.padEnd(9)}${String(a).padStart(9)} of ${String(b).padEnd(9)} ${pct(a, b).padStart(6)}`;
  io.out(`${evaluation.filterId}${evaluation.title ? ` — ${evaluation.title}` : ''}`);
  io.out(`data view ${evaluation.dataView.id}${evaluation.truncated ? ` (first ${evaluation.truncated.rowLimit} events)` : ''}${evaluation.window ? `, window ${evaluation.window.from.slice(0, 10)} … ${evaluation.window.to.slice(0, 10)}${evaluation.anchor ? ` (${anchorText(evaluation.anchor)})` : ''}` : ''}`);
  io.out(row('people', r.matched.people, r.total.people));
  io.out(row('sessions', r.matched.sessions, r.total.sessions));
  io.out(row('events', r.matched.events, r.total.events));
  const ns = Object.entries(r.namespaces);
  io.out(`  namespaces ${ns.length ? ns.map(([k, v]) => `${k} ${v}`).join(' · ') : '–'}`);
  if (r.steps.length > 1) {
    io.out('  steps');
    for (const s of r.steps) io.out(`    ${String(s.people).padStart(8)}  ${s.label}`);
  }
  if (sample > 0 && r.audience.length) io.out(`  sample   ${r.audience.slice(0, sample).map(i => `${i.namespace}:${i.id}`).join(', ')}`);
  io.out(dataSummaryText(evaluation.data, io.cwd));
  io.out(`evaluated in ${r.elapsedMs.toFixed(1)} ms`);
  return 0;
}
