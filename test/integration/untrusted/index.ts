// The extensionTestsPath of the run in an untrusted workspace (`scripts/run-vscode-tests.js --untrusted`):
// workspace trust is on and the fixture folder is not trusted, so the workbench is in Restricted Mode.
import { runTestsIn } from '../suite/index';

export function run(): Promise<void> {
  return runTestsIn(__dirname);
}
