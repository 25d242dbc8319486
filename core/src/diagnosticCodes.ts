/**
 * The catalogue of diagnostic codes: one entry per stable code, with its severity, when it is
 * reported and the quick fix its data carries. docs/language.md's table is generated from it
 * (`node scripts/docs-codes.mjs`), SARIF output lists each as a rule, and a test checks that every
 * code the core reports is here.
 */
export interface CodeInfo {
  severity: 'error' | 'warning';
  /** When it is reported (one sentence, also the SARIF rule's description). */
  when: string;
  /** The quick fix its data carries, if any. */
  fix?: string;
}

/** Where the codes are documented, relative to the repository (the project has no web site). */
export const DOCS_LANGUAGE_PATH = 'docs/language.md';

export const DIAGNOSTIC_CODES: Record<string, CodeInfo> = {
  'yaml-syntax': { severity: 'error', when: 'The file is not valid YAML; the range is where the parser stopped.' },
  'yaml-binary': { severity: 'error', when: 'The file is binary, not YAML text.' },
  'yaml-duplicate-key': { severity: 'error', when: 'A key appears twice in one mapping (reported on the second).', fix: 'remove the duplicate' },
  'yaml-unsupported': { severity: 'warning', when: 'A YAML feature filter files do not use: aliases, complex keys, a second document.' },
  'schema-missing-key': { severity: 'error', when: 'A required key is missing.', fix: 'add the key' },
  'schema-unknown-key': { severity: 'error', when: 'A key the file format does not define; the message suggests the closest one.', fix: 'did you mean' },
  'schema-type': { severity: 'error', when: 'A value has the wrong type (text, list, mapping, number).' },
  'schema-value': { severity: 'error', when: 'A value is not one of those allowed, or not in the allowed form.', fix: 'allowed values' },
  'filter-unknown-dataview': { severity: 'error', when: 'The filter names a data view that no *.dataview.yaml in the workspace has.', fix: 'did you mean' },
  'filter-no-dataview': { severity: 'error', when: 'The filter has no `dataview:` key and neither the default data view setting nor a single data view in the workspace says which to use, or the default names no data view of the workspace (reported on the first key).' },
  'filter-duplicate-id': { severity: 'error', when: 'Another filter in the workspace has the same id (reported on all but the first by path).' },
  'filter-bad-date': { severity: 'error', when: 'A date that is not on the calendar, such as 2026-02-30.' },
  'filter-bad-period': { severity: 'error', when: 'The period (or an audience `range`) ends on or before it starts.' },
  'dataview-duplicate-id': { severity: 'error', when: 'Another data view in the workspace has the same id.' },
  'dataview-file-missing': { severity: 'error', when: 'A sample file (`file:`) does not exist; nothing is evaluated on the data view until it does.' },
  'dataview-file-unreadable': { severity: 'error', when: 'A sample file (`file:`) exists but cannot be read (permissions).' },
  'dataview-file-not-regular': { severity: 'error', when: 'A sample file (`file:`) is a folder, device, pipe or socket.' },
  'dataview-file-outside': { severity: 'error', when: 'A sample file (`file:`) resolves, after symlinks, outside the workspace folder and the allowed folders.', fix: 'open the `audienceFilters.data.allowedFolders` setting' },
  'dataview-duplicate-name': { severity: 'error', when: 'A metric has the name of a dimension.' },
  'dataview-warehouse': { severity: 'error', when: 'The `warehouse:` block lacks a key its engine needs (DuckDB: `database:` with `table:`, or `files:`; PostgreSQL / ClickHouse: `url:` and `table:`) or has one it does not use.' },
  'dataview-warehouse-secret': { severity: 'error', when: 'A warehouse URL holds a user name, password or token; credentials come from the environment or the editor\'s secret storage.' },
  'audience-lookback-limit': { severity: 'error', when: 'The audience lookback, or the one-time `range`, is longer than the profile store allows (90 days).', fix: '90 days' },
  'audience-range-needs-once': { severity: 'error', when: 'An audience has a `range` but its `refresh` is not `once` (a date range makes a one-time audience).' },
  'audience-expiry-limit': { severity: 'error', when: 'The audience expiry is not in the future, or more than 13 months ahead.', fix: 'the latest allowed date' },
  'rule-empty': { severity: 'error', when: 'The rule is empty.' },
  'rule-missing-container': { severity: 'error', when: 'The rule does not start with `person where`, `session where` or `event where`.', fix: 'add `person where`' },
  'rule-syntax': { severity: 'error', when: 'Unexpected text in the rule; the message says what was expected and what was found.', fix: 'did you mean (keywords, operators, containers, attributions)' },
  'rule-unterminated-string': { severity: 'error', when: 'A string without its closing `"` on the line.' },
  'rule-unknown-unit': { severity: 'error', when: 'A gap unit that does not exist (`minuts`, `seconds`).', fix: 'did you mean' },
  'rule-mixed-operators': { severity: 'error', when: '`and`, `or` and `then` are mixed at one level without parentheses.', fix: 'add the parentheses' },
  'rule-within-shorter-than-after': { severity: 'warning', when: '`within` is not longer than `after` in the same unit family, so the step can never match.' },
  'rule-bad-number': { severity: 'error', when: 'A malformed number, or a gap count that is not a whole number of at least 0.' },
  'rule-empty-list': { severity: 'error', when: 'An empty list: `in ()`, `contains any of ()`, `all of ()`.' },
  'rule-bad-filter-id': { severity: 'error', when: '`filter X` where X is not a kebab-case id.', fix: 'the kebab-case spelling' },
  'rule-too-deep': { severity: 'error', when: 'The rule nests deeper than 200 levels (reported once).' },
  'rule-unknown-field': { severity: 'error', when: 'A name that is no dimension or metric of the data view.', fix: 'did you mean' },
  'rule-metric-as-dimension': { severity: 'error', when: 'A metric where a dimension is needed (`count distinct`, `instances of`).' },
  'rule-type-mismatch': { severity: 'error', when: 'A text operator on a number or metric, text compared with a number dimension, a number with a text dimension, or attribution on a metric.', fix: 'quote the value' },
  'rule-container-scope': { severity: 'error', when: 'A container inside a container of a smaller scope (person > session > event).' },
  'rule-contradiction': { severity: 'error', when: 'Conditions that can never hold together: two values of one dimension on one event, or `between` with its bounds reversed.' },
  'rule-unknown-filter': { severity: 'error', when: '`filter <id>` names no filter of the workspace.', fix: 'did you mean' },
  'rule-filter-dataview': { severity: 'warning', when: 'A referenced filter is written against another data view.' },
  'rule-reference-cycle': { severity: 'error', when: 'Filter references lead back to the filter itself.' },
  'limit-containers': { severity: 'warning', when: 'More than 50 containers (Adobe filter limit).' },
  'limit-nested-containers': { severity: 'warning', when: 'Containers nested more than 10 deep (Adobe filter limit).' },
  'limit-rules': { severity: 'warning', when: 'More than 100 conditions (Adobe filter limit).' },
  'limit-distinct-fields': { severity: 'warning', when: 'More than 25 distinct dimensions and metrics (Adobe filter limit).' },
  'limit-list-values': { severity: 'warning', when: 'A list of more than 500 values (Adobe filter limit).' },
  'limit-words': { severity: 'warning', when: 'More than 100 words in a value or word list (Adobe filter limit).' },
  'test-unknown-filter': { severity: 'error', when: 'A filter test names a filter id that does not exist.' },
  'test-filter-has-errors': { severity: 'error', when: 'The filter under test has errors or no data view, so its tests cannot run.' },
  'test-failed': { severity: 'error', when: 'A fixture person of a filter test does not get the expected verdict or steps.' },
};
