import { flagValue, parseArgs, UsageError } from '../args';
import type { CommandSpec } from '../args';
import { evaluateFlagsOf, evaluateOptionsOf, reportFailure, serviceFor } from '../evaluateFile';
import type { CommandIO } from '../io';
import { DATAVIEW_OPTION, JSON_OPTION, SAMPLE_OPTIONS } from '../options';

export const EXPLAIN_COMMAND: CommandSpec = {
  name: 'explain',
  args: '<file.filter.yaml> --person <id|namespace:id>',
  summary: "Explains why a person of the sample data is in or out of the audience, step by step, with the person's events.",
  options: [
    { name: 'person', value: '<id|namespace:id>', description: 'the person: an ID, or namespace:ID when IDs repeat across namespaces (required)' },
    JSON_OPTION,
    DATAVIEW_OPTION,
    ...SAMPLE_OPTIONS,
  ],
  examples: ['audience-filters explain filters/buyers.filter.yaml --person 1032', 'audience-filters explain filters/buyers.filter.yaml --person ECID:1032 --json'],
};

/** `audience-filters explain <file.filter.yaml> --person <id|namespace:id>`: see EXPLAIN_COMMAND. */
export async function runExplain(argv: string[], io: CommandIO): Promise<number> {
  const args = parseArgs(argv, EXPLAIN_COMMAND);
  if (args.positionals.length !== 1) throw new UsageError('explain needs exactly one filter file');
  const person = flagValue(args, 'person');
  if (!person) throw new UsageError('explain needs --person <id> or --person <namespace>:<id>');
  const flags = evaluateFlagsOf(args);
  const context = serviceFor(args.positionals[0], io, flags);
  const { key, service } = context;
  const prepared = await service.prepare(key, evaluateOptionsOf(flags));
  if (!prepared.ok) return reportFailure(prepared, args.positionals[0], io, context);
  const ds = prepared.value.dataset;
  const colon = person.indexOf(':');
  let index = -1;
  for (let p = 0; p < ds.personCount; p++) {
    const match = colon > 0 && ds.personNamespaces[p] === person.slice(0, colon) && ds.personIds[p] === person.slice(colon + 1);
    if (match || ds.personIds[p] === person) {
      index = p;
      break;
    }
  }
  if (index < 0) {
    io.err(`No person ${person} in the sample data of data view ${prepared.value.dataView.id}.`);
    return 1;
  }
  const outcome = await service.explain(key, index);
  if (!outcome.ok) return reportFailure(outcome, args.positionals[0], io);
  const x = outcome.value;
  if (args.flags.has('json')) {
    io.out(JSON.stringify(x, null, 2));
    return 0;
  }
  io.out(`${x.person?.namespace}:${x.person?.id} — ${x.verdict === 'member' ? 'IN the audience' : 'NOT in the audience'}`);
  io.out(x.summary);
  for (const s of x.steps) io.out(`  ${s.status === 'matched' ? '✓' : s.status === 'failed' ? '✗' : '·'} ${s.label}${s.time ? ` at ${s.time}` : ''}${s.reason ? ` — ${s.reason}` : ''}`);
  io.out('timeline');
  for (const e of x.timeline) {
    const values = Object.entries(e.values).filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k}=${v}`).join(' ');
    io.out(`  ${e.returned ? '●' : '○'} ${e.time}  s${e.session}  ${values}`);
  }
  return 0;
}
