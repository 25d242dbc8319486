import { parseArgs } from '../args';
import type { CommandIO } from '../io';
import { planFile, planText } from '../publishing';

/** `audience-filters plan <file.filter.yaml> [--endpoint <url>] [--json]`: what a publish would change. */
export async function runPlan(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, { values: ['endpoint', 'source'], booleans: ['json'] });
  const plan = await planFile('plan', args, io, env);
  if (typeof plan === 'number') return plan;
  if (args.flags.has('json')) {
    const { identities: _all, ...summary } = plan;
    io.out(JSON.stringify(summary, null, 2));
  } else for (const line of planText(plan)) io.out(line);
  return plan.publishable ? 0 : 1;
}
