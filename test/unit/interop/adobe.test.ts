/**
 * Adobe segment JSON: every reference example imports without errors, prints and parses back to
 * the same tree, and exports to an equivalent definition; broken definitions are reported at the
 * exact JSON path; export → import → evaluate keeps the audience on the example data.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { datasetFromRecords } from '../../../core/src/data/build';
import { loadDataView } from '../../../core/src/data/load';
import type { DataView } from '../../../core/src/dataview/model';
import { evaluateFilter } from '../../../core/src/engine';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { parseFilterFile, periodWindow } from '../../../core/src/files/filterFile';
import { exportAdobeDefinition, exportAdobeDefinitionChecked } from '../../../core/src/interop/adobeExport';
import { importAdobeDefinition, importAdobePredicate } from '../../../core/src/interop/adobeImport';
import type { Condition, Rule } from '../../../core/src/rule/ast';
import { parseRule } from '../../../core/src/rule/parser';
import { printRule } from '../../../core/src/rule/printer';
import { stripSpans } from '../../../core/src/rule/walk';
import { REPO_ROOT } from '../sql/sqlHarness';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'adobe');
const dvPath = path.join(FIXTURES, 'adobe.dataview.yaml');
const dataView: DataView = parseDataViewFile(dvPath, fs.readFileSync(dvPath, 'utf8')).dataView!;
const EXAMPLES = fs.readdirSync(FIXTURES).filter(f => /^ex.*\.json$/.test(f)).sort();

function readJson(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** Key order, descriptions, numeric strings and the eq-any-of/eq-in spelling carry no meaning. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) {
    if (k === 'description') continue;
    if (k === 'container' && o.func === 'time-restriction') continue;
    let x = o[k];
    if ((k === 'count' || k === 'num') && typeof x === 'string') x = Number(x);
    if (k === 'list' && /^(not-)?eq-(in|any-of)$/.test(String(o.func)) && Array.isArray(x)) x = x.map(Number);
    if (k === 'func' && x === 'eq-any-of') x = 'eq-in';
    if (k === 'func' && x === 'not-eq-any-of') x = 'not-eq-in';
    out[k] = normalize(x);
  }
  return out;
}

/** The canonical container of any accepted input shape. */
function containerOf(json: unknown): unknown {
  const o = json as Record<string, unknown>;
  if (o.definition) return containerOf(o.definition);
  if (o.func === 'segment') return o.container;
  return o;
}

function importOk(json: unknown, options = {}): Rule {
  const r = importAdobeDefinition(json, dataView, options);
  assert.deepEqual(r.diagnostics.filter(d => d.severity === 'error'), []);
  assert.ok(r.rule.root);
  return r.rule;
}

describe('Adobe segment JSON', () => {
  it('finds the reference examples (copied into test/fixtures/adobe)', () => {
    assert.ok(EXAMPLES.length >= 15, EXAMPLES.join(', '));
    const shared = path.resolve(REPO_ROOT, '..', 'shared', 'reference', 'adobe-examples');
    if (fs.existsSync(shared)) {
      for (const f of fs.readdirSync(shared)) assert.equal(fs.readFileSync(path.join(FIXTURES, f), 'utf8'), fs.readFileSync(path.join(shared, f), 'utf8'), `${f} is a copy of shared/reference`);
    }
  });

  for (const name of EXAMPLES.filter(f => f !== 'ex29.json')) {
    describe(name, () => {
      it('imports without errors and exports an equivalent definition', () => {
        const json = readJson(name);
        const rule = importOk(json);
        const def = exportAdobeDefinition(rule, dataView);
        assert.equal(def.func, 'segment');
        assert.deepEqual(def.version, [1, 0, 0]);
        assert.deepEqual(normalize(def.container), normalize(containerOf(json)));
      });

      it('prints to rule text that parses back to the same tree', () => {
        const rule = importOk(readJson(name));
        const text = printRule(rule);
        const parsed = parseRule(text);
        assert.deepEqual(parsed.diagnostics.filter(d => d.severity === 'error'), [], text);
        assert.deepEqual(stripSpans(parsed.rule.root), stripSpans(rule.root), text);
        assert.equal(printRule(parsed.rule), text, 'printing is stable');
      });
    });
  }

  describe('ex29.json (a list of predicates, each a fixture in a person container)', () => {
    const preds = readJson('ex29.json') as unknown[];
    preds.forEach((pred, i) => {
      it(`predicate ${i} (${(pred as { func: string }).func}) imports and exports back`, () => {
        const r = importAdobePredicate(pred, dataView);
        assert.deepEqual(r.diagnostics, []);
        const def = exportAdobeDefinition(r.rule, dataView);
        assert.deepEqual(normalize(def.container), normalize({ func: 'container', context: 'visitors', pred }));
      });
    });

    it('maps allocation models, distinct counts and lists', () => {
      const conds = preds.map(p => (importAdobePredicate(p, dataView).rule.root as { body: Condition }).body);
      assert.equal(conds[2].subject.kind, 'countDistinct');
      assert.equal(conds[3].attribution, 'instance');
      assert.equal(conds[4].attribution, 'nonRepeatingInstance');
      assert.equal(conds[4].attributionScope, 'session');
      assert.deepEqual(conds[5].values.map(v => v.value), [1, 2, 3]);
      assert.equal(conds[7].op, 'containsAny');
      assert.equal(conds[7].caseInsensitive, false, 'CJA is case-sensitive');
    });

    it('is an error naming `$` when imported as one definition', () => {
      const r = importAdobeDefinition(preds, dataView);
      assert.equal(r.rule.root, null);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.code]), [['$', 'adobe-not-definition']]);
    });
  });

  it('keeps API metadata and descriptions (as rule comments)', () => {
    const r = importAdobeDefinition(readJson('ex10.json'), dataView);
    assert.deepEqual(r.metadata, { name: 'Integration Test Seg 1', description: 'For Integration Test Only' });
    assert.deepEqual(r.descriptions, [{ path: '$.definition.container.pred', text: 'purchase id' }]);
    assert.equal(printRule(r.rule), 'event where\n  # purchase id\n  visits exists');
  });

  it('imports AA string operators case-insensitive with --from aa, and CJA case-sensitive', () => {
    for (const func of ['contains', 'not-contains', 'starts-with', 'not-starts-with', 'ends-with', 'not-ends-with']) {
      const pred = { func, str: 'Shoe', val: { func: 'attr', name: 'variables/page' } };
      assert.equal((importAdobePredicate(pred, dataView, { from: 'aa' }).rule.root as { body: Condition }).body.caseInsensitive, true, func);
      assert.equal((importAdobePredicate(pred, dataView, { from: 'cja' }).rule.root as { body: Condition }).body.caseInsensitive, false, func);
    }
    for (const func of ['contains-any-of', 'contains-all-of', 'not-contains-any-of', 'not-contains-all-of']) {
      const pred = { func, list: ['a'], val: { func: 'attr', name: 'variables/page' } };
      assert.equal((importAdobePredicate(pred, dataView, { from: 'aa' }).rule.root as { body: Condition }).body.caseInsensitive, true, func);
    }
    for (const func of ['streq', 'matches']) {
      const pred = { func, [func === 'matches' ? 'glob' : 'str']: 'a*', val: { func: 'attr', name: 'variables/page' } };
      assert.equal((importAdobePredicate(pred, dataView, { from: 'aa' }).rule.root as { body: Condition }).body.caseInsensitive, false, func);
    }
  });

  it('imports every comparison, restriction and structure function', () => {
    const attr = { func: 'attr', name: 'variables/page' };
    const numAttr = { func: 'attr', name: 'variables/visitnumber' };
    const hit = (pred: unknown) => ({ func: 'container', context: 'hits', pred });
    const all = {
      func: 'segment',
      version: [1, 0, 0],
      container: {
        func: 'container',
        context: 'visitors',
        pred: {
          func: 'or',
          preds: [
            ...['streq', 'not-streq', 'contains', 'not-contains', 'starts-with', 'not-starts-with', 'ends-with', 'not-ends-with', 'strlt', 'strgt', 'strle', 'strge'].map(func => ({ func, str: 'x', val: attr })),
            ...['streq-in', 'not-streq-in', 'contains-any-of', 'contains-all-of', 'not-contains-any-of', 'not-contains-all-of'].map(func => ({ func, list: ['x', 'y'], val: attr })),
            { func: 'matches', glob: 'a*', val: attr },
            { func: 'not-matches', glob: 'a*', val: attr },
            ...['eq', 'not-eq', 'gt', 'lt', 'ge', 'le'].map(func => ({ func, num: 2, val: numAttr })),
            ...['eq-any-of', 'eq-in', 'not-eq-any-of', 'not-eq-in'].map(func => ({ func, list: [1, '2'], val: numAttr })),
            { func: 'exists', val: attr },
            { func: 'not-exists', val: attr },
            { func: 'event-exists', evt: { func: 'event', name: 'metrics/orders' } },
            { func: 'not-event-exists', evt: { func: 'event', name: 'metrics/orders' } },
            { func: 'without', pred: { func: 'and', preds: [hit({ func: 'exists', val: attr }), { func: 'gt', num: '3', val: { func: 'total', evt: { func: 'event', name: 'metrics/revenue' } } }] } },
            {
              func: 'sequence',
              stream: [
                { func: 'exclude-next-checkpoint' },
                hit({ func: 'streq', str: 'A', val: attr }),
                hit({ func: 'streq', str: 'B', val: attr }),
                { func: 'time-restriction', limit: 'within', count: '2', unit: 'week', container: 'hits' },
                { func: 'time-restriction', limit: 'after', count: 1, unit: 'day' },
                { func: 'sequence-or', checkpoints: [hit({ func: 'streq', str: 'C', val: attr }), hit({ func: 'streq', str: 'D', val: attr })] },
                { func: 'container-restriction', limit: 'within', count: 3, container: 'hits' },
                { func: 'container', context: 'visits', pred: { func: 'streq', str: 'E', val: attr } },
                { func: 'container-restriction', limit: 'after', count: '1', container: 'visits' },
                { func: 'dimension-restriction', limit: 'within', count: 2, attribute: { func: 'attr', name: 'variables/product' } },
                { func: 'sequence-and', checkpoints: [hit({ func: 'streq', str: 'F', val: attr }), hit({ func: 'streq', str: 'G', val: attr })] },
                { func: 'exclude-next-checkpoint' },
                hit({ func: 'streq', str: 'H', val: attr }),
              ],
            },
            { func: 'container', context: 'visits', pred: { func: 'sequence-prefix', context: 'visits', stream: [hit({ func: 'streq', str: 'A', val: attr }), hit({ func: 'streq', str: 'B', val: attr })] } },
            { func: 'sequence-suffix', context: 'visitors', stream: [hit({ func: 'streq', str: 'A', val: attr }), hit({ func: 'streq', str: 'B', val: attr })] },
          ],
        },
      },
    };
    const rule = importOk(all);
    const text = printRule(rule);
    const reparsed = parseRule(text);
    assert.deepEqual(reparsed.diagnostics.filter(d => d.severity === 'error'), [], text);
    assert.deepEqual(stripSpans(reparsed.rule.root), stripSpans(rule.root));
    assert.deepEqual(normalize(exportAdobeDefinition(rule, dataView)), normalize(all));
  });

  describe('broken definitions: one error at the exact JSON path', () => {
    const attr = { func: 'attr', name: 'variables/page' };
    const seg = (pred: unknown, context: unknown = 'visitors') => ({ func: 'segment', version: [1, 0, 0], container: { func: 'container', context, pred } });
    const cases: Array<[string, unknown, string, string]> = [
      ['unknown func', seg({ func: 'and', preds: [{ func: 'exists', val: attr }, { func: 'streqq', str: 'x', val: attr }] }), '$.container.pred.preds[1].func', 'adobe-unknown-func'],
      ['missing pred', { func: 'segment', version: [1, 0, 0], container: { func: 'container', context: 'hits' } }, '$.container.pred', 'adobe-missing-field'],
      ['missing container', { func: 'segment', version: [1, 0, 0] }, '$.container', 'adobe-missing-field'],
      ['bad context', seg({ func: 'exists', val: attr }, 'visitor'), '$.container.context', 'adobe-bad-context'],
      ['missing context', { func: 'segment', container: { func: 'container', pred: { func: 'exists', val: attr } } }, '$.container.context', 'adobe-missing-field'],
      ['str of wrong type', seg({ func: 'streq', str: 5, val: attr }), '$.container.pred.str', 'adobe-wrong-type'],
      ['missing str', seg({ func: 'streq', val: attr }), '$.container.pred.str', 'adobe-missing-field'],
      ['list item of wrong type', seg({ func: 'streq-in', list: ['a', null], val: attr }), '$.container.pred.list[1]', 'adobe-wrong-type'],
      ['num not numeric', seg({ func: 'gt', num: 'ten', val: { func: 'total', evt: { func: 'event', name: 'metrics/orders' } } }), '$.container.pred.num', 'adobe-wrong-type'],
      ['unknown dimension id', seg({ func: 'exists', val: { func: 'attr', name: 'variables/pgae' } }), '$.container.pred.val.name', 'adobe-unknown-name'],
      ['unknown metric id', seg({ func: 'event-exists', evt: { func: 'event', name: 'metrics/oders' } }), '$.container.pred.evt.name', 'adobe-unknown-name'],
      ['attr naming a metric', seg({ func: 'exists', val: { func: 'attr', name: 'metrics/orders' } }), '$.container.pred.val.name', 'adobe-wrong-type'],
      ['restriction count', seg({ func: 'sequence', stream: [{ func: 'exists', val: attr }, { func: 'time-restriction', limit: 'within', count: '-1', unit: 'day' }, { func: 'exists', val: attr }] }), '$.container.pred.stream[1].count', 'adobe-bad-value'],
      ['restriction unit', seg({ func: 'sequence', stream: [{ func: 'exists', val: attr }, { func: 'time-restriction', limit: 'within', count: 1, unit: 'days' }, { func: 'exists', val: attr }] }), '$.container.pred.stream[1].unit', 'adobe-bad-value'],
      ['restriction limit', seg({ func: 'sequence', stream: [{ func: 'exists', val: attr }, { func: 'container-restriction', limit: 'before', count: 1, container: 'hits' }, { func: 'exists', val: attr }] }), '$.container.pred.stream[1].limit', 'adobe-bad-value'],
      ['restriction outside a stream', seg({ func: 'time-restriction', limit: 'within', count: 1, unit: 'day' }), '$.container.pred.func', 'adobe-misplaced'],
      ['stream not an array', seg({ func: 'sequence', stream: {} }), '$.container.pred.stream', 'adobe-wrong-type'],
      ['allocation model', seg({ func: 'exists', val: { func: 'attr', name: 'variables/page', 'allocation-model': { func: 'allocation-linear' } } }), '$.container.pred.val["allocation-model"].func', 'adobe-unknown-func'],
      ['segment-def', { func: 'segment-def', range: {} }, '$.func', 'adobe-non-canonical'],
      ['range inside', seg({ func: 'range', min: 1, max: 2 }), '$.container.pred.func', 'adobe-non-canonical'],
      ['not an object', 'segment', '$', 'adobe-not-definition'],
      ['API object with a broken definition', { name: 'x', definition: { func: 'segment', container: { func: 'container', context: 'hits', pred: { func: 'exists' } } } }, '$.definition.container.pred.val', 'adobe-missing-field'],
    ];
    for (const [title, json, at, code] of cases) {
      it(`${title} → ${at} (${code})`, () => {
        const errors = importAdobeDefinition(json, dataView).diagnostics.filter(d => d.severity === 'error');
        assert.deepEqual(errors.map(e => [e.path, e.code]), [[at, code]], JSON.stringify(errors));
        assert.ok(errors[0].message.length > 10);
      });
    }

    it('a definition nested 100,000 containers deep is one adobe-too-deep error at the first level past 416, not a crash', () => {
      let pred: unknown = { func: 'exists', val: attr };
      for (let i = 0; i < 100_000; i++) pred = { func: 'container', context: 'hits', pred };
      for (const r of [importAdobeDefinition(seg(pred), dataView), importAdobePredicate(pred, dataView)]) {
        assert.equal(r.rule.root, null);
        assert.equal(r.diagnostics.length, 1);
        const [d] = r.diagnostics;
        assert.deepEqual([d.code, d.severity, d.message], ['adobe-too-deep', 'error', 'JSON nesting deeper than 416 levels; nothing imported.']);
        assert.match(d.path, /^\$(\.container)?(\.pred)+$/);
        assert.equal(d.path.split('.').length - 1, 416);
      }
      let within: unknown = { func: 'exists', val: attr };
      for (let i = 0; i < 150; i++) within = { func: 'container', context: 'hits', pred: within };
      assert.deepEqual(importAdobeDefinition(seg(within), dataView).diagnostics.filter(d => d.severity === 'error'), []);
    });

    it('suggests the closest Adobe id', () => {
      const [d] = importAdobeDefinition(seg({ func: 'exists', val: { func: 'attr', name: 'variables/pgae' } }), dataView).diagnostics;
      assert.match(d.message, /Did you mean `variables\/page`\?/);
    });
  });

  it('reports what the format cannot say (case-insensitive text in CJA)', () => {
    const rule = parseRule('person where page_name = "a" ignoring case').rule;
    const r = exportAdobeDefinitionChecked(rule, dataView);
    assert.deepEqual(r.problems.map(p => p.code), ['export-case-insensitive']);
    assert.deepEqual(exportAdobeDefinitionChecked(parseRule('person where page_name contains "a" ignoring case').rule, dataView, { target: 'aa' }).problems, []);
  });

  describe('export → import → evaluate keeps the audience', () => {
    it('on the Adobe fixture data, for every example', async () => {
      const ds = await loadDataView({ ...dataView, files: [{ path: path.join(FIXTURES, 'events.ndjson'), format: 'ndjson', identity: { personField: 'ecid', namespace: 'ECID' } }] });
      assert.equal(ds.warnings.length, 0);
      let nonEmpty = 0;
      for (const name of EXAMPLES.filter(f => f !== 'ex29.json')) {
        const rule = importOk(readJson(name));
        const again = importOk(exportAdobeDefinition(rule, dataView));
        const a = evaluateFilter(rule, { dataView, dataset: ds }).audience;
        assert.deepEqual(evaluateFilter(again, { dataView, dataset: ds }).audience, a, name);
        if (a.length) nonEmpty++;
      }
      assert.ok(nonEmpty >= 10, `most examples select someone on the fixture data (${nonEmpty})`);
    });

    it('on examples/ data, for every example filter', async () => {
      const dir = path.join(REPO_ROOT, 'examples');
      const dvFile = path.join(dir, 'web.dataview.yaml');
      const view = parseDataViewFile(dvFile, fs.readFileSync(dvFile, 'utf8')).dataView!;
      const ds = await loadDataView(view);
      const files = fs.readdirSync(path.join(dir, 'filters')).filter(f => f.endsWith('.filter.yaml'));
      const rules = new Map<string, Rule>();
      const parsed = files.map(f => parseFilterFile(path.join(dir, 'filters', f), fs.readFileSync(path.join(dir, 'filters', f), 'utf8')));
      for (const f of parsed) if (f.id && f.rule) rules.set(f.id.value, f.rule);
      let newest = 0;
      for (let i = 0; i < ds.eventCount; i++) newest = Math.max(newest, ds.timestamps[i]);
      for (const f of parsed) {
        const resolveFilter = (id: string) => rules.get(id);
        const window = periodWindow(f.period, newest);
        // Case-insensitive text operators round-trip through Adobe Analytics semantics.
        let from: 'cja' | 'aa' = 'cja';
        let exported = exportAdobeDefinitionChecked(f.rule!, view, { resolveFilter });
        if (exported.problems.length) {
          from = 'aa';
          exported = exportAdobeDefinitionChecked(f.rule!, view, { resolveFilter, target: 'aa' });
        }
        assert.deepEqual(exported.problems, [], f.uri);
        const back = importAdobeDefinition(JSON.parse(JSON.stringify(exported.definition)), view, { from });
        assert.deepEqual(back.diagnostics, [], f.uri);
        assert.deepEqual(evaluateFilter(back.rule, { dataView: view, dataset: ds, window }).audience, evaluateFilter(f.rule!, { dataView: view, dataset: ds, window, resolveFilter }).audience, f.uri);
      }
    });
  });

  it('builds datasets for records too (sanity of the fixture view)', () => {
    const ds = datasetFromRecords([{ ecid: 'a', timestamp: '2026-10-01T00:00:00Z', page_name: 'Home' }], dataView, { personField: 'ecid', namespace: 'ECID' });
    assert.equal(ds.eventCount, 1);
  });
});
