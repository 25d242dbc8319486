/**
 * Adobe fidelity (issue 17): every semantic key of a definition survives import, what the language
 * cannot say is refused at its JSON path, import → export gives back the original definition, and
 * export → import → export is a fixed point over generated rules (fast-check, fixed seed).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import * as fc from 'fast-check';
import { loadDataView } from '../../../core/src/data/load';
import type { DataView } from '../../../core/src/dataview/model';
import { evaluateFilter } from '../../../core/src/engine';
import { parseDataViewFile } from '../../../core/src/files/dataviewFile';
import { exportAdobeDefinitionChecked } from '../../../core/src/interop/adobeExport';
import { importAdobeDefinition } from '../../../core/src/interop/adobeImport';
import { filterFileText } from '../../../core/src/interop/filterFileText';
import { Workspace } from '../../../core/src/workspace';
import type { Expr, OnlySequence, Rule, Scope } from '../../../core/src/rule/ast';
import { SCOPE_RANK } from '../../../core/src/rule/ast';
import { parseRule } from '../../../core/src/rule/parser';
import { printRule } from '../../../core/src/rule/printer';
import { walkExpr } from '../../../core/src/rule/walk';
import { ruleArbitrary } from '../rule/arbitraries';
import { REPO_ROOT } from '../sql/sqlHarness';

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'adobe');
const dvPath = path.join(FIXTURES, 'adobe.dataview.yaml');
const dataView: DataView = parseDataViewFile(dvPath, fs.readFileSync(dvPath, 'utf8')).dataView!;
const EXAMPLES = fs.readdirSync(FIXTURES).filter(f => /^ex.*\.json$/.test(f) && f !== 'ex29.json').sort();
const SEED = 1717;

const attr = (name = 'variables/page') => ({ func: 'attr', name });
const hit = (pred: unknown) => ({ func: 'container', context: 'hits', pred });
const page = (str: string) => hit({ func: 'streq', str, val: attr() });
const seg = (context: string, pred: unknown) => ({ func: 'segment', version: [1, 0, 0], container: { func: 'container', context, pred } });

function readJson(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

function importOk(json: unknown, view = dataView): Rule {
  const r = importAdobeDefinition(json, view);
  assert.deepEqual(r.diagnostics.filter(d => d.severity === 'error'), []);
  assert.ok(r.rule.root);
  return r.rule;
}

function exportOk(rule: Rule, view = dataView): unknown {
  const r = exportAdobeDefinitionChecked(rule, view);
  assert.deepEqual(r.problems, []);
  return JSON.parse(JSON.stringify(r.definition));
}

/** The rule as written to a filter file and read back: what `import` → `check` → `export` sees. */
function throughText(rule: Rule): Rule {
  const parsed = parseRule(printRule(rule));
  assert.deepEqual(parsed.diagnostics.filter(d => d.severity === 'error'), [], printRule(rule));
  return parsed.rule;
}

/**
 * What carries no meaning, and nothing else: key order, `description` labels, the envelope's
 * `version`, and the spellings docs/language.md lists (numbers written as strings, `eq-any-of` for
 * `eq-in`, a time restriction's `container` left out for its only value `hits`).
 */
function canonical(v: unknown, top = true): unknown {
  if (Array.isArray(v)) return v.map(x => canonical(x, false));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const keys = Object.keys(o);
  if (o.func === 'time-restriction' && !keys.includes('container')) keys.push('container');
  for (const k of keys.sort()) {
    if (k === 'description' || (top && k === 'version')) continue;
    let x = k === 'container' && o.func === 'time-restriction' ? (o[k] ?? 'hits') : o[k];
    if ((k === 'count' || k === 'num') && typeof x === 'string') x = Number(x);
    if (k === 'list' && /^(not-)?eq-(in|any-of)$/.test(String(o.func)) && Array.isArray(x)) x = x.map(Number);
    if (k === 'func' && x === 'eq-any-of') x = 'eq-in';
    if (k === 'func' && x === 'not-eq-any-of') x = 'not-eq-in';
    out[k] = canonical(x, false);
  }
  return out;
}

function definitionOf(json: unknown): unknown {
  const o = json as Record<string, unknown>;
  if (o.definition) return definitionOf(o.definition);
  if (o.func === 'container') return { func: 'segment', version: [1, 0, 0], container: o };
  return o;
}

/** Errors of `check` on the filter file `import` writes for a rule. */
function checkErrors(rule: Rule, view: DataView): string[] {
  const ws = new Workspace(() => new Date('2026-11-28T00:00:00Z'));
  const dims = view.dimensions.map(d => `  ${JSON.stringify(d.name)}:\n    type: ${d.type}\n    adobeId: ${JSON.stringify(d.adobeId)}`).join('\n');
  const mets = view.metrics.map(m => `  ${JSON.stringify(m.name)}:\n    adobeId: ${JSON.stringify(m.adobeId)}`).join('\n');
  ws.set('/w/v.dataview.yaml', `dataview: v\ntimestamp: timestamp\nsources:\n  - file: e.ndjson\n    person: ecid\n    namespace: ECID\n${dims ? `dimensions:\n${dims}\n` : ''}${mets ? `metrics:\n${mets}\n` : ''}`);
  ws.set('/w/f.filter.yaml', filterFileText({ id: 'f', dataview: 'v', rule }));
  return ws.diagnostics('/w/f.filter.yaml').filter(d => d.severity === 'error').map(d => `${d.code} ${d.range.start.line}:${d.range.start.character} ${d.message}`);
}

describe('Adobe fidelity', () => {
  describe('sequence context', () => {
    it('an only-after sequence of context visits in a hits container imports as `per session` and exports back', () => {
      const def = seg('hits', { func: 'sequence-prefix', context: 'visits', stream: [page('A'), page('B')] });
      const rule = importOk(def);
      assert.equal(printRule(rule), 'event where\n  only after (\n    event where page_name = "A"\n    then event where page_name = "B"\n  ) per session');
      assert.deepEqual(exportOk(throughText(rule)), def);
    });

    it('keeps visitors, visits and hits contexts of sequence-prefix and sequence-suffix in every container', () => {
      for (const outer of ['visitors', 'visits', 'hits']) {
        for (const context of ['visitors', 'visits', 'hits']) {
          for (const func of ['sequence-prefix', 'sequence-suffix']) {
            const def = seg(outer, { func, context, stream: [page('A'), page('B')] });
            const rule = importOk(def);
            const only = (rule.root as { body: OnlySequence }).body;
            assert.equal(only.kind, 'only');
            assert.equal(only.scope, context === outer ? undefined : { visitors: 'person', visits: 'session', hits: 'event' }[context], `${outer}/${func}/${context}`);
            assert.deepEqual(exportOk(throughText(rule)), def, `${outer}/${func}/${context}`);
          }
        }
      }
    });

    it('a plain sequence with a narrower context becomes a container of that scope (same meaning), with a warning', () => {
      const r = importAdobeDefinition(seg('visitors', { func: 'sequence', context: 'visits', stream: [page('A'), page('B')] }), dataView);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.severity, d.code]), [['$.container.pred.context', 'warning', 'adobe-sequence-context']]);
      assert.equal(printRule(r.rule), 'person where\n  session where\n    event where page_name = "A"\n    then event where page_name = "B"');
    });

    it('a plain sequence whose context repeats its container is a warning that the key is not carried', () => {
      const r = importAdobeDefinition(seg('visits', { func: 'sequence', context: 'visits', stream: [page('A'), page('B')] }), dataView);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.severity, d.code]), [['$.container.pred.context', 'warning', 'adobe-not-carried']]);
    });

    it('a plain sequence with a wider context than its container is refused at the context', () => {
      const r = importAdobeDefinition(seg('hits', { func: 'sequence', context: 'visitors', stream: [page('A'), page('B')] }), dataView);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.severity, d.code]), [['$.container.pred.context', 'error', 'adobe-container-scope']]);
      assert.match(r.diagnostics[0].message, /^A sequence with context visitors inside a hits container: .* use `sequence-prefix` \/ `sequence-suffix`/);
    });

    it('a time restriction keeps `container: hits` on export; another container is refused at its path', () => {
      const def = seg('visitors', { func: 'sequence', stream: [page('A'), { func: 'time-restriction', limit: 'within', count: 1, unit: 'day', container: 'hits' }, page('B')] });
      assert.deepEqual(exportOk(throughText(importOk(def))), def);
      const bad = seg('visitors', { func: 'sequence', stream: [page('A'), { func: 'time-restriction', limit: 'within', count: 1, unit: 'day', container: 'visits' }, page('B')] });
      const r = importAdobeDefinition(bad, dataView);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.code]), [['$.container.pred.stream[1].container', 'adobe-bad-context']]);
      assert.match(r.diagnostics[0].message, /container-restriction/);
    });

    it('keeps allocation models', () => {
      for (const model of [{ func: 'allocation-instance' }, { func: 'allocation-dedupedInstance', context: 'sessions' }, { func: 'allocation-dedupedInstance', context: 'visitors' }]) {
        const def = seg('visitors', { func: 'streq', str: 'Home', val: { ...attr(), 'allocation-model': model } });
        assert.deepEqual(exportOk(throughText(importOk(def))), def, JSON.stringify(model));
      }
    });
  });

  describe('larger containers inside smaller ones (Adobe nests visitors > visits > hits)', () => {
    it('the "retained visitors" shape (hits holding visitors and visits containers) is refused at each inner context, with what to change', () => {
      const def = seg('hits', {
        func: 'and',
        preds: [
          { func: 'container', context: 'visitors', pred: { func: 'ge', num: 2, val: { func: 'total', evt: { func: 'event', name: 'metrics/visits' } } } },
          { func: 'container', context: 'visits', pred: { func: 'streq', str: 'Home', val: attr() } },
        ],
      });
      const r = importAdobeDefinition(def, dataView);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.severity, d.code]), [
        ['$.container.pred.preds[0].context', 'error', 'adobe-container-scope'],
        ['$.container.pred.preds[1].context', 'error', 'adobe-container-scope'],
      ]);
      assert.equal(r.diagnostics[0].message, 'A visitors container inside a hits container: containers nest visitors > visits > hits, so a visitors condition cannot be tested on one hit. Move it out: make the outer container visitors and put the hits conditions in a hits container beside it (joined with `and`).');
    });

    it('refuses exactly the wider-inside-narrower containers, and never writes a file check rejects (property over generated rules)', () => {
      let accepted = 0;
      fc.assert(
        fc.property(ruleArbitrary(3), rule => {
          const view = viewFor(rule);
          const exported = exportAdobeDefinitionChecked(rule, view);
          fc.pre(!exported.problems.some(p => p.severity === 'error'));
          const r = importAdobeDefinition(JSON.parse(JSON.stringify(exported.definition)), view);
          const refused = r.diagnostics.some(d => d.code === 'adobe-container-scope');
          assert.equal(refused, hasWiderInside(rule.root!), printRule(rule));
          // What check accepts imports into a file that check accepts.
          if (checkErrors(rule, view).length === 0) {
            assert.deepEqual(r.diagnostics.filter(d => d.severity === 'error'), [], printRule(rule));
            assert.deepEqual(checkErrors(r.rule, view), [], printRule(r.rule));
            accepted++;
          }
        }),
        { numRuns: 300, seed: SEED },
      );
      assert.ok(accepted >= 50, `${accepted} generated rules that check accepts`);
    });
  });

  describe('what is not a segment says what it is and what to export instead', () => {
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['a calculated metric', { func: 'calc-metric', version: [1, 0, 0], formula: { func: 'divide', col1: { func: 'metric', name: 'metrics/orders' }, col2: { func: 'metric', name: 'metrics/visits' } } }, '$.func', /^This is a calculated metric \(`calc-metric` with a `formula`\), not a segment: .*Export the segment instead/],
      ['a calculated metric API object', { name: 'Conversion', definition: { func: 'calc-metric', formula: { func: 'metric', name: 'metrics/orders' } } }, '$.definition.func', /^This is a calculated metric/],
      ['a formula operator inside a segment', seg('visitors', { func: 'divide', col1: {}, col2: {} }), '$.container.pred.func', /^`divide` is an operator of a calculated-metric formula, not of a segment/],
      ['a date range component', { name: 'October', definition: '2026-10-01T00:00:00.000/2026-11-01T00:00:00.000' }, '$.definition', /^This is a date range component .*a filter's time window is its `period:` key\.$/],
      ['a bare date range', '2026-10-01T00:00:00/2026-11-01T00:00:00', '$', /^This is a date range/],
      ['a fragment with a placeholder id', seg('visitors', { func: 'exists', val: attr('variables/<dimension>') }), '$.container.pred.val.name', /^`<dimension>` is a placeholder: this definition is a template or documentation fragment, not a saved segment\. Replace it with a real id/],
    ];
    for (const [title, json, at, message] of cases) {
      it(`${title} → ${at}`, () => {
        const errors = importAdobeDefinition(json, dataView).diagnostics.filter(d => d.severity === 'error');
        assert.deepEqual(errors.map(e => [e.path, e.code]), [[at, json === cases[5][1] ? 'adobe-placeholder' : 'adobe-not-segment']]);
        assert.match(errors[0].message, message);
      });
    }

    it('a placeholder value is a warning (the rule still imports)', () => {
      const r = importAdobeDefinition(seg('visitors', { func: 'streq', str: '{{page name}}', val: attr() }), dataView);
      assert.deepEqual(r.diagnostics.map(d => [d.path, d.severity, d.code]), [['$.container.pred.str', 'warning', 'adobe-placeholder']]);
    });
  });

  describe('import → export gives back the original definition', () => {
    for (const name of EXAMPLES) {
      it(name, () => {
        const json = readJson(name);
        const rule = importOk(json);
        assert.deepEqual(checkErrors(rule, dataView), [], 'check accepts the imported file');
        const def = exportOk(throughText(rule));
        assert.deepEqual(canonical(def), canonical(definitionOf(json)));
        assert.deepEqual(exportOk(throughText(importOk(def))), def, 'export → import → export is a fixed point');
      });
    }

    it('export → import → export is a fixed point, and import → export gives back the generated definition (property)', () => {
      let checked = 0;
      let withMetrics = 0;
      fc.assert(
        fc.property(ruleArbitrary(3), rule => {
          const view = viewFor(rule);
          const first = exportAdobeDefinitionChecked(rule, view);
          fc.pre(!first.problems.some(p => p.severity === 'error') && !hasWiderInside(rule.root!));
          const def = JSON.parse(JSON.stringify(first.definition));
          const back = importAdobeDefinition(def, view);
          assert.deepEqual(back.diagnostics.filter(d => d.severity === 'error'), [], JSON.stringify(def));
          const again = exportAdobeDefinitionChecked(throughText(back.rule), view);
          assert.deepEqual(again.problems.filter(p => p.severity === 'error'), []);
          assert.deepEqual(JSON.parse(JSON.stringify(again.definition)), def, printRule(rule));
          checked++;
          if (view.metrics.length) withMetrics++;
        }),
        { numRuns: 400, seed: SEED },
      );
      assert.ok(checked >= 200, `${checked} generated rules exported without errors`);
      assert.ok(withMetrics >= 20, `${withMetrics} of them with metrics`);
    });
  });

  describe('descriptions and comments', () => {
    it('each comment becomes the description of the node after it (the outermost one starting there); a directive or a trailing comment labels nothing', () => {
      const rule = parseRule('# buyers\nperson where\n  # from the landing page\n  page_name = "Main Landing Page"\n  # audience-filters-disable-next-line rule-unknown-field\n  and orders >= 1\n# end').rule;
      const r = exportAdobeDefinitionChecked(rule, dataView);
      assert.deepEqual(r.problems, []);
      assert.equal(r.commentsLeft, 2);
      assert.deepEqual(r.definition.container, {
        func: 'container', context: 'visitors', description: 'buyers',
        pred: { func: 'and', description: 'from the landing page', preds: [
          { func: 'streq', val: attr(), str: 'Main Landing Page' },
          { func: 'ge', val: { func: 'total', evt: { func: 'event', name: 'metrics/orders' } }, num: 1 },
        ] },
      });
    });

    it('import → export keeps every example\'s descriptions where they were (a `without`\'s operand: on the `without`)', () => {
      const labels = (v: unknown, at = '$', out: string[] = []): string[] => {
        if (Array.isArray(v)) v.forEach((x, i) => labels(x, `${at}[${i}]`, out));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === 'description' ? out.push(`${at} ${String(x)}`) : labels(x, `${at}.${k}`, out);
        return out;
      };
      let found = 0;
      for (const name of EXAMPLES) {
        const json = readJson(name);
        const container = (definitionOf(json) as { container: unknown }).container;
        const before = labels(container).map(l => l.replace(/^(\$(?:\.\w+)*)\.pred\.pred (Events)$/, '$1.pred $2'));
        const after = labels((exportAdobeDefinitionChecked(throughText(importOk(json)), dataView).definition).container);
        assert.deepEqual(after, before, name);
        found += before.length;
      }
      assert.ok(found >= 7, `${found} descriptions`);
    });
  });

  it('the engine gives the same audience for the original import and the re-imported export (fixture data)', async () => {
    const ds = await loadDataView({ ...dataView, files: [{ path: path.join(FIXTURES, 'events.ndjson'), format: 'ndjson', identity: { personField: 'ecid', namespace: 'ECID' } }] });
    let nonEmpty = 0;
    for (const name of EXAMPLES) {
      const rule = throughText(importOk(readJson(name)));
      const again = throughText(importOk(exportOk(rule)));
      const a = evaluateFilter(rule, { dataView, dataset: ds });
      const b = evaluateFilter(again, { dataView, dataset: ds });
      assert.deepEqual(b.audience, a.audience, name);
      assert.deepEqual(Array.from(b.eventMask), Array.from(a.eventMask), name);
      if (a.audience.length) nonEmpty++;
    }
    assert.ok(nonEmpty >= 12, `most examples select someone (${nonEmpty})`);
    const perVisit = evaluateFilter(throughText(importOk(readJson('ex30-only-after-per-visit.json'))), { dataView, dataset: ds });
    assert.deepEqual(perVisit.audience, [{ namespace: 'ECID', id: 'p1' }]);
  });
});

/** A data view declaring every name the rule uses as a dimension (a number when all its values are numbers). */
function viewFor(rule: Rule): DataView {
  const names = new Set<string>();
  const numeric = new Map<string, boolean>();
  walkExpr(rule.root!, e => {
    if (e.kind === 'condition') names.add(e.subject.name);
    if (e.kind === 'condition' && e.subject.kind === 'field' && e.values.length) numeric.set(e.subject.name, (numeric.get(e.subject.name) ?? true) && e.values.every(v => v.kind === 'number'));
    if (e.kind === 'sequence') for (const s of e.steps) for (const c of s.constraints) if (c.unit.kind === 'dimension') names.add(c.unit.name.name);
  });
  // Numeric fields compared only by number (or existence) and named from the first half of the alphabet are metrics.
  const metricOk = new Map<string, boolean>();
  walkExpr(rule.root!, e => {
    if (e.kind !== 'condition') return;
    const ok = e.subject.kind === 'field' && /^[a-mA-M]/.test(e.subject.name) && ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'between', 'in', 'notIn', 'exists', 'notExists'].includes(e.op) && e.values.every(v => v.kind === 'number');
    metricOk.set(e.subject.name, (metricOk.get(e.subject.name) ?? true) && ok);
  });
  walkExpr(rule.root!, e => {
    if (e.kind === 'sequence') for (const st of e.steps) for (const c of st.constraints) if (c.unit.kind === 'dimension') metricOk.set(c.unit.name.name, false);
  });
  const metrics = [...names].filter(n => metricOk.get(n));
  return {
    ...dataView,
    dimensions: [...names].filter(n => !metricOk.get(n)).map(name => ({ name, type: numeric.get(name) ? ('number' as const) : ('string' as const), field: name, adobeId: `variables/${name}` })),
    metrics: metrics.map(name => ({ name, field: name, adobeId: `metrics/${name}` })),
  };
}

/** Whether a container (or only-sequence scope, through its checkpoints) sits in a narrower one. */
function hasWiderInside(root: Expr): boolean {
  let found = false;
  const visit = (e: Expr, scope: Scope | undefined): void => {
    if (found) return;
    switch (e.kind) {
      case 'container':
        if (scope && SCOPE_RANK[e.scope] > SCOPE_RANK[scope]) found = true;
        return visit(e.body, e.scope);
      case 'only':
        return visit(e.sequence, e.scope ?? scope);
      case 'sequence':
        return e.steps.forEach(s => visit(s.checkpoint, scope));
      case 'and':
      case 'or':
      case 'logicGroup':
        return e.items.forEach(i => visit(i, scope));
      case 'not':
        return visit(e.operand, scope);
      default:
        return;
    }
  };
  visit(root, undefined);
  return found;
}
