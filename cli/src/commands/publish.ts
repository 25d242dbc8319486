import * as readline from 'readline';
import * as path from 'path';
import { publish } from '../../../core/src/publish';
import type { PublishError } from '../../../core/src/publish/errors';
import { flagValue, parseArgs, UsageError } from '../args';
import type { CommandIO } from '../io';
import { describePublishError, planFile, planText } from '../publishing';

/**
 * `audience-filters publish <file.filter.yaml> [--endpoint <url>] [--resume <runId>] [--yes] [--json]`:
 * evaluates, prints the plan, asks (unless --yes), publishes with progress on stderr. Ctrl-C
 * aborts the run. `--resume` finishes an interrupted run, sending only the batches it lacks.
 */
export async function runPublish(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, { values: ['endpoint', 'resume', 'source'], booleans: ['json', 'yes'] });
  const resumeRunId = flagValue(args, 'resume');
  if (resumeRunId !== undefined && !/^run_[A-Za-z0-9]{1,64}$/.test(resumeRunId)) throw new UsageError(`--resume needs a run id like run_abc123, not "${resumeRunId}"`);
  const json = args.flags.has('json');
  const yes = args.flags.has('yes');
  if (args.positionals.length !== 1) throw new UsageError('publish needs exactly one filter file');
  if (!yes && !process.stdin.isTTY) throw new UsageError('publish asks for confirmation; pass --yes when not at a terminal');
  const plan = await planFile('publish', args, io, env);
  if (typeof plan === 'number') return plan;
  for (const line of planText(plan)) (json ? io.err : io.out)(line);
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
