import * as readline from 'readline';
import * as path from 'path';
import { publish } from '../../../core/src/publish';
import type { PublishError } from '../../../core/src/publish/errors';
import { flagValue, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { ENDPOINT_OPTION, JSON_OPTION, maxBadRowsOption, SAMPLE_OPTIONS, SOURCE_OPTION, TOKEN_ENV } from '../options';
import { describePublishError, endpointHint, planFile, planText } from '../publishing';

export const PUBLISH_COMMAND: CommandSpec = {
  name: 'publish',
  args: '<file.filter.yaml>',
  summary: 'Evaluates the audience, prints the plan, asks, and publishes it to the profile endpoint with progress on stderr.',
  details: 'Ctrl-C aborts the run (nothing is committed). A data view with a missing sample file, or with skipped rows above --max-bad-rows, is never published: it would exit everyone whose data failed to load.',
  options: [
    ENDPOINT_OPTION,
    SOURCE_OPTION,
    { name: 'resume', value: '<runId>', description: 'finish an interrupted run, sending only the batches it lacks' },
    { name: 'yes', description: 'do not ask for confirmation (needed when not at a terminal)' },
    JSON_OPTION,
    maxBadRowsOption('0'),
    ...SAMPLE_OPTIONS,
  ],
  env: [TOKEN_ENV],
  examples: ['audience-filters publish filters/buyers.filter.yaml', 'audience-filters publish filters/buyers.filter.yaml --yes --json --endpoint https://profiles.example.com'],
};

/** `audience-filters publish <file.filter.yaml>`: see PUBLISH_COMMAND. */
export async function runPublish(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, PUBLISH_COMMAND);
  const resumeRunId = flagValue(args, 'resume');
  if (resumeRunId !== undefined && !/^run_[A-Za-z0-9]{1,64}$/.test(resumeRunId)) throw new UsageError(`--resume needs a run id like run_abc123, not "${resumeRunId}"`);
  const json = args.flags.has('json');
  const yes = args.flags.has('yes');
  if (args.positionals.length !== 1) throw new UsageError('publish needs exactly one filter file');
  if (!yes && !process.stdin.isTTY) throw new UsageError('publish asks for confirmation; pass --yes when not at a terminal');
  const planned = await planFile('publish', args, io, env);
  if (typeof planned === 'number') return planned;
  const { plan, evaluated } = planned;
  for (const line of planText(plan, evaluated, io.cwd)) (json ? io.err : io.out)(line);
  if (!plan.publishable) return 1;
  if (!yes && !(await confirm('Publish? [y/N] '))) {
    io.err('Not published.');
    return 1;
  }
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSigint);
  let lastReport = 0;
  const result = await publish(plan, {
    signal: controller.signal,
    resumeRunId,
    onProgress: p => {
      const now = Date.now();
      if (p.phase !== 'upload' || now - lastReport > 500) {
        lastReport = now;
        io.err(`  ${p.phase}: ${p.message}`);
      }
    },
  });
  process.off('SIGINT', onSigint);
  if (!result.ok) {
    io.err(`publish failed: ${describePublishError(result.error)}`);
    if (result.error.code === 'network') io.err(`  ${endpointHint(args, env)}`);
    for (const line of nextSteps(result.error, args.positionals[0], io.cwd)) io.err(line);
    return 1;
  }
  const r = result.value;
  if (json) io.out(JSON.stringify({ audienceId: r.audienceId, runId: r.runId, entered: r.entered, existing: r.existing, exited: r.exited, total: r.total, leftOut: r.leftOut.total }));
  else io.out(`Published ${r.audienceId} version ${r.audienceVersion}: ${r.total} members (entered ${r.entered}, existing ${r.existing}, exited ${r.exited}, left out ${r.leftOut.total}).`);
  return 0;
}

/** The commands that finish or clear a run a failed publish left open. */
function nextSteps(e: PublishError, file: string, cwd: string): string[] {
  if (!e.runId) return [];
  const shown = path.relative(cwd, file) || file;
  if (e.resumable) {
    return [`  resume it:  audience-filters publish ${shown} --resume ${e.runId}`, `  or abort it: audience-filters abort-run ${e.runId}`];
  }
  if (e.code === 'run_conflict') return [`  to abort that run (deliberately): audience-filters abort-run ${e.runId}`];
  return [];
}

function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise(resolve => rl.question(question, answer => {
    rl.close();
    resolve(/^y(es)?$/i.test(answer.trim()));
  }));
}
