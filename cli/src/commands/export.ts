import * as path from 'path';
import type { DataView } from '../../../core/src/dataview/model';
import type { FilterFile } from '../../../core/src/files/filterFile';
import { exportAdobeDefinitionChecked } from '../../../core/src/interop/adobeExport';
import { EXTENSION_KEY } from '../../../core/src/interop/adobeJson';
import type { FilterExtension } from '../../../core/src/interop/adobeJson';
import { walkExpr } from '../../../core/src/rule/walk';
import { getPair, toJS } from '../../../core/src/yaml/yamlTree';
import type { Rule } from '../../../core/src/rule/ast';
import { flagValue, oneOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { loadWorkspace } from '../loadWorkspace';
import { ROOT_OPTION } from '../options';
import { expandPaths } from '../paths';

export const EXPORT_COMMAND: CommandSpec = {
  name: 'export',
  args: '<file.filter.yaml>',
  summary: 'Prints the filter as an Adobe segment definition (JSON); problems go to stderr and errors exit 1.',
  options: [
    { name: 'target', value: 'cja|aa', description: 'Customer Journey Analytics or Adobe Analytics', default: 'cja' },
    { name: 'api', description: 'wrap the definition in a segments API request body: `name`, `description`, and an `x-audience-filters` object with the id, title, data view, tags, period and audience block as written (import restores them)' },
    ROOT_OPTION,
  ],
  examples: ['audience-filters export filters/buyers.filter.yaml > buyers.json', 'audience-filters export filters/buyers.filter.yaml --target aa --api'],
};

/** `audience-filters export <file.filter.yaml>`: see EXPORT_COMMAND. */
export function runExport(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, EXPORT_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('export needs exactly one filter file');
  const target = oneOf(flagValue(args, 'target'), ['cja', 'aa'] as const, 'target', 'cja');
  const loaded = loadFilter(args.positionals[0], io, 'export', flagValue(args, 'root'));
  if (!loaded) return 1;
  const { definition, problems, commentsLeft } = exportAdobeDefinitionChecked(loaded.file.rule!, loaded.dataView, { target, resolveFilter: loaded.resolveFilter });
  for (const p of problems) io.err(`${ruleLocation(loaded, p.start, io)}: ${p.severity} ${p.code}: ${p.message}`);
  if (problems.some(p => p.severity === 'error')) return 1;
  const f = loaded.file;
  const api = args.flags.has('api');
  const lost = notCarried(f, api, commentsLeft);
  if (lost.length) io.err(`${path.relative(io.cwd, f.uri) || f.uri}: warning export-not-carried: not carried into the ${api ? 'API object' : 'definition'}: ${lost.join('; ')}.`);
  const body = api ? { name: f.title ?? f.id?.value, ...(f.description ? { description: f.description } : {}), definition, [EXTENSION_KEY]: extensionOf(f) } : definition;
  io.out(JSON.stringify(body, null, 2));
  return 0;
}

/** The filter-file keys Adobe's segment object has no field for, as written in the file. */
export function extensionOf(f: FilterFile): FilterExtension {
  const root = f.yaml.root;
  const written = (key: string): unknown => {
    const pair = getPair(root, key);
    return pair ? toJS(pair.value) : undefined;
  };
  const ext: FilterExtension = { version: 1, filter: f.id?.value ?? '' };
  if (f.title !== undefined) ext.title = f.title;
  if (f.dataview) ext.dataview = f.dataview.value;
  for (const key of ['tags', 'period', 'audience'] as const) {
    const v = written(key);
    if (v !== undefined && v !== null) (ext as unknown as Record<string, unknown>)[key] = v;
  }
  return ext;
}

/** What of the file the exported JSON leaves out: the metadata keys of a bare definition, and comments. */
function notCarried(f: FilterFile, api: boolean, ruleComments: number): string[] {
  const out: string[] = [];
  if (!api) {
    const keys = ['title', 'description', 'tags', 'period', 'audience'].filter(k => getPair(f.yaml.root, k));
    if (keys.length) out.push(`${keys.map(k => `\`${k}\``).join(', ')} (a bare definition holds only the rule; \`--api\` keeps them)`);
  }
  const scalar = f.ruleSource?.scalar;
  let yamlComments = 0;
  let at = 0;
  for (const line of f.text.split('\n')) {
    const inRule = scalar !== undefined && at >= scalar.start && at < scalar.end;
    if (!inRule && /^\s*#/.test(line)) yamlComments++;
    at += line.length + 1;
  }
  const refs = new Set<string>();
  if (f.rule?.root) walkExpr(f.rule.root, e => void (e.kind === 'filterRef' && refs.add(e.id.name)));
  if (refs.size) out.push(`the reference${refs.size === 1 ? '' : 's'} ${[...refs].map(r => `\`filter ${r}\``).join(', ')} (inlined: Adobe's definition has no reference)`);
  if (ruleComments) out.push(`${ruleComments} rule comment${ruleComments === 1 ? '' : 's'} that label${ruleComments === 1 ? 's' : ''} no condition or container (the others become \`description\` labels)`);
  if (yamlComments) out.push(`${yamlComments} YAML comment line${yamlComments === 1 ? '' : 's'} outside the rule`);
  return out;
}

export interface LoadedFilter {
  file: FilterFile;
  dataView: DataView;
  resolveFilter: (id: string) => Rule | undefined;
}

/**
 * Loads one filter file with its folder as context (data views, referenced filters). Prints the
 * file's errors and returns undefined when it has any: a broken rule is never exported or compiled.
 */
export function loadFilter(arg: string, io: CommandIO, command: string, root?: string): LoadedFilter | undefined {
  const { targets, contextRoots } = expandPaths([arg], io.cwd, root);
  const filters = targets.filter(t => /\.filter\.ya?ml$/.test(t));
  if (filters.length !== 1) throw new UsageError(`${command} needs exactly one filter file (*.filter.yaml), got ${filters.length}`);
  const workspace = loadWorkspace({ targets: filters, contextRoots }, { cwd: io.cwd });
  const uri = filters[0];
  const file = workspace.get(uri);
  const shown = path.relative(io.cwd, uri) || uri;
  if (!file || file.kind !== 'filter') throw new UsageError(`${shown} is not a filter file`);
  const errors = workspace.diagnostics(uri).filter(d => d.severity === 'error');
  for (const d of errors) io.err(`${shown}:${d.range.start.line + 1}:${d.range.start.character + 1}: error ${d.code}: ${d.message}`);
  const dataView = workspace.dataViewFor(file)?.dataView;
  if (errors.length || !file.rule || !dataView) {
    if (!errors.length) io.err(`${shown}: error ${command}-no-dataview: the filter's data view was not found next to it.`);
    return undefined;
  }
  return { file, dataView, resolveFilter: id => workspace.filterById(id)?.rule };
}

/** `path:line:col` of a rule offset in a filter file, for problems of the interop layers. */
export function ruleLocation(loaded: LoadedFilter, offset: number, io: CommandIO): string {
  const f = loaded.file;
  const shown = path.relative(io.cwd, f.uri) || f.uri;
  if (!f.ruleSource) return shown;
  const pos = f.lines.positionAt(f.ruleSource.toFile(offset));
  return `${shown}:${pos.line + 1}:${pos.character + 1}`;
}
