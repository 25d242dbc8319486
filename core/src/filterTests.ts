import type { Problem } from './diagnostics';
import { datasetFromRecords } from './data/build';
import { explainPerson } from './engine';
import type { FilterTestCase, FilterTestFile } from './files/filterTestFile';
import type { Workspace } from './workspace';

/**
 * Runs the fixture people of a `*.filter.test.yaml` through the filter they name, on a dataset
 * built from their events alone (the filter's period does not apply: fixtures set their own
 * times). Used by `audience-filters test` and, as diagnostics, by the editor.
 */

export interface FilterTestResult {
  person: string;
  namespace: string;
  passed: boolean;
  expected: FilterTestCase['expect'];
  actual: FilterTestCase['expect'];
  /** What differed, in words; empty when passed. */
  message: string;
  at: { start: number; end: number };
}

export type FilterTestRun = { ok: true; results: FilterTestResult[] } | { ok: false; problem: Problem };

/** Fields the fixture rows get for the identity, out of the way of the data view's fields. */
const PERSON_FIELD = '__audience_filters_person';
const NAMESPACE_FIELD = '__audience_filters_namespace';

export function runFilterTests(file: FilterTestFile, workspace: Workspace): FilterTestRun {
  const ref = file.filter;
  if (!ref) return { ok: true, results: [] };
  const filter = workspace.filterById(ref.value);
  if (!filter) return { ok: false, problem: { start: ref.start, end: ref.end, severity: 'error', code: 'test-unknown-filter', message: `No filter has the id \`${ref.value}\`.` } };
  const dataView = workspace.dataViewFor(filter)?.dataView;
  if (!filter.rule?.root || !dataView || workspace.diagnostics(filter.uri).some(d => d.severity === 'error')) {
    return { ok: false, problem: { start: ref.start, end: ref.end, severity: 'error', code: 'test-filter-has-errors', message: `Filter \`${ref.value}\` has errors or no data view; fix it to run its tests.` } };
  }
  const records = file.cases.flatMap(c => c.events.map(e => ({ ...e, [PERSON_FIELD]: c.person, [NAMESPACE_FIELD]: c.namespace })));
  const dataset = datasetFromRecords(records, dataView, { personField: PERSON_FIELD, namespaceField: NAMESPACE_FIELD });
  const ctx = { dataView, dataset, resolveFilter: (id: string) => workspace.filterById(id)?.rule };
  const results = file.cases.map((c): FilterTestResult => {
    const x = explainPerson(filter.rule!, ctx, { namespace: c.namespace, id: c.person });
    const actual: FilterTestCase['expect'] = x.verdict;
    const problems: string[] = [];
    if (!x.found) problems.push('none of its events loaded (each needs a valid timestamp)');
    if (actual !== c.expect) problems.push(`expected ${c.expect}, but is ${actual}: ${x.summary}`);
    if (c.steps) {
      const got = x.steps.map(s => s.status);
      if (got.length !== c.steps.length || got.some((s, i) => s !== c.steps![i])) problems.push(`expected steps [${c.steps.join(', ')}], got [${got.join(', ')}]`);
    }
    const rowWarnings = dataset.warnings.filter(w => records[w.line - 1]?.[PERSON_FIELD] === c.person);
    for (const w of rowWarnings) problems.push(`event ${w.line - records.findIndex(r => r[PERSON_FIELD] === c.person)}: ${w.message}`);
    return { person: c.person, namespace: c.namespace, passed: problems.length === 0, expected: c.expect, actual, message: problems.join('; '), at: c.expectAt };
  });
  return { ok: true, results };
}

/** Test results as editor problems: a failing case is an error on its `expect` value. */
export function filterTestProblems(file: FilterTestFile, workspace: Workspace): Problem[] {
  const run = runFilterTests(file, workspace);
  if (!run.ok) return [run.problem];
  return run.results
    .filter(r => !r.passed)
    .map(r => ({ start: r.at.start, end: r.at.end, severity: 'error' as const, code: 'test-failed', message: `Test of ${r.namespace}:${r.person} fails: ${r.message}` }));
}
