/**
 * The rule language's syntax tree. Every node carries `start`/`end`: offsets into the rule text
 * (the decoded YAML block scalar); `RuleSource.toFile` maps them to file positions.
 *
 * This file is the contract between the parser, checker, formatter, engine and interop layers.
 */

export interface Span {
  start: number;
  end: number;
}

export type Scope = 'person' | 'session' | 'event';

/** Ordering of scopes: a nested container must have a smaller rank than its parent. */
export const SCOPE_RANK: Record<Scope, number> = { person: 3, session: 2, event: 1 };

export type Expr =
  | Container
  | And
  | Or
  | Not
  | Sequence
  | LogicGroup
  | OnlySequence
  | Condition
  | FilterRef
  | ErrorExpr;

/** `person where <body>` — returns, for every unit of `scope`, all its events when `body` holds. */
export interface Container extends Span {
  kind: 'container';
  scope: Scope;
  scopeSpan: Span;
  body: Expr;
}

export interface And extends Span {
  kind: 'and';
  items: Expr[];
}

export interface Or extends Span {
  kind: 'or';
  items: Expr[];
}

/** `not X` or `exclude X` (same meaning outside sequences; `keyword` keeps the spelling). */
export interface Not extends Span {
  kind: 'not';
  keyword: 'not' | 'exclude';
  operand: Expr;
}

export type TimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** The unit a gap is measured in: calendar time, events, sessions, or instances of a dimension. */
export type GapUnit =
  | { kind: 'time'; unit: TimeUnit }
  | { kind: 'event' }
  | { kind: 'session' }
  | { kind: 'dimension'; name: Identifier };

/** `within 30 minutes` (maximum gap, inclusive) or `after 1 day` (minimum gap, exclusive). */
export interface GapConstraint extends Span {
  limit: 'within' | 'after';
  count: number;
  unit: GapUnit;
}

/**
 * One checkpoint of a sequence. `constraints` are the gap constraints written after the `then`
 * that precedes this step (measured from the previous checkpoint); always empty for the first step.
 * `exclude` marks an exclude checkpoint (`then exclude event where ...`).
 */
export interface SequenceStep extends Span {
  exclude: boolean;
  constraints: GapConstraint[];
  checkpoint: Expr;
}

/** `A then B then C`. */
export interface Sequence extends Span {
  kind: 'sequence';
  steps: SequenceStep[];
}

/** `all of (A, B)` / `any of (A, B)`: an order-free group, used as one checkpoint. */
export interface LogicGroup extends Span {
  kind: 'logicGroup';
  mode: 'all' | 'any';
  items: Expr[];
}

/**
 * `only before (A then B)` / `only after (A then B)`: the events of the unit up to the first event
 * of the last occurrence (before), or from the last event of the first occurrence (after).
 * `only after (A then B) per session`: the sequence is searched in, and the events returned from,
 * each unit of `scope` (Adobe's `context` of `sequence-prefix` / `sequence-suffix`) instead of the
 * unit of the enclosing container.
 */
export interface OnlySequence extends Span {
  kind: 'only';
  mode: 'before' | 'after';
  sequence: Sequence;
  /** The `per <scope>` suffix; absent: the enclosing container's scope. */
  scope?: Scope;
  scopeSpan?: Span;
}

export interface Identifier extends Span {
  name: string;
}

export type Literal = StringLiteral | NumberLiteral;

export interface StringLiteral extends Span {
  kind: 'string';
  value: string;
}

export interface NumberLiteral extends Span {
  kind: 'number';
  value: number;
}

export type Operator =
  | 'eq' // =
  | 'ne' // !=
  | 'in' // in ("a", "b")            equals any of
  | 'notIn' // not in ("a", "b")     equals none of
  | 'contains'
  | 'notContains'
  | 'containsAny' // contains any of ("a", "b")
  | 'containsAll'
  | 'notContainsAny'
  | 'notContainsAll'
  | 'startsWith'
  | 'notStartsWith'
  | 'endsWith'
  | 'notEndsWith'
  | 'matches' // glob: * wildcard, \* literal star
  | 'notMatches'
  | 'exists'
  | 'notExists'
  | 'lt'
  | 'gt'
  | 'le'
  | 'ge'
  | 'between'; // inclusive: x between 1 and 5

export type Attribution = 'repeating' | 'instance' | 'nonRepeatingInstance';

/**
 * `<subject> <op> <values>`. Whether `subject.name` is a dimension or a metric is decided by the
 * checker against the data view (a metric compares its total over the enclosing container).
 * `values` is empty for exists/notExists, has two items for between, one or more for lists.
 */
export interface Condition extends Span {
  kind: 'condition';
  subject: Subject;
  op: Operator;
  opSpan: Span;
  values: Literal[];
  caseInsensitive: boolean;
  attribution: Attribution;
  /** For non-repeating instance: the container in which repeats are deduplicated. */
  attributionScope?: 'session' | 'person';
}

export type Subject =
  | ({ kind: 'field' } & Identifier)
  /** `count distinct <dimension>` — the number of distinct present values over the container. */
  | ({ kind: 'countDistinct' } & Identifier);

/** `filter <id>`: holds when the referenced filter holds (its rule is evaluated in place). */
export interface FilterRef extends Span {
  kind: 'filterRef';
  id: Identifier;
}

/** Placeholder where the parser recovered from a syntax error; evaluates as false. */
export interface ErrorExpr extends Span {
  kind: 'error';
}

/** A parsed rule: the top-level container decides what the filter returns. */
export interface Rule {
  root: Expr | null;
  /** Comments in the rule text (`# ...` to end of line), kept by the formatter. */
  comments: Array<Span & { text: string }>;
}
