/**
 * What the rule language's keywords and operators mean (CJA semantics), in the words completion
 * and hover show. One table, so the two never disagree.
 */
import type { Operator } from '../rule/ast';

export const OPERATOR_DOCS: Record<Operator, string> = {
  eq: 'Equals. Case-sensitive, as in CJA; add `ignoring case` for a case-insensitive match. On a metric, compares its total over the container.',
  ne: 'Does not equal. An event without a value does not match (use `not exists` for that).',
  in: 'Equals any of the listed values.',
  notIn: 'Equals none of the listed values.',
  contains: 'The value contains the text (case-sensitive unless `ignoring case`).',
  notContains: 'The value does not contain the text.',
  containsAny: 'The value contains any of the listed words.',
  containsAll: 'The value contains all of the listed words.',
  notContainsAny: 'The value contains none of the listed words.',
  notContainsAll: 'The value does not contain all of the listed words.',
  startsWith: 'The value starts with the text.',
  notStartsWith: 'The value does not start with the text.',
  endsWith: 'The value ends with the text.',
  notEndsWith: 'The value does not end with the text.',
  matches: 'The value matches a glob pattern: `*` is any run of characters, `\\*` a literal star.',
  notMatches: 'The value does not match the glob pattern.',
  exists: 'The dimension has a value (for a metric: the event exists with a non-zero value).',
  notExists: 'The dimension has no value.',
  lt: 'Less than. On a metric: its total over the container (a missing value counts as 0).',
  gt: 'Greater than. On a metric: its total over the container (a missing value counts as 0).',
  le: 'Less than or equal to. On a metric: its total over the container.',
  ge: 'Greater than or equal to. On a metric: its total over the container.',
  between: 'Between two numbers, both included: `x between 1 and 5`.',
};

export const KEYWORD_DOCS: Record<string, string> = {
  person: 'A **person** container: for every person with at least one event where the body holds, all of the person\'s events.',
  session: 'A **session** container: for every session where the body holds, all of the session\'s events.',
  event: 'An **event** container: the events for which the body holds; every condition must hold on the same event.',
  where: 'Starts the body of a container: `person where …`.',
  and: 'Both sides hold for the unit (in a person or session container, possibly on different events).',
  or: 'At least one side holds. Mixing `and`, `or` and `then` at one level needs parentheses.',
  not: 'Holds when the operand does not hold for the unit.',
  exclude: 'Excludes what follows: outside a sequence like `not`; in a sequence, an exclude checkpoint means no matching event between its neighbours (or before the first / after the last).',
  then: 'Sequence: the next checkpoint happens strictly after the previous one. Gaps (`within`, `after`) are measured from the end of the previous checkpoint.',
  within: 'Maximum gap to the previous checkpoint, inclusive: `then within 30 minutes`.',
  after: 'Minimum gap to the previous checkpoint, exclusive: `then after 1 day`. Combine with `within` for a window.',
  filter: 'A reference to another filter by id: holds when that filter holds (its rule is evaluated in place).',
  count: '`count distinct <dimension>`: the number of distinct present values over the container.',
  distinct: '`count distinct <dimension>`: the number of distinct present values over the container.',
  all: '`all of (A, B)`: a logic group, every item holds, in any order; one checkpoint of a sequence.',
  any: '`any of (A, B)`: a logic group, at least one item holds; one checkpoint of a sequence.',
  of: 'Part of `all of`, `any of`, `contains any of`, `contains all of` and `instances of`.',
  only: '`only before (sequence)` keeps the events up to the first event of the last occurrence of the sequence; `only after (sequence)` keeps the events from the last event of the first occurrence.',
  before: '`only before (sequence)`: the events up to and including the first event of the last occurrence of the sequence.',
  ignoring: '`ignoring case`: compares text case-insensitively (Adobe Analytics definitions import this way).',
  case: '`ignoring case`: compares text case-insensitively.',
  instance: 'Attribution `[instance]`: the condition matches only the events where the value is set, not where it persists.',
  repeating: 'Attribution `[repeating]` (the default): every event where the value holds matches.',
  'non-repeating': 'Attribution `[non-repeating instance]`: repeated values in a row count once (per session, or `per person`).',
  per: 'Attribution scope: `[non-repeating instance per person]` or `per session` (the default).',
  minute: 'Time unit (calendar clock).', minutes: 'Time unit (calendar clock).',
  hour: 'Time unit.', hours: 'Time unit.',
  day: 'Time unit.', days: 'Time unit.',
  week: 'Time unit (7 days).', weeks: 'Time unit (7 days).',
  month: 'Calendar months (calendar arithmetic).', months: 'Calendar months (calendar arithmetic).',
  quarter: 'Calendar quarters.', quarters: 'Calendar quarters.',
  year: 'Calendar years.', years: 'Calendar years.',
  events: 'Event count gap: the number of events between two checkpoints (`within 1 event` = the very next event).',
  sessions: 'Session count gap: the number of session boundaries between two checkpoints.',
  instances: '`instances of <dimension>`: the gap counts changes of that dimension\'s value.',
};

/** Units after `within N` / `after N`, singular and plural. */
export const UNITS: Array<[string, string]> = [
  ['minute', 'minutes'],
  ['hour', 'hours'],
  ['day', 'days'],
  ['week', 'weeks'],
  ['month', 'months'],
  ['quarter', 'quarters'],
  ['year', 'years'],
  ['event', 'events'],
  ['session', 'sessions'],
];

/** The keyword doc of a word, accepting singular unit forms. */
export function keywordDoc(word: string): string | undefined {
  if (Object.prototype.hasOwnProperty.call(KEYWORD_DOCS, word)) return KEYWORD_DOCS[word];
  return undefined;
}
