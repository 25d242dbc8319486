// Bundles the extension client, the language server and the CLI into one file each (dist/).
// Type checking is `tsc -b`; esbuild only bundles. The bundles carry third-party code, so the
// licences of every package bundled are written next to them (dist/THIRD_PARTY_NOTICES.txt).
import * as esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  minify: process.argv.includes('--minify'),
};

const results = await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  // Native modules stay outside the bundles and load from node_modules (pg-native is pg's optional native binding, not used).
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js', external: ['@duckdb/node-api', 'pg-native'] }),
  // The dataset loader's worker threads run this file, found next to the bundle that starts them.
  esbuild.build({ ...common, entryPoints: ['core/src/data/loadWorker.ts'], outfile: 'dist/loadWorker.js' }),
  // The endpoint's commit thread, found next to the CLI bundle that starts it.
  esbuild.build({ ...common, entryPoints: ['endpoint/src/commitWorker.ts'], outfile: 'dist/commitWorker.js', external: ['better-sqlite3'] }),
  esbuild.build({ ...common, entryPoints: ['endpoint/src/checkpointer.ts'], outfile: 'dist/checkpointer.js', external: ['better-sqlite3'] }),
  esbuild.build({ ...common, entryPoints: ['cli/src/bin.ts'], outfile: 'dist/cli.js', external: ['better-sqlite3', '@duckdb/node-api', 'pg-native'] }),
]);

/** The package directories (under node_modules) that the bundles took code from. */
function bundledPackages() {
  const dirs = new Set();
  for (const result of results) {
    for (const input of Object.keys(result.metafile.inputs)) {
      const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) dirs.add(m[1]);
    }
  }
  return [...dirs];
}

function notice(dir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const licenceFile = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  const text = licenceFile ? fs.readFileSync(path.join(dir, licenceFile), 'utf8').trim() : `Licence: ${pkg.license ?? 'not stated'} (the package ships no licence file).`;
  return `${pkg.name} ${pkg.version} (${pkg.license ?? 'licence not stated'})\n\n${text}`;
}

const notices = [...new Map(bundledPackages().map((dir) => [dir, notice(dir)])).values()].sort();
fs.writeFileSync(
  'dist/THIRD_PARTY_NOTICES.txt',
  `Audience Filters bundles the following packages into dist/*.js. Their licences follow.\n\n${notices.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`,
);
