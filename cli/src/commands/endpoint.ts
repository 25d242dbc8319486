import { main as endpointMain } from '../../../endpoint/src/main';
import type { CommandIO } from '../io';

/** `audience-filters endpoint --port <p> --db <file>`: runs the reference profile endpoint until stopped. */
export function runEndpoint(argv: string[], _io: CommandIO): Promise<number> {
  return endpointMain(argv);
}
