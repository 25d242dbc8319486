import * as fs from 'fs';
import * as path from 'path';
import { loadDataView } from '../../../core/src/data/load';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { writeDuckDbTable } from '../../../core/src/warehouse/fromDataset';
import { parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';

/**
 * `audience-filters load-warehouse <file.dataview.yaml>`: loads the data view's sample files into
 * its DuckDB warehouse (`warehouse: {engine: duckdb, database, table}`), replacing the database
 * file — a local warehouse to try `--source warehouse` on, with exactly the sample's events,
 * sessions (`session_id` holds the sample's session numbering) and input order (`event_order`).
 */
export const LOAD_WAREHOUSE_COMMAND: CommandSpec = {
  name: 'load-warehouse',
  args: '<file.dataview.yaml>',
  summary: "Loads the data view's sample files into its DuckDB warehouse (database: and table: of its warehouse: block), replacing the file.",
  details: 'A local warehouse to try `--source warehouse` on: the same events, sessions (session_id holds the sample\'s session numbering) and input order (event_order) as the sample files.',
  options: [],
  examples: ['audience-filters load-warehouse web.dataview.yaml', 'audience-filters load-warehouse web.dataview.yaml && audience-filters preview filters/buyers.filter.yaml --source warehouse'],
};

export async function runLoadWarehouse(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, LOAD_WAREHOUSE_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('load-warehouse needs exactly one data view file (*.dataview.yaml)');
  const file = path.resolve(io.cwd, args.positionals[0]);
  const shown = path.relative(io.cwd, file) || file;
  if (!/\.dataview\.ya?ml$/i.test(file)) throw new UsageError(`${shown} is not a data view file (*.dataview.yaml)`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    io.err(`${shown}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return 1;
  }
  const parsed = parseDataViewFile(file, text);
  const errors = parsed.problems.filter(p => p.severity === 'error');
  if (errors.length || !parsed.dataView) {
    io.err(`${shown}: the data view has ${errors.length || 1} error${errors.length === 1 ? '' : 's'}; run \`audience-filters check ${shown}\` to see them.`);
    return 1;
  }
  const dv = parsed.dataView;
  const w = dv.warehouse;
  if (!w || w.engine !== 'duckdb' || !w.database || !w.table) {
    io.err(`${shown}: load-warehouse writes a DuckDB database; give the data view \`warehouse: {engine: duckdb, database: <file>, table: <name>}\` (docs/warehouse.md).`);
    return 1;
  }
  if (!dv.files.length) {
    io.err(`${shown}: the data view has no sample files (\`sources:\`) to load.`);
    return 1;
  }
  const started = performance.now();
  const ds = await loadDataView(dv);
  for (const warning of ds.warnings.slice(0, 20)) io.err(`warning: ${path.relative(io.cwd, warning.file) || warning.file}${warning.line ? `:${warning.line}` : ''}: ${warning.message}`);
  const rows = await writeDuckDbTable(ds, dv, w.database, w.table);
  io.out(`Wrote ${rows} events of ${ds.personCount} people to ${path.relative(io.cwd, w.database) || w.database} (table ${w.table}) in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return 0;
}
