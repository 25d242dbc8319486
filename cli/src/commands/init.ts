import * as fs from 'fs';
import * as path from 'path';
import { dataViewYaml, inferDataView } from '../../../core/src/dataview/infer';
import { FILTER_TEMPLATES, filterTemplateText } from '../../../core/src/filterTemplates';
import type { FilterTemplate } from '../../../core/src/filterTemplates';
import { flagValue, oneOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export const INIT_COMMAND: CommandSpec = {
  name: 'init',
  args: '<sample files…>',
  summary: 'Writes a first data view inferred from sample files (and, with --filter, a first filter from a template).',
  details: 'Fields are inferred from the first rows: the timestamp, the person ID and namespace, the session, dimensions and metrics with their most frequent values as comments. Never overwrites a file without --force.',
  options: [
    { name: 'id', value: '<id>', description: "the data view's id (kebab-case)", default: 'web' },
    { name: 'title', value: '<text>', description: "the data view's title", default: 'none' },
    { name: 'output', alias: 'o', value: '<file.dataview.yaml>', description: 'where to write the data view', default: '<id>.dataview.yaml in the current folder' },
    { name: 'filter', value: '<id>', description: 'also write a first filter, <id>.filter.yaml next to the data view', default: 'none' },
    { name: 'template', value: 'condition|sequence|exclude', description: 'the first filter\'s template (with --filter)', default: 'condition' },
    { name: 'force', description: 'overwrite files that exist' },
  ],
  examples: ['audience-filters init data/web-events.ndjson data/app-events.csv --id web', 'audience-filters init data/events.ndjson --filter first-buyers --template sequence'],
};

/**
 * `audience-filters init <sample files…> [--id <id>] [--title <text>] [-o <file.dataview.yaml>]
 * [--filter <id>] [--template condition|sequence|exclude] [--force]`
 *
 * What "New Data View…" and "New Filter…" do in the editor: infers a data view from the first rows
 * of the sample files (timestamp, person ID and namespace, session, dimensions and metrics with
 * their most frequent values as comments) and writes it, by default `<id>.dataview.yaml` in the
 * current folder; with `--filter <id>` also a first filter from a template, `<id>.filter.yaml`
 * next to it. Never overwrites a file without `--force`. Exit 1 when a file cannot be read or
 * nothing can be inferred, with the reason.
 */
export function runInit(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, INIT_COMMAND);
  if (args.positionals.length === 0) throw new UsageError('init needs one or more sample files (.ndjson, .json or .csv), e.g. `audience-filters init data/events.ndjson`');
  const id = flagValue(args, 'id') ?? 'web';
  if (!ID_PATTERN.test(id)) throw new UsageError(`--id must be kebab-case (a-z, 0-9, single dashes), got "${id}"`);
  const filterId = flagValue(args, 'filter');
  if (filterId !== undefined && !ID_PATTERN.test(filterId)) throw new UsageError(`--filter must be a kebab-case filter id, got "${filterId}"`);
  const template = oneOf(flagValue(args, 'template'), FILTER_TEMPLATES.map(t => t.id), 'template', 'condition' as FilterTemplate);
  if (flagValue(args, 'template') !== undefined && filterId === undefined) throw new UsageError('--template needs --filter <id> (the filter to write)');
  const force = args.flags.get('force') === true;

  const files = args.positionals.map(f => path.resolve(io.cwd, f));
  const shown = (f: string) => path.relative(io.cwd, f) || f;
  for (const f of files) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(f);
    } catch {
      io.err(`${shown(f)}: error init-missing-file: no such file.`);
      return 1;
    }
    if (!stat.isFile()) {
      io.err(`${shown(f)}: error init-missing-file: not a regular file.`);
      return 1;
    }
  }
  const output = path.resolve(io.cwd, flagValue(args, 'o') ?? flagValue(args, 'output') ?? `${id}.dataview.yaml`);
  if (!/\.dataview\.ya?ml$/.test(output)) throw new UsageError(`-o must name a *.dataview.yaml file, got "${shown(output)}"`);
  const filterOut = filterId ? path.join(path.dirname(output), `${filterId}.filter.yaml`) : undefined;
  for (const target of [output, filterOut]) {
    if (target && fs.existsSync(target) && !force) {
      io.err(`${shown(target)}: error init-file-exists: already exists; pass --force to overwrite it.`);
      return 1;
    }
  }

  const inferred = inferDataView(files);
  if (!inferred.ok) {
    io.err(`error init-cannot-infer: ${inferred.error.split(io.cwd + path.sep).join('')}`);
    return 1;
  }
  const v = inferred.value;
  fs.writeFileSync(output, dataViewYaml(id, v, path.dirname(output), flagValue(args, 'title')));
  const rows = v.sources.reduce((n, s) => n + s.rows, 0);
  io.out(`Wrote ${shown(output)}: data view ${id} from the first ${rows} rows of ${v.sources.length} file${v.sources.length === 1 ? '' : 's'} — ` +
    `timestamp ${v.timestamp}, ${v.sources.map(s => `${s.person} (${s.namespace ?? `namespace from ${s.namespaceField}`})`).join(', ')}, ` +
    `${v.dimensions.length} dimension${v.dimensions.length === 1 ? '' : 's'}, ${v.metrics.length} metric${v.metrics.length === 1 ? '' : 's'}.`);
  if (filterOut && filterId) {
    const text = filterTemplateText(template, { id: filterId, dataView: id, dimensions: v.dimensions.map(d => ({ name: d.name, values: d.top.map(t => t.value) })) });
    fs.writeFileSync(filterOut, text);
    io.out(`Wrote ${shown(filterOut)}: ${template === 'exclude' ? 'an' : 'a'} ${template} filter on ${id}.`);
  }
  io.out(`Next: audience-filters check ${path.relative(io.cwd, path.dirname(output)) || '.'}${filterOut ? ` && audience-filters preview ${shown(filterOut)}` : ''}`);
  return 0;
}
