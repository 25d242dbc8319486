// `npm run demo`: the main job on embedded defaults. Builds, checks the example workspace, runs its
// filter tests, previews an example filter on its sample data, loads the sample files into the
// data view's embedded DuckDB warehouse and previews the same filter there, then starts the
// reference profile endpoint on loopback with a temporary database, publishes the example audience
// from the warehouse, changes the definition, and publishes again — printing the plan and the
// result each time.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const cli = path.join(root, 'bin', 'audience-filters.js');

function step(title, args, { env, cwd } = {}) {
  console.log(`\n── ${title}\n$ audience-filters ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { stdio: 'inherit', env: { ...process.env, ...env }, cwd: cwd ?? root });
  if (r.status !== 0) {
    console.error(`\n${title} failed (exit ${r.status}).`);
    process.exit(r.status ?? 1);
  }
}

/** Starts the endpoint as its own process and resolves with its URL once it listens. */
function startEndpoint(db) {
  const child = spawn(process.execPath, [cli, 'endpoint', '--port', '0', '--db', db, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.on('line', line => {
      try {
        const msg = JSON.parse(line);
        if (msg.listening) resolve({ child, url: msg.listening });
      } catch {
        // not a status line
      }
    });
    child.once('exit', code => reject(new Error(`the endpoint exited (${code}) before listening`)));
  });
}

console.log('── Build');
const built = Date.now();
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
console.log(`built in ${((Date.now() - built) / 1000).toFixed(1)} s`);

// Everything runs in a scratch copy of the examples, so the definition can be changed and the
// warehouse file is not left behind.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'audience-filters-demo-'));
const workspace = path.join(tmp, 'examples');
fs.cpSync(path.join(root, 'examples'), workspace, { recursive: true, filter: src => !src.includes(`${path.sep}.warehouse`) });
const filter = 'filters/checkout-abandoners.filter.yaml';

step('Check the example workspace', ['check', '.'], { cwd: workspace });
step('Run the filter tests', ['test', '.'], { cwd: workspace });
step('Preview a filter on the sample data', ['preview', filter], { cwd: workspace });
step("Load the sample files into the data view's DuckDB warehouse", ['load-warehouse', 'web.dataview.yaml'], { cwd: workspace });
step('Preview the same filter on the warehouse', ['preview', filter, '--source', 'warehouse'], { cwd: workspace });

const db = path.join(tmp, 'profiles.sqlite');
const { child, url } = await startEndpoint(db);
const stop = () => child.kill();
process.on('exit', stop);
try {
  const token = fs.readFileSync(`${db}.admin-token`, 'utf8').trim();
  const env = { AUDIENCE_FILTERS_TOKEN: token };
  console.log(`\nReference profile endpoint on ${url} (database ${db}).`);
  step('Publish the audience, evaluated on the warehouse', ['publish', filter, '--endpoint', url, '--source', 'warehouse', '--yes'], { env, cwd: workspace });
  const file = path.join(workspace, filter);
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('then within 30 minutes', 'then within 2 hours'));
  console.log('\nChanged the definition: "within 30 minutes" → "within 2 hours".');
  step('Plan the republish (who enters, who exits)', ['plan', filter, '--endpoint', url, '--source', 'warehouse'], { env, cwd: workspace });
  step('Republish', ['publish', filter, '--endpoint', url, '--source', 'warehouse', '--yes'], { env, cwd: workspace });
  step('List the published audiences', ['audiences', '--endpoint', url], { env });
} finally {
  stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log('\nDemo finished.');
