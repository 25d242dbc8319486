import { EndpointClient } from '../../../core/src/publish';
import { flagValue, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { ENDPOINT_OPTION, JSON_OPTION, TOKEN_ENV } from '../options';
import { describePublishError, endpointHint, endpointOf, tokenOf } from '../publishing';

export const ABORT_RUN_COMMAND: CommandSpec = {
  name: 'abort-run',
  args: '<runId>',
  summary: 'Aborts an open publish run: its staged identities are dropped and nothing of it is committed.',
  options: [{ name: 'reason', value: '<text>', description: 'why, recorded with the run', default: 'from the command line' }, ENDPOINT_OPTION, JSON_OPTION],
  env: [TOKEN_ENV],
  examples: ['audience-filters abort-run run_abc123', 'audience-filters abort-run run_abc123 --reason "wrong filter" --json'],
};

/**
 * `audience-filters abort-run <runId> [--reason <text>] [--endpoint <url>] [--json]`: aborts an open
 * publish run (one a failed or interrupted publish left open, or another publisher's): its staged
 * identities are dropped and nothing of it is committed. Aborting an aborted run is harmless.
 */
export async function runAbortRun(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, ABORT_RUN_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('abort-run needs exactly one run id');
  const runId = args.positionals[0];
  if (!/^run_[A-Za-z0-9]{1,64}$/.test(runId)) throw new UsageError(`"${runId}" is not a run id (run ids look like run_abc123)`);
  const created = EndpointClient.create({ endpoint: endpointOf(args, env), token: tokenOf(env) });
  if (!created.ok) {
    io.err(describePublishError(created.error));
    return 1;
  }
  try {
    const aborted = await created.value.abortRun(runId, flagValue(args, 'reason') ?? 'from the command line');
    if (!aborted.ok) {
      io.err(`could not abort ${runId}: ${describePublishError(aborted.error)}`);
      if (aborted.error.code === 'network') io.err(`  ${endpointHint(args, env)}`);
      return 1;
    }
    const run = aborted.value;
    if (args.flags.has('json')) io.out(JSON.stringify({ runId: run.id, audienceId: run.audienceId, status: run.status, abortReason: run.abortReason ?? null, stagedIdentities: run.stagedIdentities }));
    else io.out(`Run ${run.id} of audience ${run.audienceId} is aborted (${run.abortReason ?? 'aborted'}); nothing of it was committed.`);
    return 0;
  } finally {
    created.value.close();
  }
}
