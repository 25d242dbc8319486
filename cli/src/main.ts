import { closestMatches } from '../../core/src/names';
import { UsageError } from './args';
import { runAbortRun } from './commands/abortRun';
import { runAudiences } from './commands/audiences';
import { runCheck } from './commands/check';
import { runEndpoint } from './commands/endpoint';
import { runPlan } from './commands/plan';
import { runPublish } from './commands/publish';
import { runExport } from './commands/export';
import { runImport } from './commands/import';
import { runSql } from './commands/sql';
import { runExplain } from './commands/explain';
import { runMembers } from './commands/members';
import { runPreview } from './commands/preview';
import { runTest } from './commands/test';
import type { CommandIO } from './io';

type Command = (argv: string[], io: CommandIO) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  check: { run: runCheck, summary: 'check <files|folders|globs> [--format text|json|sarif|github] [--max-warnings N] [--dataview <id>]   validate filters and data views' },
  preview: { run: runPreview, summary: 'preview <file.filter.yaml> [--json] [--sample N] [--dataview <id>] [--max-rows N]   counts on the sample data' },
  members: { run: runMembers, summary: 'members <file.filter.yaml> [--format ndjson|csv|json] [--dataview <id>]   the audience, one identity per person' },
  test: { run: runTest, summary: 'test [paths] [--format text|json]   run the *.filter.test.yaml fixtures' },
  plan: { run: runPlan, summary: 'plan <file.filter.yaml> [--endpoint <url>] [--json]   who would enter and exit (token: $AUDIENCE_FILTERS_TOKEN)' },
  publish: { run: runPublish, summary: 'publish <file.filter.yaml> [--endpoint <url>] [--resume [<runId>]] [--yes] [--json]   publish the audience' },
  'abort-run': { run: runAbortRun, summary: 'abort-run <runId> [--reason <text>] [--endpoint <url>] [--json]   abort an open publish run; nothing of it is committed' },
  audiences: { run: runAudiences, summary: 'audiences [--endpoint <url>] [--json]   list published audiences' },
  endpoint: { run: runEndpoint, summary: 'endpoint --db <file> [--port <n>] [--run-idle-minutes <n>]   run the reference profile endpoint' },
  explain: { run: runExplain, summary: 'explain <file.filter.yaml> --person <id|namespace:id> [--json]   why a person is in or out' },
  import: { run: runImport, summary: 'import <definition.json> --dataview <file.dataview.yaml> [--id <id>] [--from cja|aa] [-o <out.filter.yaml>]   Adobe segment JSON to a filter file' },
  export: { run: runExport, summary: 'export <file.filter.yaml> [--target cja|aa] [--api]   a filter as Adobe segment JSON' },
  sql: { run: runSql, summary: 'sql <file.filter.yaml> --dialect duckdb|postgres|clickhouse|spark|trino [--table events]   the audience as one SQL query' },
};

const USAGE = `Usage: audience-filters <command> [options]

Commands:
${Object.values(COMMANDS).map(c => `  ${c.summary}`).join('\n')}

Run a command with --help for its options.`;

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
  const command = COMMANDS[name];
  if (!command) {
    const near = closestMatches(name, Object.keys(COMMANDS), 1);
    io.err(`audience-filters: unknown command "${name}"${near.length ? ` (did you mean ${near[0]}?)` : ''}; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: audience-filters ${command.summary}`);
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
