// The suite runner VS Code loads as `extensionTestsPath`: runs every `*.test.js` next to this file with mocha
// inside the extension host, writes the counts to the file the test runner named in
// AUDIENCE_FILTERS_TEST_RESULTS, and settles the promise VS Code turns into the exit code.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';

export const RESULTS_ENV = 'AUDIENCE_FILTERS_TEST_RESULTS';

export function run(): Promise<void> {
  return runTestsIn(__dirname);
}

/** Runs every `*.test.js` in `dir` (the untrusted-workspace suite has its own folder). */
export function runTestsIn(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(dir, file));
  }
  return new Promise((resolve, reject) => {
    try {
      const titles: string[] = []; // each failure's title and first error line, for `npm test`'s summary
      const runner = mocha.run(failures => {
        const passed = runner.stats?.passes ?? 0;
        // A broken root hook counts as a failure even when no test ran; so does a suite that ran nothing.
        const failed = Math.max(failures, runner.stats?.failures ?? 0, passed === 0 ? 1 : 0);
        writeResults({ passed, failed, failures: titles });
        console.log(`${passed} passed, ${failed} failed`);
        if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
        else resolve();
      });
      runner.on('fail', (test, err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        titles.push(`${test.fullTitle()}: ${message.split('\n')[0].slice(0, 300)}`);
      });
    } catch (e) {
      // Loading a test file threw: nothing ran, and that is a failure.
      writeResults({ passed: 0, failed: 1, failures: [`loading the test files: ${e instanceof Error ? e.message : String(e)}`] });
      console.log('0 passed, 1 failed');
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

function writeResults(counts: { passed: number; failed: number; failures: string[] }): void {
  const file = process.env[RESULTS_ENV];
  if (file) fs.writeFileSync(file, `${JSON.stringify(counts)}\n`);
}
