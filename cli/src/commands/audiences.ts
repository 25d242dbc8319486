import { EndpointClient } from '../../../core/src/publish';
import type { Audience } from '../../../core/src/publish';
import { parseArgs } from '../args';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';
import { ENDPOINT_OPTION, JSON_OPTION, TOKEN_ENV } from '../options';
import { describePublishError, endpointHint, endpointOf, tokenOf } from '../publishing';

export const AUDIENCES_COMMAND: CommandSpec = {
  name: 'audiences',
  args: '',
  summary: 'Lists the audiences published to the profile endpoint.',
  options: [ENDPOINT_OPTION, JSON_OPTION],
  env: [TOKEN_ENV],
  examples: ['audience-filters audiences', 'audience-filters audiences --json --endpoint https://profiles.example.com'],
};

/** `audience-filters audiences`: see AUDIENCES_COMMAND. */
export async function runAudiences(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, AUDIENCES_COMMAND);
  const created = EndpointClient.create({ endpoint: endpointOf(args, env), token: tokenOf(env) });
  if (!created.ok) {
    io.err(describePublishError(created.error));
    return 1;
  }
  const audiences: Audience[] = [];
  let cursor: string | undefined;
  do {
    const listed = await created.value.listAudiences({ cursor, limit: 100 });
    if (!listed.ok) {
      io.err(`could not list audiences: ${describePublishError(listed.error)}`);
      if (listed.error.code === 'network') io.err(`  ${endpointHint(args, env)}`);
      return 1;
    }
    audiences.push(...listed.value.audiences);
    cursor = listed.value.nextCursor ?? undefined;
  } while (cursor);
  if (args.flags.has('json')) {
    io.out(JSON.stringify(audiences, null, 2));
    return 0;
  }
  if (!audiences.length) io.out('No audiences.');
  for (const a of audiences) {
    io.out(`${a.id}  ${a.name}  [${a.status}]  ${a.size} members  refresh ${a.refresh}  last refreshed ${a.lastRefreshedAt ?? 'never'}  owner ${a.owner}  expires ${a.expires}`);
  }
  return 0;
}
