import { EndpointClient } from '../../../core/src/publish';
import type { Audience } from '../../../core/src/publish';
import { parseArgs } from '../args';
import type { CommandIO } from '../io';
import { describePublishError, endpointOf, tokenOf } from '../publishing';

/** `audience-filters audiences [--endpoint <url>] [--json]`: the published audiences. */
export async function runAudiences(argv: string[], io: CommandIO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, { values: ['endpoint'], booleans: ['json'] });
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
