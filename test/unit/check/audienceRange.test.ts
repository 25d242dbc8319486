/** `audience.range` of one-time audiences: parsed, checked against the lookback limit, and the window evaluated. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EvaluationService } from '../../../core/src/evaluation';
import { Workspace } from '../../../core/src/workspace';

const DV = 'dataview: web\ntimestamp: t\nsources:\n  - file: e.ndjson\n    person: p\n    namespace: ECID\ndimensions:\n  page: string\nmetrics:\n  orders:\n';
const filter = (audience: string) => `filter: f\ndataview: web\nrule: person where page = "A"\naudience:\n  name: A\n${audience}`;

function workspace(text: string, dir = '/w'): Workspace {
  const ws = new Workspace(() => new Date('2026-11-28T00:00:00Z'));
  ws.set(`${dir}/web.dataview.yaml`, DV);
  ws.set(`${dir}/f.filter.yaml`, text);
  return ws;
}

function diagnostics(text: string): Array<[string, number, number, number, string]> {
  return workspace(text).diagnostics('/w/f.filter.yaml').map(d => [d.code, d.range.start.line, d.range.start.character, d.range.end.character, d.message]);
}

describe('audience range (one-time audiences)', () => {
  it('accepts dates and ISO times with a zone, to exclusive', () => {
    const ws = workspace(filter('  refresh: once\n  range: {from: 2026-11-01, to: "2026-11-15T12:30:00+01:00"}\n'));
    assert.deepStrictEqual(ws.diagnostics('/w/f.filter.yaml'), []);
    const file = ws.get('/w/f.filter.yaml');
    assert.ok(file?.kind === 'filter');
    assert.deepStrictEqual(file.audience?.range, { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 15, 11, 30) });
  });

  it('needs refresh: once, on the range key', () => {
    assert.deepStrictEqual(diagnostics(filter('  refresh: daily\n  range: {from: 2026-11-01, to: 2026-11-15}\n')), [
      ['audience-range-needs-once', 6, 2, 7, 'A date range makes a one-time audience: it needs `refresh: once` (the refresh is `daily`, which re-evaluates over the lookback).'],
    ]);
  });

  it('is at most 90 days long, and ends after it starts', () => {
    assert.deepStrictEqual(diagnostics(filter('  refresh: once\n  range:\n    from: 2026-01-01\n    to: 2026-04-02\n')), [
      ['audience-lookback-limit', 6, 2, 7, 'The range spans 91 days; the profile store looks back at most 90 days.'],
    ]);
    assert.deepStrictEqual(diagnostics(filter('  refresh: once\n  range:\n    from: 2026-01-01\n    to: 2026-01-01\n')).map(d => d.slice(0, 4)), [['filter-bad-period', 8, 8, 18]]);
  });

  it('reports a time without a zone once (the schema), and a time off the calendar', () => {
    assert.deepStrictEqual(diagnostics(filter('  refresh: once\n  range:\n    from: 2026-11-01T08:00\n    to: 2026-11-02\n')).map(d => d.slice(0, 4)), [['schema-value', 7, 10, 26]]);
    assert.deepStrictEqual(diagnostics(filter('  refresh: once\n  range:\n    from: 2026-02-30T08:00:00Z\n    to: 2026-03-02\n')), [['filter-bad-date', 7, 10, 30, '`2026-02-30T08:00:00Z` is not a time of the calendar.']]);
  });

  it('is the window of preview, members and publish alike', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'af-range-'));
    const events = [['a', '2026-10-31T23:00:00Z', 'A'], ['b', '2026-11-01T08:00:00Z', 'A'], ['c', '2026-11-14T23:59:00Z', 'A'], ['d', '2026-11-15T00:00:00Z', 'A']];
    fs.writeFileSync(path.join(dir, 'e.ndjson'), events.map(([p, t, page]) => JSON.stringify({ p, t, page })).join('\n') + '\n');
    const ws = workspace(filter('  refresh: once\n  range: {from: 2026-11-01, to: 2026-11-15}\n'), dir);
    const service = new EvaluationService(ws);
    for (const window of ['period', 'lookback'] as const) {
      const outcome = await service.evaluate(path.join(dir, 'f.filter.yaml'), { window });
      assert.ok(outcome.ok);
      assert.deepStrictEqual(outcome.value.window, { from: '2026-11-01T00:00:00.000Z', to: '2026-11-15T00:00:00.000Z' });
      assert.strictEqual(outcome.value.windowSource, 'range');
      assert.deepStrictEqual(outcome.value.result.audience.map(i => i.id), ['b', 'c']);
    }
  });
});
