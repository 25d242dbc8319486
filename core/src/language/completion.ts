/**
 * Completion in filter and data view files: YAML keys and values from the JSON Schemas, and in
 * rules what can follow the cursor (keywords, operators for the field's type, dimension and metric
 * names, units, filter ids, sample values). The rule context comes from the tokens before the
 * cursor, so completion works in the half-typed rules where it is needed most.
 */
import * as path from 'path';
import type { DataView } from '../dataview/model';
import type { DataViewFile } from '../files/dataviewFile';
import type { FilterFile } from '../files/filterFile';
import type { SchemaName } from '../files/schemaCheck';
import type { Operator } from '../rule/ast';
import { quoteString } from '../rule/lexer';
import type { Token } from '../rule/lexer';
import { OPERATOR_TEXT, formatNumber } from '../rule/printer';
import type { Workspace, WorkspaceFile } from '../workspace';
import { getPair } from '../yaml/yamlTree';
import type { YNode } from '../yaml/yamlTree';
import { ruleOffsetOf, ruleTokens } from './locate';
import { KEYWORD_DOCS, OPERATOR_DOCS, UNITS } from './ruleDocs';
import { enumAt, propertiesAt } from './schemaInfo';
import { NO_SAMPLE_VALUES } from './sampleValues';
import type { SampleValues } from './sampleValues';

export type CompletionKind = 'key' | 'value' | 'keyword' | 'operator' | 'dimension' | 'metric' | 'unit' | 'filter' | 'dataview';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Replaces the file range [start, end). May span lines, already indented. */
  insertText: string;
  /** `insertText` is a snippet (`$0` marks the cursor). */
  snippet?: boolean;
  start: number;
  end: number;
  sortText?: string;
}

export interface CompletionOptions {
  /** Indentation width of the editor (nested YAML insertions use it). */
  tabSize: number;
  samples?: SampleValues;
}

export function complete(workspace: Workspace, file: WorkspaceFile, offset: number, options: CompletionOptions): CompletionEntry[] {
  if (file.kind === 'filter') {
    const ruleOffset = ruleCompletionOffset(file, offset);
    if (ruleOffset >= 0) return new RuleCompletion(workspace, file, offset, ruleOffset, options).entries();
    return yamlCompletion(workspace, file, offset, 'filter', options);
  }
  if (file.kind === 'dataview') return yamlCompletion(workspace, file, offset, 'dataview', options);
  return [];
}

/** The rule offset for completion: inside the rule, or on a blank indented line right after it. */
export function ruleCompletionOffset(file: FilterFile, offset: number): number {
  const source = file.ruleSource;
  if (!source) return -1;
  const inside = ruleOffsetOf(file, offset);
  if (inside >= 0) return inside;
  if (source.scalar.style !== 'literal') return -1;
  const text = file.text;
  const headerEnd = text.indexOf('\n', source.scalar.start);
  if (headerEnd < 0 || offset <= headerEnd) return -1;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const indent = text.slice(lineStart, offset);
  const from = Math.max(source.scalar.end, headerEnd);
  if (offset < from || text.slice(from, offset).trim() !== '' || !/^ +$/.test(indent)) return -1;
  const blockIndent = source.text ? source.scalar.block?.indent ?? 1 : 1;
  return indent.length >= blockIndent ? source.text.length : -1;
}

// ---- YAML ---------------------------------------------------------------------------------------

const KEY_LINE = /^( *)([A-Za-z_][\w-]*)?$/;
const VALUE_LINE = /^( *)(?:- +)?([A-Za-z_][\w-]*): *([^\s#]*)$/;

function yamlCompletion(workspace: Workspace, file: FilterFile | DataViewFile, offset: number, schema: SchemaName, options: CompletionOptions): CompletionEntry[] {
  const text = file.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const unit = Math.max(1, options.tabSize || 2);
  const key = KEY_LINE.exec(before);
  if (key) {
    const indent = key[1].length;
    const parent = parentPath(text, lineStart, indent);
    if (!parent) return [];
    const start = offset - (key[2]?.length ?? 0);
    const present = new Set(mapAt(file.yaml.root, parent)?.pairs.map(p => String(p.key.value)) ?? []);
    return propertiesAt(schema, parent)
      .filter(p => !present.has(p.key) || p.key === key[2])
      .map((p, i) => ({
        label: p.key,
        kind: 'key' as const,
        detail: p.required ? 'required' : undefined,
        documentation: p.description,
        insertText: keyInsertText(p.key, p.schema, schema, parent, indent, unit),
        snippet: true,
        start,
        end: offset,
        sortText: `${p.required ? 0 : 1}${String(i).padStart(2, '0')}`,
      }));
  }
  const value = VALUE_LINE.exec(before);
  if (!value) return [];
  const parent = parentPath(text, lineStart, value[1].length);
  if (!parent) return [];
  const keyPath = [...parent, value[2]];
  const start = offset - value[3].length;
  const make = (label: string, kind: CompletionKind, detail?: string, documentation?: string): CompletionEntry => ({ label, kind, detail, documentation, insertText: label, start, end: offset });
  const out = enumAt(schema, keyPath).map(v => make(v, 'value'));
  if (schema === 'filter' && keyPath.length === 1) {
    if (value[2] === 'dataview') {
      for (const dv of workspace.dataViews()) if (dv.id) out.push(make(dv.id.value, 'dataview', dv.dataView?.title, path.basename(dv.uri)));
    } else if (value[2] === 'filter') {
      const id = path.basename(file.uri).replace(/\.filter\.ya?ml$/i, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
      if (id) out.push(make(id, 'value', 'from the file name'));
    } else if (value[2] === 'period') {
      for (const p of ['last 30 days', 'last 7 days', 'last 90 days', 'last 3 months']) out.push(make(p, 'value'));
    }
  }
  if (schema === 'filter' && keyPath.join('.') === 'audience.lookback') for (const p of ['30 days', '90 days']) out.push(make(p, 'value'));
  return out;
}

/** The key path of the mapping a line at `indent` belongs to, from the lines above it. */
function parentPath(text: string, lineStart: number, indent: number): string[] | undefined {
  const path: string[] = [];
  let want = indent;
  let end = lineStart - 1;
  while (want > 0 && end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).replace(/\r$/, '');
    end = start - 1;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const lineIndent = line.length - line.trimStart().length;
    if (lineIndent >= want) continue;
    const m = /^ *([A-Za-z_][\w-]*): *(#.*)?$/.exec(line);
    if (!m) return undefined;
    path.unshift(m[1]);
    want = lineIndent;
  }
  return want === 0 ? path : undefined;
}

function mapAt(root: YNode | null, keys: string[]) {
  let node: YNode | null | undefined = root;
  for (const k of keys) node = getPair(node, k)?.value;
  return node && node.kind === 'map' ? node : undefined;
}

function keyInsertText(key: string, schemaNode: Record<string, unknown>, schema: SchemaName, parent: string[], indent: number, unit: number): string {
  const child = ' '.repeat(indent + unit);
  if (schema === 'filter' && parent.length === 0 && key === 'rule') return `rule: |\n${child}person where $0`;
  if (schema === 'filter' && parent.length === 0 && key === 'period') return 'period: ${1:last 30 days}';
  if (schemaNode.type === 'object' || schemaNode.properties) {
    const required = (schemaNode.required as string[] | undefined) ?? [];
    return `${key}:\n${child}${required.length ? `${required[0]}: $0` : '$0'}`;
  }
  if (schemaNode.type === 'array') return `${key}: [$0]`;
  return `${key}: $0`;
}

// ---- rules --------------------------------------------------------------------------------------

type State =
  | { s: 'start' }
  | { s: 'expr'; afterThen: boolean }
  | { s: 'scope' }
  | { s: 'filterId' }
  | { s: 'distinct' }
  | { s: 'distinctField' }
  | { s: 'op'; field: string; count: boolean }
  | { s: 'negOp'; field: string; count: boolean }
  | { s: 'contains'; field: string }
  | { s: 'containsOf'; field: string }
  | { s: 'with'; field: string }
  | { s: 'value'; field: string }
  | { s: 'listOpen'; field: string }
  | { s: 'listValue'; field: string }
  | { s: 'listSep'; field: string }
  | { s: 'betweenLow'; field: string }
  | { s: 'betweenAnd'; field: string }
  | { s: 'betweenHigh'; field: string }
  | { s: 'afterCondition'; field: string }
  | { s: 'afterOperand' }
  | { s: 'ignoring'; field: string }
  | { s: 'attribution'; field: string }
  | { s: 'gapCount' }
  | { s: 'gapUnit'; count: number }
  | { s: 'gapOf' }
  | { s: 'gapDimension' }
  | { s: 'groupOf' }
  | { s: 'groupOpen'; closer: string }
  | { s: 'onlyMode' }
  | { s: 'unknown' };

const SCOPE_WORDS = new Set(['person', 'session', 'event']);
const COMPARISONS = new Set(['=', '==', '!=', '<', '>', '<=', '>=']);

/** Where the rule text before the cursor leaves the grammar. */
export function ruleStateAt(tokens: Token[], until: number): State {
  let state: State = { s: 'start' };
  const groups: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'eof' || t.end > until) break;
    state = step(state, t, groups);
  }
  return state;
}

function step(state: State, t: Token, groups: string[]): State {
  const w = t.kind === 'word' ? t.text : undefined;
  const p = t.kind === 'punct' ? t.text : undefined;
  const isValue = t.kind === 'string' || t.kind === 'number';
  switch (state.s) {
    case 'start':
    case 'expr':
      if (state.s === 'expr' && state.afterThen && (w === 'within' || w === 'after')) return { s: 'gapCount' };
      if (w === 'not' || w === 'exclude') return { s: 'expr', afterThen: false };
      if (p === '(') {
        groups.push('paren');
        return { s: 'expr', afterThen: false };
      }
      if (w && SCOPE_WORDS.has(w)) return { s: 'scope' };
      if (w === 'filter') return { s: 'filterId' };
      if (w === 'count') return { s: 'distinct' };
      if (w === 'all' || w === 'any') return { s: 'groupOf' };
      if (w === 'only') return { s: 'onlyMode' };
      if (w === 'where') return { s: 'expr', afterThen: false };
      if (w) return { s: 'op', field: w, count: false };
      return { s: 'unknown' };
    case 'scope':
      return w === 'where' ? { s: 'expr', afterThen: false } : { s: 'unknown' };
    case 'filterId':
      return w || t.kind === 'number' ? { s: 'afterOperand' } : { s: 'unknown' };
    case 'distinct':
      return w === 'distinct' ? { s: 'distinctField' } : { s: 'unknown' };
    case 'distinctField':
      return w ? { s: 'op', field: w, count: true } : { s: 'unknown' };
    case 'op':
    case 'negOp': {
      const field = state.field;
      if (state.s === 'op' && p && COMPARISONS.has(p)) return { s: 'value', field };
      if (state.s === 'op' && w === 'between') return { s: 'betweenLow', field };
      if (state.s === 'op' && w === 'not') return { s: 'negOp', field, count: state.count };
      if (w === 'in') return { s: 'listOpen', field };
      if (w === 'contains') return { s: 'contains', field };
      if (w === 'starts' || w === 'ends') return { s: 'with', field };
      if (w === 'matches') return { s: 'value', field };
      if (w === 'exists') return { s: 'afterCondition', field };
      return { s: 'unknown' };
    }
    case 'contains':
      if (w === 'any' || w === 'all') return { s: 'containsOf', field: state.field };
      return isValue ? { s: 'afterCondition', field: state.field } : { s: 'unknown' };
    case 'containsOf':
      return w === 'of' ? { s: 'listOpen', field: state.field } : { s: 'unknown' };
    case 'with':
      return w === 'with' ? { s: 'value', field: state.field } : { s: 'unknown' };
    case 'value':
      return isValue ? { s: 'afterCondition', field: state.field } : { s: 'unknown' };
    case 'listOpen':
      if (p === '(') {
        groups.push('list');
        return { s: 'listValue', field: state.field };
      }
      return { s: 'unknown' };
    case 'listValue':
      return isValue ? { s: 'listSep', field: state.field } : { s: 'unknown' };
    case 'listSep':
      if (p === ',') return { s: 'listValue', field: state.field };
      if (p === ')') {
        groups.pop();
        return { s: 'afterCondition', field: state.field };
      }
      return { s: 'unknown' };
    case 'betweenLow':
      return isValue ? { s: 'betweenAnd', field: state.field } : { s: 'unknown' };
    case 'betweenAnd':
      return w === 'and' ? { s: 'betweenHigh', field: state.field } : { s: 'unknown' };
    case 'betweenHigh':
      return isValue ? { s: 'afterCondition', field: state.field } : { s: 'unknown' };
    case 'ignoring':
      return w === 'case' ? { s: 'afterCondition', field: state.field } : { s: 'unknown' };
    case 'attribution':
      return p === ']' ? { s: 'afterCondition', field: state.field } : state;
    case 'afterCondition':
      if (w === 'ignoring') return { s: 'ignoring', field: state.field };
      if (p === '[') return { s: 'attribution', field: state.field };
      return afterOperand(t, groups);
    case 'afterOperand':
      return afterOperand(t, groups);
    case 'gapCount':
      return t.kind === 'number' ? { s: 'gapUnit', count: Number(t.value) } : { s: 'unknown' };
    case 'gapUnit':
      if (w === 'instance' || w === 'instances') return { s: 'gapOf' };
      return w ? { s: 'expr', afterThen: true } : { s: 'unknown' };
    case 'gapOf':
      return w === 'of' ? { s: 'gapDimension' } : { s: 'unknown' };
    case 'gapDimension':
      return w ? { s: 'expr', afterThen: true } : { s: 'unknown' };
    case 'groupOf':
      return w === 'of' ? { s: 'groupOpen', closer: 'group' } : { s: 'unknown' };
    case 'onlyMode':
      return w === 'before' || w === 'after' ? { s: 'groupOpen', closer: 'paren' } : { s: 'unknown' };
    case 'groupOpen':
      if (p === '(') {
        groups.push(state.closer);
        return { s: 'expr', afterThen: false };
      }
      return { s: 'unknown' };
    case 'unknown':
      // Resynchronise where the parser does: on the chain operators.
      if (w === 'and' || w === 'or') return { s: 'expr', afterThen: false };
      if (w === 'then') return { s: 'expr', afterThen: true };
      if (w === 'where') return { s: 'expr', afterThen: false };
      return state;
  }
}

function afterOperand(t: Token, groups: string[]): State {
  const w = t.kind === 'word' ? t.text : undefined;
  if (w === 'and' || w === 'or') return { s: 'expr', afterThen: false };
  if (w === 'then') return { s: 'expr', afterThen: true };
  if (t.kind === 'punct' && t.text === ')') {
    groups.pop();
    return { s: 'afterOperand' };
  }
  if (t.kind === 'punct' && t.text === ',' && groups[groups.length - 1] === 'group') return { s: 'expr', afterThen: false };
  // A new operand without an operator (the parser reports it): read it as one.
  return step({ s: 'expr', afterThen: false }, t, groups);
}

const STRING_OPERATORS: Operator[] = ['eq', 'ne', 'in', 'notIn', 'contains', 'notContains', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll', 'startsWith', 'notStartsWith', 'endsWith', 'notEndsWith', 'matches', 'notMatches', 'exists', 'notExists'];
const NUMBER_DIMENSION_OPERATORS: Operator[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'between', 'in', 'notIn', 'exists', 'notExists'];
const METRIC_OPERATORS: Operator[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'between', 'exists', 'notExists'];
const COUNT_OPERATORS: Operator[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'between'];
const LIST_OPERATORS = new Set<Operator>(['in', 'notIn', 'containsAny', 'containsAll', 'notContainsAny', 'notContainsAll']);

class RuleCompletion {
  private readonly dataView: DataView | undefined;
  private readonly tokens: Token[];
  private readonly prefix: Token | undefined;
  private readonly start: number;

  constructor(
    private readonly workspace: Workspace,
    private readonly file: FilterFile,
    private readonly offset: number,
    private readonly ruleOffset: number,
    private readonly options: CompletionOptions,
  ) {
    this.dataView = workspace.dataViewFor(file)?.dataView;
    this.tokens = ruleTokens(file);
    this.prefix = this.tokens.find(t => t.kind !== 'eof' && t.kind !== 'punct' && t.start < ruleOffset && ruleOffset <= t.end);
    this.start = this.prefix ? file.ruleSource!.toFile(this.prefix.start) : offset;
  }

  entries(): CompletionEntry[] {
    const state = ruleStateAt(this.tokens, this.prefix ? this.prefix.start : this.ruleOffset);
    switch (state.s) {
      case 'start':
        return this.containers();
      case 'expr':
        return [
          ...(state.afterThen ? [this.keyword('within ', 'within'), this.keyword('after ', 'after'), this.keyword('exclude ', 'exclude')] : []),
          ...this.fields(),
          ...this.containers(),
          this.keyword('not ', 'not'),
          this.keyword('exclude ', 'exclude'),
          this.keyword('filter ', 'filter'),
          this.keyword('count distinct ', 'count'),
          this.keyword('all of ($0)', 'all', true),
          this.keyword('any of ($0)', 'any', true),
          this.keyword('only before ($0)', 'only', true),
          this.keyword('only after ($0)', 'only', true),
        ].filter(uniqueLabel());
      case 'scope':
        return [this.keyword('where ', 'where')];
      case 'filterId':
        return this.filterIds();
      case 'distinct':
        return [this.keyword('distinct ', 'distinct')];
      case 'distinctField':
      case 'gapDimension':
        return this.fields('dimension');
      case 'op':
        return this.operators(state.field, state.count, false);
      case 'negOp':
        return this.operators(state.field, state.count, true);
      case 'contains':
        return [...this.values(state.field), this.keyword('any of ($0)', 'any', true), this.keyword('all of ($0)', 'all', true)];
      case 'containsOf':
        return [this.keyword('of ($0)', 'of', true)];
      case 'with':
        return [this.keyword('with ', 'with')];
      case 'value':
      case 'listValue':
      case 'betweenLow':
      case 'betweenHigh':
        return this.values(state.field);
      case 'betweenAnd':
        return [this.keyword('and ', 'and')];
      case 'afterCondition': {
        const out = this.chainOperators();
        if (this.typeOf(state.field) === 'string') {
          out.push(this.keyword('ignoring case', 'ignoring'));
          for (const a of ['[instance]', '[non-repeating instance]', '[non-repeating instance per person]']) out.push(this.keyword(a, a.startsWith('[instance') ? 'instance' : 'non-repeating'));
        }
        return out;
      }
      case 'afterOperand':
        return this.chainOperators();
      case 'ignoring':
        return [this.keyword('case', 'case')];
      case 'gapUnit':
        return this.units(state.count);
      case 'groupOf':
        return [this.keyword('of ($0)', 'of', true)];
      case 'onlyMode':
        return [this.keyword('before ($0)', 'before', true), this.keyword('after ($0)', 'only', true)];
      default:
        return [];
    }
  }

  /** No entry inserts a trailing space: the user types it (a space triggers the next completion), so `channel ` + ` =` never doubles it. */
  private entry(label: string, kind: CompletionKind, insertText: string, extra: Partial<CompletionEntry> = {}): CompletionEntry {
    return { label, kind, insertText: insertText.replace(/ +$/, ''), start: this.start, end: this.offset, ...extra };
  }

  private keyword(text: string, doc: string, snippet = false): CompletionEntry {
    const label = text.replace(/ \(\$0\)$/, '').trimEnd();
    return this.entry(label, 'keyword', text, { documentation: KEYWORD_DOCS[doc], snippet: snippet || undefined, sortText: `2${label}` });
  }

  private containers(): CompletionEntry[] {
    return ['person', 'session', 'event'].map((s, i) => this.entry(`${s} where`, 'keyword', `${s} where `, { documentation: KEYWORD_DOCS[s], sortText: `1${i}` }));
  }

  private chainOperators(): CompletionEntry[] {
    return [this.keyword('and ', 'and'), this.keyword('or ', 'or'), this.keyword('then ', 'then')];
  }

  private fields(only?: 'dimension'): CompletionEntry[] {
    const dv = this.dataView;
    if (!dv) return [];
    const out = dv.dimensions.map(d => this.entry(d.name, 'dimension', d.name + ' ', { detail: `${d.type} dimension`, documentation: fieldDoc(d.description, d.field, d.name), sortText: `0${d.name}` }));
    if (only !== 'dimension') out.push(...dv.metrics.map(m => this.entry(m.name, 'metric', m.name + ' ', { detail: 'metric', documentation: fieldDoc(m.description, m.field, m.name), sortText: `0${m.name}` })));
    return out;
  }

  private filterIds(): CompletionEntry[] {
    const self = this.file.id?.value;
    const seen = new Set<string>();
    const out: CompletionEntry[] = [];
    for (const f of this.workspace.filters().sort((a, b) => a.uri.localeCompare(b.uri))) {
      const id = f.id?.value;
      if (!id || id === self || seen.has(id)) continue;
      seen.add(id);
      const dataView = this.workspace.dataViewIdOf(f);
      out.push(this.entry(id, 'filter', id, { detail: f.title, documentation: [f.description, dataView ? `Data view \`${dataView}\`` : undefined].filter(Boolean).join('\n\n') || undefined }));
    }
    return out;
  }

  private typeOf(field: string): 'string' | 'number' | 'metric' | undefined {
    const dv = this.dataView;
    const d = dv?.dimensions.find(x => x.name === field);
    if (d) return d.type;
    return dv?.metrics.some(m => m.name === field) ? 'metric' : undefined;
  }

  private operators(field: string, count: boolean, negated: boolean): CompletionEntry[] {
    const type = this.typeOf(field);
    const ops = count ? COUNT_OPERATORS : type === 'string' ? STRING_OPERATORS : type === 'number' ? NUMBER_DIMENSION_OPERATORS : type === 'metric' ? METRIC_OPERATORS : STRING_OPERATORS.concat(['lt', 'le', 'gt', 'ge', 'between']);
    const out: CompletionEntry[] = [];
    ops.forEach((op, i) => {
      const text = OPERATOR_TEXT[op];
      if (negated && !text.startsWith('not ')) return;
      const label = negated ? text.slice(4) : text;
      const insert = LIST_OPERATORS.has(op) ? `${label} ($0)` : `${label} `;
      out.push(this.entry(label, 'operator', insert, { detail: text, documentation: OPERATOR_DOCS[op], snippet: LIST_OPERATORS.has(op) || undefined, sortText: String(i).padStart(2, '0') }));
    });
    return out;
  }

  private values(field: string): CompletionEntry[] {
    const dv = this.dataView;
    const type = this.typeOf(field);
    if (!dv || !type) return [];
    const sample = (this.options.samples ?? NO_SAMPLE_VALUES).sample(dv, field);
    if (!sample) return [];
    return sample.top.map((v, i) => {
      const text = type === 'string' ? quoteString(String(v.value)) : typeof v.value === 'number' ? formatNumber(v.value) : String(v.value);
      const share = sample.present ? ` (${Math.round((v.count / sample.present) * 1000) / 10}%)` : '';
      return this.entry(text, 'value', text, { detail: `${v.count} event${v.count === 1 ? '' : 's'}${share}`, sortText: String(i).padStart(3, '0') });
    });
  }

  private units(count: number): CompletionEntry[] {
    const plural = count !== 1;
    const out = UNITS.map(([one, many], i) => this.entry(plural ? many : one, 'unit', (plural ? many : one) + ' ', { documentation: KEYWORD_DOCS[many], sortText: String(i).padStart(2, '0') }));
    out.push(this.entry(plural ? 'instances of' : 'instance of', 'unit', `${plural ? 'instances' : 'instance'} of `, { documentation: KEYWORD_DOCS.instances, sortText: '99' }));
    return out;
  }
}

function uniqueLabel(): (e: CompletionEntry) => boolean {
  const seen = new Set<string>();
  return e => (seen.has(e.label + e.kind) ? false : (seen.add(e.label + e.kind), true));
}

function fieldDoc(description: string | undefined, field: string, name: string): string | undefined {
  const parts = [description, field !== name ? `Source field: \`${field}\`` : undefined].filter(Boolean);
  return parts.length ? parts.join('\n\n') : undefined;
}


/** The indentation width a document uses (its smallest indentation), 2 when it has none. */
export function indentUnitOf(text: string): number {
  let unit = 0;
  for (const m of text.matchAll(/\n( +)[^ \n#]/g)) if (!unit || m[1].length < unit) unit = m[1].length;
  return unit || 2;
}
