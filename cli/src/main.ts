import { UsageError } from './args';
import { runCheck } from './commands/check';
import { runExplain } from './commands/explain';
import { runMembers } from './commands/members';
import { runPreview } from './commands/preview';
import { runTest } from './commands/test';
import type { CommandIO } from './io';

type Command = (argv: string[], io: CommandIO) => number | Promise<number>;

const COMMANDS: Record<string, { run: Command; summary: string }> = {
  check: { run: runCheck, summary: 'check <files|folders|globs> [--format text|json] [--max-warnings N]   validate filters and data views' },
  preview: { run: runPreview, summary: 'preview <file.filter.yaml> [--json] [--sample N]   counts on the sample data' },
  members: { run: runMembers, summary: 'members <file.filter.yaml> [--format ndjson|csv|json]   the audience, one identity per person' },
  test: { run: runTest, summary: 'test [paths] [--format text|json]   run the *.filter.test.yaml fixtures' },
  explain: { run: runExplain, summary: 'explain <file.filter.yaml> --person <id|namespace:id> [--json]   why a person is in or out' },
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
    io.err(`audience-filters: unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(', ')})`);
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
