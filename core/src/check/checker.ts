import type { Problem } from '../diagnostics';
import type { DataView } from '../dataview/model';
import type { FilterFile } from '../files/filterFile';
import { closestMatches } from '../names';
import type { Condition, Expr, Operator, Scope, Span } from '../rule/ast';
import { SCOPE_RANK } from '../rule/ast';
import { walkExpr } from '../rule/walk';
import type { DataViewChoice, Workspace } from '../workspace';
import { getPair } from '../yaml/yamlTree';

/** Product limits of Adobe filters (CJA / Adobe Analytics segments). */
export const LIMITS = { containers: 50, nestedContainers: 10, rules: 100, distinctFields: 25, listValues: 500, words: 100 };

const STRING_ONLY: ReadonlySet<Operator> = new Set<Operator>([
  'contains', 'notContains', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll',
  'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'matches', 'notMatches',
]);
const WORD_LISTS: ReadonlySet<Operator> = new Set<Operator>(['containsAny', 'containsAll', 'notContainsAny', 'notContainsAll']);

const HOW_TO_PICK = 'Add `dataview: <id>` to the filter, or set a default data view (the `audienceFilters.defaultDataView` setting; `--dataview <id>` for the CLI).';

/**
 * `filter-no-dataview`, on the first key of the file: the filter has no `dataview:` key and no
 * default applies, or the default names no data view of the workspace. A `dataview:` key that is
 * not text is the schema's to report.
 */
function noDataViewProblem(file: FilterFile, choice: DataViewChoice): Problem | undefined {
  const root = file.yaml.root;
  if (file.dataview || !root || root.kind !== 'map' || getPair(root, 'dataview')) return undefined;
  let message: string;
  if (choice.source === 'default' && !choice.file) message = `The filter has no \`dataview:\` key and the default data view \`${choice.id}\` is not in the workspace.`;
  else if (choice.source !== 'none') return undefined;
  else if (choice.known.length === 0) message = 'The filter has no `dataview:` key and the workspace has no data view (*.dataview.yaml).';
  else message = `The filter has no \`dataview:\` key and the workspace has ${choice.known.length} data views: ${choice.known.map(id => `\`${id}\``).join(', ')}.`;
  const first = root.pairs[0]?.key;
  return {
    start: first?.start ?? 0,
    end: first?.end ?? 0,
    severity: 'error',
    code: 'filter-no-dataview',
    message: `${message} ${choice.source === 'default' ? 'Name an existing data view in `dataview:` or in the `audienceFilters.defaultDataView` setting.' : HOW_TO_PICK}`,
  };
}

/** Cross-file and semantic checks of one filter: data view, names, types, scopes, references, limits. */
export function checkFilter(file: FilterFile, workspace: Workspace): Problem[] {
  const problems: Problem[] = [...workspace.duplicateIdProblems(file, workspace.filters(), 'filter')];
  const choice = workspace.dataViewChoice(file);
  const dataView: DataView | undefined = choice.source === 'none' ? undefined : choice.file?.dataView;
  if (choice.source === 'key' && !choice.file && file.dataview) {
    const known = workspace.dataViews().flatMap(d => (d.id ? [d.id.value] : []));
    const suggestions = closestMatches(file.dataview.value, known);
    const hint = suggestions.length ? ` Did you mean \`${suggestions[0]}\`?` : known.length ? ` Known data views: ${known.join(', ')}.` : ' No *.dataview.yaml file was found in the workspace.';
    problems.push({ start: file.dataview.start, end: file.dataview.end, severity: 'error', code: 'filter-unknown-dataview', message: `Unknown data view \`${file.dataview.value}\`.${hint}`, data: suggestions.length ? { replacements: suggestions } : undefined });
  }
  const noDataView = noDataViewProblem(file, choice);
  if (noDataView) problems.push(noDataView);
  if (file.rule?.root && file.ruleSource) {
    const source = file.ruleSource;
    const at = (span: Span) => ({ start: source.toFile(span.start), end: Math.max(source.toFile(span.start), source.toFile(span.end)) });
    new RuleChecker(file, workspace, dataView, problems, at).run(file.rule.root);
  }
  return problems;
}

class RuleChecker {
  private containers = 0;
  private rules = 0;
  private readonly fields = new Set<string>();

  /** What each name of the data view is, looked up once per check. */
  private readonly kinds = new Map<string, { kind: 'dimension' | 'metric'; numeric: boolean }>();

  constructor(
    private readonly file: FilterFile,
    private readonly workspace: Workspace,
    private readonly dataView: DataView | undefined,
    private readonly problems: Problem[],
    private readonly at: (span: Span) => { start: number; end: number },
  ) {
    for (const m of dataView?.metrics ?? []) this.kinds.set(m.name, { kind: 'metric', numeric: true });
    for (const d of dataView?.dimensions ?? []) this.kinds.set(d.name, { kind: 'dimension', numeric: d.type === 'number' });
  }

  run(root: Expr): void {
    this.visit(root, undefined, 0);
    this.checkReferenceCycle(root);
    const limit = (count: number, max: number, what: string, code: string) => {
      if (count > max) this.report(root, 'warning', code, `This filter has ${count} ${what}; Adobe filters allow at most ${max}.`);
    };
    limit(this.containers, LIMITS.containers, 'containers', 'limit-containers');
    limit(this.rules, LIMITS.rules, 'rules', 'limit-rules');
    limit(this.fields.size, LIMITS.distinctFields, 'distinct dimensions and metrics', 'limit-distinct-fields');
  }

  private report(span: Span, severity: Problem['severity'], code: string, message: string, replacements?: string[]): void {
    const { start, end } = this.at(span);
    this.problems.push({ start, end, severity, code, message, data: replacements?.length ? { replacements } : undefined });
  }

  private visit(e: Expr, scope: Scope | undefined, depth: number): void {
    switch (e.kind) {
      case 'container': {
        this.containers++;
        if (depth === LIMITS.nestedContainers) this.report(e.scopeSpan, 'warning', 'limit-nested-containers', `Containers are nested ${depth + 1} deep; Adobe filters allow at most ${LIMITS.nestedContainers}.`);
        if (scope && SCOPE_RANK[e.scope] > SCOPE_RANK[scope]) {
          this.report(e.scopeSpan, 'error', 'rule-container-scope', `A ${e.scope} container cannot sit inside ${scope === 'event' ? 'an' : 'a'} ${scope} container: nested containers must be of a smaller scope (person > session > event).`);
        }
        if (e.scope === 'event') this.checkContradictions(e.body);
        this.visit(e.body, e.scope, depth + 1);
        return;
      }
      case 'and':
      case 'or':
      case 'logicGroup':
        for (const item of e.items) this.visit(item, scope, depth);
        return;
      case 'not':
        this.visit(e.operand, scope, depth);
        return;
      case 'sequence':
        for (const step of e.steps) {
          for (const c of step.constraints) if (c.unit.kind === 'dimension') this.checkName(c.unit.name, 'dimension');
          this.visit(step.checkpoint, scope, depth);
        }
        return;
      case 'only':
        // `per <scope>`: the checkpoints are evaluated in units of that scope.
        this.visit(e.sequence, e.scope ?? scope, depth);
        return;
      case 'condition':
        this.rules++;
        this.checkCondition(e);
        return;
      case 'filterRef': {
        const target = this.workspace.filterById(e.id.name);
        if (!target) {
          const known = this.workspace.filters().flatMap(f => (f.id ? [f.id.value] : []));
          const suggestions = closestMatches(e.id.name, known);
          this.report(e.id, 'error', 'rule-unknown-filter', `Unknown filter \`${e.id.name}\`.${suggestions.length ? ` Did you mean \`${suggestions[0]}\`?` : ''}`, suggestions);
        } else if (this.workspace.dataViewIdOf(target) !== this.workspace.dataViewIdOf(this.file)) {
          this.report(e.id, 'warning', 'rule-filter-dataview', `Filter \`${e.id.name}\` is written against data view \`${this.workspace.dataViewIdOf(target)}\`, this one against \`${this.workspace.dataViewIdOf(this.file)}\`.`);
        }
        return;
      }
      case 'error':
        return;
    }
  }

  /** Checks a name against the data view; returns what it is. */
  private checkName(id: { name: string } & Span, expected: 'dimension' | 'any'): 'dimension' | 'metric' | undefined {
    if (!this.dataView) return undefined;
    this.fields.add(id.name);
    const known = this.kinds.get(id.name);
    if (known?.kind === 'dimension') return 'dimension';
    if (known?.kind === 'metric') {
      if (expected === 'dimension') this.report(id, 'error', 'rule-metric-as-dimension', `\`${id.name}\` is a metric; this needs a dimension.`);
      return 'metric';
    }
    const names = expected === 'dimension' ? this.dataView.dimensions.map(d => d.name) : [...this.dataView.dimensions.map(d => d.name), ...this.dataView.metrics.map(m => m.name)];
    const suggestions = closestMatches(id.name, names);
    this.report(id, 'error', 'rule-unknown-field', `Unknown ${expected === 'dimension' ? 'dimension' : 'dimension or metric'} \`${id.name}\` in data view \`${this.dataView.id}\`.${suggestions.length ? ` Did you mean \`${suggestions[0]}\`?` : ''}`, suggestions);
    return undefined;
  }

  private checkCondition(c: Condition): void {
    const kind = this.checkName(c.subject, c.subject.kind === 'countDistinct' ? 'dimension' : 'any');
    for (const v of c.values) if (v.kind === 'string' && v.value.length > 2 * LIMITS.words && wordCount(v.value) > LIMITS.words) this.report(v, 'warning', 'limit-words', `This value has more than ${LIMITS.words} words.`);
    if (c.values.length > LIMITS.listValues) this.report(c.opSpan, 'warning', 'limit-list-values', `This list has ${c.values.length} values; Adobe filters allow at most ${LIMITS.listValues}.`);
    if (WORD_LISTS.has(c.op) && c.values.length > LIMITS.words) this.report(c.opSpan, 'warning', 'limit-words', `This list has ${c.values.length} words; Adobe filters allow at most ${LIMITS.words}.`);
    if (!kind || !this.dataView) return;
    const numeric = c.subject.kind === 'countDistinct' || kind === 'metric' || this.kinds.get(c.subject.name)?.numeric === true;
    if (numeric && STRING_ONLY.has(c.op)) {
      const what = kind === 'metric' ? `metric \`${c.subject.name}\`` : c.subject.kind === 'countDistinct' ? 'a distinct count' : `number dimension \`${c.subject.name}\``;
      this.report(c.opSpan, 'error', 'rule-type-mismatch', `\`${opText(c.op)}\` compares text, but ${what} is a number. Use =, !=, <, <=, >, >=, in or between.`);
      return;
    }
    if (kind === 'metric' && c.attribution !== 'repeating') this.report(c.opSpan, 'error', 'rule-type-mismatch', `Attribution applies to dimensions; \`${c.subject.name}\` is a metric.`);
    for (const v of c.values) {
      if (numeric && v.kind === 'string') this.report(v, 'error', 'rule-type-mismatch', `\`${c.subject.name}\` is a number; compare it with a number, not text.`);
      if (!numeric && v.kind === 'number' && (c.op === 'eq' || c.op === 'ne' || c.op === 'in' || c.op === 'notIn')) {
        this.report(v, 'error', 'rule-type-mismatch', `\`${c.subject.name}\` is text; quote the value: "${v.value}".`, [`"${v.value}"`]);
      }
    }
    if (c.op === 'between' && c.values.length === 2 && c.values[0].kind === 'number' && c.values[1].kind === 'number' && c.values[0].value > c.values[1].value) {
      this.report(c, 'error', 'rule-contradiction', `\`between ${c.values[0].value} and ${c.values[1].value}\` can never hold: the lower bound is above the upper bound.`);
    }
  }

  /** In an event container, `a = "x" and a = "y"` must hold on one event, so it never can. */
  private checkContradictions(body: Expr): void {
    if (body.kind !== 'and') return;
    const equalities = new Map<string, Condition>();
    for (const item of body.items) {
      if (item.kind !== 'condition' || item.op !== 'eq' || item.subject.kind !== 'field' || item.values.length !== 1 || item.caseInsensitive) continue;
      if (this.kinds.get(item.subject.name)?.kind === 'metric') continue;
      const prior = equalities.get(item.subject.name);
      if (prior && prior.values[0].value !== item.values[0].value) {
        this.report(item, 'error', 'rule-contradiction', `\`${item.subject.name}\` cannot equal both ${JSON.stringify(prior.values[0].value)} and ${JSON.stringify(item.values[0].value)} on one event. Use \`or\`, or a session/person container for two different events.`);
      } else {
        equalities.set(item.subject.name, item);
      }
    }
  }

  private checkReferenceCycle(root: Expr): void {
    const self = this.file.id?.value;
    if (!self) return;
    // Depth-first over filter references; a path back to this filter is a cycle.
    const visiting = new Set<string>();
    const findCycle = (expr: Expr | null | undefined, pathIds: string[]): string[] | undefined => {
      for (const ref of referencedFilterIds(expr)) {
        if (ref === self) return [...pathIds, ref];
        if (visiting.has(ref)) continue;
        visiting.add(ref);
        const target = this.workspace.filterById(ref);
        const found = findCycle(target?.rule?.root, [...pathIds, ref]);
        if (found) return found;
      }
      return undefined;
    };
    for (const ref of collectRefNodes(root)) {
      visiting.clear();
      visiting.add(ref.id.name);
      const cycle = ref.id.name === self ? [self] : findCycle(this.workspace.filterById(ref.id.name)?.rule?.root, [ref.id.name]);
      if (cycle) {
        this.report(ref.id, 'error', 'rule-reference-cycle', `Filter references form a cycle: ${[self, ...cycle].join(' → ')}.`);
      }
    }
  }
}

type FilterRefNode = Extract<Expr, { kind: 'filterRef' }>;

function collectRefNodes(e: Expr | null | undefined): FilterRefNode[] {
  const out: FilterRefNode[] = [];
  if (e) walkExpr(e, node => { if (node.kind === 'filterRef') out.push(node); });
  return out;
}

const referencesOf = new WeakMap<Expr, string[]>();

/** Ids of the filters a rule references (`filter <id>`), in source order; cached per parsed rule. */
export function referencedFilterIds(e: Expr | null | undefined): string[] {
  if (!e) return [];
  let ids = referencesOf.get(e);
  if (!ids) {
    ids = collectRefNodes(e).map(r => r.id.name);
    referencesOf.set(e, ids);
  }
  return ids;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function opText(op: Operator): string {
  const words: Record<Operator, string> = {
    eq: '=', ne: '!=', in: 'in', notIn: 'not in', contains: 'contains', notContains: 'not contains', containsAny: 'contains any of',
    containsAll: 'contains all of', notContainsAny: 'not contains any of', notContainsAll: 'not contains all of', startsWith: 'starts with',
    notStartsWith: 'not starts with', endsWith: 'ends with', notEndsWith: 'not ends with', matches: 'matches', notMatches: 'not matches',
    exists: 'exists', notExists: 'not exists', lt: '<', gt: '>', le: '<=', ge: '>=', between: 'between',
  };
  return words[op];
}
