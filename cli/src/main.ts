import { closestMatches } from '../../core/src/names';
import { UsageError } from './args';
import type { CommandSpec } from './args';
import { ABORT_RUN_COMMAND, runAbortRun } from './commands/abortRun';
import { AUDIENCES_COMMAND, runAudiences } from './commands/audiences';
import { CHECK_COMMAND, runCheck } from './commands/check';
import { ENDPOINT_COMMAND, runEndpoint } from './commands/endpoint';
import { EXPLAIN_COMMAND, runExplain } from './commands/explain';
import { EXPORT_COMMAND, runExport } from './commands/export';
import { IMPORT_COMMAND, runImport } from './commands/import';
import { INIT_COMMAND, runInit } from './commands/init';
import { LOAD_WAREHOUSE_COMMAND, runLoadWarehouse } from './commands/loadWarehouse';
import { MEMBERS_COMMAND, runMembers } from './commands/members';
import { PLAN_COMMAND, runPlan } from './commands/plan';
import { PREVIEW_COMMAND, runPreview } from './commands/preview';
import { PUBLISH_COMMAND, runPublish } from './commands/publish';
import { SQL_COMMAND, runSql } from './commands/sql';
import { TEST_COMMAND, runTest } from './commands/test';
import { helpText, summaryLine } from './help';
import type { CommandIO } from './io';

type Command = (argv: string[], io: CommandIO) => number | Promise<number>;

/**
 * Every verb: its option table (read by its parser and by `--help`) and its function. A new verb
 * is one entry here; a new option of a verb is one entry in its table.
 */
export const COMMANDS: ReadonlyArray<{ spec: CommandSpec; run: Command }> = [
  { spec: CHECK_COMMAND, run: runCheck },
  { spec: PREVIEW_COMMAND, run: runPreview },
  { spec: MEMBERS_COMMAND, run: runMembers },
  { spec: TEST_COMMAND, run: runTest },
  { spec: PLAN_COMMAND, run: runPlan },
  { spec: PUBLISH_COMMAND, run: runPublish },
  { spec: ABORT_RUN_COMMAND, run: runAbortRun },
  { spec: AUDIENCES_COMMAND, run: runAudiences },
  { spec: ENDPOINT_COMMAND, run: runEndpoint },
  { spec: EXPLAIN_COMMAND, run: runExplain },
  { spec: IMPORT_COMMAND, run: runImport },
  { spec: EXPORT_COMMAND, run: runExport },
  { spec: LOAD_WAREHOUSE_COMMAND, run: runLoadWarehouse },
  { spec: SQL_COMMAND, run: runSql },
  { spec: INIT_COMMAND, run: runInit },
];

const NAMES = COMMANDS.map(c => c.spec.name);
const width = Math.max(...COMMANDS.map(c => summaryLine(c.spec).length)) + 2;

const USAGE = `Usage: audience-filters <command> [options]

Commands:
${COMMANDS.map(c => `  ${summaryLine(c.spec).padEnd(width)}${c.spec.summary}`).join('\n')}

Run a command with --help for its options, defaults, environment variables and examples.`;

export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out('0.1.0');
    return 0;
  }
  const command = COMMANDS.find(c => c.spec.name === name);
  if (!command) {
    const near = closestMatches(name, NAMES, 1);
    io.err(`audience-filters: unknown command "${name}"${near.length ? ` (did you mean ${near[0]}?)` : ''}; commands: ${NAMES.join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(helpText(command.spec));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`audience-filters ${name}: ${e.message}`);
      return 2;
    }
    io.err(`audience-filters ${name}: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    return 3;
  }
}
