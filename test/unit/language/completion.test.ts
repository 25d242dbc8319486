import * as assert from 'assert';
import { complete, indentUnitOf } from '../../../core/src/language/completion';
import { DATAVIEW, caret, fileOf, samplesOf, workspaceOf } from './fixture';

const OTHER = 'filter: buyers\ntitle: Buyers\ndataview: web\nrule: person where orders > 0\n';
const SAMPLES = samplesOf({ page_name: { top: [{ value: 'home', count: 5 }, { value: 'check"out', count: 2 }], distinct: 2, present: 7, events: 9 } });

function completeAt(marked: string, tabSize = 2, withSamples = true) {
  const { text, offset } = caret(marked);
  const ws = workspaceOf({ 'web.dataview.yaml': DATAVIEW, 'a.filter.yaml': text, 'buyers.filter.yaml': OTHER });
  return complete(ws, fileOf(ws, 'a.filter.yaml'), offset, { tabSize, samples: withSamples ? SAMPLES : undefined });
}
const labels = (marked: string) => completeAt(marked).map(e => e.label);
const HEAD = 'filter: a\ndataview: web\nrule: |\n';

describe('completion', () => {
  it('offers the containers at the start of a rule', () => {
    assert.deepStrictEqual(completeAt(`${HEAD}  |\n`).map(e => [e.label, e.insertText, e.start, e.end]), [
      ['person where', 'person where', 34, 34],
      ['session where', 'session where', 34, 34],
      ['event where', 'event where', 34, 34],
    ]);
  });

  it('inserts no trailing space: fields, operators, units and keywords end where their word ends', () => {
    for (const marked of [`${HEAD}  person where pa|\n`, `${HEAD}  person where page_name |\n`, `${HEAD}  person where page_name = "a" then within 3 |\n`, `${HEAD}  person where page_name = "a" |\n`]) {
      const items = completeAt(marked);
      assert.ok(items.length > 0, marked);
      assert.deepStrictEqual(items.filter(e => / $/.test(e.insertText)).map(e => e.label), [], marked);
    }
    assert.strictEqual(completeAt(`${HEAD}  person where pa|\n`)[0].insertText, 'page_name');
  });

  it('offers fields with their types, then keywords, after `where`', () => {
    const items = completeAt(`${HEAD}  person where |\n`);
    assert.deepStrictEqual(items.slice(0, 5).map(e => [e.label, e.kind, e.detail]), [
      ['page_name', 'dimension', 'string dimension'],
      ['event_type', 'dimension', 'string dimension'],
      ['visit_number', 'dimension', 'number dimension'],
      ['revenue', 'metric', 'metric'],
      ['orders', 'metric', 'metric'],
    ]);
    assert.strictEqual(items[0].documentation, 'Name of the page.\n\nSource field: `web.page.name`');
    assert.deepStrictEqual(items.slice(5).map(e => e.label), ['person where', 'session where', 'event where', 'not', 'exclude', 'filter', 'count distinct', 'all of', 'any of', 'only before', 'only after']);
  });

  it('replaces the word being typed', () => {
    const items = completeAt(`${HEAD}  person where pa|\n`);
    assert.deepStrictEqual([items[0].label, items[0].start, items[0].end], ['page_name', 47, 49]);
  });

  it('offers only the operators valid for the field type', () => {
    assert.deepStrictEqual(labels(`${HEAD}  person where revenue |\n`), ['=', '!=', '<', '<=', '>', '>=', 'between', 'exists', 'not exists']);
    assert.deepStrictEqual(labels(`${HEAD}  person where visit_number |\n`), ['=', '!=', '<', '<=', '>', '>=', 'between', 'in', 'not in', 'exists', 'not exists']);
    assert.deepStrictEqual(labels(`${HEAD}  person where count distinct page_name |\n`), ['=', '!=', '<', '<=', '>', '>=', 'between']);
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name not |\n`), ['in', 'contains', 'contains any of', 'contains all of', 'starts with', 'ends with', 'matches', 'exists']);
    const items = completeAt(`${HEAD}  person where page_name |\n`);
    assert.strictEqual(items.length, 18);
    assert.deepStrictEqual(items.find(e => e.label === 'in'), { label: 'in', kind: 'operator', insertText: 'in ($0)', start: 57, end: 57, detail: 'in', documentation: 'Equals any of the listed values.', snippet: true, sortText: '02' });
  });

  it('offers sample values, quoted, most frequent first, replacing the open string', () => {
    assert.deepStrictEqual(completeAt(`${HEAD}  person where page_name = "ch|\n`).map(e => [e.label, e.detail, e.start, e.end]), [
      ['"home"', '5 events (71.4%)', 59, 62],
      ['"check\\"out"', '2 events (28.6%)', 59, 62],
    ]);
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name in ("home", |\n`), ['"home"', '"check\\"out"']);
    assert.deepStrictEqual(completeAt(`${HEAD}  person where page_name = |\n`, 2, false), []);
  });

  it('offers units after `within N`, plural or singular', () => {
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name = "x"\n    then within 30 |\n`), ['minutes', 'hours', 'days', 'weeks', 'months', 'quarters', 'years', 'events', 'sessions', 'instances of']);
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name = "x"\n    then after 1 |\n`).slice(0, 2), ['minute', 'hour']);
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name = "x"\n    then within 2 instances of |\n`), ['page_name', 'event_type', 'visit_number']);
  });

  it('offers gap keywords right after `then`', () => {
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name = "x" then |\n`).slice(0, 4), ['within', 'after', 'exclude', 'page_name']);
  });

  it('offers filter ids (not its own) after `filter`', () => {
    assert.deepStrictEqual(completeAt(`${HEAD}  person where filter |\n`).map(e => [e.label, e.kind, e.detail]), [['buyers', 'filter', 'Buyers']]);
  });

  it('offers chain operators and suffixes after a condition, also on a new blank line of the block', () => {
    const after = ['and', 'or', 'then', 'ignoring case', '[instance]', '[non-repeating instance]', '[non-repeating instance per person]'];
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name = "x" |\n`), after);
    assert.deepStrictEqual(labels(`${HEAD}  person where page_name = "x"\n    |\n`), after);
    assert.deepStrictEqual(labels(`${HEAD}  person where revenue > 1 |\n`), ['and', 'or', 'then']);
  });

  it('completes missing top-level keys with the schema descriptions and block-safe insert texts', () => {
    const items = completeAt('filter: a\n|\n').sort((a, b) => a.sortText!.localeCompare(b.sortText!));
    assert.deepStrictEqual(items.map(e => e.label), ['rule', 'title', 'description', 'dataview', 'tags', 'period', 'audience']);
    const rule = items.find(e => e.label === 'rule')!;
    assert.deepStrictEqual([rule.insertText, rule.detail, rule.documentation], ['rule: |\n  person where $0', 'required', 'The rule, in the Audience Filters rule language (see docs/language.md).']);
    assert.strictEqual(completeAt('filter: a\n|\n', 4).find(e => e.label === 'audience')!.insertText, 'audience:\n    name: $0');
  });

  it('completes nested keys at their indentation, and enum values', () => {
    assert.deepStrictEqual(labels('filter: a\naudience:\n    name: x\n    |\n'), ['description', 'refresh', 'range', 'lookback', 'expires', 'namespaces', 'tags']);
    assert.deepStrictEqual(completeAt('filter: a\naudience:\n  refresh: d|\n').map(e => [e.label, e.start, e.end]).slice(0, 2), [['once', 31, 32], ['every 4 hours', 31, 32]]);
    assert.deepStrictEqual(completeAt('filter: a\ndataview: w|\n').map(e => [e.label, e.kind, e.detail]), [['web', 'dataview', 'Web events']]);
  });

  it('never throws on odd input', () => {
    for (const marked of ['|', 'rule: |\n|', `${HEAD}  person where ((( |\n`, `${HEAD}  ]]] "|`, 'a: [|']) {
      const { text, offset } = caret(marked);
      const ws = workspaceOf({ 'a.filter.yaml': text });
      assert.ok(Array.isArray(complete(ws, fileOf(ws, 'a.filter.yaml'), offset, { tabSize: 2 })));
    }
  });

  it('detects the indentation a document uses', () => {
    assert.strictEqual(indentUnitOf('a:\n    b: 1\n        c: 2\n'), 4);
    assert.strictEqual(indentUnitOf('a: 1\n'), 2);
  });
});
