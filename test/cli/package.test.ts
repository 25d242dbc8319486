import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../support/cli';

/** Names of the entries of a zip file, read from its central directory. */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    assert.strictEqual(buf.readUInt32LE(at), 0x02014b50, 'bad central directory entry');
    const nameLength = buf.readUInt16LE(at + 28);
    const extra = buf.readUInt16LE(at + 30);
    const comment = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extra + comment;
  }
  return names.sort();
}

describe('packaging', () => {
  it('the .vsix holds only the bundles and their third-party notices, grammar, schemas, webview assets, README, LICENSE and icon', function () {
    this.timeout(120_000);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'af-vsix-')), 'audience-filters.vsix');
    const r = spawnSync(process.execPath, [require.resolve('@vscode/vsce/vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '-o', out], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr + r.stdout);
    const files = zipEntries(out).filter(n => n.startsWith('extension/')).map(n => n.slice('extension/'.length));
    const allowed = [/^package\.json$/, /^readme\.md$/i, /^LICENSE(\.txt)?$/, /^images\/icon\.png$/, /^dist\/(extension|server|loadWorker)\.js$/, /^dist\/THIRD_PARTY_NOTICES\.txt$/, /^syntaxes\/[\w.-]+\.json$/, /^schemas\/([\w-]+\/)?[\w.-]+\.json$/, /^media\/preview\/[\w.-]+\.(js|css)$/, /^media\/walkthrough\/[\w.-]+\.md$/, /^snippets\/[\w.-]+\.json$/];
    assert.deepStrictEqual(files.filter(f => !allowed.some(a => a.test(f))), []);
    for (const needed of ['package.json', 'readme.md', 'images/icon.png', 'dist/extension.js', 'dist/server.js', 'dist/THIRD_PARTY_NOTICES.txt', 'syntaxes/audience-filter.tmLanguage.json', 'schemas/filter.schema.json', 'schemas/dataview.schema.json']) {
      assert.ok(files.includes(needed), `${needed} is missing from the package`);
    }
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('the third-party notices carry the licence of every package the bundles include', () => {
    const notices = fs.readFileSync(path.join(REPO_ROOT, 'dist', 'THIRD_PARTY_NOTICES.txt'), 'utf8');
    for (const bundle of ['extension.js', 'server.js', 'loadWorker.js', 'cli.js']) {
      const map = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'dist', `${bundle}.map`), 'utf8')) as { sources: string[] };
      // The innermost node_modules folder of each source is its package (packages may nest).
      const packages = new Set(map.sources.flatMap((s) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []));
      assert.ok(packages.size > 0 || bundle === 'loadWorker.js', `${bundle} bundles no package?`);
      for (const dir of packages) {
        const pkg = JSON.parse(fs.readFileSync(path.resolve(REPO_ROOT, 'dist', dir, 'package.json'), 'utf8')) as { name: string; version: string; license: string };
        assert.ok(notices.includes(`${pkg.name} ${pkg.version} (${pkg.license})`), `${pkg.name} (in ${bundle}) has no notice`);
      }
    }
    assert.match(notices, /Permission is hereby granted, free of charge/);
  });

  it('in an untrusted workspace VS Code ignores workspace values of the settings that decide where data goes', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
    const trust = manifest.capabilities.untrustedWorkspaces;
    assert.equal(trust.supported, 'limited');
    const sensitive = Object.keys(manifest.contributes.configuration.properties).filter(k => /endpoint\.url|warehouse/.test(k));
    assert.deepEqual(sensitive, ['audienceFilters.endpoint.url']);
    assert.deepEqual(trust.restrictedConfigurations, sensitive);
  });

  it('the extension bundle loads and exports activate and deactivate', () => {
    // The bundle imports `vscode`, which only the extension host provides: load it with a stand-in
    // for that one module (every member an empty class, as libraries subclass some at load time),
    // just far enough to see the bundle's exports.
    const Module = require('module') as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
    const original = Module._load;
    const standIn = new Proxy({}, { get: () => class {} });
    Module._load = (request, parent, isMain) => (request === 'vscode' ? standIn : original(request, parent, isMain));
    try {
      const bundle = require(path.join(REPO_ROOT, 'dist', 'extension.js')) as Record<string, unknown>;
      assert.strictEqual(typeof bundle.activate, 'function');
      assert.strictEqual(typeof bundle.deactivate, 'function');
    } finally {
      Module._load = original;
    }
  });

  it('the language server and CLI bundles are self-contained', () => {
    for (const bundle of ['server.js', 'cli.js']) {
      const text = fs.readFileSync(path.join(REPO_ROOT, 'dist', bundle), 'utf8');
      assert.ok(!/require\("\.\.?\/(core|server|cli)\//.test(text), `${bundle} requires unbundled project files`);
    }
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'audience-filters.js'), '--version'], { encoding: 'utf8' });
    assert.strictEqual(r.stdout, '0.1.0\n');
  });
});
