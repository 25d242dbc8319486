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
  details: 'Ctrl-C at any stage says what happened and what remains: while planning nothing was sent; while uploading the run is aborted (nothing is committed); after the commit was sent the audience is published. A data view with a missing sample file, or with skipped rows above --max-bad-rows, is never published: it would exit everyone whose data failed to load.',
  options: [
    ENDPOINT_OPTION,
    SOURCE_OPTION,
    { name: 'resume', value: '[<runId>]', description: 'finish an interrupted run, sending only the batches it lacks; without a run id, the audience\'s own open run (started by you for the same definition)' },
    { name: 'yes', description: 'do not ask for confirmation (needed when not at a terminal)' },
    JSON_OPTION,
    maxBadRowsOption('0'),
    ...SAMPLE_OPTIONS,
  ],
  env: [TOKEN_ENV],
  examples: ['audience-filters publish filters/buyers.filter.yaml', 'audience-filters publish filters/buyers.filter.yaml --yes --json --endpoint https://profiles.example.com'],
};

const RUN_ID = /^run_[A-Za-z0-9]{1,64}$/;

/**
 * `audience-filters publish <file.filter.yaml>` (see PUBLISH_COMMAND):
 * evaluates, prints the plan, asks (unless --yes), publishes with progress on stderr.
 * `--resume <runId>` finishes an interrupted run, sending only the batches it lacks; `--resume`
 * alone finishes the audience's open run when you started it for the same definition.
 * Ctrl-C at any stage says what happened and what remains: before the upload nothing was sent,
 * during it the run is aborted, after the commit was sent the audience is published.
 */
export async function runPublish(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(withBareResume(argv), PUBLISH_COMMAND);
  const resume = flagValue(args, 'resume');
  if (resume && !RUN_ID.test(resume)) throw new UsageError(`--resume takes a run id like run_abc123 (or nothing, for your own open run of this audience), not "${resume}"`);
  const json = args.flags.has('json');
  const yes = args.flags.has('yes');
  if (args.positionals.length !== 1) throw new UsageError('publish needs exactly one filter file');
  if (!yes && !process.stdin.isTTY) throw new UsageError('publish asks for confirmation; pass --yes when not at a terminal');
  const file = args.positionals[0];

  // Until the upload starts nothing has left this machine but reads: Ctrl-C ends the command at once.
  const beforeUpload = () => {
    io.err('Interrupted while planning (loading the sample data, evaluating the filter, reading the endpoint): nothing was sent and no run was opened.');
    process.exit(130);
  };
  process.on('SIGINT', beforeUpload);
  let planned;
  try {
    planned = await planFile('publish', args, io, env);
  } finally {
    process.off('SIGINT', beforeUpload);
  }
  if (typeof planned === 'number') return planned;
  const { plan, evaluated } = planned;
  for (const line of planText(plan, evaluated, io.cwd)) (json ? io.err : io.out)(line);
  if (!plan.publishable) return 1;
  if (!yes) {
    const answer = await confirm('Publish? [y/N] ');
    if (answer !== 'yes') {
      io.err(answer === 'interrupted' ? 'Interrupted at the question: not published, nothing was sent.' : 'Not published.');
      return answer === 'interrupted' ? 130 : 1;
    }
  }

  const controller = new AbortController();
  let interrupts = 0;
  let phase = 'audience';
  let runId: string | undefined;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      io.err(phase === 'commit'
        ? `  interrupted: the commit of run ${runId} was already sent and is atomic; waiting for its answer (Ctrl-C again leaves without it).`
        : '  interrupted: stopping the upload and aborting the run (Ctrl-C again leaves at once).');
      controller.abort(new Error('interrupted'));
      return;
    }
    for (const line of leftBehind(phase, runId, file, io.cwd)) io.err(line);
    process.exit(130);
  };
  process.on('SIGINT', onSigint);
  let lastReport = 0;
  let result;
  try {
    result = await publish(plan, {
      signal: controller.signal,
      resumeRunId: resume || undefined,
      resumeOwnRun: resume === '',
      onProgress: p => {
        phase = p.phase;
        runId = p.runId ?? runId;
        const now = Date.now();
        if (p.phase !== 'upload' || now - lastReport > 500) {
          lastReport = now;
          io.err(`  ${p.phase}: ${p.message}`);
        }
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (!result.ok) {
    io.err(`${result.error.code === 'cancelled' ? 'publish interrupted' : 'publish failed'}: ${describePublishError(result.error)}`);
    if (result.error.code === 'network') io.err(`  ${endpointHint(args, env)}`);
    for (const line of nextSteps(result.error, file, io.cwd)) io.err(line);
    return result.error.code === 'cancelled' ? 130 : 1;
  }
  const r = result.value;
  if (json) io.out(JSON.stringify({ audienceId: r.audienceId, runId: r.runId, entered: r.entered, existing: r.existing, exited: r.exited, total: r.total, leftOut: r.leftOut.total }));
  else io.out(`Published ${r.audienceId} version ${r.audienceVersion}: ${r.total} members (entered ${r.entered}, existing ${r.existing}, exited ${r.exited}, left out ${r.leftOut.total}).`);
  if (interrupts) io.err(`  the interrupt came after the commit was sent: run ${r.runId} is committed.`);
  return 0;
}

/**
 * `--resume` with no run id after it (last, before another option, or before the filter file) is
 * passed on as `--resume=`: resume the audience's own open run.
 */
function withBareResume(argv: string[]): string[] {
  return argv.map((a, i) => {
    if (a !== '--resume' && a !== '-resume') return a;
    const next = argv[i + 1];
    return next === undefined || next.startsWith('-') || /\.ya?ml$/i.test(next) ? '--resume=' : a;
  });
}

/** What a second Ctrl-C leaves behind, and the commands that finish or clear it. */
function leftBehind(phase: string, runId: string | undefined, file: string, cwd: string): string[] {
  const shown = path.relative(cwd, file) || file;
  if (!runId) return ['Left before a run was opened: no identity was sent.'];
  if (phase === 'commit') return [`Left while committing run ${runId}: it is committed or still open; \`audience-filters audiences\` shows which.`, `  if it is open, resume it: audience-filters publish ${shown} --resume ${runId}`];
  return [
    `Left with run ${runId} possibly open: nothing of it was committed.`,
    `  resume it:  audience-filters publish ${shown} --resume ${runId}`,
    `  or abort it: audience-filters abort-run ${runId}`,
  ];
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

/** The answer at the terminal; Ctrl-C at the question is `interrupted` (readline would only pause). */
function confirm(question: string): Promise<'yes' | 'no' | 'interrupted'> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise(resolve => {
    rl.on('SIGINT', () => {
      rl.close();
      resolve('interrupted');
    });
    rl.question(question, answer => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no');
    });
  });
}
