// Parse + check time of the filter language (issue: "time to parse and check a 5,000-line filter
// workspace and a single 2,000-line filter file"). Reference: js-yaml's plain load of the same
// text (YAML parsing alone, no schema, no rule language, no checks), in the same process.
import * as fs from 'fs';
import * as path from 'path';
import { createRequire } from 'module';
import { bigFilter, bigWorkspace, DATAVIEW, median, round } from './_fixtures.mjs';

export async function run({ root }) {
  const require = createRequire(import.meta.url);
  const { Workspace } = require(path.join(root, 'out/core/src/workspace.js'));
  const yaml = require('js-yaml');
  const time = f => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e6; };

  // One 2,000-line filter file.
  const single = bigFilter('big', 2000);
  const checkSingle = () => {
    const ws = new Workspace();
    ws.set('/bench/web.dataview.yaml', DATAVIEW);
    ws.set('/bench/big.filter.yaml', single);
    return ws.diagnostics('/bench/big.filter.yaml');
  };
  const coldSingle = time(checkSingle);
  const warmSingle = median(Array.from({ length: 15 }, () => time(checkSingle)));
  const yamlSingle = median(Array.from({ length: 15 }, () => time(() => yaml.load(single))));

  // A 5,000-line workspace: 50 filters of 100 lines.
  const dir = bigWorkspace(50, 100);
  const files = fs.readdirSync(dir).map(f => [path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8')]);
  const lines = files.reduce((n, [, t]) => n + t.split('\n').length - 1, 0);
  const checkWorkspace = () => {
    const ws = new Workspace();
    for (const [f, t] of files) ws.set(f, t);
    let n = 0;
    for (const [f] of files) n += ws.diagnostics(f).length;
    return n;
  };
  const coldWs = time(checkWorkspace);
  const warmWs = median(Array.from({ length: 10 }, () => time(checkWorkspace)));
  const yamlWs = median(Array.from({ length: 10 }, () => time(() => { for (const [, t] of files) yaml.load(t); })));
  fs.rmSync(dir, { recursive: true, force: true });

  return {
    note: 'ms; ours = YAML + schema + rule parse + semantic checks; reference = js-yaml load only. cold = first run in this process, warm = median.',
    singleFile2000Lines: { lines: single.split('\n').length - 1, oursColdMs: round(coldSingle), oursWarmMs: round(warmSingle), referenceJsYamlLoadMs: round(yamlSingle), diagnostics: checkSingle().length },
    workspace5000Lines: { files: files.length, lines, oursColdMs: round(coldWs), oursWarmMs: round(warmWs), referenceJsYamlLoadMs: round(yamlWs) },
  };
}
