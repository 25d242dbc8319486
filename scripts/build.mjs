// Bundles the extension client, the language server and the CLI into one file each (dist/).
// Type checking is `tsc -b`; esbuild only bundles.
import * as esbuild from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  minify: process.argv.includes('--minify'),
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] }),
  esbuild.build({ ...common, entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' }),
  // The dataset loader's worker threads run this file, found next to the bundle that starts them.
  esbuild.build({ ...common, entryPoints: ['core/src/data/loadWorker.ts'], outfile: 'dist/loadWorker.js' }),
  // Native modules stay outside the bundle and load from node_modules.
  esbuild.build({ ...common, entryPoints: ['cli/src/bin.ts'], outfile: 'dist/cli.js', external: ['better-sqlite3', '@duckdb/node-api'] }),
]);
