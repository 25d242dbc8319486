import { parseArgs } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { ENDPOINT_OPTION, JSON_OPTION, maxBadRowsOption, SAMPLE_OPTIONS, SOURCE_OPTION, TOKEN_ENV } from '../options';
import { planFile, planText } from '../publishing';

export const PLAN_COMMAND: CommandSpec = {
  name: 'plan',
  args: '<file.filter.yaml>',
  summary: 'Shows what publishing the audience would change: who enters, stays and exits, and what was evaluated. Sends nothing.',
  details: 'The audience is evaluated over its lookback on the sample data (or the warehouse, with --source warehouse); a data view with a missing sample file or skipped rows is refused.',
  options: [ENDPOINT_OPTION, SOURCE_OPTION, JSON_OPTION, maxBadRowsOption('0'), ...SAMPLE_OPTIONS],
  env: [TOKEN_ENV],
  examples: ['audience-filters plan filters/buyers.filter.yaml', 'AUDIENCE_FILTERS_ENDPOINT=https://profiles.example.com audience-filters plan filters/buyers.filter.yaml --json'],
};

/** `audience-filters plan <file.filter.yaml>`: see PLAN_COMMAND. */
export async function runPlan(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, PLAN_COMMAND);
  const planned = await planFile('plan', args, io, env);
  if (typeof planned === 'number') return planned;
  const { plan, evaluated } = planned;
  if (args.flags.has('json')) {
    const { identities: _all, ...summary } = plan;
    io.out(JSON.stringify({ ...summary, data: evaluated.data, anchor: evaluated.anchor ?? null }, null, 2));
  } else for (const line of planText(plan, evaluated, io.cwd)) io.out(line);
  return plan.publishable ? 0 : 1;
}
