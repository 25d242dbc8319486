import { getPair, toJS } from '../yaml/yamlTree';
import { parseSourceFile, stringAt } from './sourceFile';
import type { Located, SourceFileBase } from './sourceFile';

/** One fixture person of a filter test: a timeline and the expected verdict. */
export interface FilterTestCase {
  person: string;
  namespace: string;
  description?: string;
  expect: 'member' | 'not member';
  steps?: Array<'matched' | 'failed' | 'not reached'>;
  events: Array<Record<string, unknown>>;
  /** Offsets of the case's `person` value and `expect` value, where results are reported. */
  personAt: { start: number; end: number };
  expectAt: { start: number; end: number };
}

export interface FilterTestFile extends SourceFileBase {
  kind: 'filterTest';
  filter?: Located<string>;
  cases: FilterTestCase[];
}

export const DEFAULT_TEST_NAMESPACE = 'ECID';

export function parseFilterTestFile(uri: string, text: string): FilterTestFile {
  const base = parseSourceFile(uri, text, 'filter-test');
  const root = base.yaml.root;
  const file: FilterTestFile = { ...base, kind: 'filterTest', cases: [], filter: stringAt(root, 'filter') };
  const people = getPair(root, 'people')?.value;
  if (!people || people.kind !== 'seq' || base.problems.some(p => p.severity === 'error')) return file;
  for (const item of people.items) {
    const person = getPair(item, 'person')?.value;
    const expect = stringAt(item, 'expect');
    const events = getPair(item, 'events')?.value;
    if (!person || person.kind !== 'scalar' || !expect || !events || events.kind !== 'seq') continue;
    const steps = toJS(getPair(item, 'steps')?.value ?? null);
    file.cases.push({
      person: String(person.value),
      namespace: stringAt(item, 'namespace')?.value ?? DEFAULT_TEST_NAMESPACE,
      description: stringAt(item, 'description')?.value,
      expect: expect.value === 'member' ? 'member' : 'not member',
      steps: Array.isArray(steps) ? (steps as FilterTestCase['steps']) : undefined,
      events: events.items.map(e => toJS(e) as Record<string, unknown>),
      personAt: { start: person.start, end: person.end },
      expectAt: { start: expect.start, end: expect.end },
    });
  }
  return file;
}
