/**
 * Import of Adobe segment definition JSON (Customer Journey Analytics filters and Adobe Analytics
 * segments) into a rule syntax tree. Every problem is reported with the JSON path of the value at
 * fault (`$.container.pred.preds[1].func`); the import never throws on bad input. Nodes the
 * import cannot understand become `error` expressions, which evaluate as false.
 */
import type { DataView } from '../dataview/model';
import { deepValuePath, nestingMessage } from '../jsonNesting';
import { closestMatches } from '../names';
import { MAX_RULE_DEPTH } from '../rule/parser';
import type { Attribution, Condition, Expr, GapConstraint, GapUnit, Identifier, Literal, OnlySequence, Rule, Scope, Sequence, SequenceStep, Subject, TimeUnit } from '../rule/ast';
import { SCOPE_RANK } from '../rule/ast';
import { walkExpr } from '../rule/walk';
import { AA_CASE_INSENSITIVE, ALL_FUNCS, COMPARISONS, CONTEXT_TO_SCOPE, EXTENSION_KEY, SCOPE_TO_CONTEXT, TIME_UNITS } from './adobeJson';
import type { AdobeContext, Comparison, FilterExtension } from './adobeJson';

export interface AdobeImportOptions {
  /** `aa`: Adobe Analytics semantics (some string operators are case-insensitive); `cja` (default): case-sensitive. */
  from?: 'cja' | 'aa';
}

export interface AdobeImportDiagnostic {
  /** JSON path of the offending value, e.g. `$.container.pred.preds[1].func`. */
  path: string;
  message: string;
  code: string;
  severity: 'error' | 'warning';
}

/** A `description` label found on a container or predicate (Adobe's UI label). */
export interface AdobeDescription {
  path: string;
  text: string;
}

export interface AdobeMetadata {
  name?: string;
  description?: string;
  /** Names of the API object's `tags` (`[{"name": …}]`). */
  tags?: string[];
  /** The `x-audience-filters` object an export wrote (checked key by key; bad keys are warnings and left out). */
  extension?: Partial<FilterExtension>;
}

export interface AdobeImportResult {
  rule: Rule;
  diagnostics: AdobeImportDiagnostic[];
  /** `description` labels in document order; the CLI keeps them as rule comments. */
  descriptions: AdobeDescription[];
  /** `name`, `description` and `tags` of an API object wrapping the definition, and its extension object. */
  metadata: AdobeMetadata;
}

/** `<dimension>`, `{{value}}`, `${id}`, `{SEGMENT_ID}`: the placeholders of templates and documentation fragments. */
const PLACEHOLDER = /<[A-Za-z_][^<>]*>|\{\{[^{}]*\}\}|\$\{[^{}]*\}|\{[A-Z][A-Z0-9_]*\}/;
/** A date range component's definition: `2026-01-01T00:00:00.000/2026-02-01T00:00:00.000` (or with a rolling part). */
const DATE_RANGE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+)?\/|\/\d{4}-\d{2}-\d{2}(T[\d:.]+)?$|^(cd|cw|cm|cq|cy|rd|rw|rm|rq|ry)[:+-]/;
/** Functions of calculated-metric formulas (never of segments). */
const FORMULA_FUNCS: ReadonlySet<string> = new Set(['calc-metric', 'metric', 'divide', 'multiply', 'add', 'subtract', 'negate', 'abs', 'col-sum', 'col-max', 'col-min', 'col-mean', 'row-sum', 'row-max', 'row-min', 'row-mean', 'count', 'pow', 'sqrt', 'median', 'percentile', 'cumul', 'cumul-avg', 'if', 'visualization-total']);
const CALC_METRIC_ADVICE = 'a filter is a segment and a calculated metric has no filter form. Export the segment instead (Segments API `GET /segments/{id}?expansion=definition`; for a metric filtered by a segment, the segment its formula names).';
const CALC_METRIC_MESSAGE = `This is a calculated metric (\`calc-metric\` with a \`formula\`), not a segment: ${CALC_METRIC_ADVICE}`;

function isCalculatedMetric(json: JsonObject): boolean {
  return json.func === 'calc-metric' || ('formula' in json && !('container' in json));
}

type Json = unknown;
type JsonObject = Record<string, unknown>;

const NO_SPAN = { start: 0, end: 0 };

/** A rule level takes at most two JSON levels (an `and`'s object and its `preds` array); deeper JSON is refused unwalked. */
export const MAX_ADOBE_DEPTH = 2 * MAX_RULE_DEPTH + 16;

/** The result for JSON nested deeper than MAX_ADOBE_DEPTH, or undefined when it is within. */
function refusedTooDeep(json: Json): AdobeImportResult | undefined {
  const path = deepValuePath(json, MAX_ADOBE_DEPTH);
  if (path === undefined) return undefined;
  const message = `JSON ${nestingMessage(MAX_ADOBE_DEPTH)}; nothing imported.`;
  return { rule: { root: null, comments: [] }, diagnostics: [{ path, code: 'adobe-too-deep', message, severity: 'error' }], descriptions: [], metadata: {} };
}

/** Imports a definition, an API object with `definition`, a bare `container`, or a bare predicate. */
export function importAdobeDefinition(json: Json, dataView: DataView, options: AdobeImportOptions = {}): AdobeImportResult {
  const refused = refusedTooDeep(json);
  if (refused) return refused;
  const importer = new AdobeImporter(dataView, options);
  const root = importer.top(json);
  return { rule: withLabelComments(root, importer.labels), diagnostics: importer.diagnostics, descriptions: importer.descriptions, metadata: importer.metadata };
}

/**
 * Imports one predicate (such as an item of a list of example predicates) as the body of a
 * container of `scope` (person by default).
 */
export function importAdobePredicate(json: Json, dataView: DataView, options: AdobeImportOptions = {}, scope: Scope = 'person'): AdobeImportResult {
  const refused = refusedTooDeep(json);
  if (refused) return refused;
  const importer = new AdobeImporter(dataView, options);
  const body = importer.predicate(json, '$', scope);
  const root: Expr = { kind: 'container', scope, scopeSpan: NO_SPAN, body, ...NO_SPAN };
  return { rule: withLabelComments(root, importer.labels), diagnostics: importer.diagnostics, descriptions: importer.descriptions, metadata: importer.metadata };
}

/**
 * The imported tree has no source text; it gets synthetic offsets in document order (pre-order) so
 * that each `description` label becomes a `# comment` that the printer places before its node.
 */
function withLabelComments(root: Expr | null, labels: Map<Expr, string>): Rule {
  const comments: Rule['comments'] = [];
  if (!root) return { root, comments };
  let offset = 0;
  walkExpr(root, node => {
    offset += 3;
    const label = labels.get(node);
    if (label !== undefined) comments.push({ start: offset - 2, end: offset - 2, text: `# ${label.replace(/\s+/g, ' ').trim()}` });
    node.start = offset;
    node.end = offset;
  });
  // A step's line starts just before its checkpoint, after the checkpoint's label.
  walkExpr(root, node => {
    if (node.kind === 'sequence') for (const step of node.steps) step.start = step.end = step.checkpoint.start - 1;
  });
  return { root, comments };
}

/** `$.a.b[2]["allocation-model"]` */
function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v} (${JSON.stringify(v)})`;
}

class AdobeImporter {
  readonly diagnostics: AdobeImportDiagnostic[] = [];
  readonly descriptions: AdobeDescription[] = [];
  readonly metadata: AdobeMetadata = {};
  /** Expressions that carry a `description` label. */
  readonly labels = new Map<Expr, string>();
  private readonly caseInsensitiveAA: boolean;

  constructor(
    private readonly dataView: DataView,
    options: AdobeImportOptions,
  ) {
    this.caseInsensitiveAA = options.from === 'aa';
  }

  private error(path: string, code: string, message: string): Expr {
    this.diagnostics.push({ path, code, message, severity: 'error' });
    return { kind: 'error', ...NO_SPAN };
  }

  private warn(path: string, code: string, message: string): void {
    this.diagnostics.push({ path, code, message, severity: 'warning' });
  }

  top(json: Json): Expr | null {
    if (Array.isArray(json)) {
      this.error('$', 'adobe-not-definition', `Expected a segment definition object, found an array of ${json.length} item${json.length === 1 ? '' : 's'}; import each predicate on its own (for example \`jq '.[0]'\`).`);
      return null;
    }
    if (!isObject(json)) {
      if (typeof json === 'string' && DATE_RANGE.test(json)) this.error('$', 'adobe-not-segment', `This is a date range (${JSON.stringify(json)}), not a segment definition. Export the segment instead; a filter's time window is its \`period:\` key.`);
      else this.error('$', 'adobe-not-definition', `Expected a segment definition object, found ${typeName(json)}.`);
      return null;
    }
    if (isCalculatedMetric(json)) {
      this.error(child('$', 'func' in json ? 'func' : 'formula'), 'adobe-not-segment', CALC_METRIC_MESSAGE);
      return null;
    }
    if ('definition' in json && !('func' in json)) {
      if (typeof json.definition === 'string') {
        this.error('$.definition', 'adobe-not-segment', `This is a date range component (its \`definition\` is the date range ${JSON.stringify(json.definition)}), not a segment. Export the segment instead (Segments API \`GET /segments/{id}?expansion=definition\`); a filter's time window is its \`period:\` key.`);
        return null;
      }
      if (isObject(json.definition) && isCalculatedMetric(json.definition)) {
        this.error('$.definition.func', 'adobe-not-segment', CALC_METRIC_MESSAGE);
        return null;
      }
      if (typeof json.name === 'string') this.metadata.name = json.name;
      else if (json.name !== undefined && json.name !== null) this.error('$.name', 'adobe-wrong-type', `\`name\` must be a string, found ${typeName(json.name)}.`);
      if (typeof json.description === 'string') this.metadata.description = json.description;
      this.objectMetadata(json);
      return this.definition(json.definition, '$.definition');
    }
    return this.definition(json, '$');
  }

  /** Tags, the extension object, and a warning listing the API object's members that the filter file does not carry. */
  private objectMetadata(json: JsonObject): void {
    const tags = json.tags;
    if (Array.isArray(tags)) {
      const names = tags.map(t => (isObject(t) && typeof t.name === 'string' ? t.name : typeof t === 'string' ? t : undefined));
      if (names.every((n): n is string => n !== undefined)) this.metadata.tags = names;
      else this.warn('$.tags', 'adobe-not-carried', '`tags` must be a list of `{"name": …}` objects; not carried.');
    }
    const ext = json[EXTENSION_KEY];
    if (ext !== undefined) this.extension(ext, child('$', EXTENSION_KEY));
    const dropped = Object.keys(json).filter(k => !['name', 'description', 'definition', 'tags', EXTENSION_KEY].includes(k));
    if (dropped.length) {
      this.warn('$', 'adobe-not-carried', `Not carried into the filter file (they describe the segment in Adobe): ${dropped.map(k => `\`${k}\``).join(', ')}.`);
    }
  }

  private extension(ext: Json, path: string): void {
    if (!isObject(ext)) {
      this.warn(path, 'adobe-not-carried', `\`${EXTENSION_KEY}\` must be an object, found ${typeName(ext)}; not carried.`);
      return;
    }
    const out: Partial<FilterExtension> = {};
    const bad = (key: string, what: string) => this.warn(child(path, key), 'adobe-not-carried', `\`${key}\` must be ${what}, found ${typeName(ext[key])}; not carried.`);
    for (const key of Object.keys(ext)) {
      const v = ext[key];
      switch (key) {
        case 'version':
          if (v !== 1) this.warn(child(path, key), 'adobe-version', `\`${EXTENSION_KEY}\` version ${JSON.stringify(v)} is not 1; read as version 1.`);
          break;
        case 'filter':
          if (typeof v === 'string' && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(v)) out.filter = v;
          else bad(key, 'a kebab-case filter id');
          break;
        case 'title':
        case 'dataview':
          if (typeof v === 'string') out[key] = v;
          else bad(key, 'a string');
          break;
        case 'tags':
          if (Array.isArray(v) && v.every(t => typeof t === 'string')) out.tags = v as string[];
          else bad(key, 'a list of strings');
          break;
        case 'period':
          if (typeof v === 'string' || isObject(v)) out.period = v;
          else bad(key, 'a string (`last 30 days`) or `{from, to}`');
          break;
        case 'audience':
          if (isObject(v)) out.audience = v;
          else bad(key, 'an object (the `audience:` block)');
          break;
        default:
          this.warn(child(path, key), 'adobe-not-carried', `\`${key}\` is not a key of \`${EXTENSION_KEY}\` (filter, title, dataview, tags, period, audience); not carried.`);
      }
    }
    this.metadata.extension = out;
  }

  private definition(json: Json, path: string): Expr | null {
    if (!isObject(json)) {
      this.error(path, 'adobe-not-definition', `Expected a segment definition object, found ${typeName(json)}.`);
      return null;
    }
    const func = json.func;
    if (func === 'segment') {
      this.checkVersion(json.version, child(path, 'version'));
      if (!('container' in json)) {
        this.error(child(path, 'container'), 'adobe-missing-field', 'A `segment` needs a `container`.');
        return null;
      }
      const c = json.container;
      if (!isObject(c) || c.func !== 'container') {
        const at = isObject(c) ? child(child(path, 'container'), 'func') : child(path, 'container');
        this.error(at, 'adobe-wrong-type', `The top of a segment must be a \`container\` object, found ${isObject(c) ? `func ${JSON.stringify(c.func)}` : typeName(c)}.`);
        return null;
      }
      const expr = this.container(c, child(path, 'container'));
      this.describe(c, child(path, 'container'), expr);
      return expr;
    }
    if (func === 'container') {
      const expr = this.container(json, path);
      this.describe(json, path, expr);
      return expr;
    }
    if (func === 'segment-def') {
      this.error(child(path, 'func'), 'adobe-non-canonical', 'The `segment-def` format (with `range` and `segment` shapes) shown on some pages is not the definition the APIs accept; export the segment again as `{"func":"segment","version":[1,0,0],"container":{...}}`.');
      return null;
    }
    if (func === undefined) {
      this.error(child(path, 'func'), 'adobe-missing-field', 'Expected a segment definition: this object has no `func` (nor a `definition`).');
      return null;
    }
    if (typeof func === 'string' && ALL_FUNCS.includes(func)) {
      this.warn(path, 'adobe-bare-predicate', `A bare \`${func}\` predicate, not a segment; imported inside a person container.`);
      const body = this.predicate(json, path, 'person');
      return { kind: 'container', scope: 'person', scopeSpan: NO_SPAN, body, ...NO_SPAN };
    }
    this.predicate(json, path, 'person');
    return null;
  }

  private checkVersion(v: Json, path: string): void {
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length !== 3 || v.some(x => typeof x !== 'number')) {
      this.error(path, 'adobe-wrong-type', `\`version\` must be an array of three numbers such as [1, 0, 0], found ${typeName(v)}.`);
    } else if (v[0] !== 1) {
      this.warn(path, 'adobe-version', `Definition version ${v.join('.')} is not 1.x; imported as version 1.0.0.`);
    }
  }

  /** Records a `description` label and the expression it labels (printed as a comment before it). */
  describe(node: JsonObject, path: string, expr: Expr): void {
    const d = node.description;
    if (d === undefined) return;
    if (typeof d !== 'string') this.error(child(path, 'description'), 'adobe-wrong-type', `\`description\` must be a string, found ${typeName(d)}.`);
    else if (d.trim()) {
      this.descriptions.push({ path, text: d });
      const prev = this.labels.get(expr);
      this.labels.set(expr, prev === undefined ? d : `${d} ${prev}`);
    }
  }

  private context(node: JsonObject, path: string): AdobeContext | undefined {
    const at = child(path, 'context');
    if (!('context' in node)) {
      this.error(at, 'adobe-missing-field', `A \`${String(node.func)}\` needs a \`context\` (visitors, visits or hits).`);
      return undefined;
    }
    const c = node.context;
    if (c === 'visitors' || c === 'visits' || c === 'hits') return c;
    const hint = typeof c === 'string' ? closestMatches(c, ['visitors', 'visits', 'hits']) : [];
    this.error(at, 'adobe-bad-context', `\`context\` must be visitors (person), visits (session) or hits (event), found ${typeName(c)}.${hint.length ? ` Did you mean \`${hint[0]}\`?` : ''}`);
    return undefined;
  }

  private container(node: JsonObject, path: string, outer?: Scope): Expr {
    const context = this.context(node, path);
    const scope: Scope = context ? CONTEXT_TO_SCOPE[context] : 'person';
    if (context && outer && SCOPE_RANK[scope] > SCOPE_RANK[outer]) {
      // Adobe's containers nest Visitor > Visit > Hit; a wider one inside a narrower one has no meaning the language can give it.
      this.error(child(path, 'context'), 'adobe-container-scope', `A ${context} container inside a ${SCOPE_TO_CONTEXT[outer]} container: containers nest visitors > visits > hits, so a ${context} condition cannot be tested on one ${outer === 'event' ? 'hit' : 'visit'}. Move it out: make the outer container ${context} and put the ${SCOPE_TO_CONTEXT[outer]} conditions in a ${SCOPE_TO_CONTEXT[outer]} container beside it (joined with \`and\`).`);
      return { kind: 'error', ...NO_SPAN };
    }
    if (!('pred' in node)) {
      this.error(child(path, 'pred'), 'adobe-missing-field', 'A `container` needs a `pred`.');
      return { kind: 'container', scope, scopeSpan: NO_SPAN, body: { kind: 'error', ...NO_SPAN }, ...NO_SPAN };
    }
    const body = this.predicate(node.pred, child(path, 'pred'), scope);
    if (!context) return { kind: 'error', ...NO_SPAN };
    return { kind: 'container', scope, scopeSpan: NO_SPAN, body, ...NO_SPAN };
  }

  private array(node: JsonObject, key: string, path: string, min: number): Json[] | undefined {
    const at = child(path, key);
    if (!(key in node)) {
      this.error(at, 'adobe-missing-field', `\`${String(node.func)}\` needs \`${key}\` (an array).`);
      return undefined;
    }
    const v = node[key];
    if (!Array.isArray(v)) {
      this.error(at, 'adobe-wrong-type', `\`${key}\` must be an array, found ${typeName(v)}.`);
      return undefined;
    }
    if (v.length < min) {
      this.error(at, 'adobe-missing-field', `\`${key}\` of \`${String(node.func)}\` needs at least ${min} item${min === 1 ? '' : 's'}.`);
      return undefined;
    }
    return v;
  }

  /** A predicate evaluated in a container of `scope`. */
  predicate(json: Json, path: string, scope: Scope): Expr {
    const expr = this.predicateBody(json, path, scope);
    if (isObject(json)) this.describe(json, path, expr);
    return expr;
  }

  private predicateBody(json: Json, path: string, scope: Scope): Expr {
    if (!isObject(json)) return this.error(path, 'adobe-wrong-type', `Expected a predicate object with a \`func\`, found ${typeName(json)}.`);
    const func = json.func;
    const funcPath = child(path, 'func');
    if (func === undefined) return this.error(funcPath, 'adobe-missing-field', 'This predicate has no `func`.');
    if (typeof func !== 'string') return this.error(funcPath, 'adobe-wrong-type', `\`func\` must be a string, found ${typeName(func)}.`);
    switch (func) {
      case 'container':
        return this.container(json, path, scope);
      case 'and':
      case 'or': {
        const preds = this.array(json, 'preds', path, 1);
        if (!preds) return { kind: 'error', ...NO_SPAN };
        const items = preds.map((p, i) => this.predicate(p, child(child(path, 'preds'), i), scope));
        return items.length === 1 ? items[0] : { kind: func, items, ...NO_SPAN };
      }
      case 'without': {
        if (!('pred' in json)) return this.error(child(path, 'pred'), 'adobe-missing-field', '`without` needs a `pred`.');
        const operand = this.predicate(json.pred, child(path, 'pred'), scope);
        const not: Expr = { kind: 'not', keyword: operand.kind === 'container' ? 'exclude' : 'not', operand, ...NO_SPAN };
        // `not X` prints on one line: the operand's label goes before it, on the `not`.
        const label = this.labels.get(operand);
        if (label !== undefined) {
          this.labels.delete(operand);
          this.labels.set(not, label);
        }
        return not;
      }
      case 'sequence': {
        if (!('context' in json)) return this.sequence(json, path, scope);
        // A context on a plain THEN sequence: the unit its checkpoints must share.
        const context = this.context(json, path);
        if (!context) return { kind: 'error', ...NO_SPAN };
        const own = CONTEXT_TO_SCOPE[context];
        if (own === scope) {
          this.warn(child(path, 'context'), 'adobe-not-carried', `\`context\` ${context} repeats the enclosing ${SCOPE_TO_CONTEXT[scope]} container and is not carried (it means nothing more); export writes the sequence without it.`);
          return this.sequence(json, path, scope);
        }
        if (SCOPE_RANK[own] > SCOPE_RANK[scope]) {
          return this.error(child(path, 'context'), 'adobe-container-scope', `A sequence with context ${context} inside a ${SCOPE_TO_CONTEXT[scope]} container: one ${scope === 'event' ? 'hit' : 'visit'} cannot hold a sequence over a ${own}. Make the enclosing container ${context}, or use \`sequence-prefix\` / \`sequence-suffix\` (only after / only before), whose context may be wider.`);
        }
        this.warn(child(path, 'context'), 'adobe-sequence-context', `A sequence with context ${context} inside a ${SCOPE_TO_CONTEXT[scope]} container is imported as a ${own} container holding the sequence (the same meaning); export writes it in that form.`);
        const seq = this.sequence(json, path, own);
        if (seq.kind !== 'sequence') return seq;
        return { kind: 'container', scope: own, scopeSpan: NO_SPAN, body: seq, ...NO_SPAN };
      }
      case 'sequence-prefix':
      case 'sequence-suffix': {
        // The context is the unit the sequence is searched in and returned from (`per <scope>` when it is not the container's).
        const context = this.context(json, path);
        const own = context ? CONTEXT_TO_SCOPE[context] : scope;
        const seq = this.sequence(json, path, own);
        if (seq.kind !== 'sequence' || !context) return context ? seq : { kind: 'error', ...NO_SPAN };
        const only: OnlySequence = { kind: 'only', mode: func === 'sequence-prefix' ? 'after' : 'before', sequence: seq, ...NO_SPAN };
        if (own !== scope) only.scope = own;
        return only;
      }
      case 'sequence-and':
      case 'sequence-or': {
        const cps = this.array(json, 'checkpoints', path, 1);
        if (!cps) return { kind: 'error', ...NO_SPAN };
        const items = cps.map((p, i) => this.predicate(p, child(child(path, 'checkpoints'), i), scope));
        return { kind: 'logicGroup', mode: func === 'sequence-and' ? 'all' : 'any', items, ...NO_SPAN };
      }
      case 'event-exists':
      case 'not-event-exists': {
        const metric = this.eventRef(json, 'evt', path);
        if (!metric) return { kind: 'error', ...NO_SPAN };
        return this.condition({ kind: 'field', ...metric }, func === 'event-exists' ? 'exists' : 'notExists', [], false, 'repeating');
      }
      case 'exclude-next-checkpoint':
      case 'time-restriction':
      case 'container-restriction':
      case 'dimension-restriction':
        return this.error(funcPath, 'adobe-misplaced', `\`${func}\` belongs in the \`stream\` of a sequence, between checkpoints.`);
      case 'attr':
      case 'event':
      case 'total':
      case 'total-distinct':
        return this.error(funcPath, 'adobe-misplaced', `\`${func}\` is a value, not a predicate; it belongs in the \`val\` of a comparison.`);
      case 'segment':
        return this.error(funcPath, 'adobe-misplaced', 'A nested `segment` envelope; only the top of a definition is a `segment`.');
      case 'segment-def':
      case 'range':
        return this.error(funcPath, 'adobe-non-canonical', `\`${func}\` belongs to the non-canonical \`segment-def\` format, which the APIs do not accept; export the segment again as a \`segment\` definition.`);
    }
    const comparison = COMPARISONS[func];
    if (comparison) {
      return this.comparison(json, path, func, comparison);
    }
    if (func === 'calc-metric' || 'formula' in json) return this.error(funcPath, 'adobe-not-segment', CALC_METRIC_MESSAGE);
    if (FORMULA_FUNCS.has(func)) return this.error(funcPath, 'adobe-not-segment', `\`${func}\` is an operator of a calculated-metric formula, not of a segment; ${CALC_METRIC_ADVICE}`);
    const hint = closestMatches(func, ALL_FUNCS);
    return this.error(funcPath, 'adobe-unknown-func', `Unknown func \`${func}\`.${hint.length ? ` Did you mean \`${hint[0]}\`?` : ''}`);
  }

  private sequence(node: JsonObject, path: string, scope: Scope): Expr {
    const stream = this.array(node, 'stream', path, 1);
    if (!stream) return { kind: 'error', ...NO_SPAN };
    const streamPath = child(path, 'stream');
    const steps: SequenceStep[] = [];
    let pending: GapConstraint[] = [];
    let exclude = false;
    let pendingPath = '';
    stream.forEach((item, i) => {
      const at = child(streamPath, i);
      const func = isObject(item) ? item.func : undefined;
      if (func === 'exclude-next-checkpoint') {
        if (exclude) this.warn(at, 'adobe-misplaced', 'Two `exclude-next-checkpoint` in a row; one is enough.');
        exclude = true;
        pendingPath = at;
        return;
      }
      if (func === 'time-restriction' || func === 'container-restriction' || func === 'dimension-restriction') {
        const gap = this.restriction(item as JsonObject, at);
        if (gap) {
          if (steps.length === 0) this.error(at, 'adobe-misplaced', `A \`${func}\` before the first checkpoint has nothing to measure from.`);
          else pending.push(gap);
        }
        pendingPath = at;
        return;
      }
      const checkpoint = this.predicate(item, at, scope);
      steps.push({ exclude, constraints: steps.length === 0 ? [] : pending, checkpoint, ...NO_SPAN });
      pending = [];
      exclude = false;
    });
    if (exclude || pending.length) this.error(pendingPath, 'adobe-misplaced', `The stream ends with ${exclude ? '`exclude-next-checkpoint`' : 'a restriction'} and no checkpoint after it.`);
    if (!steps.length) return this.error(streamPath, 'adobe-missing-field', 'The stream has no checkpoint.');
    if (steps.every(s => s.exclude)) this.warn(streamPath, 'adobe-misplaced', 'Every checkpoint of this stream is excluded: it holds where none of them occurs in order (Adobe\'s segment builder may refuse it).');
    const seq: Sequence = { kind: 'sequence', steps, ...NO_SPAN };
    return seq;
  }

  private count(node: JsonObject, path: string): number | undefined {
    const at = child(path, 'count');
    if (!('count' in node)) {
      this.error(at, 'adobe-missing-field', `\`${String(node.func)}\` needs a \`count\`.`);
      return undefined;
    }
    const raw = node.count;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : NaN;
    if (typeof raw !== 'number' && typeof raw !== 'string') {
      this.error(at, 'adobe-wrong-type', `\`count\` must be a number or a numeric string, found ${typeName(raw)}.`);
      return undefined;
    }
    if (!Number.isFinite(n) || n < 0 || !Number.isInteger(n)) {
      this.error(at, 'adobe-bad-value', `\`count\` must be a whole number of 0 or more, found ${JSON.stringify(raw)}.`);
      return undefined;
    }
    return n;
  }

  private restriction(node: JsonObject, path: string): GapConstraint | undefined {
    const limitPath = child(path, 'limit');
    const limit = node.limit;
    let okLimit = true;
    if (limit === undefined) {
      this.error(limitPath, 'adobe-missing-field', `\`${String(node.func)}\` needs a \`limit\` (within or after).`);
      okLimit = false;
    } else if (limit !== 'within' && limit !== 'after') {
      this.error(limitPath, 'adobe-bad-value', `\`limit\` must be \`within\` or \`after\`, found ${typeName(limit)}.`);
      okLimit = false;
    }
    const count = this.count(node, path);
    let unit: GapUnit | undefined;
    if (node.func === 'time-restriction') {
      const u = node.unit;
      const at = child(path, 'unit');
      if (u === undefined) this.error(at, 'adobe-missing-field', '`time-restriction` needs a `unit` (minute, hour, day, week, month, quarter or year).');
      else if (typeof u === 'string' && (TIME_UNITS as readonly string[]).includes(u)) unit = { kind: 'time', unit: u as TimeUnit };
      else {
        const hint = typeof u === 'string' ? closestMatches(u, TIME_UNITS) : [];
        this.error(at, 'adobe-bad-value', `\`unit\` must be one of ${TIME_UNITS.join(', ')}, found ${typeName(u)}.${hint.length ? ` Did you mean \`${hint[0]}\`?` : ''}`);
      }
      // Adobe's builder writes `"container": "hits"`: the gap is measured on the hit timeline, the only one there is.
      if ('container' in node && node.container !== 'hits') {
        this.error(child(path, 'container'), 'adobe-bad-context', `\`container\` of a \`time-restriction\` can only be hits (time is measured between hits), found ${typeName(node.container)}; to count visits between checkpoints use a \`container-restriction\` with \`"container": "visits"\`.`);
        unit = undefined;
      }
    } else if (node.func === 'container-restriction') {
      const c = node.container;
      const at = child(path, 'container');
      if (c === undefined) this.error(at, 'adobe-missing-field', '`container-restriction` needs a `container` (hits or visits).');
      else if (c === 'hits') unit = { kind: 'event' };
      else if (c === 'visits') unit = { kind: 'session' };
      else this.error(at, 'adobe-bad-context', `\`container\` of a \`container-restriction\` must be hits (events) or visits (sessions), found ${typeName(c)}.`);
    } else {
      const at = child(path, 'attribute');
      if (!('attribute' in node)) this.error(at, 'adobe-missing-field', '`dimension-restriction` needs an `attribute` (an `attr`).');
      else {
        const a = node.attribute;
        if (!isObject(a) || a.func !== 'attr') this.error(isObject(a) ? child(at, 'func') : at, 'adobe-wrong-type', `\`attribute\` must be an \`attr\`, found ${isObject(a) ? `func ${JSON.stringify(a.func)}` : typeName(a)}.`);
        else {
          const dim = this.attrName(a, at);
          if (dim) unit = { kind: 'dimension', name: dim };
        }
      }
    }
    if (!okLimit || count === undefined || !unit) return undefined;
    return { limit: limit as 'within' | 'after', count, unit, ...NO_SPAN };
  }

  private condition(subject: Subject, op: Condition['op'], values: Literal[], caseInsensitive: boolean, attribution: Attribution, attributionScope?: 'session' | 'person'): Condition {
    const c: Condition = { kind: 'condition', subject, op, opSpan: NO_SPAN, values, caseInsensitive, attribution, ...NO_SPAN };
    if (attributionScope) c.attributionScope = attributionScope;
    return c;
  }

  private comparison(node: JsonObject, path: string, func: string, cmp: Comparison): Expr {
    const valPath = child(path, 'val');
    if (!('val' in node)) return this.error(valPath, 'adobe-missing-field', `\`${func}\` needs a \`val\` (an attr, total or total-distinct).`);
    const val = node.val;
    if (!isObject(val)) return this.error(valPath, 'adobe-wrong-type', `\`val\` must be an object (attr, total or total-distinct), found ${typeName(val)}.`);
    const vfunc = val.func;
    let subject: Subject | undefined;
    let attribution: Attribution = 'repeating';
    let attributionScope: 'session' | 'person' | undefined;
    if (vfunc === 'attr') {
      const dim = this.attrName(val, valPath);
      if (dim) subject = { kind: 'field', ...dim };
      const alloc = this.allocation(val, valPath);
      if (alloc) [attribution, attributionScope] = alloc;
    } else if (vfunc === 'total') {
      if (!cmp.numeric) return this.error(child(valPath, 'func'), 'adobe-wrong-type', `\`${func}\` compares text; a metric \`total\` is a number (use eq, gt, ge, lt, le).`);
      const metric = this.eventRef(val, 'evt', valPath);
      if (metric) subject = { kind: 'field', ...metric };
    } else if (vfunc === 'total-distinct') {
      if (!cmp.numeric) return this.error(child(valPath, 'func'), 'adobe-wrong-type', `\`${func}\` compares text; a \`total-distinct\` is a number (use eq, gt, ge, lt, le).`);
      const at = child(valPath, 'field');
      const f = val.field;
      if (f === undefined) this.error(at, 'adobe-missing-field', '`total-distinct` needs a `field` (an `attr`).');
      else if (!isObject(f) || f.func !== 'attr') this.error(isObject(f) ? child(at, 'func') : at, 'adobe-wrong-type', `\`field\` must be an \`attr\`, found ${isObject(f) ? `func ${JSON.stringify(f.func)}` : typeName(f)}.`);
      else {
        const dim = this.attrName(f, at);
        if (dim) subject = { kind: 'countDistinct', ...dim };
      }
    } else if (vfunc === undefined) {
      return this.error(child(valPath, 'func'), 'adobe-missing-field', '`val` has no `func` (attr, total or total-distinct).');
    } else {
      const hint = typeof vfunc === 'string' ? closestMatches(vfunc, ['attr', 'total', 'total-distinct']) : [];
      return this.error(child(valPath, 'func'), typeof vfunc === 'string' && ALL_FUNCS.includes(vfunc) ? 'adobe-wrong-type' : 'adobe-unknown-func', `\`val\` must be an attr, total or total-distinct, found func ${JSON.stringify(vfunc)}.${hint.length ? ` Did you mean \`${hint[0]}\`?` : ''}`);
    }
    if ((cmp.op === 'exists' || cmp.op === 'notExists') && vfunc !== 'attr') {
      return this.error(child(valPath, 'func'), 'adobe-wrong-type', `\`${func}\` tests a dimension (attr); for a metric use \`${cmp.op === 'exists' ? 'event-exists' : 'not-event-exists'}\`.`);
    }
    const values = this.values(node, path, func, cmp);
    if (!subject || !values) return { kind: 'error', ...NO_SPAN };
    const caseInsensitive = this.caseInsensitiveAA && AA_CASE_INSENSITIVE.has(cmp.op);
    return this.condition(subject, cmp.op, values, caseInsensitive, attribution, attributionScope);
  }

  private values(node: JsonObject, path: string, func: string, cmp: Comparison): Literal[] | undefined {
    if (cmp.field === 'none') return [];
    const key = cmp.field;
    const at = child(path, key);
    if (!(key in node)) {
      this.error(at, 'adobe-missing-field', `\`${func}\` needs \`${key}\`${key === 'list' ? ' (an array)' : key === 'num' ? ' (a number)' : ' (a string)'}.`);
      return undefined;
    }
    const raw = node[key];
    if (key === 'list') {
      if (!Array.isArray(raw)) {
        this.error(at, 'adobe-wrong-type', `\`list\` must be an array, found ${typeName(raw)}.`);
        return undefined;
      }
      if (!raw.length) {
        this.error(at, 'adobe-bad-value', `\`list\` of \`${func}\` is empty.`);
        return undefined;
      }
      const out: Literal[] = [];
      let ok = true;
      raw.forEach((item, i) => {
        const lit = cmp.numeric ? this.numberLiteral(item, child(at, i)) : this.stringLiteral(item, child(at, i));
        if (lit) out.push(lit);
        else ok = false;
      });
      return ok ? out : undefined;
    }
    const lit = key === 'num' ? this.numberLiteral(raw, at) : this.stringLiteral(raw, at);
    return lit ? [lit] : undefined;
  }

  private numberLiteral(v: Json, path: string): Literal | undefined {
    if (typeof v === 'number' && Number.isFinite(v)) return { kind: 'number', value: v, ...NO_SPAN };
    if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(v)) return { kind: 'number', value: Number(v), ...NO_SPAN };
    this.error(path, 'adobe-wrong-type', `Expected a number, found ${typeName(v)}.`);
    return undefined;
  }

  private stringLiteral(v: Json, path: string): Literal | undefined {
    if (typeof v === 'string') {
      this.placeholder(v, path, 'warning');
      return { kind: 'string', value: v, ...NO_SPAN };
    }
    this.error(path, 'adobe-wrong-type', `Expected a string, found ${typeName(v)}.`);
    return undefined;
  }

  private allocation(attr: JsonObject, path: string): [Attribution, 'session' | 'person' | undefined] | undefined {
    if (!('allocation-model' in attr)) return undefined;
    const at = child(path, 'allocation-model');
    const m = attr['allocation-model'];
    if (!isObject(m)) {
      this.error(at, 'adobe-wrong-type', `\`allocation-model\` must be an object, found ${typeName(m)}.`);
      return undefined;
    }
    const f = m.func;
    if (f === 'allocation-repeating') return ['repeating', undefined];
    if (f === 'allocation-instance') return ['instance', undefined];
    if (f === 'allocation-dedupedInstance') {
      const c = m.context;
      if (c === undefined) return ['nonRepeatingInstance', undefined];
      if (c === 'sessions' || c === 'visits') return ['nonRepeatingInstance', 'session'];
      if (c === 'visitors' || c === 'people') return ['nonRepeatingInstance', 'person'];
      this.error(child(at, 'context'), 'adobe-bad-context', `\`context\` of a non-repeating instance must be sessions or visitors, found ${typeName(c)}.`);
      return undefined;
    }
    this.error(child(at, 'func'), f === undefined ? 'adobe-missing-field' : 'adobe-unknown-func', `\`allocation-model\` must be allocation-instance or allocation-dedupedInstance, found ${typeName(f)}.`);
    return undefined;
  }

  private attrName(attr: JsonObject, path: string): Identifier | undefined {
    const name = this.idName(attr, path, 'attr');
    if (name === undefined) return undefined;
    const at = child(path, 'name');
    const dims = this.dataView.dimensions;
    const dim = dims.find(d => d.adobeId === name) ?? (name.startsWith('variables/') ? dims.find(d => d.name === name.slice(10) || d.field === name.slice(10)) : undefined);
    if (dim) return { name: dim.name, ...NO_SPAN };
    const metric = this.dataView.metrics.find(m => m.adobeId === name);
    if (metric) {
      this.error(at, 'adobe-wrong-type', `\`${name}\` is the metric \`${metric.name}\` of data view \`${this.dataView.id}\`; an \`attr\` names a dimension (use \`total\` with an \`event\` for a metric).`);
      return undefined;
    }
    this.unknownName(name, at, dims.map(d => d.adobeId), 'dimension');
    return undefined;
  }

  private eventRef(node: JsonObject, key: string, path: string): Identifier | undefined {
    const at = child(path, key);
    if (!(key in node)) {
      this.error(at, 'adobe-missing-field', `\`${String(node.func)}\` needs \`${key}\` (an \`event\`).`);
      return undefined;
    }
    const evt = node[key];
    if (!isObject(evt) || evt.func !== 'event') {
      this.error(isObject(evt) ? child(at, 'func') : at, 'adobe-wrong-type', `\`${key}\` must be an \`event\` (a metric), found ${isObject(evt) ? `func ${JSON.stringify(evt.func)}` : typeName(evt)}.`);
      return undefined;
    }
    const name = this.idName(evt, at, 'event');
    if (name === undefined) return undefined;
    const metrics = this.dataView.metrics;
    const metric = metrics.find(m => m.adobeId === name) ?? (name.startsWith('metrics/') ? metrics.find(m => m.name === name.slice(8) || m.field === name.slice(8)) : undefined);
    if (metric) return { name: metric.name, ...NO_SPAN };
    const dim = this.dataView.dimensions.find(d => d.adobeId === name);
    if (dim) {
      this.error(child(at, 'name'), 'adobe-wrong-type', `\`${name}\` is the dimension \`${dim.name}\` of data view \`${this.dataView.id}\`; an \`event\` names a metric.`);
      return undefined;
    }
    this.unknownName(name, child(at, 'name'), metrics.map(m => m.adobeId), 'metric');
    return undefined;
  }

  private placeholder(value: string, path: string, severity: 'error' | 'warning'): boolean {
    const m = PLACEHOLDER.exec(value);
    if (!m) return false;
    const message = `\`${m[0]}\` is a placeholder: this definition is a template or documentation fragment, not a saved segment. ${severity === 'error' ? 'Replace it with a real id' : 'Replace it with the value meant'}, or export the segment itself from Adobe (Segments API \`GET /segments/{id}?expansion=definition\`).`;
    if (severity === 'error') this.error(path, 'adobe-placeholder', message);
    else this.warn(path, 'adobe-placeholder', message);
    return true;
  }

  private idName(node: JsonObject, path: string, func: string): string | undefined {
    const at = child(path, 'name');
    if (!('name' in node)) {
      this.error(at, 'adobe-missing-field', `\`${func}\` needs a \`name\` (such as \`${func === 'attr' ? 'variables/page' : 'metrics/orders'}\`).`);
      return undefined;
    }
    if (typeof node.name !== 'string') {
      this.error(at, 'adobe-wrong-type', `\`name\` must be a string, found ${typeName(node.name)}.`);
      return undefined;
    }
    if (this.placeholder(node.name, at, 'error')) return undefined;
    return node.name;
  }

  private unknownName(name: string, path: string, known: string[], what: string): void {
    const hint = closestMatches(name, known);
    const tail = hint.length ? ` Did you mean \`${hint[0]}\`?` : known.length ? '' : ` The data view declares no ${what}s.`;
    this.error(path, 'adobe-unknown-name', `No ${what} of data view \`${this.dataView.id}\` has the Adobe id \`${name}\` (declare it with \`adobeId:\` in the data view).${tail}`);
  }
}
