import { countOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import { dataSummaryText, evaluateFileOrFail, evaluateFlagsOf, warehouseText } from '../evaluateFile';
import type { CommandIO } from '../io';
import { DATAVIEW_OPTION, JSON_OPTION, MAX_ROWS_OPTION, maxBadRowsOption, SAMPLE_OPTIONS, SOURCE_OPTION } from '../options';
import { stepConversion } from '../../../core/src/engine';
import { percentText, sizeGauge } from '../../../core/src/publish/plan';
import { gaugeText, windowText } from '../publishing';

export const PREVIEW_COMMAND: CommandSpec = {
  name: 'preview',
  args: '<file.filter.yaml>',
  summary: 'Counts people, sessions and events the filter matches on the sample data of its data view (or its warehouse).',
  details: 'A data view with a missing sample file is not evaluated (exit 1). A relative period ends at the newest event of the sample data (on a warehouse: today, unless the data view says `anchor: newest-event`).',
  options: [
    JSON_OPTION,
    { name: 'sample', value: '<n>', description: 'list the first n members', default: '10' },
    DATAVIEW_OPTION,
    SOURCE_OPTION,
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
  const flags = { ...evaluateFlagsOf(args), audienceLimit: sample };
  if (flags.maxRows !== undefined && flags.maxRows < 1) throw new UsageError('--max-rows needs a whole number of at least 1');
  if (flags.source === 'warehouse' && flags.maxRows !== undefined) throw new UsageError('--max-rows limits the sample files; a warehouse evaluates every event');
  const evaluation = await evaluateFileOrFail(args.positionals[0], io, flags);
  if (typeof evaluation === 'number') return evaluation;
  const r = evaluation.result;
  const metrics = r.metrics ?? [];
  const returns = r.returns ?? [];
  const gauge = sizeGauge(r.matched.people);
  if (args.flags.has('json')) {
    io.out(JSON.stringify({
      filter: evaluation.filterId,
      dataView: evaluation.dataView.id,
      source: evaluation.source.kind === 'warehouse' ? { kind: 'warehouse', engine: evaluation.source.engine, where: evaluation.source.where, queryMs: Math.round(evaluation.source.queryMs) } : { kind: 'sample' },
      window: evaluation.window ?? null,
      // On a warehouse, an only before / only after filter's sessions and events are not computed (null).
      ...(evaluation.windowSource ? { windowSource: evaluation.windowSource } : {}),
      anchor: evaluation.anchor ?? null,
      matched: r.matched,
      total: r.total,
      namespaces: r.namespaces,
      metrics,
      gauge,
      returns,
      elapsedMs: Math.round(r.elapsedMs * 100) / 100,
      steps: r.steps.map((s, k) => ({ label: s.label, ...(s.join ? { join: s.join } : {}), ...(s.gap ? { gap: s.gap } : {}), people: s.people, conversion: stepConversion(r.steps, k, r.total.people) })),
      perDay: r.perDay,
      sample: r.audience.slice(0, sample),
      warnings: evaluation.loadWarnings.length,
      data: evaluation.data,
      ...(evaluation.truncated ? { truncated: evaluation.truncated } : {}),
    }, null, 2));
    return 0;
  }
  const pct = (a: number, b: number) => (b && Number.isFinite(a) ? `${((100 * a) / b).toFixed(1)}%` : '–');
  const row = (name: string, a: number, b: number) => `  ${name.padEnd(9)}${(Number.isFinite(a) ? String(a) : '–').padStart(9)} of ${String(b).padEnd(9)} ${pct(a, b).padStart(6)}`;
  io.out(`${evaluation.filterId}${evaluation.title ? ` — ${evaluation.title}` : ''}`);
  const src = evaluation.source;
  io.out(`data view ${evaluation.dataView.id}${src.kind === 'warehouse' ? ` on ${warehouseText(src.where, io.cwd)}` : ''}${evaluation.truncated ? ` (first ${evaluation.truncated.rowLimit} events)` : ''}${evaluation.window ? `, window ${windowText({ ...evaluation.window, source: evaluation.windowSource ?? 'period' }, evaluation.anchor)}` : ''}`);
  io.out(row('people', r.matched.people, r.total.people));
  io.out(row('sessions', r.matched.sessions, r.total.sessions));
  io.out(row('events', r.matched.events, r.total.events));
  const ns = Object.entries(r.namespaces);
  io.out(`  namespaces ${ns.length ? ns.map(([k, v]) => `${k} ${v}`).join(' · ') : '–'}`);
  io.out(`  size     ${gaugeText(gauge)}`);
  if (metrics.length) {
    io.out('  metrics  (audience of data view total)');
    const w = Math.max(...metrics.map(m => m.name.length));
    for (const m of metrics) io.out(`    ${m.name.padEnd(w)} ${fmt(m.audience).padStart(12)} of ${fmt(m.total).padEnd(12)} ${(m.share === null ? '–' : percentText(m.share)).padStart(6)}`);
  }
  if (returns.length) {
    io.out('  estimated return (from the sample\'s history; an estimate, not a forecast)');
    for (const h of returns) io.out(`    within ${String(h.days).padStart(2)} days  ${h.share === null ? `–  (no member qualified ${h.days} days before the newest event)` : `${percentText(h.share).padStart(6)}  ≈ ${h.expected} people  (${h.returned} of ${h.eligible} who could be watched ${h.days} days came back)`}`);
  }
  if (r.steps.length > 1) {
    io.out('  steps');
    r.steps.forEach((s, k) => {
      const c = stepConversion(r.steps, k, r.total.people);
      io.out(`    ${String(s.people).padStart(8)} people ${(c === null ? '–' : percentText(c)).padStart(6)} ${k ? 'of the step before' : 'of all people     '}  ${s.join ? `${s.join} ` : ''}${s.gap ? `${s.gap} ` : ''}${s.label}`);
    });
  }
  if (sample > 0 && r.audience.length) io.out(`  sample   ${r.audience.slice(0, sample).map(i => `${i.namespace}:${i.id}`).join(', ')}`);
  if (src.kind === 'warehouse' && src.partial) io.out('  (sessions and events of an only before / only after filter are not computed on a warehouse yet)');
  if (src.kind === 'sample') io.out(dataSummaryText(evaluation.data, io.cwd));
  io.out(src.kind === 'warehouse' ? `evaluated on the warehouse in ${src.queryMs.toFixed(0)} ms` : `evaluated in ${r.elapsedMs.toFixed(1)} ms`);
  return 0;
}

/** A metric figure: whole numbers as they are, others with up to two decimals. */
function fmt(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

