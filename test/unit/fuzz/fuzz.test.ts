/**
 * The fuzz properties (properties.ts) on the fixed budget of `npm test`: each property's `runs`,
 * with a fresh seed per run (printed with the shrunk input on failure: rerun it with
 * `FUZZ_SEED=<seed> npm test -- unit`). `npm run fuzz -- --minutes N` runs them longer.
 */
import fc from 'fast-check';
import { describeFailure, PROPERTIES, stopFuzzEndpoint } from './properties';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

describe('fuzz (issue 14): random and mutated inputs to readers, import, SQL, formatter and endpoint', function () {
  this.timeout(120_000);
  after(() => stopFuzzEndpoint());

  for (const p of PROPERTIES) {
    it(p.name, async () => {
      const details = await fc.check(p.property(), { numRuns: p.runs, seed: SEED });
      if (details.failed) throw new Error(describeFailure(p.name, details));
    });
  }
});
