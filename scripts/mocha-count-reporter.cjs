// Mocha's spec output, plus the pass/fail counts and the failures' titles written to $MOCHA_COUNT_FILE for scripts/test.mjs.
const fs = require('fs');
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    // Each failure's title and the first line of its error, for the summary at the end of `npm test`.
    const failures = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const first = String((err && err.message) || err).split('\n')[0].slice(0, 300);
      failures.push(`${test.fullTitle()}: ${first}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MOCHA_COUNT_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify({ passed: runner.stats.passes, failed: runner.stats.failures, failures }));
    });
  }
}
module.exports = CountReporter;
