import * as path from 'path';
import { flagValue, parseArgs, UsageError } from '../args';
import { evaluateFileOrFail, sourceOf } from '../evaluateFile';
import type { CommandIO } from '../io';

/** `audience-filters preview <file.filter.yaml> [--json] [--sample N] [--dataview <id>] [--max-rows N] [--source sample|warehouse]` */
export async function runPreview(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, { booleans: ['json'], values: ['sample', 'dataview', 'max-rows', 'source'] });
  if (args.positionals.length !== 1) throw new UsageError('preview needs exactly one filter file');
  const sample = Number(flagValue(args, 'sample') ?? 10);
  if (!Number.isInteger(sample) || sample < 0) throw new UsageError('--sample needs a whole number');
  const maxRowsText = flagValue(args, 'max-rows');
  const maxRows = maxRowsText === undefined ? undefined : Number(maxRowsText);
  if (maxRows !== undefined && (!Number.isInteger(maxRows) || maxRows < 1)) throw new UsageError('--max-rows needs a whole number of at least 1');
  const source = sourceOf(args);
  if (source === 'warehouse' && maxRows !== undefined) throw new UsageError('--max-rows limits the sample files; a warehouse evaluates every event');
  const evaluation = await evaluateFileOrFail(args.positionals[0], io, { defaultDataView: flagValue(args, 'dataview'), maxRows, source, audienceLimit: sample });
  if (typeof evaluation === 'number') return evaluation;
  const r = evaluation.result;
  if (args.flags.has('json')) {
    io.out(JSON.stringify({
      filter: evaluation.filterId,
      dataView: evaluation.dataView.id,
      source: evaluation.source.kind === 'warehouse' ? { kind: 'warehouse', engine: evaluation.source.engine, where: evaluation.source.where, queryMs: Math.round(evaluation.source.queryMs) } : { kind: 'sample' },
      window: evaluation.window ?? null,
      // On a warehouse, an only before / only after filter's sessions and events are not computed (null).
      matched: r.matched,
      total: r.total,
      namespaces: r.namespaces,
      elapsedMs: Math.round(r.elapsedMs * 100) / 100,
      steps: r.steps.map(s => ({ label: s.label, people: s.people })),
      perDay: r.perDay,
      sample: r.audience.slice(0, sample),
      warnings: evaluation.loadWarnings.length,
      ...(evaluation.truncated ? { truncated: evaluation.truncated } : {}),
    }, null, 2));
    return 0;
  }
  const pct = (a: number, b: number) => (b && Number.isFinite(a) ? `${((100 * a) / b).toFixed(1)}%` : '–');
  const row = (name: string, a: number, b: number) => `  ${name.padEnd(9)}${(Number.isFinite(a) ? String(a) : '–').padStart(9)} of ${String(b).padEnd(9)} ${pct(a, b).padStart(6)}`;
  io.out(`${evaluation.filterId}${evaluation.title ? ` — ${evaluation.title}` : ''}`);
  const src = evaluation.source;
  io.out(`data view ${evaluation.dataView.id}${src.kind === 'warehouse' ? ` on ${src.where.split(`${io.cwd}${path.sep}`).join('')}` : ''}${evaluation.truncated ? ` (first ${evaluation.truncated.rowLimit} events)` : ''}${evaluation.window ? `, window ${evaluation.window.from.slice(0, 10)} … ${evaluation.window.to.slice(0, 10)}` : ''}`);
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
  if (src.kind === 'warehouse' && src.partial) io.out('  (sessions and events of an only before / only after filter are not computed on a warehouse yet)');
  io.out(src.kind === 'warehouse' ? `evaluated on the warehouse in ${src.queryMs.toFixed(0)} ms` : `evaluated in ${r.elapsedMs.toFixed(1)} ms`);
  return 0;
}
