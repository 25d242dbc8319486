import { planPublish } from '../../../core/src/publish';
import { parseArgs, UsageError } from '../args';
import type { CommandIO } from '../io';
import { describePublishError, endpointOf, planText, publishInputsFor, tokenOf } from '../publishing';

/** `audience-filters plan <file.filter.yaml> [--endpoint <url>] [--json]`: what a publish would change. */
export async function runPlan(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, { values: ['endpoint'], booleans: ['json'] });
  if (args.positionals.length !== 1) throw new UsageError('plan needs exactly one filter file');
  const inputs = await publishInputsFor(args.positionals[0], endpointOf(args, env), tokenOf(env), io);
  if (typeof inputs === 'number') return inputs;
  const planned = await planPublish(inputs);
  if (!planned.ok) {
    io.err(`plan failed: ${describePublishError(planned.error)}`);
    return 1;
  }
  const plan = planned.value;
  if (args.flags.has('json')) {
    const { identities: _all, ...summary } = plan;
    io.out(JSON.stringify(summary, null, 2));
  } else for (const line of planText(plan)) io.out(line);
  return plan.publishable ? 0 : 1;
}
