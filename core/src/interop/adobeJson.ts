/**
 * Vocabulary shared by the Adobe segment definition import and export (see
 * docs/language.md "Adobe segment JSON"): scope names, comparison functions and their operators.
 */
import type { Operator, Scope, TimeUnit } from '../rule/ast';

export type AdobeContext = 'visitors' | 'visits' | 'hits';

export const CONTEXT_TO_SCOPE: Record<AdobeContext, Scope> = { visitors: 'person', visits: 'session', hits: 'event' };
export const SCOPE_TO_CONTEXT: Record<Scope, AdobeContext> = { person: 'visitors', session: 'visits', event: 'hits' };

export const TIME_UNITS: readonly TimeUnit[] = ['minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

/** What the value field of a comparison holds. */
export type ValueField = 'str' | 'num' | 'list' | 'glob' | 'none';

export interface Comparison {
  op: Operator;
  field: ValueField;
  /** Whether the comparison reads `list` as numbers (eq-in) or strings (streq-in). */
  numeric: boolean;
}

/** Every comparison function of the definition format, keyed by `func`. */
export const COMPARISONS: Record<string, Comparison> = {
  streq: { op: 'eq', field: 'str', numeric: false },
  'not-streq': { op: 'ne', field: 'str', numeric: false },
  'streq-in': { op: 'in', field: 'list', numeric: false },
  'not-streq-in': { op: 'notIn', field: 'list', numeric: false },
  contains: { op: 'contains', field: 'str', numeric: false },
  'not-contains': { op: 'notContains', field: 'str', numeric: false },
  'contains-any-of': { op: 'containsAny', field: 'list', numeric: false },
  'contains-all-of': { op: 'containsAll', field: 'list', numeric: false },
  'not-contains-any-of': { op: 'notContainsAny', field: 'list', numeric: false },
  'not-contains-all-of': { op: 'notContainsAll', field: 'list', numeric: false },
  'starts-with': { op: 'startsWith', field: 'str', numeric: false },
  'not-starts-with': { op: 'notStartsWith', field: 'str', numeric: false },
  'ends-with': { op: 'endsWith', field: 'str', numeric: false },
  'not-ends-with': { op: 'notEndsWith', field: 'str', numeric: false },
  matches: { op: 'matches', field: 'glob', numeric: false },
  'not-matches': { op: 'notMatches', field: 'glob', numeric: false },
  strlt: { op: 'lt', field: 'str', numeric: false },
  strgt: { op: 'gt', field: 'str', numeric: false },
  strle: { op: 'le', field: 'str', numeric: false },
  strge: { op: 'ge', field: 'str', numeric: false },
  eq: { op: 'eq', field: 'num', numeric: true },
  'not-eq': { op: 'ne', field: 'num', numeric: true },
  gt: { op: 'gt', field: 'num', numeric: true },
  lt: { op: 'lt', field: 'num', numeric: true },
  ge: { op: 'ge', field: 'num', numeric: true },
  le: { op: 'le', field: 'num', numeric: true },
  'eq-any-of': { op: 'in', field: 'list', numeric: true },
  'eq-in': { op: 'in', field: 'list', numeric: true },
  'not-eq-any-of': { op: 'notIn', field: 'list', numeric: true },
  'not-eq-in': { op: 'notIn', field: 'list', numeric: true },
  exists: { op: 'exists', field: 'none', numeric: false },
  'not-exists': { op: 'notExists', field: 'none', numeric: false },
};

/** Adobe Analytics string operators documented as case-insensitive (CJA's are case-sensitive). */
export const AA_CASE_INSENSITIVE: ReadonlySet<Operator> = new Set<Operator>([
  'contains', 'notContains', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith',
  'containsAny', 'notContainsAny', 'containsAll', 'notContainsAll',
]);

export const STRUCTURE_FUNCS = [
  'segment', 'container', 'and', 'or', 'without', 'sequence', 'sequence-prefix', 'sequence-suffix',
  'sequence-and', 'sequence-or', 'exclude-next-checkpoint', 'time-restriction', 'container-restriction',
  'dimension-restriction', 'attr', 'event', 'total', 'total-distinct', 'event-exists', 'not-event-exists',
] as const;

export const ALL_FUNCS: readonly string[] = [...STRUCTURE_FUNCS, ...Object.keys(COMPARISONS)];

/** A canonical definition as exported. */
export interface AdobeDefinition {
  func: 'segment';
  version: [number, number, number];
  container: AdobeNode;
}

export type AdobeNode = { func: string } & Record<string, unknown>;

/**
 * The extension object of an exported API body: the filter-file keys the Adobe segment object has
 * no field for (docs/language.md "Adobe segment JSON"). Adobe's APIs are documented to ignore
 * members they do not know; import reads it back so export → import keeps the whole file.
 */
export const EXTENSION_KEY = 'x-audience-filters';

export interface FilterExtension {
  /** Format version of this object. */
  version: 1;
  /** The filter id (`filter:`). */
  filter: string;
  /** `title:`, when the file has one (the API `name` is the title, else the id). */
  title?: string;
  /** `dataview:` as written (the data view id the rule is written against). */
  dataview?: string;
  tags?: string[];
  /** `period:` as written: `last 30 days` or `{from, to}`. */
  period?: unknown;
  /** The `audience:` block as written. */
  audience?: Record<string, unknown>;
}

