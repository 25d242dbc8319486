import { ENDPOINT_OPTIONS, main as endpointMain } from '../../../endpoint/src/main';
import type { CommandSpec } from '../args';
import type { CommandIO } from '../io';

export const ENDPOINT_COMMAND: CommandSpec = {
  name: 'endpoint',
  args: '--db <file>',
  summary: 'Runs the reference profile endpoint on a SQLite database until stopped (Ctrl-C).',
  details: 'On first start (or with --rotate-admin-token) an admin token is written to <db>.admin-token (mode 600); when ready the endpoint prints, on stderr, the `export AUDIENCE_FILTERS_TOKEN=…` line to paste into the shell that publishes.',
  options: ENDPOINT_OPTIONS.map(o => ({ ...o })),
  examples: ['audience-filters endpoint --db audiences.db', 'audience-filters endpoint --db audiences.db --host 0.0.0.0 --port 8443 --tls-cert cert.pem --tls-key key.pem --json'],
};

/** `audience-filters endpoint --db <file>`: see ENDPOINT_COMMAND (parsed by the endpoint itself). */
export function runEndpoint(argv: string[], _io: CommandIO): Promise<number> {
  return endpointMain(argv);
}
