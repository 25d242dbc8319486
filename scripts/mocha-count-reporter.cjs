// Mocha's spec output, plus the pass/fail counts written to $MOCHA_COUNT_FILE for scripts/test.mjs.
const fs = require('fs');
const Mocha = require('mocha');
const { EVENT_RUN_END } = Mocha.Runner.constants;

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MOCHA_COUNT_FILE;
      if (file) fs.writeFileSync(file, JSON.stringify({ passed: runner.stats.passes, failed: runner.stats.failures }));
    });
  }
}
module.exports = CountReporter;
