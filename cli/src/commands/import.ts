import * as fs from 'fs';
import * as path from 'path';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { importAdobeDefinition } from '../../../core/src/interop/adobeImport';
import { parseFilterFile } from '../../../core/src/files/filterFile';
import { filterFileText, kebabCase } from '../../../core/src/interop/filterFileText';
import type { NewFilterFile } from '../../../core/src/interop/filterFileText';
import { flagValue, oneOf, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';

export const IMPORT_COMMAND: CommandSpec = {
  name: 'import',
  args: '<definition.json> --dataview <file.dataview.yaml>',
  summary: 'Turns an Adobe segment definition (bare, an API object, or a container) into a filter file.',
  details: 'Problems are printed as `<file>: <JSON path>: <severity> <code>: <message>`; any error exits 1 and writes nothing.',
  options: [
    { name: 'dataview', value: '<file.dataview.yaml>', description: 'the data view whose dimensions and metrics the Adobe ids map to (required)' },
    { name: 'id', value: '<id>', description: 'the filter id (kebab-case)', default: "the definition's name in kebab-case, else the file name" },
    { name: 'from', value: 'cja|aa', description: 'Customer Journey Analytics or Adobe Analytics', default: 'cja' },
    { name: 'output', alias: 'o', value: '<out.filter.yaml>', description: 'write the filter file there', default: 'print it on stdout' },
  ],
  examples: ['audience-filters import buyers.json --dataview web.dataview.yaml', 'audience-filters import segment.json --dataview web.dataview.yaml --from aa --id big-spenders -o filters/big-spenders.filter.yaml'],
};

const ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * `audience-filters import <definition.json> --dataview <file.dataview.yaml> [--id <id>] [--from cja|aa] [-o <out.filter.yaml>]`
 *
 * Reads an Adobe segment definition (bare, wrapped in an API object, or a bare container) and
 * prints or writes a filter file; an API object's `x-audience-filters` extension (written by
 * `export --api`) restores the id, title, tags, period and audience block. Problems are printed as `<file>: <JSON path>: <severity> <code>: <message>`;
 * any error exits 1 and writes nothing. A JSON array (a list of predicates) is an error naming `$`.
 */
export function runImport(argv: string[], io: CommandIO): number {
  const args = parseArgs(argv, IMPORT_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('import needs exactly one definition file (.json)');
  const dataviewArg = flagValue(args, 'dataview');
  if (!dataviewArg) throw new UsageError('import needs --dataview <file.dataview.yaml> (names map to its dimensions and metrics)');
  const from = oneOf(flagValue(args, 'from'), ['cja', 'aa'] as const, 'from', 'cja');
  const id = flagValue(args, 'id');
  if (id !== undefined && !ID_PATTERN.test(id)) throw new UsageError(`--id must be kebab-case (a-z, 0-9, single dashes), got "${id}"`);
  const input = path.resolve(io.cwd, args.positionals[0]);
  const dvPath = path.resolve(io.cwd, dataviewArg);
  const shown = path.relative(io.cwd, input) || input;

  const jsonText = readText(input, io);
  const dvText = readText(dvPath, io);
  if (jsonText === undefined || dvText === undefined) return 1;
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (e) {
    io.err(`${shown}: error adobe-json-syntax: ${(e as Error).message}`);
    return 1;
  }
  const dvFile = parseDataViewFile(dvPath, dvText);
  if (!dvFile.dataView) {
    io.err(`${path.relative(io.cwd, dvPath) || dvPath}: error import-bad-dataview: not a valid data view (it needs \`dataview\` and \`timestamp\`); run \`audience-filters check\` on it.`);
    return 1;
  }
  const result = importAdobeDefinition(json, dvFile.dataView, { from });
  for (const d of result.diagnostics) io.err(`${shown}: ${d.path}: ${d.severity} ${d.code}: ${d.message}`);
  if (result.diagnostics.some(d => d.severity === 'error') || !result.rule.root) return 1;

  const meta = result.metadata;
  const ext = meta.extension ?? {};
  const filterId = id ?? ext.filter ?? (meta.name ? kebabCase(meta.name) : kebabCase(path.basename(input).replace(/\.json$/i, '')));
  // The API `name` is the title, or the id when the file had none; a name changed in Adobe wins.
  const title = meta.extension && meta.name === (ext.title ?? ext.filter) ? ext.title : meta.name;
  if (ext.dataview && ext.dataview !== dvFile.dataView.id) {
    io.err(`${shown}: $["x-audience-filters"].dataview: warning import-other-dataview: exported from data view \`${ext.dataview}\`; imported against \`${dvFile.dataView.id}\` (--dataview).`);
  }
  const file: NewFilterFile = {
    id: ID_PATTERN.test(filterId) ? filterId : 'imported-filter',
    title,
    description: meta.description,
    dataview: dvFile.dataView.id,
    tags: ext.tags ?? meta.tags,
    period: ext.period,
    rule: result.rule,
    audience: ext.audience,
  };
  // Never write a file that check rejects: a period or audience block that does not check is left out, with the reason.
  for (const key of ['period', 'audience', 'tags'] as const) {
    if (file[key] === undefined) continue;
    const problem = firstError(filterFileText({ ...file, rule: { root: null, comments: [] } }), key);
    if (problem) {
      io.err(`${shown}: $["x-audience-filters"].${key}: warning adobe-not-carried: \`${key}\` is left out of the filter file: ${problem}`);
      file[key] = undefined;
    }
  }
  const text = filterFileText(file);
  const out = flagValue(args, 'output');
  if (out) {
    const target = path.resolve(io.cwd, out);
    fs.writeFileSync(target, text);
    io.err(`wrote ${path.relative(io.cwd, target) || target}`);
  } else {
    io.out(text.replace(/\n$/, ''));
  }
  return 0;
}

function readText(file: string, io: CommandIO): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(`${path.relative(io.cwd, file) || file}: error io-read: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`);
    return undefined;
  }
}

/** The first error `check` would report under the top-level `key` of a filter file's text. */
function firstError(text: string, key: string): string | undefined {
  const f = parseFilterFile('import.filter.yaml', text);
  const root = f.yaml.root;
  const pair = root && root.kind === 'map' ? root.pairs.find(p => p.key.value === key) : undefined;
  if (!pair) return `it does not read back as YAML`;
  const p = f.problems.find(x => x.severity === 'error' && x.start >= pair.start && x.start <= pair.end);
  return p ? `${p.code}: ${p.message}` : undefined;
}
