import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALLOWED_FOLDERS_SETTING } from '../../../core/src/data/sourceAccess';
import type { SourcePolicy } from '../../../core/src/data/sourceAccess';
import { EvaluationService } from '../../../core/src/evaluation';
import { Workspace } from '../../../core/src/workspace';

/**
 * Sample files checked like code, on real files: a missing, special or outside file is an error
 * on its `file:` value, and the evaluation refuses a data view with such a file.
 */
describe('data view sample files', () => {
  let base: string;
  let root: string;
  let outside: string;
  const ROW = '{"ecid":"p1","timestamp":"2026-11-01T10:00:00Z"}\n';

  before(() => {
    base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'af-sources-')));
    root = path.join(base, 'ws');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'data', 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'data', 'ok.ndjson'), ROW);
    fs.writeFileSync(path.join(outside, 'secret.ndjson'), ROW);
    fs.symlinkSync(path.join(outside, 'secret.ndjson'), path.join(root, 'data', 'link.ndjson'));
    fs.symlinkSync(path.join(root, 'data', 'ok.ndjson'), path.join(root, 'data', 'inner-link.ndjson'));
    execFileSync('mkfifo', [path.join(root, 'data', 'pipe.ndjson')]);
    fs.symlinkSync('loop-b.ndjson', path.join(root, 'data', 'loop-a.ndjson'));
    fs.symlinkSync('loop-a.ndjson', path.join(root, 'data', 'loop-b.ndjson'));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  const policy = (extra: string[] = []): SourcePolicy => ({ rootsFor: () => [root, ...extra], howToAllow: `add its folder to the user setting \`${ALLOWED_FOLDERS_SETTING}\``, setting: ALLOWED_FOLDERS_SETTING });

  function dataView(files: string[]): string {
    return `dataview: web\ntimestamp: timestamp\nsources:\n${files.map(f => `  - file: ${f}\n    person: ecid\n    namespace: ECID\n`).join('')}dimensions:\n  page: string\n`;
  }

  function diagnose(files: string[], p: SourcePolicy = policy()) {
    const ws = new Workspace(undefined, { sourcePolicy: p });
    const uri = path.join(root, 'web.dataview.yaml');
    ws.set(uri, dataView(files));
    return ws.diagnostics(uri).map(d => ({ code: d.code, range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], message: d.message, setting: d.data?.setting }));
  }

  /** Line of the n-th `file:` value (0-based) in `dataView`, and where the value starts. */
  const at = (n: number, value: string) => [3 + 3 * n, 10, 3 + 3 * n, 10 + value.length];

  it('accepts files inside the folder, also through a symlink that stays inside', () => {
    assert.deepStrictEqual(diagnose(['data/ok.ndjson', 'data/inner-link.ndjson', 'data/sub/../ok.ndjson']), []);
  });

  it('dataview-file-missing, -not-regular: on the file value, with the value as written', () => {
    assert.deepStrictEqual(diagnose(['data/nope.csv', 'data/sub', 'data/pipe.ndjson']), [
      { code: 'dataview-file-missing', range: at(0, 'data/nope.csv'), message: 'Sample file `data/nope.csv` does not exist.', setting: undefined },
      { code: 'dataview-file-not-regular', range: at(1, 'data/sub'), message: 'Sample file `data/sub` is a folder, not a regular file.', setting: undefined },
      { code: 'dataview-file-not-regular', range: at(2, 'data/pipe.ndjson'), message: 'Sample file `data/pipe.ndjson` is a device, pipe or socket, not a regular file.', setting: undefined },
    ]);
  });

  it('dataview-file-unreadable: a file that cannot be opened (a symlink loop)', () => {
    assert.deepStrictEqual(diagnose(['data/loop-a.ndjson']), [
      { code: 'dataview-file-unreadable', range: at(0, 'data/loop-a.ndjson'), message: 'Sample file `data/loop-a.ndjson` cannot be read (ELOOP).', setting: undefined },
    ]);
  });

  it('dataview-file-outside: `../`, an absolute path and a symlink out of the folder, with the setting for the quick fix', () => {
    const abs = path.join(outside, 'secret.ndjson');
    const how = `To allow it, add its folder to the user setting \`${ALLOWED_FOLDERS_SETTING}\`.`;
    assert.deepStrictEqual(diagnose(['../outside/secret.ndjson', abs, 'data/link.ndjson']), [
      { code: 'dataview-file-outside', range: at(0, '../outside/secret.ndjson'), message: `Sample file \`../outside/secret.ndjson\` is outside the workspace folder; sample files are read only inside it. ${how}`, setting: ALLOWED_FOLDERS_SETTING },
      { code: 'dataview-file-outside', range: at(1, abs), message: `Sample file \`${abs}\` is outside the workspace folder; sample files are read only inside it. ${how}`, setting: ALLOWED_FOLDERS_SETTING },
      { code: 'dataview-file-outside', range: at(2, 'data/link.ndjson'), message: `Sample file \`data/link.ndjson\` is outside the workspace folder (it resolves to ${abs}); sample files are read only inside it. ${how}`, setting: ALLOWED_FOLDERS_SETTING },
    ]);
  });

  it('an allowed extra folder lets outside files in; special files stay refused there', () => {
    execFileSync('mkfifo', [path.join(outside, 'fifo.ndjson')]);
    assert.deepStrictEqual(diagnose(['../outside/secret.ndjson', 'data/link.ndjson', '../outside/fifo.ndjson'], policy([outside])).map(d => d.code), ['dataview-file-not-regular']);
  });

  it('without a policy, files are not confined but must still exist', () => {
    assert.deepStrictEqual(diagnose(['../outside/secret.ndjson', 'data/nope.csv'], { rootsFor: () => undefined }).map(d => d.code), ['dataview-file-missing']);
  });

  it('the evaluation refuses a data view with a file it did not read, and never reads an outside one', async () => {
    const ws = new Workspace(undefined, { sourcePolicy: policy() });
    const uri = path.join(root, 'web.dataview.yaml');
    ws.set(uri, dataView(['data/ok.ndjson', 'data/link.ndjson']));
    const filter = path.join(root, 'f.filter.yaml');
    ws.set(filter, 'filter: f\ndataview: web\nrule: |\n  person where page exists\n');
    const { DatasetCache } = await import('../../../core/src/data/cache');
    const service = new EvaluationService(ws, new DatasetCache({ load: { policy: policy() } }));
    const outcome = await service.evaluate(filter);
    assert.strictEqual(outcome.ok, false);
    if (outcome.ok) return;
    assert.strictEqual(outcome.error.code, 'data-incomplete');
    const link = path.join(root, 'data', 'link.ndjson');
    assert.deepStrictEqual(outcome.error.code === 'data-incomplete' && outcome.error.files.map(f => f.file), [link]);
    assert.strictEqual(outcome.error.message, `Data view \`web\` has a sample file that could not be read, so nothing was evaluated: Sample file ${link} is outside the workspace folder (it resolves to ${path.join(outside, 'secret.ndjson')}); sample files are read only inside it. To allow it, add its folder to the user setting \`${ALLOWED_FOLDERS_SETTING}\`.`);
  });

  it('--max-bad-rows: refuses when more rows were skipped, reports files and rows otherwise', async () => {
    fs.writeFileSync(path.join(root, 'data', 'bad.ndjson'), `${ROW}not json\n{"ecid":"p2"}\n`);
    const ws = new Workspace(undefined, { sourcePolicy: policy() });
    ws.set(path.join(root, 'web.dataview.yaml'), dataView(['data/ok.ndjson', 'data/bad.ndjson']));
    const filter = path.join(root, 'f.filter.yaml');
    ws.set(filter, 'filter: f\ndataview: web\nrule: |\n  person where page exists\n');
    const service = new EvaluationService(ws);
    const refused = await service.evaluate(filter, { maxBadRows: 1 });
    assert.deepStrictEqual(refused.ok ? undefined : refused.error, { code: 'too-many-bad-rows', message: '2 rows were skipped while loading data view `web` (at most 1 allowed), so nothing was evaluated; fix the rows or raise --max-bad-rows.', skippedRows: 2, maxBadRows: 1 });
    const allowed = await service.evaluate(filter, { maxBadRows: 2 });
    assert.deepStrictEqual(allowed.ok && allowed.value.data, { files: [{ file: path.join(root, 'data', 'ok.ndjson'), events: 1 }, { file: path.join(root, 'data', 'bad.ndjson'), events: 1 }], skippedRows: 2 });
  });
});
